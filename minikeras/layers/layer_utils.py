"""Small helpers of ``Layer``: names, dtypes, shapes, masks, call signatures.

Place in the stack: used by ``layer.py`` only (and by models for names and
shapes). Each helper is a plain function, so ``layer.py`` can stay the story of
the build/call contract. Read next: ``layer.py``.
"""

import inspect

import numpy

from minikeras import backend

# What `call` declares, learned once per class with `inspect` (the only use of
# `inspect` in minikeras): {cls: (accepts training, accepts mask, default training)}.
_CALL_ARGUMENTS = {}


def call_arguments(cls):
    """Returns ``(has_training, has_mask, training_default)`` for ``cls.call``."""
    if cls not in _CALL_ARGUMENTS:
        parameters = inspect.signature(cls.call).parameters
        training = parameters.get("training")
        default = None
        if training is not None and training.default is not inspect.Parameter.empty:
            default = training.default
        _CALL_ARGUMENTS[cls] = ("training" in parameters, "mask" in parameters, default)
    return _CALL_ARGUMENTS[cls]


def dtype_policy_config(dtype_name):
    """The serialized ``DTypePolicy`` Keras writes in every layer config."""
    return {"module": "keras", "class_name": "DTypePolicy",
            "config": {"name": dtype_name}, "registered_name": None}


def standardize_layer_dtype(dtype):
    """Accepts None, a dtype name, or a serialized ``DTypePolicy`` dict."""
    if dtype is None:
        return backend.floatx()
    if isinstance(dtype, dict):
        dtype = dtype.get("config", {}).get("name", dtype.get("name"))
    if hasattr(dtype, "name") and not isinstance(dtype, (str, numpy.dtype)):
        dtype = dtype.name  # a DTypePolicy-like object
    if dtype in ("string", str):
        return "string"
    if isinstance(dtype, str) and dtype.startswith("mixed_"):
        raise ValueError(f"minikeras has no mixed precision. Received: dtype={dtype}")
    return backend.standardize_dtype(dtype)


def shape_of(value):
    """The shape of a tensor, array or KerasTensor as a tuple (None for others)."""
    shape = getattr(value, "shape", None)
    return None if shape is None else tuple(shape)


def mask_of(inputs):
    """The ``_keras_mask`` of the input (or list of masks), None if none."""
    if isinstance(inputs, (list, tuple)):
        masks = [getattr(item, "_keras_mask", None) for item in inputs]
        return masks if any(mask is not None for mask in masks) else None
    return getattr(inputs, "_keras_mask", None)


def as_shape_structure(value):
    """JSON lists back to shape tuples: ``[None, 8]`` -> ``(None, 8)``."""
    if isinstance(value, dict):
        return {key: as_shape_structure(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)) and all(v is None or isinstance(v, int) for v in value):
        return tuple(value)
    if isinstance(value, (list, tuple)):
        return [as_shape_structure(item) for item in value]
    return value
