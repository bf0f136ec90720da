"""Focal crossentropies and the generalized crossentropy: losses that down-weight easy examples.

Place in the stack: over ``probabilistic.py`` (read it first). Focal loss
(Lin et al., 2017) multiplies each crossentropy term by ``(1 - p)**gamma``,
where ``p`` is the probability given to the right answer: well-classified
examples (``p`` near 1) contribute almost nothing, so training concentrates
on the hard ones (dense object detection, with many easy backgrounds).
The generalized crossentropy (Zhang and Sabuncu, 2018) is
``(1 - p**q) / q``: between crossentropy (q -> 0) and mean absolute error
(q = 1), robust to noisy labels.
"""

import warnings

from minikeras import backend
from minikeras import ops
from minikeras.losses.loss import Loss
from minikeras.losses.loss import LossFunctionWrapper


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25, gamma=2.0,
                              from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary crossentropy times ``(1 - p_t)**gamma``, averaged over ``axis``.

    ``p_t = y_true * y_pred + (1 - y_true) * (1 - y_pred)`` is the probability
    of the true label; with class balancing the positives also get weight
    ``alpha`` and the negatives ``1 - alpha``.

    Args:
        y_true: labels in [0, 1], shape ``(N, D)``.
        y_pred: probabilities (logits with ``from_logits=True``), same shape.
        apply_class_balancing: multiply by ``alpha`` / ``1 - alpha``.
        alpha: the positives' weight when balancing.
        gamma: the focusing power (0 gives binary crossentropy).
        from_logits: ``y_pred`` are logits.
        label_smoothing: labels move towards 0.5 by this fraction.
        axis: the axis averaged.
    Returns:
        Tensor of shape ``(N,)``.
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        y_pred = ops.sigmoid(y_pred)
    crossentropy = ops.binary_crossentropy(y_true, y_pred)  # elementwise, probabilities clipped
    p_true = y_true * y_pred + (1.0 - y_true) * (1.0 - y_pred)
    focal = ops.power(1.0 - p_true, gamma) * crossentropy
    if apply_class_balancing:
        focal = (y_true * alpha + (1.0 - y_true) * (1.0 - alpha)) * focal
    return ops.mean(focal, axis=axis)


def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0, axis=-1):
    """``sum(alpha * (1 - p)**gamma * -y_true * log(p), axis)`` with ``p`` the
    renormalised, clipped predicted distribution.

    Args:
        y_true: one-hot (or soft) labels, shape ``(N, C)``.
        y_pred: probabilities (logits with ``from_logits=True``), same shape.
        alpha: a constant weight.
        gamma: the focusing power.
        from_logits: ``y_pred`` are logits (a softmax is applied).
        label_smoothing: labels move towards ``1 / C`` by this fraction.
        axis: the class axis.
    Returns:
        Tensor of shape ``(N,)``.
    """
    if isinstance(axis, bool):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis} of type {type(axis)}")
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    if y_pred.shape[-1] == 1:
        warnings.warn("In loss categorical_focal_crossentropy, expected y_pred.shape to be (batch_size, "
                      f"num_classes) with num_classes > 1. Received: y_pred.shape={tuple(y_pred.shape)}. "
                      "Consider using 'binary_crossentropy' if you only have 2 classes.",
                      SyntaxWarning, stacklevel=2)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / y_true.shape[-1]
    if from_logits:
        y_pred = ops.softmax(y_pred, axis=axis)
    # Renormalise so each distribution sums to 1, then keep the log finite.
    probabilities = y_pred / ops.sum(y_pred, axis=axis, keepdims=True)
    probabilities = ops.clip(probabilities, backend.epsilon(), 1.0 - backend.epsilon())
    crossentropy = -y_true * ops.log(probabilities)
    focal = alpha * ops.power(1.0 - probabilities, gamma) * crossentropy
    return ops.sum(focal, axis=axis)


def categorical_generalized_cross_entropy(y_true, y_pred, q):
    """``(1 - p**q) / q`` with ``p`` the probability of the true class.

    Args:
        y_true: integer labels, shape ``(N,)``.
        y_pred: probabilities, shape ``(N, C)``.
        q: in (0, 1); near 0 it behaves as crossentropy, at 1 as mean absolute error.
    Returns:
        Tensor of shape ``(N,)``.
    """
    y_pred = ops.convert_to_tensor(y_pred)
    labels = ops.cast(y_true, "int32")
    one_hot = ops.cast(ops.one_hot(labels, y_pred.shape[-1]), y_pred.dtype)  # (N,) -> (N, C)
    p_true = ops.sum(y_pred * one_hot, axis=-1)
    return (1.0 - ops.power(p_true, q)) / q


# ----- the classes -----
class BinaryFocalCrossentropy(LossFunctionWrapper):
    """``binary_focal_crossentropy`` as a Loss.

    Args:
        apply_class_balancing, alpha, gamma, from_logits, label_smoothing, axis:
            as in the function.
        reduction, name, dtype: as in ``Loss``.
    """

    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0,
                 axis=-1, reduction="sum_over_batch_size", name="binary_focal_crossentropy", dtype=None):
        super().__init__(binary_focal_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         apply_class_balancing=apply_class_balancing, alpha=alpha, gamma=gamma,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.apply_class_balancing, self.alpha, self.gamma = apply_class_balancing, alpha, gamma
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis

    def get_config(self):
        return {**Loss.get_config(self), "from_logits": self.from_logits, "label_smoothing": self.label_smoothing,
                "axis": self.axis, "apply_class_balancing": self.apply_class_balancing, "alpha": self.alpha,
                "gamma": self.gamma}


class CategoricalFocalCrossentropy(LossFunctionWrapper):
    """``categorical_focal_crossentropy`` as a Loss.

    Args:
        alpha, gamma, from_logits, label_smoothing, axis: as in the function.
        reduction, name, dtype: as in ``Loss``.
    """

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_focal_crossentropy", dtype=None):
        super().__init__(categorical_focal_crossentropy, name=name, reduction=reduction, dtype=dtype, alpha=alpha,
                         gamma=gamma, from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.alpha, self.gamma = alpha, gamma
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis

    def get_config(self):
        return {**Loss.get_config(self), "from_logits": self.from_logits, "label_smoothing": self.label_smoothing,
                "axis": self.axis, "alpha": self.alpha, "gamma": self.gamma}


class CategoricalGeneralizedCrossEntropy(LossFunctionWrapper):
    """``categorical_generalized_cross_entropy`` as a Loss.

    Args:
        q: in (0, 1) (0.5).
        reduction, name, dtype: as in ``Loss``.
    """

    def __init__(self, q=0.5, reduction="sum_over_batch_size", name="categorical_generalized_cross_entropy",
                 dtype=None):
        if not 0 < q < 1:
            raise ValueError(f"q must be in the interval (0, 1). Received: q={q}")
        super().__init__(categorical_generalized_cross_entropy, name=name, reduction=reduction, dtype=dtype, q=q)
        self.q = q

    def get_config(self):
        return {**Loss.get_config(self), "q": self.q}
