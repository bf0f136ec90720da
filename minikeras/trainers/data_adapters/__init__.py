"""``minikeras.trainers.data_adapters``: every data source behind one interface.

Place in the stack: between the user's data and the trainer. ``fit``,
``evaluate`` and ``predict`` build an ``EpochIterator``
(``minikeras/trainers/epoch_iterator.py``), which calls ``get_data_adapter``
below to pick the adapter for ``x``. Each adapter turns its source into
batches of NumPy arrays; the trainer knows nothing else about the data.

Files, in reading order:

* ``data_adapter.py``: the ``DataAdapter`` interface;
* ``array_conversion.py``: recognising torch / tf / pandas objects without
  importing those libraries, and converting batch leaves to NumPy;
* ``data_adapter_utils.py``: batch tuples, nests, class weights, the split;
* ``array_data_adapter.py``: NumPy arrays, pandas, tensors;
* ``generator_data_adapter.py``: generators and iterables of batches;
* ``py_dataset_adapter.py`` and ``ordered_enqueuer.py``: ``PyDataset`` with
  parallel workers;
* ``torch_data_loader_adapter.py`` and ``tf_dataset_adapter.py``.
"""

import warnings

from minikeras.trainers.data_adapters import array_conversion
from minikeras.trainers.data_adapters import data_adapter_utils
from minikeras.trainers.data_adapters.array_data_adapter import ArrayDataAdapter
from minikeras.trainers.data_adapters.data_adapter import DataAdapter
from minikeras.trainers.data_adapters.generator_data_adapter import GeneratorDataAdapter
from minikeras.trainers.data_adapters.py_dataset_adapter import PyDatasetAdapter
from minikeras.trainers.data_adapters.tf_dataset_adapter import TFDatasetAdapter
from minikeras.trainers.data_adapters.torch_data_loader_adapter import TorchDataLoaderAdapter
from minikeras.utils.py_dataset import PyDataset


def get_data_adapter(x, y=None, sample_weight=None, batch_size=None, steps_per_epoch=None,
                     shuffle=False, class_weight=None):
    """Picks the adapter for ``x``, in Keras's order, and checks the arguments.

    The order: a ``DataAdapter`` itself, then arrays (NumPy, pandas, tensors,
    nests of them), ``tf.data.Dataset``, ``PyDataset``, torch ``DataLoader``,
    Python generator, and (a minikeras extension) any other iterable of
    batches: a list of ``(x, y)`` tuples or an object with ``__iter__``.

    Args:
        x: the data source.
        y, sample_weight: arrays, only when ``x`` holds arrays.
        batch_size: for arrays (default 32); dataset-like sources batch themselves.
        steps_per_epoch: for arrays, sets the default batch size.
        shuffle: False, True or ``"batch"``; ignored (with a warning) by
            sources that shuffle themselves.
        class_weight: ``{class_id: weight}``; not for generators or DataLoaders.

    Returns:
        A ``DataAdapter``.
    """
    # 1. An adapter passed in is used as it is.
    if isinstance(x, DataAdapter):
        return x
    # 2. In-memory arrays (a list of (x, y) tuples is batches, not a nest).
    if _is_list_of_batches(x) and y is None and sample_weight is None:
        return _iterable_adapter(x, class_weight, shuffle, "iterable")
    if data_adapter_utils.is_array_like((x, y, sample_weight)):
        return ArrayDataAdapter(x, y, sample_weight=sample_weight, class_weight=class_weight,
                                shuffle=shuffle, batch_size=batch_size, steps=steps_per_epoch)
    # 3. Dataset-like sources: they bring their own targets and batching.
    if array_conversion.is_tf_dataset(x):
        return _tf_dataset_adapter(x, y, sample_weight, shuffle, class_weight)
    if isinstance(x, PyDataset):
        return _py_dataset_adapter(x, y, sample_weight, shuffle, class_weight)
    if array_conversion.is_torch_dataloader(x):
        return _torch_dataloader_adapter(x, y, sample_weight, shuffle, class_weight)
    if _is_iterable_source(x):
        kind = "generator" if iter(x) is x else "iterable"
        return _iterable_adapter(x, class_weight, shuffle, kind, y, sample_weight)
    raise ValueError(f"Unrecognized data type: x={x} (of type {type(x)})")


def _tf_dataset_adapter(x, y, sample_weight, shuffle, class_weight):
    _refuse_targets(y, sample_weight, "tf.data.Dataset")
    _warn_shuffle_ignored(shuffle, "a tf.data.Dataset. The Dataset is expected to already be shuffled "
                                   "(via `.shuffle(buffer_size)`).")
    return TFDatasetAdapter(x, class_weight=class_weight)


def _py_dataset_adapter(x, y, sample_weight, shuffle, class_weight):
    _refuse_targets(y, sample_weight, "PyDataset")
    if x.num_batches is None:  # an infinite PyDataset cannot be permuted
        _warn_shuffle_ignored(shuffle, "an infinite PyDataset. The PyDataset is expected to already be shuffled.")
        shuffle = False
    return PyDatasetAdapter(x, class_weight=class_weight, shuffle=shuffle)


def _torch_dataloader_adapter(x, y, sample_weight, shuffle, class_weight):
    _refuse_targets(y, sample_weight, "torch DataLoader")
    if class_weight is not None:
        raise ValueError(
            "Argument `class_weight` is not supported for torch DataLoader inputs. You can "
            "modify your `__getitem__ ` method to return input tensor, label and class_weight. "
            f"Alternatively, use a custom training loop. Received: class_weight={class_weight}")
    _warn_shuffle_ignored(shuffle, "a torch DataLoader. The DataLoader is expected to already be shuffled.")
    return TorchDataLoaderAdapter(x)


def _iterable_adapter(x, class_weight, shuffle, kind, y=None, sample_weight=None):
    """Checks the arguments a generator or iterable cannot take, then adapts it."""
    _refuse_targets(y, sample_weight, kind)
    if class_weight is not None:
        raise ValueError(
            f"Argument `class_weight` is not supported for Python {kind} inputs. "
            f"Received: class_weight={class_weight}")
    _warn_shuffle_ignored(shuffle, f"a {kind}. The {kind} is expected to yield already-shuffled data.")
    return GeneratorDataAdapter(x)


def _refuse_targets(y, sample_weight, input_type):
    """Keras's error when ``y`` or ``sample_weight`` come beside a dataset-like ``x``."""
    for value, name, description in ((y, "y", "the targets"), (sample_weight, "sample_weights", "the sample weights")):
        if value is not None:
            raise ValueError(
                f"When providing `x` as a {input_type}, `{name}` should not be passed. Instead, "
                f"{description} should be included as part of the {input_type}.")


def _warn_shuffle_ignored(shuffle, what):
    """Keras's warning: sources that batch themselves also shuffle themselves."""
    if shuffle:
        warnings.warn(f"`shuffle=True` was passed, but will be ignored since the data `x` was provided as {what}",
                      stacklevel=4)


def _is_list_of_batches(x):
    """A list whose items are all tuples: read as batches ``(x, y)``, not as a nest."""
    return isinstance(x, list) and len(x) > 0 and all(isinstance(item, tuple) for item in x)


def _is_iterable_source(x):
    """A generator, iterator or re-iterable object (not a string, dict or array)."""
    if isinstance(x, (str, bytes, dict, tuple)) or array_conversion.is_array_leaf(x):
        return False
    if isinstance(x, list):
        return _is_list_of_batches(x)
    return hasattr(x, "__iter__")
