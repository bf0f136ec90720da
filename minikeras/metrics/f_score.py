"""F-scores: the harmonic mean of precision and recall, per class or averaged.

Place in the stack: over ``metric.py``; read ``confusion.py`` first
(precision and recall from counts). For ``(N, C)`` one-hot (or multi-label)
targets, a prediction counts as positive where it is above ``threshold``,
or, with ``threshold=None``, where it is its row's largest (non-zero) score.
Per class, over the epoch:

    precision = TP / (TP + FP)      recall = TP / (TP + FN)
    F_beta = (1 + beta**2) * precision * recall / (beta**2 * precision + recall)

``beta > 1`` favours recall. ``average``: None (one score per class),
``"micro"`` (counts pooled over classes first), ``"macro"`` (the mean of the
class scores) or ``"weighted"`` (class scores weighted by their number of
true labels). Each division adds ``epsilon`` to its denominator, as Keras does.
"""

from minikeras import backend
from minikeras.autodiff.tensor import Tensor
from minikeras.metrics.metric import Metric
from minikeras.metrics.metric import to_raw

AVERAGES = (None, "micro", "macro", "weighted")


class FBetaScore(Metric):
    """F-beta score of ``(N, C)`` targets and scores.

    Args:
        average: None, ``"micro"``, ``"macro"`` or ``"weighted"``.
        beta: a positive float; the weight of recall against precision.
        threshold: a float in (0, 1], or None for "the row's largest score".
        name, dtype: as in ``Metric``.
    Returns (``result()``): shape ``(C,)`` for ``average=None``, else a scalar.
    """

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        _check_arguments(average, beta, threshold)
        self.average, self.beta, self.threshold = average, beta, threshold
        # micro pools every entry: the counts are scalars; otherwise one per class (axis 0 summed).
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, y_true_shape, y_pred_shape):
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(f"{type(self).__name__} expects 2D inputs with shape (batch_size, output_dim). "
                             f"Received input shapes: y_pred.shape={y_pred_shape} and y_true.shape={y_true_shape}.")
        shape = () if self.average == "micro" else (y_pred_shape[-1],)
        for count_name in ("true_positives", "false_positives", "false_negatives", "intermediate_weights"):
            setattr(self, count_name, self.add_variable(shape=shape, initializer="zeros", name=count_name))
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = to_raw(y_true, self.dtype), to_raw(y_pred, self.dtype)
        if not self._built:
            self._build(tuple(y_true.shape), tuple(y_pred.shape))
        xp = backend.get_xp(y_pred)
        if self.threshold is None:
            is_top = y_pred >= y_pred.max(axis=-1, keepdims=True)
            predicted = (is_top & (xp.abs(y_pred) > 1e-9)).astype(self.dtype)
        else:
            predicted = (y_pred > self.threshold).astype(self.dtype)
        weights = 1.0 if sample_weight is None else to_raw(sample_weight, self.dtype)[:, None]  # (N,) -> (N, 1)

        def weighted_sum(values):  # (N, C) -> (C,) or a scalar for micro
            return (values * weights).sum(axis=self.axis)

        self.true_positives.assign(self.true_positives.data + weighted_sum(predicted * y_true))
        self.false_positives.assign(self.false_positives.data + weighted_sum(predicted * (1 - y_true)))
        self.false_negatives.assign(self.false_negatives.data + weighted_sum((1 - predicted) * y_true))
        self.intermediate_weights.assign(self.intermediate_weights.data + weighted_sum(y_true))

    def result(self):
        if not self._built:
            return Tensor(backend.convert_to_tensor(0.0, dtype=self.dtype))
        epsilon = backend.epsilon()
        tp, fp, fn = self.true_positives.data, self.false_positives.data, self.false_negatives.data
        precision = tp / (tp + fp + epsilon)
        recall = tp / (tp + fn + epsilon)
        beta_squared = self.beta ** 2
        score = (1 + beta_squared) * (precision * recall / (beta_squared * precision + recall + epsilon))
        if self.average == "weighted":
            true_counts = self.intermediate_weights.data
            score = (score * true_counts / (true_counts.sum() + epsilon)).sum()
        elif self.average is not None:
            score = score.mean()
        return Tensor(backend.convert_to_tensor(score, dtype=self.dtype))

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "average": self.average, "beta": self.beta,
                "threshold": self.threshold}


class F1Score(FBetaScore):
    """F-beta with ``beta = 1``: ``2 * precision * recall / (precision + recall)``.

    Args: average, threshold, name, dtype as in ``FBetaScore``.
    """

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self):
        config = super().get_config()
        del config["beta"]
        return config


def _check_arguments(average, beta, threshold):
    """Keras's checks, with its messages."""
    if average not in AVERAGES:
        raise ValueError("Invalid `average` argument value. Expected one of: {None, 'micro', 'macro', 'weighted'}. "
                         f"Received: average={average}")
    if not isinstance(beta, float) or beta <= 0.0:
        raise ValueError(f"Invalid `beta` argument value. It should be a Python float > 0. "
                         f"Received: beta={beta} of type '{type(beta)}'")
    if threshold is not None and (not isinstance(threshold, float) or not 0.0 < threshold <= 1.0):
        raise ValueError("Invalid `threshold` argument value. It should be a Python float with 0 < threshold <= 1. "
                         f"Received: threshold={threshold} of type '{type(threshold)}'")
