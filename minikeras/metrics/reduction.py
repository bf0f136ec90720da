"""``Mean``, ``Sum`` and ``MeanMetricWrapper``: metrics that average or add values.

Place in the stack: over ``metric.py``. ``Mean`` is the workhorse: the
trainer's ``loss`` entry is a ``Mean`` (weighted by the batch size), and every
per-sample metric (accuracy, mean squared error...) is a
``MeanMetricWrapper`` that averages a function's values over all samples
seen since the last reset. Read next: ``accuracy.py``.

Sample weights: a sample of weight w counts w times in the total and w times
in the count, so ``Mean`` gives the weighted average.
"""

from minikeras import backend
from minikeras.autodiff.tensor import Tensor
from minikeras.metrics.metric import Metric
from minikeras.metrics.metric import divide_no_nan
from minikeras.metrics.metric import match_ranks
from minikeras.metrics.metric import to_raw


def reduce_to_samplewise_values(values, sample_weight, reduce_fn, dtype):
    """Brings values (and weights) to one value per sample.

    Args:
        values: raw array, shape ``(N, ...)``.
        sample_weight: None or a raw array of shape ``(N,)``, ``(N, 1)``, ...
        reduce_fn: ``"mean"`` or ``"sum"``: how extra axes are reduced.
        dtype: the metric's dtype.
    Returns:
        ``(values, sample_weight)``: weighted values of shape ``(N,)`` (or a
        scalar) and the matching weights (or None).
    """
    xp = backend.get_xp(values)
    reduce = xp.mean if reduce_fn == "mean" else xp.sum
    values = values.astype(dtype)
    if sample_weight is not None:
        sample_weight = to_raw(sample_weight, dtype)
        values, sample_weight = match_ranks(values, sample_weight)
        # 1. Reduce values down to the weights' rank: (N, T) with (N,) weights -> (N,).
        if values.ndim > sample_weight.ndim:
            values = reduce(values, axis=tuple(range(sample_weight.ndim, values.ndim)))
        # 2. Broadcast the weights, so that their sum counts every weighted entry.
        sample_weight = xp.broadcast_to(sample_weight, values.shape)
        values = values * sample_weight
        if sample_weight.ndim > 1:
            sample_weight = reduce(sample_weight, axis=tuple(range(1, sample_weight.ndim)))
    if values.ndim > 1:
        values = reduce(values, axis=tuple(range(1, values.ndim)))
    return values, sample_weight


class Sum(Metric):
    """The (weighted) sum of all values seen.

    Args:
        name: defaults to ``"sum"``.
        dtype: defaults to ``floatx()``.
    """

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), initializer="zeros", dtype=self.dtype, name="total")

    def update_state(self, values, sample_weight=None):
        values, _ = reduce_to_samplewise_values(to_raw(values), sample_weight, "sum", self.dtype)
        self.total.assign(self.total.data + values.sum())

    def result(self):
        return Tensor(self.total.data.copy())


class Mean(Metric):
    """The (weighted) mean of all values seen: ``total / count``.

    Args:
        name: defaults to ``"mean"``.
        dtype: defaults to ``floatx()``.

    Example:
        >>> m = Mean()
        >>> m.update_state([1, 3, 5, 7])
        >>> float(m.result())
        4.0
    """

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), initializer="zeros", dtype=self.dtype, name="total")
        self.count = self.add_variable(shape=(), initializer="zeros", dtype=self.dtype, name="count")

    def update_state(self, values, sample_weight=None):
        """Adds values (shape ``(N, ...)`` or a scalar) with optional weights ``(N,)``."""
        values, sample_weight = reduce_to_samplewise_values(to_raw(values), sample_weight, "mean", self.dtype)
        self.total.assign(self.total.data + values.sum())
        if sample_weight is not None:
            num_samples = sample_weight.sum()
        elif values.ndim >= 1:
            num_samples = values.shape[0]
        else:
            num_samples = 1
        self.count.assign(self.count.data + backend.convert_to_tensor(num_samples, dtype=self.dtype))

    def result(self):
        return Tensor(divide_no_nan(self.total.data, self.count.data))


class MeanMetricWrapper(Mean):
    """The mean of ``fn(y_true, y_pred, **kwargs)`` over all samples seen.

    Args:
        fn: a per-sample function (an accuracy, or a loss function such as
            ``losses.mean_squared_error``), returning shape ``(N,)`` or ``(N, ...)``.
        name: the metric's name.
        dtype: defaults to ``floatx()``.
        **kwargs: passed to ``fn`` on every update.
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs
        self._direction = "down" if getattr(fn, "__module__", "").startswith("minikeras.losses") else None

    def update_state(self, y_true, y_pred, sample_weight=None):
        # A loss function is built from ops: keep it off any open tape.
        with backend.no_grad():
            values = self._fn(y_true, y_pred, **self._fn_kwargs)
        mask = getattr(values, "_keras_mask", None)
        if mask is not None:
            mask = to_raw(mask, self.dtype)
            sample_weight = mask if sample_weight is None else to_raw(sample_weight, self.dtype) * mask
        super().update_state(values, sample_weight=sample_weight)

    def get_config(self):
        config = super().get_config()
        config.update({"fn": getattr(self._fn, "__name__", str(self._fn))})
        config.update(self._fn_kwargs)
        return config
