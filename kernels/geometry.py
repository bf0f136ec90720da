"""Shape arithmetic shared by the kernel modules: how many outputs a window makes.

Place in the stack: ``kernels/``, below every kernel module (it computes no
values, only sizes). One formula, one definition: the kernels, and the
layers that predict their output shapes, read it here.
"""


def output_size(size, window, stride, pad_before, pad_after, dilation=1):
    """Number of output positions along one axis.

    Args:
        size: input length along the axis (H or W).
        window: kernel or pool length (KH, KW, PH or PW).
        stride, dilation: step between outputs, between kernel taps.
        pad_before, pad_after: zero cells added at each end.
    Returns:
        ``(size + pads - span) // stride + 1``, with ``span = (window-1)*dilation + 1``,
        the number of cells the dilated window covers.
    """
    span = (window - 1) * dilation + 1
    return (size + pad_before + pad_after - span) // stride + 1


def conv_output_length(size, window, padding, stride, dilation=1):
    """Number of output positions for Keras's padding names (None stays None).

    Args:
        size: input length along the axis, or None (unknown until a batch comes).
        window: kernel or pool length; None gives None.
        padding: ``"valid"`` (no zeros: ``output_size`` with no pads, never
            below 0), ``"same"`` or ``"causal"`` (as many zeros as it takes
            to have one output per ``stride`` inputs: ``ceil(size / stride)``).
        stride, dilation: as in ``output_size``.
    """
    if size is None or window is None:
        return None
    if str(padding).lower() == "valid":
        return max(output_size(size, window, stride, 0, 0, dilation), 0)
    return -(-size // stride)  # ceil(size / stride)


def output_shape(input_shape, window, strides, padding, dilation=(1, 1)):
    """``(OH, OW)`` for an input ``(N, H, W, C)``.

    Args:
        input_shape: ``(N, H, W, C)``.
        window, strides, dilation: pairs ``(rows, columns)``.
        padding: ``((top, bottom), (left, right))``.
    """
    _, H, W, _ = input_shape
    OH = output_size(H, window[0], strides[0], *padding[0], dilation[0])
    OW = output_size(W, window[1], strides[1], *padding[1], dilation[1])
    return OH, OW


def transpose_output_shape(input_shape, window, strides, padding, dilation=(1, 1)):
    """``(OH, OW)`` of a transposed convolution of ``(N, H, W, C)``: the inverse of :func:`output_shape`.

    The transposed convolution is the input gradient of a convolution whose
    input is ``(N, OH, OW, F)`` and whose output is ``(N, H, W, C)``; ``OH``
    is the input length that such a convolution reads exactly to its last
    cell: ``(H - 1) * SH + span - top - bottom``. A negative ``bottom`` (or
    ``right``) leaves that many rows at the end that no window reads.

    Args:
        input_shape: ``(N, H, W, C)``; window, strides, dilation: pairs.
        padding: ``((top, bottom), (left, right))``, the convolution's padding.
    """
    _, H, W, _ = input_shape
    sizes = []
    for size, length, stride, (before, after), step in zip((H, W), window, strides, padding, dilation):
        span = (length - 1) * step + 1
        sizes.append((size - 1) * stride + span - before - after)
    return tuple(sizes)
