"""``keras.utils.legacy``: the Keras 2 serialization format, ``{"class_name": ..., "config": ...}``.

Place in the stack: ``keras.utils``, beside ``serialization.py`` (the Keras 3
format, with ``module`` and ``registered_name``). Code written for Keras 2
(custom layers whose ``get_config`` or ``from_config`` call these, older
``model.to_json()`` strings) uses this format: an object is its registered
class name and its config, and a name is looked up in the dicts the caller
passes (``module_objects``, ``custom_objects``) and in the registered custom
objects -- never imported from a module::

    config = keras.utils.legacy.serialize_keras_object(layer)   # {"class_name": "Dense", "config": {...}}
    layer = keras.utils.legacy.deserialize_keras_object(config, module_objects={"Dense": keras.layers.Dense})

Keras 2's shared-object ids (a layer reused in two places) are not written;
without a saving scope Keras 3 does not write them either.
"""

import inspect

from minikeras.utils import object_registration

_UNKNOWN = ("Unknown {kind}: '{name}'. Please ensure you are using a `keras.utils.custom_object_scope` and that "
            "this object is included in the scope. See "
            "https://www.tensorflow.org/guide/keras/save_and_serialize#registering_the_custom_object for details.")


def serialize_keras_object(instance):
    """Returns ``{"class_name": registered name, "config": ...}`` for an object, a name for a function.

    Args:
        instance: None, an object with ``get_config()``, or a named function or class.

    Returns:
        None, a dict whose config values that are objects are serialized in
        turn (and marked ``"__passive_serialization__": True``), or a string.
    """
    instance = inspect.unwrap(instance)
    if instance is None:
        return None
    if hasattr(instance, "get_config"):
        config = {}
        for key, item in instance.get_config().items():
            if isinstance(item, str):
                config[key] = item
                continue
            try:
                serialized = serialize_keras_object(item)
                if isinstance(serialized, dict) and not isinstance(item, dict):
                    serialized["__passive_serialization__"] = True
                config[key] = serialized
            except ValueError:  # a plain value (number, list, dict): kept as it is
                config[key] = item
        return {"class_name": object_registration.get_registered_name(instance.__class__), "config": config}
    if hasattr(instance, "__name__"):
        return object_registration.get_registered_name(instance)
    raise ValueError(f"Cannot serialize {instance} because it doesn't implement `get_config()`.")


def deserialize_keras_object(identifier, module_objects=None, custom_objects=None, printable_module_name="object"):
    """Rebuilds an object from ``serialize_keras_object``'s output (or returns a function by name).

    Args:
        identifier: None, a ``{"class_name", "config"}`` dict, a name, or a function.
        module_objects: ``{name: class or function}`` the names may refer to.
        custom_objects: ``{name: class or function}`` from the user, checked first.
        printable_module_name: what the object is, for error messages ("layer").

    Returns:
        The object: ``cls.from_config(config)`` for a dict; for a name, the
        function, or an instance of the class built with no arguments.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        cls, config = _class_and_config(identifier, module_objects, custom_objects, printable_module_name)
        with object_registration.CustomObjectScope(custom_objects or {}):
            if hasattr(cls, "from_config"):
                if "custom_objects" in inspect.signature(cls.from_config).parameters:
                    return cls.from_config(config, custom_objects={**object_registration.get_custom_objects(),
                                                                   **(custom_objects or {})})
                return cls.from_config(config)
            return cls(**config)  # a function returning an object: the config holds its arguments
    if isinstance(identifier, str):
        found = object_registration.get_registered_object(identifier, custom_objects, module_objects)
        if found is None:
            raise ValueError(_UNKNOWN.format(kind=printable_module_name, name=identifier))
        return found() if inspect.isclass(found) else found
    if inspect.isfunction(identifier):
        return identifier
    raise ValueError(f"Could not interpret serialized {printable_module_name}: {identifier}")


def _class_and_config(config, module_objects, custom_objects, printable_module_name):
    """The class a legacy dict names, and its config with nested objects and functions rebuilt."""
    if not isinstance(config, dict) or "class_name" not in config or "config" not in config:
        raise ValueError(f"Improper config format for {config}. Expecting python dict contains `class_name` and "
                         "`config` as keys")
    cls = object_registration.get_registered_object(config["class_name"], custom_objects, module_objects)
    if cls is None:
        raise ValueError(_UNKNOWN.format(kind=printable_module_name, name=config["class_name"]))
    cls_config = config["config"]
    if isinstance(cls_config, list):  # a Keras 2.0 Sequential: a list of layer configs
        return cls, cls_config
    cls_config = dict(cls_config)
    for key, item in list(cls_config.items()):
        if key == "name":
            continue  # a name is a name, even if a function is called so
        if isinstance(item, dict) and "__passive_serialization__" in item:
            cls_config[key] = deserialize_keras_object(item, module_objects, custom_objects, "config_item")
        elif isinstance(item, str) and inspect.isfunction(
                object_registration.get_registered_object(item, custom_objects, module_objects)):
            cls_config[key] = object_registration.get_registered_object(item, custom_objects, module_objects)
    return cls, cls_config
