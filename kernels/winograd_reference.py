"""Winograd's minimal filtering F(2x2, 3x3): the definitions, in NumPy.

Place in the stack: ``kernels/``, beside ``reference.py``. The fast version,
``numba_winograd.py``, must give the same numbers (``tests/kernels/``
checks each transform). Read this file first, then that one.

Why: a 3x3 convolution computes each output cell with 9 products per input
channel. Winograd (and Lavin & Gray, 2015, for deep learning) computes a
2x2 block of outputs from a 4x4 block of input ("a tile") with 16 products
instead of 36, after cheap additions. In one dimension, F(2, 3) turns four
inputs ``d`` and a 3-tap filter ``g`` into two outputs with four products:

    y = A_T @ ((G @ g) * (B_T @ d))            (* is elementwise)

    y0 = d0*g0 + d1*g1 + d2*g2                 what the convolution asks
    y1 = d1*g0 + d2*g1 + d3*g2

In two dimensions the same matrices act on rows and on columns:

    V = B_T @ d @ B_T.T     the input tile,  4x4, per input channel c
    U = G @ g @ G.T         the filter,      4x4, per (c, f)
    M = U * V, summed over c                 4x4, per filter f
    y = A_T @ M @ A_T.T     the output tile, 2x2

Summing ``U * V`` over the channels is, for each of the 16 positions
``xi = (a, b)`` of the 4x4 tile, one matrix product over all tiles:
``M[xi] (P, F) = V[xi] (P, C) @ U[xi] (C, F)``, with P the number of tiles.
So the convolution becomes 16 matrix products: 16 products per tile and
pair (c, f), where the direct way needs 4 outputs x 9 = 36: 2.25 times fewer.

The gradients follow from one fact: each transform is linear, so its
vector-Jacobian product is its transpose. Backwards through the four steps:

    dM = A_T.T @ dy_tile @ A_T       (output_transform_t)
    dV[xi] = dM[xi] @ U[xi].T         gradient wrt the input tiles
    dU[xi] = V[xi].T @ dM[xi]         gradient wrt the transformed filter
    dx += B_T.T @ dV @ B_T            (input_transform_t; tiles overlap, so add)
    dg = G.T @ dU @ G                 (filter_transform_t)

Layout (all channels-last): tiles are numbered ``p = (n * TH + th) * TW + tw``
for a grid of TH x TW tiles per image; tile ``(th, tw)`` reads the padded
input at rows ``2*th .. 2*th + 3`` and writes output rows ``2*th, 2*th + 1``.
Transformed arrays are ``(16, P, channels)``, position ``xi = 4 * a + b``
first, so that ``V[xi]`` is a contiguous matrix for BLAS.
"""

import numpy as np

# The F(2, 3) matrices (Lavin & Gray, eq. 7).
B_T = np.array([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]], dtype=np.float64)
G = np.array([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]], dtype=np.float64)
A_T = np.array([[1, 1, 1, 0], [0, 1, -1, -1]], dtype=np.float64)


def filter_transform(kernel):
    """``U = G g G.T`` for every (c, f).

    Args:
        kernel: ``(3, 3, C, F)``.
    Returns:
        ``(16, C, F)``, same dtype.
    """
    C, F = kernel.shape[2], kernel.shape[3]
    # Two matrix products, rows then columns (one three-operand einsum runs a
    # slow nested loop): (4, 3) @ (3, 3*C*F), then (4, 3) @ (3, C*F) per row.
    G_ = G.astype(kernel.dtype)  # float32 kernels stay float32
    rows = (G_ @ kernel.reshape(3, 3 * C * F)).reshape(4, 3, C * F)  # G g: (4, 3, C*F)
    U = np.matmul(G_, rows)  # (G g) G.T, per row a: (4, 3) @ (3, C*F) -> (4, 4, C*F)
    return np.ascontiguousarray(U.reshape(16, C, F), dtype=kernel.dtype)


def filter_transform_t(dU):
    """The transpose of :func:`filter_transform`: ``dg = G.T dU G``.

    Args:
        dU: ``(16, C, F)``.
    Returns:
        ``(3, 3, C, F)``.
    """
    C, F = dU.shape[1], dU.shape[2]
    G_T = G.T.astype(dU.dtype)
    rows = (G_T @ dU.reshape(4, 4 * C * F)).reshape(3, 4, C * F)  # G.T dU: (3, 4, C*F)
    dg = np.matmul(G_T, rows)  # (G.T dU) G, per row i: (3, 4) @ (4, C*F) -> (3, 3, C*F)
    return dg.reshape(3, 3, C, F).astype(dU.dtype)


def input_tiles(xpad, TH, TW):
    """The overlapping 4x4 tiles of a padded input.

    Args:
        xpad: ``(N, 2*TH + 2, 2*TW + 2, C)``.
    Returns:
        ``(N, TH, TW, 4, 4, C)``; ``[n, th, tw, i, j]`` is ``xpad[n, 2*th + i, 2*tw + j]``.
    """
    N, C = xpad.shape[0], xpad.shape[3]
    d = np.empty((N, TH, TW, 4, 4, C), dtype=xpad.dtype)
    for i in range(4):
        for j in range(4):
            d[:, :, :, i, j] = xpad[:, i : i + 2 * TH : 2, j : j + 2 * TW : 2]
    return d


def input_transform(xpad, TH, TW):
    """``V = B_T d B_T.T`` for every tile and channel.

    Args:
        xpad: ``(N, 2*TH + 2, 2*TW + 2, C)``.
    Returns:
        V ``(16, N*TH*TW, C)``.
    """
    V = np.einsum("ai,ntwijc,bj->abntwc", B_T, input_tiles(xpad, TH, TW), B_T)
    return V.reshape(16, -1, xpad.shape[3])  # (4, 4, N, TH, TW, C) -> (16, P, C)


def input_transform_t(dV, N, TH, TW):
    """The transpose of :func:`input_transform`: each tile's ``B_T.T dV B_T``, added back.

    Args:
        dV: ``(16, N*TH*TW, C)``.
    Returns:
        dxpad ``(N, 2*TH + 2, 2*TW + 2, C)``; cells shared by two tiles get both parts.
    """
    C = dV.shape[2]
    dV = dV.reshape(4, 4, N, TH, TW, C)
    dd = np.einsum("ai,abntwc,bj->ntwijc", B_T, dV, B_T)  # (N, TH, TW, 4, 4, C)
    dxpad = np.zeros((N, 2 * TH + 2, 2 * TW + 2, C), dtype=dV.dtype)
    for i in range(4):
        for j in range(4):
            dxpad[:, i : i + 2 * TH : 2, j : j + 2 * TW : 2] += dd[:, :, :, i, j]
    return dxpad


def output_transform(M, N, TH, TW, OH, OW):
    """``y = A_T M A_T.T`` for every tile and filter, cropped to the output.

    Args:
        M: ``(16, N*TH*TW, F)``.
        OH, OW: the output size (``2*TH - 1`` or ``2*TH`` rows; likewise columns).
    Returns:
        y ``(N, OH, OW, F)``.
    """
    F = M.shape[2]
    Y = np.einsum("ia,abntwf,jb->ntiwjf", A_T, M.reshape(4, 4, N, TH, TW, F), A_T)
    return Y.reshape(N, 2 * TH, 2 * TW, F)[:, :OH, :OW]  # (N, TH, 2, TW, 2, F) -> rows, columns


def output_transform_t(dy, TH, TW):
    """The transpose of :func:`output_transform`: ``dM = A_T.T dy_tile A_T``.

    Args:
        dy: ``(N, OH, OW, F)``; cells beyond OH, OW in the last tiles count as zero.
    Returns:
        dM ``(16, N*TH*TW, F)``.
    """
    N, OH, OW, F = dy.shape
    full = np.zeros((N, 2 * TH, 2 * TW, F), dtype=dy.dtype)
    full[:, :OH, :OW] = dy
    tiles = full.reshape(N, TH, 2, TW, 2, F)  # [n, th, i, tw, j] = full[n, 2*th + i, 2*tw + j]
    dM = np.einsum("ia,ntiwjf,jb->abntwf", A_T, tiles, A_T)
    return dM.reshape(16, -1, F)
