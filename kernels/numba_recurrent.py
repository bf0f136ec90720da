"""Whole-sequence LSTM, GRU and simple RNN, fast: the CPU kernels used by default.

Place in the stack: ``kernels/``, same function names, signatures and results
as ``recurrent_reference.py`` (read that first: it defines the math). What
changes here is where the time goes:

* Everything that does not depend on the previous step is one BLAS product
  over all steps, outside the loops (input projection; ``dx``, ``dkernel``,
  ``drecurrent_kernel`` after the backward loop).
* Forward, each step is one BLAS product (``h @ recurrent_kernel``) written
  into a preallocated buffer, then in-place NumPy ufuncs for the gates. The
  ufuncs matter: NumPy's float32 ``exp`` and ``tanh`` use the CPU's vector
  units (8 values per instruction with AVX2), while a Numba loop calls the
  scalar C library once per value (a forward pass several times slower on
  the benchmark; ``bench/RESULTS.md``).
* Backward, each step is one compiled Numba pass over the ``N x U`` units
  (no transcendental left: the forward pass kept ``tanh(c)``) that writes
  the gradient of every gate's pre-activation, then one BLAS product
  (``dz @ recurrent_kernel.T``). NumPy would need a dozen temporaries per step.
* The arrays the loops touch are time-major, ``(T, N, ...)``, so that one
  step is one contiguous block (``np.dot`` in Numba needs contiguous
  operands). The third value the forward functions return (``saved``) is
  private to this module: its backward functions are its only readers.

Threads: BLAS may use its own; the loops run on one core (the per-step work,
``64 x 128`` units on the benchmark, is too small to share).
"""

import numpy as np
from numba import njit


def _time_major(x):
    """``(N, T, ...) -> (T, N, ...)``, contiguous."""
    return np.ascontiguousarray(np.swapaxes(x, 0, 1))


def _project_inputs(x_time_major, kernel, bias):
    """``(T, N, D) @ (D, G*U) + bias -> (T, N, G*U)``: all steps in one product."""
    steps, n, d = x_time_major.shape
    projected = x_time_major.reshape(steps * n, d) @ kernel
    projected += bias
    return projected.reshape(steps, n, kernel.shape[1])


def _input_gradients(x_time_major, dz_input, kernel):
    """``dx (N, T, D)`` and ``dkernel`` from ``dz_input (T, N, G*U)``."""
    steps, n, d = x_time_major.shape
    flat_dz = dz_input.reshape(steps * n, -1)
    dx = (flat_dz @ kernel.T).reshape(steps, n, d)
    dkernel = x_time_major.reshape(steps * n, d).T @ flat_dz
    return np.swapaxes(dx, 0, 1), dkernel


def _recurrent_gradient(h0, h_time_major, dz_recurrent):
    """``drecurrent = sum_t h_{t-1}.T @ dz_t``: ``(U, N*T) @ (N*T, G*U)``."""
    steps, n, units = h_time_major.shape
    flat_dz = dz_recurrent.reshape(steps * n, -1)
    gradient = h0.T @ flat_dz[:n]
    if steps > 1:
        gradient += h_time_major[:-1].reshape((steps - 1) * n, units).T @ flat_dz[n:]
    return gradient


def _sigmoid_in_place(a):
    """``a = 1 / (1 + exp(-a))`` without temporaries (``exp`` may overflow to inf: 1/inf = 0)."""
    # Not np.negative(a, out=a): NumPy 2.4's float32 negative writes wrong values
    # into a strided (N, 1) column view (one unit), which multiply does not.
    np.multiply(a, -1.0, out=a)
    np.exp(a, out=a)
    a += 1.0
    np.reciprocal(a, out=a)


# ----- LSTM -----
def lstm_forward(x, h0, c0, kernel, recurrent_kernel, bias):
    """See ``recurrent_reference.lstm_forward``; ``saved`` is private to this module."""
    x_time_major = _time_major(x)
    steps, n, _ = x_time_major.shape
    units = h0.shape[1]
    # gates[t] holds step t's pre-activations, then (in place) its gates i, f, g, o.
    gates = _project_inputs(x_time_major, kernel, bias)  # (T, N, 4U)
    h_out, c_out, tanh_c = (np.empty((steps, n, units), x.dtype) for _ in range(3))
    recurrent = np.empty((n, 4 * units), x.dtype)
    h, c = np.ascontiguousarray(h0), c0
    with np.errstate(over="ignore"):
        for t in range(steps):
            gate = gates[t]
            np.dot(h, recurrent_kernel, out=recurrent)  # (N, U) @ (U, 4U)
            gate += recurrent
            _sigmoid_in_place(gate[:, :2 * units])  # i, f
            _sigmoid_in_place(gate[:, 3 * units:])  # o
            np.tanh(gate[:, 2 * units:3 * units], out=gate[:, 2 * units:3 * units])  # g
            np.multiply(gate[:, units:2 * units], c, out=c_out[t])  # c = f * c + i * g
            c_out[t] += gate[:, :units] * gate[:, 2 * units:3 * units]
            np.tanh(c_out[t], out=tanh_c[t])
            np.multiply(gate[:, 3 * units:], tanh_c[t], out=h_out[t])  # h = o * tanh(c)
            h, c = h_out[t], c_out[t]
    saved = (x_time_major, h_out, c_out, tanh_c, gates)
    return np.swapaxes(h_out, 0, 1), np.swapaxes(c_out, 0, 1), saved


@njit(cache=True)
def _lstm_backward_loop(dh_all, dc_last, c0, c_out, tanh_c_out, gates, recurrent_kernel_t, dz):
    steps, n, four_units = gates.shape
    units = four_units // 4
    dh_next = np.zeros((n, units), dz.dtype)
    dc_next = dc_last.copy()
    for t in range(steps - 1, -1, -1):
        for row in range(n):
            for u in range(units):
                i = gates[t, row, u]
                f = gates[t, row, units + u]
                g = gates[t, row, 2 * units + u]
                o = gates[t, row, 3 * units + u]
                c_previous = c0[row, u] if t == 0 else c_out[t - 1, row, u]
                tanh_c = tanh_c_out[t, row, u]
                dh = dh_all[row, t, u] + dh_next[row, u]
                dc = dc_next[row, u] + dh * o * (1.0 - tanh_c * tanh_c)
                dz[t, row, u] = dc * g * i * (1.0 - i)
                dz[t, row, units + u] = dc * c_previous * f * (1.0 - f)
                dz[t, row, 2 * units + u] = dc * i * (1.0 - g * g)
                dz[t, row, 3 * units + u] = dh * tanh_c * o * (1.0 - o)
                dc_next[row, u] = dc * f
        dh_next = np.dot(dz[t], recurrent_kernel_t)  # (N, 4U) @ (4U, U)
    return dh_next, dc_next


def lstm_backward(dh_all, dc_last, x, h0, c0, kernel, recurrent_kernel, h_all, c_all, saved):
    """See ``recurrent_reference.lstm_backward``."""
    x_time_major, h_out, c_out, tanh_c, gates = saved
    dz = np.empty_like(gates)
    dh0, dc0 = _lstm_backward_loop(np.ascontiguousarray(dh_all), np.ascontiguousarray(dc_last),
                                   np.ascontiguousarray(c0), c_out, tanh_c, gates,
                                   np.ascontiguousarray(recurrent_kernel.T), dz)
    dx, dkernel = _input_gradients(x_time_major, dz, kernel)
    drecurrent = _recurrent_gradient(h0, h_out, dz)
    return dx, dh0, dc0, dkernel, drecurrent, dz.sum(axis=(0, 1))


# ----- GRU (reset_after=True) -----
def gru_forward(x, h0, kernel, recurrent_kernel, bias):
    """See ``recurrent_reference.gru_forward``; ``saved`` is private to this module."""
    x_time_major = _time_major(x)
    steps, n, _ = x_time_major.shape
    units = h0.shape[1]
    projected = _project_inputs(x_time_major, kernel, bias[0])  # (T, N, 3U)
    h_out = np.empty((steps, n, units), x.dtype)
    saved = np.empty((steps, n, 4 * units), x.dtype)  # z, r, g, recurrent g-term per step
    recurrent = np.empty((n, 3 * units), x.dtype)
    h = np.ascontiguousarray(h0)
    with np.errstate(over="ignore"):
        for t in range(steps):
            kept = saved[t]
            z, r = kept[:, :units], kept[:, units:2 * units]
            g, recurrent_g = kept[:, 2 * units:3 * units], kept[:, 3 * units:]
            np.dot(h, recurrent_kernel, out=recurrent)  # (N, U) @ (U, 3U)
            recurrent += bias[1]
            np.add(projected[t, :, :2 * units], recurrent[:, :2 * units], out=kept[:, :2 * units])
            _sigmoid_in_place(kept[:, :2 * units])  # z, r
            recurrent_g[...] = recurrent[:, 2 * units:]
            np.multiply(r, recurrent_g, out=g)  # g = tanh(x_g + r * (h U_g + b'_g))
            g += projected[t, :, 2 * units:]
            np.tanh(g, out=g)
            np.subtract(h, g, out=h_out[t])  # h = z * h + (1 - z) * g = g + z * (h - g)
            h_out[t] *= z
            h_out[t] += g
            h = h_out[t]
    return np.swapaxes(h_out, 0, 1), (x_time_major, h_out, saved)


@njit(cache=True)
def _gru_backward_loop(dh_all, h0, h_out, saved, recurrent_kernel_t, dz_input, dz_recurrent):
    steps, n, four_units = saved.shape
    units = four_units // 4
    dh_next = np.zeros((n, units), dz_input.dtype)
    for t in range(steps - 1, -1, -1):
        for row in range(n):
            for u in range(units):
                z = saved[t, row, u]
                r = saved[t, row, units + u]
                g = saved[t, row, 2 * units + u]
                recurrent_g = saved[t, row, 3 * units + u]
                h_previous = h0[row, u] if t == 0 else h_out[t - 1, row, u]
                dh = dh_all[row, t, u] + dh_next[row, u]
                d_pre_g = dh * (1.0 - z) * (1.0 - g * g)
                d_pre_z = dh * (h_previous - g) * z * (1.0 - z)
                d_pre_r = d_pre_g * recurrent_g * r * (1.0 - r)
                dz_input[t, row, u] = d_pre_z
                dz_input[t, row, units + u] = d_pre_r
                dz_input[t, row, 2 * units + u] = d_pre_g
                dz_recurrent[t, row, u] = d_pre_z
                dz_recurrent[t, row, units + u] = d_pre_r
                dz_recurrent[t, row, 2 * units + u] = d_pre_g * r
                dh_next[row, u] = dh * z
        dh_next += np.dot(dz_recurrent[t], recurrent_kernel_t)  # (N, 3U) @ (3U, U)
    return dh_next


def gru_backward(dh_all, x, h0, kernel, recurrent_kernel, h_all, saved):
    """See ``recurrent_reference.gru_backward``."""
    x_time_major, h_out, gates = saved
    steps, n, _ = gates.shape
    units = h0.shape[1]
    dz_input = np.empty((steps, n, 3 * units), x.dtype)
    dz_recurrent = np.empty((steps, n, 3 * units), x.dtype)
    dh0 = _gru_backward_loop(np.ascontiguousarray(dh_all), np.ascontiguousarray(h0), h_out, gates,
                             np.ascontiguousarray(recurrent_kernel.T), dz_input, dz_recurrent)
    dx, dkernel = _input_gradients(x_time_major, dz_input, kernel)
    drecurrent = _recurrent_gradient(h0, h_out, dz_recurrent)
    dbias = np.stack([dz_input.sum(axis=(0, 1)), dz_recurrent.sum(axis=(0, 1))])
    return dx, dh0, dkernel, drecurrent, dbias


# ----- simple RNN -----
def simple_rnn_forward(x, h0, kernel, recurrent_kernel, bias):
    """See ``recurrent_reference.simple_rnn_forward``; returns ``h (N, T, U)``."""
    h_out = _project_inputs(_time_major(x), kernel, bias)  # (T, N, U), becomes h in place
    h = np.ascontiguousarray(h0)
    recurrent = np.empty_like(h)
    for t in range(h_out.shape[0]):
        np.dot(h, recurrent_kernel, out=recurrent)
        h_out[t] += recurrent
        np.tanh(h_out[t], out=h_out[t])
        h = h_out[t]
    return np.swapaxes(h_out, 0, 1)


@njit(cache=True)
def _simple_rnn_backward_loop(dh_all, h_all, recurrent_kernel_t, dz):
    steps, n, units = dz.shape
    dh_next = np.zeros((n, units), dz.dtype)
    for t in range(steps - 1, -1, -1):
        for row in range(n):
            for u in range(units):
                h = h_all[row, t, u]
                dz[t, row, u] = (dh_all[row, t, u] + dh_next[row, u]) * (1.0 - h * h)
        dh_next = np.dot(dz[t], recurrent_kernel_t)
    return dh_next


def simple_rnn_backward(dh_all, x, h0, kernel, recurrent_kernel, h_all):
    """See ``recurrent_reference.simple_rnn_backward``."""
    n, steps, units = h_all.shape
    dz = np.empty((steps, n, units), x.dtype)
    dh0 = _simple_rnn_backward_loop(np.ascontiguousarray(dh_all), h_all,
                                    np.ascontiguousarray(recurrent_kernel.T), dz)
    dx, dkernel = _input_gradients(_time_major(x), dz, kernel)
    drecurrent = _recurrent_gradient(h0, _time_major(h_all), dz)
    return dx, dh0, dkernel, drecurrent, dz.sum(axis=(0, 1))
