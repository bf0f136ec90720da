"""Whole-sequence LSTM, GRU and simple RNN, forward and backward: the NumPy definitions.

Place in the stack: ``kernels/``, beside ``reference.py``; plain arrays in and
out. ``minikeras/autodiff/recurrent.py`` calls these (or the Numba versions of
``numba_recurrent.py``, same names and signatures) through
``backend/kernel_choice.recurrent_kernels``. Read this file first: the Numba
one only fuses the loops.

What is fast about a whole-sequence op, compared with the layer's step loop?

1. The input projection of every step is one matrix product,
   ``(N*T, D) @ (D, G*U)``, made before the loop (``G`` gates of ``U`` units);
   only ``h @ recurrent_kernel`` has to wait for the previous step.
2. The backward pass walks time in reverse in one loop that produces the
   gradient of each step's gate pre-activations ``dz (N, T, G*U)``; the weight
   gradients are then single products over all steps at once:
   ``dkernel = X.T @ dZ``, ``drecurrent = H_previous.T @ dZ``, ``dx = dZ @ kernel.T``.
3. No tape: nothing but the arrays the backward pass needs is kept.

Shapes: ``x (N, T, D)``, states ``(N, U)``, ``kernel (D, G*U)``,
``recurrent_kernel (U, G*U)``, ``bias (G*U,)`` (GRU: ``(2, 3*U)``, input and
recurrent rows). Gate order is Keras's: LSTM (i, f, c, o), GRU (z, r, g).
Activations are fixed: ``sigmoid`` for gates, ``tanh`` for candidates.

Masks: ``mask (N, T)`` (optional, booleans) marks the steps to read; at a
masked step (False) a row keeps its previous states, so its ``h_all`` /
``c_all`` entry repeats the previous one, and in the backward pass the
gradient of its states flows past the step unchanged (its gate gradients
are zero). That is Keras's rule; what the layer *emits* at a masked step
(the previous output, or zeros) is the layer's business.

The same functions run on the GPU: every array call goes through ``xp``,
NumPy or CuPy as the input is (:func:`_array_module`), and the per-step
products ``h @ recurrent_kernel`` of CuPy arrays are cuBLAS calls.
``kernel_choice.recurrent_kernels`` sends CuPy arrays here, never to the
CPU-only Numba loops of ``numba_recurrent.py``.
"""

import numpy as np


def _array_module(array):
    """CuPy for an array on the GPU, NumPy for anything else (as ``numba_cuda._array_module``)."""
    if type(array).__module__.startswith("cupy"):
        import cupy

        return cupy
    return np


def _sigmoid(x):
    """``1 / (1 + exp(-x))``."""
    return 1.0 / (1.0 + _array_module(x).exp(-x))


def _keep(mask, t, xp):
    """Step ``t``'s column of the mask as ``(N, 1)`` booleans (broadcasts over units), or None."""
    return None if mask is None else xp.asarray(mask[:, t:t + 1], dtype=bool)


def _project_inputs(x, kernel, bias):
    """All steps' input projections at once: ``(N, T, D) -> (N, T, G*U)``."""
    n, t, d = x.shape
    return (x.reshape(n * t, d) @ kernel + bias).reshape(n, t, kernel.shape[1])


def _weight_gradients(x, h_previous, dz_input, dz_recurrent, kernel, need_input=True):
    """``dx, dkernel, drecurrent`` as single products over all steps.

    ``dx`` is None when not ``need_input`` (the input is data: no product).
    ``dz_input`` is the gradient of the input projections ``(N, T, G*U)``,
    ``dz_recurrent`` that of ``h_previous @ recurrent_kernel``, with
    ``h_previous (N, T, U)`` the state before each step.
    """
    n, t, d = x.shape
    flat_dz = dz_input.reshape(n * t, -1)  # (N, T, G*U) -> (N*T, G*U)
    dx = (flat_dz @ kernel.T).reshape(n, t, d) if need_input else None
    dkernel = x.reshape(n * t, d).T @ flat_dz
    drecurrent = h_previous.reshape(n * t, -1).T @ dz_recurrent.reshape(n * t, -1)
    return dx, dkernel, drecurrent


# ----- LSTM -----
def lstm_forward(x, h0, c0, kernel, recurrent_kernel, bias, mask=None):
    """Runs an LSTM over the sequence.

    Returns:
        ``h (N, T, U)``, ``c (N, T, U)`` (every step's states) and ``gates
        (N, T, 4U)``: the activated gates i, f, g, o, kept for the backward pass.
    """
    xp = _array_module(x)
    n, steps, _ = x.shape
    units = h0.shape[1]
    projected = _project_inputs(x, kernel, bias)
    h_all = xp.empty((n, steps, units), x.dtype)
    c_all = xp.empty((n, steps, units), x.dtype)
    gates = xp.empty((n, steps, 4 * units), x.dtype)
    h, c = h0, c0
    for t in range(steps):
        z = projected[:, t] + h @ recurrent_kernel  # (N, 4U)
        i, f = _sigmoid(z[:, :units]), _sigmoid(z[:, units:2 * units])
        g, o = xp.tanh(z[:, 2 * units:3 * units]), _sigmoid(z[:, 3 * units:])
        c_new = f * c + i * g
        h_new = o * xp.tanh(c_new)
        keep = _keep(mask, t, xp)  # (N, 1) or None
        h, c = (h_new, c_new) if keep is None else (xp.where(keep, h_new, h), xp.where(keep, c_new, c))
        h_all[:, t], c_all[:, t] = h, c
        gates[:, t] = xp.concatenate([i, f, g, o], axis=1)
    return h_all, c_all, gates


def lstm_backward(dh_all, dc_last, x, h0, c0, kernel, recurrent_kernel, h_all, c_all, saved,
                  mask=None, need_input=True):
    """Gradients of an LSTM sequence: backpropagation through time in one loop.

    Args:
        dh_all: ``(N, T, U)`` gradient of every step's output ``h``.
        dc_last: ``(N, U)`` gradient of the final memory ``c``.
        saved: ``lstm_forward``'s third output, the gates ``(N, T, 4U)``.
        the rest: ``lstm_forward``'s inputs and outputs.
    Returns:
        ``dx, dh0, dc0, dkernel, drecurrent_kernel, dbias``; ``dx`` is None
        when not ``need_input``.
    """
    xp = _array_module(x)
    n, steps, _ = x.shape
    units = h0.shape[1]
    gates = saved
    dz = xp.empty_like(gates)
    dh_next = xp.zeros_like(h0)
    dc_next = dc_last.copy()
    for t in reversed(range(steps)):
        i, f = gates[:, t, :units], gates[:, t, units:2 * units]
        g, o = gates[:, t, 2 * units:3 * units], gates[:, t, 3 * units:]
        c_previous = c_all[:, t - 1] if t > 0 else c0
        tanh_c = xp.tanh(c_all[:, t])
        dh = dh_all[:, t] + dh_next
        dc = dc_next + dh * o * (1.0 - tanh_c ** 2)
        # d(pre-activation) = d(activation) * activation'
        dz_step = xp.concatenate([dc * g * i * (1.0 - i), dc * c_previous * f * (1.0 - f),
                                  dc * i * (1.0 - g ** 2), dh * tanh_c * o * (1.0 - o)], axis=1)
        keep = _keep(mask, t, xp)
        if keep is None:
            dz[:, t] = dz_step
            dh_next, dc_next = dz_step @ recurrent_kernel.T, dc * f
        else:  # a masked step passed its states on unchanged: so does their gradient
            dz[:, t] = dz_step = xp.where(keep, dz_step, 0.0)
            dh_next = xp.where(keep, dz_step @ recurrent_kernel.T, dh)
            dc_next = xp.where(keep, dc * f, dc_next)
    h_previous = xp.concatenate([h0[:, None], h_all[:, :-1]], axis=1)  # (N, T, U)
    dx, dkernel, drecurrent = _weight_gradients(x, h_previous, dz, dz, kernel, need_input)
    return dx, dh_next, dc_next, dkernel, drecurrent, dz.sum(axis=(0, 1))


# ----- GRU (reset_after=True) -----
def gru_forward(x, h0, kernel, recurrent_kernel, bias, mask=None):
    """Runs a GRU (``reset_after=True``) over the sequence; ``bias`` is ``(2, 3U)``.

    Returns:
        ``h (N, T, U)`` and ``saved (N, T, 4U)``: the gates z, r, the candidate
        g and the recurrent candidate term ``h @ U_g + b'_g`` of every step.
    """
    xp = _array_module(x)
    n, steps, _ = x.shape
    units = h0.shape[1]
    projected = _project_inputs(x, kernel, bias[0])
    h_all = xp.empty((n, steps, units), x.dtype)
    saved = xp.empty((n, steps, 4 * units), x.dtype)
    h = h0
    for t in range(steps):
        recurrent = h @ recurrent_kernel + bias[1]  # (N, 3U)
        z = _sigmoid(projected[:, t, :units] + recurrent[:, :units])
        r = _sigmoid(projected[:, t, units:2 * units] + recurrent[:, units:2 * units])
        g = xp.tanh(projected[:, t, 2 * units:] + r * recurrent[:, 2 * units:])
        h_new = z * h + (1.0 - z) * g
        keep = _keep(mask, t, xp)
        h = h_new if keep is None else xp.where(keep, h_new, h)
        h_all[:, t] = h
        saved[:, t] = xp.concatenate([z, r, g, recurrent[:, 2 * units:]], axis=1)
    return h_all, saved


def gru_backward(dh_all, x, h0, kernel, recurrent_kernel, h_all, saved, mask=None, need_input=True):
    """Gradients of a GRU sequence (``reset_after=True``).

    Returns:
        ``dx, dh0, dkernel, drecurrent_kernel, dbias (2, 3U)``.
    """
    xp = _array_module(x)
    n, steps, _ = x.shape
    units = h0.shape[1]
    dz_input = xp.empty((n, steps, 3 * units), x.dtype)
    dz_recurrent = xp.empty((n, steps, 3 * units), x.dtype)
    dh_next = xp.zeros_like(h0)
    for t in reversed(range(steps)):
        z, r = saved[:, t, :units], saved[:, t, units:2 * units]
        g, recurrent_g = saved[:, t, 2 * units:3 * units], saved[:, t, 3 * units:]
        h_previous = h_all[:, t - 1] if t > 0 else h0
        dh = dh_all[:, t] + dh_next
        d_pre_g = dh * (1.0 - z) * (1.0 - g ** 2)
        d_pre_z = dh * (h_previous - g) * z * (1.0 - z)
        d_pre_r = d_pre_g * recurrent_g * r * (1.0 - r)
        dz_input[:, t] = xp.concatenate([d_pre_z, d_pre_r, d_pre_g], axis=1)
        dz_recurrent[:, t] = xp.concatenate([d_pre_z, d_pre_r, d_pre_g * r], axis=1)
        keep = _keep(mask, t, xp)
        if keep is not None:
            dz_input[:, t] = xp.where(keep, dz_input[:, t], 0.0)
            dz_recurrent[:, t] = xp.where(keep, dz_recurrent[:, t], 0.0)
        dh_next = dh * z + dz_recurrent[:, t] @ recurrent_kernel.T
        if keep is not None:
            dh_next = xp.where(keep, dh_next, dh)
    h_previous = xp.concatenate([h0[:, None], h_all[:, :-1]], axis=1)
    dx, dkernel, drecurrent = _weight_gradients(x, h_previous, dz_input, dz_recurrent, kernel, need_input)
    dbias = xp.stack([dz_input.sum(axis=(0, 1)), dz_recurrent.sum(axis=(0, 1))])
    return dx, dh_next, dkernel, drecurrent, dbias


# ----- simple RNN -----
def simple_rnn_forward(x, h0, kernel, recurrent_kernel, bias, mask=None):
    """Runs ``h = tanh(x W + b + h U)`` over the sequence; returns ``h (N, T, U)``."""
    xp = _array_module(x)
    projected = _project_inputs(x, kernel, bias)
    h_all = xp.empty(projected.shape, x.dtype)
    h = h0
    for t in range(x.shape[1]):
        h_new = xp.tanh(projected[:, t] + h @ recurrent_kernel)
        keep = _keep(mask, t, xp)
        h = h_new if keep is None else xp.where(keep, h_new, h)
        h_all[:, t] = h
    return h_all


def simple_rnn_backward(dh_all, x, h0, kernel, recurrent_kernel, h_all, mask=None, need_input=True):
    """Returns ``dx, dh0, dkernel, drecurrent_kernel, dbias``."""
    xp = _array_module(x)
    dz = xp.empty_like(h_all)
    dh_next = xp.zeros_like(h0)
    for t in reversed(range(x.shape[1])):
        dh = dh_all[:, t] + dh_next
        dz[:, t] = dh * (1.0 - h_all[:, t] ** 2)
        keep = _keep(mask, t, xp)
        if keep is not None:
            dz[:, t] = xp.where(keep, dz[:, t], 0.0)
        dh_next = dz[:, t] @ recurrent_kernel.T
        if keep is not None:
            dh_next = xp.where(keep, dh_next, dh)
    h_previous = xp.concatenate([h0[:, None], h_all[:, :-1]], axis=1)
    dx, dkernel, drecurrent = _weight_gradients(x, h_previous, dz, dz, kernel, need_input)
    return dx, dh_next, dkernel, drecurrent, dz.sum(axis=(0, 1))
