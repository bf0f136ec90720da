"""``split_dataset``: cut a small in-memory dataset into a left part and a right part.

Place in the stack: the top (``keras.utils``). It reads the dataset sample
by sample, optionally shuffles the list of samples, and keeps the first
``left_size`` samples on the left and the last ``right_size`` on the right::

    (x_train, y_train), (x_test, y_test) = keras.utils.split_dataset((x, y), left_size=0.8)

What Keras accepts, minikeras accepts: a NumPy array (samples on axis 0), a
list or tuple of arrays of the same length (one sample is one row of each),
a ``tf.data.Dataset`` and a ``torch.utils.data.Dataset``. Dicts, generators
and ``PyDataset`` are refused, as Keras refuses them.

What comes back (the one difference from Keras, which has no plain-array
answer): arrays in, arrays out -- an array for an array, a tuple of arrays
for a list or tuple -- holding exactly the samples Keras's
``tf.data.Dataset.from_tensor_slices`` would hold, in the same order (the
shuffle is Python's ``random.Random(seed).shuffle``, the one Keras uses).
A ``tf.data.Dataset`` gives ``tf.data`` datasets (rebatched when the input
was batched) and a torch dataset gives the two ``Subset``s of
``torch.utils.data.random_split``, as in Keras; ``preferred_backend`` picks
one of those two explicitly.
"""

import random

import numpy as np

from minikeras.utils import nest


def _has_parent(value, class_names, module_prefix):
    """True if a class of ``type(value).__mro__`` has one of these names, in a module under ``module_prefix``."""
    return any(parent.__name__ in class_names and str(parent.__module__).startswith(module_prefix)
               for parent in type(value).__mro__)


def is_tf_dataset(dataset):
    """True for a ``tf.data.Dataset`` (checked without importing TensorFlow)."""
    return (_has_parent(dataset, ("DatasetV2", "Dataset"), "tensorflow.python.data")
            or _has_parent(dataset, ("DatasetV2", "Dataset"), "tensorflow.data"))


def is_torch_dataset(dataset):
    """True for a ``torch.utils.data.Dataset`` (checked without importing torch)."""
    return _has_parent(dataset, ("Dataset",), "torch.utils.data")


def split_dataset(dataset, left_size=None, right_size=None, shuffle=False, seed=None, preferred_backend=None):
    """Splits a dataset into a left part and a right part (e.g. train / test).

    Args:
        dataset: an array (N, ...), a list or tuple of arrays (N, ...) each, a
            ``tf.data.Dataset`` or a ``torch.utils.data.Dataset``.
        left_size: a float in (0, 1) (the fraction of the N samples on the
            left, rounded) or an int in (0, N) (that many samples); None: all
            that ``right_size`` leaves.
        right_size: the same for the right part.
        shuffle: shuffle the samples before cutting.
        seed: seed of that shuffle (drawn at random when None).
        preferred_backend: None (inferred from ``dataset``: arrays give
            arrays), ``"tensorflow"`` (``tf.data`` datasets) or ``"torch"``
            (``torch.utils.data.Subset``s).

    Returns:
        ``(left, right)``. For arrays: an array (L, ...) and an array (R, ...);
        for a list or tuple of K arrays: two tuples of K arrays.
    """
    # 1. What the dataset is, and where the result goes.
    kind = _kind(dataset)
    if preferred_backend is None:
        preferred_backend = {"tf": "tensorflow", "torch": "torch"}.get(kind, "numpy")
    if preferred_backend not in ("numpy", "jax", "tensorflow", "torch"):
        raise ValueError('split_dataset: `preferred_backend` must be None, "numpy", "jax", "tensorflow" or '
                         f'"torch". Received: preferred_backend={preferred_backend!r}')
    if right_size is None and left_size is None:
        raise ValueError("At least one of the `left_size` or `right_size` must be specified. "
                         "Received: left_size=None and right_size=None")
    if preferred_backend == "torch":
        return _split_with_torch(dataset, kind, left_size, right_size, shuffle, seed)
    # 2. One list of samples, shuffled as Keras shuffles it.
    samples = _to_list_of_samples(dataset, kind)
    if shuffle:
        seed = random.randint(0, int(1e6)) if seed is None else seed
        random.Random(seed).shuffle(samples)
    # 3. The first `left` samples, and the last `right`.
    left, right = rescale_split_sizes(left_size, right_size, len(samples))
    left_part = _restore(samples[:left], kind)
    right_part = _restore(samples[-right:], kind)
    if preferred_backend == "tensorflow":
        return _as_tf_datasets(left_part, right_part, dataset if kind == "tf" else None)
    return left_part, right_part


def _kind(dataset):
    """``"array"``, ``"list"``, ``"tuple"``, ``"tf"`` or ``"torch"``; TypeError for anything else."""
    if isinstance(dataset, np.ndarray):
        return "array"
    if isinstance(dataset, (list, tuple)):
        return type(dataset).__name__
    if is_tf_dataset(dataset):
        return "tf"
    if is_torch_dataset(dataset):
        return "torch"
    raise TypeError("split_dataset: the `dataset` argument must be a NumPy array, a list/tuple of NumPy arrays, "
                    f"a `tf.data.Dataset` or a `torch.utils.data.Dataset`. Received: dataset of type "
                    f"{type(dataset)}")


def _to_list_of_samples(dataset, kind):
    """The samples as a Python list: rows of an array, tuples of rows for a list/tuple of arrays."""
    # 1. A list or tuple of arrays: all arrays, all of the same length.
    if kind in ("list", "tuple"):
        if len(dataset) == 0:
            raise ValueError(f"Received an empty {kind} dataset. Please provide a non-empty {kind} of arrays "
                             "(the `dataset` argument of split_dataset).")
        for index, element in enumerate(dataset):
            if not isinstance(element, np.ndarray):
                raise ValueError(f"Expected a {kind} of `numpy.ndarray` objects (the `dataset` argument of "
                                 f"split_dataset). Received: {type(element)} at index {index}.")
            if element.shape[0] != dataset[0].shape[0]:
                raise ValueError(f"Received a {kind} of NumPy arrays with different lengths. Mismatch found at "
                                 f"index {index}, Expected shape={dataset[0].shape} Received "
                                 f"shape={element.shape}. Please provide a {kind} of NumPy arrays of the same "
                                 "length.")
        samples = list(zip(*dataset))
    # 2. A tf.data.Dataset: unbatched, as NumPy.
    elif kind == "tf":
        unbatched = dataset.unbatch() if hasattr(dataset, "_batch_size") else dataset
        samples = list(unbatched.as_numpy_iterator())
    else:
        samples = list(dataset)
    if not samples:
        raise ValueError("Received an empty dataset. Argument `dataset` must be a non-empty list/tuple of "
                         "`numpy.ndarray` objects or `tf.data.Dataset` objects.")
    # 3. Every array sample has the first one's shape.
    if isinstance(samples[0], np.ndarray):
        for index, sample in enumerate(samples[1:]):
            if np.shape(sample) != samples[0].shape:
                raise ValueError(f"All `dataset` samples must have same shape, Expected shape: "
                                 f"{samples[0].shape} Received shape: {np.shape(sample)} at index {index}.")
    return samples


def _restore(samples, kind):
    """A list of samples back to arrays: stacked rows, or a nest of stacked leaves."""
    if kind == "array":
        return np.array(samples)
    structure = samples[0]
    columns = zip(*[nest.flatten(sample) for sample in samples])
    restored = nest.pack_like(structure, [np.array(column) for column in columns])
    return _lists_to_tuples(restored)


def _lists_to_tuples(structure):
    """Keras turns lists into tuples (``tf.data`` refuses lists); so does minikeras, for the same answer."""
    if isinstance(structure, (list, tuple)):
        return tuple(_lists_to_tuples(item) for item in structure)
    if isinstance(structure, dict):
        return {key: _lists_to_tuples(value) for key, value in structure.items()}
    return structure


def rescale_split_sizes(left_size, right_size, total_length):
    """Turns ``left_size`` / ``right_size`` (ints, fractions or None) into two sample counts.

    Returns:
        ``(left, right)``: two positive ints with ``left + right <= total_length``.
    """
    # 1. Types: int, float or None.
    for name, size in (("left_size", left_size), ("right_size", right_size)):
        if size is not None and type(size) not in (int, float):
            raise TypeError(f"Invalid `{name}` Type. Expected: int or float or None, "
                            f"Received: type({name})={type(size)}.")
    if left_size == 0 and right_size == 0:
        raise ValueError("Both `left_size` and `right_size` are zero. At least one of the split sizes must be "
                         "non-zero.")
    # 2. Ranges: an int in (0, N), a float in (0, 1), fractions summing to at most 1.
    for name, size in (("left_size", left_size), ("right_size", right_size)):
        if (type(size) is int and not 0 < size < total_length) or (type(size) is float and not 0 < size < 1):
            raise ValueError(f"`{name}` should be either a positive integer smaller than {total_length}, or a "
                             f"float within the range `[0, 1]`. Received: {name}={size}")
    if type(left_size) is float and type(right_size) is float and left_size + right_size > 1:
        raise ValueError("The sum of `left_size` and `right_size` is greater than 1. It must be less than or "
                         "equal to 1.")
    # 3. Counts: fractions are rounded; None is the complement.
    left = round(left_size * total_length) if type(left_size) is float else left_size
    right = round(right_size * total_length) if type(right_size) is float else right_size
    left = total_length - right if left is None else left
    right = total_length - left if right is None else right
    if left + right > total_length:
        raise ValueError(f"The sum of `left_size` and `right_size` should be smaller than the {total_length}. "
                         f"Received: left_size + right_size = {left + right} and total_length = {total_length}")
    for count, side in ((left, "left"), (right, "right")):
        if count == 0:
            raise ValueError(f"With `dataset` of length={total_length}, `left_size`={left} and "
                             f"`right_size`={right}. Resulting {side} side dataset split will be empty. "
                             "Adjust any of the aforementioned parameters")
    return int(left), int(right)


def _as_tf_datasets(left_part, right_part, original):
    """Both parts as ``tf.data`` datasets, batched like ``original`` when it was batched."""
    import tensorflow as tf  # only reached with a tf.data input or preferred_backend="tensorflow"

    parts = [tf.data.Dataset.from_tensor_slices(part) for part in (left_part, right_part)]
    batch_size = getattr(original, "_batch_size", None)
    if batch_size is not None:
        parts = [part.batch(batch_size) for part in parts]
    return tuple(part.prefetch(tf.data.AUTOTUNE) for part in parts)


def _split_with_torch(dataset, kind, left_size, right_size, shuffle, seed):
    """Keras's torch path: wrap arrays in a ``TensorDataset``, then ``random_split``."""
    import torch
    from torch.utils.data import TensorDataset
    from torch.utils.data import random_split

    if kind == "array":
        dataset = TensorDataset(torch.from_numpy(dataset))
    elif kind in ("list", "tuple"):
        _to_list_of_samples(dataset, kind)  # the same checks as the other path
        dataset = TensorDataset(*[torch.from_numpy(array) for array in dataset])
    elif kind == "tf":
        columns = zip(*_to_list_of_samples(dataset, kind))
        dataset = TensorDataset(*[torch.from_numpy(np.array(column)) for column in columns])
    left, right = rescale_split_sizes(left_size, right_size, len(dataset))
    generator = None
    if shuffle:
        generator = torch.Generator()
        if seed is None:
            generator.seed()
        else:
            generator.manual_seed(seed)
    return tuple(random_split(dataset, [left, right], generator=generator))
