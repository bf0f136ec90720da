"""The array-module seam: NumPy on the CPU, CuPy on an NVIDIA GPU.

Place in the stack: just above ``config.py``. Every file of minikeras that
needs ``np.`` or ``cp.`` asks ``xp = get_xp(array)`` and writes ``xp.exp(...)``,
so the same code runs on both devices (Chainer's trick). This is the only file
that imports CuPy. Read next: ``context.py``.
"""

import numpy

from minikeras.backend import config
from minikeras.backend import scopes

_cupy = None


def _load_cupy():
    """Imports CuPy once, with one clear error naming what is missing."""
    global _cupy
    if _cupy is not None:
        return _cupy
    try:
        import cupy
    except ImportError as error:
        raise RuntimeError(
            "MINIKERAS_BACKEND=cupy asks for the GPU backend, but CuPy is not installed. "
            'Install it with `pip install -e ".[cuda12]"` (or ".[cuda13]"), or unset MINIKERAS_BACKEND.'
        ) from error
    try:
        device_count = cupy.cuda.runtime.getDeviceCount()
    except Exception as error:  # CuPy raises its own CUDARuntimeError without a driver
        raise RuntimeError(
            f"MINIKERAS_BACKEND=cupy asks for the GPU backend, CuPy is installed, but no NVIDIA GPU "
            f"or driver was found ({error}). Unset MINIKERAS_BACKEND to run on the CPU."
        ) from error
    if device_count == 0:
        raise RuntimeError(
            "MINIKERAS_BACKEND=cupy asks for the GPU backend, CuPy is installed, but no NVIDIA GPU "
            "is visible. Unset MINIKERAS_BACKEND to run on the CPU."
        )
    _cupy = cupy
    return cupy


def is_cupy_array(value):
    """True for a ``cupy.ndarray``, checked without importing CuPy."""
    return type(value).__module__.startswith("cupy")


def get_xp(*arrays):
    """Returns the array module (``numpy`` or ``cupy``) for these raw arrays.

    With no argument, the module to create new arrays with: the open
    ``minikeras.device(...)`` scope's (``scopes.py``), else the configured
    backend's. With arrays, CuPy if any of them lives on the GPU.
    """
    for value in arrays:
        if is_cupy_array(value):
            return _load_cupy()
    if not arrays and scopes.OPEN_DEVICES[0]:
        return scopes.current_device().array_module()
    if not arrays and config.backend() == "cupy":
        return _load_cupy()
    return numpy


_dtype_names = {}  # dtype (a name, a NumPy dtype or scalar type) -> its name: a training step asks dozens of times


def standardize_dtype(dtype):
    """Returns the dtype's name as a string (``"float32"``), or None for None."""
    if dtype is None:
        return None
    try:
        return _dtype_names[dtype]
    except (KeyError, TypeError):  # not seen yet, or not hashable
        name = numpy.dtype(dtype).name
    if len(_dtype_names) < 256:  # a few dtypes in practice; the bound keeps odd inputs from growing it
        try:
            _dtype_names[dtype] = name
        except TypeError:
            pass
    return name


def is_float_dtype(dtype):
    """True for floating dtypes (the only ones that carry gradients)."""
    return numpy.dtype(dtype).kind == "f"


def is_int_dtype(dtype):
    """True for signed and unsigned integer dtypes (``"int32"``, ``"uint8"``...)."""
    return standardize_dtype(dtype).startswith(("int", "uint"))


def convert_to_tensor(value, dtype=None):
    """Returns ``value`` as a raw array of the configured backend.

    Python floats and lists of floats become ``floatx()`` (as in Keras); a NumPy
    or CuPy array keeps its dtype unless ``dtype`` is given, so a float64 input
    stays float64. Tensors and Variables pass through ``numpy.asarray``.

    Args:
        value: an array, a Python scalar or (nested) list, or anything with
            ``__array__``.
        dtype: optional target dtype.
    Returns:
        A ``numpy.ndarray`` or a ``cupy.ndarray`` of the same shape.
    """
    xp = get_xp()
    if hasattr(value, "__minikeras_array__"):  # a Tensor or a Variable
        value = value.__minikeras_array__()
    if not (isinstance(value, numpy.ndarray) or is_cupy_array(value)):
        value = numpy.asarray(value)
        if dtype is None and value.dtype.kind == "f":
            value = value.astype(config.floatx())
        elif dtype is None and value.dtype == numpy.int64 and value.ndim == 0:
            value = value.astype("int32")  # Python ints become int32, as in Keras
    if xp is not numpy and not is_cupy_array(value) and value.dtype.kind not in "OUS":
        value = xp.asarray(value)
    if dtype is not None and standardize_dtype(value.dtype) != standardize_dtype(dtype):
        value = value.astype(standardize_dtype(dtype))
    return value


def convert_to_numpy(value):
    """Returns a plain ``numpy.ndarray`` (copied from the GPU when needed)."""
    if hasattr(value, "__minikeras_array__"):
        value = value.__minikeras_array__()
    if is_cupy_array(value):
        return value.get()
    return numpy.asarray(value)
