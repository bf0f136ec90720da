"""Accuracy metrics: the fraction of predictions that hit their target.

Place in the stack: over ``reduction.py``. Each metric is a function giving
1.0 or 0.0 per sample, on raw arrays, wrapped in a ``MeanMetricWrapper`` that
averages it over the epoch. Which one ``"accuracy"`` means depends on the
shapes of the targets and the loss: ``resolve.py`` decides. Read next:
``confusion.py``.

    accuracy                   y_true == y_pred exactly
    binary_accuracy            y_true == (y_pred > threshold)
    categorical_accuracy       argmax(y_true) == argmax(y_pred)     (one-hot targets)
    sparse_categorical_accuracy     y_true == argmax(y_pred)        (integer targets)
    top_k_categorical_accuracy      argmax(y_true) among the k largest predictions
    sparse_top_k_categorical_accuracy    y_true among the k largest predictions
"""

from minikeras import backend
from minikeras.metrics.metric import match_ranks
from minikeras.metrics.metric import to_raw
from minikeras.metrics.reduction import MeanMetricWrapper


def accuracy(y_true, y_pred):
    """1.0 where ``y_true == y_pred``; shape of the inputs (after rank matching)."""
    y_pred = to_raw(y_pred)
    y_true = to_raw(y_true, y_pred.dtype)
    y_true, y_pred = match_ranks(y_true, y_pred)
    return (y_true == y_pred).astype(backend.floatx())


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1.0 where ``y_true == (y_pred > threshold)``; shape ``(N, D)``."""
    y_pred = to_raw(y_pred)
    y_true = to_raw(y_true)
    y_true, y_pred = match_ranks(y_true, y_pred)
    predicted = (y_pred > threshold).astype(y_true.dtype)
    return (y_true == predicted).astype(backend.floatx())


def categorical_accuracy(y_true, y_pred):
    """1.0 where the one-hot target's class is the predicted class; ``(N, C) -> (N,)``."""
    xp = backend.get_xp(to_raw(y_pred))
    y_true = xp.argmax(to_raw(y_true), axis=-1)
    y_pred = to_raw(y_pred)
    if y_true.ndim == y_pred.ndim:  # a one-hot target of shape (N, 1)
        y_true = y_true[..., 0]
    return (y_true == xp.argmax(y_pred, axis=-1)).astype(backend.floatx())


def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where the integer label is the predicted class; ``(N,)`` or ``(N, 1)`` labels, ``(N, C)`` predictions.

    Returns:
        Shape ``(N,)`` (a trailing size-1 axis is dropped, as in Keras).
    """
    y_pred = to_raw(y_pred)
    xp = backend.get_xp(y_pred)
    y_true = to_raw(y_true, y_pred.dtype)
    true_shape = y_true.shape
    reshape_matches = y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1
    if reshape_matches:
        y_true = y_true[..., 0]
    predicted = xp.argmax(y_pred, axis=-1).astype(y_true.dtype)
    matches = (y_true == predicted).astype(backend.floatx())
    if reshape_matches:
        matches = matches.reshape(true_shape)
    if matches.ndim > 1 and matches.shape[-1] == 1:
        matches = matches[..., 0]
    return matches


def in_top_k(targets, predictions, k):
    """True where ``predictions[i, targets[i]]`` is among the k largest of row i.

    Ties count in the target's favour: its rank is 1 + the number of strictly
    larger predictions. A NaN prediction is never in the top k.
    """
    xp = backend.get_xp(predictions)
    at_label = xp.take_along_axis(predictions, targets[:, None].astype("int64"), axis=-1)
    at_label = xp.where(xp.isnan(at_label), -xp.inf, at_label)
    rank = 1 + (predictions > at_label).sum(axis=-1)
    return rank <= k


def _top_k_matches(labels, y_pred, k):
    """Flattens ``(N, ..., C)`` to rows, applies ``in_top_k``, restores the label shape."""
    true_shape = labels.shape
    if y_pred.ndim > 2:
        y_pred = y_pred.reshape(-1, y_pred.shape[-1])
    matches = in_top_k(labels.reshape(-1), y_pred, k).astype(backend.floatx())
    return matches.reshape(true_shape) if len(true_shape) > 1 else matches


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the one-hot target's class is among the k largest predictions; ``(N, C) -> (N,)``."""
    y_pred = to_raw(y_pred)
    labels = backend.get_xp(y_pred).argmax(to_raw(y_true), axis=-1)
    return _top_k_matches(labels, y_pred, k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """1.0 where the integer label is among the k largest predictions.

    With ``from_sorted_ids``, ``y_pred`` already holds class ids sorted by
    score, shape ``(N, >=k)``.
    """
    y_pred = to_raw(y_pred)
    labels = to_raw(y_true, y_pred.dtype if from_sorted_ids else "int32")
    if from_sorted_ids:
        matches = (labels.reshape(-1)[:, None] == y_pred[:, :k]).any(axis=1).astype(backend.floatx())
        return matches.reshape(labels.shape) if labels.ndim > 1 else matches
    return _top_k_matches(labels, y_pred, k)


# ----- the classes -----
class Accuracy(MeanMetricWrapper):
    """How often predictions equal labels exactly. Args: name, dtype."""

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(fn=accuracy, name=name, dtype=dtype)
        self._direction = "up"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class BinaryAccuracy(MeanMetricWrapper):
    """How often ``y_pred > threshold`` equals the binary label.

    Args:
        name, dtype: as in ``Metric``.
        threshold: the decision threshold (0.5).
    """

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(fn=binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold
        self._direction = "up"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "threshold": self.threshold}


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the argmax of the prediction is the one-hot label. Args: name, dtype."""

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(fn=categorical_accuracy, name=name, dtype=dtype)
        self._direction = "up"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the argmax of the prediction is the integer label. Args: name, dtype."""

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(fn=sparse_categorical_accuracy, name=name, dtype=dtype)
        self._direction = "up"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot label is among the k top predictions.

    Args:
        k: how many top predictions count (5).
        name, dtype: as in ``Metric``.
    """

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(fn=top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k
        self._direction = "up"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "k": self.k}


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the k top predictions.

    Args:
        k: how many top predictions count (5).
        name, dtype: as in ``Metric``.
        from_sorted_ids: ``y_pred`` holds class ids sorted by score.
    """

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None, from_sorted_ids=False):
        super().__init__(fn=sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k,
                         from_sorted_ids=from_sorted_ids)
        self.k = k
        self.from_sorted_ids = from_sorted_ids
        self._direction = "up"

    def get_config(self):
        config = {"name": self.name, "dtype": self.dtype, "k": self.k}
        if self.from_sorted_ids:
            config["from_sorted_ids"] = True
        return config
