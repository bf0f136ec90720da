"""Whole-sequence recurrent ops: an LSTM, a GRU or a simple RNN over all steps as one op.

Place in the stack: an op family of ``minikeras.autodiff``, used by the
fast path of the ``LSTM``, ``GRU`` and ``SimpleRNN`` layers
(``layers/rnn/fused.py``). The layers' readable path records about ten ops
per time step on the tape, and the tape's backward walk *is*
backpropagation through time. These ops compute the same numbers with one
tape entry for the whole sequence: the forward pass and backpropagation
through time are loops in ``kernels/`` (``recurrent_reference.py`` defines
them, ``numba_recurrent.py`` runs them), chosen by
``backend/kernel_choice.recurrent_kernels``.

One op has one output, so the LSTM op returns ``(N, T + 1, U)``: the outputs
``h`` of the ``T`` steps, then the final memory ``c`` as an extra row. The
layer slices what it needs (the sequence, the last output, the states).
Activations are fixed (``sigmoid`` gates, ``tanh`` candidates), as in cuDNN;
the layer falls back to its step loop for any other choice (the layer side
is ``minikeras/layers/rnn/fused.py``). A mask ``(N, T)`` (padded steps
False) is a parameter of the op, not an input: it has no gradient. At a
masked step a row keeps its states (the kernels' rule, ``recurrent_reference.py``).
Read next: ``attention.py``.
"""

from minikeras.autodiff.op import Op
from minikeras.backend import get_xp
from minikeras.backend import kernel_choice


class _SequenceOp(Op):
    """The mask parameter shared by the three ops: None, or booleans ``(N, T)``."""

    def __init__(self, mask=None):
        self.mask = mask


class LSTMSequence(_SequenceOp):
    """y = [h_1 .. h_T, c_T] of an LSTM run from (h0, c0) over x.

    Inputs: ``x (N, T, D)``, ``h0 (N, U)``, ``c0 (N, U)``, ``kernel (D, 4U)``,
    ``recurrent_kernel (U, 4U)``, ``bias (4U,)``. Output: ``(N, T + 1, U)``.
    Backward: ``dy[:, :T]`` flows into every step's ``h`` and ``dy[:, T]`` into
    the final ``c``; the kernels return one gradient per input.
    """

    def forward(self, x, h0, c0, kernel, recurrent_kernel, bias):
        self.kernels = kernel_choice.recurrent_kernels(x)
        self.inputs = (x, h0, c0, kernel, recurrent_kernel)
        self.h_all, self.c_all, self.gates = self.kernels.lstm_forward(
            x, h0, c0, kernel, recurrent_kernel, bias, mask=self.mask)
        xp = get_xp(x)
        return xp.concatenate([self.h_all, self.c_all[:, -1:]], axis=1)  # (N, T, U) -> (N, T+1, U)

    def backward(self, dy):
        xp = get_xp(dy)
        dh_all = xp.ascontiguousarray(dy[:, :-1])
        dc_last = xp.ascontiguousarray(dy[:, -1])
        return self.kernels.lstm_backward(dh_all, dc_last, *self.inputs,
                                          self.h_all, self.c_all, self.gates, mask=self.mask,
                                          need_input=self.needs_gradient(0))


class GRUSequence(_SequenceOp):
    """y = [h_1 .. h_T] of a GRU (``reset_after=True``) run from h0 over x.

    Inputs: ``x (N, T, D)``, ``h0 (N, U)``, ``kernel (D, 3U)``,
    ``recurrent_kernel (U, 3U)``, ``bias (2, 3U)``. Output: ``(N, T, U)``.
    """

    def forward(self, x, h0, kernel, recurrent_kernel, bias):
        self.kernels = kernel_choice.recurrent_kernels(x)
        self.inputs = (x, h0, kernel, recurrent_kernel)
        self.h_all, self.saved = self.kernels.gru_forward(x, h0, kernel, recurrent_kernel, bias,
                                                             mask=self.mask)
        return self.h_all

    def backward(self, dy):
        dh_all = get_xp(dy).ascontiguousarray(dy)
        return self.kernels.gru_backward(dh_all, *self.inputs, self.h_all, self.saved, mask=self.mask,
                                         need_input=self.needs_gradient(0))


class SimpleRNNSequence(_SequenceOp):
    """y = [h_1 .. h_T] with ``h_t = tanh(x_t W + b + h_{t-1} U)``.

    Inputs: ``x (N, T, D)``, ``h0 (N, U)``, ``kernel (D, U)``,
    ``recurrent_kernel (U, U)``, ``bias (U,)``. Output: ``(N, T, U)``.
    """

    def forward(self, x, h0, kernel, recurrent_kernel, bias):
        self.kernels = kernel_choice.recurrent_kernels(x)
        self.inputs = (x, h0, kernel, recurrent_kernel)
        self.h_all = self.kernels.simple_rnn_forward(x, h0, kernel, recurrent_kernel, bias,
                                                         mask=self.mask)
        return self.h_all

    def backward(self, dy):
        dh_all = get_xp(dy).ascontiguousarray(dy)
        return self.kernels.simple_rnn_backward(dh_all, *self.inputs, self.h_all, mask=self.mask,
                                                need_input=self.needs_gradient(0))


def lstm_sequence(x, h0, c0, kernel, recurrent_kernel, bias, mask=None):
    """The LSTM over a whole sequence as one op; returns ``(N, T + 1, U)`` (see ``LSTMSequence``)."""
    return LSTMSequence(mask)(x, h0, c0, kernel, recurrent_kernel, bias)


def gru_sequence(x, h0, kernel, recurrent_kernel, bias, mask=None):
    """The GRU (``reset_after=True``) over a whole sequence as one op; returns ``(N, T, U)``."""
    return GRUSequence(mask)(x, h0, kernel, recurrent_kernel, bias)


def simple_rnn_sequence(x, h0, kernel, recurrent_kernel, bias, mask=None):
    """The tanh RNN over a whole sequence as one op; returns ``(N, T, U)``."""
    return SimpleRNNSequence(mask)(x, h0, kernel, recurrent_kernel, bias)
