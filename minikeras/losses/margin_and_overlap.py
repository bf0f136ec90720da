"""Margin losses (squared and categorical hinge) and overlap losses (Dice, Tversky).

Place in the stack: over ``loss.py``; ``Hinge`` itself is in
``regression.py``. Shapes:

* ``squared_hinge``: ``(N, D) -> (N,)``, labels in {-1, 1} (0/1 are mapped);
* ``categorical_hinge``: one-hot ``(N, C) -> (N,)``: the best wrong score
  must stay 1 below the right one, ``max(0, 1 + max_wrong - right)``;
* ``dice`` and ``tversky``: one minus an overlap ratio between a predicted
  mask and a true one, summed over ``axis`` (None: the whole batch, a
  scalar), so they suit segmentation with rare foreground pixels.
"""

from minikeras import backend
from minikeras import ops
from minikeras.losses.loss import Loss
from minikeras.losses.loss import LossFunctionWrapper
from minikeras.losses.regression import convert_binary_labels_to_hinge


def squared_hinge(y_true, y_pred):
    """``mean(maximum(1 - y_true * y_pred, 0)**2, axis=-1)``.

    Args:
        y_true: labels in {-1, 1} (or {0, 1}), shape ``(N, D)``.
        y_pred: scores, same shape.
    Returns:
        Tensor of shape ``(N,)``.
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = convert_binary_labels_to_hinge(ops.cast(y_true, y_pred.dtype))
    return ops.mean(ops.square(ops.maximum(1.0 - y_true * y_pred, 0.0)), axis=-1)


def categorical_hinge(y_true, y_pred):
    """``maximum(0, 1 + max((1 - y_true) * y_pred) - sum(y_true * y_pred))`` per sample.

    Args:
        y_true: one-hot labels, shape ``(N, C)``.
        y_pred: scores, same shape.
    Returns:
        Tensor of shape ``(N,)``.
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    right = ops.sum(y_true * y_pred, axis=-1)  # (N, C) -> (N,)
    best_wrong = ops.max((1.0 - y_true) * y_pred, axis=-1)  # (N, C) -> (N,)
    return ops.maximum(best_wrong - right + 1.0, 0.0)


def dice(y_true, y_pred, axis=None):
    """``1 - 2 * sum(y_true * y_pred) / (sum(y_true) + sum(y_pred) + epsilon)`` over ``axis``.

    Args:
        y_true: the true mask (0/1), any shape.
        y_pred: predicted probabilities, same shape.
        axis: the axes summed; None sums everything (one scalar for the batch).
    Returns:
        Tensor: ``y_true``'s shape without ``axis``.
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    overlap = ops.sum(y_true * y_pred, axis=axis)
    total = ops.sum(y_true, axis=axis) + ops.sum(y_pred, axis=axis) + backend.epsilon()
    return 1.0 - 2.0 * overlap / total


def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    """Dice with separate weights on the two kinds of error:
    ``1 - TP / (TP + alpha * FP + beta * FN + epsilon)``, with soft counts
    ``TP = sum(y_true * y_pred)``, ``FP = sum(y_true * (1 - y_pred))``,
    ``FN = sum((1 - y_true) * y_pred)`` (Keras's naming; ``alpha = beta = 0.5`` is Dice).

    Args:
        y_true, y_pred, axis: as in ``dice``.
        alpha, beta: the weights of the two error counts.
    Returns:
        Tensor: ``y_true``'s shape without ``axis``.
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    overlap = ops.sum(y_true * y_pred, axis=axis)
    missed = ops.sum((1.0 - y_pred) * y_true, axis=axis)
    extra = ops.sum(y_pred * (1.0 - y_true), axis=axis)
    return 1.0 - overlap / (overlap + alpha * missed + beta * extra + backend.epsilon())


# ----- the classes -----
class SquaredHinge(LossFunctionWrapper):
    """``squared_hinge`` as a Loss. Args: reduction, name, dtype as in ``Loss``."""

    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, name=name, reduction=reduction, dtype=dtype)

    def get_config(self):
        return Loss.get_config(self)


class CategoricalHinge(LossFunctionWrapper):
    """``categorical_hinge`` as a Loss. Args: reduction, name, dtype as in ``Loss``."""

    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, name=name, reduction=reduction, dtype=dtype)

    def get_config(self):
        return Loss.get_config(self)


class Dice(LossFunctionWrapper):
    """``dice`` as a Loss.

    Args:
        reduction, name, dtype: as in ``Loss``.
        axis: the axes summed (None: all, one value for the batch).
    """

    def __init__(self, reduction="sum_over_batch_size", name="dice", axis=None, dtype=None):
        super().__init__(dice, name=name, reduction=reduction, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self):
        return {**Loss.get_config(self), "axis": self.axis}


class Tversky(LossFunctionWrapper):
    """``tversky`` as a Loss.

    Args:
        alpha, beta: the weights of the two error counts (0.5 each: Dice).
        reduction, name, dtype: as in ``Loss``.
        axis: the axes summed (None: all).
    """

    def __init__(self, alpha=0.5, beta=0.5, reduction="sum_over_batch_size", name="tversky", axis=None,
                 dtype=None):
        super().__init__(tversky, name=name, reduction=reduction, dtype=dtype, alpha=alpha, beta=beta, axis=axis)
        self.alpha, self.beta, self.axis = alpha, beta, axis

    def get_config(self):
        return {**Loss.get_config(self), "alpha": self.alpha, "beta": self.beta, "axis": self.axis}
