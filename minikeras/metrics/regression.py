"""Regression metrics: mean squared error, mean absolute error, root mean squared error.

Place in the stack: over ``reduction.py``. The first two average the loss
functions of ``minikeras.losses`` over the epoch; the root mean squared error
is the square root of the epoch's mean squared error (not the mean of the
per-batch roots).
"""

from minikeras import losses
from minikeras.autodiff.tensor import Tensor
from minikeras.backend import get_xp
from minikeras.metrics.metric import match_ranks
from minikeras.metrics.metric import to_raw
from minikeras.metrics.reduction import Mean
from minikeras.metrics.reduction import MeanMetricWrapper


class MeanSquaredError(MeanMetricWrapper):
    """The mean of ``mean((y_true - y_pred)**2, axis=-1)`` over all samples. Args: name, dtype."""

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(fn=losses.mean_squared_error, name=name, dtype=dtype)
        self._direction = "down"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class MeanAbsoluteError(MeanMetricWrapper):
    """The mean of ``mean(|y_true - y_pred|, axis=-1)`` over all samples. Args: name, dtype."""

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(fn=losses.mean_absolute_error, name=name, dtype=dtype)
        self._direction = "down"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class RootMeanSquaredError(Mean):
    """``sqrt(mean((y_true - y_pred)**2))`` over every entry seen. Args: name, dtype."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "down"

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = match_ranks(to_raw(y_true, self.dtype), to_raw(y_pred, self.dtype))
        super().update_state(get_xp(y_pred).square(y_pred - y_true), sample_weight=sample_weight)

    def result(self):
        return Tensor(get_xp(self.total.data).sqrt(super().result().data))
