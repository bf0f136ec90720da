"""``EpochIterator``: the batches of one epoch, for ``fit``, ``evaluate`` and ``predict``.

Place in the stack: the only data object the trainer
(``minikeras/trainers/trainer.py``) talks to. It picks a data adapter
(``minikeras/trainers/data_adapters/``) and decides what one epoch is:

* without ``steps_per_epoch``: one full pass over the source;
* with ``steps_per_epoch``: that many batches. The pass *carries over*
  epochs: with 10 batches of data and ``steps_per_epoch=4``, epoch 1 sees
  batches 0-3, epoch 2 batches 4-7, epoch 3 batches 8-9 (the pass ran out:
  Keras's "Your input ran out of data" warning), and epoch 4 starts a new pass.

A source that cannot be read twice (a Python generator) that runs out sets
``exhausted`` to True, after the warning: the trainer should finish the
current epoch (its logs, callbacks) and stop training. Typical use::

    iterator = EpochIterator(x, y, batch_size=32, shuffle=True)
    for epoch in range(epochs):
        for step, batch in iterator.enumerate_epoch():
            x, y, sample_weight = unpack_x_y_sample_weight(batch)
            ...
        if iterator.exhausted:
            break
    iterator.close()
"""

import warnings

from minikeras.backend import config
from minikeras.trainers import data_adapters

RAN_OUT_OF_DATA = (
    "Your input ran out of data; interrupting training. "
    "Make sure that your dataset or generator can generate "
    "at least `steps_per_epoch * epochs` batches. "
    "You may need to use the `.repeat()` "
    "function when building your dataset."
)


class EpochIterator:
    """Yields ``(step, batch)`` for one epoch at a time.

    Args:
        x, y, sample_weight, batch_size, shuffle, class_weight: passed to
            ``get_data_adapter`` (see there).
        steps_per_epoch: batches per epoch, or None for one pass of the source.

    Attributes:
        data_adapter: the adapter picked for ``x``.
        exhausted: True once a one-shot source (a generator) ran out: stop training.
    """

    def __init__(self, x, y=None, sample_weight=None, batch_size=None, steps_per_epoch=None,
                 shuffle=False, class_weight=None):
        # A debugging cap (config.set_max_steps_per_epoch) shortens every epoch, as in Keras.
        cap = config.max_steps_per_epoch()
        if cap and (not steps_per_epoch or cap < steps_per_epoch):
            warnings.warn(f"Limiting steps_per_epoch to {cap}")
            steps_per_epoch = cap
        if steps_per_epoch is not None and (int(steps_per_epoch) != steps_per_epoch or steps_per_epoch < 1):
            raise ValueError(f"`steps_per_epoch` must be a positive integer or None. Received: {steps_per_epoch}")
        self.steps_per_epoch = None if steps_per_epoch is None else int(steps_per_epoch)
        self.data_adapter = data_adapters.get_data_adapter(
            x, y=y, sample_weight=sample_weight, batch_size=batch_size,
            steps_per_epoch=steps_per_epoch, shuffle=shuffle, class_weight=class_weight)
        self._num_batches = self.data_adapter.num_batches
        self._iterator = None  # the current pass, kept across epochs with steps_per_epoch
        self._seen_in_pass = 0  # batches taken from the current pass
        self.exhausted = False

    @property
    def num_batches(self):
        """Steps per epoch: ``steps_per_epoch``, else the source's batch count
        (None while unknown; learned after a first full pass)."""
        if self.steps_per_epoch:
            return self.steps_per_epoch
        return self._num_batches

    def enumerate_epoch(self):
        """Yields ``(step, batch)`` for the batches of one epoch, step from 0.

        ``batch`` is a tuple ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``
        of NumPy arrays or nests of them. Calls the adapter's
        ``on_epoch_begin`` before and ``on_epoch_end`` after. An epoch may
        have no step at all when a generator was already used up (then
        ``exhausted`` is True).
        """
        self.data_adapter.on_epoch_begin()
        try:
            if self.steps_per_epoch is None:
                yield from self._one_full_pass()
            else:
                yield from self._fixed_steps()
        finally:
            if self.steps_per_epoch is None:
                self._close_pass()
            self.data_adapter.on_epoch_end()

    def _one_full_pass(self):
        """One epoch = one pass over the source, started afresh."""
        self._close_pass()
        self._iterator = iter(self.data_adapter.get_numpy_iterator())
        step = -1
        for step, batch in enumerate(self._iterator):
            yield step, batch
        if step == -1:  # nothing at all: a generator already read to its end
            self._ran_out()
        elif self._num_batches is None and self.data_adapter.restartable:
            self._num_batches = step + 1

    def _fixed_steps(self):
        """One epoch = ``steps_per_epoch`` batches, continuing the current pass."""
        for step in range(self.steps_per_epoch):
            if self._iterator is None:
                if self.exhausted:
                    return
                self._iterator = iter(self.data_adapter.get_numpy_iterator())
                self._seen_in_pass = 0
            batch = next(self._iterator, None)
            if batch is None:
                self._iterator = None  # the next epoch starts a new pass
                self._ran_out()
                return
            self._seen_in_pass += 1
            yield step, batch
        # A pass that ended exactly with this epoch restarts quietly next epoch.
        if self._num_batches is not None and self._seen_in_pass >= self._num_batches:
            self._close_pass()

    def _ran_out(self):
        """Keras's warning; a one-shot source cannot start again: stop training."""
        warnings.warn(RAN_OUT_OF_DATA, stacklevel=3)
        if not self.data_adapter.restartable:
            self.exhausted = True

    def _close_pass(self):
        """Closes the pass in progress (stopping PyDataset workers)."""
        if self._iterator is not None and hasattr(self._iterator, "close"):
            self._iterator.close()
        self._iterator = None

    def reset(self):
        """Forgets the pass in progress: the next epoch starts from the first batch."""
        self._close_pass()
        self._num_batches = self.data_adapter.num_batches

    def close(self):
        """Releases the source (stops PyDataset workers). Call after training."""
        self._close_pass()
