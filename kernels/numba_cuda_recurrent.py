"""Whole-sequence LSTM, GRU and simple RNN on an NVIDIA GPU: CUDA kernels written with Numba.

Place in the stack: ``kernels/``, the GPU twin of ``numba_recurrent.py``
(same function names, signatures and results; read it and
``recurrent_reference.py`` first), beside ``numba_cuda.py``, whose
introduction to grids, blocks and one thread per element applies here.
``minikeras/backend/kernel_choice.recurrent_kernels`` picks this module for
CuPy arrays. It has a file of its own because ``numba_cuda.py`` holds the
convolutions and pooling, and would pass 600 lines with it.

The recurrence cannot run its steps in parallel (step ``t`` needs step
``t - 1``'s ``h``), so the host walks the steps, and each step is:

1. one matrix product, ``h @ recurrent_kernel`` (cuBLAS through
   ``cupy.matmul``, written into a buffer allocated once);
2. one kernel launch with one thread per ``(row, unit)``: the thread reads
   its unit's four (LSTM) or three (GRU) gate pre-activations, applies the
   activations and writes its unit's state. No two threads write the same
   element, so nothing needs atomics and the results are the same bits on
   every run.

Backward, each step is the mirror image: a launch that writes the gate
gradients of its unit, then ``dz @ recurrent_kernel.T`` (cuBLAS). The weight
gradients are single products over all steps after the loop, as on the CPU.

Masks: ``keep (T, N)`` says which rows read each step; a thread of a masked
row copies its previous state (and, backward, passes its gradient on through
``dh_carry``), exactly as ``numba_recurrent.py``.

Under Numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``) the same code runs
on NumPy arrays, one Python thread per CUDA thread: that is how
``tests/kernels/test_recurrent_kernels.py`` checks it without a GPU.
"""

import math

from numba import cuda

from minikeras.kernels.numba_cuda import _array_module
from minikeras.kernels.numba_cuda import _launch


@cuda.jit(device=True)
def _sigmoid(x):
    """``1 / (1 + exp(-x))`` written as ``(1 + tanh(x / 2)) / 2``: no overflow, as on the CPU."""
    return 0.5 * math.tanh(0.5 * x) + 0.5


# ---------------------------------------------------------------- host helpers
def _time_major(xp, x):
    """``(N, T, ...) -> (T, N, ...)``, contiguous."""
    return xp.ascontiguousarray(xp.swapaxes(x, 0, 1))


def _keep(xp, mask, n, steps):
    """``(T, N)`` booleans, True where a step is read."""
    if mask is None:
        return xp.ones((steps, n), dtype=bool)
    return _time_major(xp, xp.asarray(mask, dtype=bool))


def _project_inputs(xp, x_time_major, kernel, bias):
    """``(T, N, D) @ (D, G*U) + bias -> (T, N, G*U)``: one product for all steps."""
    steps, n, d = x_time_major.shape
    return (x_time_major.reshape(steps * n, d) @ kernel + bias).reshape(steps, n, kernel.shape[1])


def _weight_gradients(xp, x_time_major, h0, h_time_major, dz_input, dz_recurrent, kernel, need_input):
    """``dx (N, T, D)`` (None unless ``need_input``), ``dkernel``, ``drecurrent``: one product each."""
    steps, n, d = x_time_major.shape
    flat_dz = dz_input.reshape(steps * n, -1)  # (T, N, G*U) -> (T*N, G*U)
    dx = (flat_dz @ kernel.T).reshape(steps, n, d) if need_input else None  # (T, N, D)
    dkernel = x_time_major.reshape(steps * n, d).T @ flat_dz
    h_previous = xp.concatenate([h0[None], h_time_major[:-1]])  # (T, N, U)
    drecurrent = h_previous.reshape(steps * n, -1).T @ dz_recurrent.reshape(steps * n, -1)
    return (None if dx is None else xp.swapaxes(dx, 0, 1)), dkernel, drecurrent


def _backward_buffers(xp, dh_all, recurrent_kernel, h0):
    """The time-major ``dh`` of the outputs, ``recurrent_kernel.T``, and the two ``dh`` buffers."""
    return (_time_major(xp, dh_all), xp.ascontiguousarray(recurrent_kernel.T),
            xp.zeros_like(h0), xp.zeros_like(h0))


# ----- LSTM -----
@cuda.jit
def _lstm_step(gates, recurrent, c_previous, h_previous, keep, c, h):
    """Thread ``(row, u)``: its unit's gates i, f, g, o (in place in ``gates (N, 4U)``), then c and h."""
    i = cuda.grid(1)
    n, units = c.shape
    if i >= n * units:
        return
    row, u = i // units, i % units
    gate_i = _sigmoid(gates[row, u] + recurrent[row, u])
    gate_f = _sigmoid(gates[row, units + u] + recurrent[row, units + u])
    gate_g = math.tanh(gates[row, 2 * units + u] + recurrent[row, 2 * units + u])
    gate_o = _sigmoid(gates[row, 3 * units + u] + recurrent[row, 3 * units + u])
    gates[row, u], gates[row, units + u] = gate_i, gate_f
    gates[row, 2 * units + u], gates[row, 3 * units + u] = gate_g, gate_o
    if keep[row]:
        c[row, u] = gate_f * c_previous[row, u] + gate_i * gate_g
        h[row, u] = gate_o * math.tanh(c[row, u])
    else:
        c[row, u], h[row, u] = c_previous[row, u], h_previous[row, u]


@cuda.jit
def _lstm_backward_step(dh_output, dh_recurrent, dh_carry, dc, gates, c_previous, c, keep, dz):
    """Thread ``(row, u)``: its unit's four entries of ``dz (N, 4U)``, its ``dc`` and ``dh_carry``."""
    i = cuda.grid(1)
    n, units = dc.shape
    if i >= n * units:
        return
    row, u = i // units, i % units
    dh = dh_output[row, u] + dh_recurrent[row, u] + dh_carry[row, u]
    if not keep[row]:  # the step passed its states on unchanged: so does their gradient
        dh_carry[row, u] = dh
        for gate in range(4):
            dz[row, gate * units + u] = 0.0
        return
    gate_i, gate_f = gates[row, u], gates[row, units + u]
    gate_g, gate_o = gates[row, 2 * units + u], gates[row, 3 * units + u]
    tanh_c = math.tanh(c[row, u])
    dc_step = dc[row, u] + dh * gate_o * (1.0 - tanh_c * tanh_c)
    dz[row, u] = dc_step * gate_g * gate_i * (1.0 - gate_i)
    dz[row, units + u] = dc_step * c_previous[row, u] * gate_f * (1.0 - gate_f)
    dz[row, 2 * units + u] = dc_step * gate_i * (1.0 - gate_g * gate_g)
    dz[row, 3 * units + u] = dh * tanh_c * gate_o * (1.0 - gate_o)
    dc[row, u] = dc_step * gate_f
    dh_carry[row, u] = 0.0


def lstm_forward(x, h0, c0, kernel, recurrent_kernel, bias, mask=None):
    """See ``recurrent_reference.lstm_forward``; ``saved`` is private to this module."""
    xp = _array_module(x)
    x_time_major = _time_major(xp, x)
    steps, n, _ = x_time_major.shape
    units = h0.shape[1]
    keep = _keep(xp, mask, n, steps)
    gates = _project_inputs(xp, x_time_major, kernel, bias)  # (T, N, 4U)
    h_out, c_out = xp.empty((steps, n, units), x.dtype), xp.empty((steps, n, units), x.dtype)
    recurrent = xp.empty((n, 4 * units), x.dtype)
    h, c = xp.ascontiguousarray(h0), xp.ascontiguousarray(c0)
    for t in range(steps):
        xp.matmul(h, recurrent_kernel, out=recurrent)  # (N, U) @ (U, 4U): cuBLAS
        _launch(_lstm_step, n * units, gates[t], recurrent, c, h, keep[t], c_out[t], h_out[t])
        h, c = h_out[t], c_out[t]
    saved = (x_time_major, h_out, c_out, gates, keep)
    return xp.swapaxes(h_out, 0, 1), xp.swapaxes(c_out, 0, 1), saved


def lstm_backward(dh_all, dc_last, x, h0, c0, kernel, recurrent_kernel, h_all, c_all, saved, mask=None,
                  need_input=True):
    """See ``recurrent_reference.lstm_backward`` (the mask is the one ``saved`` holds)."""
    xp = _array_module(x)
    x_time_major, h_out, c_out, gates, keep = saved
    steps, n, _ = gates.shape
    h0, c0 = xp.ascontiguousarray(h0), xp.ascontiguousarray(c0)
    dh_output, recurrent_kernel_t, dh_recurrent, dh_carry = _backward_buffers(xp, dh_all, recurrent_kernel, h0)
    dc = xp.array(dc_last, dtype=x.dtype, order="C")
    dz = xp.empty_like(gates)
    for t in range(steps - 1, -1, -1):
        c_previous = c_out[t - 1] if t > 0 else c0
        _launch(_lstm_backward_step, h0.size, dh_output[t], dh_recurrent, dh_carry, dc, gates[t],
                c_previous, c_out[t], keep[t], dz[t])
        xp.matmul(dz[t], recurrent_kernel_t, out=dh_recurrent)  # (N, 4U) @ (4U, U)
    dx, dkernel, drecurrent = _weight_gradients(xp, x_time_major, h0, h_out, dz, dz, kernel, need_input)
    return dx, dh_recurrent + dh_carry, dc, dkernel, drecurrent, dz.reshape(-1, dz.shape[-1]).sum(axis=0)


# ----- GRU (reset_after=True) -----
@cuda.jit
def _gru_step(projected, recurrent, recurrent_bias, h_previous, keep, h, saved):
    """Thread ``(row, u)``: z, r, g and the recurrent candidate term of its unit, then h."""
    i = cuda.grid(1)
    n, units = h.shape
    if i >= n * units:
        return
    row, u = i // units, i % units
    z = _sigmoid(projected[row, u] + recurrent[row, u] + recurrent_bias[u])
    r = _sigmoid(projected[row, units + u] + recurrent[row, units + u] + recurrent_bias[units + u])
    recurrent_g = recurrent[row, 2 * units + u] + recurrent_bias[2 * units + u]
    g = math.tanh(projected[row, 2 * units + u] + r * recurrent_g)
    saved[row, u], saved[row, units + u] = z, r
    saved[row, 2 * units + u], saved[row, 3 * units + u] = g, recurrent_g
    h[row, u] = g + z * (h_previous[row, u] - g) if keep[row] else h_previous[row, u]


@cuda.jit
def _gru_backward_step(dh_output, dh_recurrent, dh_carry, h_previous, saved, keep, dz_input, dz_recurrent):
    """Thread ``(row, u)``: its unit's three entries of ``dz_input`` and ``dz_recurrent``."""
    i = cuda.grid(1)
    n, units = dh_carry.shape
    if i >= n * units:
        return
    row, u = i // units, i % units
    dh = dh_output[row, u] + dh_recurrent[row, u] + dh_carry[row, u]
    if not keep[row]:
        dh_carry[row, u] = dh
        for gate in range(3):
            dz_input[row, gate * units + u] = 0.0
            dz_recurrent[row, gate * units + u] = 0.0
        return
    z, r = saved[row, u], saved[row, units + u]
    g, recurrent_g = saved[row, 2 * units + u], saved[row, 3 * units + u]
    d_pre_g = dh * (1.0 - z) * (1.0 - g * g)
    d_pre_z = dh * (h_previous[row, u] - g) * z * (1.0 - z)
    d_pre_r = d_pre_g * recurrent_g * r * (1.0 - r)
    dz_input[row, u], dz_recurrent[row, u] = d_pre_z, d_pre_z
    dz_input[row, units + u], dz_recurrent[row, units + u] = d_pre_r, d_pre_r
    dz_input[row, 2 * units + u], dz_recurrent[row, 2 * units + u] = d_pre_g, d_pre_g * r
    dh_carry[row, u] = dh * z


def gru_forward(x, h0, kernel, recurrent_kernel, bias, mask=None):
    """See ``recurrent_reference.gru_forward``; ``saved`` is private to this module."""
    xp = _array_module(x)
    x_time_major = _time_major(xp, x)
    steps, n, _ = x_time_major.shape
    units = h0.shape[1]
    keep = _keep(xp, mask, n, steps)
    projected = _project_inputs(xp, x_time_major, kernel, bias[0])  # (T, N, 3U)
    recurrent_bias = xp.ascontiguousarray(bias[1])
    h_out = xp.empty((steps, n, units), x.dtype)
    saved = xp.empty((steps, n, 4 * units), x.dtype)
    recurrent = xp.empty((n, 3 * units), x.dtype)
    h = xp.ascontiguousarray(h0)
    for t in range(steps):
        xp.matmul(h, recurrent_kernel, out=recurrent)  # (N, U) @ (U, 3U): cuBLAS
        _launch(_gru_step, n * units, projected[t], recurrent, recurrent_bias, h, keep[t], h_out[t], saved[t])
        h = h_out[t]
    return xp.swapaxes(h_out, 0, 1), (x_time_major, h_out, saved, keep)


def gru_backward(dh_all, x, h0, kernel, recurrent_kernel, h_all, saved, mask=None, need_input=True):
    """See ``recurrent_reference.gru_backward`` (the mask is the one ``saved`` holds)."""
    xp = _array_module(x)
    x_time_major, h_out, gates, keep = saved
    steps, n, _ = gates.shape
    units = h0.shape[1]
    h0 = xp.ascontiguousarray(h0)
    dh_output, recurrent_kernel_t, dh_recurrent, dh_carry = _backward_buffers(xp, dh_all, recurrent_kernel, h0)
    dz_input = xp.empty((steps, n, 3 * units), x.dtype)
    dz_recurrent = xp.empty((steps, n, 3 * units), x.dtype)
    for t in range(steps - 1, -1, -1):
        h_previous = h_out[t - 1] if t > 0 else h0
        _launch(_gru_backward_step, h0.size, dh_output[t], dh_recurrent, dh_carry, h_previous, gates[t],
                keep[t], dz_input[t], dz_recurrent[t])
        xp.matmul(dz_recurrent[t], recurrent_kernel_t, out=dh_recurrent)  # (N, 3U) @ (3U, U)
    dx, dkernel, drecurrent = _weight_gradients(xp, x_time_major, h0, h_out, dz_input, dz_recurrent, kernel,
                                                need_input)
    dbias = xp.stack([dz_input.reshape(-1, 3 * units).sum(axis=0), dz_recurrent.reshape(-1, 3 * units).sum(axis=0)])
    return dx, dh_recurrent + dh_carry, dkernel, drecurrent, dbias


# ----- simple RNN -----
@cuda.jit
def _simple_rnn_step(projected, recurrent, h_previous, keep, h):
    """Thread ``(row, u)``: ``h = tanh(x W + b + h_previous U)``, or ``h_previous`` if masked."""
    i = cuda.grid(1)
    n, units = h.shape
    if i >= n * units:
        return
    row, u = i // units, i % units
    h[row, u] = math.tanh(projected[row, u] + recurrent[row, u]) if keep[row] else h_previous[row, u]


@cuda.jit
def _simple_rnn_backward_step(dh_output, dh_recurrent, dh_carry, h, keep, dz):
    """Thread ``(row, u)``: ``dz = dh * (1 - h^2)``; ``dh_carry`` as in the LSTM."""
    i = cuda.grid(1)
    n, units = h.shape
    if i >= n * units:
        return
    row, u = i // units, i % units
    dh = dh_output[row, u] + dh_recurrent[row, u] + dh_carry[row, u]
    if keep[row]:
        dz[row, u] = dh * (1.0 - h[row, u] * h[row, u])
        dh_carry[row, u] = 0.0
    else:
        dz[row, u] = 0.0
        dh_carry[row, u] = dh


def simple_rnn_forward(x, h0, kernel, recurrent_kernel, bias, mask=None):
    """See ``recurrent_reference.simple_rnn_forward``; returns ``h (N, T, U)``."""
    xp = _array_module(x)
    x_time_major = _time_major(xp, x)
    steps, n, _ = x_time_major.shape
    keep = _keep(xp, mask, n, steps)
    projected = _project_inputs(xp, x_time_major, kernel, bias)  # (T, N, U)
    h_out = xp.empty_like(projected)
    h = xp.ascontiguousarray(h0)
    recurrent = xp.empty_like(h)
    for t in range(steps):
        xp.matmul(h, recurrent_kernel, out=recurrent)
        _launch(_simple_rnn_step, h.size, projected[t], recurrent, h, keep[t], h_out[t])
        h = h_out[t]
    return xp.swapaxes(h_out, 0, 1)


def simple_rnn_backward(dh_all, x, h0, kernel, recurrent_kernel, h_all, mask=None, need_input=True):
    """See ``recurrent_reference.simple_rnn_backward``."""
    xp = _array_module(x)
    n, steps, units = h_all.shape
    keep = _keep(xp, mask, n, steps)
    h_out = _time_major(xp, h_all)
    h0 = xp.ascontiguousarray(h0)
    dh_output, recurrent_kernel_t, dh_recurrent, dh_carry = _backward_buffers(xp, dh_all, recurrent_kernel, h0)
    dz = xp.empty((steps, n, units), x.dtype)
    for t in range(steps - 1, -1, -1):
        _launch(_simple_rnn_backward_step, h0.size, dh_output[t], dh_recurrent, dh_carry, h_out[t], keep[t], dz[t])
        xp.matmul(dz[t], recurrent_kernel_t, out=dh_recurrent)
    dx, dkernel, drecurrent = _weight_gradients(xp, _time_major(xp, x), h0, h_out, dz, dz, kernel, need_input)
    return dx, dh_recurrent + dh_carry, dkernel, drecurrent, dz.reshape(-1, units).sum(axis=0)
