"""A tiled matrix product in Numba, for teaching; BLAS stays the default.

Place in the stack: ``kernels/``, beside ``reference.matmul`` (the triple
loop). ``MINIKERAS_MATMUL=numba`` makes ``minikeras.ops.matmul`` use it for
2-D float operands; ``bench/kernels.py`` shows how far it stays from BLAS.

Why tiles: the plain triple loop streams all of ``b`` from memory for every
row of ``a``. Here ``TILE`` rows of ``a`` go through ``b`` together, ``TILE``
rows of ``b`` at a time, so that slice of ``b`` (``TILE x P``) is read from
the cache, not from memory, by all of them. The innermost loop runs along a
row of ``b`` and of ``out`` (contiguous), which the compiler turns into SIMD
instructions. Tiles of rows go to different cores (``prange``): no two cores
write the same part of ``out``. BLAS does the same and much more (packing,
register blocking, hand-written assembly), and is several times faster
here (figures in ``bench/RESULTS.md``).
"""

import numpy as np
from numba import njit
from numba import prange

from minikeras.kernels import runtime

runtime.load_tbb()  # before any parallel kernel runs, whatever NUMBA_THREADING_LAYER says

TILE = 64


@njit(parallel=True, cache=True)
def _tiled_matmul(a, b, out):
    """out (zeros, (M, P)) += a (M, K) @ b (K, P), one tile of rows of ``a`` per task."""
    M, K = a.shape
    P = b.shape[1]
    for tile in prange((M + TILE - 1) // TILE):
        i0, i1 = tile * TILE, min(tile * TILE + TILE, M)
        for k0 in range(0, K, TILE):
            k1 = min(k0 + TILE, K)
            # Rows k0:k1 of b (TILE x P) stay in cache for the TILE rows of a.
            for i in range(i0, i1):
                for k in range(k0, k1):
                    a_ik = a[i, k]
                    for j in range(P):  # contiguous in b and out: SIMD
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
