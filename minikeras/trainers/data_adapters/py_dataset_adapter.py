"""The ``PyDataset`` adapter: batches by index, optionally from parallel workers.

Place in the stack: the ``DataAdapter`` for ``minikeras.utils.PyDataset``
(read ``minikeras/utils/py_dataset.py`` first). One pass asks for
``dataset[0]``, ``dataset[1]``, ... (a random permutation of the indices when
``shuffle=True``). With ``workers > 1``, or ``use_multiprocessing=True``, the
batches are loaded by ``ordered_enqueuer.ordered_batches``: a thread or
process pool that prepares up to ``max_queue_size`` batches ahead and hands
them over in order. An infinite dataset (``num_batches`` None) is read until
``steps_per_epoch`` says stop.

The dataset's ``on_epoch_begin`` / ``on_epoch_end`` run around every epoch.
Read next: ``torch_data_loader_adapter.py``.
"""

import itertools
import random

from minikeras.trainers.data_adapters import data_adapter_utils as utils
from minikeras.trainers.data_adapters.data_adapter import DataAdapter
from minikeras.trainers.data_adapters.ordered_enqueuer import ordered_batches


class PyDatasetAdapter(DataAdapter):
    """Batches from a ``PyDataset``.

    Args:
        dataset: a ``PyDataset``.
        class_weight: ``{class_id: weight}``, turned into sample weights per batch.
        shuffle: if true, each pass visits the batch indices in a new random order.
    """

    def __init__(self, dataset, class_weight=None, shuffle=False):
        self.py_dataset = dataset
        self.class_weight = class_weight
        self.shuffle = bool(shuffle)
        self.workers = dataset.workers
        self.use_multiprocessing = dataset.use_multiprocessing
        self.max_queue_size = dataset.max_queue_size
        if self.workers < 1:
            raise ValueError(f"`workers` of a PyDataset must be at least 1. Received: workers={self.workers}")
        if self.py_dataset.num_batches == 0:
            raise ValueError("The PyDataset has length 0: it must hold at least one batch.")

    def _indices(self):
        """The batch indices of one pass, in order or shuffled (infinite: 0, 1, 2, ...)."""
        num_batches = self.py_dataset.num_batches
        if num_batches is None:
            return itertools.count()
        indices = list(range(num_batches))
        if self.shuffle:
            random.shuffle(indices)
        return indices

    def _raw_batches(self):
        """One pass of batches as ``__getitem__`` returns them."""
        if self.workers > 1 or self.use_multiprocessing:
            return ordered_batches(self.py_dataset, self._indices(), self.workers,
                                   self.use_multiprocessing, self.max_queue_size)
        return (self.py_dataset[index] for index in self._indices())

    def get_numpy_iterator(self):
        """One pass: standardized NumPy batches (with class weights if given)."""
        raw = self._raw_batches()
        try:
            for batch in raw:
                batch = utils.numpy_batch(batch)
                yield utils.add_class_weight(batch, self.class_weight)
        finally:
            raw.close()  # stops the workers now, even if the pass is abandoned

    def on_epoch_begin(self):
        self.py_dataset.on_epoch_begin()

    def on_epoch_end(self):
        self.py_dataset.on_epoch_end()

    @property
    def num_batches(self):
        return self.py_dataset.num_batches
