"""Max and average pooling on the CPU with Numba, parallel over the batch.

Place in the stack: ``kernels/``, beside ``reference.py`` (same functions,
same numbers). Each image is independent: each kernel loops over the
images ``first:last`` and ``runtime.run_parallel`` gives each thread its
share of the batch (``runtime.py`` says why not ``prange``). Inside, the
loops run over output cells, then window cells, then channels last, the
contiguous axis of channels-last arrays. Read next:
``numba_matmul.py``.
"""

import numpy as np
from numba import njit

from minikeras.kernels import runtime
from minikeras.kernels.geometry import output_size

runtime.load_tbb()  # before Numba starts its threads (run_parallel asks their count), whatever NUMBA_THREADING_LAYER says


@njit(nogil=True, cache=True)
def _max_pool_forward(x, geometry, y, argmax, first, last):
    """Fills ``y`` and ``argmax`` (flat index ``h * W + w``) of images ``first:last``, first maximum wins."""
    PH, PW, SH, SW, top, left, OH, OW = geometry
    H, W, C = x.shape[1], x.shape[2], x.shape[3]
    for n in range(first, last):
        for oh in range(OH):
            for ow in range(OW):
                for c in range(C):
                    y[n, oh, ow, c] = -np.inf
                    argmax[n, oh, ow, c] = -1
                for i in range(PH):
                    h = oh * SH + i - top
                    if h < 0 or h >= H:
                        continue  # padded cells are never the maximum
                    for j in range(PW):
                        w = ow * SW + j - left
                        if w < 0 or w >= W:
                            continue
                        index = h * W + w
                        for c in range(C):
                            # Strictly greater: a tie keeps the earlier cell. A NaN wins
                            # once, as NumPy's argmax lets it. ``|`` and the two
                            # ``if ... else`` (selects, no branch) let LLVM vectorise over c.
                            value, best, chosen = x[n, h, w, c], y[n, oh, ow, c], argmax[n, oh, ow, c]
                            take = (value > best) | (chosen < 0) | ((value != value) & (best == best))
                            y[n, oh, ow, c] = value if take else best
                            argmax[n, oh, ow, c] = index if take else chosen


@njit(nogil=True, cache=True)
def _max_pool_values(x, geometry, y, first, last):
    """Fills ``y`` only (images ``first:last``): ``_max_pool_forward`` without the argmax, for inference."""
    PH, PW, SH, SW, top, left, OH, OW = geometry
    H, W, C = x.shape[1], x.shape[2], x.shape[3]
    for n in range(first, last):
        for oh in range(OH):
            for ow in range(OW):
                for c in range(C):
                    y[n, oh, ow, c] = -np.inf
                first = True  # the window's first real cell is taken whatever it holds (a NaN too)
                for i in range(PH):
                    h = oh * SH + i - top
                    if h < 0 or h >= H:
                        continue
                    for j in range(PW):
                        w = ow * SW + j - left
                        if w < 0 or w >= W:
                            continue
                        for c in range(C):
                            value, best = x[n, h, w, c], y[n, oh, ow, c]
                            take = first | (value > best) | ((value != value) & (best == best))
                            y[n, oh, ow, c] = value if take else best
                        first = False


@njit(nogil=True, cache=True)
def _max_pool_backward(dy, argmax, dx, first, last):
    """dx (N, H*W, C) += dy at each saved argmax, images ``first:last``."""
    for n in range(first, last):
        for oh in range(dy.shape[1]):
            for ow in range(dy.shape[2]):
                for c in range(dy.shape[3]):
                    dx[n, argmax[n, oh, ow, c], c] += dy[n, oh, ow, c]


@njit(nogil=True, cache=True)
def _average_pool_forward(x, geometry, y, first, last):
    """y (zeros) += each real cell of a window / the number of real cells, images ``first:last``."""
    PH, PW, SH, SW, top, left, OH, OW = geometry
    H, W, C = x.shape[1], x.shape[2], x.shape[3]
    for n in range(first, last):
        for oh in range(OH):
            h0, h1 = max(oh * SH - top, 0), min(oh * SH - top + PH, H)  # the real rows
            for ow in range(OW):
                w0, w1 = max(ow * SW - left, 0), min(ow * SW - left + PW, W)
                scale = 1.0 / ((h1 - h0) * (w1 - w0))
                for h in range(h0, h1):
                    for w in range(w0, w1):
                        for c in range(C):
                            y[n, oh, ow, c] += x[n, h, w, c] * scale


@njit(nogil=True, cache=True)
def _average_pool_backward(dy, geometry, dx, first, last):
    """dx (zeros) += dy / count on each real cell of the window: the same walk, reversed (images ``first:last``)."""
    PH, PW, SH, SW, top, left, OH, OW = geometry
    H, W, C = dx.shape[1], dx.shape[2], dx.shape[3]
    for n in range(first, last):
        for oh in range(OH):
            h0, h1 = max(oh * SH - top, 0), min(oh * SH - top + PH, H)
            for ow in range(OW):
                w0, w1 = max(ow * SW - left, 0), min(ow * SW - left + PW, W)
                scale = 1.0 / ((h1 - h0) * (w1 - w0))
                for h in range(h0, h1):
                    for w in range(w0, w1):
                        for c in range(C):
                            dx[n, h, w, c] += dy[n, oh, ow, c] * scale


def _geometry(input_shape, pool_size, strides, padding):
    """``(PH, PW, SH, SW, top, left, OH, OW)``."""
    _, H, W, _ = input_shape
    OH = output_size(H, pool_size[0], strides[0], *padding[0])
    OW = output_size(W, pool_size[1], strides[1], *padding[1])
    return (pool_size[0], pool_size[1], strides[0], strides[1], padding[0][0], padding[1][0], OH, OW)


def max_pool_forward(x, pool_size, strides, padding, need_argmax=True):
    """Same contract as ``reference.max_pool_forward``: returns ``(y, argmax or None)``."""
    x = np.ascontiguousarray(x)
    geometry = _geometry(x.shape, pool_size, strides, padding)
    out_shape = (x.shape[0], geometry[6], geometry[7], x.shape[3])
    y = np.empty(out_shape, dtype=x.dtype)
    if not need_argmax:
        runtime.run_parallel(_max_pool_values, x.shape[0], x, geometry, y)
        return y, None
    argmax = np.empty(out_shape, dtype=np.int64)
    runtime.run_parallel(_max_pool_forward, x.shape[0], x, geometry, y, argmax)
    return y, argmax


def max_pool_backward(dy, argmax, input_shape):
    """Same contract as ``reference.max_pool_backward``: returns dx ``(N, H, W, C)``."""
    N, H, W, C = input_shape
    dx = np.zeros((N, H * W, C), dtype=dy.dtype)
    runtime.run_parallel(_max_pool_backward, N, np.ascontiguousarray(dy), argmax, dx)
    return dx.reshape(input_shape)


def average_pool_forward(x, pool_size, strides, padding):
    """Same contract as ``reference.average_pool_forward``."""
    x = np.ascontiguousarray(x)
    geometry = _geometry(x.shape, pool_size, strides, padding)
    y = np.zeros((x.shape[0], geometry[6], geometry[7], x.shape[3]), dtype=x.dtype)
    runtime.run_parallel(_average_pool_forward, x.shape[0], x, geometry, y)
    return y


def average_pool_backward(dy, input_shape, pool_size, strides, padding):
    """Same contract as ``reference.average_pool_backward``: returns dx ``(N, H, W, C)``."""
    geometry = _geometry(input_shape, pool_size, strides, padding)
    dx = np.zeros(input_shape, dtype=dy.dtype)
    runtime.run_parallel(_average_pool_backward, input_shape[0], np.ascontiguousarray(dy), geometry, dx)
    return dx
