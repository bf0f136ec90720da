"""The ``DataAdapter`` interface: the one thing the trainer knows about data.

Place in the stack: the seam between data sources and
``minikeras.trainers.epoch_iterator`` (which the trainer uses). Each source
(NumPy arrays, pandas, generators and iterables, ``PyDataset``, a torch
``DataLoader``, a ``tf.data.Dataset``) has one small subclass in this folder
that turns it into batches of NumPy arrays. The trainer never asks where the
batches come from.

A batch is always a tuple ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``
whose leaves are NumPy arrays: float features in ``floatx()``, integer labels
in their own integer dtype, strings as ``str``. Read next:
``array_data_adapter.py`` (the simplest adapter), then ``__init__.py``
(``get_data_adapter``, which picks one).
"""


class DataAdapter:
    """Base class of the data adapters.

    Subclasses implement ``get_numpy_iterator`` and ``num_batches``; the rest
    has sensible defaults for sources that do not know their batch size.
    """

    #: False for a source that can be read only once (a Python generator):
    #: the epoch iterator then stops training when it runs dry.
    restartable = True

    def get_numpy_iterator(self):
        """Returns an iterator over one pass of batches.

        Each call starts a new pass (for restartable sources). Each batch is a
        tuple ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)`` of NumPy arrays
        (or nests of them), first axis N (the batch size).
        """
        raise NotImplementedError  # abstract: each adapter reads its own source

    @property
    def num_batches(self):
        """Batches in one pass (int), or None if unknown or infinite."""
        raise NotImplementedError  # abstract: each adapter knows its own length

    @property
    def batch_size(self):
        """Samples per batch (int), or None if the source decides."""
        return None

    @property
    def has_partial_batch(self):
        """True if the last batch of a pass is smaller; None if unknown."""
        return None

    @property
    def partial_batch_size(self):
        """Samples in the last, smaller batch (int), or None."""
        return None

    def on_epoch_begin(self):
        """Called by the epoch iterator before each epoch."""

    def on_epoch_end(self):
        """Called by the epoch iterator after each epoch."""
