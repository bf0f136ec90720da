"""Precision, Recall and AUC: metrics counted from a confusion matrix.

Place in the stack: over ``metric.py``; read ``accuracy.py`` first. These
metrics do not average a per-sample value. They count, for each decision
threshold t, the (weighted) true positives, false positives, true negatives
and false negatives of the rule "predict positive when y_pred > t", and
compute their result from the counts at the end:

    precision = TP / (TP + FP)          recall = TP / (TP + FN)

AUC uses ``num_thresholds`` (200) thresholds spread evenly over [0, 1] (the
first just below 0, the last just above 1) and integrates the curve they
trace: ROC (recall against false-positive rate) with the trapezoid rule, or
PR (precision against recall) with Davis and Goadrich's interpolation.
"""

from minikeras import backend
from minikeras.autodiff.tensor import Tensor
from minikeras.metrics.metric import Metric
from minikeras.metrics.metric import divide_no_nan
from minikeras.metrics.metric import match_ranks
from minikeras.metrics.metric import to_raw

NEG_INF = -1e10


def _filter_top_k(y_pred, k):
    """Keeps each row's k largest predictions and sets the others to -1e10."""
    xp = backend.get_xp(y_pred)
    # The rank of each entry in its row (0 = largest): argsort of the argsort.
    rank = xp.argsort(xp.argsort(-y_pred, axis=-1, kind="stable"), axis=-1)
    return xp.where(rank < k, y_pred, NEG_INF).astype(y_pred.dtype)


def confusion_counts(y_true, y_pred, thresholds, sample_weight=None, top_k=None, class_id=None, clip=False):
    """Weighted confusion-matrix counts at each threshold.

    Args:
        y_true: labels (nonzero = positive), shape ``(N,)`` or ``(N, D)``.
        y_pred: scores, same shape.
        thresholds: list of T floats.
        sample_weight: None or weights of shape ``(N,)`` or ``(N, D)``.
        top_k: keep only the k largest scores of each row as candidates.
        class_id: only look at this column of ``(N, C)`` inputs.
        clip: clip scores to [0, 1] first (as Keras does for even thresholds).
    Returns:
        dict ``{"tp", "fp", "tn", "fn"}`` of arrays of shape ``(T,)``.
    """
    xp = backend.get_xp(y_pred)
    y_pred, y_true = match_ranks(y_pred, y_true)
    # 1. Weights of every entry, same shape as y_pred.
    weights = xp.ones(y_pred.shape, dtype=y_pred.dtype)
    if sample_weight is not None:
        sample_weight = to_raw(sample_weight, y_pred.dtype)[..., None]  # (N,) -> (N, 1)
        _, sample_weight = match_ranks(y_true, sample_weight, expand_rank_1=False)
        weights = weights * sample_weight
    # 2. Optional focus on the top k scores or on one class.
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.ndim == 1:
            raise ValueError(
                "When class_id is provided, y_pred must be a 2D array with shape "
                f"(num_samples, num_classes), found shape: {y_pred.shape}"
            )
        y_true, y_pred, weights = y_true[..., class_id], y_pred[..., class_id], weights[..., class_id]
    if clip:
        y_pred = xp.clip(y_pred, 0.0, 1.0)
    # 3. Compare every entry with every threshold: (T, 1) against (1, M) -> (T, M).
    thresholds = xp.asarray(thresholds, dtype=y_pred.dtype)[:, None]
    predicted_positive = y_pred.reshape(1, -1) > thresholds
    is_positive = (y_true.reshape(1, -1) != 0)
    weights = weights.reshape(1, -1)
    return {
        "tp": (weights * (is_positive & predicted_positive)).sum(axis=1),
        "fp": (weights * (~is_positive & predicted_positive)).sum(axis=1),
        "tn": (weights * (~is_positive & ~predicted_positive)).sum(axis=1),
        "fn": (weights * (is_positive & ~predicted_positive)).sum(axis=1),
    }


def _parse_thresholds(thresholds, default):
    if thresholds is None:
        return [default]
    thresholds = list(thresholds) if isinstance(thresholds, (list, tuple)) else [thresholds]
    for threshold in thresholds:
        if threshold is None or not 0 <= threshold <= 1:
            raise ValueError(f"Threshold values must be in [0, 1]. Received: {thresholds}")
    return thresholds


class _ThresholdCounts(Metric):
    """Shared by Precision and Recall: counts at ``thresholds``, optional top_k / class_id."""

    counted = ()  # the counts this metric keeps, e.g. ("true_positives", "false_positives")

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        self.thresholds = _parse_thresholds(thresholds, 0.5 if top_k is None else NEG_INF)
        for count_name in self.counted:
            setattr(self, count_name, self.add_variable(shape=(len(self.thresholds),), initializer="zeros",
                                                        name=count_name))

    def update_state(self, y_true, y_pred, sample_weight=None):
        counts = confusion_counts(to_raw(y_true, self.dtype), to_raw(y_pred, self.dtype), self.thresholds,
                                  sample_weight, self.top_k, self.class_id)
        short_names = {"true_positives": "tp", "false_positives": "fp", "false_negatives": "fn"}
        for count_name in self.counted:
            variable = getattr(self, count_name)
            variable.assign(variable.data + counts[short_names[count_name]])

    def _ratio(self, numerator, other):
        value = divide_no_nan(numerator.data, numerator.data + other.data)
        return Tensor(value[0] if len(self.thresholds) == 1 else value)

    def get_config(self):
        config = super().get_config()
        config.update({"thresholds": self.init_thresholds, "top_k": self.top_k, "class_id": self.class_id})
        return config


class Precision(_ThresholdCounts):
    """Of the predicted positives, the fraction that are positive: TP / (TP + FP).

    Args:
        thresholds: a float or list in [0, 1]; default 0.5 (a list gives one result per threshold).
        top_k: only the k highest scores of each row can be positive.
        class_id: the class to measure, for ``(N, C)`` inputs.
        name, dtype: as in ``Metric``.
    """

    counted = ("true_positives", "false_positives")

    def result(self):
        return self._ratio(self.true_positives, self.false_positives)


class Recall(_ThresholdCounts):
    """Of the positives, the fraction predicted positive: TP / (TP + FN).

    Args: as ``Precision``.
    """

    counted = ("true_positives", "false_negatives")

    def result(self):
        return self._ratio(self.true_positives, self.false_negatives)


class AUC(Metric):
    """Area under the ROC or the precision-recall curve.

    Args:
        num_thresholds: number of thresholds (200).
        curve: ``"ROC"`` or ``"PR"``.
        summation_method: ``"interpolation"`` (trapezoids), ``"minoring"``
            or ``"majoring"`` (lower or upper Riemann sums).
        name, dtype: as in ``Metric``.
        thresholds: explicit thresholds in (0, 1) instead of evenly spread ones.
        from_logits: apply a sigmoid to the predictions first.
    """

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation", name=None, dtype=None,
                 thresholds=None, multi_label=False, num_labels=None, label_weights=None, from_logits=False):
        if multi_label or label_weights is not None:
            raise ValueError("minikeras's AUC supports single-label data only (multi_label=False, no label_weights).")
        if curve.upper() not in ("ROC", "PR"):
            raise ValueError(f'Invalid AUC curve value: "{curve}". Expected values are ["PR", "ROC"]')
        if summation_method.lower() not in ("interpolation", "majoring", "minoring"):
            raise ValueError(f'Invalid AUC summation method value: "{summation_method}". '
                             'Expected values are ["interpolation", "majoring", "minoring"]')
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            inner = sorted(thresholds)
            self.num_thresholds = len(inner) + 2
        else:
            if num_thresholds <= 1:
                raise ValueError(f"Argument `num_thresholds` must be an integer > 1. Received: num_thresholds={num_thresholds}")
            self.num_thresholds = num_thresholds
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        self._evenly = thresholds is None
        epsilon = backend.epsilon()
        self._thresholds = [0.0 - epsilon] + inner + [1.0 + epsilon]
        self.curve = curve.upper()
        self.summation_method = summation_method.lower()
        self.multi_label = False
        self.num_labels = num_labels
        self.label_weights = None
        self._from_logits = from_logits
        shape = (self.num_thresholds,)
        self.true_positives = self.add_variable(shape=shape, initializer="zeros", name="true_positives")
        self.false_positives = self.add_variable(shape=shape, initializer="zeros", name="false_positives")
        self.true_negatives = self.add_variable(shape=shape, initializer="zeros", name="true_negatives")
        self.false_negatives = self.add_variable(shape=shape, initializer="zeros", name="false_negatives")

    @property
    def thresholds(self):
        return list(self._thresholds)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = to_raw(y_pred, self.dtype)
        if self._from_logits:
            xp = backend.get_xp(y_pred)
            y_pred = (1 / (1 + xp.exp(-y_pred))).astype(self.dtype)
        counts = confusion_counts(to_raw(y_true, self.dtype), y_pred, self._thresholds, sample_weight,
                                  clip=self._evenly)
        for variable, key in ((self.true_positives, "tp"), (self.false_positives, "fp"),
                              (self.true_negatives, "tn"), (self.false_negatives, "fn")):
            variable.assign(variable.data + counts[key].astype(self.dtype))

    def interpolate_pr_auc(self):
        """Davis and Goadrich (2006): precision is interpolated along the
        true-positive count between thresholds, not linearly in recall."""
        xp = backend.get_xp(self.true_positives.data)
        tp, fp, fn = self.true_positives.data, self.false_positives.data, self.false_negatives.data
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        prec_slope = divide_no_nan(dtp, xp.maximum(dp, 0))
        intercept = tp[1:] - prec_slope * p[1:]
        both_positive = (p[:-1] > 0) & (p[1:] > 0)
        safe_p_ratio = xp.where(both_positive, divide_no_nan(p[:-1], xp.maximum(p[1:], 0)), 1.0).astype(tp.dtype)
        increment = divide_no_nan(prec_slope * (dtp + intercept * xp.log(safe_p_ratio)),
                                  xp.maximum(tp[1:] + fn[1:], 0))
        return Tensor(increment.sum())

    def result(self):
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self.interpolate_pr_auc()
        xp = backend.get_xp(self.true_positives.data)
        tp, fp = self.true_positives.data, self.false_positives.data
        tn, fn = self.true_negatives.data, self.false_negatives.data
        recall = divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = divide_no_nan(fp, fp + tn), recall  # false-positive rate, true-positive rate
        else:
            x, y = recall, divide_no_nan(tp, tp + fp)
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = xp.minimum(y[:-1], y[1:])
        else:
            heights = xp.maximum(y[:-1], y[1:])
        return Tensor(((x[:-1] - x[1:]) * heights).sum())

    def get_config(self):
        config = super().get_config()
        config.update({"num_thresholds": self.num_thresholds, "curve": self.curve,
                       "summation_method": self.summation_method, "multi_label": self.multi_label,
                       "num_labels": self.num_labels, "label_weights": self.label_weights,
                       "from_logits": self._from_logits})
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return config
