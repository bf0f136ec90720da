"""Custom objects: the names under which user classes and functions are saved and found.

Place in the stack: in ``minikeras/utils/``, low, because Keras exports these
names from both ``keras.utils`` and ``keras.saving`` (``saving/object_registration.py``
re-exports them); ``saving/serialization_lib.py`` asks it two questions: "what name do I write for this class?" when saving,
and "which user object does this name mean?" when loading.

A file only ever names objects; it cannot bring code. So to load a model that
uses your own layer, minikeras must already know the class, in one of three
ways, checked in this order:

1. ``load_model(path, custom_objects={"MyDense": MyDense})``;
2. a ``with custom_object_scope({...}):`` block around the load;
3. the decorator ``@register_keras_serializable(package="Custom")`` on the
   class, which records it under ``"Custom>MyDense"``.

This is the one registry in minikeras filled at import time: it holds only
what the user decorates, and Keras's API needs it.
"""

# "package>name" -> class or function, filled by the decorator.
_GLOBAL_CUSTOM_OBJECTS = {}
# class or function -> "package>name", the reverse map.
_GLOBAL_CUSTOM_NAMES = {}
# The dicts of the active ``custom_object_scope`` blocks, innermost last.
_SCOPE_STACK = []


def register_keras_serializable(package="Custom", name=None):
    """Decorator that records a class or function for saving and loading.

    Args:
        package: the first half of the registered name (``"Custom"``).
        name: the second half; defaults to the class or function name.

    Returns:
        A decorator that records its argument and returns it unchanged.

    Example:
        >>> @register_keras_serializable(package="MyLayers")
        ... class MyDense(minikeras.layers.Layer): ...
        >>> get_registered_name(MyDense)
        'MyLayers>MyDense'
    """
    if ">" in package:
        raise ValueError(f"Invalid package name: {package!r}. The package name must not contain the '>' character.")

    def decorator(arg):
        class_name = name if name is not None else arg.__name__
        registered_name = f"{package}>{class_name}"
        if isinstance(arg, type) and not hasattr(arg, "get_config"):
            raise ValueError("Cannot register a class that does not have a get_config() method.")
        _GLOBAL_CUSTOM_OBJECTS[registered_name] = arg
        _GLOBAL_CUSTOM_NAMES[arg] = registered_name
        return arg

    return decorator


def get_registered_name(obj):
    """Returns the name ``obj`` was registered under, or its own ``__name__``."""
    if obj in _GLOBAL_CUSTOM_NAMES:
        return _GLOBAL_CUSTOM_NAMES[obj]
    return obj.__name__


def get_custom_objects():
    """Returns the live dict of registered objects (``"package>name"`` -> object)."""
    return _GLOBAL_CUSTOM_OBJECTS


def get_registered_object(name, custom_objects=None, module_objects=None):
    """Finds the user object a saved name refers to.

    Args:
        name: the saved name: a registered name (``"Custom>MyDense"``) or a plain one.
        custom_objects: dict passed by the caller, checked first.
        module_objects: an extra dict checked last (Keras's signature).

    Returns:
        The class or function, or None when no source knows the name.
    """
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    for scope in reversed(_SCOPE_STACK):
        if name in scope:
            return scope[name]
    if name in _GLOBAL_CUSTOM_OBJECTS:
        return _GLOBAL_CUSTOM_OBJECTS[name]
    if module_objects and name in module_objects:
        return module_objects[name]
    return None


def active_custom_objects():
    """Returns the objects of all active ``custom_object_scope`` blocks, merged."""
    merged = {}
    for scope in _SCOPE_STACK:
        merged.update(scope)
    return merged


class CustomObjectScope:
    """Context manager that makes custom objects visible to every load inside it.

    Example:
        >>> with custom_object_scope({"MyDense": MyDense}):
        ...     model = load_model("model.keras")
    """

    def __init__(self, custom_objects=None):
        self.custom_objects = dict(custom_objects or {})

    def __enter__(self):
        _SCOPE_STACK.append(self.custom_objects)
        return self

    def __exit__(self, *exc_info):
        _SCOPE_STACK.pop()


custom_object_scope = CustomObjectScope
