"""Argument checks shared by the conv and pooling ops and layers.

Place in the stack: ``minikeras.utils``, just above the backend, so that
``autodiff/conv.py``, ``autodiff/pool.py`` and the conv, pooling and
reshaping layers check ``strides=2`` or ``data_format=None`` the same way,
with the same message. Keras keeps the same helpers in
``keras/src/utils/argument_validation.py``.
"""

from minikeras import backend


def normalize_tuple(value, rank, name, owner):
    """An int or a sequence -> a tuple of ``rank`` positive ints (Keras's check).

    Args:
        value: ``2`` or ``(2, 3)``; an int is repeated ``rank`` times.
        rank: the number of spatial axes (1, 2 or 3).
        name: the argument's name, for the message (``"strides"``).
        owner: who asks, for the message (a layer's name, or ``"conv"``).

    Raises:
        ValueError: naming ``owner`` and ``name``, if a value is not a positive
            int or the tuple has the wrong length.
    """
    values = (value,) * rank if isinstance(value, int) else tuple(value)
    if len(values) != rank or not all(isinstance(v, int) and v > 0 for v in values):
        raise ValueError(f"{owner}: the `{name}` argument must be a tuple of {rank} "
                         f"positive integers (or one positive integer). Received: {name}={value}")
    return values


def check_data_format(data_format, owner):
    """None -> ``backend.image_data_format()``; anything but the two formats is an error.

    Returns:
        ``"channels_last"`` or ``"channels_first"``.
    """
    data_format = backend.image_data_format() if data_format is None else str(data_format).lower()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"{owner}: the `data_format` argument must be one of "
                         f"{{'channels_first', 'channels_last'}}. Received: data_format={data_format}")
    return data_format
