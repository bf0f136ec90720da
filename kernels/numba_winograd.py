"""3x3 convolution on the CPU by Winograd F(4x4, 3x3): transforms in Numba, products in ``numba_simd_matmul``.

Place in the stack: ``kernels/``. Read ``winograd_reference.py`` first: it
defines the four transforms, builds their matrices from a few points, and
shows why F(4x4, 3x3) needs 4 times fewer multiplications than im2col
(``numba_conv.py``). Here each 6x6 tile is transformed on its columns, then
on its rows: each output row of a step is one loop over the channels that
adds six (or four) input rows times the matrix's coefficients, which LLVM
turns into SIMD. The 36 matrix products per block of images are one
stack for ``numba_simd_matmul.batched_matmul`` (AVX-512 vectors where the
CPU has them, BLAS otherwise). The filter's own small transform runs on one
BLAS thread (``runtime.single_threaded_blas``): shared with BLAS's worker,
it would leave that worker spinning on a core through the next kernels.

Why F(4x4, 3x3) and not F(2x2, 3x3): it needs 1.78 times fewer products and
transforms 1.78 times fewer values per output cell; its float32 rounding is
larger but stays about 3e-6 of the output's largest value with the points
(0, 1, -1, 1/2, -2) (``bench/RESULTS.md`` compares point sets).

``minikeras/backend/kernel_choice.py`` sends a convolution here when its
kernel is 3x3 with stride 1 and no dilation, and the input has enough
channels for the products to dominate; all other convolutions stay on
im2col (``numba_conv.py``). The two functions keep the contract of every
conv kernel (``conv_forward``, ``conv_backward``, as in ``reference.py``)
and refuse other strides, dilations and kernel sizes with a ValueError.

The output transform also adds the bias and applies the ReLU of a Conv
layer (``conv_forward(..., bias, relu)``), and its transpose passes ``dy``
through the ReLU and sums the bias's gradient, while each tile is in the
cache: the layer's three passes over its output become one.

The loops over a tile's rows and columns take their trip counts from the
matrices (``six = B_T.shape[0]``), not from the literals 6 and 4: with a
constant count, LLVM unrolls the 6x6 loops around each vectorised channel
loop into 36 copies of it, which made these four kernels most of the first
run's compile time, for no speed (``bench/RESULTS.md``, "Compile time").
The same sums were first written with small helpers over row views
(``_mix6(out, k, r0, ..., r5)``, inlined by Numba): each kernel then typed,
lowered and reference-counted a dozen views per step. Indexing the arrays
directly, as below, compiles the four kernels in 3.1 s instead of 4.0 and
runs as fast or a little faster (``bench/RESULTS.md``, "Compile time,
session 9").

As in ``numba_conv.py``, the batch is processed in blocks of images whose
transformed tiles fit in ``BLOCK_BYTES``, buffers reused by every block, so
that a block's tiles are still in cache when the products read them.

The forward pass of float32 layers whose channels come in multiples of 64,
on a CPU with AVX-512 (the guide's 3x3 layers), goes another way: each
thread takes its own rows of tiles through the three steps, ``CHUNK_TILES``
tiles at a time, in buffers of its own (:func:`_forward_rows`), with the
two transforms of ``winograd_vectors.py`` (64 channels per operation) and
the products of ``numba_simd_matmul``. The products are independent per
tile, so the threads meet once per layer instead of three times per block,
and a chunk's tiles stay in the core's cache between the steps. The
backward pass keeps its blocks, with the four transforms of
``winograd_vectors.py`` for such layers. Read next:
``winograd_vectors.py``, then ``numba_pool.py``.
"""

import numpy as np
from numba import njit

from minikeras.kernels import numba_simd_matmul
from minikeras.kernels import runtime
from minikeras.kernels import winograd_vectors
from minikeras.kernels.winograd_reference import F4
from minikeras.kernels.winograd_reference import filter_transform
from minikeras.kernels.winograd_reference import filter_transform_t

runtime.load_tbb()  # before Numba starts its threads (run_parallel asks their count), whatever NUMBA_THREADING_LAYER says

# Size of one block's transformed tiles (the larger of V and M). A sweep over
# the guide's three 3x3 layers (2 cores, batch 128) is in bench/RESULTS.md.
BLOCK_BYTES = 4 * 2**20
# Tiles per chunk of _forward_rows: a sweep on the guide's convnet (bench/RESULTS.md, "Session 11")
# found 64 to 256 alike, 32 and fewer slower (each chunk reads all 36 products' filters again).
CHUNK_TILES = 128


@njit(nogil=True, cache=True)
def _input_transform(xpad, B_T, start, TH, TW, V, t, first, last):
    """``V = B_T d B_T.T`` for the 6x6 tiles ``d`` of rows of tiles ``first:last`` of the block at image ``start``.

    Args:
        xpad: ``(N, 4*TH + 2, 4*TW + 2, C)``; B_T: ``(6, 6)``, xpad's dtype.
        start: the block's first image; its rows of tiles are numbered
            ``0 .. (stop-start)*TH - 1``, image after image.
        V: output buffer ``(6, 6, >= (stop-start)*TH*TW, C)``.
        t: work space ``(6, 6, C)``, this thread's own (``runtime.run_parallel``'s ``scratch``).
        first, last: the rows of tiles this call transforms (``runtime.run_parallel``'s piece).
    """
    C, six = xpad.shape[3], B_T.shape[0]  # six: a trip count LLVM does not unroll (module docstring)
    for r in range(first, last):  # one (image, row of tiles) of the block per iteration
        n, h = start + r // TH, 4 * (r % TH)
        for tw in range(TW):
            p, w = r * TW + tw, 4 * tw
            # 1. Columns: t[a, j] = sum_i B_T[a, i] d[i, j].
            for a in range(six):
                k0, k1, k2, k3, k4, k5 = B_T[a, 0], B_T[a, 1], B_T[a, 2], B_T[a, 3], B_T[a, 4], B_T[a, 5]
                for j in range(six):
                    for c in range(C):
                        t[a, j, c] = (k0 * xpad[n, h, w + j, c] + k1 * xpad[n, h + 1, w + j, c]
                                      + k2 * xpad[n, h + 2, w + j, c] + k3 * xpad[n, h + 3, w + j, c]
                                      + k4 * xpad[n, h + 4, w + j, c] + k5 * xpad[n, h + 5, w + j, c])
            # 2. Rows: V[a, b] = sum_j t[a, j] B_T[b, j].
            for b in range(six):
                k0, k1, k2, k3, k4, k5 = B_T[b, 0], B_T[b, 1], B_T[b, 2], B_T[b, 3], B_T[b, 4], B_T[b, 5]
                for a in range(six):
                    for c in range(C):
                        V[a, b, p, c] = (k0 * t[a, 0, c] + k1 * t[a, 1, c] + k2 * t[a, 2, c]
                                         + k3 * t[a, 3, c] + k4 * t[a, 4, c] + k5 * t[a, 5, c])


@njit(nogil=True, cache=True)
def _input_transform_t(dV, B, start, TH, TW, dxpad, s, first, last):
    """Sums each tile's ``B_T.T dV B_T`` into ``dxpad``, images ``start+first:start+last``.

    Neighbouring tiles share two rows or columns, so one image's tiles are
    added one after the other (a fixed order: the same sums every run);
    images are independent, so pieces of the block run on different
    threads. Each image is zeroed by its own thread just before, while it is
    in that core's cache (cheaper than one ``np.zeros`` of the whole batch).

    Args:
        dV: ``(6, 6, >= (stop-start)*TH*TW, C)``; B: ``B_T.T``, contiguous.
        start: the block's first image.
        dxpad: ``(N, 4*TH + 2, 4*TW + 2, C)``; the images of the piece are overwritten.
        s: work space ``(6, 6, C)``, this thread's own.
        first, last: the block's images this call computes.
    """
    C, six = dV.shape[3], B.shape[0]
    for b in range(first, last):  # one image of the block per iteration
        n = start + b
        dxpad[n] = 0
        for th in range(TH):
            for tw in range(TW):
                p, h, w = (b * TH + th) * TW + tw, 4 * th, 4 * tw
                # 1. Columns: s[i, k] = sum_a B_T[a, i] dV[a, k].
                for i in range(six):
                    k0, k1, k2, k3, k4, k5 = B[i, 0], B[i, 1], B[i, 2], B[i, 3], B[i, 4], B[i, 5]
                    for k in range(six):
                        for c in range(C):
                            s[i, k, c] = (k0 * dV[0, k, p, c] + k1 * dV[1, k, p, c] + k2 * dV[2, k, p, c]
                                          + k3 * dV[3, k, p, c] + k4 * dV[4, k, p, c] + k5 * dV[5, k, p, c])
                # 2. Rows, added onto the tile: dxpad[i, j] += sum_k s[i, k] B_T[k, j].
                for j in range(six):
                    k0, k1, k2, k3, k4, k5 = B[j, 0], B[j, 1], B[j, 2], B[j, 3], B[j, 4], B[j, 5]
                    for i in range(six):
                        for c in range(C):
                            dxpad[n, h + i, w + j, c] += (k0 * s[i, 0, c] + k1 * s[i, 1, c] + k2 * s[i, 2, c]
                                                          + k3 * s[i, 3, c] + k4 * s[i, 4, c] + k5 * s[i, 5, c])


@njit(nogil=True, cache=True)
def _output_transform(M, A_T, bias, relu, pool, start, TH, TW, y, argmax, width, u, o, first, last):
    """``y = A_T M A_T.T + bias`` (then ``max(y, 0)`` if ``relu``), rows of tiles ``first:last`` of the block.

    Adding the bias and the ReLU here, while each output row is in the
    cache, spares two passes over the whole output (``bench/RESULTS.md``).
    With ``pool``, each 2x2 window of output cells is max-pooled on the way
    (stride 2, no padding: a tile's 4x4 cells are 2x2 whole windows) and
    only the window's maximum is written: what a Conv2D layer followed by
    ``MaxPooling2D(2)`` computes, without writing the convolution's output
    and reading it back (:func:`conv_max_pool_forward`). For training,
    ``argmax`` receives where each maximum came from, as ``max_pool_forward``
    gives it: the flat index ``h * width + w`` of the cell in the
    convolution's output.

    Args:
        M: ``(6, 6, >= (stop-start)*TH*TW, F)``; A_T: ``(4, 6)``.
        bias: ``(F,)``; relu, pool: bools.
        start: the block's first image (rows of tiles numbered as in :func:`_input_transform`).
        y: output ``(N, OH, OW, F)``, or ``(N, OH // 2, OW // 2, F)`` with ``pool``;
            the cells of the last tiles that stick out of it are not written.
        argmax: int64 ``(N, OH // 2, OW // 2, F)`` written with ``pool``, or empty ``(0, 0, 0, 0)``: not written.
        width: the convolution's output width ``OW`` (odd or even), for ``argmax``'s flat indices.
        u, o: work space ``(4, 6, F)`` and ``(4, 4, F)`` (one output tile, to be pooled), this thread's own.
        first, last: the rows of tiles this call computes.
    """
    s = 2 if pool else 1  # output cell (h, w) lands in y[h // s, w // s]
    OH, OW, F = y.shape[1] * s, y.shape[2] * s, M.shape[3]  # pooled: an odd last row or column is dropped
    four, six = A_T.shape
    zero = y.dtype.type(0)
    record = argmax.shape[0] > 0
    for r in range(first, last):  # one (image, row of tiles) of the block per iteration
        n, h = start + r // TH, 4 * (r % TH)
        for tw in range(TW):
            p, w = r * TW + tw, 4 * tw
            # 1. Columns: u[i, b] = sum_a A_T[i, a] M[a, b].
            for i in range(four):
                k0, k1, k2, k3, k4, k5 = A_T[i, 0], A_T[i, 1], A_T[i, 2], A_T[i, 3], A_T[i, 4], A_T[i, 5]
                for b in range(six):
                    for c in range(F):
                        u[i, b, c] = (k0 * M[0, b, p, c] + k1 * M[1, b, p, c] + k2 * M[2, b, p, c]
                                      + k3 * M[3, b, p, c] + k4 * M[4, b, p, c] + k5 * M[5, b, p, c])
            # 2. Rows, for the cells inside the output: o[i, j] = sum_b u[i, b] A_T[j, b] + bias, then the ReLU,
            #    into y at once, or into the tile buffer o to be pooled.
            rows = four if h + four <= OH else OH - h  # not min(): Numba would compile min's overload too,
            columns = four if w + four <= OW else OW - w  # one more function on a first run
            for j in range(columns):
                k0, k1, k2, k3, k4, k5 = A_T[j, 0], A_T[j, 1], A_T[j, 2], A_T[j, 3], A_T[j, 4], A_T[j, 5]
                for i in range(rows):
                    out = o[i, j] if pool else y[n, h + i, w + j]
                    for c in range(F):
                        total = (k0 * u[i, 0, c] + k1 * u[i, 1, c] + k2 * u[i, 2, c]
                                 + k3 * u[i, 3, c] + k4 * u[i, 4, c] + k5 * u[i, 5, c])
                        value = total + bias[c]
                        out[c] = value if value > zero or not relu else zero
            # 3. Pooled: each 2x2 window of o, its first cell unless a later one (row by row) is larger
            #    (a NaN wins, as in numba_pool's max pooling), into y[h/2 + i/2, w/2 + j/2]; where it came
            #    from into argmax when recording.
            if pool:
                for i in range(0, rows, 2):
                    for j in range(0, columns, 2):
                        corner = (h + i) * width + w + j  # the window's first cell, flat, in the convolution's output
                        for c in range(F):
                            best, index = o[i, j, c], corner
                            value = o[i, j + 1, c]
                            if (value > best) | ((value != value) & (best == best)):
                                best, index = value, corner + 1
                            value = o[i + 1, j, c]
                            if (value > best) | ((value != value) & (best == best)):
                                best, index = value, corner + width
                            value = o[i + 1, j + 1, c]
                            if (value > best) | ((value != value) & (best == best)):
                                best, index = value, corner + width + 1
                            y[n, (h + i) // 2, (w + j) // 2, c] = best
                            if record:
                                argmax[n, (h + i) // 2, (w + j) // 2, c] = index


@njit(nogil=True, cache=True)
def _output_transform_t(dy, y, A, relu, start, TH, TW, dM, dbias_rows, z, s, first, last):
    """``dM = A_T.T dz A_T`` for rows of tiles ``first:last`` of the block, ``dz`` being ``dy`` through the ReLU.

    Each tile of ``dy`` is first copied into a 4x4 buffer: zeros where the
    tile sticks out of the output, and where ``y <= 0`` when ``relu``
    (the ReLU's gradient). The copied values are also added up per channel,
    the bias's gradient, one row of ``dbias_rows`` per row of tiles so that
    the sum has a fixed order whatever the number of threads.

    Args:
        dy: the output gradient ``(N, OH, OW, F)``.
        y: the forward output (the same shape), read only if ``relu``.
        A: ``A_T.T`` ``(6, 4)``, contiguous.
        dM: output buffer ``(6, 6, >= (stop-start)*TH*TW, F)``.
        dbias_rows: ``(N*TH, F)``, added to: row ``n*TH + th`` for tile row ``th`` of image ``n``.
        z, s: work space ``(4, 4, F)`` and ``(6, 4, F)``, this thread's own.
        first, last: the rows of tiles this call computes (block numbering, from image ``start``).
    """
    OH, OW, F = dy.shape[1], dy.shape[2], dy.shape[3]
    six, four = A.shape
    zero = dM.dtype.type(0)
    for r in range(first, last):  # one (image, row of tiles) of the block per iteration
        n, h, row = start + r // TH, 4 * (r % TH), start * TH + r
        for tw in range(TW):
            p, w = r * TW + tw, 4 * tw
            # 1. The tile of dz, zero where it sticks out of the output; its sum goes to the bias's row.
            for i in range(four):
                for j in range(four):
                    if h + i < OH and w + j < OW:
                        for c in range(F):
                            gradient = dy[n, h + i, w + j, c] if y[n, h + i, w + j, c] > zero or not relu else zero
                            z[i, j, c] = gradient
                            dbias_rows[row, c] += gradient
                    else:
                        for c in range(F):
                            z[i, j, c] = zero
            # 2. Columns: s[a, j] = sum_i A_T[i, a] dz[i, j].
            for a in range(six):
                k0, k1, k2, k3 = A[a, 0], A[a, 1], A[a, 2], A[a, 3]
                for j in range(four):
                    for c in range(F):
                        s[a, j, c] = k0 * z[0, j, c] + k1 * z[1, j, c] + k2 * z[2, j, c] + k3 * z[3, j, c]
            # 3. Rows: dM[a, b] = sum_j s[a, j] A_T[j, b].
            for b in range(six):
                k0, k1, k2, k3 = A[b, 0], A[b, 1], A[b, 2], A[b, 3]
                for a in range(six):
                    for c in range(F):
                        dM[a, b, p, c] = k0 * s[a, 0, c] + k1 * s[a, 1, c] + k2 * s[a, 2, c] + k3 * s[a, 3, c]


def _tile_grid(input_shape, padding, m=4):
    """``(OH, OW, TH, TW)``: the output size and the grid of m x m output tiles."""
    (top, bottom), (left, right) = padding
    OH = input_shape[1] + top + bottom - 2
    OW = input_shape[2] + left + right - 2
    return OH, OW, -(-OH // m), -(-OW // m)


def _pad_for_tiles(x, padding, m, TH, TW):
    """Zero cells around ``x`` so that the tiles cover it: ``(N, m*TH + 2, m*TW + 2, C)``.

    The requested padding goes first; rows and columns of zeros are added
    after it where the last tiles stick out of the output (their extra
    outputs are not written).
    """
    (top, _), (left, _) = padding
    bottom = m * TH + 2 - x.shape[1] - top
    right = m * TW + 2 - x.shape[2] - left
    if top == bottom == left == right == 0:
        return np.ascontiguousarray(x)
    return np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))


def _blocks(n_images, tiles_per_image, tile_bytes):
    """Splits the batch into blocks whose ``(36, P, channels)`` buffers fit in ``BLOCK_BYTES``.

    Returns:
        ``(images_per_block, [(start, stop), ...])``.
    """
    per_image = 36 * tiles_per_image * tile_bytes
    per_block = max(1, min(n_images, BLOCK_BYTES // max(1, per_image)))
    return per_block, [(start, min(start + per_block, n_images)) for start in range(0, n_images, per_block)]


def _tiles_buffer(P, channels, dtype):
    """A ``(36, P, channels)`` buffer for BLAS and its ``(6, 6, P, channels)`` view for the transforms."""
    flat = np.empty((36, P, channels), dtype=dtype)
    return flat, flat.reshape(6, 6, P, channels)


def _check_geometry(kernel, strides, dilation):
    """Raises ValueError unless this is a 3x3 convolution with stride 1 and no dilation."""
    if tuple(kernel.shape[:2]) != (3, 3) or tuple(strides) != (1, 1) or tuple(dilation) != (1, 1):
        raise ValueError(
            "numba_winograd computes 3x3 convolutions with stride 1 and no dilation. Received a kernel "
            f"of shape {tuple(kernel.shape)}, strides={tuple(strides)}, dilation={tuple(dilation)}."
        )


def conv_forward(x, kernel, bias=None, relu=False, strides=(1, 1), padding=((0, 0), (0, 0)), dilation=(1, 1)):
    """Same contract as ``reference.conv_forward``, for 3x3 kernels, stride 1, no dilation.

    Args:
        x: ``(N, H, W, C)``.
        kernel: ``(3, 3, C, F)``.
        bias: ``(F,)``, added to every output cell, or None.
        relu: apply ``max(y, 0)`` after the bias.
        strides, dilation: ``(1, 1)`` (anything else is a ValueError).
        padding: ``((top, bottom), (left, right))``.
    Returns:
        ``(N, OH, OW, F)``.
    """
    _check_geometry(kernel, strides, dilation)
    return _forward(x, kernel, bias, relu, padding, pool=False)[0]


def conv_max_pool_forward(x, kernel, bias=None, relu=False, padding=((0, 0), (0, 0)), need_argmax=False):
    """Same contract as ``reference.conv_max_pool_forward``: the convolution, then 2x2 max pooling, in one pass.

    For 3x3 kernels (a ValueError otherwise). The pooling happens in the
    output transform (:func:`_output_transform` with ``pool``): the
    convolution's output is never written whole.

    Returns:
        ``(y, argmax or None)``: ``y (N, OH // 2, OW // 2, F)``; ``argmax``, of the
        same shape, as ``max_pool_forward`` gives it, when ``need_argmax``.
    """
    _check_geometry(kernel, (1, 1), (1, 1))
    return _forward(x, kernel, bias, relu, padding, pool=True, need_argmax=need_argmax)


def _forward(x, kernel, bias, relu, padding, pool, need_argmax=False):
    """``(y, argmax or None)``: the convolution of :func:`conv_forward`, pooled 2x2 if ``pool``
    (:func:`conv_max_pool_forward`; ``argmax`` only then, when ``need_argmax``)."""
    # 1. The tiling, the padded input, the transformed filter.
    N, C, F = x.shape[0], x.shape[3], kernel.shape[3]
    OH, OW, TH, TW = _tile_grid(x.shape, padding)
    xpad = _pad_for_tiles(x, padding, 4, TH, TW)
    with runtime.single_threaded_blas():  # a small product: BLAS's worker would spin after it (runtime.py)
        U = filter_transform(kernel.astype(x.dtype, copy=False), F4)  # (36, C, F)
    B_T, A_T = F4.B_T.astype(x.dtype), F4.A_T.astype(x.dtype)
    bias = np.zeros(F, dtype=x.dtype) if bias is None else np.ascontiguousarray(bias, dtype=x.dtype)
    # 2. Per block of images: transform, 36 products, transform back (plus bias, ReLU, pooling).
    y = np.empty((N, OH // 2, OW // 2, F) if pool else (N, OH, OW, F), dtype=x.dtype)
    need_argmax = pool and need_argmax
    argmax = np.empty(y.shape if need_argmax else (0, 0, 0, 0), dtype=np.int64)  # empty: not written
    if _vectors(x, C) and _vectors(x, F):  # one pass per thread over its rows of tiles (winograd_vectors.py)
        per_chunk = max(1, CHUNK_TILES // TW)  # rows of tiles per chunk
        runtime.run_parallel(_forward_rows, N * TH, xpad.reshape(-1), *xpad.shape[1:], U.reshape(-1),
                             F, B_T, A_T, bias, relu, pool, TH, TW, y.reshape(-1), OH, OW, argmax.reshape(-1),
                             scratch=(np.empty(36 * per_chunk * TW * C, x.dtype), np.empty(36 * per_chunk * TW * F, x.dtype),
                                      np.empty(36 * 64, x.dtype), np.empty(24 * 64, x.dtype), np.empty(16 * F, x.dtype),
                                      np.empty(numba_simd_matmul.DEPTH * 64, x.dtype)))
        return y, (argmax if need_argmax else None)
    per_block, blocks = _blocks(N, TH * TW, max(C, F) * x.itemsize)
    V, _ = _tiles_buffer(per_block * TH * TW, C, x.dtype)
    M, M_6x6 = _tiles_buffer(per_block * TH * TW, F, x.dtype)
    for start, stop in blocks:
        P = (stop - start) * TH * TW
        _transform_input(xpad, B_T, start, stop, TH, TW, V)
        numba_simd_matmul.batched_matmul(V[:, :P], U, out=M[:, :P])  # 36 x (P, C) @ (C, F)
        runtime.run_parallel(_output_transform, (stop - start) * TH, M_6x6, A_T, bias, relu, pool, start, TH, TW,
                             y, argmax, OW, scratch=(np.empty((4, 6, F), x.dtype), np.empty((4, 4, F), x.dtype)))
    return y, (argmax if need_argmax else None)


def _forward_rows(xpad, H, W, C, U, F, B_T, A_T, bias, relu, pool, TH, TW, y, OH, OW, argmax, V, M, t, u, o, panel,
                  first, last):
    """The whole forward pass for the rows of tiles ``first:last`` of the batch, on this thread alone.

    The 36 products are independent per tile (``M[xi, p] = V[xi, p] @ U[xi]``),
    so a thread can take its rows of tiles through the three steps by itself,
    a chunk of rows at a time: transform them into ``V``, multiply
    (``numba_simd_matmul._products``), transform back into ``y``. ``V`` and
    ``M`` are this thread's own and stay in its core's cache from one step to
    the next, and the threads meet once per layer instead of three times per
    block of images. A Python function (``runtime.run_parallel`` calls it
    like a kernel): the three Numba kernels release Python's lock while they
    compute, and a Numba function calling them would be compiled again with
    all three inside it, for seconds, on every first run.

    Args:
        xpad, H, W, C, B_T: as in ``winograd_vectors._input_transform`` (``start`` is 0: the whole batch).
        U: the transformed filter ``(36, C, F)`` as a flat array.
        A_T, bias, relu, pool, TH, TW, y, OH, OW, argmax: as in ``winograd_vectors._output_transform``.
        V, M: work space, flat ``(36, chunk, C)`` and ``(36, chunk, F)``: ``chunk`` tiles, whole rows of them.
        t, u, o, panel: the work spaces of the three kernels.
    """
    per_chunk = V.shape[0] // (36 * C * TW)  # rows of tiles per chunk
    for r0 in range(first, last, per_chunk):
        r1 = min(r0 + per_chunk, last)
        tiles = (r1 - r0) * TW
        winograd_vectors._input_transform(xpad, H, W, C, B_T, 0, TH, TW, V, tiles, r0, t, r0, r1)
        pieces = 36 * (F // 64) * -(-tiles // numba_simd_matmul.ROWS)
        numba_simd_matmul._products(V, (tiles * C, C, 1), U, (C * F, F, 1), M, (tiles * F, F), tiles, C, F,
                                    numba_simd_matmul._NO_BIAS, False, panel, 0, pieces)
        winograd_vectors._output_transform(M, tiles, r0, A_T, bias, relu, pool, 0, TH, TW, y, OH, OW, argmax, u, o,
                                           r0, r1)


def _vectors(x, channels):
    """True when ``channels`` of ``x``'s dtype go to ``winograd_vectors.py``: float32, a multiple of 64,
    and a CPU with AVX-512 (``numba_simd_matmul``'s rule: without it the 64-lane values would not
    fit in the registers)."""
    return x.dtype == np.float32 and channels % 64 == 0 and numba_simd_matmul._available()


def _transform_input(xpad, B_T, start, stop, TH, TW, V):
    """``V[:, :P]`` (a ``(36, P, C)`` buffer) = the input transform of images ``start:stop`` of ``xpad``."""
    if _vectors(V, V.shape[2]):
        N, H, W, C = xpad.shape
        runtime.run_parallel(winograd_vectors._input_transform, (stop - start) * TH, xpad.reshape(-1), H, W, C, B_T,
                             start, TH, TW, V.reshape(-1), V.shape[1], 0, scratch=(np.empty(36 * 64, V.dtype),))
    else:
        runtime.run_parallel(_input_transform, (stop - start) * TH, xpad, B_T, start, TH, TW,
                             V.reshape(6, 6, *V.shape[1:]), scratch=(np.empty((6, 6, V.shape[2]), V.dtype),))


def conv_backward(x, y, dy, kernel, relu=False, strides=(1, 1), padding=((0, 0), (0, 0)), dilation=(1, 1),
                  need_input=True, need_kernel=True):
    """Same contract as ``reference.conv_backward``, for 3x3 kernels, stride 1, no dilation.

    Args:
        x: the forward input ``(N, H, W, C)``; y: the forward output ``(N, OH, OW, F)``, read if ``relu``.
        dy: ``(N, OH, OW, F)``; kernel: ``(3, 3, C, F)``.
        relu: whether the forward pass applied a ReLU (then ``y`` gives its mask).
        need_input, need_kernel: which gradients to compute.
    Returns:
        ``(dx or None, dkernel or None, dbias)``.
    """
    _check_geometry(kernel, strides, dilation)
    return _backward(dy, kernel, x.shape, padding, x if need_kernel else None, need_input, y, relu)


def _backward(dy, kernel, input_shape, padding, x, need_input, y, relu):
    """dx if ``need_input`` (then ``kernel`` is read), dkernel if ``x`` is given, and dbias:
    ``(dx or None, dkernel or None, dbias)``.

    The transformed output gradient ``dM`` serves both products, so each
    block computes it once; on the way it passes ``dy`` through the ReLU and
    sums it into dbias. The input tiles ``V`` are transformed again rather
    than kept from the forward pass (one cheap pass over ``x``, and the
    kernels stay free of state); ``V`` and ``dV`` share one buffer.
    """
    # 1. The forward pass's tiling, padded input, the transformed filter (transposed for dV).
    N, C, F = input_shape[0], input_shape[3], dy.shape[3]
    _, _, TH, TW = _tile_grid(input_shape, padding)
    dtype = dy.dtype if x is None else x.dtype
    dy = np.ascontiguousarray(dy, dtype=dtype)
    y = np.ascontiguousarray(y, dtype=dtype) if relu else dy  # read only through the ReLU
    xpad = None if x is None else _pad_for_tiles(x, padding, 4, TH, TW)
    dxpad = np.empty((N, 4 * TH + 2, 4 * TW + 2, C), dtype=dtype) if need_input else None  # zeroed per image
    if need_input:
        with runtime.single_threaded_blas():  # as in _forward
            U_t = np.ascontiguousarray(filter_transform(kernel.astype(dtype, copy=False), F4).transpose(0, 2, 1))  # (36, F, C)
    dU = None if x is None else np.zeros((36, C, F), dtype=dtype)
    dbias_rows = np.zeros((N * TH, F), dtype=dtype)
    B_T, B, A = (np.ascontiguousarray(matrix, dtype=dtype) for matrix in (F4.B_T, F4.B_T.T, F4.A_T.T))
    # 2. Per block: dM once; dx's product and scatter; dkernel's product.
    per_block, blocks = _blocks(N, TH * TW, max(C, F) * np.dtype(dtype).itemsize)
    dM, dM_6x6 = _tiles_buffer(per_block * TH * TW, F, dtype)
    tiles, tiles_6x6 = _tiles_buffer(per_block * TH * TW, C, dtype)  # dV, then V
    for start, stop in blocks:
        P = (stop - start) * TH * TW
        if _vectors(dM, F):  # the same transforms, 64 channels per operation (winograd_vectors.py)
            runtime.run_parallel(winograd_vectors._output_transform_t, (stop - start) * TH, dy.reshape(-1),
                                 y.reshape(-1), dy.shape[1], dy.shape[2], F, A, relu, start, TH, TW, dM.reshape(-1),
                                 dM.shape[1], dbias_rows.reshape(-1),
                                 scratch=(np.empty(16 * 64, dtype), np.empty(24 * 64, dtype)))
        else:
            runtime.run_parallel(_output_transform_t, (stop - start) * TH, dy, y, A, relu, start, TH, TW, dM_6x6,
                                 dbias_rows, scratch=(np.empty((4, 4, F), dtype), np.empty((6, 4, F), dtype)))
        if need_input:
            numba_simd_matmul.batched_matmul(dM[:, :P], U_t, out=tiles[:, :P])  # dV: 36 x (P, F) @ (F, C)
            if _vectors(tiles, C):
                runtime.run_parallel(winograd_vectors._input_transform_t, stop - start, tiles.reshape(-1),
                                     tiles.shape[1], B, start, TH, TW, dxpad.reshape(-1), *dxpad.shape[1:],
                                     scratch=(np.empty(36 * 64, dtype),))
            else:
                runtime.run_parallel(_input_transform_t, stop - start, tiles_6x6, B, start, TH, TW, dxpad,
                                     scratch=(np.empty((6, 6, C), dtype),))
        if x is not None:
            _transform_input(xpad, B_T, start, stop, TH, TW, tiles)  # V
            dU += numba_simd_matmul.batched_matmul(tiles[:, :P].transpose(0, 2, 1), dM[:, :P])  # 36 x (C, P) @ (P, F)
    # 3. Undo the padding and the filter transform; add up the bias's rows.
    (top, _), (left, _) = padding
    dx = dxpad[:, top : top + input_shape[1], left : left + input_shape[2]] if need_input else None
    with runtime.single_threaded_blas():
        dkernel = None if x is None else filter_transform_t(dU, F4)
    return dx, dkernel, dbias_rows.sum(axis=0)
