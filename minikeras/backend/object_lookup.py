"""Config dicts and name lookups shared by the small "catalog" packages.

Place in the stack: in the bottom layer, so that every package above may use
it; it imports nothing from minikeras. ``minikeras.initializers``,
``minikeras.regularizers`` and ``minikeras.constraints`` each keep their own
literal name -> class table (``ALL_OBJECTS``) and pass it in here; losses,
metrics and optimizers use ``serialize_object`` for their classes. These
functions only turn what a user writes (a name, a config dict, an object, a
class or a function) into an object, and an object back into the dict that
``.keras`` files store:

    {"module": "keras.initializers", "class_name": "GlorotUniform",
     "config": {"seed": None}, "registered_name": None}

Read next: any of those packages' ``__init__.py``.
"""


def serialize_object(instance, public_module, builtin=True):
    """The Keras config dict of ``instance`` (None for None).

    Args:
        instance: an object with ``get_config()``.
        public_module: the Keras namespace of the built-ins
            (``"keras.losses"``...).
        builtin: True for a class of minikeras's own tables; a user's class
            is written with its own module and its class name as
            ``registered_name``.
    Returns:
        ``{"module", "class_name", "config", "registered_name"}``.
    """
    if instance is None:
        return None
    class_name = type(instance).__name__
    return {"module": public_module if builtin else type(instance).__module__, "class_name": class_name,
            "config": instance.get_config(), "registered_name": None if builtin else class_name}


def deserialize_object(config, table, kind, custom_objects=None):
    """Rebuilds an object from ``serialize_object``'s dict, or from a bare name.

    Args:
        config: a config dict, or a name such as ``"he_normal"``.
        table: the package's literal ``{name: class}`` dict.
        kind: the word used in the error message (``"initializer"``).
        custom_objects: optional ``{name: class}`` looked up first.
    Returns:
        ``cls.from_config(config["config"])``.
    """
    if isinstance(config, str):
        config = {"class_name": config, "config": {}}
    class_name = config.get("class_name")
    cls = (custom_objects or {}).get(class_name) or table.get(class_name)
    if cls is None:
        raise ValueError(f"Could not interpret {kind} identifier: {class_name}")
    return cls.from_config(config.get("config") or {})


def get_object(identifier, table, base_class, kind):
    """Keras's ``get``: None, a name, a dict, an object, a class or a function.

    Args:
        identifier: what the user wrote (``"l2"``, ``{"class_name": ...}``,
            ``L2(0.1)``, ``L2``, or any callable).
        table: the package's literal ``{name: class}`` dict.
        base_class: the package's base class; a subclass given as a class is
            instantiated with its defaults.
        kind: the word used in the error message.
    Returns:
        The object (a callable), or None for None.
    """
    if identifier is None:
        return None
    if isinstance(identifier, (dict, str)):
        return deserialize_object(identifier, table, kind)
    if isinstance(identifier, type) and issubclass(identifier, base_class):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret {kind} identifier: {identifier}")
