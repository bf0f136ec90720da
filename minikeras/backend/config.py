"""Global settings: which array library, which float type, which epsilon.

Place in the stack: the bottom of ``minikeras`` (only ``kernels/`` is lower).
It owns the answers to "NumPy or CuPy?" and "float32 or float64?". Everything
above asks these functions and never decides for itself. Read next:
``arrays.py`` (how the array module is chosen for a given array) and
``context.py`` (the tape stack and the training flag).

Settings come, in order of priority, from an environment variable
(``MINIKERAS_BACKEND``...) and from the JSON file ``~/.minikeras/minikeras.json``
(``{"backend": "cupy", "floatx": "float32", "epsilon": 1e-07}``), as Keras reads
``~/.keras/keras.json``; both are read once, at import. Every setting of the
README can live in the file, under its variable's name without the
``MINIKERAS_`` prefix, in lower case: ``"kernels"``, ``"conv_algorithm"``,
``"matmul"`` (read by ``kernel_choice.py``), ``"configure_process"``,
``"offline"``. ``MINIKERAS_HOME`` itself says where the file is.
"""

import json
import os
import tempfile

_SUPPORTED_BACKENDS = ("numpy", "cupy")
_SUPPORTED_FLOATX = ("float16", "float32", "float64")


def _config_dir():
    """The folder of minikeras's own user files (``minikeras.json``)."""
    return os.path.expanduser(os.environ.get("MINIKERAS_HOME", "~/.minikeras"))


def dataset_cache_root():
    """Keras's cache folder, shared with Keras: ``$KERAS_HOME``, else ``~/.keras``.

    ``keras.utils.get_file`` and the data sets download under
    ``<this>/datasets``, so a file Keras fetched before loads offline here
    too, and the other way round. As in Keras, when that folder cannot be
    created or written (a read-only home), ``/tmp/.keras`` is used instead.
    """
    root = os.path.expanduser(os.environ.get("KERAS_HOME", os.path.join("~", ".keras")))
    try:
        os.makedirs(root, exist_ok=True)
    except OSError:
        pass
    if not os.access(root, os.W_OK):
        root = os.path.join(tempfile.gettempdir(), ".keras")
    return root


def _read_config_file():
    """Returns the dict stored in ``~/.minikeras/minikeras.json`` ({} if absent)."""
    path = os.path.join(_config_dir(), "minikeras.json")
    if not os.path.exists(path):
        return {}
    try:
        with open(path) as file:
            value = json.load(file)
    except (OSError, ValueError) as error:
        raise ValueError(f"Could not read the minikeras config file {path}: {error}") from error
    if not isinstance(value, dict):
        raise ValueError(f"The minikeras config file {path} must hold a JSON object, got {value!r}.")
    return value


_file_config = _read_config_file()


def setting(variable, key, default):
    """One setting: the environment variable, else the file's key, else the default.

    Args:
        variable: e.g. ``"MINIKERAS_KERNELS"``.
        key: its key in ``minikeras.json``, e.g. ``"kernels"``.
        default: the value when neither is set.
    Returns:
        ``(value, source)``; ``source`` names where the value came from, for error messages.
    """
    if variable in os.environ:
        return os.environ[variable], variable
    if key in _file_config:
        return _file_config[key], f"{key!r} in minikeras.json"
    return default, variable


def flag(variable, key, default):
    """A yes/no :func:`setting`: true/false in the file, 1/0 (or true/false, yes/no) in the environment."""
    value, source = setting(variable, key, default)
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text not in ("1", "true", "yes", "on", "0", "false", "no", "off"):
        raise ValueError(f"{source} must be true or false (1 or 0). Received: {value!r}")
    return text in ("1", "true", "yes", "on")


_backend = str(setting("MINIKERAS_BACKEND", "backend", "numpy")[0]).lower()
_floatx = _file_config.get("floatx", "float32")
_epsilon = float(_file_config.get("epsilon", 1e-7))
_max_epochs = setting("MINIKERAS_MAX_EPOCHS", "max_epochs", None)[0]
_max_epochs = None if _max_epochs is None else int(_max_epochs)
_max_steps_per_epoch = setting("MINIKERAS_MAX_STEPS_PER_EPOCH", "max_steps_per_epoch", None)[0]
_max_steps_per_epoch = None if _max_steps_per_epoch is None else int(_max_steps_per_epoch)
_configure_process = flag("MINIKERAS_CONFIGURE_PROCESS", "configure_process", True)

if _backend not in _SUPPORTED_BACKENDS:
    raise ValueError(
        f"Unknown minikeras backend {_backend!r} (from MINIKERAS_BACKEND or minikeras.json). "
        f"Expected one of {_SUPPORTED_BACKENDS}."
    )


def backend():
    """Returns the name of the array backend: ``"numpy"`` or ``"cupy"``."""
    return _backend


def floatx():
    """Returns the default float type, as a string (``"float32"`` unless changed)."""
    return _floatx


def set_floatx(value):
    """Sets the default float type of new variables, layers and constants.

    Args:
        value: ``"float16"``, ``"float32"`` or ``"float64"``.
    """
    global _floatx
    value = str(value)
    if value not in _SUPPORTED_FLOATX:
        raise ValueError(f"Unknown `floatx` value: {value}. Expected one of {_SUPPORTED_FLOATX}.")
    _floatx = value


def epsilon():
    """Returns the fuzz factor used to avoid division by zero (1e-7 by default)."""
    return _epsilon


def set_epsilon(value):
    """Sets the fuzz factor returned by :func:`epsilon`."""
    global _epsilon
    _epsilon = float(value)


def configure_process():
    """Whether the first Numba kernel call may tune the process (``kernels/runtime.py``); True unless turned off."""
    return _configure_process


def image_data_format():
    """minikeras supports only ``"channels_last"`` (NHWC), Keras's default."""
    return "channels_last"


def set_image_data_format(data_format):
    """minikeras computes in ``"channels_last"`` (NHWC) only, Keras's default."""
    if data_format != "channels_last":
        raise ValueError(
            f"minikeras supports only data_format='channels_last'. Received: data_format={data_format}"
        )


# ----- limits for quick debugging runs: fit, evaluate and predict honour them -----
def max_epochs():
    """The most epochs any ``fit`` runs (None: no limit); ``MINIKERAS_MAX_EPOCHS`` sets it too."""
    return _max_epochs


def set_max_epochs(max_epochs):
    """Caps the ``epochs`` of every ``fit`` (with a warning), for a quick run of a long script.

    Args:
        max_epochs: a positive integer, or None for no limit.
    """
    global _max_epochs
    _max_epochs = max_epochs


def max_steps_per_epoch():
    """The most batches per epoch of ``fit`` / ``evaluate`` / ``predict`` (None: no limit)."""
    return _max_steps_per_epoch


def set_max_steps_per_epoch(max_steps_per_epoch):
    """Caps the batches of every epoch (``MINIKERAS_MAX_STEPS_PER_EPOCH`` sets it too).

    Args:
        max_steps_per_epoch: a positive integer, or None for no limit.
    """
    global _max_steps_per_epoch
    _max_steps_per_epoch = max_steps_per_epoch


# Flash attention, Keras's global switch: None ("use it when possible", the
# default and what `enable` restores) or False (never). minikeras has no
# flash kernel; the attention layers read the switch as Keras's do, and
# `ops.dot_product_attention(flash_attention=True)` fails as Keras does on a
# machine without cuDNN.
_flash_attention = None


def enable_flash_attention():
    """Lets attention layers try flash attention (the default; Keras stores None, "when possible")."""
    global _flash_attention
    _flash_attention = None


def disable_flash_attention():
    """Stops attention layers from trying flash attention."""
    global _flash_attention
    _flash_attention = False


def is_flash_attention_enabled():
    """``False`` once disabled; otherwise ``None`` (Keras's value: enabled when possible)."""
    return _flash_attention
