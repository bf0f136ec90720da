"""The four Winograd transforms written with ``simd.py``'s values: 64 channels per operation.

Place in the stack: ``kernels/``, beside ``numba_winograd.py``, which calls
these kernels instead of its own four transforms of the same names when
the channels come in multiples of 64 (the guide's layers have 64 and 128),
float32, on a CPU with AVX-512; in the forward pass one chunk of tiles at
a time from each thread (``numba_winograd._forward_rows``). Read those
first: the arithmetic here is theirs, step for step; only the innermost
loop over the channels has become one operation on 64 of them (``vfma``),
so Numba types and lowers one call where it had a loop, and LLVM cannot
miss the SIMD instructions. The kernels read their arrays as flat 1-D views
(the values of ``simd.py`` are loaded from 1-D arrays), with the index
arithmetic written out.

``vfma`` rounds once per multiply-add where the scalar kernels round twice:
the results agree to float32 rounding, not to the bit (the bias's gradient,
only additions, is the same to the bit), and each kernel is deterministic
on its own (``tests/kernels/test_winograd_vectors.py``).
``bench/RESULTS.md`` ("Session 11") compares their speed and compile time
with the scalar kernels'. Read next: ``numba_pool.py``.
"""

from numba import njit

from minikeras.kernels.simd import vadd
from minikeras.kernels.simd import vfma
from minikeras.kernels.simd import vload
from minikeras.kernels.simd import vpositive
from minikeras.kernels.simd import vrelu
from minikeras.kernels.simd import vstore
from minikeras.kernels.simd import vzero


@njit(nogil=True, cache=True)
def _load6(array, index, step):
    """The six values ``array[index + i * step : ... + 64]``, i = 0..5: a tile's column or row, 64 channels."""
    return (vload(array, index), vload(array, index + step), vload(array, index + 2 * step),
            vload(array, index + 3 * step), vload(array, index + 4 * step), vload(array, index + 5 * step))


@njit(nogil=True, cache=True)
def _mix6(matrix, row, v0, v1, v2, v3, v4, v5):
    """``sum_i matrix[row, i] * v_i`` over six values, added in the order i = 0..5 (one rounding each)."""
    total = vfma(matrix[row, 0], v0, vzero())
    total = vfma(matrix[row, 1], v1, total)
    total = vfma(matrix[row, 2], v2, total)
    total = vfma(matrix[row, 3], v3, total)
    total = vfma(matrix[row, 4], v4, total)
    return vfma(matrix[row, 5], v5, total)


@njit(nogil=True, cache=True)
def _mix4(matrix, row, v0, v1, v2, v3):
    """``sum_i matrix[row, i] * v_i`` over four values, in the order i = 0..3."""
    total = vfma(matrix[row, 0], v0, vzero())
    total = vfma(matrix[row, 1], v1, total)
    total = vfma(matrix[row, 2], v2, total)
    return vfma(matrix[row, 3], v3, total)


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
                    d0, d1, d2, d3, d4, d5 = _load6(xpad, cell, row)  # d[0..5, j]
                    for a in range(six):
                        vstore(t, (a * six + j) * 64, _mix6(B_T, a, d0, d1, d2, d3, d4, d5))
                # 2. Rows: V[a, b] = sum_j t[a, j] B_T[b, j].
                for a in range(six):
                    e0, e1, e2, e3, e4, e5 = _load6(t, a * six * 64, 64)  # t[a, 0..5]
                    for b in range(six):
                        vstore(V, ((a * six + b) * rows + p) * C + c0, _mix6(B_T, b, e0, e1, e2, e3, e4, e5))


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
                    m0, m1, m2, m3, m4, m5 = _load6(M, (b * rows + p) * F + c0, six * rows * F)  # M[0..5, b]
                    for i in range(four):
                        vstore(u, (i * six + b) * 64, _mix6(A_T, i, m0, m1, m2, m3, m4, m5))
                # 2. Rows, for the cells inside the output: sum_b u[i, b] A_T[j, b] + bias, then the ReLU,
                #    into y at once, or into the tile o to be pooled.
                for i in range(rows_in):
                    e0, e1, e2, e3, e4, e5 = _load6(u, i * six * 64, 64)  # u[i, 0..5]
                    for j in range(columns_in):
                        total = vadd(_mix6(A_T, j, e0, e1, e2, e3, e4, e5), vload(bias, c0))  # the sum, then the bias
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



@njit(nogil=True, cache=True)
def _output_transform_t(dy, y, OH, OW, F, A, relu, start, TH, TW, dM, rows, dbias_rows, z, s, first, last):
    """``dM = A_T.T dz A_T`` for rows of tiles ``first:last`` of the block, ``dz`` being ``dy`` through the ReLU.

    ``numba_winograd._output_transform_t`` 64 channels at a time: the same
    tile of ``dz`` (zeros outside the output, and where ``y <= 0`` with
    ``relu``), added in the same order to the bias's row, the same two passes.

    Args:
        dy, y: ``(N, OH, OW, F)`` as flat arrays (``y`` read only if ``relu``), ``F`` a multiple of 64.
        A: ``A_T.T`` ``(6, 4)``, contiguous.
        dM: ``(36, rows, F)`` as a flat array (tiles numbered from the block's start).
        dbias_rows: ``(N*TH, F)`` as a flat array, added to: row ``n*TH + th`` for tile row ``th`` of image ``n``.
        z, s: work space ``(16 * 64,)`` and ``(24 * 64,)``, this thread's own.
    """
    six, four = A.shape
    for r in range(first, last):  # one (image, row of tiles) of the block per iteration
        n, h, row = start + r // TH, 4 * (r % TH), start * TH + r
        for tw in range(TW):
            p, w = r * TW + tw, 4 * tw
            for c0 in range(0, F, 64):
                # 1. The tile of dz, zero where it sticks out of the output; its sum goes to the bias's row.
                total = vload(dbias_rows, row * F + c0)
                for i in range(four):
                    for j in range(four):
                        gradient = vzero()
                        if h + i < OH and w + j < OW:
                            cell = ((n * OH + h + i) * OW + w + j) * F + c0
                            gradient = vload(dy, cell)
                            if relu:
                                gradient = vpositive(vload(y, cell), gradient)
                            total = vadd(gradient, total)
                        vstore(z, (i * four + j) * 64, gradient)
                vstore(dbias_rows, row * F + c0, total)
                # 2. Columns: s[a, j] = sum_i A_T[i, a] dz[i, j].
                for j in range(four):
                    z0, z1 = vload(z, j * 64), vload(z, (four + j) * 64)
                    z2, z3 = vload(z, (2 * four + j) * 64), vload(z, (3 * four + j) * 64)
                    for a in range(six):
                        vstore(s, (a * four + j) * 64, _mix4(A, a, z0, z1, z2, z3))
                # 3. Rows: dM[a, b] = sum_j s[a, j] A_T[j, b].
                for a in range(six):
                    e0, e1 = vload(s, a * four * 64), vload(s, (a * four + 1) * 64)
                    e2, e3 = vload(s, (a * four + 2) * 64), vload(s, (a * four + 3) * 64)
                    for b in range(six):
                        vstore(dM, ((a * six + b) * rows + p) * F + c0, _mix4(A, b, e0, e1, e2, e3))


@njit(nogil=True, cache=True)
def _input_transform_t(dV, rows, B, start, TH, TW, dxpad, H, W, C, s, first, last):
    """Sums each tile's ``B_T.T dV B_T`` into ``dxpad``, images ``start+first:start+last``.

    ``numba_winograd._input_transform_t`` 64 channels at a time: each image
    zeroed by its own thread, its tiles added one after the other.

    Args:
        dV: ``(36, rows, C)`` as a flat array, ``C`` a multiple of 64; B: ``B_T.T``, contiguous.
        dxpad: ``(N, H, W, C)`` as a flat array; the images of the piece are overwritten.
        s: work space ``(36 * 64,)``, this thread's own.
    """
    six = B.shape[0]
    image = H * W * C
    for b in range(first, last):  # one image of the block per iteration
        n = start + b
        for cell in range(n * image, (n + 1) * image, 64):
            vstore(dxpad, cell, vzero())
        for th in range(TH):
            for tw in range(TW):
                p, h, w = (b * TH + th) * TW + tw, 4 * th, 4 * tw
                for c0 in range(0, C, 64):
                    # 1. Columns: s[i, k] = sum_a B_T[a, i] dV[a, k].
                    for k in range(six):
                        d0, d1, d2, d3, d4, d5 = _load6(dV, (k * rows + p) * C + c0, six * rows * C)  # dV[0..5, k]
                        for i in range(six):
                            vstore(s, (i * six + k) * 64, _mix6(B, i, d0, d1, d2, d3, d4, d5))
                    # 2. Rows, added onto the tile: dxpad[i, j] += sum_k s[i, k] B_T[k, j].
                    for i in range(six):
                        e0, e1, e2, e3, e4, e5 = _load6(s, i * six * 64, 64)  # s[i, 0..5]
                        for j in range(six):
                            total = _mix6(B, j, e0, e1, e2, e3, e4, e5)
                            cell = ((n * H + h + i) * W + w + j) * C + c0
                            vstore(dxpad, cell, vadd(total, vload(dxpad, cell)))
