"""``minikeras.dtype_policies``: Keras 3's ``keras.dtype_policies`` namespace.

Place in the stack: under ``layers/`` (a layer holds a policy), over
``backend``. ``get`` turns whatever a layer's ``dtype=`` argument holds (None,
a name, a config dict, a policy) into a policy; ``serialize`` writes the dict
Keras writes in every layer config. Read ``dtype_policy.py`` first.

Keras's quantized policies (``Int8``/``Int4``/``GPTQ``/``AWQ``/``Float8``)
are absent: minikeras has no quantization.
"""

from minikeras.dtype_policies.dtype_policy import DTypePolicy
from minikeras.dtype_policies.dtype_policy import FloatDTypePolicy
from minikeras.dtype_policies.dtype_policy import dtype_policy
from minikeras.dtype_policies.dtype_policy import set_dtype_policy
from minikeras.dtype_policies.dtype_policy_map import DTypePolicyMap

# The classes a saved config may name (a literal table, see saving/public_api.py).
_CLASSES = {"DTypePolicy": DTypePolicy, "FloatDTypePolicy": FloatDTypePolicy, "DTypePolicyMap": DTypePolicyMap}
_MODULES = {"DTypePolicy": "keras", "FloatDTypePolicy": "keras", "DTypePolicyMap": "keras.dtype_policies"}


def serialize(policy):
    """The config dict Keras saves: ``{"module": "keras", "class_name": "DTypePolicy",
    "config": {"name": "mixed_float16"}, "registered_name": None}``."""
    class_name = type(policy).__name__
    if class_name not in _CLASSES:
        raise TypeError(f"Expected a DTypePolicy. Received: {policy} (of type {type(policy)})")
    return {"module": _MODULES[class_name], "class_name": class_name, "config": policy.get_config(),
            "registered_name": None}


def deserialize(config, custom_objects=None):
    """The policy that ``serialize`` described (a ``{"class_name", "config"}`` dict)."""
    class_name = config.get("class_name") if isinstance(config, dict) else None
    if class_name not in _CLASSES:
        raise ValueError(f"Cannot deserialize a dtype policy from {config!r}. Expected the class name to be "
                         f"one of {sorted(_CLASSES)}.")
    cls = _CLASSES[class_name]
    inner = config.get("config") or {}
    if cls is DTypePolicyMap:
        return cls.from_config(inner, custom_objects)
    return cls.from_config(inner)


def get(identifier):
    """A ``DTypePolicy`` from None (the global policy), a name, a config dict or a policy.

    Raises:
        ValueError: an unknown name (``"mixed_foo"``) or something else.
    """
    if identifier is None:
        return dtype_policy()
    if isinstance(identifier, DTypePolicy):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return DTypePolicy(identifier)
    try:
        return DTypePolicy(_dtype_name(identifier))
    except (TypeError, ValueError):
        raise ValueError("Cannot interpret `dtype` argument. Expected a string or an instance of "
                         f"DTypePolicy. Received: dtype={identifier}") from None


def _dtype_name(value):
    """``numpy.float32`` or ``numpy.dtype("float32")`` -> ``"float32"`` (TypeError otherwise)."""
    import numpy
    if value is str:
        return "string"
    if isinstance(value, (int, float, bool)):
        raise TypeError(value)
    return numpy.dtype(value).name


__all__ = ["DTypePolicy", "DTypePolicyMap", "FloatDTypePolicy", "deserialize", "get", "serialize"]
