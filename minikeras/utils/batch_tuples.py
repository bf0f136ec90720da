"""Batch tuples: ``x``, ``(x, y)`` or ``(x, y, sample_weight)``.

Place in the stack: ``minikeras.utils``, low in the stack (above the
backend), so that the data adapters, the trainer and a user's own
``train_step`` all read batches the same way; Keras exports both functions
as ``keras.utils.pack_x_y_sample_weight`` and
``keras.utils.unpack_x_y_sample_weight``. A batch of ``fit`` is one of those
three forms; each of ``x``, ``y`` and ``sample_weight`` is an array or a
nest (tuple, list or dict) of arrays. Read next:
``minikeras/trainers/data_adapters/data_adapter_utils.py``.
"""


def unpack_x_y_sample_weight(data):
    """Unpacks a batch into ``(x, y, sample_weight)``, with None where absent.

    Use it in an overridden ``train_step(data)``.

    Args:
        data: ``x``, ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)`` (a list
            is read as a tuple).

    Returns:
        A 3-tuple ``(x, y, sample_weight)``.
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return (data, None, None)
    if len(data) == 1:
        return (data[0], None, None)
    if len(data) == 2:
        return (data[0], data[1], None)
    if len(data) == 3:
        return (data[0], data[1], data[2])
    raise ValueError(
        "Data is expected to be in format `x`, `(x,)`, `(x, y)`, "
        f"or `(x, y, sample_weight)`, found: {data}"
    )


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """Packs ``x``, ``y`` and ``sample_weight`` into the tuple ``fit`` uses.

    A single ``x`` is returned as it is (a tuple or list ``x`` is wrapped as
    ``(x,)`` so it is not mistaken for ``(x, y)``).
    """
    if y is None:
        if not isinstance(x, (tuple, list)):
            return x
        return (x,)
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def batch_size_of(structure):
    """The number of samples in a batch: the first axis of its first leaf.

    Args:
        structure: an array, or a nest (tuple, list, dict) of arrays, e.g. a
            multi-input ``x`` or a model's predictions. A scalar counts as 1.
    """
    while isinstance(structure, (list, tuple, dict)):
        structure = next(iter(structure.values())) if isinstance(structure, dict) else structure[0]
    return structure.shape[0] if len(structure.shape) else 1
