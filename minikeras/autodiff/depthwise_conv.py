"""Depthwise and separable convolutions, 1-D, 2-D and 3-D: the ``DepthwiseConv`` op.

Place in the stack: an op family of ``minikeras.autodiff``, beside
``conv.py`` (read it first: same arguments, same padding rules, same
1-D-as-image trick). The loops live in ``kernels/depthwise_reference.py``
(the definitions) and ``kernels/numba_depthwise.py``;
``minikeras/backend/kernel_choice.py`` picks one. ``ops.depthwise_conv``,
``ops.separable_conv`` and the ``DepthwiseConv1D/2D`` and
``SeparableConv1D/2D`` layers call the functions below. Read next:
``recurrent.py``.

A depthwise convolution filters every input channel on its own: the kernel
``(KH, KW, C, M)`` holds ``M`` filters per channel (the depth multiplier)
and the output has ``C*M`` channels, channel ``c*M + m`` from input channel
``c``. A *separable* convolution follows it with a 1x1 convolution
(``pointwise_kernel (1, 1, C*M, F)``) that mixes the channels. For a 3x3
layer from 64 to 64 channels that is ``9*64 + 64*64 = 4,672`` weights
instead of ``9*64*64 = 36,864``: the building block of MobileNet and Xception.
"""

from minikeras.autodiff.conv import _conv3d
from minikeras.autodiff.conv import _kernel_arguments
from minikeras.autodiff.conv import as_image
from minikeras.autodiff.conv import conv
from minikeras.autodiff.conv import promote
from minikeras.autodiff.conv import to_channels_last
from minikeras.autodiff.conv import to_data_format
from minikeras.autodiff.op import Op
from minikeras.autodiff.tensor import as_tensor
from minikeras.backend import kernel_choice
from minikeras.utils.argument_validation import check_data_format


class DepthwiseConv(Op):
    """y = depthwise_conv(x, kernel) + bias, then max(y, 0) when ``relu``.

    For x (N, H, W, C), kernel (KH, KW, C, M), bias (C*M,) or none, padded input xpad:
        z[n, oh, ow, c*M + m] = sum_{i, j} xpad[n, oh*SH + i*DH, ow*SW + j*DW, c] * kernel[i, j, c, m] + bias[c*M + m]
        y = max(z, 0) with ``relu``, else y = z
    Backward, from dy (N, OH, OW, C*M):
        dz    = dy where y > 0, else 0        (dz = dy without relu)
        dbias = sum of dz over (n, oh, ow)
        dx[n, h, w, c]      = sum of dz[n, oh, ow, c*M + m] * kernel[i, j, c, m] over the (oh, ow, i, j, m)
                              that read cell (h, w) of channel c
        dkernel[i, j, c, m] = sum_{n, oh, ow} xpad[n, oh*SH + i*DH, ow*SW + j*DW, c] * dz[n, oh, ow, c*M + m]
    1-D: x (N, W, C), kernel (KW, C, M), y (N, OW, C*M).
    """

    def __init__(self, strides, padding, dilation, relu=False):
        # Pairs (rows, columns); padding is ((top, bottom), (left, right)).
        self.strides, self.padding, self.dilation, self.relu = strides, padding, dilation, relu

    def forward(self, x, kernel, bias=None):
        # 1. Common float dtype; 1-D as an image one row high.
        self.x_shape, self.kernel_shape = x.shape, kernel.shape
        self.dtypes = (x.dtype, kernel.dtype, None if bias is None else bias.dtype)
        x, kernel, bias = promote(x, kernel, bias)
        self.x = as_image(x)  # (N, W, C) -> (N, 1, W, C)
        self.kernel = kernel if kernel.ndim == 4 else kernel[None]  # (KW, C, M) -> (1, KW, C, M)
        # 2. The kernel functions for this input, kept for backward; then the forward pass.
        forward, self.depthwise_backward = kernel_choice.depthwise_conv_kernels(self.x)
        y = forward(self.x, self.kernel, bias, self.relu, self.strides, self.padding, self.dilation)
        self.y = y if self.relu else None  # the ReLU's mask is read from its output
        return y if len(self.x_shape) == 4 else y[:, 0]  # (N, 1, OW, C*M) -> (N, OW, C*M)

    def backward(self, dy):
        dx, dkernel, dbias = self.depthwise_backward(
            self.x, self.y, as_image(dy), self.kernel, self.relu, self.strides, self.padding, self.dilation,
            need_input=self.needs_gradient(0), need_kernel=self.needs_gradient(1),
        )
        if dx is not None:
            dx = dx.reshape(self.x_shape).astype(self.dtypes[0], copy=False)
        if dkernel is not None:
            dkernel = dkernel.reshape(self.kernel_shape).astype(self.dtypes[1], copy=False)
        if self.dtypes[2] is None:
            return dx, dkernel
        return dx, dkernel, dbias.astype(self.dtypes[2], copy=False)


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1, *, bias=None,
                   activation=None):
    """Depthwise convolution, Keras's ``keras.ops.depthwise_conv`` (1-D, 2-D and 3-D).

    ``bias`` and ``activation`` are minikeras's additions (keyword only), as
    in :func:`minikeras.autodiff.conv.conv`: the layers pass theirs here.

    Args:
        inputs: ``(N, W, C)``, ``(N, H, W, C)`` or ``(N, D, H, W, C)`` (channels first: ``(N, C, ...)``).
        kernel: ``(KW, C, M)``, ``(KH, KW, C, M)`` or ``(KD, KH, KW, C, M)``, ``M`` filters per input channel.
        strides: int or tuple; padding: ``"valid"`` or ``"same"``.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        dilation_rate: int or tuple.
        bias: ``(C*M,)`` or None; activation: None (or ``"linear"``) or ``"relu"``.
    Returns:
        ``(N, OW, C*M)``, ``(N, OH, OW, C*M)`` or ``(N, OD, OH, OW, C*M)``, channel ``c*M + m`` from
        input channel ``c``.
    """
    data_format = check_data_format(data_format, "depthwise_conv")
    if activation not in (None, "linear", "relu"):
        raise ValueError(f"`depthwise_conv` applies no activation or 'relu' itself. Received: "
                         f"activation={activation!r}; apply other activations to its output.")
    inputs = to_channels_last(as_tensor(inputs), data_format)
    kernel = as_tensor(kernel)
    if inputs.ndim not in (3, 4, 5) or kernel.ndim != inputs.ndim:
        raise ValueError("`depthwise_conv` supports 1D, 2D and 3D inputs, with a kernel of the same rank "
                         f"(spatial sizes, in channels, depth multiplier). Received inputs of shape "
                         f"{tuple(inputs.shape)} and kernel of shape {tuple(kernel.shape)}.")
    if kernel.shape[-2] != inputs.shape[-1]:
        raise ValueError("The number of input channels must match the kernel's input channels. Received: "
                         f"input channels={inputs.shape[-1]}, kernel input channels={kernel.shape[-2]}, "
                         f"data_format='{data_format}'.")
    # Same geometry as a convolution whose kernel has C*M filters (M per channel).
    strides, pads, dilation = _kernel_arguments(inputs, kernel, strides, padding, dilation_rate)
    if bias is not None:
        bias = as_tensor(bias)
        channels = kernel.shape[-2] * kernel.shape[-1]
        if tuple(bias.shape) != (channels,):
            raise ValueError(f"`depthwise_conv`: the bias must have shape ({channels},), one value per output "
                             f"channel. Received bias of shape {tuple(bias.shape)} for kernel {tuple(kernel.shape)}.")
    relu = activation == "relu"
    if inputs.ndim == 5:  # one 2-D depthwise convolution per depth tap, summed (conv.py's _conv3d)
        outputs = _conv3d(inputs, kernel, bias, relu, strides, pads, dilation, conv2d=_depthwise_tap)
        return to_data_format(outputs, data_format)
    op = DepthwiseConv(strides, pads, dilation, relu=relu)
    outputs = op(inputs, kernel) if bias is None else op(inputs, kernel, bias)
    return to_data_format(outputs, data_format)


def _depthwise_tap(images, kernel, strides, pads, dilation):
    """One depth tap of a 3-D depthwise convolution: ``(N*OD, H, W, C)``, ``(KH, KW, C, M)`` -> ``(N*OD, OH, OW, C*M)``."""
    return DepthwiseConv(strides, pads, dilation)(images, kernel)


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid", data_format=None,
                   dilation_rate=1, *, bias=None, activation=None):
    """Separable convolution, Keras's ``keras.ops.separable_conv``: depthwise, then a 1x1 convolution.

    Args:
        inputs: ``(N, W, C)``, ``(N, H, W, C)`` or ``(N, D, H, W, C)`` (channels first: ``(N, C, ...)``).
        depthwise_kernel: ``(KW, C, M)``, ``(KH, KW, C, M)`` or ``(KD, KH, KW, C, M)``.
        pointwise_kernel: ``(1, C*M, F)``, ``(1, 1, C*M, F)`` or ``(1, 1, 1, C*M, F)``.
        strides, padding, data_format, dilation_rate: those of the depthwise step
            (the pointwise step has stride 1, no padding).
        bias: ``(F,)`` or None, added by the pointwise step (minikeras's addition,
            keyword only); activation: None or ``"relu"``, likewise.
    Returns:
        ``(N, OW, F)`` or ``(N, OH, OW, F)``.
    """
    depthwise = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format, dilation_rate)
    # (N, OH, OW, C*M) -> (N, OH, OW, F): at each position, a Dense layer across the channels.
    return conv(depthwise, pointwise_kernel, 1, "valid", data_format, 1, bias=bias, activation=activation)
