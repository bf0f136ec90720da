"""Recognising foreign arrays and turning every batch leaf into NumPy.

Place in the stack: the lowest file of ``minikeras.trainers.data_adapters``.
Every adapter (arrays, generators, PyDataset, DataLoader, tf.data) sends each
leaf of each batch through ``to_numpy_leaf`` and ``cast_leaf``, so the same
data gives the same batches, with the same dtypes, whatever its source:

* float features become ``floatx()`` (float32 unless changed);
* integer and boolean arrays keep their dtype (labels stay ``int64`` whether
  they came from NumPy, torch or tf.data);
* strings stay strings (``bytes`` from tf.data are decoded to ``str``), so a
  ``TextVectorization`` layer gets text.

The type tests look at class names and module names over the class's MRO and
never import torch, tensorflow, jax, scipy or pandas: ``import minikeras``
must stay light, and an object of those libraries can only exist if the user
already imported them. Read next: ``data_adapter_utils.py``.
"""

import sys

import numpy as np

from minikeras.backend import floatx
from minikeras.backend import is_cupy_array


def _has_parent(value, class_names, module_prefix):
    """True if a class of ``type(value).__mro__`` has one of these names and
    lives in a module starting with ``module_prefix``."""
    for parent in type(value).__mro__:
        if parent.__name__ in class_names and str(parent.__module__).startswith(module_prefix):
            return True
    return False


def is_torch_tensor(value):
    """True for a ``torch.Tensor`` (checked without importing torch)."""
    return _has_parent(value, ("Tensor",), "torch")


def is_tf_tensor(value):
    """True for a TensorFlow tensor (eager or symbolic)."""
    return _has_parent(value, ("Tensor", "EagerTensor"), "tensorflow.python")


def is_jax_array(value):
    """True for a ``jax.Array``."""
    return _has_parent(value, ("Array", "ArrayImpl"), "jax")


def is_scipy_sparse(value):
    """True for a SciPy sparse matrix or array (anything with ``tocoo``)."""
    return str(type(value).__module__).startswith("scipy.sparse") and hasattr(value, "tocsr")


def is_pandas_dataframe(value):
    """True for a ``pandas.DataFrame``."""
    return _has_parent(value, ("DataFrame",), "pandas")


def is_pandas_series(value):
    """True for a ``pandas.Series``."""
    return _has_parent(value, ("Series",), "pandas")


def is_tf_dataset(value):
    """True for a ``tf.data.Dataset`` (any of its subclasses)."""
    return _has_parent(value, ("DatasetV2", "DistributedDataset"), "tensorflow.python")


def is_torch_dataloader(value):
    """True for a ``torch.utils.data.DataLoader``."""
    return _has_parent(value, ("DataLoader",), "torch.utils.data")


def is_array_leaf(value):
    """True if ``value`` is one array that the array adapter can slice.

    None, NumPy, CuPy, torch / TensorFlow / JAX tensors, SciPy sparse
    matrices, pandas DataFrames and Series, and anything with ``__array__``.
    Plain Python lists and numbers are not arrays here, as in Keras.
    """
    return (
        value is None
        or isinstance(value, np.ndarray)
        or is_cupy_array(value)
        or is_torch_tensor(value)
        or is_tf_tensor(value)
        or is_jax_array(value)
        or is_scipy_sparse(value)
        or is_pandas_dataframe(value)
        or is_pandas_series(value)
        or hasattr(value, "__array__")
    )


def _pandas_to_numpy(frame):
    """DataFrame or Series -> NumPy, refusing non-numeric columns by name."""
    if is_pandas_series(frame):
        if frame.dtype == object and all(isinstance(item, str) for item in frame):
            return frame.to_numpy()  # a text column, for TextVectorization
        columns = {frame.name: frame.dtype}
    else:
        columns = dict(frame.dtypes.items())
    # pandas is already imported: the user made this object with it.
    is_numeric = sys.modules["pandas"].api.types.is_numeric_dtype
    bad = {name: str(dtype) for name, dtype in columns.items() if not is_numeric(dtype)}
    if bad:
        raise ValueError(
            f"A pandas {type(frame).__name__} passed to a minikeras model must hold numbers only, "
            f"but these columns are not numeric: {list(bad)} (dtypes {list(bad.values())}). "
            "Encode them as numbers first (e.g. `pd.get_dummies`, `.astype('category').cat.codes`) "
            "or drop them."
        )
    return frame.to_numpy()


def to_numpy_leaf(value):
    """Converts one leaf of a batch (or of a whole dataset) to a NumPy array.

    Torch tensors on the CPU share memory with the result (``.numpy()``, no
    copy); CuPy arrays and SciPy sparse matrices are kept as they are (the
    trainer or the slicer deals with them); ``bytes`` strings are decoded.

    Args:
        value: None, an array, a tensor of another library, or a DataFrame.

    Returns:
        A NumPy array (or the CuPy / sparse array unchanged, or None).
    """
    if hasattr(value, "__minikeras_array__"):  # a minikeras Tensor or Variable
        value = value.__minikeras_array__()
    if value is None or is_cupy_array(value) or is_scipy_sparse(value):
        return value
    if isinstance(value, np.ndarray):
        array = value
    elif is_torch_tensor(value):
        if value.device.type != "cpu" or value.requires_grad:
            value = value.detach().cpu()
        array = value.numpy()
    elif is_pandas_dataframe(value) or is_pandas_series(value):
        array = _pandas_to_numpy(value)
    elif is_tf_tensor(value):
        array = value.numpy()
    else:
        array = np.asarray(value)
    if array.dtype.kind == "S" or (array.dtype == object and array.size and isinstance(array.flat[0], bytes)):
        array = decode_bytes(array)
    return array


def decode_bytes(array):
    """A bytes array (as tf.data gives strings) -> an object array of ``str``."""
    decoded = np.empty(array.shape, dtype=object)
    for index, item in np.ndenumerate(array):
        decoded[index] = item.decode("utf-8") if isinstance(item, bytes) else item
    return decoded


def cast_leaf(array):
    """Gives float arrays the ``floatx()`` dtype; everything else is unchanged.

    Args:
        array: a NumPy (or CuPy) array of any shape, or None.

    Returns:
        The same array when nothing changes (no copy), else a cast copy.
    """
    if array is None or not hasattr(array, "dtype"):
        return array
    if array.dtype.kind == "f" and array.dtype != np.dtype(floatx()):
        return array.astype(floatx())
    return array


def to_batch_leaf(value):
    """One leaf of a batch read from a source -> a dense NumPy array in floatx."""
    array = to_numpy_leaf(value)
    if is_scipy_sparse(array):
        array = array.toarray()  # (N, features) sparse -> dense
    return cast_leaf(array)
