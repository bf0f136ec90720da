"""Transposed convolution, 1-D, 2-D and 3-D: ``conv_transpose``, the input gradient of a convolution.

Place in the stack: an op family of ``minikeras.autodiff``, after
``resample.py`` (read ``conv.py`` first: same arguments, same 1-D-as-image
trick); ``ops.conv_transpose`` and the ``Conv1DTranspose`` /
``Conv2DTranspose`` / ``Conv3DTranspose`` layers call it. The loops are the
``conv_transpose`` family of ``minikeras.kernels`` (``kernels/reference.py``
has the definitions), which ``minikeras/backend/kernel_choice.py`` picks.

The idea. A strided convolution maps an ``H``-pixel image to about
``H / s`` outputs; its input gradient maps ``H / s`` values back to ``H``
pixels, each output's gradient spread over the ``KH x KW`` window it came
from. That backward map, used as a layer, is the transposed convolution (a
decoder's "upsampling convolution"). So the op has nothing new to compute:

* forward: the convolution's input gradient (``_conv_backward_input`` of
  the kernels), with the ``(KH, KW, F, C)`` kernel read as the kernel of a
  convolution from ``F`` to ``C`` channels;
* backward: the transpose of a transpose is the convolution itself, so
  ``dx`` is the forward convolution of ``dy``, and ``dkernel`` is the
  convolution's kernel gradient with ``dy`` as its input and ``x`` as its
  output's gradient.

An equivalent forward, found in many textbooks, spreads the input (``s - 1``
zeros between neighbours), pads it and convolves it with the flipped kernel
at stride 1; at stride 2 three quarters of its products multiply zeros. The
kernels never build the zeros. ``tests/autodiff/test_conv_transpose.py``
checks the identity on random shapes: with the same kernel,
``conv_transpose(dy, k)`` equals the gradient of ``<conv(x, k), dy>`` with
respect to ``x``. Read next: ``depthwise_conv.py``.
"""

from minikeras.autodiff import nn
from minikeras.autodiff.combine import pad
from minikeras.autodiff.conv import as_image
from minikeras.autodiff.conv import promote
from minikeras.autodiff.conv import to_channels_last
from minikeras.autodiff.conv import to_data_format
from minikeras.autodiff.op import Op
from minikeras.autodiff.shape import expand_dims
from minikeras.autodiff.shape import get_item
from minikeras.autodiff.shape import reshape
from minikeras.autodiff.tensor import as_tensor
from minikeras.backend import kernel_choice
from minikeras.utils.argument_validation import check_data_format
from minikeras.utils.argument_validation import normalize_tuple


def transpose_padding(kernel_size, stride, dilation, padding, output_padding):
    """Keras's padding of a transposed convolution along one axis, as ``(before, after)``.

    These are the zeros that the "spread the input, pad, convolve" reading of
    the module docstring adds around the spread input (JAX's
    ``conv_transpose`` padding, which Keras uses). ``"valid"`` pads
    ``span - 1`` on both sides (every partial window counts), plus
    ``output_padding`` after; ``"same"`` pads so the output is
    ``size * stride`` long (``output_padding`` adjusts it).
    """
    span = (kernel_size - 1) * dilation + 1
    if padding == "valid":
        extra = max(span, stride) - span if output_padding is None else output_padding
        return span - 1, span - 1 + extra
    total = stride + span - 2 if output_padding is None else span + span % 2 - 2 + output_padding
    before = min(total // 2 + total % 2, span - 1)
    return before, total - before


def convolution_padding(kernel_size, stride, dilation, padding, output_padding):
    """The padding ``(top, bottom)`` of the convolution whose input gradient the transposed one is.

    A pad of ``span - 1`` around the spread input is a convolution with no
    padding, so each of Keras's pads becomes ``span - 1 - pad``. ``bottom``
    is negative when the output is longer than the convolution reads
    (``output_padding``, or a stride longer than the kernel): those last
    rows get no contribution, only the bias.
    """
    span = (kernel_size - 1) * dilation + 1
    before, after = transpose_padding(kernel_size, stride, dilation, padding, output_padding)
    return span - 1 - before, span - 1 - after


def conv_transpose_output_length(size, kernel_size, stride, dilation, padding, output_padding):
    """The output length along one axis (None stays None)."""
    if size is None:
        return None
    top, bottom = convolution_padding(kernel_size, stride, dilation, padding, output_padding)
    return (size - 1) * stride + (kernel_size - 1) * dilation + 1 - top - bottom


class ConvTranspose(Op):
    """y = conv_transpose(x, kernel) + bias, then max(y, 0) when ``relu``: the input gradient of a convolution.

    For x (N, H, W, C), kernel (KH, KW, F, C), read as the kernel of a convolution
    ``conv_k`` from F to C channels with these strides, padding and dilation:
        z[n, p, q, f] = sum of x[n, h, w, c] * kernel[i, j, f, c] over the (h, w, i, j, c)
                        with h*SH + i*DH - top = p and w*SW + j*DW - left = q;   + bias[f]
        (z is the gradient of sum(conv_k(v) * x) with respect to v (N, OH, OW, F))
        y = max(z, 0) with ``relu``, else y = z
    Backward, from dy (N, OH, OW, F):
        dz    = dy where y > 0, else 0        (dz = dy without relu)
        dbias = sum of dz over (n, oh, ow)
        dx    = conv_k(dz)                    (N, H, W, C): the convolution itself
        dkernel[i, j, f, c] = sum_{n, h, w} dzpad[n, h*SH + i*DH, w*SW + j*DW, f] * x[n, h, w, c]
    1-D: x (N, W, C), kernel (KW, F, C), y (N, OW, F).
    """

    def __init__(self, strides, padding, dilation, relu=False):
        # Pairs (rows, columns); padding is the convolution's ((top, bottom), (left, right)).
        self.strides, self.padding, self.dilation, self.relu = strides, padding, dilation, relu

    def forward(self, x, kernel, bias=None):
        # 1. Common float dtype; 1-D as an image one row high, the kernels' only layout.
        self.x_shape, self.kernel_shape = x.shape, kernel.shape
        self.dtypes = (x.dtype, kernel.dtype, None if bias is None else bias.dtype)
        x, kernel, bias = promote(x, kernel, bias)
        self.x = as_image(x)  # (N, W, C) -> (N, 1, W, C)
        self.kernel = kernel if kernel.ndim == 4 else kernel[None]  # (KW, F, C) -> (1, KW, F, C)
        # 2. The kernel functions for this input, kept for backward; then the forward pass.
        forward, self.transpose_backward = kernel_choice.conv_transpose_kernels(self.x)
        y = forward(self.x, self.kernel, bias, self.relu, self.strides, self.padding, self.dilation)
        self.y = y if self.relu else None  # the ReLU's mask is read from its output
        return y if len(self.x_shape) == 4 else y[:, 0]  # (N, 1, OW, F) -> (N, OW, F)

    def backward(self, dy):
        dx, dkernel, dbias = self.transpose_backward(
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


def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None, data_format=None,
                   dilation_rate=1, *, bias=None, activation=None):
    """Transposed convolution, Keras's ``keras.ops.conv_transpose`` (1-D, 2-D and 3-D).

    ``bias`` and ``activation`` are minikeras's additions (keyword only), as
    in :func:`minikeras.autodiff.conv.conv`: the layers pass theirs here.

    Args:
        inputs: ``(N, W, C)``, ``(N, H, W, C)`` or ``(N, D, H, W, C)`` (channels first: ``(N, C, ...)``).
        kernel: ``(KW, F, C)``, ``(KH, KW, F, C)`` or ``(KD, KH, KW, F, C)``: output channels ``F``
            before input channels ``C``, as in Keras.
        strides: int or tuple, the upsampling factor.
        padding: ``"valid"`` or ``"same"``.
        output_padding: None, int or tuple: extra rows/columns after, each
            smaller than its stride.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        dilation_rate: int or tuple.
        bias: ``(F,)`` or None; activation: None (or ``"linear"``) or ``"relu"``.
    Returns:
        ``(N, OW, F)`` or ``(N, OH, OW, F)``...; ``OH = (H - 1) * stride + KH``
        for ``"valid"`` when ``KH >= stride``, ``H * stride`` for ``"same"``.
    """
    # 1. Arguments: channels last, one int per spatial axis, the convolution's padding.
    data_format = check_data_format(data_format, "conv_transpose")
    x = to_channels_last(as_tensor(inputs), data_format)
    kernel = as_tensor(kernel)
    strides, pads, dilation = _transpose_arguments(x, kernel, strides, padding, output_padding, dilation_rate)
    if activation not in (None, "linear", "relu"):
        raise ValueError(f"`conv_transpose` applies no activation or 'relu' itself. Received: "
                         f"activation={activation!r}; apply other activations to its output.")
    if bias is not None:
        bias = as_tensor(bias)
        if tuple(bias.shape) != (kernel.shape[-2],):
            raise ValueError(f"`conv_transpose`: the bias must have shape ({kernel.shape[-2]},), one value per "
                             f"filter. Received bias of shape {tuple(bias.shape)} for kernel {tuple(kernel.shape)}.")
    # 2. The op (1-D and 2-D), or one 2-D op per depth tap (3-D).
    relu = activation == "relu"
    if x.ndim == 5:
        outputs = _conv_transpose3d(x, kernel, bias, relu, strides, pads, dilation)
    else:
        op = ConvTranspose(strides, pads, dilation, relu)
        outputs = op(x, kernel) if bias is None else op(x, kernel, bias)
    return to_data_format(outputs, data_format)


def _transpose_arguments(x, kernel, strides, padding, output_padding, dilation_rate):
    """Checks the shapes and returns the kernels' ``(strides, pads, dilation)``, one entry per spatial axis.

    A 1-D call gets a first entry for its one-row-high image, as in ``conv.py``.
    """
    rank = x.ndim - 2
    if rank not in (1, 2, 3) or kernel.ndim != rank + 2:
        raise ValueError(f"`conv_transpose` supports 1D, 2D and 3D inputs with a kernel of rank + 2 axes. Received "
                         f"inputs of shape {tuple(x.shape)} and a kernel of shape {tuple(kernel.shape)}.")
    if kernel.shape[-1] != x.shape[-1]:
        raise ValueError(f"`conv_transpose`: the kernel's last axis ({kernel.shape[-1]}) must equal the input "
                         f"channels ({x.shape[-1]}). Kernel shape {tuple(kernel.shape)}, inputs {tuple(x.shape)}.")
    strides = normalize_tuple(strides, rank, "strides", "conv_transpose")
    dilation = normalize_tuple(dilation_rate, rank, "dilation_rate", "conv_transpose")
    extras = (output_padding,) * rank if output_padding is None or isinstance(output_padding, int) \
        else tuple(output_padding)
    padding = str(padding).lower()
    if padding not in ("valid", "same"):
        raise ValueError(f"`padding` of `conv_transpose` must be 'valid' or 'same'. Received: padding={padding!r}")
    pads = tuple(convolution_padding(kernel.shape[axis], strides[axis], dilation[axis], padding, extras[axis])
                 for axis in range(rank))
    if rank == 1:
        strides, dilation, pads = (1,) + strides, (1,) + dilation, ((0, 0),) + pads
    return strides, pads, dilation


def _spread(x, axis, stride):
    """Puts ``stride - 1`` zeros between neighbours along ``axis``: length L -> (L - 1) * stride + 1."""
    if stride == 1:
        return x
    length = x.shape[axis]
    x = expand_dims(x, axis + 1)  # (..., L, ...) -> (..., L, 1, ...)
    pads = [(0, 0)] * x.ndim
    pads[axis + 1] = (0, stride - 1)
    x = pad(x, pads)  # (..., L, 1, ...) -> (..., L, stride, ...): each sample then its zeros
    x = reshape(x, x.shape[:axis] + (length * stride,) + x.shape[axis + 2:])
    index = [slice(None)] * x.ndim
    index[axis] = slice(0, (length - 1) * stride + 1)  # no zeros after the last sample
    return get_item(x, tuple(index))


def _conv_transpose3d(x, kernel, bias, relu, strides, pads, dilation):
    """A 3-D transposed convolution as ``KD`` 2-D ones, each placed at its output depths.

    Depth tap ``k`` of the kernel ``(KD, KH, KW, F, C)`` sends input depth
    ``d`` to output depth ``d*SD + k*DD - top``: one 2-D transposed
    convolution of the ``N*D`` depth slices with the 2-D kernel ``kernel[k]``,
    its results spread along the depth (``SD - 1`` zeros between slices) and
    shifted by ``k*DD``; the output is their sum, cut to the padding. The
    depth is usually short, so its zeros cost little; the 2-D kernels do the loops.

    Args:
        x: ``(N, D, H, W, C)`` tensor; kernel ``(KD, KH, KW, F, C)``; bias ``(F,)`` or None.
        relu: whether to apply the ReLU; strides, pads, dilation: triples (depth, rows, columns).
    Returns:
        ``(N, OD, OH, OW, F)``.
    """
    (SD, *strides2), (DD, *dilation2), ((top, bottom), *pads2) = strides, dilation, pads
    N, D = x.shape[0], x.shape[1]
    KD = kernel.shape[0]
    length = (D - 1) * SD + (KD - 1) * DD + 1  # the depths the taps reach, before the padding is cut
    images = reshape(x, (N * D,) + tuple(x.shape[2:]))  # (N, D, H, W, C) -> (N*D, H, W, C)
    total = None
    for k in range(KD):
        tap = ConvTranspose(tuple(strides2), tuple(pads2), tuple(dilation2))(images, get_item(kernel, k))
        tap = reshape(tap, (N, D) + tuple(tap.shape[1:]))  # (N*D, OH, OW, F) -> (N, D, OH, OW, F)
        tap = _spread(tap, 1, SD)  # depth d -> d*SD
        after = length - k * DD - tap.shape[1]
        tap = pad(tap, [(0, 0), (k * DD, after), (0, 0), (0, 0), (0, 0)])  # d*SD -> d*SD + k*DD
        total = tap if total is None else total + tap
    # A negative bottom: rows no tap reaches, zeros; then cut the convolution's padding.
    total = pad(total, [(0, 0), (0, max(-bottom, 0)), (0, 0), (0, 0), (0, 0)])
    outputs = get_item(total, (slice(None), slice(top, length - bottom)))  # (N, OD, OH, OW, F)
    if bias is not None:
        outputs = outputs + bias
    return nn.relu(outputs) if relu else outputs
