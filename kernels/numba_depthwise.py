"""Depthwise convolution on the CPU with Numba: the ``depthwise_conv`` family, made fast.

Place in the stack: ``kernels/``, after ``depthwise_reference.py`` (read it
first: same functions, same numbers, checked by
``tests/kernels/test_depthwise_kernels.py``).

Why not im2col and BLAS, as ``numba_conv.py`` does? A depthwise convolution
does not mix channels, so there is no long dot product for BLAS to run: each
output cell is a sum of only ``KH*KW`` products. The loops below do the sums
directly, with the channel loop innermost so that it runs over contiguous
memory and the compiler turns it into SIMD instructions.

For that, the ``M`` filters of a channel are stored *channel last*: the
kernel as ``(KH, KW, M, C)`` and the output as ``(N, OH, OW, M, C)``, so
that every inner loop walks ``C`` contiguous numbers. The layer's layout,
channel ``c*M + m``, is ``(..., C, M)``: one transpose at the end (a free
reshape when ``M == 1``, the usual case).

* forward: one ``prange`` over (image, output row); each output row is
  written by one thread;
* backward: the images are cut into ``CHUNKS`` fixed chunks, one ``prange``
  iteration each; a chunk adds into its own images' ``dx`` and into its own
  partial ``dkernel`` and ``dbias``, which are summed in chunk order at the
  end, so the result does not depend on the number of threads.

Read next: ``numba_pool.py``.
"""

import numpy as np
from numba import njit
from numba import prange

from minikeras.kernels import runtime
from minikeras.kernels.geometry import output_shape

runtime.load_tbb()  # before any parallel kernel runs, whatever NUMBA_THREADING_LAYER says

CHUNKS = 16  # fixed chunks of images in the backward pass (deterministic sums)


@njit(parallel=True, cache=True)
def _forward(x, kernel_mc, geometry, z):
    """z[n, oh, ow, m, c] = sum over the taps (i, j) of x[n, h, w, c] * kernel_mc[i, j, m, c].

    Args:
        x: ``(N, H, W, C)``; kernel_mc: ``(KH, KW, M, C)``.
        geometry: ``(SH, SW, DH, DW, top, left)``.
        z: zeroed output ``(N, OH, OW, M, C)``.
    """
    SH, SW, DH, DW, top, left = geometry
    H, W, C = x.shape[1], x.shape[2], x.shape[3]
    KH, KW, M = kernel_mc.shape[0], kernel_mc.shape[1], kernel_mc.shape[2]
    OH, OW = z.shape[1], z.shape[2]
    for r in prange(z.shape[0] * OH):  # one (image, output row) per iteration
        n, oh = r // OH, r % OH
        for ow in range(OW):
            for i in range(KH):
                h = oh * SH + i * DH - top
                if h < 0 or h >= H:
                    continue  # a padded row: zeros add nothing
                for j in range(KW):
                    w = ow * SW + j * DW - left
                    if w < 0 or w >= W:
                        continue
                    for m in range(M):
                        for c in range(C):
                            z[n, oh, ow, m, c] += x[n, h, w, c] * kernel_mc[i, j, m, c]


@njit(parallel=True, cache=True)
def _backward(x, dz, kernel_mc, geometry, need_input, dx, dkernel_parts, dbias_parts):
    """dx (into ``dx``), and per chunk of images the partial sums of dkernel and dbias.

    Args:
        x: ``(N, H, W, C)``; dz: ``(N, OH, OW, M, C)``; kernel_mc: ``(KH, KW, M, C)``.
        geometry: ``(SH, SW, DH, DW, top, left)``; need_input: whether to write ``dx``.
        dx: zeroed ``(N, H, W, C)``.
        dkernel_parts: zeroed ``(CHUNKS, KH, KW, M, C)``; dbias_parts: zeroed ``(CHUNKS, M, C)``.
    """
    SH, SW, DH, DW, top, left = geometry
    N, H, W, C = x.shape
    KH, KW, M = kernel_mc.shape[0], kernel_mc.shape[1], kernel_mc.shape[2]
    OH, OW = dz.shape[1], dz.shape[2]
    chunks = dkernel_parts.shape[0]
    for b in prange(chunks):
        for n in range(b * N // chunks, (b + 1) * N // chunks):  # this chunk's images
            for oh in range(OH):
                for ow in range(OW):
                    for m in range(M):
                        for c in range(C):
                            dbias_parts[b, m, c] += dz[n, oh, ow, m, c]
                    for i in range(KH):
                        h = oh * SH + i * DH - top
                        if h < 0 or h >= H:
                            continue
                        for j in range(KW):
                            w = ow * SW + j * DW - left
                            if w < 0 or w >= W:
                                continue
                            for m in range(M):
                                for c in range(C):
                                    g = dz[n, oh, ow, m, c]
                                    dkernel_parts[b, i, j, m, c] += x[n, h, w, c] * g
                                    if need_input:
                                        dx[n, h, w, c] += g * kernel_mc[i, j, m, c]


def _geometry(strides, padding, dilation):
    (SH, SW), (DH, DW), ((top, _), (left, _)) = strides, dilation, padding
    return np.array([SH, SW, DH, DW, top, left], dtype=np.int64)


def depthwise_conv_forward(x, kernel, bias=None, relu=False, strides=(1, 1), padding=((0, 0), (0, 0)),
                           dilation=(1, 1)):
    """As ``depthwise_reference.depthwise_conv_forward``: ``(N, H, W, C)``, ``(KH, KW, C, M)`` -> ``(N, OH, OW, C*M)``."""
    KH, KW, C, M = kernel.shape
    N = x.shape[0]
    OH, OW = output_shape(x.shape, (KH, KW), strides, padding, dilation)
    x = np.ascontiguousarray(x)
    kernel_mc = np.ascontiguousarray(kernel.transpose(0, 1, 3, 2))  # (KH, KW, C, M) -> (KH, KW, M, C)
    z = np.zeros((N, OH, OW, M, C), dtype=x.dtype)
    _forward(x, kernel_mc, _geometry(strides, padding, dilation), z)
    y = z.transpose(0, 1, 2, 4, 3).reshape(N, OH, OW, C * M)  # (..., M, C) -> (..., C*M), channel c*M + m
    if bias is not None:
        y += bias
    return np.maximum(y, 0, out=y) if relu else y


def depthwise_conv_backward(x, y, dy, kernel, relu=False, strides=(1, 1), padding=((0, 0), (0, 0)),
                            dilation=(1, 1), need_input=True, need_kernel=True):
    """As ``depthwise_reference.depthwise_conv_backward``: ``(dx or None, dkernel or None, dbias)``."""
    KH, KW, C, M = kernel.shape
    N, OH, OW, _ = dy.shape
    dz = np.where(y > 0, dy, 0).astype(dy.dtype, copy=False) if relu else dy
    dz = np.ascontiguousarray(dz.reshape(N, OH, OW, C, M).transpose(0, 1, 2, 4, 3))  # -> (N, OH, OW, M, C)
    kernel_mc = np.ascontiguousarray(kernel.transpose(0, 1, 3, 2))
    chunks = max(min(CHUNKS, N), 1)
    dx = np.zeros(x.shape, dtype=dy.dtype) if need_input else np.zeros((1, 1, 1, 1), dtype=dy.dtype)
    dkernel_parts = np.zeros((chunks, KH, KW, M, C), dtype=dy.dtype)
    dbias_parts = np.zeros((chunks, M, C), dtype=dy.dtype)
    _backward(np.ascontiguousarray(x), dz, kernel_mc, _geometry(strides, padding, dilation), need_input, dx,
              dkernel_parts, dbias_parts)
    dkernel = dkernel_parts.sum(axis=0).transpose(0, 1, 3, 2).copy() if need_kernel else None  # -> (KH, KW, C, M)
    dbias = dbias_parts.sum(axis=0).T.reshape(C * M)  # (M, C) -> (C*M,)
    return (dx if need_input else None), dkernel, dbias
