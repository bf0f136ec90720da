"""Convolution as one matrix product, in NumPy: im2col with ``sliding_window_view``.

Place in the stack: ``kernels/``, the second step of the conv chapter:
``reference.py`` (loops over output positions) -> this file (one matrix
product) -> ``numba_conv.py`` (the same, with Numba and BLAS, in blocks) ->
``winograd_reference.py`` and ``numba_winograd.py`` (fewer products). It
computes the numbers of ``reference.conv_forward`` and
``reference.conv_backward``; select it with
``minikeras.config.kernels(conv_algorithm="numpy")`` (or
``MINIKERAS_CONV_ALGORITHM=numpy``) to watch a model run on it.

The reference loop does, for every output position ``(oh, ow)``, one small
product ``window (N, KH*KW*C) @ kernel (KH*KW*C, F)``. All those windows
can be laid out as the rows of one matrix first ("image to columns"):

    cols  (N*OH*OW, KH*KW*C)     row r = the window of output position r
    y     = cols @ kernel.reshape(KH*KW*C, F)          one product, forward
    dw    = cols.T @ dz.reshape(N*OH*OW, F)            gradient wrt the kernel
    dcols = dz.reshape(N*OH*OW, F) @ kernel.reshape(KH*KW*C, F).T
    dx    = each row of dcols added back onto its window ("col2im")

``numpy.lib.stride_tricks.sliding_window_view`` gives every window of the
padded input as a view, without copying: ``(N, OH', OW', C, spanH, spanW)``
for every position; slicing with the strides and dilations keeps the ones
the convolution reads. Only the reshape into ``cols`` copies, and that copy
holds each input cell KH*KW times: 170 MB for the guide's second layer at
batch 128, which is why ``numba_conv.py`` fills ``cols`` one block of images
at a time. Read next: ``numba_conv.py``.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def _windows(x, kernel_shape, strides, padding, dilation):
    """Every window the convolution reads, as a view ``(N, OH, OW, KH, KW, C)`` of the padded input."""
    KH, KW = kernel_shape[0], kernel_shape[1]
    (SH, SW), (DH, DW) = strides, dilation
    xpad = np.pad(x, ((0, 0),) + tuple(padding) + ((0, 0),))
    span = ((KH - 1) * DH + 1, (KW - 1) * DW + 1)  # the cells a dilated window covers
    every = sliding_window_view(xpad, span, axis=(1, 2))  # (N, H', W', C, spanH, spanW), one per position
    kept = every[:, ::SH, ::SW, :, ::DH, ::DW]  # the positions and taps the convolution uses
    return kept.transpose(0, 1, 2, 4, 5, 3)  # (N, OH, OW, C, KH, KW) -> (N, OH, OW, KH, KW, C)


def conv_forward(x, kernel, bias=None, relu=False, strides=(1, 1), padding=((0, 0), (0, 0)), dilation=(1, 1)):
    """Same contract as ``reference.conv_forward``: ``(N, H, W, C)`` -> ``(N, OH, OW, F)``."""
    KH, KW, C, F = kernel.shape
    windows = _windows(x, kernel.shape, strides, padding, dilation)
    N, OH, OW = windows.shape[:3]
    cols = windows.reshape(N * OH * OW, KH * KW * C)  # the one copy: (N*OH*OW, KH*KW*C)
    y = cols @ kernel.reshape(KH * KW * C, F).astype(x.dtype, copy=False)  # (N*OH*OW, F)
    if bias is not None:
        y += bias
    if relu:
        np.maximum(y, 0, out=y)
    return y.reshape(N, OH, OW, F)


def conv_backward(x, y, dy, kernel, relu=False, strides=(1, 1), padding=((0, 0), (0, 0)), dilation=(1, 1),
                  need_input=True, need_kernel=True):
    """Same contract as ``reference.conv_backward``: ``(dx or None, dkernel or None, dbias)``."""
    # 1. Through the ReLU and the bias, as in the reference.
    KH, KW, C, F = kernel.shape
    dz = dy * (y > 0) if relu else dy
    dz_rows = dz.reshape(-1, F)  # (N, OH, OW, F) -> (N*OH*OW, F)
    dx = dkernel = None
    # 2. dkernel: one product with the same columns as the forward pass.
    if need_kernel:
        cols = _windows(x, kernel.shape, strides, padding, dilation).reshape(-1, KH * KW * C)
        dkernel = (cols.T @ dz_rows).reshape(kernel.shape)  # (KH*KW*C, N*OH*OW) @ (N*OH*OW, F)
    # 3. dx: one product gives every window's gradient, then each is added back where it was read.
    if need_input:
        N, OH, OW = dz.shape[:3]
        dcols = (dz_rows @ kernel.reshape(KH * KW * C, F).T).reshape(N, OH, OW, KH, KW, C)
        (top, bottom), (left, right) = padding
        (SH, SW), (DH, DW) = strides, dilation
        dxpad = np.zeros((N, x.shape[1] + top + bottom, x.shape[2] + left + right, C), dtype=dcols.dtype)
        for i in range(KH):  # tap (i, j) of every window reads rows i*DH + oh*SH, columns j*DW + ow*SW
            for j in range(KW):
                rows = slice(i * DH, i * DH + (OH - 1) * SH + 1, SH)
                columns = slice(j * DW, j * DW + (OW - 1) * SW + 1, SW)
                dxpad[:, rows, columns, :] += dcols[:, :, :, i, j, :]  # (N, OH, OW, C)
        dx = dxpad[:, top : top + x.shape[1], left : left + x.shape[2], :].copy()  # padded cells get no gradient
    return dx, dkernel, dz_rows.sum(axis=0)
