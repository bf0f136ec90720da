"""The CPU kernels minikeras uses by default, gathered in one module.

Place in the stack: ``kernels/``. ``minikeras/backend/kernel_choice.py``
hands this module to the ops for NumPy arrays; it has the same function
names as ``reference.py`` and ``cupy_gpu.py``. The code lives in
``numba_conv.py`` (im2col + BLAS), ``numba_winograd.py`` (3x3
convolutions), ``numba_pool.py`` and ``numba_matmul.py``.

The conv functions below choose the algorithm: Winograd F(4x4, 3x3)
for a 3x3 kernel with stride 1 and no dilation, once the input has
``WINOGRAD_MIN_CHANNELS`` channels; im2col for everything else. With one or
a few input channels (a first layer on grey images) the products are too
thin for Winograd's savings to pay for its transforms.

Winograd trades matrix products for transforms. On the benchmark machine
(``bench/RESULTS.md``) it won with OpenBLAS on its AVX2 kernels (guide
convnet 116-135 instead of 198-243 ms per step, fourth session) and on
AVX-512 (123-148 instead of 145-189, third session).
``MINIKERAS_CONV_ALGORITHM=im2col`` turns it off; it is read at each call,
like the other switches of ``backend/kernel_choice.py``.
"""

import os

from minikeras.kernels import numba_conv
from minikeras.kernels import numba_winograd
from minikeras.kernels.numba_matmul import matmul
from minikeras.kernels.numba_pool import average_pool_backward
from minikeras.kernels.numba_pool import average_pool_forward
from minikeras.kernels.numba_pool import max_pool_backward
from minikeras.kernels.numba_pool import max_pool_forward

WINOGRAD_MIN_CHANNELS = 16


_CONV_ALGORITHMS = ("winograd", "im2col")


def uses_winograd(kernel_shape, strides, dilation):
    """True if a convolution with this kernel ``(KH, KW, C, F)`` goes to ``numba_winograd``."""
    algorithm = os.environ.get("MINIKERAS_CONV_ALGORITHM", "winograd").lower()
    if algorithm not in _CONV_ALGORITHMS:
        raise ValueError(f"Unknown MINIKERAS_CONV_ALGORITHM={algorithm!r}. Expected one of {_CONV_ALGORITHMS}.")
    KH, KW, C = kernel_shape[0], kernel_shape[1], kernel_shape[2]
    return algorithm == "winograd" and (KH, KW) == (3, 3) and tuple(strides) == (1, 1) and tuple(dilation) == (1, 1) and C >= WINOGRAD_MIN_CHANNELS


def conv_forward(x, kernel, strides, padding, dilation):
    """Same contract as ``reference.conv_forward``."""
    if uses_winograd(kernel.shape, strides, dilation):
        return numba_winograd.conv_forward(x, kernel, padding)
    return numba_conv.conv_forward(x, kernel, strides, padding, dilation)


def conv_backward_input(dy, kernel, input_shape, strides, padding, dilation):
    """Same contract as ``reference.conv_backward_input``."""
    if uses_winograd(kernel.shape, strides, dilation):
        return numba_winograd.conv_backward_input(dy, kernel, input_shape, padding)
    return numba_conv.conv_backward_input(dy, kernel, input_shape, strides, padding, dilation)


def conv_backward_kernel(x, dy, kernel_shape, strides, padding, dilation):
    """Same contract as ``reference.conv_backward_kernel``."""
    if uses_winograd(kernel_shape, strides, dilation):
        return numba_winograd.conv_backward_kernel(x, dy, kernel_shape, padding)
    return numba_conv.conv_backward_kernel(x, dy, kernel_shape, strides, padding, dilation)


def conv_backward(x, dy, kernel, strides, padding, dilation, need_input=True, need_kernel=True):
    """Same contract as ``reference.conv_backward``; Winograd computes both gradients in one pass."""
    if uses_winograd(kernel.shape, strides, dilation):
        return numba_winograd.conv_backward(x, dy, kernel, padding, need_input, need_kernel)
    dx = numba_conv.conv_backward_input(dy, kernel, x.shape, strides, padding, dilation) if need_input else None
    dkernel = numba_conv.conv_backward_kernel(x, dy, kernel.shape, strides, padding, dilation) if need_kernel else None
    return dx, dkernel


def conv_bias_forward(x, kernel, bias, strides, padding, dilation, relu=False):
    """Same contract as ``reference.conv_bias_forward``: the bias and the ReLU join the last pass over ``y``."""
    if uses_winograd(kernel.shape, strides, dilation):
        return numba_winograd.conv_forward(x, kernel, padding, bias, relu)
    return numba_conv.conv_bias_forward(x, kernel, bias, strides, padding, dilation, relu)


def conv_bias_backward(x, y, dy, kernel, strides, padding, dilation, relu=False, need_input=True, need_kernel=True):
    """Same contract as ``reference.conv_bias_backward``: ``(dx or None, dkernel or None, dbias)``."""
    if uses_winograd(kernel.shape, strides, dilation):
        return numba_winograd.conv_bias_backward(x, y, dy, kernel, padding, relu, need_input, need_kernel)
    return numba_conv.conv_bias_backward(x, y, dy, kernel, strides, padding, dilation, relu, need_input, need_kernel)


__all__ = [
    "average_pool_backward",
    "average_pool_forward",
    "conv_backward",
    "conv_backward_input",
    "conv_backward_kernel",
    "conv_bias_backward",
    "conv_bias_forward",
    "conv_forward",
    "matmul",
    "max_pool_backward",
    "max_pool_forward",
]
