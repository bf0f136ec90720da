"""Turning objects into JSON-ready dicts and back, without ever running code from a file.

Place in the stack: the heart of ``minikeras/saving/``. ``saving_lib.py``
calls it for ``config.json``; layers and models call it for the objects in
their configs (initializers, activations, sub-layers). Read
``object_registration.py`` and ``public_api.py`` first: they answer "which
object does this saved name mean?".

A serialized object is Keras 3's dict::

    {"module": "keras.layers", "class_name": "Dense",
     "config": {...constructor arguments...}, "registered_name": None,
     "build_config": {"input_shape": [None, 8]}}        # when built

Loading (``deserialize_keras_object``) only ever looks names up, in this
order: the user's ``custom_objects`` and registered objects, then the literal
allow-table of minikeras's public API. It never imports a module the file
names, never unpickles, and never loads Python bytecode: a ``__lambda__``
entry is refused even with ``safe_mode=False``. That last point is a
deliberate difference from Keras, which runs such bytecode when asked to.
"""

import types

import numpy as np

from minikeras import dtype_policies
from minikeras.saving import keras_compat
from minikeras.saving import object_graph
from minikeras.saving import object_registration
from minikeras.saving import public_api

PLAIN_TYPES = (str, int, float, bool)
_DTYPE_POLICIES = {"DTypePolicy": "keras", "FloatDTypePolicy": "keras", "DTypePolicyMap": "keras.dtype_policies"}

LAMBDA_ERROR = (
    "Requested the deserialization of a `Lambda` layer whose `function` is a Python lambda "
    "(serialized Python bytecode). minikeras never loads Python bytecode from a file, even with "
    "`safe_mode=False` (a deliberate difference from Keras). Define the function with `def`, "
    "decorate it with `@minikeras.saving.register_keras_serializable()` and pass it in "
    "`custom_objects` when loading."
)


class DeserializationError(TypeError, ValueError):
    """A saved config names an object that cannot be rebuilt.

    It is both a ``TypeError`` (what Keras raises for an unknown class) and a
    ``ValueError`` (what minikeras raises for every bad file), so either
    ``except`` catches it.
    """


# State of the current save or load: shared objects and safe mode.
_SHARED = {"configs": None, "objects": None}
_SAFE_MODE = [True]


class ObjectSharingScope:
    """Within it, an object met twice is saved once and rebuilt once (``shared_object_id``)."""

    def __enter__(self):
        self._previous = dict(_SHARED)
        _SHARED["configs"], _SHARED["objects"] = {}, {}
        return self

    def __exit__(self, *exc_info):
        _SHARED.update(self._previous)


class SafeModeScope:
    """Sets the safe mode seen by nested ``deserialize_keras_object`` calls."""

    def __init__(self, safe_mode=True):
        self.safe_mode = safe_mode

    def __enter__(self):
        _SAFE_MODE.append(bool(self.safe_mode))
        return self

    def __exit__(self, *exc_info):
        _SAFE_MODE.pop()


def in_safe_mode():
    """True while a load in safe mode is rebuilding objects (Keras's ``in_safe_mode``).

    Layers ask before reading a file their config names (``TextVectorization``'s
    vocabulary path). Outside any load it is False: a layer built in your own
    code may read your files. ``enable_unsafe_deserialization()`` makes it False
    everywhere.
    """
    return bool(_SAFE_MODE[0] and len(_SAFE_MODE) > 1 and _SAFE_MODE[-1])


def enable_unsafe_deserialization():
    """Turns safe mode off for every later load (Keras's ``keras.config`` switch).

    Python lambda bytecode stays refused even then: minikeras never runs code
    from a file (register the function and pass it in ``custom_objects``).
    """
    _SAFE_MODE[0] = False


# ---------------------------------------------------------------- saving


def serialize_keras_object(obj):
    """Returns a JSON-ready description of ``obj`` (see the module docstring).

    Args:
        obj: None, a plain value, a list/tuple/dict of them, a NumPy array, a
            named function, or any object with ``get_config()``.

    Returns:
        Plain values unchanged, lists for tuples, and Keras's dict for objects.
    """
    if obj is None or isinstance(obj, PLAIN_TYPES):
        return obj
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(item) for item in obj]
    if isinstance(obj, dict):
        return serialize_dict(obj)
    special = _serialize_special_value(obj)
    if special is not None:
        return special
    if isinstance(obj, types.FunctionType):
        return _serialize_function(obj)
    if not hasattr(obj, "get_config"):
        raise TypeError(
            f"Cannot serialize object {obj!r} of type {type(obj)}. "
            "To be serializable, a class must implement the `get_config()` method."
        )
    return _serialize_class_instance(obj)


def serialize_dict(config):
    """Serializes every value of a dict; keys stay as they are."""
    return {key: serialize_keras_object(value) for key, value in config.items()}


def _serialize_special_value(obj):
    """Bytes, slices, Ellipsis, NumPy values and tensors; None for anything else."""
    if isinstance(obj, bytes):
        return {"class_name": "__bytes__", "config": {"value": obj.decode("utf-8")}}
    if isinstance(obj, slice):
        return {"class_name": "__slice__", "config": {
            "start": serialize_keras_object(obj.start),
            "stop": serialize_keras_object(obj.stop),
            "step": serialize_keras_object(obj.step)}}
    if obj is Ellipsis:
        return {"class_name": "__ellipsis__", "config": {}}
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.dtype):
        return obj.name
    if isinstance(obj, np.ndarray):
        if obj.ndim == 0:
            return obj.item()
        dtype = "string" if obj.dtype.kind == "U" else obj.dtype.name  # Keras's name for text
        return {"class_name": "__numpy__", "config": {"value": obj.tolist(), "dtype": dtype}}
    return None


def _serialize_function(fn):
    if fn.__name__ == "<lambda>":
        raise ValueError(
            "Cannot save a Python lambda: minikeras files never carry code. Define the function "
            "with `def` and decorate it with `@minikeras.saving.register_keras_serializable()`."
        )
    public = public_api.public_name(fn)
    if public is not None:
        return {"module": public[0], "class_name": "function", "config": public[1], "registered_name": public[1]}
    registered_name = object_registration.get_registered_name(fn)
    module = None if fn.__module__ == "__main__" else fn.__module__
    return {"module": module, "class_name": "function", "config": registered_name,
            "registered_name": registered_name}


def _serialize_class_instance(obj):
    """``{module, class_name, config, registered_name}`` + build and compile configs."""
    inner_config = obj.get_config()
    if not isinstance(inner_config, dict):
        raise TypeError(f"The `get_config()` method of {obj} should return a dict. It returned: {inner_config}")
    cls = type(obj)
    public = public_api.public_name(cls)
    if public is not None:
        module, class_name, registered_name = public[0], public[1], None
        if class_name == "Functional":  # Keras writes its functional models this way
            module, registered_name = "keras.src.models.functional", "Functional"
    else:
        module = None if cls.__module__ == "__main__" else cls.__module__
        class_name = cls.__name__
        registered_name = object_registration.get_registered_name(cls)
    config = {"module": module, "class_name": class_name,
              "config": serialize_dict(inner_config), "registered_name": registered_name}
    _add_build_and_compile_config(obj, config)
    _record_serialized(obj, config)
    return config


def _add_build_and_compile_config(obj, config):
    build_config = obj.get_build_config() if hasattr(obj, "get_build_config") else None
    if build_config is not None:
        config["build_config"] = serialize_dict(build_config)
    compile_config = obj.get_compile_config() if hasattr(obj, "get_compile_config") else None
    if compile_config:  # None or {} when not compiled
        config["compile_config"] = serialize_dict(compile_config)


def _record_serialized(obj, config):
    """Marks both configs of an object met twice with the same ``shared_object_id``."""
    seen = _SHARED["configs"]
    if seen is None:
        return
    if id(obj) not in seen:
        seen[id(obj)] = config
        return
    config["shared_object_id"] = id(obj)
    seen[id(obj)]["shared_object_id"] = id(obj)


# ---------------------------------------------------------------- loading


def deserialize_keras_object(config, custom_objects=None, safe_mode=True):
    """Rebuilds the object a serialized config describes.

    Args:
        config: what ``serialize_keras_object`` returned (usually read from JSON).
        custom_objects: optional dict ``{name: class or function}`` of user objects.
        safe_mode: Keras's flag; minikeras is always safe about code (it never
            loads bytecode) and passes the flag on to layers that read files.

    Returns:
        The object (plain values and lists come back as they are).

    Raises:
        DeserializationError: for a name that is neither a minikeras public
            object nor a user object, and for non-modeling Keras APIs.
        ValueError: for Python lambdas and unsupported Keras options.
    """
    custom_objects = {**object_registration.active_custom_objects(), **(custom_objects or {})}
    if len(_SAFE_MODE) > 1:  # nested in a load: the outer call's safe mode holds
        safe_mode = _SAFE_MODE[-1]
    if config is None or isinstance(config, PLAIN_TYPES):
        if isinstance(config, str) and config in custom_objects:
            return custom_objects[config]
        return config
    if isinstance(config, (list, tuple)):
        return [deserialize_keras_object(item, custom_objects, safe_mode) for item in config]
    if not isinstance(config, dict):
        raise DeserializationError(f"Could not parse config: {config!r}")
    if "class_name" not in config or "config" not in config:
        return {key: deserialize_keras_object(value, custom_objects, safe_mode) for key, value in config.items()}
    special = _deserialize_special_value(config, custom_objects, safe_mode)
    if special is not _NOT_SPECIAL:
        return special
    if config["class_name"] == "function":
        return _deserialize_function(config, custom_objects)
    return _deserialize_class_instance(config, custom_objects, safe_mode)


_NOT_SPECIAL = object()


def _deserialize_special_value(config, custom_objects, safe_mode):
    class_name, inner = config["class_name"], config["config"]
    if class_name == "__lambda__":
        raise ValueError(LAMBDA_ERROR)
    if class_name in ("__numpy__", "__tensor__"):
        if not isinstance(inner, dict):
            raise DeserializationError(f"Could not parse the saved array {config!r}.")
        return array_from_config(inner)
    if class_name == "__bytes__":
        return str(inner["value"]).encode("utf-8")
    if class_name == "__ellipsis__":
        return Ellipsis
    if class_name == "__slice__":
        return slice(*(deserialize_keras_object(inner.get(key), custom_objects, safe_mode)
                       for key in ("start", "stop", "step")))
    if class_name in _DTYPE_POLICIES and config.get("module") == _DTYPE_POLICIES[class_name]:
        return dtype_policies.deserialize(config, custom_objects)
    return _NOT_SPECIAL


# The dtypes a ``__numpy__`` entry may ask for. Not ``object`` (it could hold
# anything), not a fixed-width string such as ``U250000000`` (one element of
# 1 GB from a 20-byte config), not a structured or sub-array dtype.
ARRAY_DTYPES = frozenset({
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64", "string",
})
MAX_CONFIG_ARRAY_BYTES = 64 * 2**20


def array_from_config(inner):
    """The NumPy array of a ``__numpy__`` entry ``{"value": nested lists, "dtype": name}``.

    Strings get the width of their longest item, and the whole array must stay
    under 64 MiB: a config cannot ask for more memory than it spells out.
    """
    name = inner.get("dtype")
    name = "float32" if name is None else str(name)
    if name == "str" or name.startswith("str") and name[3:].isdigit():
        name = "string"  # older minikeras files wrote NumPy's name, e.g. "str160"
    if name not in ARRAY_DTYPES:
        raise DeserializationError(f"Refusing to load an array of dtype {name}: a saved array may only "
                                   f"have one of the dtypes {sorted(ARRAY_DTYPES)}.")
    value = inner.get("value")
    if name != "string":
        return np.array(value, dtype=name)
    leaves = _flatten_lists(value)
    if not all(isinstance(leaf, str) for leaf in leaves):
        raise DeserializationError("A saved array of dtype 'string' must hold only strings.")
    width = max((len(leaf) for leaf in leaves), default=1) or 1
    if 4 * width * len(leaves) > MAX_CONFIG_ARRAY_BYTES:
        raise DeserializationError(f"Refusing to load a string array of {len(leaves)} items of up to "
                                   f"{width} characters: over the {MAX_CONFIG_ARRAY_BYTES} byte limit.")
    return np.array(value, dtype=f"U{width}")


def _flatten_lists(value):
    leaves, stack = [], [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        else:
            leaves.append(item)
    return leaves


def _deserialize_function(config, custom_objects):
    name = config["config"]
    if not isinstance(name, str):
        raise DeserializationError(f"Expected 'config' to be a str for a function, got {name!r}. Full config: {config}")
    return _retrieve(name, config.get("registered_name"), config.get("module"), "function", config, custom_objects)


def _deserialize_class_instance(config, custom_objects, safe_mode):
    """Looks the class up, then ``from_config``, ``build_from_config``, ``compile_from_config``."""
    # 1. A second reference to an object already rebuilt in this load.
    shared_id = config.get("shared_object_id")
    if shared_id is not None and _SHARED["objects"] is not None and shared_id in _SHARED["objects"]:
        return _SHARED["objects"][shared_id]
    # 2. The class: user objects first, then the allow-table.
    class_name = config["class_name"]
    registered_name = config.get("registered_name") or class_name
    cls = _retrieve(class_name, registered_name, config.get("module"), "class", config, custom_objects)
    if isinstance(cls, types.FunctionType):
        return cls
    inner = config["config"] if config["config"] is not None else {}
    if not isinstance(inner, dict) or not hasattr(cls, "from_config"):
        raise DeserializationError(f"Cannot rebuild '{class_name}' from config {inner!r}: it needs a dict "
                                   "config and a class with `from_config()`.")
    inner = keras_compat.strip_unsupported_keys(class_name, inner)
    # 3. Rebuild inside scopes, so nested objects see the same custom objects.
    with object_registration.CustomObjectScope(custom_objects), SafeModeScope(safe_mode):
        instance = cls.from_config(inner)
        if config.get("build_config") and not getattr(instance, "built", True):
            instance.build_from_config(config["build_config"])
        if config.get("build_config"):
            object_graph.build_by_running(instance, config["build_config"])
        if config.get("compile_config") and hasattr(instance, "compile_from_config"):
            instance.compile_from_config(config["compile_config"])
    if shared_id is not None and _SHARED["objects"] is not None:
        _SHARED["objects"][shared_id] = instance
    return instance


def _retrieve(name, registered_name, module, obj_type, full_config, custom_objects):
    """Finds the class or function a saved name means, or raises.

    Order: the user's objects (by registered name, then by plain name), then
    minikeras's public API through the literal table. Nothing else.
    """
    # 1. User objects: custom_objects, custom_object_scope, registered objects.
    for key in (registered_name, name):
        found = object_registration.get_registered_object(key, custom_objects) if key else None
        if found is not None:
            return found
    # 2. Keras public names.
    if isinstance(module, str) and (module == "keras" or module.startswith("keras.")):
        if f"{module}.{name}" in public_api.NON_MODELING_APIS:
            raise DeserializationError(
                f"Cannot deserialize `{module}.{name}` because it is not a modeling function. "
                "Non-modeling APIs are disallowed during deserialization for security. Model "
                "configuration should only contains operations, layers, metrics, losses, or "
                "registered custom objects and functions."
            )
        found = public_api.lookup(module, name)
        if found is None and name == "Functional":
            found = public_api.lookup("keras", "Model")
        if found is not None:
            return found
        if public_api.lookup_is_allowed(module, name):
            raise DeserializationError(f"minikeras does not implement `{module}.{name}`, which this file uses.")
    # 3. Bare function names ("relu" saved under module "builtins").
    if obj_type == "function" and module == "builtins":
        for function_module in public_api.FUNCTION_MODULES:
            found = public_api.lookup(function_module, name)
            if found is not None:
                return found
    raise DeserializationError(
        f"Could not locate {obj_type} '{name}' (module {module!r}). Make sure custom classes and "
        "functions are decorated with `@keras.saving.register_keras_serializable()` or passed in "
        "`custom_objects`. For safety, minikeras only builds its own public classes and the "
        "objects you registered or passed: it never imports modules named by a file. "
        f"Full object config: {full_config}"
    )
