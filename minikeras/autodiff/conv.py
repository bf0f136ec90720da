"""Convolution, 1-D and 2-D, channels-last: the ``conv`` op and its gradients.

Place in the stack: an op family of ``minikeras.autodiff``, beside ``pool.py``.
The op shows the math; the loops live in ``minikeras.kernels`` (read
``kernels/reference.py`` for the definitions), chosen per device by
``minikeras/backend/kernel_choice.py``. ``minikeras.ops.conv`` and the
``Conv1D``/``Conv2D`` layers call :func:`conv`, or :func:`conv_bias` when
their activation is ``"relu"`` or none: ``conv + bias`` then ``relu`` as one
op (:class:`ConvBias`), whose kernels add the bias and apply the ReLU in the
same pass over the output (on the guide's convnet: 8% less time per
training step and 130 MB less peak memory; ``bench/RESULTS.md``). Read
next: ``pool.py``.

A 1-D convolution is a 2-D one on an image one row high: the op adds that
axis before calling the kernels and removes it after, so kernels only know
``(N, H, W, C)`` inputs and ``(KH, KW, C, F)`` kernels.

Keras's ``"same"`` padding (as TensorFlow and JAX compute it) pads
``total = max((ceil(size / stride) - 1) * stride + span - size, 0)`` cells,
``total // 2`` before and the rest after, where ``span = (KW - 1) * dilation + 1``
is the width the dilated kernel covers. The helpers below are shared by
``pool.py``.
"""

from minikeras import backend
from minikeras.autodiff.op import Op
from minikeras.autodiff.shape import transpose
from minikeras.autodiff.tensor import as_tensor
from minikeras.backend import get_xp
from minikeras.backend import kernel_choice
from minikeras.utils.argument_validation import check_data_format
from minikeras.utils.argument_validation import normalize_tuple


def same_padding(size, window, stride, dilation=1):
    """Keras/TensorFlow "same" padding along one axis, as ``(before, after)``."""
    span = (window - 1) * dilation + 1
    output = -(-size // stride)  # ceil(size / stride)
    total = max((output - 1) * stride + span - size, 0)
    return total // 2, total - total // 2


def explicit_padding(padding, spatial_shape, windows, strides, dilations, function_name):
    """Turns ``"valid"``/``"same"`` into zero-cell counts, one pair per spatial axis.

    Args:
        padding: ``"valid"`` or ``"same"`` (any case).
        spatial_shape: input sizes, ``(W,)`` or ``(H, W)``.
        windows, strides, dilations: tuples of the same length.
        function_name: for error messages.
    Returns:
        ``((before, after), ...)``, one pair per spatial axis.
    """
    mode = str(padding).lower()
    if mode not in ("valid", "same"):
        raise ValueError(f"`padding` of `{function_name}` must be 'valid' or 'same'. Received: padding={padding!r}")
    pads = []
    for size, window, stride, dilation in zip(spatial_shape, windows, strides, dilations):
        pair = same_padding(size, window, stride, dilation) if mode == "same" else (0, 0)
        span = (window - 1) * dilation + 1
        if size + sum(pair) < span:
            raise ValueError(
                f"`{function_name}`: the input is smaller than the window. Spatial input shape "
                f"{tuple(spatial_shape)}, window {tuple(windows)} (dilation {tuple(dilations)}), "
                f"padding={padding!r}: the output would be empty."
            )
        pads.append(pair)
    return tuple(pads)


def as_image(array):
    """``(N, W, C)`` -> ``(N, 1, W, C)``: a 1-D signal as an image one row high."""
    return array if array.ndim == 4 else array[:, None, :, :]


def promote(*arrays):
    """Casts float arrays to their common type; integers become ``floatx()``."""
    xp = get_xp(*arrays)
    dtype = xp.result_type(*arrays)
    if dtype.kind != "f":
        dtype = backend.floatx()
    return tuple(array.astype(dtype, copy=False) for array in arrays)


class Conv(Op):
    """y = conv(x, kernel), the cross-correlation of deep-learning libraries.

    For x (N, H, W, C) and kernel (KH, KW, C, F), with padded input xpad:
        y[n, oh, ow, f]  = sum_{i, j, c} xpad[n, oh*SH + i*DH, ow*SW + j*DW, c] * kernel[i, j, c, f]
        dx[n, h, w, c]   = sum of dy[n, oh, ow, f] * kernel[i, j, c, f] over the (oh, ow, i, j)
                           that read cell (h, w)
        dkernel[i, j, c, f] = sum_{n, oh, ow} xpad[n, oh*SH + i*DH, ow*SW + j*DW, c] * dy[n, oh, ow, f]
    1-D: x (N, W, C), kernel (KW, C, F), y (N, OW, F).
    """

    def __init__(self, strides, padding, dilation):
        # Pairs (rows, columns); padding is ((top, bottom), (left, right)).
        self.strides, self.padding, self.dilation = strides, padding, dilation

    def forward(self, x, kernel):
        self.x_dtype, self.kernel_dtype = x.dtype, kernel.dtype
        x, kernel = promote(x, kernel)
        self.x, self.kernel = x, kernel
        self.kernels = kernel_choice.conv_kernels(x, kernel)
        kernel4 = kernel if kernel.ndim == 4 else kernel[None]  # (KW, C, F) -> (1, KW, C, F)
        y = self.kernels.conv_forward(as_image(x), kernel4, self.strides, self.padding, self.dilation)
        return y if x.ndim == 4 else y[:, 0]  # (N, 1, OW, F) -> (N, OW, F)

    def backward(self, dy):
        kernel4 = self.kernel if self.kernel.ndim == 4 else self.kernel[None]
        # The input's gradient is skipped for a batch of images: nobody reads it.
        dx, dkernel = self.kernels.conv_backward(
            as_image(self.x), as_image(dy), kernel4, self.strides, self.padding, self.dilation,
            need_input=self.needs_gradient(0), need_kernel=self.needs_gradient(1),
        )
        if dx is not None:
            dx = dx.reshape(self.x.shape).astype(self.x_dtype, copy=False)
        if dkernel is not None:
            dkernel = dkernel.reshape(self.kernel.shape).astype(self.kernel_dtype, copy=False)
        return dx, dkernel


class ConvBias(Op):
    """y = conv(x, kernel) + bias, then max(y, 0) when ``relu``: a Conv layer's output in one op.

    The same numbers as ``conv``, ``add`` and ``relu`` one after the other,
    which make three passes over the output and keep three arrays of its
    size; the kernels add the bias and apply the ReLU while each output row
    is still in the cache. Shapes as ``Conv``; bias (F,). Backward:
        dz    = dy where y > 0, else 0        (relu's VJP; dz = dy without relu)
        dbias = sum of dz over (n, oh, ow)    (add's VJP, unbroadcast)
        dx, dkernel = Conv's VJP applied to dz
    """

    def __init__(self, strides, padding, dilation, relu):
        self.strides, self.padding, self.dilation, self.relu = strides, padding, dilation, relu

    def forward(self, x, kernel, bias):
        self.dtypes, self.x_shape, self.kernel_shape = (x.dtype, kernel.dtype, bias.dtype), x.shape, kernel.shape
        x, kernel, bias = promote(x, kernel, bias)
        self.kernels = kernel_choice.conv_kernels(x, kernel, bias)
        self.x, self.kernel = as_image(x), kernel if kernel.ndim == 4 else kernel[None]  # 1-D: one row high
        self.y = self.kernels.conv_bias_forward(self.x, self.kernel, bias, self.strides, self.padding,
                                                self.dilation, relu=self.relu)
        return self.y if len(self.x_shape) == 4 else self.y[:, 0]  # (N, 1, OW, F) -> (N, OW, F)

    def backward(self, dy):
        dx, dkernel, dbias = self.kernels.conv_bias_backward(
            self.x, self.y, as_image(dy), self.kernel, self.strides, self.padding, self.dilation, relu=self.relu,
            need_input=self.needs_gradient(0), need_kernel=self.needs_gradient(1),
        )
        if dx is not None:
            dx = dx.reshape(self.x_shape).astype(self.dtypes[0], copy=False)
        if dkernel is not None:
            dkernel = dkernel.reshape(self.kernel_shape).astype(self.dtypes[1], copy=False)
        return dx, dkernel, dbias.astype(self.dtypes[2], copy=False)


def _check_conv_shapes(in_shape, kernel_shape):
    """Raises a ValueError naming both shapes if they cannot be convolved."""
    if len(in_shape) not in (3, 4):
        raise ValueError(
            "`conv` supports 1D and 2D convolutions: `inputs` must have rank 3 (N, W, C) or "
            f"4 (N, H, W, C). Received inputs of shape {in_shape}."
        )
    if len(kernel_shape) != len(in_shape):
        raise ValueError(
            f"`conv`: the kernel must have rank {len(in_shape)} for inputs of rank {len(in_shape)} "
            f"(spatial sizes, in channels, filters). Received inputs {in_shape}, kernel {kernel_shape}."
        )
    if in_shape[-1] != kernel_shape[-2]:
        raise ValueError(
            "`conv`: the number of input channels must equal the kernel's in_channels. Received "
            f"inputs of shape {in_shape} ({in_shape[-1]} channels) and kernel of shape "
            f"{kernel_shape} ({kernel_shape[-2]} in_channels)."
        )


def to_channels_last(inputs, data_format):
    """``(N, C, ...)`` -> ``(N, ..., C)`` when ``data_format="channels_first"``."""
    if data_format == "channels_last":
        return inputs
    axes = (0,) + tuple(range(2, inputs.ndim)) + (1,)
    return transpose(inputs, axes)


def to_data_format(outputs, data_format):
    """``(N, ..., C)`` -> ``(N, C, ...)`` when ``data_format="channels_first"``."""
    if data_format == "channels_last":
        return outputs
    axes = (0, outputs.ndim - 1) + tuple(range(1, outputs.ndim - 1))
    return transpose(outputs, axes)


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """1-D or 2-D convolution (no bias), Keras's ``keras.ops.conv``.

    Args:
        inputs: ``(N, W, C)`` or ``(N, H, W, C)`` (channels first:
            ``(N, C, W)`` / ``(N, C, H, W)``).
        kernel: ``(KW, C, F)`` or ``(KH, KW, C, F)``.
        strides: int or tuple, step between output positions.
        padding: ``"valid"`` (no padding) or ``"same"`` (output size
            ``ceil(size / stride)``).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        dilation_rate: int or tuple, step between kernel taps.
    Returns:
        ``(N, OW, F)`` or ``(N, OH, OW, F)`` (channels first: ``(N, F, ...)``).
    """
    data_format = check_data_format(data_format, "conv")
    inputs = to_channels_last(as_tensor(inputs), data_format)
    kernel = as_tensor(kernel)
    strides, pads, dilation = _kernel_arguments(inputs, kernel, strides, padding, dilation_rate)
    outputs = Conv(strides, pads, dilation)(inputs, kernel)
    return to_data_format(outputs, data_format)


def conv_bias(inputs, kernel, bias, strides=1, padding="valid", dilation_rate=1, relu=False):
    """``conv(inputs, kernel) + bias``, then ``relu`` if asked, as one op (channels-last only).

    What the ``Conv1D``/``Conv2D`` layers compute when their activation is
    ``"relu"`` or none: the same numbers as the three ops, in fewer passes
    over memory (:class:`ConvBias`). Not part of Keras's ``keras.ops``.

    Args:
        inputs: ``(N, W, C)`` or ``(N, H, W, C)``.
        kernel: ``(KW, C, F)`` or ``(KH, KW, C, F)``.
        bias: ``(F,)``.
        strides, padding, dilation_rate: as :func:`conv`.
        relu: apply ``max(y, 0)`` after the bias.
    Returns:
        ``(N, OW, F)`` or ``(N, OH, OW, F)``.
    """
    inputs, kernel, bias = as_tensor(inputs), as_tensor(kernel), as_tensor(bias)
    if tuple(bias.shape) != (kernel.shape[-1],):
        raise ValueError(f"`conv_bias`: the bias must have shape ({kernel.shape[-1]},), one value per filter. "
                         f"Received bias of shape {tuple(bias.shape)} for kernel of shape {tuple(kernel.shape)}.")
    strides, pads, dilation = _kernel_arguments(inputs, kernel, strides, padding, dilation_rate)
    return ConvBias(strides, pads, dilation, relu)(inputs, kernel, bias)


def _kernel_arguments(inputs, kernel, strides, padding, dilation_rate):
    """Checks the shapes and turns Keras's arguments into the kernels' pairs: ``(strides, pads, dilation)``.

    Pairs are (rows, columns); a 1-D convolution gets a first pair for its
    one-row-high image: ``(1, stride)``, ``(1, dilation)``, ``(0, 0)``.
    """
    in_shape, kernel_shape = tuple(inputs.shape), tuple(kernel.shape)
    _check_conv_shapes(in_shape, kernel_shape)
    rank = len(in_shape) - 2
    strides = normalize_tuple(strides, rank, "strides", "conv")
    dilation = normalize_tuple(dilation_rate, rank, "dilation_rate", "conv")
    pads = explicit_padding(padding, in_shape[1:-1], kernel_shape[:-2], strides, dilation, "conv")
    if rank == 1:
        strides, dilation, pads = (1,) + strides, (1,) + dilation, ((0, 0),) + pads
    return strides, pads, dilation
