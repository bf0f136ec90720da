"""Correlation metrics (Pearson, concordance) and the metrics read off a threshold sweep
(PrecisionAtRecall, RecallAtPrecision, SensitivityAtSpecificity, SpecificityAtSensitivity).

Place in the stack: over ``reduction.py`` and ``confusion.py`` (read them first).

* ``pearson_correlation``: per sample, the correlation of ``y_true`` and
  ``y_pred`` along ``axis`` (each centred and divided by its standard
  deviation); ``concordance_correlation`` (Lin, 1989) also penalises a
  shift or a change of scale between them. The metrics average them.
* The "at" metrics count TP/FP/TN/FN at ``num_thresholds`` thresholds spread
  over [0, 1] (``confusion_counts``), then report the best value of one rate
  among the thresholds where another rate reaches the asked ``value``: e.g.
  ``PrecisionAtRecall(0.8)`` is the highest precision with recall >= 0.8.
"""

from minikeras import backend
from minikeras import ops
from minikeras.autodiff.tensor import Tensor
from minikeras.losses.loss import squeeze_or_expand_to_same_rank
from minikeras.metrics.confusion import confusion_counts
from minikeras.metrics.metric import Metric
from minikeras.metrics.metric import divide_no_nan
from minikeras.metrics.metric import to_raw
from minikeras.metrics.reduction import MeanMetricWrapper


def _prepare(y_true, y_pred):
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


def pearson_correlation(y_true, y_pred, axis=-1):
    """``mean(z(y_true) * z(y_pred), axis)`` with ``z`` centring and scaling to unit deviation: ``(N, D) -> (N,)``."""
    y_true, y_pred = _prepare(y_true, y_pred)
    true_centred = y_true - ops.mean(y_true, axis=axis, keepdims=True)
    pred_centred = y_pred - ops.mean(y_pred, axis=axis, keepdims=True)
    true_scaled = true_centred / ops.std(true_centred, axis=axis, keepdims=True)
    pred_scaled = pred_centred / ops.std(pred_centred, axis=axis, keepdims=True)
    return ops.mean(true_scaled * pred_scaled, axis=axis)


def concordance_correlation(y_true, y_pred, axis=-1):
    """Lin's concordance ``2 cov / (var_t + var_p + (mean_t - mean_p)**2)``, per sample: ``(N, D) -> (N,)``.

    Computed as Keras does: the "covariance" term is averaged from
    ``(y_true - mean_p) * (y_pred - mean_p)``, and epsilon joins the denominator.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    true_mean = ops.mean(y_true, axis=axis, keepdims=True)
    pred_mean = ops.mean(y_pred, axis=axis, keepdims=True)
    true_var = ops.var(y_true - true_mean, axis=axis, keepdims=True)
    pred_var = ops.var(y_pred - pred_mean, axis=axis, keepdims=True)
    covariance = (y_true - pred_mean) * (y_pred - pred_mean)
    norm = true_var + pred_var + ops.square(true_mean - pred_mean)
    return ops.mean(2 * covariance / (norm + backend.epsilon()), axis=axis)


class PearsonCorrelation(MeanMetricWrapper):
    """The mean of ``pearson_correlation`` over the samples. Args: name, dtype, axis."""

    def __init__(self, name="pearson_correlation", dtype=None, axis=-1):
        super().__init__(fn=pearson_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis
        self._direction = "up"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}


class ConcordanceCorrelation(MeanMetricWrapper):
    """The mean of ``concordance_correlation`` over the samples. Args: name, dtype, axis."""

    def __init__(self, name="concordance_correlation", dtype=None, axis=-1):
        super().__init__(fn=concordance_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis
        self._direction = "up"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}


class _RateAtRate(Metric):
    """Counts at evenly spread thresholds; ``result`` maximises ``reported`` where ``constrained >= value``.

    ``argument`` is the name of the constructor argument holding ``value``.
    """

    argument = None

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        if value < 0 or value > 1:
            raise ValueError(f"Argument `{self.argument}` must be in the range [0, 1]. "
                             f"Received: {self.argument}={value}")
        if num_thresholds <= 0:
            raise ValueError("Argument `num_thresholds` must be an integer > 0. "
                             f"Received: num_thresholds={num_thresholds}")
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        self.value, self.num_thresholds, self.class_id = value, num_thresholds, class_id
        if num_thresholds == 1:
            self.thresholds, self._evenly = [0.5], False
        else:
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds, self._evenly = [0.0] + inner + [1.0], True
        for count_name in ("true_positives", "false_positives", "true_negatives", "false_negatives"):
            setattr(self, count_name, self.add_variable(shape=(len(self.thresholds),), initializer="zeros",
                                                        name=count_name))

    def update_state(self, y_true, y_pred, sample_weight=None):
        counts = confusion_counts(to_raw(y_true, self.dtype), to_raw(y_pred, self.dtype), self.thresholds,
                                  sample_weight, class_id=self.class_id, clip=self._evenly)
        for variable, key in ((self.true_positives, "tp"), (self.false_positives, "fp"),
                              (self.true_negatives, "tn"), (self.false_negatives, "fn")):
            variable.assign(variable.data + counts[key].astype(self.dtype))

    def _rates(self):
        tp, fp = self.true_positives.data, self.false_positives.data
        tn, fn = self.true_negatives.data, self.false_negatives.data
        return {"recall": divide_no_nan(tp, tp + fn), "precision": divide_no_nan(tp, tp + fp),
                "specificity": divide_no_nan(tn, tn + fp)}

    def _best(self, reported, constrained):
        """The largest ``reported`` rate among thresholds where ``constrained >= value`` (0 if none)."""
        xp = backend.get_xp(reported)
        feasible = constrained >= self.value
        return Tensor(xp.asarray(xp.where(feasible, reported, 0).max(initial=0), dtype=self.dtype))

    def get_config(self):
        return {**super().get_config(), "class_id": self.class_id, "num_thresholds": self.num_thresholds,
                self.argument: self.value}


class PrecisionAtRecall(_RateAtRate):
    """The best precision with recall >= ``recall``. Args: recall, num_thresholds, class_id, name, dtype."""

    argument = "recall"

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(recall, num_thresholds, class_id, name, dtype)

    def result(self):
        rates = self._rates()
        return self._best(rates["precision"], rates["recall"])


class RecallAtPrecision(_RateAtRate):
    """The best recall with precision >= ``precision``. Args: precision, num_thresholds, class_id, name, dtype."""

    argument = "precision"

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(precision, num_thresholds, class_id, name, dtype)

    def result(self):
        rates = self._rates()
        return self._best(rates["recall"], rates["precision"])


class SensitivityAtSpecificity(_RateAtRate):
    """The best sensitivity (recall) with specificity >= ``specificity``.

    Args: specificity, num_thresholds, class_id, name, dtype.
    """

    argument = "specificity"

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(specificity, num_thresholds, class_id, name, dtype)

    def result(self):
        rates = self._rates()
        return self._best(rates["recall"], rates["specificity"])


class SpecificityAtSensitivity(_RateAtRate):
    """The best specificity with sensitivity (recall) >= ``sensitivity``.

    Args: sensitivity, num_thresholds, class_id, name, dtype.
    """

    argument = "sensitivity"

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)

    def result(self):
        rates = self._rates()
        return self._best(rates["specificity"], rates["recall"])
