"""The crossentropies and the KL divergence: losses between probability distributions.

Place in the stack: over ``loss.py`` (read it first). Each loss comes twice,
as in Keras: a function ``f(y_true, y_pred, ...)`` returning one value per
sample, and a class (``SparseCategoricalCrossentropy(from_logits=True)``)
that wraps it and adds sample weights and the reduction.

Numerical care, the subject of this file:

* From logits, ``log(softmax(z))`` is computed as ``z - logsumexp(z)``
  (``ops.log_softmax``): no ``exp`` overflows for huge logits and no
  ``log(0)`` appears for very negative ones. The binary case uses
  ``log(sigmoid(z)) = -softplus(-z)`` for the same reason.
* From probabilities, they are clipped to ``[epsilon, 1 - epsilon]``
  (``epsilon = 1e-7``) before the ``log``, so a probability of exactly 0 or 1
  gives a large but finite loss (and a zero gradient beyond the clip).

Read next: ``regression.py``.
"""

import warnings

import numpy

from minikeras import backend
from minikeras import ops
from minikeras.losses.loss import Loss
from minikeras.losses.loss import LossFunctionWrapper


def _check_same_shape(target, output, function_name):
    if tuple(target.shape) != tuple(output.shape):
        raise ValueError(
            f"`{function_name}`: Arguments `target` and `output` must have the same shape. "
            f"Received: target.shape={tuple(target.shape)}, output.shape={tuple(output.shape)}"
        )


def _log_probabilities(output, from_logits, axis):
    """log of the class probabilities, stably, from logits or probabilities.

    Args:
        output: logits or probabilities, shape ``(N, ..., C)`` (classes on ``axis``).
    Returns:
        A Tensor of the same shape.
    """
    if from_logits:
        return ops.log_softmax(output, axis=axis)
    # Probabilities from a softmax already sum to 1; other inputs are
    # renormalised, then kept away from 0 and 1 so the log stays finite.
    output = output / ops.sum(output, axis=axis, keepdims=True)
    epsilon = backend.epsilon()
    return ops.log(ops.clip(output, epsilon, 1.0 - epsilon))


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Crossentropy between one-hot (or soft) targets and predicted distributions.

    ``loss = -sum(y_true * log(y_pred), axis)``.

    Args:
        y_true: one-hot targets, shape ``(N, C)`` (or ``(N, ..., C)``).
        y_pred: probabilities, or logits if ``from_logits``, same shape.
        from_logits: whether ``y_pred`` holds logits.
        label_smoothing: in [0, 1]: targets become ``y * (1 - ls) + ls / C``.
        axis: the class axis.
    Returns:
        Tensor of shape ``(N,)`` (``y_pred``'s shape without ``axis``).
    """
    if isinstance(axis, bool):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis} of type {type(axis)}")
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    if y_pred.shape[-1] == 1:
        warnings.warn(
            "In loss categorical_crossentropy, expected y_pred.shape to be (batch_size, num_classes) "
            f"with num_classes > 1. Received: y_pred.shape={y_pred.shape}. "
            "Consider using 'binary_crossentropy' if you only have 2 classes.",
            SyntaxWarning,
            stacklevel=2,
        )
    if label_smoothing:
        num_classes = y_true.shape[-1]
        y_true = y_true * (1.0 - label_smoothing) + (label_smoothing / num_classes)
    _check_same_shape(y_true, y_pred, "categorical_crossentropy")
    return -ops.sum(y_true * _log_probabilities(y_pred, from_logits, axis), axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    """Crossentropy with integer class labels: ``loss = -log(y_pred[label])``.

    Args:
        y_true: integer labels, shape ``(N,)`` or ``(N, 1)`` (any numeric dtype).
        y_pred: probabilities, or logits if ``from_logits``, shape ``(N, C)``.
        from_logits: whether ``y_pred`` holds logits.
        ignore_class: a label whose samples get loss 0 and are left out of
            the average (for example a "void" class in segmentation).
        axis: the class axis (the last one).
    Returns:
        Tensor of shape ``(N,)``.
    """
    y_pred = ops.convert_to_tensor(y_pred)
    labels = ops.convert_to_tensor(y_true).numpy()
    if labels.ndim == len(y_pred.shape) and labels.shape[axis] == 1:
        labels = labels.squeeze(axis)  # (N, 1) -> (N,)
    if tuple(labels.shape) != tuple(y_pred.shape[:-1]):
        raise ValueError(
            "`sparse_categorical_crossentropy`: Arguments `target` and `output` must have the same shape "
            f"up until the last dimension: target.shape={tuple(labels.shape)}, "
            f"output.shape={tuple(y_pred.shape)}"
        )
    if labels.dtype.kind in "fc" and numpy.isnan(labels).any():
        # Without this check NaN becomes the int64 -9223372036854775808 below and
        # the error speaks of a label range the data never had.
        raise ValueError(
            f"`sparse_categorical_crossentropy`: the labels contain NaN ({int(numpy.isnan(labels).sum())} "
            f"of {labels.size} values). Labels must be integer class indices in "
            f"[0, {y_pred.shape[axis]}); drop or fill the missing labels first."
        )
    valid = None
    if ignore_class is not None:
        valid = labels != ignore_class
        labels = labels * valid  # ignored samples read class 0, then get loss 0
    labels = labels.astype("int64")
    num_classes = y_pred.shape[axis]
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"`sparse_categorical_crossentropy`: labels must be integers in [0, {num_classes}); "
            f"received labels from {labels.min()} to {labels.max()} for y_pred.shape={tuple(y_pred.shape)}."
        )
    # 1. The log-probability of every class, then 2. the one of the label.
    log_prob = _log_probabilities(y_pred, from_logits, axis)
    index = backend.convert_to_tensor(labels[..., None])  # (N,) -> (N, 1)
    loss = -ops.squeeze(ops.take_along_axis(log_prob, index, axis=-1), axis=-1)
    if valid is not None:
        valid = backend.convert_to_tensor(valid)  # on the device of the loss
        loss = ops.where(valid, loss, 0.0)
        loss._keras_mask = valid  # Loss.__call__ averages over the valid samples only
    return loss


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Crossentropy of independent yes/no predictions, averaged over ``axis``.

    ``loss = -mean(y * log(p) + (1 - y) * log(1 - p), axis)``.

    Args:
        y_true: targets in [0, 1], shape ``(N, D)``.
        y_pred: probabilities, or logits if ``from_logits``, same shape.
        from_logits: whether ``y_pred`` holds logits.
        label_smoothing: targets become ``y * (1 - ls) + 0.5 * ls``.
        axis: the axis averaged over.
    Returns:
        Tensor of shape ``(N,)``.
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    _check_same_shape(y_true, y_pred, "binary_crossentropy")
    if from_logits:
        # log(sigmoid(z)) and log(1 - sigmoid(z)) = log(sigmoid(-z)), both stable.
        elementwise = -y_true * ops.log_sigmoid(y_pred) - (1.0 - y_true) * ops.log_sigmoid(-y_pred)
    else:
        epsilon = backend.epsilon()
        y_pred = ops.clip(y_pred, epsilon, 1.0 - epsilon)
        elementwise = -(y_true * ops.log(y_pred) + (1.0 - y_true) * ops.log(1.0 - y_pred))
    return ops.mean(elementwise, axis=axis)


def kl_divergence(y_true, y_pred):
    """Kullback-Leibler divergence ``sum(y_true * log(y_true / y_pred), axis=-1)``.

    Both inputs are clipped to ``[epsilon, 1]`` first.

    Args:
        y_true, y_pred: probability distributions, shape ``(N, C)``.
    Returns:
        Tensor of shape ``(N,)``.
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    y_true = ops.clip(y_true, backend.epsilon(), 1)
    y_pred = ops.clip(y_pred, backend.epsilon(), 1)
    return ops.sum(y_true * ops.log(y_true / y_pred), axis=-1)


# ----- the classes -----
class CategoricalCrossentropy(LossFunctionWrapper):
    """``categorical_crossentropy`` as a Loss (one-hot targets).

    Args:
        from_logits: whether ``y_pred`` holds logits.
        label_smoothing: in [0, 1].
        axis: the class axis.
        reduction, name, dtype: as in ``Loss``.
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="categorical_crossentropy", dtype=None):
        super().__init__(categorical_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def get_config(self):
        config = Loss.get_config(self)
        config.update({"from_logits": self.from_logits, "label_smoothing": self.label_smoothing, "axis": self.axis})
        return config


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """``sparse_categorical_crossentropy`` as a Loss (integer labels).

    Args:
        from_logits: whether ``y_pred`` holds logits.
        ignore_class: optional label to leave out.
        reduction: as in ``Loss``.
        axis: the class axis.
        name, dtype: as in ``Loss``.
    """

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size", axis=-1,
                 name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(sparse_categorical_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)
        self.from_logits = from_logits
        self.ignore_class = ignore_class

    def get_config(self):
        config = Loss.get_config(self)
        config.update({"from_logits": self.from_logits, "ignore_class": self.ignore_class})
        return config


class BinaryCrossentropy(LossFunctionWrapper):
    """``binary_crossentropy`` as a Loss.

    Args:
        from_logits: whether ``y_pred`` holds logits.
        label_smoothing: in [0, 1].
        axis: the axis averaged over.
        reduction, name, dtype: as in ``Loss``.
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="binary_crossentropy", dtype=None):
        super().__init__(binary_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def get_config(self):
        config = Loss.get_config(self)
        config.update({"from_logits": self.from_logits, "label_smoothing": self.label_smoothing, "axis": self.axis})
        return config


class KLDivergence(LossFunctionWrapper):
    """``kl_divergence`` as a Loss.

    Args:
        reduction, name, dtype: as in ``Loss``.
    """

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, name=name, reduction=reduction, dtype=dtype)

    def get_config(self):
        return Loss.get_config(self)
