"""``PyDataset``: a dataset written in Python, one batch per index.

Place in the stack: a user-facing base class (``keras.utils.PyDataset``,
formerly ``Sequence``). Subclass it, implement ``__len__`` (the number of
*batches*) and ``__getitem__(index)`` (one whole batch: ``x``, ``(x,)``,
``(x, y)`` or ``(x, y, sample_weight)``), and pass an instance to ``fit``.
The trainer reads it through
``minikeras/trainers/data_adapters/py_dataset_adapter.py``, which can load
batches in parallel: ``workers`` threads, or processes when
``use_multiprocessing=True``, with at most ``max_queue_size`` batches
prepared ahead, always delivered in index order.

Because batches are asked for by index, each sample is seen exactly once per
epoch even with many workers, which a shared generator cannot promise.

Example::

    class Batches(keras.utils.PyDataset):
        def __init__(self, x, y, batch_size, **kwargs):
            super().__init__(**kwargs)   # workers=..., use_multiprocessing=...
            self.x, self.y, self.batch_size = x, y, batch_size

        def __len__(self):
            return math.ceil(len(self.x) / self.batch_size)

        def __getitem__(self, index):
            rows = slice(index * self.batch_size, (index + 1) * self.batch_size)
            return self.x[rows], self.y[rows]
"""

import itertools
import warnings


class PyDataset:
    """Base class of datasets that produce batches by index.

    Args:
        workers: how many threads (or processes) prepare batches in parallel.
            1 reads batches one by one in the training thread.
        use_multiprocessing: use processes instead of threads (the dataset
            is copied into each worker process: it must not hold open files
            or locks). Gains compute parallelism for Python-heavy loading.
        max_queue_size: at most this many batches are prepared ahead.
    """

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self._workers = workers
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max_queue_size

    def _warn_if_super_not_called(self):
        """Fills the defaults (and warns) when a subclass skipped ``super().__init__``."""
        warn = False
        for name, default in (("_workers", 1), ("_use_multiprocessing", False), ("_max_queue_size", 10)):
            if not hasattr(self, name):
                setattr(self, name, default)
                warn = True
        if warn:
            warnings.warn(
                "Your `PyDataset` class should call "
                "`super().__init__(**kwargs)` in its constructor. "
                "`**kwargs` can include `workers`, "
                "`use_multiprocessing`, `max_queue_size`. Do not pass "
                "these arguments to `fit()`, as they will be ignored.",
                stacklevel=3,
            )

    @property
    def workers(self):
        self._warn_if_super_not_called()
        return self._workers

    @workers.setter
    def workers(self, value):
        self._workers = value

    @property
    def use_multiprocessing(self):
        self._warn_if_super_not_called()
        return self._use_multiprocessing

    @use_multiprocessing.setter
    def use_multiprocessing(self, value):
        self._use_multiprocessing = value

    @property
    def max_queue_size(self):
        self._warn_if_super_not_called()
        return self._max_queue_size

    @max_queue_size.setter
    def max_queue_size(self, value):
        self._max_queue_size = value

    def __getitem__(self, index):
        """Returns the batch at position ``index`` (0 to ``num_batches - 1``)."""
        raise NotImplementedError  # abstract: subclasses return their batch

    @property
    def num_batches(self):
        """Number of batches, from ``__len__``; None means an infinite dataset.

        Override this property (instead of ``__len__``) to return None.
        """
        if hasattr(self, "__len__"):
            return len(self)
        raise NotImplementedError(  # abstract: a subclass without __len__ must define num_batches
            "You need to implement the `num_batches` property:\n\n"
            "@property\ndef num_batches(self):\n  return ..."
        )

    def __iter__(self):
        """Iterates over the batches in order (no parallelism), forever if infinite."""
        num_batches = self.num_batches
        indices = itertools.count() if num_batches is None else range(num_batches)
        for index in indices:
            yield self[index]

    def on_epoch_begin(self):
        """Called at the start of every epoch (override to reshuffle, etc.)."""

    def on_epoch_end(self):
        """Called at the end of every epoch."""
