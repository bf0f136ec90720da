"""The PyTorch ``DataLoader`` adapter.

Place in the stack: the ``DataAdapter`` for ``torch.utils.data.DataLoader``.
torch is never imported here: the loader is iterated like any Python
iterable, and each tensor of a batch becomes NumPy with ``tensor.numpy()``,
which shares memory with the tensor (no copy) when it lives on the CPU and
needs no gradient. float32 tensors therefore reach the model without a
single copy; int64 labels stay int64, exactly as from NumPy arrays.

The loader's own settings rule: its ``batch_size``, its ``shuffle``, its
``num_workers``. Each epoch iterates the loader again (so a shuffling loader
reshuffles). Read next: ``tf_dataset_adapter.py``.
"""

from minikeras.trainers.data_adapters import data_adapter_utils as utils
from minikeras.trainers.data_adapters.data_adapter import DataAdapter


class TorchDataLoaderAdapter(DataAdapter):
    """Batches from a ``torch.utils.data.DataLoader``.

    Args:
        dataloader: the loader. A ``TensorDataset`` of ``(x, y)`` gives
            batches ``[x (N, ...), y (N, ...)]``, read as ``(x, y)``.
    """

    def __init__(self, dataloader):
        self._dataloader = dataloader
        self._batch_size = getattr(dataloader, "batch_size", None)
        self._num_batches = None
        self._partial_batch_size = None
        if hasattr(dataloader.dataset, "__len__"):
            self._num_batches = len(dataloader)
            if self._num_batches == 0:
                raise ValueError("The torch DataLoader passed to the model is empty: it yields no batch.")
            if self._batch_size:
                self._partial_batch_size = len(dataloader.dataset) % self._batch_size

    def get_numpy_iterator(self):
        """One pass over the loader, each batch as a tuple of NumPy arrays."""
        for batch in self._dataloader:
            yield utils.numpy_batch(batch)

    @property
    def num_batches(self):
        return self._num_batches

    @property
    def batch_size(self):
        return self._batch_size

    @property
    def has_partial_batch(self):
        if self._partial_batch_size is None:
            return None
        return self._partial_batch_size > 0

    @property
    def partial_batch_size(self):
        return self._partial_batch_size or None
