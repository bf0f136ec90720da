"""The kernels on an NVIDIA GPU, through CuPy: im2col + cuBLAS, and pooling.

Place in the stack: ``kernels/``, beside ``reference.py`` and the Numba
kernels, with the same functions and the same numbers (the tests in
``tests/kernels/`` run on CuPy arrays when a GPU is present).
``minikeras/backend/kernel_choice.py`` picks this module for CuPy arrays.

Each small CUDA kernel below is a ``cupy.ElementwiseKernel``: the C snippet
runs once per element ``i`` of the output, in parallel, so it reads like the
body of the innermost loop of ``reference.py``. Two choices keep it simple
and deterministic:

* gradients are *gathered* where they can be: the thread of input cell
  ``(n, h, w, c)`` finds the few windows that cover it and sums their
  contributions, so no two threads write the same cell (max-pool backward,
  routed by the saved argmax, is the one scatter);
* the products are cuBLAS calls through ``cupy.matmul`` on 2-D views.

CuPy is imported on first use, so this file can be read (and imported)
on a machine without a GPU.
"""

import functools

from minikeras.kernels.geometry import output_shape

# Index arithmetic shared by the snippets: split a flat channels-last index.
_SPLIT_NHWC = """
    const long long c = i % C;
    const long long w = (i / C) % W;
    const long long h = (i / (C * W)) % H;
    const long long n = i / (C * W * H);
"""
_SPLIT_OUT = """
    const long long c = i % C;
    const long long ow = (i / C) % OW;
    const long long oh = (i / (C * OW)) % OH;
    const long long n = i / (C * OW * OH);
"""


def _cupy():
    import cupy

    return cupy


@functools.cache
def _im2col_kernel():
    """cols[row, k] for row = (n, oh, ow) and k = (ki, kj, c): one window cell each."""
    return _cupy().ElementwiseKernel(
        "raw T x, int64 H, int64 W, int64 C, int64 KW, int64 SH, int64 SW, "
        "int64 DH, int64 DW, int64 top, int64 left, int64 OH, int64 OW, int64 K",
        "T cols",
        """
        const long long row = i / K, k = i % K;
        const long long c = k % C, kj = (k / C) % KW, ki = k / (C * KW);
        const long long ow = row % OW, oh = (row / OW) % OH, n = row / (OW * OH);
        const long long h = oh * SH + ki * DH - top, w = ow * SW + kj * DW - left;
        cols = (h >= 0 && h < H && w >= 0 && w < W) ? x[((n * H + h) * W + w) * C + c] : (T)0;
        """,
        "minikeras_im2col",
    )


@functools.cache
def _col2im_kernel():
    """dx[n, h, w, c] = sum of dcols over the (window, tap) pairs that read this cell."""
    return _cupy().ElementwiseKernel(
        "raw T dcols, int64 H, int64 W, int64 C, int64 KH, int64 KW, int64 SH, int64 SW, "
        "int64 DH, int64 DW, int64 top, int64 left, int64 OH, int64 OW",
        "T dx",
        _SPLIT_NHWC
        + """
        T total = 0;
        for (long long ki = 0; ki < KH; ++ki) {
            const long long hh = h + top - ki * DH;  // = oh * SH for the window that uses tap ki
            if (hh < 0 || hh % SH != 0 || hh / SH >= OH) continue;
            for (long long kj = 0; kj < KW; ++kj) {
                const long long ww = w + left - kj * DW;
                if (ww < 0 || ww % SW != 0 || ww / SW >= OW) continue;
                const long long row = (n * OH + hh / SH) * OW + ww / SW;
                total += dcols[row * (KH * KW * C) + (ki * KW + kj) * C + c];
            }
        }
        dx = total;
        """,
        "minikeras_col2im",
    )


@functools.cache
def _max_pool_forward_kernel():
    """y and argmax (h * W + w) of one output cell; the first maximum wins ties."""
    return _cupy().ElementwiseKernel(
        "raw T x, int64 H, int64 W, int64 C, int64 PH, int64 PW, int64 SH, int64 SW, "
        "int64 top, int64 left, int64 OH, int64 OW",
        "T y, int64 argmax",
        _SPLIT_OUT
        + """
        T best = 0;
        long long where = -1;
        for (long long pi = 0; pi < PH; ++pi) {
            const long long h = oh * SH + pi - top;
            if (h < 0 || h >= H) continue;
            for (long long pj = 0; pj < PW; ++pj) {
                const long long w = ow * SW + pj - left;
                if (w < 0 || w >= W) continue;
                const T value = x[((n * H + h) * W + w) * C + c];
                if (where < 0 || value > best || (isnan(value) && !isnan(best))) {
                    best = value;
                    where = h * W + w;
                }
            }
        }
        y = best;
        argmax = where;
        """,
        "minikeras_max_pool_forward",
    )


# The number of real (unpadded) cells of window (oh, ow), as Keras divides by.
_COUNT = """
        (T)((min(oh * SH - top + PH, H) - max(oh * SH - top, 0LL)) *
            (min(ow * SW - left + PW, W) - max(ow * SW - left, 0LL)))
"""


@functools.cache
def _average_pool_forward_kernel():
    """y = sum of the real cells of the window / their number."""
    return _cupy().ElementwiseKernel(
        "raw T x, int64 H, int64 W, int64 C, int64 PH, int64 PW, int64 SH, int64 SW, "
        "int64 top, int64 left, int64 OH, int64 OW",
        "T y",
        _SPLIT_OUT
        + """
        T total = 0;
        for (long long h = max(oh * SH - top, 0LL); h < min(oh * SH - top + PH, H); ++h)
            for (long long w = max(ow * SW - left, 0LL); w < min(ow * SW - left + PW, W); ++w)
                total += x[((n * H + h) * W + w) * C + c];
        y = total / """
        + _COUNT
        + ";",
        "minikeras_average_pool_forward",
    )


@functools.cache
def _average_pool_backward_kernel():
    """dx[n, h, w, c] = sum over the windows covering this cell of dy / count."""
    return _cupy().ElementwiseKernel(
        "raw T dy, int64 H, int64 W, int64 C, int64 PH, int64 PW, int64 SH, int64 SW, "
        "int64 top, int64 left, int64 OH, int64 OW",
        "T dx",
        _SPLIT_NHWC
        + """
        T total = 0;
        for (long long pi = 0; pi < PH; ++pi) {
            const long long hh = h + top - pi;
            if (hh < 0 || hh % SH != 0 || hh / SH >= OH) continue;
            const long long oh = hh / SH;
            for (long long pj = 0; pj < PW; ++pj) {
                const long long ww = w + left - pj;
                if (ww < 0 || ww % SW != 0 || ww / SW >= OW) continue;
                const long long ow = ww / SW;
                total += dy[((n * OH + oh) * OW + ow) * C + c] / """
        + _COUNT
        + """;
            }
        }
        dx = total;
        """,
        "minikeras_average_pool_backward",
    )


def _im2col(x, kernel_shape, strides, padding, dilation):
    """(N, H, W, C) -> cols (N*OH*OW, KH*KW*C), and (OH, OW)."""
    cp = _cupy()
    N, H, W, C = x.shape
    KH, KW = kernel_shape[0], kernel_shape[1]
    OH, OW = output_shape(x.shape, (KH, KW), strides, padding, dilation)
    cols = cp.empty((N * OH * OW, KH * KW * C), dtype=x.dtype)
    args = (H, W, C, KW, *strides, *dilation, padding[0][0], padding[1][0], OH, OW, KH * KW * C)
    _im2col_kernel()(cp.ascontiguousarray(x), *args, cols)
    return cols, (OH, OW)


def conv_forward(x, kernel, bias=None, relu=False, strides=(1, 1), padding=((0, 0), (0, 0)), dilation=(1, 1)):
    """Same contract as ``reference.conv_forward``: ``(N, H, W, C)`` -> ``(N, OH, OW, F)``."""
    cp = _cupy()
    KH, KW, C, F = kernel.shape
    cols, (OH, OW) = _im2col(x, kernel.shape, strides, padding, dilation)
    y = cols @ kernel.reshape(KH * KW * C, F)  # cuBLAS: (N*OH*OW, KH*KW*C) @ (KH*KW*C, F)
    if bias is not None:
        y += bias  # in place: y is a fresh array
    if relu:
        cp.maximum(y, 0, out=y)
    return y.reshape(x.shape[0], OH, OW, F)


def conv_backward(x, y, dy, kernel, relu=False, strides=(1, 1), padding=((0, 0), (0, 0)), dilation=(1, 1),
                  need_input=True, need_kernel=True):
    """Same contract as ``reference.conv_backward``: ``(dx or None, dkernel or None, dbias)``."""
    dz = dy * (y > 0) if relu else dy
    dx = _conv_backward_input(dz, kernel, x.shape, strides, padding, dilation) if need_input else None
    dkernel = _conv_backward_kernel(x, dz, kernel.shape, strides, padding, dilation) if need_kernel else None
    return dx, dkernel, dz.sum(axis=(0, 1, 2))


def _conv_backward_input(dy, kernel, input_shape, strides, padding, dilation):
    """dx ``(N, H, W, C)``: ``dcols = dy @ kernel.T`` by cuBLAS, then a gathering col2im."""
    cp = _cupy()
    KH, KW, C, F = kernel.shape
    N, H, W, _ = input_shape
    OH, OW = dy.shape[1], dy.shape[2]
    dcols = cp.ascontiguousarray(dy.reshape(-1, F) @ kernel.reshape(KH * KW * C, F).T)  # (N*OH*OW, KH*KW*C)
    dx = cp.empty(tuple(input_shape), dtype=dy.dtype)
    args = (H, W, C, KH, KW, *strides, *dilation, padding[0][0], padding[1][0], OH, OW)
    _col2im_kernel()(dcols, *args, dx)
    return dx


def _conv_backward_kernel(x, dy, kernel_shape, strides, padding, dilation):
    """dkernel ``(KH, KW, C, F)``: ``cols.T @ dy`` by cuBLAS."""
    cols, _ = _im2col(x, kernel_shape, strides, padding, dilation)
    dw = cols.T @ dy.reshape(-1, kernel_shape[3])  # (KH*KW*C, N*OH*OW) @ (N*OH*OW, F)
    return dw.reshape(tuple(kernel_shape))


def _pool_args(input_shape, pool_size, strides, padding):
    N, H, W, C = input_shape
    OH, OW = output_shape(input_shape, pool_size, strides, padding)
    return (H, W, C, *pool_size, *strides, padding[0][0], padding[1][0], OH, OW), (N, OH, OW, C)


def max_pool_forward(x, pool_size, strides, padding):
    """Same contract as ``reference.max_pool_forward``: returns ``(y, argmax)``."""
    cp = _cupy()
    args, out_shape = _pool_args(x.shape, pool_size, strides, padding)
    y = cp.empty(out_shape, dtype=x.dtype)
    argmax = cp.empty(out_shape, dtype=cp.int64)
    _max_pool_forward_kernel()(cp.ascontiguousarray(x), *args, y, argmax)
    return y, argmax


def max_pool_backward(dy, argmax, input_shape):
    """Same contract as ``reference.max_pool_backward``: returns dx ``(N, H, W, C)``.

    The one scatter of this file: each ``dy`` cell is added at its saved
    argmax (``cupyx.scatter_add`` uses atomic adds, as windows may overlap).
    """
    cp = _cupy()
    import cupyx

    N, H, W, C = input_shape
    dx = cp.zeros((N, H * W, C), dtype=dy.dtype)
    n = cp.arange(N).reshape(N, 1, 1, 1)  # broadcasts against argmax (N, OH, OW, C)
    c = cp.arange(C)
    cupyx.scatter_add(dx, (n, argmax, c), dy)
    return dx.reshape(tuple(input_shape))


def average_pool_forward(x, pool_size, strides, padding):
    """Same contract as ``reference.average_pool_forward``."""
    cp = _cupy()
    args, out_shape = _pool_args(x.shape, pool_size, strides, padding)
    y = cp.empty(out_shape, dtype=x.dtype)
    _average_pool_forward_kernel()(cp.ascontiguousarray(x), *args, y)
    return y


def average_pool_backward(dy, input_shape, pool_size, strides, padding):
    """Same contract as ``reference.average_pool_backward``: returns dx ``(N, H, W, C)``."""
    cp = _cupy()
    args, _ = _pool_args(input_shape, pool_size, strides, padding)
    dx = cp.empty(tuple(input_shape), dtype=dy.dtype)
    _average_pool_backward_kernel()(cp.ascontiguousarray(dy), *args, dx)
    return dx


def matmul(a, b):
    """cuBLAS through ``cupy.matmul``: ``(M, K) @ (K, P) -> (M, P)``."""
    return _cupy().matmul(a, b)
