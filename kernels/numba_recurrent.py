"""Whole-sequence LSTM, GRU and simple RNN, fast: the CPU kernels used by default.

Place in the stack: ``kernels/``, same function names, signatures and results
as ``recurrent_reference.py`` (read that first: it defines the math, masks
included). What changes here is where the time goes:

* Everything that does not depend on the previous step is one product
  over all steps, outside the loops: the input projection before the
  forward loop; ``dx``, ``dkernel`` and ``drecurrent_kernel`` after the
  backward loop (``drecurrent = H_previous.T @ dZ``, all steps in one product).
* Each step is one product (``h @ recurrent_kernel`` forward,
  ``dz @ recurrent_kernel.T`` backward) written into a preallocated buffer,
  then ONE compiled function over the ``N x U`` units (``_lstm_step``,
  ``_lstm_backward_step``...) that does all the elementwise work of the step:
  gate nonlinearities, new state, the values the backward pass needs, the
  mask. NumPy would make a dozen passes and temporaries per step.
* The arrays the loops touch are time-major, ``(T, N, ...)``, so that one
  step is one contiguous block. The third value the forward functions return
  (``saved``) is private to this module: its backward functions are its only
  readers.

Why the loop over time is Python, not Numba: the per-step products go to
the same kernels (and the same threads) as every other product of the
training step. ``np.dot`` inside Numba would call SciPy's copy of
OpenBLAS, a second pool of threads competing with the first.

Why tanh is a ratio of two polynomials in float32 (``_fast_tanh``): a
compiled loop calls the C library's ``tanh``/``exp`` once per value, while
products and one division compile to vector instructions (8 floats at a
time with AVX2). The ratio is within a few units of the last place of
float32's ``tanh`` (the same approximation as Eigen's and XLA's float32
``tanh``; ``tests/kernels/test_recurrent_kernels.py`` measures it).
float64 uses ``math.tanh`` (``exact``): the float64 tests compare with the
reference to 1e-12. The sigmoid is ``(1 + tanh(x / 2)) / 2`` in both.

Masks: ``keep (T, N)`` says which rows read each step; a masked row copies
its previous states forward, and backward its gradient skips the step
(``dh_carry``). Without a mask every row reads every step.

Threads: the products are ``numba_simd_matmul``'s (float32 on an AVX-512
CPU), shared with its team of threads, whose hand-over costs little, or
NumPy's BLAS otherwise; the compiled step functions run on one core (a
step's ``64 x 128`` units take tens of microseconds: waking a second thread
each step through the operating system costs about as much,
``bench/RESULTS.md``).
"""

import math

import numpy as np
from numba import njit

from minikeras.kernels import numba_simd_matmul

# ---------------------------------------------------------------- activations
# tanh(x) ~ x * P(x^2) / Q(x^2) on [-7.9, 7.9] (float32's tanh is +-1 beyond).
# Constants are float32: a Python float (1.0) would turn float32 arithmetic
# into float64 (NumPy's promotion rule), half as many values per instruction.
_CLAMP = np.float32(7.90531110763549805)
P13, P11, P9, P7, P5, P3, P1 = (np.float32(v) for v in (
    -2.76076847742355e-16, 2.00018790482477e-13, -8.60467152213735e-11, 5.12229709037114e-08,
    1.48572235717979e-05, 6.37261928875436e-04, 4.89352455891786e-03))
Q6, Q4, Q2, Q0 = (np.float32(v) for v in (
    1.19825839466702e-06, 1.18534705686654e-04, 2.26843463243900e-03, 4.89352518554385e-03))
_ONE, _HALF = np.float32(1.0), np.float32(0.5)

# error_model="numpy": a float division by zero gives inf instead of raising;
# without it every division carries a test and a branch, and no loop vectorizes.
_COMPILE = dict(cache=True, nogil=True, error_model="numpy", fastmath={"contract"})


@njit(inline="always", **_COMPILE)
def _fast_tanh(x):
    """float32 tanh with products and one division (vectorizes): Horner's rule on x^2."""
    x = max(min(x, _CLAMP), -_CLAMP)
    x2 = x * x
    p = ((((((P13 * x2 + P11) * x2 + P9) * x2 + P7) * x2 + P5) * x2 + P3) * x2 + P1) * x
    q = ((Q6 * x2 + Q4) * x2 + Q2) * x2 + Q0
    return p / q


@njit(inline="always", **_COMPILE)
def _tanh(x, exact):
    return math.tanh(x) if exact else _fast_tanh(x)


@njit(inline="always", **_COMPILE)
def _sigmoid(x, exact):
    """``1 / (1 + exp(-x)) = (1 + tanh(x / 2)) / 2``: one tanh, no exp."""
    return _HALF * _tanh(_HALF * x, exact) + _HALF


# ---------------------------------------------------------------- shared steps
def _time_major(x):
    """``(N, T, ...) -> (T, N, ...)``, contiguous."""
    return np.ascontiguousarray(np.swapaxes(x, 0, 1))


def _keep(mask, n, steps):
    """``(T, N)`` booleans, True where a step is read; all True without a mask."""
    if mask is None:
        return np.ones((steps, n), np.bool_)
    return _time_major(np.asarray(mask, np.bool_))


def _project_inputs(x_time_major, kernel, bias):
    """``(T, N, D) @ (D, G*U) + bias -> (T, N, G*U)``: all steps in one product."""
    steps, n, d = x_time_major.shape
    projected = _matmul(x_time_major.reshape(steps * n, d), kernel)
    projected += bias
    return projected.reshape(steps, n, kernel.shape[1])


def _weight_gradients(x_time_major, h0, h_time_major, dz_input, dz_recurrent, kernel, need_input):
    """``dx (N, T, D)`` (None unless ``need_input``), ``dkernel`` and ``drecurrent``, each one product."""
    steps, n, d = x_time_major.shape
    units = h0.shape[1]
    flat_dz = dz_input.reshape(steps * n, -1)  # (T, N, G*U) -> (T*N, G*U)
    dx = _matmul(flat_dz, kernel.T).reshape(steps, n, d) if need_input else None  # (T, N, D)
    dkernel = _matmul(x_time_major.reshape(steps * n, d).T, flat_dz)
    h_previous = np.concatenate([h0[None], h_time_major[:-1]])  # (T, N, U): the state before each step
    drecurrent = _matmul(h_previous.reshape(steps * n, units).T, dz_recurrent.reshape(steps * n, -1))
    return (None if dx is None else np.swapaxes(dx, 0, 1)), dkernel, drecurrent


def _column_sums(dz):
    """``(T, N, G*U) -> (G*U,)``: a product with a row of ones beats ``sum(axis=(0, 1))``."""
    flat = dz.reshape(-1, dz.shape[-1])
    return _matmul(np.ones((1, flat.shape[0]), dz.dtype), flat)[0]


def _matmul(a, b):
    """``a @ b`` for 2-D arrays: ``numba_simd_matmul``'s products, which never wake BLAS's own threads."""
    return numba_simd_matmul.matmul(a, b)


def _first_step(stack):
    """``stack[0]`` of a ``(T, N, K)`` stack, or ``(0, K)`` when it has no step (for :func:`_step_product`)."""
    return stack[:1].reshape(-1, stack.shape[-1])


def _step_product(a, b, out):
    """The function ``product(a, b, out)`` (``out = a @ b``) for a loop's per-step products, chosen once.

    ``numba_simd_matmul``'s products where they fit (float32, widths of 64,
    AVX-512: shared with its team of threads, whose hand-over costs little);
    else NumPy's ``dot``, whose BLAS shares a step's product with its own thread.
    """
    if numba_simd_matmul._fits(a[None], b[None], out[None]):
        return lambda a, b, out: numba_simd_matmul.batched_matmul(a[None], b[None], out=out[None])
    return np.dot


# ----- LSTM -----
@njit(**_COMPILE)
def _lstm_step(gates, recurrent, c_previous, h_previous, keep, exact, c, h):
    """One step for every row: ``gates (N, 4U)`` comes in holding ``x W + b`` and leaves
    holding the gates i, f, g, o; writes ``c, h (N, U)``. Rows whose ``keep`` is False
    (masked) keep ``c_previous``, ``h_previous``.

    Several short loops that each write one array, rather than one loop: a loop
    that writes several arrays while reading others is not vectorized (the
    compiler would have to check every pair of them for overlap at run time,
    and gives up past a few pairs).
    """
    n, four_units = gates.shape
    units = four_units // 4
    for row in range(n):
        # 1. The gates, in place: sigmoid for i, f and o, tanh for the candidate g.
        for j in range(2 * units):
            gates[row, j] = _sigmoid(gates[row, j] + recurrent[row, j], exact)
        for j in range(2 * units, 3 * units):
            gates[row, j] = _tanh(gates[row, j] + recurrent[row, j], exact)
        for j in range(3 * units, four_units):
            gates[row, j] = _sigmoid(gates[row, j] + recurrent[row, j], exact)
        # 2. The new state, c = f * c + i * g and h = o * tanh(c), or the previous one.
        if not keep[row]:
            c[row], h[row] = c_previous[row], h_previous[row]
            continue
        for u in range(units):
            c[row, u] = gates[row, units + u] * c_previous[row, u] + gates[row, u] * gates[row, 2 * units + u]
        for u in range(units):
            h[row, u] = gates[row, 3 * units + u] * _tanh(c[row, u], exact)


@njit(**_COMPILE)
def _lstm_backward_step(dh_output, dh_recurrent, dh_carry, dc, gates, c_previous, c, keep, exact, dz):
    """Writes ``dz (N, 4U)``, the gradient of the step's gate pre-activations.

    The gradient of the step's ``h`` is ``dh_output + dh_recurrent + dh_carry``
    (its output's, what came back through ``recurrent_kernel``, and what skipped
    it); ``dc (N, U)`` comes in for the step's ``c`` and leaves for the previous
    one, and so does ``dh_carry``: ``dh`` on masked rows (their state passed
    through the step unchanged), else 0.
    """
    n, four_units = gates.shape
    units = four_units // 4
    for row in range(n):
        # 1. dh, collected in dh_carry.
        for u in range(units):
            dh_carry[row, u] += dh_output[row, u] + dh_recurrent[row, u]
        if not keep[row]:
            dz[row] = 0
            continue
        # 2. Through h = o * tanh(c): o's gradient, and dc_step (the gradient of this
        #    step's c, parked in g's slot of dz until step 3 has used it).
        for u in range(units):
            o, tanh_c = gates[row, 3 * units + u], _tanh(c[row, u], exact)
            dh = dh_carry[row, u]
            dz[row, 3 * units + u] = dh * tanh_c * o * (_ONE - o)
            dz[row, 2 * units + u] = dc[row, u] + dh * o * (_ONE - tanh_c * tanh_c)
        # 3. Through c = f * c_previous + i * g: the previous c's gradient, then i's, f's and g's.
        for u in range(units):
            dc[row, u] = dz[row, 2 * units + u] * gates[row, units + u]
        for u in range(units):
            i, f, g = gates[row, u], gates[row, units + u], gates[row, 2 * units + u]
            dc_step = dz[row, 2 * units + u]
            dz[row, u] = dc_step * g * i * (_ONE - i)
            dz[row, units + u] = dc_step * c_previous[row, u] * f * (_ONE - f)
            dz[row, 2 * units + u] = dc_step * i * (_ONE - g * g)
        dh_carry[row] = 0


def lstm_forward(x, h0, c0, kernel, recurrent_kernel, bias, mask=None):
    """See ``recurrent_reference.lstm_forward``; ``saved`` is private to this module."""
    x_time_major = _time_major(x)
    steps, n, _ = x_time_major.shape
    units = h0.shape[1]
    keep = _keep(mask, n, steps)
    exact = x.dtype == np.float64
    gates = _project_inputs(x_time_major, kernel, bias)  # (T, N, 4U): x W + b, then i, f, g, o
    h_out, c_out = np.empty((steps, n, units), x.dtype), np.empty((steps, n, units), x.dtype)
    recurrent = np.empty((n, 4 * units), x.dtype)
    h, c = np.ascontiguousarray(h0), np.ascontiguousarray(c0)
    product = _step_product(h, recurrent_kernel, recurrent)
    for t in range(steps):
        product(h, recurrent_kernel, recurrent)  # (N, U) @ (U, 4U)
        _lstm_step(gates[t], recurrent, c, h, keep[t], exact, c_out[t], h_out[t])
        h, c = h_out[t], c_out[t]
    saved = (x_time_major, h_out, c_out, gates, keep)
    return np.swapaxes(h_out, 0, 1), np.swapaxes(c_out, 0, 1), saved


def lstm_backward(dh_all, dc_last, x, h0, c0, kernel, recurrent_kernel, h_all, c_all, saved, mask=None,
                  need_input=True):
    """See ``recurrent_reference.lstm_backward`` (the mask is the one ``saved`` holds)."""
    x_time_major, h_out, c_out, gates, keep = saved
    steps, n, _ = gates.shape
    dh_output = _time_major(dh_all)  # (T, N, U)
    recurrent_kernel_t = np.ascontiguousarray(recurrent_kernel.T)
    h0, c0 = np.ascontiguousarray(h0), np.ascontiguousarray(c0)
    dz = np.empty_like(gates)
    dh_recurrent, dh_carry = np.zeros_like(h0), np.zeros_like(h0)
    dc = np.array(dc_last, dtype=x.dtype, order="C")
    exact = x.dtype == np.float64
    product = _step_product(_first_step(dz), recurrent_kernel_t, dh_recurrent)
    for t in range(steps - 1, -1, -1):
        c_previous = c_out[t - 1] if t > 0 else c0
        _lstm_backward_step(dh_output[t], dh_recurrent, dh_carry, dc, gates[t], c_previous,
                            c_out[t], keep[t], exact, dz[t])
        product(dz[t], recurrent_kernel_t, dh_recurrent)  # (N, 4U) @ (4U, U)
    dx, dkernel, drecurrent = _weight_gradients(x_time_major, h0, h_out, dz, dz, kernel, need_input)
    return dx, dh_recurrent + dh_carry, dc, dkernel, drecurrent, _column_sums(dz)


# ----- GRU (reset_after=True) -----
@njit(**_COMPILE)
def _gru_step(projected, recurrent, recurrent_bias, h_previous, keep, exact, h, saved):
    """One step: ``projected (N, 3U) = x W + b``, ``recurrent (N, 3U) = h U`` (no bias yet).

    Writes ``h (N, U)`` and ``saved (N, 4U)``: z, r, g and the recurrent candidate
    term ``h U_g + b'_g``. Short loops, one array written by each (see ``_lstm_step``).
    """
    n, four_units = saved.shape
    units = four_units // 4
    for row in range(n):
        # 1. The gates z and r, and the candidate's recurrent term.
        for j in range(2 * units):
            saved[row, j] = _sigmoid(projected[row, j] + recurrent[row, j] + recurrent_bias[j], exact)
        for j in range(2 * units, 3 * units):
            saved[row, units + j] = recurrent[row, j] + recurrent_bias[j]
        # 2. The candidate g = tanh(x W_g + b_g + r * (h U_g + b'_g)).
        for u in range(units):
            saved[row, 2 * units + u] = _tanh(projected[row, 2 * units + u]
                                              + saved[row, units + u] * saved[row, 3 * units + u], exact)
        # 3. h = z * h + (1 - z) * g = g + z * (h - g), or the previous h.
        if not keep[row]:
            h[row] = h_previous[row]
            continue
        for u in range(units):
            g = saved[row, 2 * units + u]
            h[row, u] = g + saved[row, u] * (h_previous[row, u] - g)


@njit(**_COMPILE)
def _gru_backward_step(dh_output, dh_recurrent, dh_carry, h_previous, saved, keep,
                       dz_input, dz_recurrent):
    """Writes the step's ``dz_input``, ``dz_recurrent (N, 3U)``; ``dh_carry`` leaves holding
    the part of ``dh_previous`` that skips the product: ``dh * z``, all of ``dh`` if masked."""
    n, four_units = saved.shape
    units = four_units // 4
    for row in range(n):
        # 1. dh, collected in dh_carry.
        for u in range(units):
            dh_carry[row, u] += dh_output[row, u] + dh_recurrent[row, u]
        if not keep[row]:
            dz_input[row], dz_recurrent[row] = 0, 0
            continue
        # 2. The pre-activations' gradients; the recurrent product saw r * (h U_g + b'_g).
        for u in range(units):
            z, r = saved[row, u], saved[row, units + u]
            g, recurrent_g = saved[row, 2 * units + u], saved[row, 3 * units + u]
            dh = dh_carry[row, u]
            d_pre_g = dh * (_ONE - z) * (_ONE - g * g)
            dz_input[row, u] = dh * (h_previous[row, u] - g) * z * (_ONE - z)
            dz_input[row, units + u] = d_pre_g * recurrent_g * r * (_ONE - r)
            dz_input[row, 2 * units + u] = d_pre_g
        for j in range(2 * units):
            dz_recurrent[row, j] = dz_input[row, j]
        for u in range(units):
            dz_recurrent[row, 2 * units + u] = dz_input[row, 2 * units + u] * saved[row, units + u]
        # 3. What skips the product: h = z * h_previous + ...
        for u in range(units):
            dh_carry[row, u] *= saved[row, u]


def gru_forward(x, h0, kernel, recurrent_kernel, bias, mask=None):
    """See ``recurrent_reference.gru_forward``; ``saved`` is private to this module."""
    x_time_major = _time_major(x)
    steps, n, _ = x_time_major.shape
    units = h0.shape[1]
    keep = _keep(mask, n, steps)
    exact = x.dtype == np.float64
    projected = _project_inputs(x_time_major, kernel, bias[0])  # (T, N, 3U)
    recurrent_bias = np.ascontiguousarray(bias[1])
    h_out = np.empty((steps, n, units), x.dtype)
    saved = np.empty((steps, n, 4 * units), x.dtype)  # z, r, g, recurrent g-term per step
    recurrent = np.empty((n, 3 * units), x.dtype)
    h = np.ascontiguousarray(h0)
    product = _step_product(h, recurrent_kernel, recurrent)
    for t in range(steps):
        product(h, recurrent_kernel, recurrent)  # (N, U) @ (U, 3U)
        _gru_step(projected[t], recurrent, recurrent_bias, h, keep[t], exact, h_out[t], saved[t])
        h = h_out[t]
    return np.swapaxes(h_out, 0, 1), (x_time_major, h_out, saved, keep)


def gru_backward(dh_all, x, h0, kernel, recurrent_kernel, h_all, saved, mask=None, need_input=True):
    """See ``recurrent_reference.gru_backward`` (the mask is the one ``saved`` holds)."""
    x_time_major, h_out, gates, keep = saved
    steps, n, _ = gates.shape
    units = h0.shape[1]
    dh_output = _time_major(dh_all)
    recurrent_kernel_t = np.ascontiguousarray(recurrent_kernel.T)
    h0 = np.ascontiguousarray(h0)
    dz_input = np.empty((steps, n, 3 * units), x.dtype)
    dz_recurrent = np.empty((steps, n, 3 * units), x.dtype)
    dh_recurrent, dh_carry = np.zeros_like(h0), np.zeros_like(h0)
    product = _step_product(_first_step(dz_recurrent), recurrent_kernel_t, dh_recurrent)
    for t in range(steps - 1, -1, -1):
        h_previous = h_out[t - 1] if t > 0 else h0
        _gru_backward_step(dh_output[t], dh_recurrent, dh_carry, h_previous, gates[t], keep[t],
                           dz_input[t], dz_recurrent[t])
        product(dz_recurrent[t], recurrent_kernel_t, dh_recurrent)  # (N, 3U) @ (3U, U)
    dx, dkernel, drecurrent = _weight_gradients(x_time_major, h0, h_out, dz_input, dz_recurrent, kernel, need_input)
    dbias = np.stack([_column_sums(dz_input), _column_sums(dz_recurrent)])
    return dx, dh_recurrent + dh_carry, dkernel, drecurrent, dbias


# ----- simple RNN -----
@njit(**_COMPILE)
def _simple_rnn_step(projected, recurrent, h_previous, keep, exact, h):
    """``h = tanh(x W + b + h_previous U)`` for every row; masked rows keep ``h_previous``."""
    n, units = h.shape
    for row in range(n):
        if not keep[row]:
            h[row] = h_previous[row]
            continue
        for u in range(units):
            h[row, u] = _tanh(projected[row, u] + recurrent[row, u], exact)


@njit(**_COMPILE)
def _simple_rnn_backward_step(dh_output, dh_recurrent, dh_carry, h, keep, dz):
    """``dz = dh * (1 - h^2)``; ``dh_carry`` as in ``_lstm_backward_step``."""
    n, units = h.shape
    for row in range(n):
        for u in range(units):
            dh_carry[row, u] += dh_output[row, u] + dh_recurrent[row, u]
        if not keep[row]:
            dz[row] = 0
            continue
        for u in range(units):
            dz[row, u] = dh_carry[row, u] * (_ONE - h[row, u] * h[row, u])
        dh_carry[row] = 0


def simple_rnn_forward(x, h0, kernel, recurrent_kernel, bias, mask=None):
    """See ``recurrent_reference.simple_rnn_forward``; returns ``h (N, T, U)``."""
    x_time_major = _time_major(x)
    steps, n, _ = x_time_major.shape
    keep = _keep(mask, n, steps)
    exact = x.dtype == np.float64
    projected = _project_inputs(x_time_major, kernel, bias)  # (T, N, U)
    h_out = np.empty_like(projected)
    h = np.ascontiguousarray(h0)
    recurrent = np.empty_like(h)
    product = _step_product(h, recurrent_kernel, recurrent)
    for t in range(steps):
        product(h, recurrent_kernel, recurrent)
        _simple_rnn_step(projected[t], recurrent, h, keep[t], exact, h_out[t])
        h = h_out[t]
    return np.swapaxes(h_out, 0, 1)


def simple_rnn_backward(dh_all, x, h0, kernel, recurrent_kernel, h_all, mask=None, need_input=True):
    """See ``recurrent_reference.simple_rnn_backward``."""
    n, steps, units = h_all.shape
    keep = _keep(mask, n, steps)
    dh_output, h_out = _time_major(dh_all), _time_major(h_all)
    recurrent_kernel_t = np.ascontiguousarray(recurrent_kernel.T)
    h0 = np.ascontiguousarray(h0)
    dz = np.empty((steps, n, units), x.dtype)
    dh_recurrent, dh_carry = np.zeros_like(h0), np.zeros_like(h0)
    product = _step_product(_first_step(dz), recurrent_kernel_t, dh_recurrent)
    for t in range(steps - 1, -1, -1):
        _simple_rnn_backward_step(dh_output[t], dh_recurrent, dh_carry, h_out[t], keep[t], dz[t])
        product(dz[t], recurrent_kernel_t, dh_recurrent)
    dx, dkernel, drecurrent = _weight_gradients(_time_major(x), h0, h_out, dz, dz, kernel, need_input)
    return dx, dh_recurrent + dh_carry, dkernel, drecurrent, _column_sums(dz)
