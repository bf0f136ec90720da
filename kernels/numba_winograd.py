"""3x3 convolution on the CPU by Winograd F(2x2, 3x3): transforms in Numba, products in BLAS.

Place in the stack: ``kernels/``. Read ``winograd_reference.py`` first: it
defines the four transforms and why the algorithm needs 2.25 times fewer
multiplications than im2col (``numba_conv.py``). Here each transform is one
Numba loop that writes the 16 values of a tile in straight-line code (the
matrices have only 0 and +-1 entries, and the filter's 0.5 is applied once
to the small kernel), and the 16 matrix products per step are one stacked
``np.matmul`` (BLAS once per position ``xi``).

``numba_cpu.py`` sends a convolution here when its kernel is 3x3 with
stride 1 and no dilation, and the input has enough channels for the products
to dominate; all other convolutions stay on im2col. The functions take the
same arguments as ``reference.conv_*`` minus strides and dilation.

As in ``numba_conv.py``, the batch is processed in blocks of images whose
transformed tiles fit in ``BLOCK_BYTES``, buffers reused by every block, so
that a block's tiles are still in cache when BLAS reads them. Read next:
``numba_pool.py``.
"""

import numpy as np
from numba import njit
from numba import prange

from minikeras.kernels.winograd_reference import filter_transform
from minikeras.kernels.winograd_reference import filter_transform_t

# Size of one block's transformed tiles (the larger of V and M). A sweep on
# the guide's second layer (2 cores, batch 128) is in bench/RESULTS.md.
BLOCK_BYTES = 32 * 2**20


@njit(parallel=True, cache=True)
def input_transform(xpad, start, stop, TH, TW, V):
    """``V = B_T d B_T.T`` for the tiles of images ``start:stop``.

    Args:
        xpad: ``(N, 2*TH + 2, 2*TW + 2, C)``, C-contiguous.
        V: output buffer, at least ``(16, (stop-start)*TH*TW, C)``.
    """
    C = xpad.shape[3]
    for r in prange((stop - start) * TH):  # one (image, row of tiles) per iteration
        n, h = start + r // TH, 2 * (r % TH)
        for tw in range(TW):
            p, w = r * TW + tw, 2 * tw
            for c in range(C):
                # 1. Rows: t = B_T d, row by row of the 4x4 tile.
                t00 = xpad[n, h, w, c] - xpad[n, h + 2, w, c]
                t01 = xpad[n, h, w + 1, c] - xpad[n, h + 2, w + 1, c]
                t02 = xpad[n, h, w + 2, c] - xpad[n, h + 2, w + 2, c]
                t03 = xpad[n, h, w + 3, c] - xpad[n, h + 2, w + 3, c]
                t10 = xpad[n, h + 1, w, c] + xpad[n, h + 2, w, c]
                t11 = xpad[n, h + 1, w + 1, c] + xpad[n, h + 2, w + 1, c]
                t12 = xpad[n, h + 1, w + 2, c] + xpad[n, h + 2, w + 2, c]
                t13 = xpad[n, h + 1, w + 3, c] + xpad[n, h + 2, w + 3, c]
                t20 = xpad[n, h + 2, w, c] - xpad[n, h + 1, w, c]
                t21 = xpad[n, h + 2, w + 1, c] - xpad[n, h + 1, w + 1, c]
                t22 = xpad[n, h + 2, w + 2, c] - xpad[n, h + 1, w + 2, c]
                t23 = xpad[n, h + 2, w + 3, c] - xpad[n, h + 1, w + 3, c]
                t30 = xpad[n, h + 1, w, c] - xpad[n, h + 3, w, c]
                t31 = xpad[n, h + 1, w + 1, c] - xpad[n, h + 3, w + 1, c]
                t32 = xpad[n, h + 1, w + 2, c] - xpad[n, h + 3, w + 2, c]
                t33 = xpad[n, h + 1, w + 3, c] - xpad[n, h + 3, w + 3, c]
                # 2. Columns: V = t B_T.T, one row of t gives four values.
                V[0, p, c], V[1, p, c], V[2, p, c], V[3, p, c] = t00 - t02, t01 + t02, t02 - t01, t01 - t03
                V[4, p, c], V[5, p, c], V[6, p, c], V[7, p, c] = t10 - t12, t11 + t12, t12 - t11, t11 - t13
                V[8, p, c], V[9, p, c], V[10, p, c], V[11, p, c] = t20 - t22, t21 + t22, t22 - t21, t21 - t23
                V[12, p, c], V[13, p, c], V[14, p, c], V[15, p, c] = t30 - t32, t31 + t32, t32 - t31, t31 - t33


@njit(parallel=True, cache=True)
def input_transform_t(dV, start, stop, TH, TW, dxpad):
    """Adds each tile's ``B_T.T dV B_T`` onto ``dxpad`` (images ``start:stop``).

    Neighbouring tiles share two rows or columns, so one image's tiles are
    added one after the other (a fixed order: the same sums every run);
    images are independent and run in parallel.
    """
    C = dV.shape[2]
    for b in prange(stop - start):
        n = start + b
        for th in range(TH):
            for tw in range(TW):
                p, h, w = (b * TH + th) * TW + tw, 2 * th, 2 * tw
                for c in range(C):
                    # 1. Rows: s = B_T.T dV, one row of s per row i of the tile.
                    s00, s01, s02, s03 = dV[0, p, c], dV[1, p, c], dV[2, p, c], dV[3, p, c]
                    s10 = dV[4, p, c] - dV[8, p, c] + dV[12, p, c]
                    s11 = dV[5, p, c] - dV[9, p, c] + dV[13, p, c]
                    s12 = dV[6, p, c] - dV[10, p, c] + dV[14, p, c]
                    s13 = dV[7, p, c] - dV[11, p, c] + dV[15, p, c]
                    s20 = dV[4, p, c] + dV[8, p, c] - dV[0, p, c]
                    s21 = dV[5, p, c] + dV[9, p, c] - dV[1, p, c]
                    s22 = dV[6, p, c] + dV[10, p, c] - dV[2, p, c]
                    s23 = dV[7, p, c] + dV[11, p, c] - dV[3, p, c]
                    s30, s31, s32, s33 = -dV[12, p, c], -dV[13, p, c], -dV[14, p, c], -dV[15, p, c]
                    # 2. Columns: dd = s B_T; row (s0, s1, s2, s3) adds (s0, s1 - s2 + s3, s1 + s2 - s0, -s3).
                    dxpad[n, h, w, c] += s00
                    dxpad[n, h, w + 1, c] += s01 - s02 + s03
                    dxpad[n, h, w + 2, c] += s01 + s02 - s00
                    dxpad[n, h, w + 3, c] -= s03
                    dxpad[n, h + 1, w, c] += s10
                    dxpad[n, h + 1, w + 1, c] += s11 - s12 + s13
                    dxpad[n, h + 1, w + 2, c] += s11 + s12 - s10
                    dxpad[n, h + 1, w + 3, c] -= s13
                    dxpad[n, h + 2, w, c] += s20
                    dxpad[n, h + 2, w + 1, c] += s21 - s22 + s23
                    dxpad[n, h + 2, w + 2, c] += s21 + s22 - s20
                    dxpad[n, h + 2, w + 3, c] -= s23
                    dxpad[n, h + 3, w, c] += s30
                    dxpad[n, h + 3, w + 1, c] += s31 - s32 + s33
                    dxpad[n, h + 3, w + 2, c] += s31 + s32 - s30
                    dxpad[n, h + 3, w + 3, c] -= s33


@njit(parallel=True, cache=True)
def output_transform(M, start, stop, TH, TW, y):
    """``y = A_T M A_T.T`` for the tiles of images ``start:stop``, cropped to ``y``.

    Args:
        M: ``(16, >= (stop-start)*TH*TW, F)``.
        y: output ``(N, OH, OW, F)``; a last tile may stick out by a row or a column.
    """
    OH, OW, F = y.shape[1], y.shape[2], y.shape[3]
    for r in prange((stop - start) * TH):
        n, h = start + r // TH, 2 * (r % TH)
        for tw in range(TW):
            p, w = r * TW + tw, 2 * tw
            for f in range(F):
                # 1. Rows: u = A_T M, two rows of four.
                u00 = M[0, p, f] + M[4, p, f] + M[8, p, f]
                u01 = M[1, p, f] + M[5, p, f] + M[9, p, f]
                u02 = M[2, p, f] + M[6, p, f] + M[10, p, f]
                u03 = M[3, p, f] + M[7, p, f] + M[11, p, f]
                u10 = M[4, p, f] - M[8, p, f] - M[12, p, f]
                u11 = M[5, p, f] - M[9, p, f] - M[13, p, f]
                u12 = M[6, p, f] - M[10, p, f] - M[14, p, f]
                u13 = M[7, p, f] - M[11, p, f] - M[15, p, f]
                # 2. Columns: y = u A_T.T, written where the output has cells.
                y[n, h, w, f] = u00 + u01 + u02
                if w + 1 < OW:
                    y[n, h, w + 1, f] = u01 - u02 - u03
                if h + 1 < OH:
                    y[n, h + 1, w, f] = u10 + u11 + u12
                    if w + 1 < OW:
                        y[n, h + 1, w + 1, f] = u11 - u12 - u13


@njit(parallel=True, cache=True)
def output_transform_t(dy, start, stop, TH, TW, dM):
    """``dM = A_T.T dy_tile A_T`` for the tiles of images ``start:stop``.

    Args:
        dy: ``(N, 2*TH, 2*TW, F)``: the output gradient, with a row or column
            of zeros added where the output size is odd (see :func:`pad_for_tiles`).
        dM: output buffer, at least ``(16, (stop-start)*TH*TW, F)``.
    """
    F = dy.shape[3]
    for r in prange((stop - start) * TH):
        n, h = start + r // TH, 2 * (r % TH)
        for tw in range(TW):
            p, w = r * TW + tw, 2 * tw
            for f in range(F):
                y00, y01 = dy[n, h, w, f], dy[n, h, w + 1, f]
                y10, y11 = dy[n, h + 1, w, f], dy[n, h + 1, w + 1, f]
                # 1. Rows: A_T.T dy_tile, four rows of two: (y0, y0 + y1, y0 - y1, -y1).
                s0, s1 = y00 + y10, y01 + y11
                d0, d1 = y00 - y10, y01 - y11
                # 2. Columns: times A_T, each row (r0, r1) gives (r0, r0 + r1, r0 - r1, -r1).
                dM[0, p, f], dM[1, p, f], dM[2, p, f], dM[3, p, f] = y00, y00 + y01, y00 - y01, -y01
                dM[4, p, f], dM[5, p, f], dM[6, p, f], dM[7, p, f] = s0, s0 + s1, s0 - s1, -s1
                dM[8, p, f], dM[9, p, f], dM[10, p, f], dM[11, p, f] = d0, d0 + d1, d0 - d1, -d1
                dM[12, p, f], dM[13, p, f], dM[14, p, f], dM[15, p, f] = -y10, -y10 - y11, y11 - y10, y11


def tile_grid(input_shape, padding):
    """``(OH, OW, TH, TW)``: the output size and the grid of 2x2 output tiles."""
    (top, bottom), (left, right) = padding
    OH = input_shape[1] + top + bottom - 2
    OW = input_shape[2] + left + right - 2
    return OH, OW, (OH + 1) // 2, (OW + 1) // 2


def pad_for_tiles(x, padding, TH, TW):
    """Zero cells around ``x`` so that the tiles cover it: ``(N, 2*TH + 2, 2*TW + 2, C)``.

    The requested padding goes first; a last row or column of zeros is added
    when the output size is odd (that tile's extra outputs are cropped).
    """
    (top, _), (left, _) = padding
    bottom = 2 * TH + 2 - x.shape[1] - top
    right = 2 * TW + 2 - x.shape[2] - left
    if top == bottom == left == right == 0:
        return np.ascontiguousarray(x)
    return np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))


def pad_output_for_tiles(dy, TH, TW):
    """A row or column of zeros after ``dy`` where the output size is odd: ``(N, 2*TH, 2*TW, F)``."""
    bottom, right = 2 * TH - dy.shape[1], 2 * TW - dy.shape[2]
    if bottom == right == 0:
        return np.ascontiguousarray(dy)
    return np.pad(dy, ((0, 0), (0, bottom), (0, right), (0, 0)))


def _blocks(n_images, tiles_per_image, tile_bytes):
    """Splits the batch into blocks whose ``(16, P, channels)`` buffers fit in ``BLOCK_BYTES``.

    Returns:
        ``(images_per_block, [(start, stop), ...])``.
    """
    per_block = max(1, min(n_images, BLOCK_BYTES // max(1, 16 * tiles_per_image * tile_bytes)))
    return per_block, [(start, min(start + per_block, n_images)) for start in range(0, n_images, per_block)]


def conv_forward(x, kernel, padding):
    """As ``reference.conv_forward`` with stride 1 and no dilation: returns ``(N, OH, OW, F)``.

    Args:
        x: ``(N, H, W, C)``.
        kernel: ``(3, 3, C, F)``.
        padding: ``((top, bottom), (left, right))``.
    """
    N, C, F = x.shape[0], x.shape[3], kernel.shape[3]
    OH, OW, TH, TW = tile_grid(x.shape, padding)
    xpad = pad_for_tiles(x, padding, TH, TW)
    U = filter_transform(kernel.astype(x.dtype, copy=False))  # (16, C, F)
    y = np.empty((N, OH, OW, F), dtype=x.dtype)
    per_block, blocks = _blocks(N, TH * TW, max(C, F) * x.itemsize)
    V = np.empty((16, per_block * TH * TW, C), dtype=x.dtype)
    M = np.empty((16, per_block * TH * TW, F), dtype=x.dtype)
    for start, stop in blocks:
        P = (stop - start) * TH * TW
        input_transform(xpad, start, stop, TH, TW, V)
        np.matmul(V[:, :P], U, out=M[:, :P])  # 16 x (P, C) @ (C, F)
        output_transform(M, start, stop, TH, TW, y)
    return y


def conv_backward(x, dy, kernel, padding, need_input=True, need_kernel=True):
    """Both gradients in one pass over the tiles: ``(dx or None, dkernel or None)``.

    Args:
        x: the forward input ``(N, H, W, C)``; dy: ``(N, OH, OW, F)``.
        kernel: ``(3, 3, C, F)``; padding: ``((top, bottom), (left, right))``.
        need_input, need_kernel: which gradients to compute.
    """
    dx, dkernel = _backward(dy, kernel, x.shape, padding, x if need_kernel else None, need_input)
    return dx, dkernel


def conv_backward_input(dy, kernel, input_shape, padding):
    """As ``reference.conv_backward_input`` with stride 1 and no dilation: dx ``(N, H, W, C)``."""
    return _backward(dy, kernel, input_shape, padding, None, True)[0]


def conv_backward_kernel(x, dy, kernel_shape, padding):
    """As ``reference.conv_backward_kernel`` with stride 1 and no dilation: dkernel ``(3, 3, C, F)``."""
    return _backward(dy, None, x.shape, padding, x, False)[1]


def _backward(dy, kernel, input_shape, padding, x, need_input):
    """dx if ``need_input`` (then ``kernel`` is read), dkernel if ``x`` is given: ``(dx or None, dkernel or None)``.

    The transformed output gradient ``dM`` serves both products, so each
    block computes it once. The input tiles ``V`` are transformed again rather
    than kept from the forward pass (one cheap pass over ``x``, and the
    kernels stay free of state); ``V`` and ``dV`` share one buffer.
    """
    # 1. Shapes, padded arrays, the transformed filter (transposed for dV).
    N, C, F = input_shape[0], input_shape[3], dy.shape[3]
    _, _, TH, TW = tile_grid(input_shape, padding)
    dtype = dy.dtype if x is None else x.dtype
    dy = pad_output_for_tiles(dy.astype(dtype, copy=False), TH, TW)
    xpad = None if x is None else pad_for_tiles(x, padding, TH, TW)
    dxpad = np.zeros((N, 2 * TH + 2, 2 * TW + 2, C), dtype=dtype) if need_input else None
    if need_input:
        U_t = np.ascontiguousarray(filter_transform(kernel.astype(dtype, copy=False)).transpose(0, 2, 1))  # (16, F, C)
    dU = None if x is None else np.zeros((16, C, F), dtype=dtype)
    # 2. Per block: dM once; dx's product and scatter; dkernel's product.
    per_block, blocks = _blocks(N, TH * TW, max(C, F) * np.dtype(dtype).itemsize)
    dM = np.empty((16, per_block * TH * TW, F), dtype=dtype)
    tiles = np.empty((16, per_block * TH * TW, C), dtype=dtype)  # dV, then V
    for start, stop in blocks:
        P = (stop - start) * TH * TW
        output_transform_t(dy, start, stop, TH, TW, dM)
        if need_input:
            np.matmul(dM[:, :P], U_t, out=tiles[:, :P])  # dV: 16 x (P, F) @ (F, C)
            input_transform_t(tiles, start, stop, TH, TW, dxpad)
        if x is not None:
            input_transform(xpad, start, stop, TH, TW, tiles)  # V
            dU += np.matmul(tiles[:, :P].transpose(0, 2, 1), dM[:, :P])  # 16 x (C, P) @ (P, F)
    # 3. Undo the padding and the filter transform.
    (top, _), (left, _) = padding
    dx = dxpad[:, top : top + input_shape[1], left : left + input_shape[2]] if need_input else None
    return dx, (None if x is None else filter_transform_t(dU))
