"""``layers.serialize`` / ``layers.deserialize``: one layer <-> the config dict ``.keras`` files store.

Place in the stack: a thin face over ``minikeras/saving/serialization_lib.py``,
which sits above the layers; it is imported when called, so that importing
``minikeras.layers`` never pulls in the saving code.

    >>> config = keras.layers.serialize(keras.layers.Dense(3, name="d"))
    >>> config["class_name"], config["config"]["units"]
    ('Dense', 3)
    >>> keras.layers.deserialize(config)
    <Dense name=d, built=False>
"""


def serialize(layer):
    """A layer's config dict: ``{"module", "class_name", "config", "registered_name", ...}``.

    Args:
        layer: a ``Layer`` (or a model).
    Returns:
        The JSON-compatible dict that ``deserialize`` reads back.
    """
    from minikeras.saving import serialization_lib
    return serialization_lib.serialize_keras_object(layer)


def deserialize(config, custom_objects=None):
    """A new layer from ``serialize``'s dict (with freshly initialised weights).

    Args:
        config: the dict.
        custom_objects: ``{name: class}`` for your own layers.
    Returns:
        A ``Layer``.
    Raises:
        TypeError: ``config`` is not a dict.
    """
    if not isinstance(config, dict):
        raise TypeError(f"Could not parse config: {config!r} (expected the dict of `keras.layers.serialize`)")
    from minikeras.saving import serialization_lib
    return serialization_lib.deserialize_keras_object(config, custom_objects=custom_objects)
