"""``keras.utils.serialize_keras_object`` / ``deserialize_keras_object``: the ``.keras`` format's object configs.

Place in the stack: a thin face in ``utils`` over
``minikeras/saving/serialization_lib.py``, which sits at the top of the
stack (it knows every layer, loss and optimizer), so it is imported when
called. Read that file for the format.
"""


def serialize_keras_object(obj):
    """An object (layer, loss, optimizer, function, ...) as a JSON-compatible config dict.

    Args:
        obj: any object ``.keras`` files can hold.
    Returns:
        ``{"module", "class_name", "config", "registered_name"}`` (or a plain
        value for plain values).
    """
    from minikeras.saving import serialization_lib
    return serialization_lib.serialize_keras_object(obj)


def deserialize_keras_object(config, custom_objects=None, safe_mode=True, **kwargs):
    """Rebuilds an object from ``serialize_keras_object``'s config.

    Args:
        config: the config dict.
        custom_objects: ``{name: class or function}`` for your own objects.
        safe_mode: refuse configs that would run code (Python bytecode).
    Returns:
        The object.
    """
    if kwargs:
        raise TypeError(f"deserialize_keras_object: unexpected argument(s) {sorted(kwargs)}")
    from minikeras.saving import serialization_lib
    return serialization_lib.deserialize_keras_object(config, custom_objects=custom_objects, safe_mode=safe_mode)
