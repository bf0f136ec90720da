"""Transposed convolution, 1-D, 2-D and 3-D: ``conv_transpose``, the input gradient of a convolution.

Place in the stack: an op family of ``minikeras.autodiff``, after
``resample.py``; ``ops.conv_transpose`` and the ``Conv1DTranspose`` /
``Conv2DTranspose`` layers call it. It adds no new kernel: it is written
with ``conv`` and the shape ops, whose backward passes give its gradients.

The idea. A strided convolution maps an ``H``-pixel image to about
``H / s`` outputs; its input gradient maps ``H / s`` values back to ``H``
pixels, each output's gradient spread over the ``KH x KW`` window it came
from. That backward map, used as a layer, is the transposed convolution (a
decoder's "upsampling convolution"). Written as a forward computation:

1. spread the input: ``s - 1`` zeros between neighbouring samples
   (``x[i]`` goes to position ``i * s``), so the stride becomes 1;
2. pad each side (JAX's ``conv_transpose`` padding, which Keras uses);
3. convolve, stride 1, with the kernel flipped in space and with its two
   channel axes swapped (an ``(KH, KW, F, C)`` kernel acts as ``(KH, KW, C, F)``).

``tests/autodiff/test_conv_transpose.py`` checks the identity: with the same
kernel, ``conv_transpose(dy, k)`` equals the gradient of ``<conv(x, k), dy>``
with respect to ``x``. Read next: ``depthwise_conv.py``.
"""

from minikeras.autodiff.combine import pad
from minikeras.autodiff.conv import conv
from minikeras.autodiff.conv import to_channels_last
from minikeras.autodiff.conv import to_data_format
from minikeras.autodiff.shape import expand_dims
from minikeras.autodiff.shape import flip
from minikeras.autodiff.shape import get_item
from minikeras.autodiff.shape import reshape
from minikeras.autodiff.shape import transpose
from minikeras.autodiff.tensor import as_tensor
from minikeras.utils.argument_validation import check_data_format
from minikeras.utils.argument_validation import normalize_tuple


def transpose_padding(kernel_size, stride, dilation, padding, output_padding):
    """The ``(before, after)`` zeros of step 2 along one axis, as Keras gives JAX.

    ``"valid"`` pads ``span - 1`` on both sides (every partial window
    counts), plus ``output_padding`` after; ``"same"`` pads so the output
    is ``size * stride`` long (``output_padding`` adjusts it).
    """
    span = (kernel_size - 1) * dilation + 1
    if padding == "valid":
        extra = max(span, stride) - span if output_padding is None else output_padding
        return span - 1, span - 1 + extra
    total = stride + span - 2 if output_padding is None else span + span % 2 - 2 + output_padding
    before = min(total // 2 + total % 2, span - 1)
    return before, total - before


def conv_transpose_output_length(size, kernel_size, stride, dilation, padding, output_padding):
    """The output length along one axis (None stays None)."""
    if size is None:
        return None
    before, after = transpose_padding(kernel_size, stride, dilation, padding, output_padding)
    span = (kernel_size - 1) * dilation + 1
    return (size - 1) * stride + 1 + before + after - span + 1


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


def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None, data_format=None,
                   dilation_rate=1):
    """Transposed convolution, Keras's ``keras.ops.conv_transpose`` (1-D, 2-D and 3-D).

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
    Returns:
        ``(N, OW, F)`` or ``(N, OH, OW, F)``; ``OH = (H - 1) * stride + KH``
        for ``"valid"`` when ``KH >= stride``, ``H * stride`` for ``"same"``.
    """
    # 1. Arguments: channels last, one int per spatial axis.
    data_format = check_data_format(data_format, "conv_transpose")
    x = to_channels_last(as_tensor(inputs), data_format)
    kernel = as_tensor(kernel)
    rank = x.ndim - 2
    if rank not in (1, 2, 3) or kernel.ndim != rank + 2:
        raise ValueError(f"`conv_transpose` supports 1D, 2D and 3D inputs with a kernel of rank + 2 axes. Received "
                         f"inputs of shape {tuple(x.shape)} and a kernel of shape {tuple(kernel.shape)}.")
    if kernel.shape[-1] != x.shape[-1]:
        raise ValueError(f"`conv_transpose`: the kernel's last axis ({kernel.shape[-1]}) must equal the input "
                         f"channels ({x.shape[-1]}). Kernel shape {tuple(kernel.shape)}, inputs {tuple(x.shape)}.")
    strides = normalize_tuple(strides, rank, "strides", "conv_transpose")
    dilations = normalize_tuple(dilation_rate, rank, "dilation_rate", "conv_transpose")
    paddings = (output_padding,) * rank if output_padding is None or isinstance(output_padding, int) \
        else tuple(output_padding)
    padding = str(padding).lower()
    if padding not in ("valid", "same"):
        raise ValueError(f"`padding` of `conv_transpose` must be 'valid' or 'same'. Received: padding={padding!r}")
    # 2. Spread and pad each spatial axis (steps 1 and 2 of the module doc).
    pads = [(0, 0)]
    for axis in range(rank):
        x = _spread(x, axis + 1, strides[axis])
        pads.append(transpose_padding(kernel.shape[axis], strides[axis], dilations[axis], padding, paddings[axis]))
    x = pad(x, pads + [(0, 0)])
    # 3. A stride-1 convolution with the flipped kernel, channel axes swapped.
    flipped = flip(kernel, axis=tuple(range(rank)))
    flipped = transpose(flipped, tuple(range(rank)) + (rank + 1, rank))  # (..., F, C) -> (..., C, F)
    outputs = conv(x, flipped, strides=1, padding="valid", dilation_rate=dilations)
    return to_data_format(outputs, data_format)
