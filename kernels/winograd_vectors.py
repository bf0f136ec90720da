"""The Winograd forward transforms written with ``simd.py``'s values: 64 channels per operation.

Place in the stack: ``kernels/``, beside ``numba_winograd.py``, which calls
these two kernels instead of its own ``_input_transform`` and
``_output_transform`` when the channels come in multiples of 64 (the
guide's layers have 64 and 128), one chunk of tiles at a time from each
thread (``numba_winograd._forward_rows``). Read those two first:
the arithmetic here is theirs, step for step; only the innermost loop over
the channels has become one operation on 64 of them (``vfma``), so Numba
types and lowers one call where it had a loop, and LLVM cannot miss the
SIMD instructions. Both kernels read their arrays as flat 1-D views (the
values of ``simd.py`` are loaded from 1-D arrays), with the index
arithmetic written out.

``vfma`` rounds once per multiply-add where the scalar kernels round twice:
the results agree to float32 rounding, not to the bit, and each kernel is
deterministic on its own (``tests/kernels/test_winograd_kernels.py``).
``bench/RESULTS.md`` ("Session 11") compares their speed and compile time
with the scalar kernels'. Read next: ``numba_pool.py``.
"""

from numba import njit

from minikeras.kernels.simd import vfma
from minikeras.kernels.simd import vload
from minikeras.kernels.simd import vrelu
from minikeras.kernels.simd import vstore
from minikeras.kernels.simd import vzero


@njit(nogil=True, cache=True)
def _input_transform(xpad, H, W, C, B_T, start, TH, TW, V, rows, offset, t, first, last):
    """``V = B_T d B_T.T`` for the 6x6 tiles ``d`` of rows of tiles ``first:last`` of the block at image ``start``.

    Args:
        xpad: ``(N, H, W, C)`` as a flat array, ``H = 4*TH + 2``, ``W = 4*TW + 2``, ``C`` a multiple of 64.
        B_T: ``(6, 6)`` float32.
        start, TH, TW, first, last: as in ``numba_winograd._input_transform``.
        V: ``(36, rows, C)`` as a flat array: the 36 transformed values of tile ``p`` at ``[xi, p]``,
            tile ``tw`` of row ``r`` being ``p = (r - offset) * TW + tw``.
        t: work space ``(36 * 64,)``, this thread's own: one tile's column pass, 64 channels.
    """
    six, row = B_T.shape[0], W * C  # six: a trip count LLVM does not unroll (numba_winograd's docstring)
    for r in range(first, last):  # one (image, row of tiles) of the block per iteration
        n, h = start + r // TH, 4 * (r % TH)
        for tw in range(TW):
            p, w = (r - offset) * TW + tw, 4 * tw
            for c0 in range(0, C, 64):
                # 1. Columns: t[a, j] = sum_i B_T[a, i] d[i, j], 64 channels at a time.
                for j in range(six):
                    cell = ((n * H + h) * W + w + j) * C + c0  # d[0, j]
                    d0, d1, d2 = vload(xpad, cell), vload(xpad, cell + row), vload(xpad, cell + 2 * row)
                    d3, d4, d5 = vload(xpad, cell + 3 * row), vload(xpad, cell + 4 * row), vload(xpad, cell + 5 * row)
                    for a in range(six):
                        total = vfma(B_T[a, 0], d0, vzero())
                        total = vfma(B_T[a, 1], d1, total)
                        total = vfma(B_T[a, 2], d2, total)
                        total = vfma(B_T[a, 3], d3, total)
                        total = vfma(B_T[a, 4], d4, total)
                        vstore(t, (a * six + j) * 64, vfma(B_T[a, 5], d5, total))
                # 2. Rows: V[a, b] = sum_j t[a, j] B_T[b, j].
                for a in range(six):
                    e0, e1, e2 = vload(t, a * six * 64), vload(t, (a * six + 1) * 64), vload(t, (a * six + 2) * 64)
                    e3, e4, e5 = vload(t, (a * six + 3) * 64), vload(t, (a * six + 4) * 64), vload(t, (a * six + 5) * 64)
                    for b in range(six):
                        total = vfma(B_T[b, 0], e0, vzero())
                        total = vfma(B_T[b, 1], e1, total)
                        total = vfma(B_T[b, 2], e2, total)
                        total = vfma(B_T[b, 3], e3, total)
                        total = vfma(B_T[b, 4], e4, total)
                        vstore(V, ((a * six + b) * rows + p) * C + c0, vfma(B_T[b, 5], e5, total))


@njit(nogil=True, cache=True)
def _output_transform(M, rows, offset, A_T, bias, relu, pool, start, TH, TW, y, OH, OW, argmax, u, o, first, last):
    """``y = A_T M A_T.T + bias`` (then ``max(y, 0)`` if ``relu``, then 2x2 max pooling if ``pool``).

    The arithmetic, the edge tiles, the pooling and its argmax are those of
    ``numba_winograd._output_transform``; the channels go 64 at a time.

    Args:
        M: ``(36, rows, F)`` as a flat array, ``F`` a multiple of 64, tiles numbered as in
            :func:`_input_transform` (``offset``); A_T: ``(4, 6)`` float32.
        bias: ``(F,)``; relu, pool: bools.
        start, TH, TW, first, last: as in ``numba_winograd._output_transform``.
        y: ``(N, OH, OW, F)``, or ``(N, OH // 2, OW // 2, F)`` with ``pool``, as a flat array.
        OH, OW: the convolution's output size (before pooling).
        argmax: int64, ``y``'s size (flat) written with ``pool``, or empty: not written.
        u: work space ``(24 * 64,)``; o: ``(16 * F,)``, one output tile to be pooled; this thread's own.
    """
    F = bias.shape[0]
    four, six = A_T.shape
    YH, YW = (OH // 2, OW // 2) if pool else (OH, OW)  # y's rows and columns
    record = argmax.shape[0] > 0
    for r in range(first, last):  # one (image, row of tiles) of the block per iteration
        n, h = start + r // TH, 4 * (r % TH)
        for tw in range(TW):
            p, w = (r - offset) * TW + tw, 4 * tw
            rows_in = four if h + four <= OH else OH - h  # the cells of the tile inside the output
            columns_in = four if w + four <= OW else OW - w
            for c0 in range(0, F, 64):
                # 1. Columns: u[i, b] = sum_a A_T[i, a] M[a, b], 64 channels at a time.
                for b in range(six):
                    m0, m1, m2 = vload(M, (b * rows + p) * F + c0), vload(M, ((six + b) * rows + p) * F + c0), \
                        vload(M, ((2 * six + b) * rows + p) * F + c0)
                    m3, m4, m5 = vload(M, ((3 * six + b) * rows + p) * F + c0), \
                        vload(M, ((4 * six + b) * rows + p) * F + c0), vload(M, ((5 * six + b) * rows + p) * F + c0)
                    for i in range(four):
                        total = vfma(A_T[i, 0], m0, vzero())
                        total = vfma(A_T[i, 1], m1, total)
                        total = vfma(A_T[i, 2], m2, total)
                        total = vfma(A_T[i, 3], m3, total)
                        total = vfma(A_T[i, 4], m4, total)
                        vstore(u, (i * six + b) * 64, vfma(A_T[i, 5], m5, total))
                # 2. Rows, for the cells inside the output: sum_b u[i, b] A_T[j, b] + bias, then the ReLU,
                #    into y at once, or into the tile o to be pooled.
                for i in range(rows_in):
                    e0, e1, e2 = vload(u, i * six * 64), vload(u, (i * six + 1) * 64), vload(u, (i * six + 2) * 64)
                    e3, e4, e5 = vload(u, (i * six + 3) * 64), vload(u, (i * six + 4) * 64), vload(u, (i * six + 5) * 64)
                    for j in range(columns_in):
                        total = vfma(A_T[j, 0], e0, vload(bias, c0))
                        total = vfma(A_T[j, 1], e1, total)
                        total = vfma(A_T[j, 2], e2, total)
                        total = vfma(A_T[j, 3], e3, total)
                        total = vfma(A_T[j, 4], e4, total)
                        total = vfma(A_T[j, 5], e5, total)
                        if relu:
                            total = vrelu(total)
                        if pool:
                            vstore(o, (i * four + j) * F + c0, total)
                        else:
                            vstore(y, ((n * YH + h + i) * YW + w + j) * F + c0, total)
            # 3. Pooled: each 2x2 window of o, its first cell unless a later one (row by row) is larger
            #    (a NaN wins), into y[h/2 + i/2, w/2 + j/2]; where it came from into argmax when recording.
            if pool:
                for i in range(0, rows_in - 1, 2):
                    for j in range(0, columns_in - 1, 2):
                        corner = (h + i) * OW + w + j  # the window's first cell, flat, in the convolution's output
                        cell, first_cell = ((n * YH + (h + i) // 2) * YW + (w + j) // 2) * F, (i * four + j) * F
                        for c in range(F):
                            best, index = o[first_cell + c], corner
                            value = o[first_cell + F + c]
                            if (value > best) | ((value != value) & (best == best)):
                                best, index = value, corner + 1
                            value = o[first_cell + four * F + c]
                            if (value > best) | ((value != value) & (best == best)):
                                best, index = value, corner + OW
                            value = o[first_cell + (four + 1) * F + c]
                            if (value > best) | ((value != value) & (best == best)):
                                best, index = value, corner + OW + 1
                            y[cell + c] = best
                            if record:
                                argmax[cell + c] = index

