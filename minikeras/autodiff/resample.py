"""Resampling along one axis: adaptive pooling and linear resizing.

Place in the stack: an op family of ``minikeras.autodiff``, after
``pool.py``. Both ops work on one axis at a time, because both operations
they build are *separable*: a 2-D adaptive pool or a bilinear resize is the
1-D operation along the height, then along the width.

* ``AdaptivePool``: output ``i`` of an axis of length ``L`` resized to ``O``
  summarises the window ``[floor(i L / O), ceil((i + 1) L / O))``; windows
  may overlap by one cell. Its backward pass returns ``dy`` to the window
  (shared equally for the mean, to the first maximum for the max).
* ``AlongAxis``: ``y = W x`` along one axis, for an ``(O, L)`` matrix ``W``.
  Every linear resize (nearest, bilinear, bicubic, Lanczos) is such a
  matrix; ``minikeras/ops/image.py`` builds them. Its backward pass is the
  transposed matrix, ``dx = W^T dy``: the gradient of upsampling is a
  downsampling, and the other way round.

``adaptive_average_pool`` and ``adaptive_max_pool`` are Keras's
``keras.ops`` functions (``minikeras/ops/image.py`` builds the resize
matrices). Read next: ``conv_transpose.py``.
"""

import math

from minikeras.autodiff.op import Op
from minikeras.autodiff.tensor import as_tensor
from minikeras.backend import get_xp


def adaptive_windows(input_size, output_size):
    """The ``(start, end)`` cells of each of ``output_size`` adaptive windows.

    Example: 5 cells to 3 outputs -> ``[(0, 2), (1, 4), (3, 5)]``.
    """
    return [(math.floor(i * input_size / output_size), math.ceil((i + 1) * input_size / output_size))
            for i in range(output_size)]


class AdaptivePool(Op):
    """y[..., i, ...] = mean or max of x[..., start_i:end_i, ...] along ``axis``.

    x (..., L, ...) -> y (..., O, ...). Mean: dx[start_i:end_i] += dy_i / size_i.
    Max: dx at the first maximum of window i += dy_i.
    """
    def __init__(self, axis, output_size, mode):
        self.axis, self.output_size, self.mode = axis, output_size, mode

    def forward(self, x):
        xp = get_xp(x)
        self.x_shape = x.shape
        self.windows = adaptive_windows(x.shape[self.axis], self.output_size)
        x = xp.moveaxis(x, self.axis, 0)  # the pooled axis first: windows are x[start:end]
        if self.mode == "average":
            y = xp.stack([x[start:end].mean(axis=0) for start, end in self.windows])
        else:
            self.argmax = [start + x[start:end].argmax(axis=0) for start, end in self.windows]
            y = xp.stack([x[start:end].max(axis=0) for start, end in self.windows])
        return xp.moveaxis(y, 0, self.axis).astype(x.dtype, copy=False)

    def backward(self, dy):
        xp = get_xp(dy)
        dy = xp.moveaxis(dy, self.axis, 0)  # (O, ...rest)
        dx = xp.zeros((self.x_shape[self.axis],) + dy.shape[1:], dtype=dy.dtype)
        for i, (start, end) in enumerate(self.windows):
            if self.mode == "average":
                dx[start:end] += dy[i] / (end - start)
            else:
                # put dy_i where the maximum was: one cell per (other indices)
                winner = self.argmax[i][None] == xp.arange(dx.shape[0]).reshape((-1,) + (1,) * (dx.ndim - 1))
                dx += winner * dy[i]
        return xp.moveaxis(dx, 0, self.axis)


class AlongAxis(Op):
    """y = W x along ``axis``: y[..., o, ...] = sum_l W[o, l] x[..., l, ...].

    x (..., L, ...), W (O, L) a constant -> y (..., O, ...);  dx = W^T dy along the axis.
    """
    def __init__(self, matrix, axis):
        self.matrix, self.axis = matrix, axis

    def forward(self, x):
        xp = get_xp(x)
        matrix = xp.asarray(self.matrix, dtype=x.dtype)
        y = xp.tensordot(matrix, x, axes=([1], [self.axis]))  # (O, ...rest): the new axis comes first
        return xp.moveaxis(y, 0, self.axis)

    def backward(self, dy):
        xp = get_xp(dy)
        matrix = xp.asarray(self.matrix, dtype=dy.dtype)
        dx = xp.tensordot(matrix.T, dy, axes=([1], [self.axis]))  # (L, O) @ dy: back to (L, ...rest)
        return xp.moveaxis(dx, 0, self.axis)


def along_axis(x, matrix, axis):
    """Applies the constant ``(O, L)`` matrix to ``axis`` of ``x`` (length L -> O)."""
    return AlongAxis(matrix, axis)(as_tensor(x))


def _adaptive_pool(inputs, output_size, data_format, mode, function_name):
    """Shared argument handling: any rank 3-5 input, one AdaptivePool per spatial axis."""
    from minikeras.backend import image_data_format  # the config default, read at call time
    inputs = as_tensor(inputs)
    data_format = image_data_format() if data_format is None else data_format
    rank = inputs.ndim - 2
    if rank not in (1, 2, 3) or data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"`{function_name}` expects a rank 3, 4 or 5 input and a data_format of "
                         f"'channels_last' or 'channels_first'. Received inputs of shape {inputs.shape}, "
                         f"data_format={data_format!r}")
    sizes = (output_size,) * rank if isinstance(output_size, int) else tuple(output_size)
    if len(sizes) != rank or not all(isinstance(size, int) and size > 0 for size in sizes):
        raise ValueError(f"`output_size` of `{function_name}` must be a positive int or a tuple of "
                         f"{rank} positive ints for {rank}D inputs. Received: output_size={output_size!r}")
    first = 1 if data_format == "channels_last" else 2
    for offset, size in enumerate(sizes):
        inputs = AdaptivePool(first + offset, size, mode)(inputs)
    return inputs


def adaptive_average_pool(inputs, output_size, data_format=None):
    """Average pooling to a fixed output size, whatever the input size (PyTorch's windows).

    Args:
        inputs: ``(N, *spatial, C)`` with 1-3 spatial axes (channels first: ``(N, C, *spatial)``).
        output_size: int or tuple, one size per spatial axis.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
    Returns:
        ``(N, *output_size, C)`` (channels first: ``(N, C, *output_size)``).
    """
    return _adaptive_pool(inputs, output_size, data_format, "average", "adaptive_average_pool")


def adaptive_max_pool(inputs, output_size, data_format=None):
    """Max pooling to a fixed output size; arguments and shapes as ``adaptive_average_pool``."""
    return _adaptive_pool(inputs, output_size, data_format, "max", "adaptive_max_pool")

