"""Attention softmax and layer normalisation on the CPU with Numba: the row-wise families, made fast.

Place in the stack: ``kernels/``, after ``rowwise_reference.py`` (read it
first: same functions, same numbers, checked by
``tests/kernels/test_rowwise_kernels.py``).

Why a kernel? NumPy runs each step of the reference (scale, mask, max,
subtract, exp, sum, divide) as its own pass over the whole array: for a
transformer's (32, 4, 128, 128) attention weights that is seven trips
through 8 MB, more than the caches hold. Here every row (128 numbers, half a
kilobyte) is read once, worked on while it sits in the L1 cache, and
written once; and the rows are shared among the threads (``prange``), where
NumPy's ufuncs use one core.

The exponential: Numba calls the C library's ``expf`` one number at a time,
which costs more than the rest of the softmax. ``_exp_parts`` computes it
the way vector maths libraries do, with arithmetic the compiler turns into
SIMD instructions: e^v = 2^n * e^r with n = round(v / ln 2) and
|r| <= ln(2) / 2, e^r by its Taylor polynomial (degree 7: float32 accuracy on
that interval), and 2^n built directly as a float32 bit pattern (exponent
field n + 127). That is float32 arithmetic, so float32 arrays only: other
dtypes (the float64 gradient checks) go to ``rowwise_reference.py``.

Layer normalisation: the backward pass cuts the rows into ``CHUNKS`` fixed
chunks, each adding into its own partial ``dgamma`` and ``dbeta``, summed
in chunk order at the end: the result does not depend on the thread count.

Read next: ``numba_cuda.py`` (the same families on a GPU).
"""

import numpy as np
from numba import njit
from numba import prange

from minikeras.kernels import rowwise_reference
from minikeras.kernels import runtime

runtime.load_tbb()  # before any parallel kernel runs, whatever NUMBA_THREADING_LAYER says

CHUNKS = 16  # fixed chunks of rows in layer_norm_backward (deterministic sums)


@njit(fastmath=True, inline="always")
def _exp_parts(v):
    """e^v for v <= 0 as (e^r, bits of 2^n): multiply them for e^v (see the module docstring)."""
    v = max(v, np.float32(-87.0))  # below, 2^n is no longer a normal float32 (e^-87 ~ 1.6e-38)
    n = np.floor(v * np.float32(1.4426950408889634) + np.float32(0.5))  # round(v / ln 2)
    # r = v - n ln 2, with ln 2 split in two so that n * (high part) is exact.
    r = v - n * np.float32(0.693145751953125) - n * np.float32(1.428606765330187e-06)
    e = np.float32(1.0 / 5040.0)
    for coefficient in (1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5, 1.0, 1.0):
        e = e * r + np.float32(coefficient)
    return e, (np.int32(n) + np.int32(127)) << np.int32(23)


@njit(fastmath=True, parallel=True, cache=True)
def _softmax_rows(z, scale, bias, mask, masked_logit):
    """In place, each row of z (B, N, T, S) -> softmax(scale * z + bias), masked; bias a 4-D view, mask one or None."""
    B, N, T, S = z.shape
    for block in prange(B * N):
        b, n = block // N, block % N
        two_to_the_n = np.empty(S, np.int32)  # bit patterns of 2^n
        powers = two_to_the_n.view(np.float32)
        for t in range(T):
            row = z[b, n, t]
            # 1. The scaled, biased, masked logits, and their max.
            largest, allowed = np.float32(masked_logit), 0
            for s in range(S):
                value = row[s] * scale + bias[b, n, t, s]
                if mask is not None and not mask[b, n, t, s]:
                    value = np.float32(masked_logit)
                else:
                    allowed += 1
                row[s] = value
                largest = max(largest, value)
            if allowed == 0:  # every key masked: equal weights
                row[:] = np.float32(1.0) / S
                continue
            # 2. exp(z - max) in two vector loops, then divide by the sum.
            for s in range(S):
                row[s], two_to_the_n[s] = _exp_parts(row[s] - largest)
            total = np.float32(0.0)
            for s in range(S):
                value = row[s] * powers[s]
                if mask is not None and not mask[b, n, t, s]:
                    value = np.float32(0.0)
                row[s] = value
                total += value
            inverse = np.float32(1.0) / total
            for s in range(S):
                row[s] *= inverse


@njit(fastmath=True, parallel=True, cache=True)
def _softmax_vjp_rows(p, dy, mask):
    """In place, each row of dy (B, N, T, S) -> p * (dy - sum(dy * p)), 0 where masked."""
    B, N, T, S = dy.shape
    for block in prange(B * N):
        b, n = block // N, block % N
        for t in range(T):
            row, weights = dy[b, n, t], p[b, n, t]
            total = np.float32(0.0)
            for s in range(S):
                total += row[s] * weights[s]
            for s in range(S):
                row[s] = weights[s] * (row[s] - total)
            if mask is not None:
                for s in range(S):
                    if not mask[b, n, t, s]:
                        row[s] = 0.0


def _as_4d(array, shape):
    """``array`` as a 4-D view: itself if 4-D, else its rows (R, S) as (R, 1, 1, S)."""
    return array if array.ndim == 4 else array.reshape((-1, 1, 1, shape[-1]))


def _read_only_4d(array, dtype, shape):
    """``array`` broadcast to ``shape`` (..., S) as a 4-D view (a copy only when the rank is not 4).

    Always a broadcast (read-only, strided) view, even when the shapes match,
    so that Numba sees one array type and compiles the kernel once."""
    return _as_4d(np.broadcast_to(np.asarray(array, dtype=dtype), shape), shape)


def softmax_forward(logits, scale=1.0, bias=None, mask=None):
    """Same contract as ``rowwise_reference.softmax_forward``; ``logits`` is overwritten."""
    if logits.dtype != np.float32 or not logits.flags.c_contiguous:
        return rowwise_reference.softmax_forward(logits, scale, bias, mask)
    shape = logits.shape
    z = _as_4d(logits, shape)  # a view of logits: written in place
    bias = _read_only_4d(np.float32(0.0) if bias is None else bias, np.float32, shape)  # one kernel for both
    mask = None if mask is None else _read_only_4d(mask, bool, shape)
    masked_logit = rowwise_reference.MASKED_LOGIT_FRACTION * np.finfo(np.float32).max
    _softmax_rows(z, np.float32(scale), bias, mask, np.float32(masked_logit))
    return logits


def softmax_backward(probabilities, dy, mask=None):
    """Same contract as ``rowwise_reference.softmax_backward``; ``dy`` is overwritten."""
    if dy.dtype != np.float32 or probabilities.dtype != np.float32 or not dy.flags.c_contiguous:
        return rowwise_reference.softmax_backward(probabilities, dy, mask)
    shape = dy.shape
    mask = None if mask is None else _read_only_4d(mask, bool, shape)
    _softmax_vjp_rows(_as_4d(probabilities, shape), _as_4d(dy, shape), mask)
    return dy


@njit(fastmath=True, parallel=True, cache=True)
def _layer_norm_rows(x, gamma, beta, epsilon, y, mean, inverse_std):
    R, C = x.shape
    for i in prange(R):
        total = 0.0
        for c in range(C):
            total += x[i, c]
        mu = total / C
        squares = 0.0
        for c in range(C):
            squares += (x[i, c] - mu) ** 2
        scale = 1.0 / np.sqrt(squares / C + epsilon)
        for c in range(C):
            y[i, c] = (x[i, c] - mu) * scale * gamma[c] + beta[c]
        mean[i], inverse_std[i] = mu, scale


@njit(fastmath=True, parallel=True, cache=True)
def _layer_norm_vjp_rows(x, dy, mean, inverse_std, gamma, dx, dgamma_parts, dbeta_parts):
    R, C = x.shape
    chunks = dgamma_parts.shape[0]
    per_chunk = (R + chunks - 1) // chunks
    for chunk in prange(chunks):
        for i in range(chunk * per_chunk, min(R, (chunk + 1) * per_chunk)):
            # 1. The row's two means: of g = dy * gamma, and of g * xhat.
            g_total, gx_total = 0.0, 0.0
            for c in range(C):
                xhat = (x[i, c] - mean[i]) * inverse_std[i]
                g = dy[i, c] * gamma[c]
                g_total += g
                gx_total += g * xhat
                dgamma_parts[chunk, c] += dy[i, c] * xhat
                dbeta_parts[chunk, c] += dy[i, c]
            g_mean, gx_mean = g_total / C, gx_total / C
            # 2. dx = inverse_std * (g - mean(g) - xhat * mean(g * xhat)).
            for c in range(C):
                xhat = (x[i, c] - mean[i]) * inverse_std[i]
                dx[i, c] = inverse_std[i] * (dy[i, c] * gamma[c] - g_mean - xhat * gx_mean)


def layer_norm_forward(x, gamma=None, beta=None, epsilon=1e-3):
    """Same contract as ``rowwise_reference.layer_norm_forward``: ``(y, mean, inverse_std)``."""
    R, C = x.shape
    x = np.ascontiguousarray(x)
    gamma = np.ones(C, x.dtype) if gamma is None else np.ascontiguousarray(gamma, dtype=x.dtype)
    beta = np.zeros(C, x.dtype) if beta is None else np.ascontiguousarray(beta, dtype=x.dtype)
    y, mean, inverse_std = np.empty_like(x), np.empty(R, x.dtype), np.empty(R, x.dtype)
    _layer_norm_rows(x, gamma, beta, x.dtype.type(epsilon), y, mean, inverse_std)
    return y, mean, inverse_std


def layer_norm_backward(x, dy, mean, inverse_std, gamma=None):
    """Same contract as ``rowwise_reference.layer_norm_backward``: ``(dx, dgamma, dbeta)``."""
    R, C = x.shape
    x, dy = np.ascontiguousarray(x), np.ascontiguousarray(dy, dtype=x.dtype)
    gamma = np.ones(C, x.dtype) if gamma is None else np.ascontiguousarray(gamma, dtype=x.dtype)
    parts = np.zeros((2, CHUNKS, C), x.dtype)  # partial dgamma, dbeta per chunk
    dx = np.empty_like(x)
    _layer_norm_vjp_rows(x, dy, mean.astype(x.dtype, copy=False), inverse_std.astype(x.dtype, copy=False),
                         gamma, dx, parts[0], parts[1])
    return dx, parts[0].sum(axis=0), parts[1].sum(axis=0)
