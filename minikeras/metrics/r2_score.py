"""R2Score: the coefficient of determination, the share of the targets' variance the model explains.

Place in the stack: over ``metric.py``; read ``regression.py`` first. For
``(N, D)`` targets and predictions, per output column d, over the epoch
(weights ``w`` from ``sample_weight``):

    residual = sum(w * (y - y_pred)**2)
    total    = sum(w * y**2) - sum(w * y)**2 / sum(w)     (the weighted spread of y)
    R2       = 1 - residual / total

so 1 is perfect and 0 is "as good as always predicting the mean". The
running sums are the state, so the epoch's score is exact (not a mean of
per-batch scores). ``class_aggregation`` combines the columns (mean, or
weighted by ``total``); ``num_regressors`` p > 0 gives the adjusted score
``1 - (1 - R2) * (n - 1) / (n - p - 1)``, n the number of entries seen.
"""

import warnings

import numpy

from minikeras import backend
from minikeras.autodiff.tensor import Tensor
from minikeras.metrics.metric import Metric
from minikeras.metrics.metric import match_ranks
from minikeras.metrics.metric import to_raw

AGGREGATIONS = (None, "uniform_average", "variance_weighted_average")


class R2Score(Metric):
    """Coefficient of determination of ``(N, D)`` regression outputs.

    Args:
        class_aggregation: ``"uniform_average"`` (mean over columns),
            ``"variance_weighted_average"`` or None (one score per column).
        num_regressors: p, the number of explanatory variables (adjusted R2 when > 0).
        name, dtype: as in ``Metric``.
    """

    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name="r2_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        if class_aggregation not in AGGREGATIONS:
            raise ValueError(f"Invalid value for argument `class_aggregation`. Expected one of {AGGREGATIONS}. "
                             f"Received: class_aggregation={class_aggregation}")
        if num_regressors < 0:
            raise ValueError("Invalid value for argument `num_regressors`. Expected a value >= 0. "
                             f"Received: num_regressors={num_regressors}")
        self.class_aggregation, self.num_regressors = class_aggregation, num_regressors
        self.num_samples = self.add_variable(shape=(), initializer="zeros", name="num_samples")
        self._built = False

    def _build(self, y_true_shape, y_pred_shape):
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError("R2Score expects 2D inputs with shape (batch_size, output_dim). Received input "
                             f"shapes: y_pred.shape={y_pred_shape} and y_true.shape={y_true_shape}.")
        shape = (y_pred_shape[-1],)
        self.squared_sum = self.add_variable(shape=shape, initializer="zeros", name="squared_sum")
        self.sum = self.add_variable(shape=shape, initializer="zeros", name="sum")
        self.total_mse = self.add_variable(shape=shape, initializer="zeros", name="residual")
        self.count = self.add_variable(shape=shape, initializer="zeros", name="count")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = match_ranks(to_raw(y_true, self.dtype), to_raw(y_pred, self.dtype))
        if not self._built:
            self._build(tuple(y_true.shape), tuple(y_pred.shape))
        xp = backend.get_xp(y_pred)
        weights = to_raw(1.0 if sample_weight is None else sample_weight, self.dtype)
        if weights.ndim == 1:
            weights = weights[:, None]  # (N,) -> (N, 1)
        weights = xp.broadcast_to(weights, y_true.shape)
        self.sum.assign(self.sum.data + (weights * y_true).sum(axis=0))
        self.squared_sum.assign(self.squared_sum.data + (weights * y_true * y_true).sum(axis=0))
        self.total_mse.assign(self.total_mse.data + (weights * (y_true - y_pred) ** 2).sum(axis=0))
        self.count.assign(self.count.data + weights.sum(axis=0))
        self.num_samples.assign(self.num_samples.data + y_true.size)

    def result(self):
        xp = backend.get_xp(self.sum.data)
        # NumPy's warning switch: CuPy has no errstate, and never warns about a division by zero.
        with numpy.errstate(divide="ignore", invalid="ignore"):
            mean = self.sum.data / self.count.data
            total = self.squared_sum.data - self.sum.data * mean
            scores = 1 - self.total_mse.data / total
        scores = xp.where(xp.isinf(scores), 0.0, scores)  # a constant column explains nothing
        if self.class_aggregation == "uniform_average":
            score = scores.mean()
        elif self.class_aggregation == "variance_weighted_average":
            score = (total * scores).sum() / total.sum()
        else:
            score = scores
        score = self._adjust(score)
        return Tensor(backend.convert_to_tensor(score, dtype=self.dtype))

    def _adjust(self, score):
        """The adjusted R2 for ``num_regressors`` > 0 (plain R2 when it cannot be computed)."""
        if self.num_regressors == 0:
            return score
        n, p = float(self.num_samples.data), float(self.num_regressors)
        if p > n - 1:
            warnings.warn("More independent predictors than datapoints in adjusted R2 score. "
                          "Falling back to standard R2 score.", stacklevel=3)
            return score
        if p == n - 1:
            warnings.warn("Division by zero in Adjusted R2 score. Falling back to standard R2 score.", stacklevel=3)
            return score
        return 1.0 - (1.0 - score) * (n - 1.0) / (n - p - 1.0)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}
