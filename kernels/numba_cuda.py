"""Convolution (full, transposed, depthwise), pooling, matmul on an NVIDIA GPU: CUDA kernels written with Numba.

Place in the stack: ``kernels/``, the GPU sibling of ``numba_conv.py``,
``numba_depthwise.py`` and ``numba_pool.py`` (same functions, same numbers,
checked by the tests of ``tests/kernels/``). ``minikeras/backend/kernel_choice.py`` picks this module
for CuPy arrays. Read the CPU kernels and ``reference.py`` first: each kernel
below is the body of their loops for one output element.

How a GPU runs a kernel
-----------------------
A CUDA kernel is a function that thousands of threads run at once, each on
its own part of the work. ``kernel[blocks, THREADS_PER_BLOCK](arguments)``
launches it: the threads come in *blocks* of ``THREADS_PER_BLOCK`` (one block
runs on one of the GPU's multiprocessors; its threads may share fast memory),
and the *grid* is the row of blocks. Inside, ``cuda.grid(1)`` gives each
thread its number ``i``, from 0 to ``blocks * THREADS_PER_BLOCK - 1``.

One thread per output element: thread ``i`` computes element ``i`` of the
output (counted in C order, so ``_unravel`` turns ``i`` into ``(n, oh, ow,
f)``), with the loops over its window inside. :func:`_launch` asks for
``ceil(size / THREADS_PER_BLOCK)`` blocks. The last block is usually
*partial*: its threads past the end of the output find ``i >= size`` and
return at once, which is why every kernel starts with that test.

Gathering, not scattering: an input gradient such as ``dx`` receives
contributions from every output that read its cell. Scattering (each output's
thread adds into the cells it read) makes threads write one cell at the same
time: it needs atomic adds, whose order, and so the float rounding of the
sum, changes from run to run. Gathering turns the loop around: the thread of
one ``dx`` cell finds the outputs that read it and adds their contributions
itself, in a fixed order. No two threads write the same cell, and the same
inputs give the same bits on every run. The kernel gradient gathers the same
way (one thread per ``dkernel`` element sums over the batch and the output
positions), and so does the bias gradient (one thread per filter).

Arrays: on a GPU the functions take and return CuPy arrays, which Numba reads
in place (through their ``__cuda_array_interface__``, no copy); matrix
products go to cuBLAS through ``cupy.matmul``. Under Numba's CUDA simulator
(``NUMBA_ENABLE_CUDASIM=1``) the same kernels run on the CPU, one Python
thread per CUDA thread, on NumPy arrays: that is how the tests check them
without a GPU. :func:`_array_module` is the one place that tells the two apart.
"""

import numpy as np
from numba import cuda

from minikeras.kernels.geometry import output_shape
from minikeras.kernels.geometry import transpose_output_shape

# Two warps (a warp: the 32 threads that execute one instruction together).
# Small blocks are no loss here (the threads share nothing), a multiprocessor
# runs many of them at once, and the last, partial block wastes at most 63
# threads: that also keeps the simulator, which runs every thread, fast.
THREADS_PER_BLOCK = 64


def _array_module(array):
    """CuPy for an array on the GPU; NumPy for anything else (the simulator's arrays)."""
    if type(array).__module__.startswith("cupy"):
        import cupy

        return cupy
    return np


def _launch(kernel, size, *arguments):
    """Runs ``kernel`` with one thread per element of an output of ``size`` elements."""
    blocks = (size + THREADS_PER_BLOCK - 1) // THREADS_PER_BLOCK  # the last block may be partial
    if blocks > 0:  # an empty output launches nothing (a grid of 0 blocks is an error)
        kernel[blocks, THREADS_PER_BLOCK](*arguments)


@cuda.jit(device=True)
def _unravel(i, size1, size2, size3):
    """The four indices of flat index ``i`` in a C-order array of shape ``(., size1, size2, size3)``."""
    return i // (size1 * size2 * size3), (i // (size2 * size3)) % size1, (i // size3) % size2, i % size3


# ----------------------------------------------------------------- convolution
@cuda.jit
def _conv_forward(x, kernel, bias, relu, geometry, y):
    """y[n, oh, ow, f] = the window of x times kernel[..., f], + bias[f], then the ReLU."""
    i = cuda.grid(1)
    if i >= y.size:
        return  # a thread of the last, partial block
    n, oh, ow, f = _unravel(i, y.shape[1], y.shape[2], y.shape[3])
    KH, KW, SH, SW, DH, DW, top, left = geometry
    H, W, C = x.shape[1], x.shape[2], x.shape[3]
    total = y.dtype.type(0)
    for ki in range(KH):
        h = oh * SH + ki * DH - top
        if h < 0 or h >= H:
            continue  # a padded row adds zero
        for kj in range(KW):
            w = ow * SW + kj * DW - left
            if w < 0 or w >= W:
                continue
            for c in range(C):
                total += x[n, h, w, c] * kernel[ki, kj, c, f]
    total += bias[f]
    if relu and total < 0:
        total = y.dtype.type(0)
    y[n, oh, ow, f] = total


@cuda.jit
def _relu_gradient(dy, y, dz):
    """dz = dy where the ReLU's output y is positive, else 0 (all ``(N, OH, OW, F)``)."""
    i = cuda.grid(1)
    if i >= dz.size:
        return
    n, oh, ow, f = _unravel(i, dz.shape[1], dz.shape[2], dz.shape[3])
    dz[n, oh, ow, f] = dy[n, oh, ow, f] if y[n, oh, ow, f] > 0 else dz.dtype.type(0)


@cuda.jit
def _bias_gradient(dz, dbias):
    """dbias[f] = the sum of dz[..., f]: one thread per filter, rows in order."""
    f = cuda.grid(1)
    if f >= dbias.size:
        return
    total = dbias.dtype.type(0)
    for n in range(dz.shape[0]):
        for oh in range(dz.shape[1]):
            for ow in range(dz.shape[2]):
                total += dz[n, oh, ow, f]
    dbias[f] = total


@cuda.jit
def _conv_backward_input(dy, kernel, geometry, dx):
    """dx[n, h, w, c]: gathers dy over the (output, tap) pairs whose window reads cell (h, w).

    Output row ``oh`` reads row ``h`` through tap ``ki`` when ``oh * SH + ki
    * DH - top == h``: for each tap, ``oh`` is found by dividing, and it
    exists only if the division is exact and lands inside ``0..OH-1``.
    """
    i = cuda.grid(1)
    if i >= dx.size:
        return
    n, h, w, c = _unravel(i, dx.shape[1], dx.shape[2], dx.shape[3])
    KH, KW, SH, SW, DH, DW, top, left = geometry
    OH, OW, F = dy.shape[1], dy.shape[2], dy.shape[3]
    total = dx.dtype.type(0)
    for ki in range(KH):
        row = h + top - ki * DH  # = oh * SH for the output row that reads h through tap ki
        if row < 0 or row % SH != 0 or row // SH >= OH:
            continue
        oh = row // SH
        for kj in range(KW):
            column = w + left - kj * DW
            if column < 0 or column % SW != 0 or column // SW >= OW:
                continue
            ow = column // SW
            for f in range(F):
                total += dy[n, oh, ow, f] * kernel[ki, kj, c, f]
    dx[n, h, w, c] = total


@cuda.jit
def _conv_backward_kernel(x, dy, geometry, dkernel):
    """dkernel[ki, kj, c, f] = sum over (n, oh, ow) of the input cell tap (ki, kj) read * dy[n, oh, ow, f]."""
    i = cuda.grid(1)
    if i >= dkernel.size:
        return
    ki, kj, c, f = _unravel(i, dkernel.shape[1], dkernel.shape[2], dkernel.shape[3])
    KH, KW, SH, SW, DH, DW, top, left = geometry
    H, W = x.shape[1], x.shape[2]
    total = dkernel.dtype.type(0)
    for n in range(dy.shape[0]):
        for oh in range(dy.shape[1]):
            h = oh * SH + ki * DH - top
            if h < 0 or h >= H:
                continue
            for ow in range(dy.shape[2]):
                w = ow * SW + kj * DW - left
                if w < 0 or w >= W:
                    continue
                total += x[n, h, w, c] * dy[n, oh, ow, f]
    dkernel[ki, kj, c, f] = total


def _conv_geometry(kernel_shape, strides, padding, dilation):
    """The eight ints every conv kernel needs, ``(KH, KW, SH, SW, DH, DW, top, left)``."""
    return (kernel_shape[0], kernel_shape[1], strides[0], strides[1], dilation[0], dilation[1],
            padding[0][0], padding[1][0])


def conv_forward(x, kernel, bias=None, relu=False, strides=(1, 1), padding=((0, 0), (0, 0)), dilation=(1, 1)):
    """Same contract as ``reference.conv_forward``: ``(N, H, W, C)`` -> ``(N, OH, OW, F)``."""
    xp = _array_module(x)
    x = xp.ascontiguousarray(x)
    kernel = xp.ascontiguousarray(kernel, dtype=x.dtype)
    F = kernel.shape[3]
    bias = xp.zeros(F, dtype=x.dtype) if bias is None else xp.ascontiguousarray(bias, dtype=x.dtype)
    OH, OW = output_shape(x.shape, kernel.shape[:2], strides, padding, dilation)
    y = xp.empty((x.shape[0], OH, OW, F), dtype=x.dtype)
    _launch(_conv_forward, y.size, x, kernel, bias, bool(relu),
            _conv_geometry(kernel.shape, strides, padding, dilation), y)
    return y


def conv_backward(x, y, dy, kernel, relu=False, strides=(1, 1), padding=((0, 0), (0, 0)), dilation=(1, 1),
                  need_input=True, need_kernel=True):
    """Same contract as ``reference.conv_backward``: ``(dx or None, dkernel or None, dbias)``."""
    return _backward(_conv_backward_input, _conv_backward_kernel, x, y, dy, kernel, relu, strides, padding,
                     dilation, need_input, need_kernel)


def _through_relu(xp, dy, y, relu):
    """``(dz, dbias)``: ``dz = dy`` where the ReLU's output ``y`` is positive (all of ``dy`` without
    ``relu``), then its sum per channel, one thread per channel. ``dy, y (N, OH, OW, F)``."""
    dz = xp.ascontiguousarray(dy)
    if relu:
        dz = xp.empty_like(dz)
        _launch(_relu_gradient, dz.size, xp.ascontiguousarray(dy), xp.ascontiguousarray(y, dtype=dz.dtype), dz)
    dbias = xp.empty(dz.shape[3], dtype=dz.dtype)
    _launch(_bias_gradient, dbias.size, dz, dbias)
    return dz, dbias


def _backward(input_kernel, kernel_kernel, x, y, dy, kernel, relu, strides, padding, dilation,
              need_input, need_kernel):
    """The backward pass a convolution and a depthwise convolution share; they differ only in
    the two CUDA kernels that gather ``dx`` and ``dkernel``."""
    # 1. Through the ReLU, or dz = dy; then the bias's gradient, one thread per output channel.
    xp = _array_module(x)
    x = xp.ascontiguousarray(x)
    dz, dbias = _through_relu(xp, dy.astype(x.dtype, copy=False), y, relu)
    kernel = xp.ascontiguousarray(kernel, dtype=x.dtype)
    # 2. The two gradients, each gathered by its own threads.
    geometry = _conv_geometry(kernel.shape, strides, padding, dilation)
    dx = dkernel = None
    if need_input:
        dx = xp.empty(x.shape, dtype=x.dtype)
        _launch(input_kernel, dx.size, dz, kernel, geometry, dx)
    if need_kernel:
        dkernel = xp.empty(kernel.shape, dtype=x.dtype)
        _launch(kernel_kernel, dkernel.size, x, dz, geometry, dkernel)
    return dx, dkernel, dbias


# ------------------------------------------------------ transposed convolution
# The input gradient of a convolution, used as a layer (``reference.conv_transpose_forward``):
# the forward pass is the gather ``_conv_backward_input`` above, one thread per output
# element; the input gradient is ``_conv_forward``, the kernel gradient ``_conv_backward_kernel``
# with the roles read backwards. Only the bias and the ReLU need a kernel of their own.
@cuda.jit
def _add_bias_relu(y, bias, relu):
    """y[n, oh, ow, f] += bias[f], then max(., 0) when ``relu``; in place, one thread per element."""
    i = cuda.grid(1)
    if i >= y.size:
        return
    n, oh, ow, f = _unravel(i, y.shape[1], y.shape[2], y.shape[3])
    total = y[n, oh, ow, f] + bias[f]
    if relu and total < 0:
        total = y.dtype.type(0)
    y[n, oh, ow, f] = total


def conv_transpose_forward(x, kernel, bias=None, relu=False, strides=(1, 1), padding=((0, 0), (0, 0)),
                           dilation=(1, 1)):
    """Same contract as ``reference.conv_transpose_forward``: ``(N, H, W, C)`` -> ``(N, OH, OW, F)``."""
    xp = _array_module(x)
    x = xp.ascontiguousarray(x)
    kernel = xp.ascontiguousarray(kernel, dtype=x.dtype)
    F = kernel.shape[2]
    OH, OW = transpose_output_shape(x.shape, kernel.shape[:2], strides, padding, dilation)
    y = xp.empty((x.shape[0], OH, OW, F), dtype=x.dtype)
    geometry = _conv_geometry(kernel.shape, strides, padding, dilation)
    _launch(_conv_backward_input, y.size, x, kernel, geometry, y)  # each y cell gathers from x
    if bias is not None or relu:
        bias = xp.zeros(F, dtype=x.dtype) if bias is None else xp.ascontiguousarray(bias, dtype=x.dtype)
        _launch(_add_bias_relu, y.size, y, bias, bool(relu))
    return y


def conv_transpose_backward(x, y, dy, kernel, relu=False, strides=(1, 1), padding=((0, 0), (0, 0)),
                            dilation=(1, 1), need_input=True, need_kernel=True):
    """Same contract as ``reference.conv_transpose_backward``: ``(dx or None, dkernel or None, dbias)``."""
    # 1. Through the ReLU, or dz = dy; the bias's gradient, one thread per output channel.
    xp = _array_module(x)
    x = xp.ascontiguousarray(x)
    dz, dbias = _through_relu(xp, dy.astype(x.dtype, copy=False), y, relu)
    kernel = xp.ascontiguousarray(kernel, dtype=x.dtype)
    # 2. dx: the convolution of dz; dkernel: dz as the convolution's input, x as its output's gradient.
    geometry = _conv_geometry(kernel.shape, strides, padding, dilation)
    dx = dkernel = None
    if need_input:
        dx = xp.empty(x.shape, dtype=x.dtype)
        _launch(_conv_forward, dx.size, dz, kernel, xp.zeros(x.shape[3], dtype=x.dtype), False, geometry, dx)
    if need_kernel:
        dkernel = xp.empty(kernel.shape, dtype=x.dtype)
        _launch(_conv_backward_kernel, dkernel.size, dz, x, geometry, dkernel)
    return dx, dkernel, dbias


# --------------------------------------------------------------------- pooling
@cuda.jit
def _max_pool_forward(x, geometry, y, argmax):
    """y and argmax (flat index ``h * W + w``) of one output cell; the first maximum wins ties."""
    i = cuda.grid(1)
    if i >= y.size:
        return
    n, oh, ow, c = _unravel(i, y.shape[1], y.shape[2], y.shape[3])
    PH, PW, SH, SW, top, left = geometry
    H, W = x.shape[1], x.shape[2]
    best = x[n, 0, 0, c]  # replaced by the first real cell of the window (where < 0)
    where = -1
    for pi in range(PH):
        h = oh * SH + pi - top
        if h < 0 or h >= H:
            continue  # padded cells are never the maximum
        for pj in range(PW):
            w = ow * SW + pj - left
            if w < 0 or w >= W:
                continue
            value = x[n, h, w, c]
            # Strictly greater: a tie keeps the earlier cell. A NaN wins once, as NumPy's argmax lets it.
            if where < 0 or value > best or (value != value and best == best):
                best = value
                where = h * W + w
    y[n, oh, ow, c] = best
    argmax[n, oh, ow, c] = where


@cuda.jit
def _max_pool_backward(dy, argmax, dx):
    """dx (zeros, ``(N, H*W, C)``) += each dy at its saved argmax: one thread per (image, channel).

    The contract gives this function no window sizes, so a ``dx`` cell cannot
    find the windows that cover it. Instead each thread owns one channel of
    one image, ``dx[n, :, c]``, and walks that channel's outputs in scan
    order: still no two threads write the same cell, still a fixed order.
    """
    i = cuda.grid(1)
    N, OH, OW, C = dy.shape
    if i >= N * C:
        return
    n, c = i // C, i % C
    for oh in range(OH):
        for ow in range(OW):
            dx[n, argmax[n, oh, ow, c], c] += dy[n, oh, ow, c]


@cuda.jit(device=True)
def _real_rows(o, S, P, top, H):
    """The rows ``(start, stop)`` of window ``o`` inside the input (its padded cells left out)."""
    return max(o * S - top, 0), min(o * S - top + P, H)


@cuda.jit
def _average_pool_forward(x, geometry, y):
    """y[n, oh, ow, c] = the sum of the real cells of the window / their number."""
    i = cuda.grid(1)
    if i >= y.size:
        return
    n, oh, ow, c = _unravel(i, y.shape[1], y.shape[2], y.shape[3])
    PH, PW, SH, SW, top, left = geometry
    h0, h1 = _real_rows(oh, SH, PH, top, x.shape[1])
    w0, w1 = _real_rows(ow, SW, PW, left, x.shape[2])
    total = y.dtype.type(0)
    for h in range(h0, h1):
        for w in range(w0, w1):
            total += x[n, h, w, c]
    y[n, oh, ow, c] = total / y.dtype.type((h1 - h0) * (w1 - w0))  # divide in y's dtype: no float64 on the GPU


@cuda.jit
def _average_pool_backward(dy, geometry, dx):
    """dx[n, h, w, c] = the sum, over the windows that cover cell (h, w), of dy / their cell counts."""
    i = cuda.grid(1)
    if i >= dx.size:
        return
    n, h, w, c = _unravel(i, dx.shape[1], dx.shape[2], dx.shape[3])
    PH, PW, SH, SW, top, left = geometry
    H, W, OH, OW = dx.shape[1], dx.shape[2], dy.shape[1], dy.shape[2]
    total = dx.dtype.type(0)
    for pi in range(PH):
        row = h + top - pi  # = oh * SH for the window whose cell pi is row h
        if row < 0 or row % SH != 0 or row // SH >= OH:
            continue
        oh = row // SH
        h0, h1 = _real_rows(oh, SH, PH, top, H)
        for pj in range(PW):
            column = w + left - pj
            if column < 0 or column % SW != 0 or column // SW >= OW:
                continue
            ow = column // SW
            w0, w1 = _real_rows(ow, SW, PW, left, W)
            total += dy[n, oh, ow, c] / dx.dtype.type((h1 - h0) * (w1 - w0))
    dx[n, h, w, c] = total


def _pool_geometry(pool_size, strides, padding):
    """``(PH, PW, SH, SW, top, left)``."""
    return (pool_size[0], pool_size[1], strides[0], strides[1], padding[0][0], padding[1][0])


def max_pool_forward(x, pool_size, strides, padding, need_argmax=True):
    """Same contract as ``reference.max_pool_forward``: returns ``(y, argmax)`` (argmax None
    when not needed; the kernel computes it anyway, one thread per output writes both)."""
    xp = _array_module(x)
    x = xp.ascontiguousarray(x)
    OH, OW = output_shape(x.shape, pool_size, strides, padding)
    y = xp.empty((x.shape[0], OH, OW, x.shape[3]), dtype=x.dtype)
    argmax = xp.empty(y.shape, dtype=np.int64)
    _launch(_max_pool_forward, y.size, x, _pool_geometry(pool_size, strides, padding), y, argmax)
    return y, (argmax if need_argmax else None)


def max_pool_backward(dy, argmax, input_shape):
    """Same contract as ``reference.max_pool_backward``: returns dx ``(N, H, W, C)``."""
    xp = _array_module(dy)
    N, H, W, C = input_shape
    dx = xp.zeros((N, H * W, C), dtype=dy.dtype)
    _launch(_max_pool_backward, N * C, xp.ascontiguousarray(dy), xp.ascontiguousarray(argmax), dx)
    return dx.reshape(tuple(input_shape))


def average_pool_forward(x, pool_size, strides, padding):
    """Same contract as ``reference.average_pool_forward``."""
    xp = _array_module(x)
    x = xp.ascontiguousarray(x)
    OH, OW = output_shape(x.shape, pool_size, strides, padding)
    y = xp.empty((x.shape[0], OH, OW, x.shape[3]), dtype=x.dtype)
    _launch(_average_pool_forward, y.size, x, _pool_geometry(pool_size, strides, padding), y)
    return y


def average_pool_backward(dy, input_shape, pool_size, strides, padding):
    """Same contract as ``reference.average_pool_backward``: returns dx ``(N, H, W, C)``."""
    xp = _array_module(dy)
    dx = xp.empty(tuple(input_shape), dtype=dy.dtype)
    _launch(_average_pool_backward, dx.size, xp.ascontiguousarray(dy), _pool_geometry(pool_size, strides, padding),
            dx)
    return dx


# ----------------------------------------------------- depthwise convolution
# As the convolution above, with no sum over channels: output channel ``k =
# c*M + m`` reads only input channel ``c``, through filter ``m`` of the
# kernel ``(KH, KW, C, M)`` (``depthwise_reference.py`` has the definitions).
@cuda.jit
def _depthwise_forward(x, kernel, bias, relu, geometry, y):
    """y[n, oh, ow, c*M + m] = the window of channel c times kernel[..., c, m], + bias, then the ReLU."""
    i = cuda.grid(1)
    if i >= y.size:
        return
    n, oh, ow, k = _unravel(i, y.shape[1], y.shape[2], y.shape[3])
    KH, KW, SH, SW, DH, DW, top, left = geometry
    H, W, M = x.shape[1], x.shape[2], kernel.shape[3]
    c, m = k // M, k % M
    total = y.dtype.type(0)
    for ki in range(KH):
        h = oh * SH + ki * DH - top
        if h < 0 or h >= H:
            continue
        for kj in range(KW):
            w = ow * SW + kj * DW - left
            if w < 0 or w >= W:
                continue
            total += x[n, h, w, c] * kernel[ki, kj, c, m]
    total += bias[k]
    if relu and total < 0:
        total = y.dtype.type(0)
    y[n, oh, ow, k] = total


@cuda.jit
def _depthwise_backward_input(dz, kernel, geometry, dx):
    """dx[n, h, w, c]: gathers, as ``_conv_backward_input``, from channel c's M outputs only."""
    i = cuda.grid(1)
    if i >= dx.size:
        return
    n, h, w, c = _unravel(i, dx.shape[1], dx.shape[2], dx.shape[3])
    KH, KW, SH, SW, DH, DW, top, left = geometry
    OH, OW, M = dz.shape[1], dz.shape[2], kernel.shape[3]
    total = dx.dtype.type(0)
    for ki in range(KH):
        row = h + top - ki * DH  # = oh * SH for the output row that reads h through tap ki
        if row < 0 or row % SH != 0 or row // SH >= OH:
            continue
        oh = row // SH
        for kj in range(KW):
            column = w + left - kj * DW
            if column < 0 or column % SW != 0 or column // SW >= OW:
                continue
            ow = column // SW
            for m in range(M):
                total += dz[n, oh, ow, c * M + m] * kernel[ki, kj, c, m]
    dx[n, h, w, c] = total


@cuda.jit
def _depthwise_backward_kernel(x, dz, geometry, dkernel):
    """dkernel[ki, kj, c, m] = sum over (n, oh, ow) of the cell of channel c tap (ki, kj) read * dz[..., c*M + m]."""
    i = cuda.grid(1)
    if i >= dkernel.size:
        return
    ki, kj, c, m = _unravel(i, dkernel.shape[1], dkernel.shape[2], dkernel.shape[3])
    KH, KW, SH, SW, DH, DW, top, left = geometry
    H, W, k = x.shape[1], x.shape[2], c * dkernel.shape[3] + m
    total = dkernel.dtype.type(0)
    for n in range(dz.shape[0]):
        for oh in range(dz.shape[1]):
            h = oh * SH + ki * DH - top
            if h < 0 or h >= H:
                continue
            for ow in range(dz.shape[2]):
                w = ow * SW + kj * DW - left
                if w < 0 or w >= W:
                    continue
                total += x[n, h, w, c] * dz[n, oh, ow, k]
    dkernel[ki, kj, c, m] = total


def depthwise_conv_forward(x, kernel, bias=None, relu=False, strides=(1, 1), padding=((0, 0), (0, 0)),
                           dilation=(1, 1)):
    """Same contract as ``depthwise_reference.depthwise_conv_forward``: ``(N, H, W, C)`` -> ``(N, OH, OW, C*M)``."""
    xp = _array_module(x)
    x = xp.ascontiguousarray(x)
    kernel = xp.ascontiguousarray(kernel, dtype=x.dtype)
    channels = kernel.shape[2] * kernel.shape[3]  # C*M output channels
    bias = xp.zeros(channels, dtype=x.dtype) if bias is None else xp.ascontiguousarray(bias, dtype=x.dtype)
    OH, OW = output_shape(x.shape, kernel.shape[:2], strides, padding, dilation)
    y = xp.empty((x.shape[0], OH, OW, channels), dtype=x.dtype)
    _launch(_depthwise_forward, y.size, x, kernel, bias, bool(relu),
            _conv_geometry(kernel.shape, strides, padding, dilation), y)
    return y


def depthwise_conv_backward(x, y, dy, kernel, relu=False, strides=(1, 1), padding=((0, 0), (0, 0)),
                            dilation=(1, 1), need_input=True, need_kernel=True):
    """Same contract as ``depthwise_reference.depthwise_conv_backward``: ``(dx or None, dkernel or None, dbias)``.

    The convolution's backward pass (``_backward``) with the depthwise gathers; the bias has one
    entry per output channel ``c*M + m``, as the convolution's has one per filter.
    """
    return _backward(_depthwise_backward_input, _depthwise_backward_kernel, x, y, dy, kernel, relu, strides,
                     padding, dilation, need_input, need_kernel)


# ---------------------------------------------------------------------- matmul
def matmul(a, b):
    """cuBLAS through ``cupy.matmul`` (NumPy's BLAS under the simulator): ``(M, K) @ (K, P) -> (M, P)``."""
    return _array_module(a).matmul(a, b)


def batched_matmul(a, b, out=None):
    """cuBLAS's batched product through ``cupy.matmul``: ``(G, ..., M, K) @ (G, ..., K, P) -> (G, ..., M, P)``."""
    return _array_module(a).matmul(a, b, out=out)
