"""Convolution, 1-D and 2-D, channels-last: the ``Conv`` op and its gradients.

Place in the stack: an op family of ``minikeras.autodiff``, beside ``pool.py``.
The op shows the math; the loops live in ``minikeras.kernels`` (read
``kernels/reference.py`` for the definitions). ``Conv.forward`` asks
``minikeras/backend/kernel_choice.py`` for the two kernel functions that
suit these arrays (reference loops, im2col, Winograd or CuPy), keeps them,
and calls them; every kernel module has the same two conv functions
(the contract in ``kernels/__init__.py``). Read next: ``pool.py``.

One op computes what a Conv layer computes: ``conv(x, kernel)``, plus an
optional bias, then an optional ReLU. Done as three ops (conv, add, relu)
that is three passes over the output and three arrays of its size kept for
the gradient; the kernels add the bias and apply the ReLU while each output
row is still in the cache (on the guide's convnet: 8% less time per
training step and 130 MB less peak memory; ``bench/RESULTS.md``).
``minikeras.ops.conv(..., bias=..., activation="relu")`` reaches it, and so
do the ``Conv1D``/``Conv2D`` layers.

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
from minikeras.kernels.geometry import conv_output_length
from minikeras.utils.argument_validation import check_data_format
from minikeras.utils.argument_validation import normalize_tuple


def same_padding(size, window, stride, dilation=1):
    """Keras/TensorFlow "same" padding along one axis, as ``(before, after)``."""
    span = (window - 1) * dilation + 1
    output = conv_output_length(size, window, "same", stride)  # ceil(size / stride)
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
    """Casts float arrays to their common type; integers become ``floatx()``; None stays None."""
    present = [array for array in arrays if array is not None]
    dtype = get_xp(*present).result_type(*present)
    if dtype.kind != "f":
        dtype = backend.floatx()
    return tuple(None if array is None else array.astype(dtype, copy=False) for array in arrays)


class Conv(Op):
    """y = conv(x, kernel) + bias, then max(y, 0) when ``relu``: a Conv layer's output in one op.

    The convolution is the cross-correlation of deep-learning libraries. For
    x (N, H, W, C), kernel (KH, KW, C, F), bias (F,) or none, padded input xpad:
        z[n, oh, ow, f]  = sum_{i, j, c} xpad[n, oh*SH + i*DH, ow*SW + j*DW, c] * kernel[i, j, c, f] + bias[f]
        y = max(z, 0) with ``relu``, else y = z
    Backward, from dy (N, OH, OW, F):
        dz    = dy where y > 0, else 0        (relu's VJP; dz = dy without relu)
        dbias = sum of dz over (n, oh, ow)
        dx[n, h, w, c]      = sum of dz[n, oh, ow, f] * kernel[i, j, c, f] over the (oh, ow, i, j)
                              that read cell (h, w)
        dkernel[i, j, c, f] = sum_{n, oh, ow} xpad[n, oh*SH + i*DH, ow*SW + j*DW, c] * dz[n, oh, ow, f]
    1-D: x (N, W, C), kernel (KW, C, F), y (N, OW, F).
    """

    def __init__(self, strides, padding, dilation, relu=False):
        # Pairs (rows, columns); padding is ((top, bottom), (left, right)).
        self.strides, self.padding, self.dilation, self.relu = strides, padding, dilation, relu

    def forward(self, x, kernel, bias=None):
        # 1. Common float dtype; 1-D as an image one row high, the kernels' only layout.
        self.x_shape, self.kernel_shape = x.shape, kernel.shape
        self.dtypes = (x.dtype, kernel.dtype, None if bias is None else bias.dtype)  # the gradients' dtypes
        x, kernel, bias = promote(x, kernel, bias)
        self.x = as_image(x)  # (N, W, C) -> (N, 1, W, C)
        self.kernel = kernel if kernel.ndim == 4 else kernel[None]  # (KW, C, F) -> (1, KW, C, F)
        # 2. The kernel functions for these arrays, kept for backward; then the forward pass.
        conv_forward, self.conv_backward = kernel_choice.conv_kernels(self.x, self.kernel, self.strides,
                                                                      self.dilation)
        y = conv_forward(self.x, self.kernel, bias, self.relu, self.strides, self.padding, self.dilation)
        self.y = y if self.relu else None  # the ReLU's mask is read from its output
        return y if len(self.x_shape) == 4 else y[:, 0]  # (N, 1, OW, F) -> (N, OW, F)

    def backward(self, dy):
        # The input's gradient is skipped for a batch of images: nobody reads it.
        dx, dkernel, dbias = self.conv_backward(
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


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1, *, bias=None,
         activation=None):
    """1-D or 2-D convolution, Keras's ``keras.ops.conv``, with an optional bias and ReLU in the same op.

    ``bias`` and ``activation`` are minikeras's additions (keyword only): the
    ``Conv1D``/``Conv2D`` layers pass theirs here, and :class:`Conv` computes
    ``conv(inputs, kernel) + bias``, then the ReLU, in one pass over the output.

    Args:
        inputs: ``(N, W, C)`` or ``(N, H, W, C)`` (channels first:
            ``(N, C, W)`` / ``(N, C, H, W)``).
        kernel: ``(KW, C, F)`` or ``(KH, KW, C, F)``.
        strides: int or tuple, step between output positions.
        padding: ``"valid"`` (no padding) or ``"same"`` (output size
            ``ceil(size / stride)``).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        dilation_rate: int or tuple, step between kernel taps.
        bias: ``(F,)``, added to every output position, or None.
        activation: None (or ``"linear"``) or ``"relu"``.
    Returns:
        ``(N, OW, F)`` or ``(N, OH, OW, F)`` (channels first: ``(N, F, ...)``).
    """
    data_format = check_data_format(data_format, "conv")
    if activation not in (None, "linear", "relu"):
        raise ValueError(f"`conv` applies no activation or 'relu' itself. Received: activation={activation!r}; "
                         "apply other activations to its output.")
    inputs = to_channels_last(as_tensor(inputs), data_format)
    kernel = as_tensor(kernel)
    strides, pads, dilation = _kernel_arguments(inputs, kernel, strides, padding, dilation_rate)
    op = Conv(strides, pads, dilation, relu=activation == "relu")
    if bias is None:
        outputs = op(inputs, kernel)
    else:
        bias = as_tensor(bias)
        if tuple(bias.shape) != (kernel.shape[-1],):
            raise ValueError(f"`conv`: the bias must have shape ({kernel.shape[-1]},), one value per filter. "
                             f"Received bias of shape {tuple(bias.shape)} for kernel of shape {tuple(kernel.shape)}.")
        outputs = op(inputs, kernel, bias)
    return to_data_format(outputs, data_format)


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
