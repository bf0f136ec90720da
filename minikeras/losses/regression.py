"""Regression and margin losses: mean squared / absolute error, Huber, hinge, cosine similarity.

Place in the stack: over ``loss.py``; read ``probabilistic.py`` first for
how a function and its class go together. Each function returns one value per
sample, the mean over the last axis: shape ``(N, D) -> (N,)``.
"""

from minikeras import backend
from minikeras import ops
from minikeras.losses.loss import Loss
from minikeras.losses.loss import LossFunctionWrapper
from minikeras.losses.loss import squeeze_or_expand_to_same_rank


def _prepare(y_true, y_pred):
    """Both as Tensors of ``y_pred``'s dtype, with matching ranks."""
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


def mean_squared_error(y_true, y_pred):
    """``mean(square(y_true - y_pred), axis=-1)``: shape ``(N, D) -> (N,)``."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return ops.mean(ops.square(y_true - y_pred), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """``mean(abs(y_true - y_pred), axis=-1)``: shape ``(N, D) -> (N,)``."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return ops.mean(ops.abs(y_true - y_pred), axis=-1)


def huber(y_true, y_pred, delta=1.0):
    """Quadratic for small errors, linear for large ones (robust to outliers).

    Per entry, with ``e = y_pred - y_true``: ``0.5 * e**2`` if ``|e| <= delta``,
    else ``delta * |e| - 0.5 * delta**2``; then the mean over the last axis.

    Args:
        y_true, y_pred: shape ``(N, D)``.
        delta: where the loss turns from quadratic to linear.
    Returns:
        Tensor of shape ``(N,)``.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    error = y_pred - y_true
    abs_error = ops.abs(error)
    quadratic = 0.5 * ops.square(error)
    linear = delta * abs_error - 0.5 * delta**2
    return ops.mean(ops.where(abs_error.data <= delta, quadratic, linear), axis=-1)


def convert_binary_labels_to_hinge(y_true):
    """Labels of only 0 and 1 become -1 and 1; other labels are kept."""
    labels = y_true.numpy()
    if ((labels == 0) | (labels == 1)).all():
        return 2.0 * y_true - 1.0
    return y_true


def hinge(y_true, y_pred):
    """``mean(maximum(1 - y_true * y_pred, 0), axis=-1)``, labels in {-1, 1} (or {0, 1}).

    Args:
        y_true: labels, shape ``(N, D)``; 0/1 labels are turned into -1/1.
        y_pred: scores, same shape.
    Returns:
        Tensor of shape ``(N,)``.
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = convert_binary_labels_to_hinge(ops.cast(y_true, y_pred.dtype))
    return ops.mean(ops.maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


def l2_normalize(x, axis=-1):
    """``x / ||x||`` along ``axis``; a zero vector stays zero (Keras's ``normalize``)."""
    square_sum = ops.sum(ops.square(x), axis=axis, keepdims=True)
    inverse_norm = ops.minimum(ops.rsqrt(square_sum), 1.0 / backend.epsilon())
    return x * inverse_norm


def cosine_similarity(y_true, y_pred, axis=-1):
    """Minus the cosine of the angle between target and prediction: in [-1, 1], -1 is best.

    ``loss = -sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)``.

    Args:
        y_true, y_pred: shape ``(N, D)``.
        axis: the axis of the vectors.
    Returns:
        Tensor of shape ``(N,)``.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return -ops.sum(l2_normalize(y_true, axis) * l2_normalize(y_pred, axis), axis=axis)


# ----- the classes -----
class MeanSquaredError(LossFunctionWrapper):
    """``mean_squared_error`` as a Loss. Args: reduction, name, dtype as in ``Loss``."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name=name, reduction=reduction, dtype=dtype)

    def get_config(self):
        return Loss.get_config(self)


class MeanAbsoluteError(LossFunctionWrapper):
    """``mean_absolute_error`` as a Loss. Args: reduction, name, dtype as in ``Loss``."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name=name, reduction=reduction, dtype=dtype)

    def get_config(self):
        return Loss.get_config(self)


class Huber(LossFunctionWrapper):
    """``huber`` as a Loss.

    Args:
        delta: where the loss turns from quadratic to linear (1.0).
        reduction, name, dtype: as in ``Loss``.
    """

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss", dtype=None):
        super().__init__(huber, name=name, reduction=reduction, dtype=dtype, delta=delta)

    def get_config(self):
        return Loss.get_config(self)


class Hinge(LossFunctionWrapper):
    """``hinge`` as a Loss. Args: reduction, name, dtype as in ``Loss``."""

    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(hinge, name=name, reduction=reduction, dtype=dtype)

    def get_config(self):
        return Loss.get_config(self)


class CosineSimilarity(LossFunctionWrapper):
    """``cosine_similarity`` as a Loss.

    Args:
        axis: the axis of the vectors.
        reduction, name, dtype: as in ``Loss``.
    """

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity", dtype=None):
        super().__init__(cosine_similarity, name=name, reduction=reduction, dtype=dtype, axis=axis)

    def get_config(self):
        return Loss.get_config(self)
