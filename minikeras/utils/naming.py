"""Names: Keras's rule for turning a class name into a snake_case one.

Place in the stack: ``minikeras.utils``, just above the backend, so that
layers, losses, metrics, optimizers and saving name things the same way:
``Dense`` -> ``dense`` (then ``dense_1``, ``dense_2``... by
``backend.context.unique_name``), and ``layers/dense`` inside a ``.keras``
file. Keras's own rule is kept, surprises included: ``RMSprop`` becomes
``rm_sprop``.
"""

import re


def to_snake_case(name):
    """``"MaxPooling2D"`` -> ``"max_pooling2d"``, ``"AdamW"`` -> ``"adam_w"`` (Keras's rule)."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()
