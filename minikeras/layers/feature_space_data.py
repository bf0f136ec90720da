"""What ``FeatureSpace`` accepts as data: dicts of columns, ``tf.data`` datasets, and TensorFlow graphs.

Place in the stack: beside ``feature_space.py`` (read that first), which
keeps the encoding logic; this file only turns the user's data into NumPy
columns of shape (N, 1) -- one row per example, one value per row -- the
shape every preprocessing layer of a FeatureSpace is built for.

Three sources, the ones Keras's examples use:

* a dict ``{name: column}`` of lists, NumPy arrays, pandas Series or
  tensors, (N,) or (N, 1), or of scalars (one row);
* a ``tf.data.Dataset`` yielding such dicts, batched or not (read with
  ``as_numpy_iterator``, strings arriving as ``bytes`` are decoded);
* symbolic TensorFlow tensors, when the FeatureSpace is called inside
  ``dataset.map(lambda x, y: (feature_space(x), y))``: the NumPy
  computation is wrapped in ``tf.numpy_function`` with the output dtypes
  and shapes of ``get_encoded_features()``.

TensorFlow is never imported here unless the data already holds its objects.
"""

import numpy as np


def _is_tf_object(value, class_names):
    return any(parent.__name__ in class_names and str(parent.__module__).startswith("tensorflow")
               for parent in type(value).__mro__)


def is_tf_dataset(value):
    """True for a ``tf.data.Dataset`` (checked without importing TensorFlow)."""
    return _is_tf_object(value, ("DatasetV2", "Dataset"))


def holds_symbolic_tf_tensors(data):
    """True when a value is a graph-mode TensorFlow tensor (inside ``tf.data`` map or ``tf.function``)."""
    return any(_is_tf_object(value, ("Tensor", "SymbolicTensor")) and not hasattr(value, "numpy")
               for value in data.values())


def to_numpy(value):
    """A column (list, scalar, NumPy, pandas, minikeras/TensorFlow/torch tensor) as a NumPy array, bytes decoded."""
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        value = value.numpy()  # an eager TensorFlow or torch tensor, a minikeras Tensor
    array = np.asarray(value)
    if array.dtype == object or array.dtype.kind == "S":
        array = np.vectorize(lambda item: item.decode("utf-8") if isinstance(item, bytes) else item,
                             otypes=[object])(array) if array.size else array.astype(object)
        array = array.astype(str)
    return array


def as_rows(array):
    """(N,) -> (N, 1); other ranks unchanged."""
    return array[:, None] if array.ndim == 1 else array


def as_columns(data, features):
    """The dict given to ``FeatureSpace.__call__`` as (N, 1) NumPy columns.

    Args:
        data: ``{name: column or scalar}``.
        features: the FeatureSpace's ``{name: Feature}`` (float columns become float32).

    Returns:
        ``(columns, rebatched)``; ``rebatched`` is True when scalars were given
        (one row, whose batch axis the caller removes again).
    """
    columns, rebatched = {}, False
    for name, value in data.items():
        array = to_numpy(value)
        if array.ndim == 0:
            array, rebatched = array.reshape(1, 1), True  # () -> (1, 1)
        array = as_rows(array)
        if name in features and features[name].dtype == "float32" and array.dtype.kind in "biuf":
            array = array.astype("float32")
        columns[name] = array
    return columns, rebatched


def columns_of(dataset, names):
    """The columns ``names`` of a dict or ``tf.data.Dataset``, each a NumPy array (N, 1), for ``adapt``."""
    if isinstance(dataset, dict):
        missing = [name for name in names if name not in dataset]
        if missing:
            raise ValueError(f"FeatureSpace.adapt(): the data has no column {missing}. Received columns: "
                             f"{sorted(dataset)}")
        return {name: as_rows(to_numpy(dataset[name])) for name in names}
    if not is_tf_dataset(dataset):
        raise ValueError("`adapt()` can only be called on a tf.data.Dataset or a dict of arrays/lists. Received "
                         f"instead: {dataset} (of type {type(dataset)})")
    parts = {name: [] for name in names}
    for element in dataset.as_numpy_iterator():
        if not isinstance(element, dict):
            raise ValueError("FeatureSpace.adapt(): the dataset must yield dicts of columns (drop the labels "
                             f"with `dataset.map(lambda x, y: x)`). Received an element of type {type(element)}")
        for name in names:
            parts[name].append(np.atleast_1d(to_numpy(element[name])))  # a scalar (unbatched) -> (1,)
    return {name: as_rows(np.concatenate(chunks)) for name, chunks in parts.items()}


def call_in_tf_graph(feature_space, data):
    """``feature_space(data)`` on symbolic TensorFlow tensors, through ``tf.numpy_function``."""
    import tensorflow as tf  # the data holds TensorFlow tensors: TensorFlow is already imported

    names = sorted(data)
    encoded = feature_space.get_encoded_features()
    out_names = sorted(encoded) if isinstance(encoded, dict) else None
    specs = [encoded[name] for name in out_names] if out_names else [encoded]
    one_row = all(data[name].shape.rank == 0 for name in names)

    def run(*arrays):
        result = feature_space.compute_encoded_numpy(dict(zip(names, arrays)))
        results = [result[name] for name in out_names] if out_names else [result]
        return [np.asarray(value, dtype=spec.dtype) for value, spec in zip(results, specs)]

    outputs = tf.numpy_function(run, [data[name] for name in names], Tout=[tf.as_dtype(spec.dtype) for spec in specs],
                                stateful=False)
    for output, spec in zip(outputs, specs):
        output.set_shape(tuple(spec.shape)[1:] if one_row else tuple(spec.shape))
    return dict(zip(out_names, outputs)) if out_names else outputs[0]
