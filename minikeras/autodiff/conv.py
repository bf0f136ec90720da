"""Convolution, 1-D, 2-D and 3-D, channels-last: the ``Conv`` op and its gradients.

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
``(N, H, W, C)`` inputs and ``(KH, KW, C, F)`` kernels. Two more cases are
built from the 2-D op, with no kernel of their own: a *grouped* convolution
(``groups`` of the Conv layers) is one ``Conv`` per group of channels
(:func:`_grouped_conv`), and a 3-D convolution is a sum of 2-D ones, one
per depth tap of its kernel (:func:`_conv3d`).

Keras's ``"same"`` padding (as TensorFlow and JAX compute it) pads
``total = max((ceil(size / stride) - 1) * stride + span - size, 0)`` cells,
``total // 2`` before and the rest after, where ``span = (KW - 1) * dilation + 1``
is the width the dilated kernel covers. The helpers below are shared by
``pool.py``.
"""

from minikeras import backend
from minikeras.autodiff import nn
from minikeras.autodiff.combine import concatenate
from minikeras.autodiff.combine import pad
from minikeras.autodiff.op import Op
from minikeras.autodiff.shape import get_item
from minikeras.autodiff.shape import reshape
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
    """Raises a ValueError naming both shapes if they cannot be convolved.

    The kernel's in_channels may divide the input's channels: that many
    groups, each convolving its own slice of channels (``groups`` of Keras's
    Conv layers), with the filters split between them.
    """
    if len(in_shape) not in (3, 4, 5):
        raise ValueError(
            "`conv` supports 1D, 2D and 3D convolutions: `inputs` must have rank 3 (N, W, C), "
            f"4 (N, H, W, C) or 5 (N, D, H, W, C). Received inputs of shape {in_shape}."
        )
    if len(kernel_shape) != len(in_shape):
        raise ValueError(
            f"`conv`: the kernel must have rank {len(in_shape)} for inputs of rank {len(in_shape)} "
            f"(spatial sizes, in channels, filters). Received inputs {in_shape}, kernel {kernel_shape}."
        )
    if in_shape[-1] % kernel_shape[-2] != 0:
        raise ValueError(
            "The number of input channels must be evenly divisible by kernel's in_channels. Received "
            f"input channels {in_shape[-1]} and kernel in_channels {kernel_shape[-2]}. "
            f"(inputs of shape {in_shape}, kernel of shape {kernel_shape})"
        )
    groups = in_shape[-1] // kernel_shape[-2]
    if kernel_shape[-1] % groups != 0:
        raise ValueError(
            f"`conv`: with {groups} groups (input channels {in_shape[-1]} / kernel in_channels "
            f"{kernel_shape[-2]}), the number of filters must be evenly divisible by the number of groups. "
            f"Received kernel of shape {kernel_shape} ({kernel_shape[-1]} filters)."
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
    """1-D, 2-D or 3-D convolution, Keras's ``keras.ops.conv``, with an optional bias and ReLU in the same op.

    ``bias`` and ``activation`` are minikeras's additions (keyword only): the
    ``Conv1D``/``Conv2D`` layers pass theirs here, and :class:`Conv` computes
    ``conv(inputs, kernel) + bias``, then the ReLU, in one pass over the output.

    Args:
        inputs: ``(N, W, C)``, ``(N, H, W, C)`` or ``(N, D, H, W, C)``
            (channels first: ``(N, C, W)``, ``(N, C, H, W)``...).
        kernel: ``(KW, C/G, F)``, ``(KH, KW, C/G, F)`` or ``(KD, KH, KW, C/G, F)``;
            ``G``, the number of groups, is C / the kernel's in_channels (1 for
            a plain convolution) and must divide ``F``.
        strides: int or tuple, step between output positions.
        padding: ``"valid"`` (no padding) or ``"same"`` (output size
            ``ceil(size / stride)``).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        dilation_rate: int or tuple, step between kernel taps.
        bias: ``(F,)``, added to every output position, or None.
        activation: None (or ``"linear"``) or ``"relu"``.
    Returns:
        ``(N, OW, F)``, ``(N, OH, OW, F)`` or ``(N, OD, OH, OW, F)`` (channels first: ``(N, F, ...)``).
    """
    data_format = check_data_format(data_format, "conv")
    if activation not in (None, "linear", "relu"):
        raise ValueError(f"`conv` applies no activation or 'relu' itself. Received: activation={activation!r}; "
                         "apply other activations to its output.")
    inputs = to_channels_last(as_tensor(inputs), data_format)
    kernel = as_tensor(kernel)
    strides, pads, dilation = _kernel_arguments(inputs, kernel, strides, padding, dilation_rate)
    if bias is not None:
        bias = as_tensor(bias)
        if tuple(bias.shape) != (kernel.shape[-1],):
            raise ValueError(f"`conv`: the bias must have shape ({kernel.shape[-1]},), one value per filter. "
                             f"Received bias of shape {tuple(bias.shape)} for kernel of shape {tuple(kernel.shape)}.")
    relu = activation == "relu"
    if inputs.ndim == 5:
        outputs = _conv3d(inputs, kernel, bias, relu, strides, pads, dilation)
    else:
        outputs = _grouped_conv(inputs, kernel, bias, relu, strides, pads, dilation)
    return to_data_format(outputs, data_format)


class ConvMaxPool(Op):
    """y = max_pool(conv(x, kernel) + bias, then max(., 0) when ``relu``; 2x2 windows, stride 2): two layers, one op.

    The forward pass is one fused kernel (``kernel_choice.conv_max_pool_kernel``'s, chosen by :func:`conv_max_pool`):
    it pools each tile of the convolution's output while it is in the cache,
    so the convolution's whole output is never written, nor kept for the
    gradient. For x (N, H, W, C), kernel (3, 3, C, F), the convolution's
    output z (N, OH, OW, F) and y (N, OH // 2, OW // 2, F):
        y[n, i, j, f] = max over the window (2i..2i+1, 2j..2j+1) of z[n, ., ., f]
    Backward, from dy (N, OH // 2, OW // 2, F):
        dz = dy routed to the cell each maximum came from (the argmax), zero
             elsewhere; with ``relu`` only where y > 0 (the maximum's cell is
             then positive: the ReLU let it through)
        then :class:`Conv`'s gradients from dz, the ReLU already applied.
    The same numbers, to the bit, as the two ops ``Conv`` and ``MaxPool``.
    """

    def __init__(self, function, padding, relu):
        # function: the fused kernel that kernel_choice.conv_max_pool_kernel chose for these arrays.
        self.function, self.padding, self.relu = function, padding, relu  # padding: ((top, bottom), (left, right))

    def forward(self, x, kernel, bias=None):
        self.dtypes = (x.dtype, kernel.dtype, None if bias is None else bias.dtype)  # the gradients' dtypes
        self.x, self.kernel, bias = promote(x, kernel, bias)
        y, self.argmax = self.function(self.x, self.kernel, bias, self.relu, self.padding,
                                       need_argmax=self.recording)
        if self.recording:  # the two kernel functions of the backward pass, and what they read
            _, self.conv_backward = kernel_choice.conv_kernels(self.x, self.kernel, (1, 1), (1, 1))
            _, self.max_pool_backward = kernel_choice.max_pool_kernels(self.x)
            (top, bottom), (left, right) = self.padding
            self.z_shape = (x.shape[0], x.shape[1] + top + bottom - 2, x.shape[2] + left + right - 2, kernel.shape[3])
            self.y = y if self.relu else None
        return y

    def backward(self, dy):
        if self.relu:
            dy = get_xp(dy).where(self.y > 0, dy, 0).astype(dy.dtype, copy=False)
        dz = self.max_pool_backward(dy, self.argmax, self.z_shape)
        dx, dkernel, dbias = self.conv_backward(
            self.x, None, dz, self.kernel, False, (1, 1), self.padding, (1, 1),
            need_input=self.needs_gradient(0), need_kernel=self.needs_gradient(1),
        )
        dx = None if dx is None else dx.astype(self.dtypes[0], copy=False)
        dkernel = None if dkernel is None else dkernel.astype(self.dtypes[1], copy=False)
        if self.dtypes[2] is None:
            return dx, dkernel
        return dx, dkernel, dbias.astype(self.dtypes[2], copy=False)


def conv_max_pool(inputs, kernel, bias=None, activation=None, padding="valid"):
    """``max_pool(conv(...), 2)`` as one op, :class:`ConvMaxPool`: a Tensor, or None when no fused kernel suits.

    A 2-D convolution with stride 1 and no dilation, channels last (plus
    ``bias``, then a ReLU when ``activation == "relu"``), then max pooling
    over 2x2 windows with stride 2 and no padding. When
    ``kernel_choice.conv_max_pool_kernel`` offers no fused kernel for these
    arrays, it returns None and the caller runs :func:`conv` and
    ``max_pool`` (``layers/fusion.py``).
    """
    inputs, kernel = as_tensor(inputs), as_tensor(kernel)
    if inputs.ndim != 4 or kernel.ndim != 4 or inputs.shape[-1] != kernel.shape[-2]:
        return None
    function = kernel_choice.conv_max_pool_kernel(inputs.data, kernel.data)
    if function is None:
        return None
    _, pads, _ = _kernel_arguments(inputs, kernel, 1, padding, 1)
    op = ConvMaxPool(function, pads, activation == "relu")
    return op(inputs, kernel) if bias is None else op(inputs, kernel, bias)


def _grouped_conv(x, kernel, bias, relu, strides, pads, dilation):
    """The :class:`Conv` op, once per group of channels, outputs side by side.

    With ``G = C / kernel in_channels`` groups, group ``g`` convolves input
    channels ``g*C/G .. (g+1)*C/G - 1`` with filters ``g*F/G .. (g+1)*F/G - 1``
    of the kernel ``(KH, KW, C/G, F)``: ``G`` small convolutions instead of
    one big one, ``G`` times fewer weights. ``G = 1`` is the plain convolution.

    Args:
        x: ``(N, W, C)`` or ``(N, H, W, C)`` tensor; kernel ``(..., C/G, F)``; bias ``(F,)`` or None.
        relu, strides, pads, dilation: as :class:`Conv` takes them.
    Returns:
        ``(N, OW, F)`` or ``(N, OH, OW, F)``.
    """
    groups = x.shape[-1] // kernel.shape[-2]
    op_inputs = (x, kernel) if bias is None else (x, kernel, bias)
    if groups == 1:
        return Conv(strides, pads, dilation, relu)(*op_inputs)
    channels, filters = kernel.shape[-2], kernel.shape[-1] // groups
    outputs = []
    for g in range(groups):
        group = get_item(x, (Ellipsis, slice(g * channels, (g + 1) * channels)))  # (..., C) -> (..., C/G)
        chosen = (Ellipsis, slice(g * filters, (g + 1) * filters))  # this group's F/G filters
        if bias is None:
            outputs.append(Conv(strides, pads, dilation, relu)(group, get_item(kernel, chosen)))
        else:
            outputs.append(Conv(strides, pads, dilation, relu)(group, get_item(kernel, chosen),
                                                                get_item(bias, chosen)))
    return concatenate(outputs, axis=-1)  # G x (..., F/G) -> (..., F)


def _conv3d(x, kernel, bias, relu, strides, pads, dilation, conv2d=None):
    """A 3-D convolution as ``KD`` 2-D convolutions, summed.

    Depth tap ``k`` of the kernel ``(KD, KH, KW, C, F)`` is a 2-D kernel
    ``(KH, KW, C, F)``; it reads, for output depth ``od``, the input slice
    at depth ``od*SD + k*DD``. Stacking those slices for all ``od`` into the
    batch axis makes tap ``k`` one 2-D convolution of ``N*OD`` images; the
    output is the sum over the taps. The 2-D kernels do the loops (on the CPU
    or the GPU) and the shape ops' gradients bring ``dx`` back to its depths.

    Args:
        x: ``(N, D, H, W, C)`` tensor; kernel ``(KD, KH, KW, C/G, F)``; bias ``(F,)`` or None.
        relu: whether to apply the ReLU; strides, pads, dilation: triples (depth, rows, columns).
        conv2d: the 2-D convolution of each tap, ``(images, kernel2d, strides, pads, dilation) -> outputs``;
            None for :func:`_grouped_conv` (``depthwise_conv.py`` passes its own).
    Returns:
        ``(N, OD, OH, OW, F)``.
    """
    (SD, *strides2), (DD, *dilation2), (pad_depth, *pads2) = strides, dilation, pads
    x = pad(x, [(0, 0), pad_depth, (0, 0), (0, 0), (0, 0)])  # zeros before and after in depth only
    N, D = x.shape[0], x.shape[1]
    KD = kernel.shape[0]
    OD = (D - (KD - 1) * DD - 1) // SD + 1
    total = None
    for k in range(KD):
        start = k * DD
        depths = get_item(x, (slice(None), slice(start, start + (OD - 1) * SD + 1, SD)))  # (N, OD, H, W, C)
        images = reshape(depths, (N * OD,) + tuple(depths.shape[2:]))  # (N, OD, H, W, C) -> (N*OD, H, W, C)
        if conv2d is None:
            tap = _grouped_conv(images, get_item(kernel, k), None, False, tuple(strides2), tuple(pads2),
                                tuple(dilation2))
        else:
            tap = conv2d(images, get_item(kernel, k), tuple(strides2), tuple(pads2), tuple(dilation2))
        total = tap if total is None else total + tap  # (N*OD, OH, OW, F)
    outputs = reshape(total, (N, OD) + tuple(total.shape[1:]))  # (N*OD, OH, OW, F) -> (N, OD, OH, OW, F)
    if bias is not None:
        outputs = outputs + bias
    return nn.relu(outputs) if relu else outputs


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
