"""Convolution on the CPU: im2col with Numba, the products by ``numba_simd_matmul`` (or BLAS).

Place in the stack: ``kernels/``, the third step of the conv chapter, after
``reference.py`` and ``numpy_im2col.py`` (same functions, same numbers,
checked by ``tests/kernels/``). Read ``numpy_im2col.py`` first: this file
is the same computation, made fast.

The idea (im2col, "image to columns"): copy every window of the input into
one row of a matrix, so that the whole convolution becomes one matrix
product, which runs near the machine's peak (``numba_simd_matmul.py``:
AVX-512 vectors where the CPU has them and the product fits, BLAS otherwise):

    cols  (N*OH*OW, KH*KW*C)   row r = the window of output position r
    y     = cols @ kernel.reshape(KH*KW*C, F)          forward
    dw    = cols.T @ dy.reshape(N*OH*OW, F)            gradient wrt kernel
    dcols = dy.reshape(N*OH*OW, F) @ kernel.reshape(KH*KW*C, F).T
    dx    = col2im(dcols): add each row back onto its window

Numba writes ``cols`` (a loop over output rows, which ``runtime.run_parallel``
spreads over the cores; ``runtime.py`` says why not ``prange``), and the
products are called from Python on views of it. ``cols`` repeats each input
cell KH*KW times; for the guide's second layer at batch 128 it would take
170 MB, so the batch is processed in blocks of images whose ``cols`` fits in
``BLOCK_BYTES``, one buffer reused by every block. A block of a few MB also
stays in cache between the copy and the product. The Python loop runs over
these few blocks, never over single images. A Conv layer's bias and ReLU
take one more pass over ``y`` (:func:`_add_bias_relu`), and one over ``dy``
on the way back (:func:`_relu_bias_gradient`).

The transposed convolution (``conv_transpose_forward``/``_backward``, at the
end) adds no loop: its forward pass is :func:`_conv_backward_input` (one
product per real input cell, none with the zeros a "spread the input, then
convolve" version multiplies), its input gradient is :func:`conv_forward`,
its kernel gradient :func:`_conv_backward_kernel`. Read next:
``winograd_reference.py``, a way to do 3x3 convolutions with fewer products.
"""

import numpy as np
from numba import njit

from minikeras.kernels import numba_simd_matmul
from minikeras.kernels import runtime
from minikeras.kernels.geometry import output_size
from minikeras.kernels.geometry import transpose_output_shape

runtime.load_tbb()  # before Numba starts its threads (run_parallel asks their count), whatever NUMBA_THREADING_LAYER says

# Size of one block's ``cols`` buffer: big blocks let ``cols`` fall out of
# the cache between the copy and the product, small ones give products
# too short. A sweep on the guide's second layer chose 4 MB (the figures are
# in ``bench/RESULTS.md``, "Figures that left the docstrings").
BLOCK_BYTES = 4 * 2**20


@njit(nogil=True, cache=True)
def _im2col(x, start, geometry, cols, first, last):
    """Copies the windows of output rows ``first:last`` of the block starting at image ``start`` into ``cols``.

    Args:
        x: input ``(N, H, W, C)``, C-contiguous.
        start: the block's first image; its output rows are numbered
            ``0 .. (stop-start)*OH - 1``, image after image.
        geometry: ``(KH, KW, SH, SW, DH, DW, top, left, OH, OW)``.
        cols: output buffer, at least ``((stop-start)*OH*OW, KH*KW*C)``.
        first, last: the output rows this call copies (``runtime.run_parallel``'s piece).
    """
    KH, KW, SH, SW, DH, DW, top, left, OH, OW = geometry
    H, W, C = x.shape[1], x.shape[2], x.shape[3]
    for r in range(first, last):  # one (image, output row) of the block per iteration
        n, oh = start + r // OH, r % OH
        for ow in range(OW):
            row = r * OW + ow
            for i in range(KH):
                h = oh * SH + i * DH - top
                for j in range(KW):
                    w = ow * SW + j * DW - left
                    base = (i * KW + j) * C
                    if 0 <= h < H and 0 <= w < W:
                        for c in range(C):
                            cols[row, base + c] = x[n, h, w, c]
                    else:  # a padded cell
                        for c in range(C):
                            cols[row, base + c] = 0.0


@njit(nogil=True, cache=True)
def _col2im(dcols, start, geometry, dx, first, last):
    """Adds each row of ``dcols`` back onto its window of ``dx``, images ``start+first:start+last``.

    The inverse bookkeeping of :func:`_im2col`. Overlapping windows add up;
    images are independent, so pieces of the block run on different threads.
    """
    KH, KW, SH, SW, DH, DW, top, left, OH, OW = geometry
    H, W, C = dx.shape[1], dx.shape[2], dx.shape[3]
    for b in range(first, last):  # one image of the block per iteration
        n = start + b
        for oh in range(OH):
            for ow in range(OW):
                row = (b * OH + oh) * OW + ow
                for i in range(KH):
                    h = oh * SH + i * DH - top
                    if h < 0 or h >= H:
                        continue
                    for j in range(KW):
                        w = ow * SW + j * DW - left
                        if w < 0 or w >= W:
                            continue
                        base = (i * KW + j) * C
                        for c in range(C):
                            dx[n, h, w, c] += dcols[row, base + c]


# Fixed number of row chunks for the bias's gradient: each chunk sums its
# rows in order, then the chunks are summed, so the result does not depend
# on how many threads ran.
BIAS_CHUNKS = 64


@njit(nogil=True, cache=True)
def _add_bias_relu(y, bias, relu, first, last):
    """``y += bias``, then ``y = max(y, 0)`` if ``relu``, in place.

    Args:
        y: the convolution's output as a matrix ``(N*OH*OW, F)``.
        bias: ``(F,)``; relu: bool.
        first, last: the rows of ``y`` this call changes.
    """
    zero = y.dtype.type(0)
    for r in range(first, last):
        for f in range(y.shape[1]):
            value = y[r, f] + bias[f]
            y[r, f] = value if value > zero or not relu else zero


@njit(nogil=True, cache=True)
def _relu_bias_gradient(dy, y, dz, dbias_chunks, first, last):
    """``dz = dy`` where ``y > 0``, else 0 (the ReLU's VJP), and the column sums of ``dz``.

    Args:
        dy, y: ``(N*OH*OW, F)``: the upstream gradient and the forward output.
        dz: output ``(N*OH*OW, F)``.
        dbias_chunks: ``(BIAS_CHUNKS, F)`` zeros; row k gets the sum of chunk k's rows.
        first, last: the chunks this call computes.
    """
    rows, chunks = dy.shape[0], dbias_chunks.shape[0]
    zero = dy.dtype.type(0)
    for k in range(first, last):
        for r in range(k * rows // chunks, (k + 1) * rows // chunks):
            for f in range(dy.shape[1]):
                gradient = dy[r, f] if y[r, f] > zero else zero
                dz[r, f] = gradient
                dbias_chunks[k, f] += gradient


def _through_relu(dy, y, relu):
    """``(dz, dbias)``: ``dz = dy`` where the ReLU's output ``y`` is positive (all of ``dy`` without
    ``relu``), and the sums of ``dz`` per channel. ``dy, y (N, OH, OW, F)``, C-contiguous."""
    F = dy.shape[-1]
    if not relu:
        return dy, dy.reshape(-1, F).sum(axis=0)
    dz, dbias_chunks = np.empty_like(dy), np.zeros((BIAS_CHUNKS, F), dtype=dy.dtype)
    runtime.run_parallel(_relu_bias_gradient, BIAS_CHUNKS, dy.reshape(-1, F),
                         np.ascontiguousarray(y, dtype=dy.dtype).reshape(-1, F), dz.reshape(-1, F), dbias_chunks)
    return dz, dbias_chunks.sum(axis=0)


def _geometry(input_shape, kernel_shape, strides, padding, dilation):
    """The ten ints every loop needs, ``(KH, KW, SH, SW, DH, DW, top, left, OH, OW)``."""
    _, H, W, _ = input_shape
    KH, KW = kernel_shape[0], kernel_shape[1]
    OH = output_size(H, KH, strides[0], *padding[0], dilation[0])
    OW = output_size(W, KW, strides[1], *padding[1], dilation[1])
    top, left = padding[0][0], padding[1][0]
    return (KH, KW, strides[0], strides[1], dilation[0], dilation[1], top, left, OH, OW)


def _blocks(n_images, rows_per_image, row_bytes):
    """Splits the batch into blocks whose ``cols`` fits in ``BLOCK_BYTES``.

    Returns:
        ``(images_per_block, [(start, stop), ...])``.
    """
    per_block = max(1, min(n_images, BLOCK_BYTES // max(1, rows_per_image * row_bytes)))
    return per_block, [(start, min(start + per_block, n_images)) for start in range(0, n_images, per_block)]


def conv_forward(x, kernel, bias=None, relu=False, strides=(1, 1), padding=((0, 0), (0, 0)), dilation=(1, 1)):
    """Same contract as ``reference.conv_forward``: ``(N, H, W, C)`` -> ``(N, OH, OW, F)``."""
    # 1. Shapes, and the kernel as a matrix (KH, KW, C, F) -> (KH*KW*C, F).
    x = np.ascontiguousarray(x)
    KH, KW, C, F = kernel.shape
    geometry = _geometry(x.shape, kernel.shape, strides, padding, dilation)
    OH, OW = geometry[8], geometry[9]
    w = np.ascontiguousarray(kernel.reshape(KH * KW * C, F), dtype=x.dtype)
    y = np.empty((x.shape[0] * OH * OW, F), dtype=x.dtype)  # (N*OH*OW, F), reshaped at the end
    # 2. Per block: copy the windows, then one product straight into y.
    per_block, blocks = _blocks(x.shape[0], OH * OW, KH * KW * C * x.itemsize)
    cols = np.empty((per_block * OH * OW, KH * KW * C), dtype=x.dtype)
    for start, stop in blocks:
        rows = (stop - start) * OH * OW
        runtime.run_parallel(_im2col, (stop - start) * OH, x, start, geometry, cols)
        numba_simd_matmul.batched_matmul(cols[None, :rows], w[None], out=y[None, start * OH * OW : stop * OH * OW])
    # 3. The bias and the ReLU in one more pass over y.
    if bias is not None or relu:
        bias = np.zeros(F, dtype=x.dtype) if bias is None else np.ascontiguousarray(bias, dtype=x.dtype)
        runtime.run_parallel(_add_bias_relu, y.shape[0], y, bias, relu)
    return y.reshape(x.shape[0], OH, OW, F)


def conv_backward(x, y, dy, kernel, relu=False, strides=(1, 1), padding=((0, 0), (0, 0)), dilation=(1, 1),
                  need_input=True, need_kernel=True):
    """Same contract as ``reference.conv_backward``: ``(dx or None, dkernel or None, dbias)``."""
    # 1. Through the ReLU (its mask and the bias's sum in one pass), or dz = dy.
    dz, dbias = _through_relu(np.ascontiguousarray(dy, dtype=x.dtype), y, relu)
    # 2. The convolution's two gradients, each by blocks of images.
    dx = _conv_backward_input(dz, kernel, x.shape, strides, padding, dilation) if need_input else None
    dkernel = _conv_backward_kernel(x, dz, kernel.shape, strides, padding, dilation) if need_kernel else None
    return dx, dkernel, dbias


def _conv_backward_input(dy, kernel, input_shape, strides, padding, dilation):
    """dx ``(N, H, W, C)``: ``dcols = dy @ kernel.T`` per block, then col2im."""
    KH, KW, C, F = kernel.shape
    geometry = _geometry(input_shape, kernel.shape, strides, padding, dilation)
    OH, OW = geometry[8], geometry[9]
    dy = np.ascontiguousarray(dy).reshape(-1, F)  # (N, OH, OW, F) -> (N*OH*OW, F)
    w_t = np.ascontiguousarray(kernel.reshape(KH * KW * C, F).T, dtype=dy.dtype)  # (F, KH*KW*C)
    dx = np.zeros(input_shape, dtype=dy.dtype)
    per_block, blocks = _blocks(input_shape[0], OH * OW, KH * KW * C * dy.itemsize)
    dcols = np.empty((per_block * OH * OW, KH * KW * C), dtype=dy.dtype)
    for start, stop in blocks:
        rows = (stop - start) * OH * OW
        numba_simd_matmul.batched_matmul(dy[None, start * OH * OW : stop * OH * OW], w_t[None], out=dcols[None, :rows])
        runtime.run_parallel(_col2im, stop - start, dcols, start, geometry, dx)
    return dx


def _conv_backward_kernel(x, dy, kernel_shape, strides, padding, dilation):
    """dkernel ``(KH, KW, C, F)``: ``cols.T @ dy``, summed over the blocks."""
    x = np.ascontiguousarray(x)
    KH, KW, C, F = kernel_shape
    geometry = _geometry(x.shape, kernel_shape, strides, padding, dilation)
    OH, OW = geometry[8], geometry[9]
    dy = np.ascontiguousarray(dy, dtype=x.dtype).reshape(-1, F)  # (N*OH*OW, F)
    dw = np.zeros((KH * KW * C, F), dtype=x.dtype)
    per_block, blocks = _blocks(x.shape[0], OH * OW, KH * KW * C * x.itemsize)
    cols = np.empty((per_block * OH * OW, KH * KW * C), dtype=x.dtype)
    for start, stop in blocks:
        rows = (stop - start) * OH * OW
        runtime.run_parallel(_im2col, (stop - start) * OH, x, start, geometry, cols)
        dw += numba_simd_matmul.batched_matmul(cols[None, :rows].transpose(0, 2, 1), dy[None, start * OH * OW : stop * OH * OW])[0]  # (KH*KW*C, rows) @ (rows, F)
    return dw.reshape(kernel_shape)


# ------------------------------------------------------ transposed convolution
def conv_transpose_forward(x, kernel, bias=None, relu=False, strides=(1, 1), padding=((0, 0), (0, 0)),
                           dilation=(1, 1)):
    """Same contract as ``reference.conv_transpose_forward``: ``(N, H, W, C)`` -> ``(N, OH, OW, F)``.

    The input gradient of the convolution ``(KH, KW, F, C)`` from ``F`` to
    ``C`` channels, ``x`` read as that convolution's output gradient.
    """
    x = np.ascontiguousarray(x)
    OH, OW = transpose_output_shape(x.shape, kernel.shape[:2], strides, padding, dilation)
    F = kernel.shape[2]
    y = _conv_backward_input(x, kernel.astype(x.dtype, copy=False), (x.shape[0], OH, OW, F), strides, padding,
                             dilation)  # (N, H, W, C) -> (N, OH, OW, F)
    if bias is not None or relu:
        bias = np.zeros(F, dtype=x.dtype) if bias is None else np.ascontiguousarray(bias, dtype=x.dtype)
        rows = y.reshape(-1, F)  # (N, OH, OW, F) -> (N*OH*OW, F)
        runtime.run_parallel(_add_bias_relu, rows.shape[0], rows, bias, relu)
    return y


def conv_transpose_backward(x, y, dy, kernel, relu=False, strides=(1, 1), padding=((0, 0), (0, 0)),
                            dilation=(1, 1), need_input=True, need_kernel=True):
    """Same contract as ``reference.conv_transpose_backward``: ``(dx or None, dkernel or None, dbias)``.

    ``dx`` is the convolution of ``dz`` (the loops of :func:`conv_forward`),
    ``dkernel`` the convolution's kernel gradient with ``dz`` as its input and
    ``x`` as its output gradient. A negative bottom/right padding needs no
    care here: the loops skip rows outside the arrays.
    """
    x = np.ascontiguousarray(x)
    dz, dbias = _through_relu(np.ascontiguousarray(dy, dtype=x.dtype), y, relu)
    kernel = kernel.astype(x.dtype, copy=False)
    dx = conv_forward(dz, kernel, None, False, strides, padding, dilation) if need_input else None
    dkernel = _conv_backward_kernel(dz, x, kernel.shape, strides, padding, dilation) if need_kernel else None
    return dx, dkernel, dbias
