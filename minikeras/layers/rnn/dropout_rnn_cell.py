"""``DropoutRNNCell``: one dropout mask per sequence, not one per step.

Place in the stack: a small mix-in of the built-in cells (``simple_rnn.py``,
``lstm.py``, ``gru.py``). Dropout inside a recurrent network must use the same
mask at every time step of a sequence (Gal and Ghahramani, 2016): a fresh mask
per step would shake the state at every step and wash out what it carries.
So the cell draws its masks at the first step of a call, keeps them, and
``RNN.call`` forgets them at the end (``reset_dropout_mask``), ready for the
next batch.

The masks come from ``random.dropout`` on ones, through the cell's
``SeedGenerator``: the same seed gives the same masks. A cell whose
``dropout_mask_count`` is set (LSTM: 4, GRU: 3, when ``recurrent_dropout`` is
used) draws one mask per gate. Read next: ``simple_rnn.py``.
"""

from minikeras import ops
from minikeras import random


class DropoutRNNCell:
    """Mix-in giving a cell ``get_dropout_mask`` / ``get_recurrent_dropout_mask``.

    The cell must define ``dropout``, ``recurrent_dropout`` (floats in [0, 1])
    and ``seed_generator`` (a ``SeedGenerator``).
    """

    def _create_dropout_mask(self, step_input, rate):
        """A mask of ``step_input``'s shape ``(N, D)``: 0 or ``1 / (1 - rate)``."""
        ones = ops.ones_like(step_input)
        count = getattr(self, "dropout_mask_count", None)
        if count is None:
            return random.dropout(ones, rate, seed=self.seed_generator)
        return [random.dropout(ones, rate, seed=self.seed_generator) for _ in range(count)]

    def get_dropout_mask(self, step_input):
        """The input mask of this sequence (drawn at the first call), or None."""
        if getattr(self, "_dropout_mask", None) is None and self.dropout > 0:
            self._dropout_mask = self._create_dropout_mask(step_input, self.dropout)
        return getattr(self, "_dropout_mask", None)

    def get_recurrent_dropout_mask(self, step_input):
        """The state mask of this sequence (drawn at the first call), or None."""
        if getattr(self, "_recurrent_dropout_mask", None) is None and self.recurrent_dropout > 0:
            self._recurrent_dropout_mask = self._create_dropout_mask(step_input, self.recurrent_dropout)
        return getattr(self, "_recurrent_dropout_mask", None)

    def reset_dropout_mask(self):
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self):
        self._recurrent_dropout_mask = None
