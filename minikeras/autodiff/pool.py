"""Pooling, 1-D, 2-D and 3-D, channels-last: ``max_pool`` and ``average_pool``.

Place in the stack: an op family of ``minikeras.autodiff``, after ``conv.py``
(whose padding helpers it shares). As for convolution, the op shows the math
and ``minikeras.kernels`` runs the loops (``kernels/reference.py`` defines
them). ``minikeras.ops`` and the ``MaxPooling*``/``AveragePooling*`` layers
call these functions. Read next: ``resample.py``.

Two details follow Keras exactly:

* max pooling sends each gradient to the *first* maximum of its window in
  scan order (row by row), as JAX/XLA and PyTorch do; after a ReLU, ties
  between zeros are common, so the choice matters and is tested;
* ``"same"`` average pooling divides by the number of real cells in the
  window: padded cells are left out of the mean (PyTorch's default,
  ``count_include_pad=True``, counts them).
"""

from minikeras.autodiff.conv import as_image
from minikeras.autodiff.conv import explicit_padding
from minikeras.autodiff.conv import promote
from minikeras.autodiff.conv import to_channels_last
from minikeras.autodiff.conv import to_data_format
from minikeras.autodiff.op import Op
from minikeras.autodiff.shape import reshape
from minikeras.autodiff.tensor import as_tensor
from minikeras.backend import kernel_choice
from minikeras.utils.argument_validation import check_data_format
from minikeras.utils.argument_validation import normalize_tuple


class MaxPool(Op):
    """y = max over each window;  dx = dy routed to the argmax of its window.

    x (N, H, W, C) -> y (N, OH, OW, C); overlapping windows add their
    gradients. 1-D: x (N, W, C) -> y (N, OW, C).
    """

    def __init__(self, pool_size, strides, padding):
        # Pairs (rows, columns); padding is ((top, bottom), (left, right)).
        self.pool_size, self.strides, self.padding = pool_size, strides, padding

    def forward(self, x):
        (x,) = promote(x)
        max_pool_forward, self.max_pool_backward = kernel_choice.max_pool_kernels(x)
        self.x_shape, self.image_shape = x.shape, as_image(x).shape
        # Without a tape (predict), no backward pass will route gradients: no argmax.
        y, self.argmax = max_pool_forward(as_image(x), self.pool_size, self.strides, self.padding,
                                          need_argmax=self.recording)
        return y if x.ndim == 4 else y[:, 0]  # (N, 1, OW, C) -> (N, OW, C)

    def backward(self, dy):
        dx = self.max_pool_backward(as_image(dy), self.argmax, self.image_shape)
        return dx.reshape(self.x_shape)


class AveragePool(Op):
    """y = mean of the real cells of each window;  dx = dy / count, shared by those cells.

    x (N, H, W, C) -> y (N, OH, OW, C). 1-D: x (N, W, C) -> y (N, OW, C).
    """

    def __init__(self, pool_size, strides, padding):
        self.pool_size, self.strides, self.padding = pool_size, strides, padding

    def forward(self, x):
        (x,) = promote(x)
        average_pool_forward, self.average_pool_backward = kernel_choice.average_pool_kernels(x)
        self.x_shape, self.image_shape = x.shape, as_image(x).shape
        y = average_pool_forward(as_image(x), self.pool_size, self.strides, self.padding)
        return y if x.ndim == 4 else y[:, 0]

    def backward(self, dy):
        args = (self.image_shape, self.pool_size, self.strides, self.padding)
        dx = self.average_pool_backward(as_image(dy), *args)
        return dx.reshape(self.x_shape)


def _pool(op_class, function_name, inputs, pool_size, strides, padding, data_format):
    """Shared argument handling of ``max_pool`` and ``average_pool``."""
    # 1. Channels last, rank 3 or 4.
    data_format = check_data_format(data_format, function_name)
    inputs = to_channels_last(as_tensor(inputs), data_format)
    in_shape = tuple(inputs.shape)
    if len(in_shape) not in (3, 4, 5):
        raise ValueError(
            f"`{function_name}` supports 1D, 2D and 3D pooling: `inputs` must have rank 3 (N, W, C), "
            f"4 (N, H, W, C) or 5 (N, D, H, W, C). Received inputs of shape {in_shape}."
        )
    # 2. Keras's arguments -> pairs of ints (strides default to the pool size).
    rank = len(in_shape) - 2
    pool_size = normalize_tuple(pool_size, rank, "pool_size", function_name)
    strides = pool_size if strides is None else normalize_tuple(strides, rank, "strides", function_name)
    pads = explicit_padding(padding, in_shape[1:-1], pool_size, strides, (1,) * rank, function_name)
    if rank == 1:
        pool_size, strides, pads = (1,) + pool_size, (1,) + strides, ((0, 0),) + pads
    if rank == 3:
        outputs = _pool_3d(op_class, inputs, pool_size, strides, pads)
    else:
        outputs = op_class(pool_size, strides, pads)(inputs)
    return to_data_format(outputs, data_format)


def _pool_3d(op_class, inputs, pool_size, strides, pads):
    """3-D pooling as 2-D pooling of every depth slice, then 1-D pooling along the depth.

    A box window is separable: the max (or the mean of the real cells) over
    ``(KD, KH, KW)`` is the max (mean) over the depth of the per-slice
    ``(KH, KW)`` results, because the count of real cells is a product of
    per-axis counts. The first maximum in scan order stays the first, so the
    gradient goes where Keras sends it. The 2-D ops bring the backward pass.
    """
    batch, depth, height, width, channels = inputs.shape
    # 1. Each depth slice as an image: (N, D, H, W, C) -> (N*D, H, W, C) -> (N*D, OH, OW, C).
    slices = reshape(inputs, (batch * depth, height, width, channels))
    slices = op_class(pool_size[1:], strides[1:], pads[1:])(slices)
    out_height, out_width = slices.shape[1:3]
    # 2. The depth as the width of a one-row image: (N, 1, D, OH*OW*C) -> (N, 1, OD, OH*OW*C).
    rows = reshape(slices, (batch, 1, depth, out_height * out_width * channels))
    rows = op_class((1, pool_size[0]), (1, strides[0]), ((0, 0), pads[0]))(rows)
    return reshape(rows, (batch, rows.shape[2], out_height, out_width, channels))


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Max pooling, 1-D, 2-D or 3-D, Keras's ``keras.ops.max_pool``.

    Args:
        inputs: ``(N, W, C)``, ``(N, H, W, C)`` or ``(N, D, H, W, C)`` (channels first: ``(N, C, ...)``).
        pool_size: int or tuple, the window.
        strides: int or tuple; ``None`` means ``pool_size`` (windows side by side).
        padding: ``"valid"`` or ``"same"`` (output size ``ceil(size / stride)``).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
    Returns:
        ``(N, OW, C)`` or ``(N, OH, OW, C)``.
    """
    return _pool(MaxPool, "max_pool", inputs, pool_size, strides, padding, data_format)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Average pooling, 1-D, 2-D or 3-D, Keras's ``keras.ops.average_pool``.

    With ``padding="same"`` each output is the mean of the real cells of its
    window only (padded cells are not counted), as in Keras.

    Args:
        inputs: ``(N, W, C)``, ``(N, H, W, C)`` or ``(N, D, H, W, C)`` (channels first: ``(N, C, ...)``).
        pool_size: int or tuple, the window.
        strides: int or tuple; ``None`` means ``pool_size``.
        padding: ``"valid"`` or ``"same"``.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
    Returns:
        ``(N, OW, C)`` or ``(N, OH, OW, C)``.
    """
    return _pool(AveragePool, "average_pool", inputs, pool_size, strides, padding, data_format)
