"""Helpers shared by every data adapter: batch tuples, nested structures,
class weights, the validation split.

Place in the stack: under the adapters, above ``array_conversion.py``.

A *batch* is a tuple ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``
(``minikeras/utils/batch_tuples.py`` packs and unpacks them); each of
``x``, ``y`` and ``sample_weight`` is an array or a *structure* of arrays: a
tuple, a list or a dict nesting arrays (a multi-input model takes a list or a
dict of arrays, keyed by its ``Input`` names). The structure helpers here
(``flatten``, ``structure_signature``; ``map_structure`` is ``minikeras/utils/nest.py``'s) walk such nests,
keeping ``None`` as it is. Read next: ``data_adapter.py``.
"""

import math

import numpy as np

from minikeras.backend import floatx
from minikeras.trainers.data_adapters import array_conversion
from minikeras.utils import nest
from minikeras.utils.batch_tuples import unpack_x_y_sample_weight


def standardize_batch(batch):
    """Any batch an adapter reads -> a tuple ``(x,)``, ``(x, y)`` or ``(x, y, sw)``.

    A bare ``x`` (an array or a dict of arrays) becomes ``(x,)``; a list of
    length 1 to 3 is read as a tuple, as Keras does.
    """
    x, y, sample_weight = unpack_x_y_sample_weight(batch)
    if sample_weight is not None:
        return (x, y, sample_weight)
    if y is not None:
        return (x, y)
    return (x,)


def numpy_batch(batch):
    """A batch read from any source -> a standardized tuple of NumPy leaves.

    Raises Keras's "Data is expected to be in format ..." error for a tuple
    of the wrong length, and a clear error for leaves that are not arrays.
    """
    batch = standardize_batch(batch)
    for leaf in flatten(batch):
        if leaf is not None and not array_conversion.is_array_leaf(leaf):
            raise ValueError(
                "Each batch must hold arrays (or nests of arrays): "
                f"found a leaf of type {type(leaf).__name__}: {str(leaf)[:100]}"
            )
    return nest.map_structure(array_conversion.to_batch_leaf, batch, none_is_leaf=False)


# -- nested structures ----------------------------------------------------------------------


def flatten(structure):
    """Returns the leaves of a nest as a flat list (None leaves included)."""
    if isinstance(structure, dict):
        return [leaf for key in structure for leaf in flatten(structure[key])]
    if isinstance(structure, (tuple, list)):
        return [leaf for value in structure for leaf in flatten(value)]
    return [structure]


def structure_signature(structure):
    """A hashable description of a nest: containers, dict keys and leaf ranks.

    Two batches of one dataset must have equal signatures (the batch size,
    the first axis, may differ). Used to catch generators whose batches
    change shape of structure midway.
    """
    if isinstance(structure, dict):
        return ("dict", tuple((key, structure_signature(value)) for key, value in structure.items()))
    if isinstance(structure, (tuple, list)):
        return (type(structure).__name__, tuple(structure_signature(value) for value in structure))
    if structure is None:
        return "None"
    return f"rank {np.ndim(structure)}"


def is_nested(structure):
    """True for a tuple, list or dict (a multi-input or multi-output nest)."""
    return isinstance(structure, (tuple, list, dict))


def is_array_like(x):
    """True if every leaf of the nest ``x`` is an array the array adapter can slice.

    Leaves may be None, NumPy arrays, torch / TensorFlow / JAX tensors, SciPy
    sparse matrices, pandas DataFrames or Series, or objects with
    ``__array__``. A plain list of numbers is not array-like (as in Keras).
    """
    return all(array_conversion.is_array_leaf(leaf) for leaf in flatten(x))


def num_samples_of(array):
    """The first-axis length of an array leaf (works for sparse and DataFrames)."""
    return int(array.shape[0])


# -- checks and weights ---------------------------------------------------------------------


def check_data_cardinality(data):
    """Raises Keras's error if the arrays of ``data`` disagree on the sample count.

    Args:
        data: the packed tuple ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``.
    """
    counts = {num_samples_of(leaf) for leaf in flatten(data) if leaf is not None}
    if len(counts) <= 1:
        return
    message = "Data cardinality is ambiguous. Make sure all arrays contain the same number of samples."
    for label, part in zip(["x", "y", "sample_weight"], data):
        sizes = ", ".join(str(num_samples_of(leaf)) for leaf in flatten(part) if leaf is not None)
        message += f"'{label}' sizes: {sizes}\n"
    raise ValueError(message)


def class_weight_to_sample_weights(y, class_weight):
    """Turns ``{class: weight}`` into one weight per sample of ``y``.

    Args:
        y: labels, shape (N,) or (N, 1) of class ids, or (N, K) one-hot (the
            class is the argmax), ints or floats.
        class_weight: dict mapping class id to weight; missing classes get 1.

    Returns:
        Sample weights, shape (N,), dtype ``floatx()``.
    """
    labels = np.asarray(array_conversion.to_numpy_leaf(y))
    if labels.ndim > 1:
        if labels.shape[-1] != 1:
            labels = np.argmax(labels, axis=-1)  # (N, K) one-hot -> (N,)
        else:
            labels = np.squeeze(labels, axis=-1)  # (N, 1) -> (N,)
    labels = np.round(labels).astype("int64")
    weights = np.ones(labels.shape[0], dtype=floatx())
    for index, label in enumerate(labels):
        weights[index] = class_weight.get(int(label), 1.0)
    return weights


def add_class_weight(batch, class_weight):
    """Appends the class-weight sample weights to a standardized ``(x, y)`` batch.

    Used by the adapters that read batch by batch (PyDataset, tf.data).
    """
    if class_weight is None:
        return batch
    if len(batch) == 3:
        raise ValueError("You cannot specify `class_weight` and `sample_weight` at the same time.")
    if len(batch) == 1:
        raise ValueError("`class_weight` needs targets, but the batches have no `y`.")
    if is_nested(batch[1]):
        raise ValueError("`class_weight` is only supported for Models with a single output.")
    return batch + (class_weight_to_sample_weights(batch[1], class_weight),)


# -- validation split -----------------------------------------------------------------------


def train_validation_split(arrays, validation_split):
    """Splits arrays into a training part and a validation part, in order.

    The *last* ``validation_split`` fraction becomes the validation data (cut
    before any shuffling, as in Keras): ``split_at = floor(N * (1 - split))``.

    Args:
        arrays: a nest of arrays with N samples each (e.g. ``(x, y, sw)``),
            None leaves allowed.
        validation_split: float in (0, 1).

    Returns:
        ``(train_arrays, validation_arrays)``, nests of NumPy arrays (pandas
        and tensors are converted) of ``split_at`` and ``N - split_at`` rows.
    """
    leaves = flatten(arrays)
    unsplitable = [type(leaf) for leaf in leaves if not array_conversion.is_array_leaf(leaf)]
    if unsplitable:
        raise ValueError(
            "Argument `validation_split` is only supported "
            "for tensors or NumPy arrays."
            f"Found incompatible type in the input: {unsplitable}"
        )
    if all(leaf is None for leaf in leaves):
        return arrays, arrays
    arrays = nest.map_structure(array_conversion.to_numpy_leaf, arrays, none_is_leaf=False)
    batch_dim = num_samples_of(next(leaf for leaf in flatten(arrays) if leaf is not None))
    split_at = int(math.floor(batch_dim * (1.0 - validation_split)))
    if split_at == 0 or split_at == batch_dim:
        raise ValueError(
            f"Training data contains {batch_dim} samples, which is not "
            "sufficient to split it into a validation and training set as "
            f"specified by `validation_split={validation_split}`. Either "
            "provide more data, or a different value for the "
            "`validation_split` argument."
        )
    train = nest.map_structure(lambda array: array[:split_at], arrays, none_is_leaf=False)
    validation = nest.map_structure(lambda array: array[split_at:], arrays, none_is_leaf=False)
    return train, validation
