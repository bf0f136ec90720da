"""Reference kernels of the depthwise convolution: short NumPy loops, the definitions.

Place in the stack: ``kernels/``, the bottom of minikeras (plain arrays in
and out). Read ``reference.py`` first: the conventions (channels-last,
explicit padding, strides and dilation as pairs, 1-D as images one row
high) are the same; this file is the ``depthwise_conv`` family of the
kernel contract (``kernels/__init__.py``). ``numba_depthwise.py`` computes
the same numbers faster, and ``tests/kernels/test_depthwise_kernels.py``
checks that it does.

A depthwise convolution filters each input channel on its own. The kernel
``(KH, KW, C, M)`` holds ``M`` filters (the *depth multiplier*) for each of
the ``C`` channels; channel ``c``'s filter ``m`` writes output channel
``c * M + m``:

    y[n, oh, ow, c*M + m] = sum over (i, j) of
                            xpad[n, oh*SH + i*DH, ow*SW + j*DW, c] * kernel[i, j, c, m]  + bias[c*M + m]

A full convolution mixes all ``C`` channels at every tap (``KH*KW*C*F``
weights); the depthwise one does not mix them (``KH*KW*C*M`` weights).
Followed by a 1x1 convolution that mixes channels, it is the *separable*
convolution of MobileNet and Xception: much of a full convolution's effect
for a fraction of its products. It is also a grouped convolution with one
group per channel.

Read next: ``numba_depthwise.py``.
"""

import numpy as np

from minikeras.kernels.geometry import output_shape
from minikeras.kernels.reference import _pad
from minikeras.kernels.reference import _window


def depthwise_conv_forward(x, kernel, bias=None, relu=False, strides=(1, 1), padding=((0, 0), (0, 0)),
                           dilation=(1, 1)):
    """A DepthwiseConv layer's output: the depthwise convolution, plus ``bias``, then ``max(., 0)`` if ``relu``.

    Args:
        x: input ``(N, H, W, C)``.
        kernel: ``(KH, KW, C, M)``, ``M`` filters per input channel.
        bias: ``(C*M,)`` or None.
        relu: whether to apply the ReLU.
        strides, dilation: pairs; padding: ``((top, bottom), (left, right))``.
    Returns:
        ``(N, OH, OW, C*M)``, output channel ``c*M + m`` from input channel ``c``.
    """
    KH, KW, C, M = kernel.shape
    N = x.shape[0]
    OH, OW = output_shape(x.shape, (KH, KW), strides, padding, dilation)
    xpad = _pad(x, padding)
    y = np.zeros((N, OH, OW, C * M), dtype=x.dtype)
    for oh in range(OH):
        for ow in range(OW):
            window = _window(xpad, oh, ow, (KH, KW), strides, dilation)  # (N, KH, KW, C)
            # Each channel with its own M filters: (N, KH, KW, C) x (KH, KW, C, M) -> (N, C, M)
            y[:, oh, ow, :] = np.einsum("nijc,ijcm->ncm", window, kernel).reshape(N, C * M)
    if bias is not None:
        y += bias
    return np.maximum(y, 0) if relu else y


def depthwise_conv_backward(x, y, dy, kernel, relu=False, strides=(1, 1), padding=((0, 0), (0, 0)),
                            dilation=(1, 1), need_input=True, need_kernel=True):
    """The gradients of :func:`depthwise_conv_forward`: ``(dx or None, dkernel or None, dbias)``.

    As for a full convolution (``reference.conv_backward``): ``dz`` is ``dy``
    where the ReLU let the output through, the bias's gradient sums ``dz``,
    and the two half-gradients send ``dz`` back along the forward's products,
    channel by channel.

    Args:
        x: the forward input ``(N, H, W, C)``.
        y: the forward output ``(N, OH, OW, C*M)``; read only if ``relu``.
        dy: upstream gradient ``(N, OH, OW, C*M)``.
        kernel: ``(KH, KW, C, M)``.
        relu, strides, padding, dilation: as the forward call.
        need_input, need_kernel: which of dx and dkernel to compute (None otherwise).
    Returns:
        ``(dx (N, H, W, C) or None, dkernel (KH, KW, C, M) or None, dbias (C*M,))``.
    """
    dz = dy * (y > 0) if relu else dy
    dx = _depthwise_backward_input(dz, kernel, x.shape, strides, padding, dilation) if need_input else None
    dkernel = _depthwise_backward_kernel(x, dz, kernel.shape, strides, padding, dilation) if need_kernel else None
    return dx, dkernel, dz.sum(axis=(0, 1, 2))


def _depthwise_backward_input(dy, kernel, input_shape, strides, padding, dilation):
    """dx: output ``(oh, ow)`` sends ``dy[n, oh, ow, c*M + m] * kernel[i, j, c, m]`` back to its window.

    Args:
        dy: ``(N, OH, OW, C*M)``; kernel: ``(KH, KW, C, M)``; input_shape: ``(N, H, W, C)``.
    Returns:
        dx ``(N, H, W, C)``.
    """
    KH, KW, C, M = kernel.shape
    N, H, W, _ = input_shape
    (top, bottom), (left, right) = padding
    dxpad = np.zeros((N, H + top + bottom, W + left + right, C), dtype=dy.dtype)
    for oh in range(dy.shape[1]):
        for ow in range(dy.shape[2]):
            window = _window(dxpad, oh, ow, (KH, KW), strides, dilation)
            dz = dy[:, oh, ow, :].reshape(N, C, M)  # (N, C*M) -> (N, C, M)
            window += np.einsum("ncm,ijcm->nijc", dz, kernel)  # writes through the view
    return dxpad[:, top : top + H, left : left + W, :].copy()  # padded cells get no gradient


def _depthwise_backward_kernel(x, dy, kernel_shape, strides, padding, dilation):
    """dkernel[i, j, c, m] = sum over (n, oh, ow) of window[n, i, j, c] * dy[n, oh, ow, c*M + m].

    Args:
        x: input ``(N, H, W, C)``; dy: ``(N, OH, OW, C*M)``; kernel_shape: ``(KH, KW, C, M)``.
    Returns:
        dkernel ``(KH, KW, C, M)``.
    """
    KH, KW, C, M = kernel_shape
    xpad = _pad(x, padding)
    dkernel = np.zeros(kernel_shape, dtype=dy.dtype)
    for oh in range(dy.shape[1]):
        for ow in range(dy.shape[2]):
            window = _window(xpad, oh, ow, (KH, KW), strides, dilation)
            dz = dy[:, oh, ow, :].reshape(x.shape[0], C, M)
            dkernel += np.einsum("nijc,ncm->ijcm", window, dz)
    return dkernel
