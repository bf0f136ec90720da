"""Winograd's minimal filtering F(m x m, 3x3): the definitions, in NumPy.

Place in the stack: ``kernels/``, the fourth step of the conv chapter, after
``reference.py``, ``numpy_im2col.py`` and ``numba_conv.py``; the fast
version, ``numba_winograd.py``, must give the same numbers
(``tests/kernels/`` checks each transform). Read this file first, then that one.

Why: a 3x3 convolution computes each output cell with 9 products per input
channel. Winograd (and Lavin & Gray, 2015, for deep learning) computes an
m x m block of outputs from an (m+2) x (m+2) block of input ("a tile") with
(m+2)**2 products instead of 9 m**2, after cheap additions.

One dimension, F(2, 3), by hand
-------------------------------
Four inputs ``d`` and a 3-tap filter ``g`` give two outputs; the
convolution layer asks (a correlation: no flipped filter)

    y0 = d0*g0 + d1*g1 + d2*g2
    y1 = d1*g0 + d2*g1 + d3*g2             6 products

Winograd computes ``y = A_T @ ((G @ g) * (B_T @ d))`` (``*`` elementwise)
with these matrices, :data:`F2` below:

    B_T = [[-1,  0, 1, 0],     G = [[ -1,    0,   0 ],     A_T = [[1, 1,  1, 0],
           [ 0,  1, 1, 0],          [1/2,  1/2, 1/2],             [0, 1, -1, 1]]
           [ 0, -1, 1, 0],          [1/2, -1/2, 1/2],
           [ 0, -1, 0, 1]]          [  0,    0,   1 ]]

With d = (1, 2, 3, 4) and g = (2, 1, -1):

    V = B_T d = (-d0 + d2, d1 + d2, -d1 + d2, -d1 + d3)    = (2, 5, 1, 2)      additions only
    U = G g   = (-g0, (g0+g1+g2)/2, (g0-g1+g2)/2, g2)      = (-2, 1, 0, -1)    once per filter
    M = U * V                                              = (-4, 5, 0, -2)    4 products
    y = A_T M = (M0 + M1 + M2, M1 - M2 + M3)               = (1, 3)

and directly: y0 = 2 + 2 - 3 = 1, y1 = 4 + 3 - 4 = 3. The filter's transform
is paid once per layer (not per tile), so 4 products replace 6. In two
dimensions the same matrices act on the rows and on the columns of a 4x4
tile: 16 products replace the 36 of a 2x2 output block.

Where the matrices come from (:func:`toom_cook`)
------------------------------------------------
A polynomial of degree ``alpha - 1`` is fixed by its values at ``alpha``
points, so a product of two polynomials needs only ``alpha`` products of
values: evaluate both at the points, multiply the values, interpolate.
That computes a *convolution* ``s = h * g`` (``s_k = sum_{i+j=k} h_i g_j``)
of an m-tap ``h`` with the 3-tap ``g``. As a matrix,

    s = T(g) h = L @ ((E_g @ g) * (E_h @ h))    for every h, so  T(g) = L @ diag(E_g g) @ E_h

with ``E_h`` (alpha x m) and ``E_g`` (alpha x 3) the evaluations at the
points and ``L`` (alpha x alpha) the interpolation. A layer computes a
*correlation* ``y_i = sum_j d_{i+j} g_j``, and that is the transpose of the
convolution's matrix: ``y = T(g).T @ d``. Transposing the product above,

    y = E_h.T @ ((E_g @ g) * (L.T @ d))

so ``A_T = E_h.T`` (column j: the powers of point j), ``B_T = L.T``, and the
filter keeps its evaluation ``G = E_g``: because the algorithm is
transposed, not the filter, ``g`` is used as stored (a true convolution
would flip it). The same transposition gives the gradients below. Small
points (0, +-1, 1/2, -2) keep the matrices' entries small, hence the
float32 rounding too.

Two dimensions
--------------
With ``alpha = m + 2``:

    V = B_T @ d @ B_T.T     the input tile,  alpha x alpha, per input channel c
    U = G @ g @ G.T         the filter,      alpha x alpha, per (c, f)
    M = U * V, summed over c                 alpha x alpha, per filter f
    y = A_T @ M @ A_T.T     the output tile, m x m

Summing ``U * V`` over the channels is, for each of the ``alpha**2``
positions ``xi = (a, b)`` of the tile, one matrix product over all tiles:
``M[xi] (P, F) = V[xi] (P, C) @ U[xi] (C, F)``, with P the number of tiles.
Products per output cell and pair (c, f): 9 directly, 16/4 = 4 with F(2x2,
3x3) (2.25 times fewer), 36/16 = 2.25 with F(4x4, 3x3) (4 times fewer).

The gradients follow from one fact: each transform is linear, so its
vector-Jacobian product is its transpose. Backwards through the four steps:

    dM = A_T.T @ dy_tile @ A_T       (output_transform_t)
    dV[xi] = dM[xi] @ U[xi].T         gradient wrt the input tiles
    dU[xi] = V[xi].T @ dM[xi]         gradient wrt the transformed filter
    dx += B_T.T @ dV @ B_T            (input_transform_t; tiles overlap, so add)
    dg = G.T @ dU @ G                 (filter_transform_t)

Layout (all channels-last): tiles are numbered ``p = (n * TH + th) * TW + tw``
for a grid of TH x TW tiles per image; tile ``(th, tw)`` reads the padded
input at rows ``m*th .. m*th + m + 1`` and writes output rows
``m*th .. m*th + m - 1``. Transformed arrays are ``(alpha**2, P, channels)``,
position ``xi = alpha * a + b`` first, so that ``V[xi]`` is a contiguous
matrix for BLAS. Read next: ``numba_winograd.py``.
"""

from fractions import Fraction
from typing import NamedTuple

import numpy as np


class WinogradMatrices(NamedTuple):
    """The three matrices of F(m, 3), in float64.

    Attributes:
        m: outputs per tile side.
        B_T: ``(alpha, alpha)`` input transform, ``alpha = m + 2``.
        G: ``(alpha, 3)`` filter transform.
        A_T: ``(m, alpha)`` output transform.
    """

    m: int
    B_T: np.ndarray
    G: np.ndarray
    A_T: np.ndarray


def _poly_from_roots(roots):
    """Coefficients (lowest power first) of ``prod (x - root)``, exact."""
    coefficients = [Fraction(1)]
    for root in roots:
        shifted = [Fraction(0)] + coefficients  # x * poly
        coefficients = [high - root * low for high, low in zip(shifted, coefficients + [Fraction(0)])]
    return coefficients


def toom_cook(m, points):
    """The matrices of F(m, 3) from ``m + 1`` distinct finite points (plus the point at infinity).

    The filter g and a block of m outputs are polynomials of degrees 2 and
    m - 1; their product has degree ``alpha - 1 = m + 1``. It is rebuilt
    from its values at the finite points ``p_j`` (Lagrange) and its leading
    coefficient (the "point at infinity"):

        s(x) = sum_j s(p_j) * prod_{l != j} (x - p_l) / f_j  +  s_inf * prod_l (x - p_l)
        f_j  = prod_{l != j} (p_j - p_l)

    Row j of ``G`` evaluates g at ``p_j`` and divides by ``f_j``; row j of
    ``B_T`` holds the coefficients of ``prod_{l != j} (x - p_l)``; column j of
    ``A_T`` holds the powers of ``p_j``. The last row or column of each is
    the point at infinity.

    Args:
        m: outputs per tile side.
        points: ``m + 1`` distinct numbers (ints, floats that are exact
            binary fractions, or ``Fraction``).
    Returns:
        :class:`WinogradMatrices`.
    """
    points = [Fraction(p) for p in points]
    alpha = m + 2
    if len(points) != alpha - 1 or len(set(points)) != len(points):
        raise ValueError(f"F({m}, 3) needs {alpha - 1} distinct points, received {points}.")
    B_T, G, A_T = np.zeros((alpha, alpha)), np.zeros((alpha, 3)), np.zeros((m, alpha))
    for j, p in enumerate(points):
        others = [q for q in points if q != p]
        f = np.prod([p - q for q in others])
        B_T[j, : alpha - 1] = [float(c) for c in _poly_from_roots(others)]
        G[j] = [float(p**k / f) for k in range(3)]
        A_T[:, j] = [float(p**i) for i in range(m)]
    B_T[alpha - 1] = [float(c) for c in _poly_from_roots(points)]
    G[alpha - 1, 2] = 1.0  # the leading coefficient of g
    A_T[m - 1, alpha - 1] = 1.0
    return WinogradMatrices(m, B_T, G, A_T)


# F(2x2, 3x3), written out: what toom_cook(2, (0, 1, -1)) builds (tests/kernels
# checks that the two agree), and Lavin & Gray's matrices up to signs that cancel.
F2 = WinogradMatrices(
    m=2,
    B_T=np.array([[-1.0, 0.0, 1.0, 0.0],
                  [0.0, 1.0, 1.0, 0.0],
                  [0.0, -1.0, 1.0, 0.0],
                  [0.0, -1.0, 0.0, 1.0]]),
    G=np.array([[-1.0, 0.0, 0.0],
                [0.5, 0.5, 0.5],
                [0.5, -0.5, 0.5],
                [0.0, 0.0, 1.0]]),
    A_T=np.array([[1.0, 1.0, 1.0, 0.0],
                  [0.0, 1.0, -1.0, 1.0]]),
)

# F(4x4, 3x3), the one numba_winograd.py uses, with the points that gave the
# smallest float32 error in bench/RESULTS.md (its 6x6 matrices are built, not typed).
F4 = toom_cook(4, (0, 1, -1, Fraction(1, 2), -2))


def filter_transform(kernel, w):
    """``U = G g G.T`` for every (c, f).

    Args:
        kernel: ``(3, 3, C, F)``.
        w: :class:`WinogradMatrices`.
    Returns:
        ``(alpha**2, C, F)``, same dtype.
    """
    C, F, alpha = kernel.shape[2], kernel.shape[3], w.m + 2
    # Two matrix products, rows then columns (one three-operand einsum runs a
    # slow nested loop): (alpha, 3) @ (3, 3*C*F), then (alpha, 3) @ (3, C*F) per row.
    G = w.G.astype(kernel.dtype)  # float32 kernels stay float32
    rows = (G @ kernel.reshape(3, 3 * C * F)).reshape(alpha, 3, C * F)  # G g
    U = np.matmul(G, rows)  # (G g) G.T: (alpha, alpha, C*F)
    return np.ascontiguousarray(U.reshape(alpha * alpha, C, F), dtype=kernel.dtype)


def filter_transform_t(dU, w):
    """The transpose of :func:`filter_transform`: ``dg = G.T dU G``.

    Args:
        dU: ``(alpha**2, C, F)``.
    Returns:
        ``(3, 3, C, F)``.
    """
    C, F, alpha = dU.shape[1], dU.shape[2], w.m + 2
    G_T = w.G.T.astype(dU.dtype)
    rows = (G_T @ dU.reshape(alpha, alpha * C * F)).reshape(3, alpha, C * F)  # G.T dU
    dg = np.matmul(G_T, rows)  # (G.T dU) G: (3, 3, C*F)
    return dg.reshape(3, 3, C, F).astype(dU.dtype)


def input_tiles(xpad, w, TH, TW):
    """The overlapping tiles of a padded input.

    Args:
        xpad: ``(N, m*TH + 2, m*TW + 2, C)``.
    Returns:
        ``(N, TH, TW, alpha, alpha, C)``; ``[n, th, tw, i, j]`` is ``xpad[n, m*th + i, m*tw + j]``.
    """
    N, C, m = xpad.shape[0], xpad.shape[3], w.m
    d = np.empty((N, TH, TW, m + 2, m + 2, C), dtype=xpad.dtype)
    for i in range(m + 2):
        for j in range(m + 2):
            d[:, :, :, i, j] = xpad[:, i : i + m * TH : m, j : j + m * TW : m]
    return d


def input_transform(xpad, w, TH, TW):
    """``V = B_T d B_T.T`` for every tile and channel.

    Args:
        xpad: ``(N, m*TH + 2, m*TW + 2, C)``.
    Returns:
        V ``(alpha**2, N*TH*TW, C)``.
    """
    V = np.einsum("ai,ntwijc,bj->abntwc", w.B_T, input_tiles(xpad, w, TH, TW), w.B_T)
    return V.reshape((w.m + 2) ** 2, -1, xpad.shape[3])  # (alpha, alpha, N, TH, TW, C) -> (alpha**2, P, C)


def input_transform_t(dV, w, N, TH, TW):
    """The transpose of :func:`input_transform`: each tile's ``B_T.T dV B_T``, added back.

    Args:
        dV: ``(alpha**2, N*TH*TW, C)``.
    Returns:
        dxpad ``(N, m*TH + 2, m*TW + 2, C)``; cells shared by tiles get every part.
    """
    C, m = dV.shape[2], w.m
    dV = dV.reshape(m + 2, m + 2, N, TH, TW, C)
    dd = np.einsum("ai,abntwc,bj->ntwijc", w.B_T, dV, w.B_T)  # (N, TH, TW, alpha, alpha, C)
    dxpad = np.zeros((N, m * TH + 2, m * TW + 2, C), dtype=dV.dtype)
    for i in range(m + 2):
        for j in range(m + 2):
            dxpad[:, i : i + m * TH : m, j : j + m * TW : m] += dd[:, :, :, i, j]
    return dxpad


def output_transform(M, w, N, TH, TW, OH, OW):
    """``y = A_T M A_T.T`` for every tile and filter, cropped to the output.

    Args:
        M: ``(alpha**2, N*TH*TW, F)``.
        OH, OW: the output size (at most ``m*TH`` rows, ``m*TW`` columns).
    Returns:
        y ``(N, OH, OW, F)``.
    """
    F, m = M.shape[2], w.m
    Y = np.einsum("ia,abntwf,jb->ntiwjf", w.A_T, M.reshape(m + 2, m + 2, N, TH, TW, F), w.A_T)
    return Y.reshape(N, m * TH, m * TW, F)[:, :OH, :OW]  # (N, TH, m, TW, m, F) -> rows, columns


def output_transform_t(dy, w, TH, TW):
    """The transpose of :func:`output_transform`: ``dM = A_T.T dy_tile A_T``.

    Args:
        dy: ``(N, OH, OW, F)``; cells beyond OH, OW in the last tiles count as zero.
    Returns:
        dM ``(alpha**2, N*TH*TW, F)``.
    """
    N, OH, OW, F = dy.shape
    m = w.m
    full = np.zeros((N, m * TH, m * TW, F), dtype=dy.dtype)
    full[:, :OH, :OW] = dy
    tiles = full.reshape(N, TH, m, TW, m, F)  # [n, th, i, tw, j] = full[n, m*th + i, m*tw + j]
    dM = np.einsum("ia,ntiwjf,jb->abntwf", w.A_T, tiles, w.A_T)
    return dM.reshape((m + 2) ** 2, -1, F)
