"""A tiled matrix product in Numba, for teaching; BLAS stays the default.

Place in the stack: ``kernels/``, beside ``reference.matmul`` (the triple
loop). ``MINIKERAS_MATMUL=numba`` makes ``minikeras.ops.matmul`` use it for
2-D float operands; ``bench/kernels.py`` shows how far it stays from BLAS.

Why tiles: the triple loop streams all of ``b`` from memory for every row of
``a``. Working on ``TILE x TILE`` blocks keeps a block of ``b`` in the cache
while a block of rows of ``a`` uses it; the innermost loop runs along a row
of ``b`` and ``out`` (contiguous), which the compiler turns into SIMD
instructions. Tiles of rows go to different cores (``prange``): no two cores
write the same part of ``out``. BLAS does the same and much more (packing,
register blocking, hand-written assembly).
"""

import numpy as np
from numba import njit
from numba import prange

TILE = 64


@njit(parallel=True, cache=True)
def _tiled_matmul(a, b, out):
    """out (zeros, (M, P)) += a (M, K) @ b (K, P), tile by tile."""
    M, K = a.shape
    P = b.shape[1]
    for tile_row in prange((M + TILE - 1) // TILE):
        i0, i1 = tile_row * TILE, min(tile_row * TILE + TILE, M)
        for k0 in range(0, K, TILE):
            k1 = min(k0 + TILE, K)
            for j0 in range(0, P, TILE):
                j1 = min(j0 + TILE, P)
                for i in range(i0, i1):
                    for k in range(k0, k1):
                        a_ik = a[i, k]
                        for j in range(j0, j1):
                            out[i, j] += a_ik * b[k, j]


def matmul(a, b):
    """Matrix product of two 2-D float arrays of one dtype.

    Args:
        a: ``(M, K)``; b: ``(K, P)``.
    Returns:
        ``(M, P)``, same values as ``a @ b`` up to float rounding.
    """
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
        raise ValueError(f"The tiled matmul takes (M, K) and (K, P) arrays. Received shapes {a.shape} and {b.shape}.")
    out = np.zeros((a.shape[0], b.shape[1]), dtype=np.result_type(a, b))
    _tiled_matmul(np.ascontiguousarray(a, dtype=out.dtype), np.ascontiguousarray(b, dtype=out.dtype), out)
    return out
