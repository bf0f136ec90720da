"""The attention softmax and layer normalisation on an NVIDIA GPU: CUDA kernels written with Numba.

Place in the stack: ``kernels/``, the GPU sibling of ``numba_rowwise.py``
(same functions, same numbers, checked by ``tests/kernels/test_rowwise_kernels.py``);
``minikeras/backend/kernel_choice.py`` picks it for CuPy arrays. Read
``rowwise_reference.py`` for the definitions and ``numba_cuda.py`` for how a
kernel is launched (``_launch``: one thread per output element, a last
partial block) and how the simulator runs these on NumPy arrays.

Here the element of work is a row: thread ``i`` normalises row ``i`` of the
array seen as ``(R, S)`` (a softmax row: one query against every key; a
layer-norm row: one token's features), looping over the row itself. The
parameter gradients of layer normalisation (``dgamma``, ``dbeta``) are sums
over the rows: one thread per feature gathers its column, rows in order, so
the same inputs give the same bits on every run (``numba_cuda.py`` explains
why gathering beats atomic adds).
"""

import math

from numba import cuda

from minikeras.kernels.numba_cuda import _array_module
from minikeras.kernels.numba_cuda import _launch
from minikeras.kernels.rowwise_reference import MASKED_LOGIT_FRACTION


@cuda.jit
def _softmax_rows(z, scale, bias, use_bias, mask, use_mask, masked_logit):
    """Row i of z (R, S) -> softmax(scale * z + bias), masked; bias and mask (R, S) (ignored when not used)."""
    i = cuda.grid(1)
    if i >= z.shape[0]:
        return  # a thread of the last, partial block
    S = z.shape[1]
    largest, allowed = masked_logit, 0
    for s in range(S):
        value = z[i, s] * scale
        if use_bias:
            value += bias[i, s]
        if use_mask and not mask[i, s]:
            value = masked_logit
        else:
            allowed += 1
        z[i, s] = value
        largest = max(largest, value)
    total = 0.0
    for s in range(S):
        value = math.exp(z[i, s] - largest) if allowed > 0 else 1.0  # every key masked: equal weights
        if allowed > 0 and use_mask and not mask[i, s]:
            value = 0.0
        z[i, s] = value
        total += value
    for s in range(S):
        z[i, s] /= total


@cuda.jit
def _softmax_vjp_rows(p, dy, mask, use_mask):
    """Row i of dy (R, S) -> p * (dy - sum(dy * p)), 0 where masked."""
    i = cuda.grid(1)
    if i >= dy.shape[0]:
        return
    total = 0.0
    for s in range(dy.shape[1]):
        total += dy[i, s] * p[i, s]
    for s in range(dy.shape[1]):
        dy[i, s] = 0.0 if use_mask and not mask[i, s] else p[i, s] * (dy[i, s] - total)


@cuda.jit
def _layer_norm_rows(x, gamma, beta, epsilon, y, mean, inverse_std):
    """Row i of y (R, C) = (x - mean) * inverse_std * gamma + beta, and the row's two statistics."""
    i = cuda.grid(1)
    if i >= x.shape[0]:
        return
    C = x.shape[1]
    total = 0.0
    for c in range(C):
        total += x[i, c]
    mu = total / C
    squares = 0.0
    for c in range(C):
        squares += (x[i, c] - mu) ** 2
    scale = 1.0 / math.sqrt(squares / C + epsilon)
    for c in range(C):
        y[i, c] = (x[i, c] - mu) * scale * gamma[c] + beta[c]
    mean[i], inverse_std[i] = mu, scale


@cuda.jit
def _layer_norm_vjp_rows(x, dy, mean, inverse_std, gamma, dx):
    """Row i of dx = inverse_std * (g - mean(g) - xhat * mean(g * xhat)), g = dy * gamma."""
    i = cuda.grid(1)
    if i >= x.shape[0]:
        return
    C = x.shape[1]
    g_total, gx_total = 0.0, 0.0
    for c in range(C):
        g = dy[i, c] * gamma[c]
        g_total += g
        gx_total += g * (x[i, c] - mean[i]) * inverse_std[i]
    for c in range(C):
        xhat = (x[i, c] - mean[i]) * inverse_std[i]
        dx[i, c] = inverse_std[i] * (dy[i, c] * gamma[c] - g_total / C - xhat * gx_total / C)


@cuda.jit
def _layer_norm_parameter_gradients(x, dy, mean, inverse_std, dgamma, dbeta):
    """Feature c: dgamma[c] = sum over rows of dy * xhat, dbeta[c] = sum of dy (rows in order)."""
    c = cuda.grid(1)
    if c >= x.shape[1]:
        return
    gamma_total, beta_total = 0.0, 0.0
    for i in range(x.shape[0]):
        gamma_total += dy[i, c] * (x[i, c] - mean[i]) * inverse_std[i]
        beta_total += dy[i, c]
    dgamma[c], dbeta[c] = gamma_total, beta_total


def _rows(xp, array, shape):
    """``array`` broadcast to ``shape`` (..., S) as a contiguous (R, S) array (a copy: the simulator writes back)."""
    return xp.array(xp.broadcast_to(array, shape), order="C").reshape(-1, shape[-1])


def softmax_forward(logits, scale=1.0, bias=None, mask=None):
    """Same contract as ``rowwise_reference.softmax_forward``; ``logits`` is overwritten."""
    xp = _array_module(logits)
    z = logits.reshape(-1, logits.shape[-1])  # (..., S) -> (R, S), a view of the contiguous logits
    rows = z.shape[0]
    # An unused argument still needs an array of its own (the simulator copies each argument back).
    bias_rows = xp.zeros((1, 1), logits.dtype) if bias is None else _rows(xp, xp.asarray(bias, dtype=logits.dtype), logits.shape)
    mask_rows = xp.ones((1, 1), dtype=bool) if mask is None else _rows(xp, xp.asarray(mask, dtype=bool),
                                                                      logits.shape)
    masked_logit = MASKED_LOGIT_FRACTION * float(xp.finfo(logits.dtype).max)
    _launch(_softmax_rows, rows, z, logits.dtype.type(scale), bias_rows, bias is not None, mask_rows,
            mask is not None, logits.dtype.type(masked_logit))
    return logits


def softmax_backward(probabilities, dy, mask=None):
    """Same contract as ``rowwise_reference.softmax_backward``; ``dy`` is overwritten."""
    xp = _array_module(dy)
    rows = dy.reshape(-1, dy.shape[-1])  # (..., S) -> (R, S)
    mask_rows = xp.ones((1, 1), dtype=bool) if mask is None else _rows(xp, xp.asarray(mask, dtype=bool), dy.shape)
    _launch(_softmax_vjp_rows, rows.shape[0], probabilities.reshape(rows.shape), rows, mask_rows, mask is not None)
    return dy


def layer_norm_forward(x, gamma=None, beta=None, epsilon=1e-3):
    """Same contract as ``rowwise_reference.layer_norm_forward``: ``(y, mean, inverse_std)``."""
    xp = _array_module(x)
    R, C = x.shape
    gamma = xp.ones(C, x.dtype) if gamma is None else xp.asarray(gamma, dtype=x.dtype)
    beta = xp.zeros(C, x.dtype) if beta is None else xp.asarray(beta, dtype=x.dtype)
    y, mean, inverse_std = xp.empty_like(x), xp.empty(R, x.dtype), xp.empty(R, x.dtype)
    _launch(_layer_norm_rows, R, xp.ascontiguousarray(x), gamma, beta, x.dtype.type(epsilon), y, mean, inverse_std)
    return y, mean, inverse_std


def layer_norm_backward(x, dy, mean, inverse_std, gamma=None):
    """Same contract as ``rowwise_reference.layer_norm_backward``: ``(dx, dgamma, dbeta)``."""
    xp = _array_module(x)
    R, C = x.shape
    x, dy = xp.ascontiguousarray(x), xp.ascontiguousarray(dy)
    gamma = xp.ones(C, x.dtype) if gamma is None else xp.asarray(gamma, dtype=x.dtype)
    dx, dgamma, dbeta = xp.empty_like(x), xp.empty(C, x.dtype), xp.empty(C, x.dtype)
    _launch(_layer_norm_vjp_rows, R, x, dy, mean, inverse_std, gamma, dx)
    _launch(_layer_norm_parameter_gradients, C, x, dy, mean, inverse_std, dgamma, dbeta)
    return dx, dgamma, dbeta
