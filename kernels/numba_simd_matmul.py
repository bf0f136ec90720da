"""Matrix products with AVX-512 vectors in Numba: 4 rows x 64 columns of the output kept in registers.

Place in the stack: ``kernels/``, after ``numba_matmul.py`` (the tiled
teaching product, read it first) and ``simd.py`` (the vector type used
here). ``reference.matmul`` and ``reference.batched_matmul`` define the two
families this module computes. The products of the Winograd convolution
(``numba_winograd.py``), of im2col (``numba_conv.py``) and of the Dense
layers (``minikeras/autodiff/matmul.py``, through ``backend/kernel_choice.py``)
come here.

The register block. ``out[i, j] = sum_k a[i, k] * b[k, j]``. For 4 rows
``i0..i0+3`` and 64 columns ``j0..j0+63`` of the output, four values of
``simd.py`` (``r0 .. r3``, 64 lanes each: four AVX-512 registers) hold the
partial sums. Each step ``k`` loads row ``k`` of ``b`` (64 numbers, one
value ``v``) and 4 numbers of column ``k`` of ``a``, and does ``r += a * v``
for each row: 16 fused multiply-add instructions for 8 loads, where the
tiled loop of ``numba_matmul.py`` also writes every partial sum back each
step. AVX-512 has 32 vector registers; 16 hold the block, 4 the row of
``b``. Those rows of ``b`` (``DEPTH`` of them at a time) are first copied
one after the other into a *panel* of 32 KB, which stays in the core's
first-level cache for every block of 4 rows (``b`` may also be a
transpose, ``dx = dy @ w.T``: the copy then moves 16 x 16 blocks transposed
in registers, ``simd.transpose16``; ``a`` is always read through its strides).

A Dense layer (``dense_forward``) also has its bias added and its ReLU
applied here, to each row of a piece as soon as its sums are complete, while
the row is still in the first-level cache: one pass less over the output.

The order of the sums is the same for every cell, every block and every
thread count (``k = 0, 1, ... K-1``, one rounding per step), so the numbers
do not depend on the threads. The last 1-3 rows of a piece go through a
narrower loop in the same order. Threads share the pieces, (matrix, 64
columns, ``ROWS`` rows) each, through ``team_work.py``: helper threads that watch
for the next product in compiled code for a while after each one, so that
handing pieces over costs a microsecond instead of two wake-ups of a
sleeping core (``runtime.run_parallel``'s way, still used by the Winograd
layers, whose pieces run Python).

On the AMD EPYC (Zen 5) of ``bench/RESULTS.md`` ("Session 11"), where
NumPy's OpenBLAS is set to its AVX2 kernels, these products run at nearly
twice its speed. And OpenBLAS, after each product it shares with its worker
thread, leaves that worker spinning on a core for tens of milliseconds,
which the next kernels' threads then share: here no BLAS thread wakes.

When the products go elsewhere (:func:`_fits`): float64 or mixed dtypes, a
width ``P`` that is not a multiple of 64 (narrower register blocks would be
more code to compile; the guide's and the MLP's layers are 64, 128 or 512
wide), a negative stride, an ``out`` whose rows are not contiguous, a CPU
without AVX-512 (LLVM would split each vector in two and run out of
registers: OpenBLAS is faster there). Then both functions are
``numpy.matmul`` with BLAS's worker thread left asleep: a small product
on the calling thread, a bigger one cut into rows for minikeras's threads,
each on one BLAS thread (:func:`_blas`).
Read next: ``numba_winograd.py``.
"""

import functools

import numba
import numpy as np
from numba import njit

from minikeras.kernels import runtime
from minikeras.kernels.simd import LANES
from minikeras.kernels.simd import transpose16
from minikeras.kernels.simd import vadd
from minikeras.kernels.simd import vfma
from minikeras.kernels.simd import vload
from minikeras.kernels.simd import vmax0
from minikeras.kernels.simd import vstore
from minikeras.kernels.simd import vzero

runtime.load_tbb()  # before Numba starts its threads, whatever NUMBA_THREADING_LAYER says

WIDTH = LANES  # the register block's columns: one value of simd.py, 64 lanes
DEPTH = 128  # rows of b per pass over the rows of a: 128 x 64 float32, 32 KB
SMALL = 2**22  # multiply-adds up to which a product left to BLAS runs on one thread (:func:`_blas`)
SMALL_ALONE = 2**20  # multiply-adds up to which a product here runs on the calling thread only
BLAS_SLICE = 64  # rows or columns at least in each piece of a product left to BLAS (:func:`_blas`)
ROWS = 256  # rows of out per piece: tall products (a convolution's im2col) still give every thread pieces


@functools.cache  # asking LLVM for the CPU's features costs more than a small product
def _available():
    """True when Numba compiles for this machine's CPU and the CPU has AVX-512 (``avx512f``).

    The kernels that use ``simd.py`` (here, ``winograd_vectors.py``) ask this first; they run
    elsewhere too (the tests make them), only slower than the alternatives.
    """
    from llvmlite import binding
    from numba.core import config

    if config.CPU_NAME not in (None, "host"):  # NUMBA_CPU_NAME=generic: portable code, no AVX-512
        return False
    if config.DISABLE_JIT:  # NUMBA_DISABLE_JIT=1 runs kernels as Python: simd.py's values exist only compiled
        return False
    return bool(binding.get_host_cpu_features().get("avx512f", False))


@njit(nogil=True, inline="always")
def _epilogue(total, bias, j0, relu):
    """64 complete sums of a row, columns ``j0:j0 + 64``: plus the bias when there is one, then the ReLU if asked."""
    if bias.shape[0] > 0:
        total = vadd(total, vload(bias, j0))
    if relu:
        total = vmax0(total)
    return total


@njit(nogil=True, cache=True)
def _products(a, a_strides, b, b_strides, out, out_strides, M, K, P, bias, relu, panel, first, last):
    """``out[g] = a[g] @ b[g]`` (+ ``bias``, ReLU) for the pieces ``first:last``: piece = (matrix g, 64 columns, ``ROWS`` rows).

    All three arrays are 1-D float32 views of the memory; an element's index is
    ``g * stride_g + row * stride_row + column * stride_column``, ``out``'s
    columns contiguous.

    Args:
        a, a_strides: ``(G, M, K)`` as a flat array and its ``(g, row, column)`` strides in elements.
        b, b_strides: ``(G, K, P)``, the same; out, out_strides: ``(G, M, P)`` and ``(g, row)`` strides.
        M, K, P: the product's sizes, ``P`` a multiple of 64.
        bias: ``(P,)`` added to each row once its sum is complete (a Dense layer's), or empty for none.
        relu: then ``max(., 0)`` (``simd.vmax0``: ``numpy.maximum``'s numbers). Both are applied to
            each row of the piece right after its last store, while it is in the first-level cache:
            the same numbers as adding them afterwards.
        panel: work space ``(DEPTH * 64,)``, this thread's own.
        first, last: the pieces this call computes, numbered ``(g * P / 64 + j0 / 64) * row_blocks + i0 / ROWS``.
    """
    ag, ai, ak = a_strides
    bg, bk, bj = b_strides
    og, oi = out_strides
    row_blocks, column_blocks = (M + ROWS - 1) // ROWS, P // 64
    for piece in range(first, last):
        g, rest = piece // (row_blocks * column_blocks), piece % (row_blocks * column_blocks)
        j0, i_first = 64 * (rest // row_blocks), ROWS * (rest % row_blocks)
        i_last = i_first + ROWS if i_first + ROWS < M else M
        i_blocks = i_first + (i_last - i_first) // 4 * 4  # rows in whole blocks of 4
        a0, b0, o0 = g * ag, g * bg + j0 * bj, g * og + j0
        for k0 in range(0, K, DEPTH):
            k1 = k0 + DEPTH if k0 + DEPTH < K else K
            # 1. The panel: rows k0:k1 of the piece's 64 columns of b, one after the other, read
            #    from the first-level cache by every block of rows (b's own rows may be 2 KB apart,
            #    which that cache maps onto a few of its sets; or b is a transpose).
            if bj == 1:
                for k in range(k0, k1):
                    vstore(panel, (k - k0) * 64, vload(b, b0 + k * bk))
            else:  # b is a transpose (dx = dy @ w.T): its columns are the contiguous rows of w
                k = k0
                if bk == 1:  # blocks of 16 x 16 transposed in registers (simd.transpose16)
                    while k + 16 <= k1:
                        for j in range(0, 64, 16):
                            transpose16(b, b0 + j * bj + k, bj, panel, (k - k0) * 64 + j, 64)
                        k += 16
                for j in range(64):  # the last rows, or any strides: one number at a time
                    for kk in range(k, k1):
                        panel[(kk - k0) * 64 + j] = b[b0 + j * bj + kk * bk]
            # 2. Blocks of 4 rows x 64 columns: each row's 64 sums in registers (module docstring), added
            #    to what out holds from the rows of b before k0: the same additions in the same order.
            for i0 in range(i_first, i_blocks, 4):
                row, cell = a0 + i0 * ai, o0 + i0 * oi
                if k0 == 0:
                    r0, r1, r2, r3 = vzero(), vzero(), vzero(), vzero()
                else:
                    r0, r1 = vload(out, cell), vload(out, cell + oi)
                    r2, r3 = vload(out, cell + 2 * oi), vload(out, cell + 3 * oi)
                for k in range(k0, k1):
                    v = vload(panel, (k - k0) * 64)  # row k of b
                    r0 = vfma(a[row + k * ak], v, r0)
                    r1 = vfma(a[row + ai + k * ak], v, r1)
                    r2 = vfma(a[row + 2 * ai + k * ak], v, r2)
                    r3 = vfma(a[row + 3 * ai + k * ak], v, r3)
                vstore(out, cell, r0), vstore(out, cell + oi, r1)
                vstore(out, cell + 2 * oi, r2), vstore(out, cell + 3 * oi, r3)
            # 3. The piece's last 1-3 rows, one at a time, in the same order.
            for i in range(i_blocks, i_last):
                row, cell = a0 + i * ai, o0 + i * oi
                total = vzero() if k0 == 0 else vload(out, cell)
                for k in range(k0, k1):
                    total = vfma(a[row + k * ak], vload(panel, (k - k0) * 64), total)
                vstore(out, cell, total)
        # 4. Dense's epilogue, once the piece's sums are complete: each row's 64 columns read back from
        #    the first-level cache, the bias added, the ReLU applied (one copy of that code, not five).
        if bias.shape[0] > 0 or relu:
            for i in range(i_first, i_last):
                cell = o0 + i * oi
                vstore(out, cell, _epilogue(vload(out, cell), bias, j0, relu))


def _fits(a, b, out=None):
    """True when :func:`batched_matmul` of these arrays runs :func:`_products` rather than ``numpy.matmul``.

    Float32 stacks ``a (G, M, K)``, ``b (G, K, P)``, none of the sizes 0,
    whatever their strides (a transpose is read as it is) as long as they are
    not negative; ``out (G, M, P)`` with contiguous rows; a CPU with AVX-512.
    """
    arrays = (a, b) if out is None else (a, b, out)
    if any(array.dtype != np.float32 or array.ndim != 3 or 0 in array.shape for array in arrays):
        return False
    if b.shape[-1] % WIDTH:  # narrower blocks of columns would need other register blocks: BLAS's
        return False
    if any(stride < 0 or stride % 4 for array in arrays for stride in array.strides):
        return False
    if out is not None and out.strides[-1] != 4:  # out's rows are written as vectors
        return False
    return _available()


def _flat(array):
    """``(a 1-D view of the memory array spans, its strides in elements)``: one Numba type for every view.

    A transpose or a slice keeps its strides; the 1-D view starts at its first
    element and ends at its last, all inside the same buffer.
    """
    itemsize = array.itemsize
    if array.flags.c_contiguous:  # the common case, and a cheaper view than as_strided's
        return array.reshape(-1), tuple(stride // itemsize for stride in array.strides)
    span = 1 + sum((n - 1) * stride for n, stride in zip(array.shape, array.strides)) // itemsize
    flat = np.lib.stride_tricks.as_strided(array, shape=(span,), strides=(itemsize,))
    return flat, tuple(stride // itemsize for stride in array.strides)


def batched_matmul(a, b, out=None):
    """A stack of products, ``out[g] = a[g] @ b[g]``, with the same leading axes.

    Args:
        a: ``(G, ..., M, K)``; b: ``(G, ..., K, P)``.
        out: ``(G, ..., M, P)``, written when given (it may be a strided view).
    Returns:
        ``out`` (a new array when not given), ``(G, ..., M, P)``.
    """
    return _multiply(a, b, out, _NO_BIAS, False)


def dense_forward(x, w, bias=None, relu=False):
    """A Dense layer's ``x @ w + bias``, then ``max(., 0)`` if ``relu``, the last two inside the product kernel.

    Args:
        x: ``(M, K)``; w: ``(K, P)``; bias: ``(P,)`` or None.
    Returns:
        A new ``(M, P)`` array in the product's dtype (the bias is cast to it,
        as the Dense op does). The numbers are those of the product, then
        ``+ bias``, then ``numpy.maximum(., 0)``: the bias is added to each
        complete sum, as a separate addition would.
    """
    if x.ndim != 2 or w.ndim != 2 or x.shape[1] != w.shape[0]:
        raise ValueError(f"dense_forward takes (M, K) and (K, P) arrays. Received shapes {x.shape} and {w.shape}.")
    if bias is not None and bias.shape != (w.shape[1],):
        raise ValueError(f"dense_forward's bias has one number per column: expected shape ({w.shape[1]},), "
                         f"received {bias.shape}.")
    # The bias in the product's dtype (as the Dense op adds it), contiguous: read as 64-lane vectors.
    bias = _NO_BIAS if bias is None else np.ascontiguousarray(bias, dtype=np.result_type(x, w))
    return _multiply(x[None], w[None], None, bias, relu)[0]


_NO_BIAS = np.empty(0, np.float32)


def _multiply(a, b, out, bias, relu):
    """:func:`batched_matmul`, plus ``bias`` (``(P,)``, or empty) and a ReLU on each complete sum."""
    M, K, P = a.shape[-2], a.shape[-1], b.shape[-1]
    if out is None:
        out = np.empty(a.shape[:-1] + (P,), dtype=np.result_type(a, b))
    if not _fits(a, b, out) or a.shape[0] != b.shape[0] or b.shape[1] != K or bias.dtype != np.float32:
        # more leading axes (numpy.matmul's loop), or shapes numpy.matmul will refuse with its message
        out = _blas(a, b, out)
        if bias.size:
            np.add(out, bias, out=out, casting="unsafe")
        return np.maximum(out, 0, out=out) if relu else out
    (a_flat, a_strides), (b_flat, b_strides), (out_flat, out_strides) = _flat(a), _flat(b), _flat(out)
    pieces, panel = a.shape[0] * (P // WIDTH) * -(-M // ROWS), np.empty(DEPTH * WIDTH, np.float32)
    if out.size * K > SMALL_ALONE:  # else handing pieces to another thread would cost more than it saves
        from minikeras.kernels import team_work  # imports this module: here, not at the top

        job = np.array([team_work.PRODUCTS, a_flat.ctypes.data, a_flat.size, b_flat.ctypes.data, b_flat.size,
                        out_flat.ctypes.data, out_flat.size, *a_strides, *b_strides, *out_strides[:2], M, K, P,
                        pieces, bias.ctypes.data, bias.size, relu], np.int64)
        if team_work.run(job, pieces, panel):
            return out
    _products(a_flat, a_strides, b_flat, b_strides, out_flat, out_strides[:2], M, K, P, bias, relu, panel, 0, pieces)
    return out


def _blas(a, b, out):
    """``numpy.matmul(a, b, out=out)``, with BLAS's own worker thread left asleep.

    OpenBLAS shares a product of more than about 2^18 multiply-adds with its
    worker thread, which then spins on its core for tens of milliseconds
    waiting for more: the cores minikeras's own threads need for the next
    kernels (``runtime.single_threaded_blas``). So a small product (``SMALL``
    multiply-adds at most) runs on the calling thread alone, and a bigger
    stack ``(G, M, K) @ (G, K, P)`` is cut into pieces of its rows, or of its
    columns when it has more of those (an MLP's batch of 128 rows), at least
    ``BLAS_SLICE`` of them per piece, which minikeras's threads take in turn,
    each on one BLAS thread, as ``threaded_matmul.py`` does for attention's
    stacks. Each number of ``out`` is one BLAS call's, over all of ``K``.
    """
    if out.size * a.shape[-1] <= SMALL:
        with runtime.single_threaded_blas():
            return np.matmul(a, b, out=out)
    if a.ndim != 3 or b.ndim != 3 or out.ndim != 3 or a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
        return np.matmul(a, b, out=out)  # numpy.matmul's own rules and messages
    length = max(out.shape[1], out.shape[2])  # the rows, or the columns, that the pieces share
    per_matrix = max(1, min(length // BLAS_SLICE, runtime.PIECES_PER_THREAD * numba.get_num_threads()))
    with runtime.single_threaded_blas():
        runtime.run_parallel(_blas_pieces, out.shape[0] * per_matrix, a, b, out, per_matrix)
    return out


def _blas_pieces(a, b, out, per_matrix, first, last):
    """The pieces ``first:last`` of :func:`_blas`: ``per_matrix`` slices of rows (or columns) per matrix ``g``."""
    rows = out.shape[1] >= out.shape[2]
    length = out.shape[1] if rows else out.shape[2]
    for piece in range(first, last):
        g, part = piece // per_matrix, piece % per_matrix
        cut = slice(length * part // per_matrix, length * (part + 1) // per_matrix)
        if rows:
            np.matmul(a[g, cut], b[g], out=out[g, cut])
        else:
            np.matmul(a[g], b[g, :, cut], out=out[g, :, cut])


def matmul(a, b):
    """Matrix product of two 2-D arrays, ``(M, K) @ (K, P) -> (M, P)``.

    Float32 operands that fit (:func:`_fits`) are computed here; others by ``numpy.matmul``.
    """
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
        raise ValueError(f"matmul takes (M, K) and (K, P) arrays. Received shapes {a.shape} and {b.shape}.")
    return batched_matmul(a[None], b[None])[0]
