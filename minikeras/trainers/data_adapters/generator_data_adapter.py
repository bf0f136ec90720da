"""The generator adapter: Python generators and re-iterable iterables of batches.

Place in the stack: a ``DataAdapter`` for sources that hand over ready-made
batches one at a time. Two kinds of source come here:

* a **generator** (or any one-shot iterator): it can be read only once, so it
  is not ``restartable``; use ``steps_per_epoch`` to spread it over several
  epochs. When it runs dry, the epoch iterator warns and training stops.
* a **re-iterable iterable**: a list of ``(x, y)`` tuples, or an object of a
  class with ``__iter__``. Keras 3 accepts only generators; minikeras also
  takes these, and calls ``iter()`` again at the start of each epoch, so each
  epoch sees all the batches.

Each batch may be ``x``, ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``.
The first batch is read ahead ("peeked") to check the source early; every
later batch must have the same structure (same tuple length, dict keys and
array ranks). Read next: ``py_dataset_adapter.py``.
"""

from minikeras.trainers.data_adapters import data_adapter_utils as utils
from minikeras.trainers.data_adapters.data_adapter import DataAdapter


def is_one_shot_iterator(source):
    """True for a generator or iterator (``iter(source) is source``): one pass only."""
    return iter(source) is source


class GeneratorDataAdapter(DataAdapter):
    """Batches from a generator or an iterable of batches.

    Args:
        source: a generator (one pass) or an iterable (one pass per epoch),
            yielding ``x``, ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``.
    """

    def __init__(self, source):
        self._source = source
        self.restartable = not is_one_shot_iterator(source)
        self._kind = "iterable" if self.restartable else "generator"
        # 1. Peek at the first batch: an empty source is an error now, not later.
        iterator = iter(source)
        first = next(iterator, None)
        if first is None:
            raise ValueError(
                f"When passing a Python {self._kind} to a Keras model, the {self._kind} must "
                f"yield at least one batch. Received an empty {self._kind}."
            )
        # 2. Check its form; later batches must match its structure.
        first = utils.numpy_batch(first)
        self._signature = utils.structure_signature(first)
        self._first_batch = first if not self.restartable else None
        self._pending_iterator = iterator if not self.restartable else None

    def get_numpy_iterator(self):
        """A pass over the source (the whole rest of a generator), as NumPy batches."""
        if self.restartable:
            return self._checked_batches(iter(self._source), first=None)
        # A generator resumes where it stopped; the peeked batch comes out once.
        first, self._first_batch = self._first_batch, None
        return self._checked_batches(self._pending_iterator, first=first)

    def _checked_batches(self, iterator, first):
        if first is not None:
            yield first
        for position, batch in enumerate(iterator, start=1 if first is not None else 0):
            batch = utils.numpy_batch(batch)
            signature = utils.structure_signature(batch)
            if signature != self._signature:
                raise ValueError(
                    f"The Python {self._kind} passed to the model yielded batches of different "
                    f"structures: the first batch has structure {self._signature}, but batch "
                    f"{position} has structure {signature}. Every batch must have the same "
                    "form: `(x,)`, `(x, y)` or `(x, y, sample_weight)` with the same nesting and ranks."
                )
            yield batch

    @property
    def num_batches(self):
        if self.restartable and hasattr(self._source, "__len__"):
            return len(self._source)
        return None
