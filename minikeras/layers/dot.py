"""``Dot``: the per-sample dot product of two tensors along chosen axes.

Place in the stack: a merging layer (see ``merging.py``) over
``minikeras.ops``. For two ``(N, D)`` inputs it gives the ``(N, 1)`` dot
products; for ``(N, T, D)`` and ``(N, S, D)`` with ``axes=2`` the ``(N, T, S)``
matrix of every pair's similarity (attention scores, with
``normalize=True``: cosine similarities). Everything reduces to one batched
``matmul`` after moving the summed axes to where ``matmul`` sums; its
gradient comes from the ``matmul``, ``transpose`` and ``reshape`` ops.
Read next: ``merging.py``.
"""

from minikeras import ops
from minikeras.layers.layer import Layer

EPSILON = 1e-7  # backend.epsilon(): the smallest norm normalize divides by


def l2_normalize(x, axis):
    """``x / max(||x||, EPSILON)`` along ``axis`` (Keras's ``x * rsqrt``, clipped)."""
    square_sum = ops.sum(ops.square(x), axis=axis, keepdims=True)
    return ops.multiply(x, ops.rsqrt(ops.maximum(square_sum, EPSILON ** 2)))


def _move_axis_last(x, axis):
    """Moves ``axis`` to the end, keeping the order of the others."""
    order = [a for a in range(x.ndim) if a != axis] + [axis]
    return x if order == list(range(x.ndim)) else ops.transpose(x, order)


def batch_dot(x, y, axes):
    """Sums ``x`` over ``axes[0]`` against ``y`` over ``axes[1]``, sample by sample.

    Args:
        x: ``(N, *x_rest)`` with the summed axis among them, rank >= 2.
        y: ``(N, *y_rest)``, rank >= 2; ``axes`` are positive and not 0.
        axes: pair of ints, the summed axis of ``x`` and of ``y``.
    Returns:
        ``(N, *x_rest_without_axis, *y_rest_without_axis)``, or ``(N, 1)``
        when both inputs are ``(N, D)``.
    """
    # 1. x: (N, ..., D) with D last; y: (N, D, ...) with D second.
    x = _move_axis_last(x, axes[0])
    y = ops.moveaxis(y, axes[1], 1) if axes[1] != 1 else y
    x_middle, y_trailing = x.shape[1:-1], y.shape[2:]
    # 2. Flatten to one batched matrix product: (N, P, D) @ (N, D, Q) -> (N, P, Q).
    batch, depth = x.shape[0], x.shape[-1]
    x = ops.reshape(x, (batch, -1, depth))  # (N, ..., D) -> (N, P, D)
    y = ops.reshape(y, (batch, depth, -1))  # (N, D, ...) -> (N, D, Q)
    result = ops.matmul(x, y)  # (N, P, Q)
    # 3. Unflatten; two vectors give (N, 1), as in Keras.
    output_shape = (batch,) + tuple(x_middle) + tuple(y_trailing)
    if len(output_shape) == 1:
        output_shape += (1,)
    return ops.reshape(result, output_shape)


class Dot(Layer):
    """The dot product of two inputs along ``axes``, per sample.

    Args:
        axes: int (the same axis in both inputs) or a pair of ints; negative
            values count from the end. Axis 0 (the batch) is not allowed.
        normalize: if True, L2-normalise both inputs along the summed axes
            first, so the output is the cosine similarity.
        **kwargs: ``Layer`` arguments.

    Shapes:
        inputs ``[(N, *a), (N, *b)]``; output ``(N, *a', *b')`` without the
        summed axes, ``(N, 1)`` for two vectors.
    """

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axes, int):
            if not isinstance(axes, (list, tuple)):
                raise TypeError("Invalid type for argument `axes`: it should be a list or an int. "
                                f"Received: axes={axes}")
            if len(axes) != 2:
                raise ValueError("Invalid format for argument `axes`: it should contain two elements. "
                                 f"Received: axes={axes}")
            if not all(isinstance(axis, int) for axis in axes):
                raise ValueError("Invalid format for argument `axes`: list elements should be integers. "
                                 f"Received: axes={axes}")
        self.axes = axes
        self.normalize = normalize
        self.supports_masking = True

    def _positive_axes(self, shape1, shape2):
        axes = [self.axes, self.axes] if isinstance(self.axes, int) else list(self.axes)
        return [axes[0] % len(shape1), axes[1] % len(shape2)]

    def _check_shapes(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) != 2 or not all(
                isinstance(shape, (list, tuple)) for shape in input_shape):
            raise ValueError(f"A `Dot` layer should be called on a list of 2 inputs. "
                             f"Received: input_shape={input_shape}")
        shape1, shape2 = (tuple(shape) for shape in input_shape)
        if len(shape1) < 2 or len(shape2) < 2:
            raise ValueError(f"Dot ('{self.name}'): both inputs need a batch axis and at least one more. "
                             f"Received inputs with shapes {shape1} and {shape2}.")
        axes = self._positive_axes(shape1, shape2)
        if 0 in axes:
            raise ValueError(f"Dot ('{self.name}'): cannot sum over axis 0, the batch. Received: axes={self.axes}")
        size1, size2 = shape1[axes[0]], shape2[axes[1]]
        if size1 is not None and size2 is not None and size1 != size2:
            raise ValueError(f"Incompatible input shapes: axis values {size1} (at axis {axes[0]}) != "
                             f"{size2} (at axis {axes[1]}). Full input shapes: {shape1}, {shape2}")
        return shape1, shape2, axes

    def build(self, input_shape):
        self._check_shapes(input_shape)
        self.built = True

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ValueError(f"A `Dot` layer should be called on exactly 2 inputs. Received: inputs={inputs}")
        x1, x2 = inputs
        axes = self._positive_axes(x1.shape, x2.shape)
        if self.normalize:
            x1 = l2_normalize(x1, axes[0])
            x2 = l2_normalize(x2, axes[1])
        return batch_dot(x1, x2, axes)

    def compute_output_shape(self, input_shape):
        shape1, shape2, axes = self._check_shapes(input_shape)
        output_shape = [size for axis, size in enumerate(shape1) if axis != axes[0]]
        output_shape += [size for axis, size in enumerate(shape2) if axis not in (0, axes[1])]
        if len(output_shape) == 1:
            output_shape.append(1)
        return tuple(output_shape)

    def compute_mask(self, inputs, previous_mask=None):
        return None

    def get_config(self):
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def dot(inputs, axes=-1, **kwargs):
    """``Dot(axes, **kwargs)(inputs)``: the functional form.

    Args:
        inputs: list of two tensors ``[(N, *a), (N, *b)]``.
        axes: int or pair of ints, the summed axes.
        **kwargs: ``Dot`` / ``Layer`` arguments (``normalize``, ``name``).
    """
    return Dot(axes=axes, **kwargs)(inputs)
