"""Keys that Keras 3.15 writes into configs but minikeras does not implement.

Place in the stack: a helper of ``serialization_lib.py``, consulted just before
a class is rebuilt with ``from_config``. Read it to see exactly which Keras
features a minikeras model cannot carry.

A file saved by Keras holds every constructor argument, including those of
features outside minikeras's scope (quantization, LoRA, batch
renormalization, synchronized statistics...). When such a key
holds its default value it changes nothing, so it is dropped and the load
goes on. Any other value would silently change the model, so the load stops
with an error naming the key.
"""

# Keys every object may carry: (key, the only value minikeras accepts).
_COMMON_KEYS = {
    "quantization_config": None,
    "lora_rank": None,
    "lora_alpha": None,
    "lora_enabled": False,
    "autocast": True,
}

# Keys of one class only.
_CLASS_KEYS = {
    "BatchNormalization": {
        "synchronized": False,
        "renorm": False,
        "renorm_clipping": None,
        "renorm_momentum": 0.99,
    },
    "Embedding": {"embeddings_constraint": None, "sparse": False, "weights": None},
    "GlorotUniform": {"input_axes": None, "output_axes": None},
    "GlorotNormal": {"input_axes": None, "output_axes": None},
    "HeUniform": {"input_axes": None, "output_axes": None},
    "HeNormal": {"input_axes": None, "output_axes": None},
    "LecunUniform": {"input_axes": None, "output_axes": None},
    "LecunNormal": {"input_axes": None, "output_axes": None},
    "VarianceScaling": {"input_axes": None, "output_axes": None},
    "InputLayer": {"sparse": False, "ragged": False, "optional": False},
}

def unsupported_keys(class_name):
    """Returns ``{key: accepted value}`` of the Keras-only keys of ``class_name``."""
    keys = dict(_COMMON_KEYS)
    keys.update(_CLASS_KEYS.get(class_name, {}))
    return keys


def strip_unsupported_keys(class_name, config):
    """Returns a copy of ``config`` without the Keras-only keys, if they hold defaults.

    Args:
        class_name: the saved class name (``"BatchNormalization"``).
        config: the inner config dict read from the file.

    Returns:
        A new dict.

    Raises:
        ValueError: if a Keras-only key holds a value other than its default.
    """
    cleaned = dict(config)
    for key, default in unsupported_keys(class_name).items():
        if key not in cleaned:
            continue
        value = cleaned.pop(key)
        if not _same_value(value, default):
            raise ValueError(
                f"Cannot load {class_name} with `{key}={value!r}`: minikeras does not implement "
                f"this Keras option (only its default value {default!r} can be loaded)."
            )
    return cleaned


def _same_value(value, default):
    if isinstance(default, bool) or default is None:
        return value is default or (isinstance(value, bool) and value == default)
    return isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value - default) < 1e-6
