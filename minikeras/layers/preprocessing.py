"""Preprocessing layers that live inside the model: ``Rescaling`` (here) and
``TextVectorization`` (``text_vectorization.py``).

Place in the stack: concrete layers over ``layer.py``. Putting preprocessing
in the model means a saved model takes raw data (pixels 0..255, raw text)
and nobody has to remember how the training data was prepared. ``Rescaling``
is differentiable (a multiply and an add); ``TextVectorization`` turns
strings into numbers and carries no gradient. Read next:
``text_vectorization.py``.
"""

import numpy

from minikeras import ops
from minikeras.layers.layer import Layer


class Rescaling(Layer):
    """``outputs = inputs * scale + offset``, e.g. pixels to [0, 1] with ``scale=1/255``.

    Args:
        scale: a float, or a per-channel list broadcast against the input.
        offset: a float or per-channel list (0.0).
        **kwargs: ``Layer`` arguments.

    Shapes:
        output shape = input shape (integer inputs become the layer's float dtype).
    """

    _numeric_inputs_only = True  # strings are refused with a clear error (layer.py)

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset
        self.supports_masking = True

    def call(self, inputs):
        inputs = ops.cast(inputs, self.compute_dtype)  # uint8 pixels -> float32
        scale = numpy.asarray(self.scale, dtype=self.compute_dtype)
        offset = numpy.asarray(self.offset, dtype=self.compute_dtype)
        return ops.add(ops.multiply(inputs, scale), offset)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}
