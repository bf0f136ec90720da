"""The fast path of ``LSTM``, ``GRU`` and ``SimpleRNN``: one op for the whole sequence.

Place in the stack: between the recurrent layers (``lstm.py``, ``gru.py``,
``simple_rnn.py``, whose ``inner_loop`` asks here first) and the sequence ops
of ``autodiff/recurrent.py``. Keras runs an LSTM on cuDNN when the layer's
arguments allow it and falls back to its step loop otherwise; minikeras does
the same with its whole-sequence kernels. ``try_fused`` returns the layer's
``(last_output, outputs, states)`` computed by one op, or None when the
fused op cannot compute what the layer asks for:

* recurrent dropout (a mask on ``h`` inside the recurrence), or
  ``implementation=1`` (one dropout mask per gate);
* activations other than ``tanh`` / ``sigmoid``;
* ``GRU(reset_after=False)``;
* dtypes other than float32 / float64.

A mask (``Embedding(mask_zero=True)``, ``Masking``) goes into the op: at a
masked step a row keeps its states, and the layer emits the previous output
(or zeros with ``zero_output_for_mask=True``), as in the step loop.
CuPy arrays run the op too: ``kernel_choice.recurrent_kernels`` sends them
to the CUDA kernels (``kernels/numba_cuda_recurrent.py``).

Input dropout does fit: the same mask multiplies every step, so it is applied
to the whole sequence before the op, as Keras does before cuDNN. Both paths
give the same outputs and gradients (``tests/layers/rnn/test_fused.py``).
``use_cudnn=False`` forces the step loop; ``use_cudnn=True`` makes a fallback
an error. Read next: ``autodiff/recurrent.py``.
"""

from minikeras import activations
from minikeras import ops
from minikeras.autodiff.recurrent import gru_sequence
from minikeras.autodiff.recurrent import lstm_sequence
from minikeras.autodiff.recurrent import simple_rnn_sequence


def check_use_cudnn(use_cudnn):
    if use_cudnn not in ("auto", True, False):
        raise ValueError("Invalid valid received for argument `use_cudnn`. Expected one of "
                         f"{{'auto', True, False}}. Received: use_cudnn={use_cudnn}")
    return use_cudnn


def why_not_fused(layer, sequences, mask, training):
    """The reason the fused op cannot run this call, or None if it can."""
    cell = layer.cell
    kind = type(cell).__name__
    if type(cell).__module__.rsplit(".", 1)[0] != "minikeras.layers.rnn":
        return f"the cell is a subclass ({kind}) whose step the op may not compute"
    if training and cell.recurrent_dropout > 0:
        return "recurrent_dropout is used"
    if getattr(cell, "implementation", 2) == 1:
        return "implementation=1"
    if cell.activation is not activations.tanh:
        return "activation is not tanh"
    if kind != "SimpleRNNCell" and cell.recurrent_activation is not activations.sigmoid:
        return "recurrent_activation is not sigmoid"
    if kind == "GRUCell" and not cell.reset_after:
        return "reset_after=False"
    if sequences.dtype not in ("float32", "float64"):
        return f"the input is a {sequences.dtype} {type(sequences.data).__name__}"
    return None


def try_fused(layer, sequences, initial_state, mask, training):
    """``(last_output, outputs or None, states)`` by one op, or None to fall back.

    Args:
        layer: an ``LSTM``, ``GRU`` or ``SimpleRNN`` layer.
        sequences: ``(N, T, D)``.
        initial_state: the list of initial states, ``(N, U)`` each.
        mask: None or a boolean ``(N, T)`` tensor.
        training: whether dropout is active.
    """
    use_cudnn = getattr(layer, "use_cudnn", "auto")
    if use_cudnn is False:
        return None
    reason = why_not_fused(layer, sequences, mask, training)
    if reason is not None:
        if use_cudnn is True:
            raise ValueError(f"Layer '{layer.name}': use_cudnn=True was specified, but the fused "
                             f"sequence op cannot run this call ({reason}). Pass use_cudnn='auto' "
                             "to fall back to the step loop.")
        return None
    return _run_fused(layer, sequences, initial_state, mask, training)


def _run_fused(layer, sequences, initial_state, mask, training):
    cell = layer.cell
    # 1. Input dropout: one mask (N, D) for every step of the sequence.
    if training and cell.dropout > 0:
        step_mask = cell.get_dropout_mask(sequences[:, 0])
        sequences = sequences * ops.expand_dims(step_mask, 1)  # (N, D) -> (N, 1, D)
    # 2. go_backwards reads the sequence (and its mask) from its end.
    if layer.go_backwards:
        sequences = ops.flip(sequences, axis=1)
        mask = None if mask is None else ops.flip(mask, axis=1)
    steps = sequences.shape[1]
    kind = type(cell).__name__
    bias = cell.bias if cell.use_bias else _zero_bias(cell, sequences.dtype)
    mask_array = None if mask is None else mask.data  # (N, T) booleans, no gradient
    # 3. One op for all steps; at a masked step h (and c) repeat the previous step's.
    if kind == "LSTMCell":
        y = lstm_sequence(sequences, initial_state[0], initial_state[1], cell.kernel,
                          cell.recurrent_kernel, bias, mask=mask_array)  # (N, T+1, U): h_1..h_T, c_T
        states = [y[:, steps - 1], y[:, steps]]
        h_all = y[:, :steps]
    else:
        run = gru_sequence if kind == "GRUCell" else simple_rnn_sequence
        h_all = run(sequences, initial_state[0], cell.kernel, cell.recurrent_kernel, bias,
                    mask=mask_array)  # (N, T, U)
        states = [h_all[:, steps - 1]]
    # 4. What masked steps emit: the previous output (h_all already repeats it) or zeros.
    if mask is not None and layer.zero_output_for_mask:
        h_all = ops.where(ops.expand_dims(mask, -1), h_all, ops.zeros_like(h_all))  # (N, T, 1) mask
    return h_all[:, steps - 1], (h_all if layer.return_sequences else None), states


def _zero_bias(cell, dtype):
    """A constant zero bias for ``use_bias=False`` (the op always adds one)."""
    gates = {"LSTMCell": 4, "GRUCell": 3, "SimpleRNNCell": 1}[type(cell).__name__]
    shape = (2, 3 * cell.units) if type(cell).__name__ == "GRUCell" else (gates * cell.units,)
    return ops.zeros(shape, dtype=dtype)
