"""The array adapter: NumPy arrays (and pandas, tensors) cut into batches.

Place in the stack: the simplest ``DataAdapter``; ``fit(x, y)`` with arrays
comes here through ``get_data_adapter``. It owns ``batch_size`` (32 by
default), ``shuffle`` (``True``: a new permutation of the samples each epoch;
``"batch"``: shuffle only inside batch-sized chunks, which keeps reads from
large on-disk arrays such as HDF5 local), ``sample_weight`` and
``class_weight``. The last batch may be smaller (kept, as in Keras).

``x``, ``y`` and ``sample_weight`` may be nests (lists, tuples, dicts) of
arrays for multi-input and multi-output models. Everything is converted to
NumPy once, here (pandas to NumPy, torch tensors without a copy), and each
batch is cast to ``floatx()`` as it is cut, so a float64 dataset is never
copied whole. Read next: ``generator_data_adapter.py``.
"""

import math

import numpy as np

from minikeras.trainers.data_adapters import array_conversion
from minikeras.trainers.data_adapters import data_adapter_utils as utils
from minikeras.trainers.data_adapters.data_adapter import DataAdapter
from minikeras.utils import nest
from minikeras.utils.batch_tuples import pack_x_y_sample_weight


class ArrayDataAdapter(DataAdapter):
    """Batches from in-memory arrays.

    Args:
        x: array (N, ...) or nest of arrays (each with N rows).
        y: None, array (N, ...) or nest of arrays.
        sample_weight: None, array (N,) or one per output of ``y``.
        batch_size: samples per batch; default 32, or ``ceil(N / steps)``
            when ``steps`` is given.
        steps: the ``steps_per_epoch`` of ``fit``, used only for the default
            batch size.
        shuffle: False, True or ``"batch"``.
        class_weight: ``{class_id: weight}`` for a single-output model.
    """

    def __init__(self, x, y=None, sample_weight=None, batch_size=None, steps=None,
                 shuffle=False, class_weight=None):
        if not utils.is_array_like((x, y, sample_weight)):
            raise ValueError(f"Expected all elements of `x` to be array-like. Received invalid types: x={x}")
        # 1. Everything becomes NumPy once (pandas columns are checked here).
        x, y, sample_weight = nest.map_structure(array_conversion.to_numpy_leaf, (x, y, sample_weight), none_is_leaf=False)
        for leaf in utils.flatten((x, y, sample_weight)):
            if leaf is not None and np.ndim(leaf) == 0:
                raise ValueError(f"Each array passed to a model needs a first (sample) axis; received a scalar: {leaf!r}")
        # 2. Weights: one array per output, or derived from class_weight.
        sample_weight = _standardize_sample_weight(y, sample_weight, class_weight)
        self._inputs = pack_x_y_sample_weight(x, y, sample_weight)
        if not isinstance(self._inputs, tuple):
            self._inputs = (self._inputs,)
        # 3. Count samples and batches.
        utils.check_data_cardinality(self._inputs)
        counts = [utils.num_samples_of(leaf) for leaf in utils.flatten(self._inputs) if leaf is not None]
        if not counts or counts[0] == 0:
            raise ValueError("Expected at least one sample in `x`, but the arrays passed to the model are empty.")
        self._num_samples = counts[0]
        if not batch_size:
            batch_size = int(math.ceil(self._num_samples / steps)) if steps else 32
        if int(batch_size) != batch_size or batch_size < 1:
            raise ValueError(f"`batch_size` must be a positive integer. Received: batch_size={batch_size}")
        self._batch_size = int(batch_size)
        self._size = int(math.ceil(self._num_samples / self._batch_size))
        self._partial_batch_size = self._num_samples % self._batch_size
        if shuffle not in (True, False, "batch"):
            raise ValueError(f'`shuffle` must be True, False or "batch". Received: shuffle={shuffle!r}')
        self._shuffle = shuffle

    def get_numpy_iterator(self):
        """One pass over the data: a generator of batch tuples.

        Each batch holds ``batch_size`` rows of every array (fewer in the
        last), cut in order, in a fresh random order, or shuffled within its
        chunk, depending on ``shuffle``.
        """
        permutation = None
        if self._shuffle is True:
            permutation = np.random.permutation(self._num_samples)
        for index in range(self._size):
            start = index * self._batch_size
            stop = min(start + self._batch_size, self._num_samples)
            if self._shuffle == "batch":
                rows = np.random.permutation(stop - start) + start
            elif permutation is not None:
                rows = permutation[start:stop]
            else:
                rows = slice(start, stop)  # a view: no copy when nothing is cast
            yield nest.map_structure(lambda array: _take_rows(array, rows), self._inputs, none_is_leaf=False)

    @property
    def num_batches(self):
        return self._size

    @property
    def batch_size(self):
        return self._batch_size

    @property
    def has_partial_batch(self):
        return self._partial_batch_size > 0

    @property
    def partial_batch_size(self):
        return self._partial_batch_size or None


def _take_rows(array, rows):
    """Rows of one array (a slice or an index array), dense and in floatx."""
    batch = array[rows]
    if array_conversion.is_scipy_sparse(batch):
        batch = batch.toarray()  # (rows, features) sparse -> dense
    return array_conversion.cast_leaf(batch)


def _standardize_sample_weight(y, sample_weight, class_weight):
    """Checks ``sample_weight`` / ``class_weight`` and returns the weights to use.

    A single (N,) weight array for a multi-output ``y`` is repeated for every
    output; ``class_weight`` becomes (N,) weights (single output only).
    """
    if sample_weight is not None and class_weight is not None:
        raise ValueError("You cannot `class_weight` and `sample_weight` at the same time.")
    if class_weight is not None:
        if y is None:
            raise ValueError("`class_weight` needs targets `y`, but `y` is None.")
        if utils.is_nested(y):
            raise ValueError("`class_weight` is only supported for Models with a single output.")
        return utils.class_weight_to_sample_weights(y, class_weight)
    if sample_weight is None or not utils.is_nested(y):
        return sample_weight
    if utils.is_nested(sample_weight):
        if utils.structure_signature(nest.map_structure(lambda leaf: 0, y, none_is_leaf=False)) != utils.structure_signature(
            nest.map_structure(lambda leaf: 0, sample_weight, none_is_leaf=False)
        ):
            raise ValueError(
                "You should provide one `sample_weight` array per output in `y`. "
                f"The two structures did not match:\n- y: {y}\n- sample_weight: {sample_weight}\n"
            )
        return sample_weight
    if not (sample_weight.ndim == 1 or (sample_weight.ndim == 2 and sample_weight.shape[1] == 1)):
        raise ValueError(
            "For a model with multiple outputs, when providing a single `sample_weight` array, "
            "it should only have one scalar score per sample (i.e. shape `(num_samples,)`). "
            "If you want to use non-scalar sample weights, pass a `sample_weight` argument "
            "with one array per model output."
        )
    return nest.map_structure(lambda leaf: sample_weight, y, none_is_leaf=False)
