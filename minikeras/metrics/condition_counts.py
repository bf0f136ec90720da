"""TruePositives, FalsePositives, TrueNegatives, FalseNegatives: one cell of the confusion matrix.

Place in the stack: over ``confusion.py`` (read it first), whose
``confusion_counts`` does the counting: an entry is predicted positive when
its score is above the threshold (0.5 by default), and is positive when its
label is non-zero. Each metric keeps the (weighted) count of its cell over
the epoch, one per threshold: ``result()`` is a scalar for one threshold, a
vector of shape ``(T,)`` for a list of T thresholds.
"""

from minikeras.autodiff.tensor import Tensor
from minikeras.metrics.confusion import _parse_thresholds
from minikeras.metrics.confusion import confusion_counts
from minikeras.metrics.metric import Metric
from minikeras.metrics.metric import to_raw


class _ConditionCount(Metric):
    """The count of one cell (``cell``: ``"tp"``, ``"fp"``, ``"tn"`` or ``"fn"``).

    Args:
        thresholds: a float or a list of floats in [0, 1] (default 0.5).
        name, dtype: as in ``Metric``.
    """

    cell = None

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = _parse_thresholds(thresholds, 0.5)
        self.accumulator = self.add_variable(shape=(len(self.thresholds),), initializer="zeros", name="accumulator")

    def update_state(self, y_true, y_pred, sample_weight=None):
        counts = confusion_counts(to_raw(y_true, self.dtype), to_raw(y_pred, self.dtype), self.thresholds,
                                  sample_weight)
        self.accumulator.assign(self.accumulator.data + counts[self.cell].astype(self.dtype))

    def result(self):
        return Tensor(self.accumulator.data[0] if len(self.thresholds) == 1 else self.accumulator.data.copy())

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConditionCount):
    """Positives predicted positive. Args: thresholds, name, dtype."""

    cell = "tp"


class FalsePositives(_ConditionCount):
    """Negatives predicted positive. Args: thresholds, name, dtype."""

    cell = "fp"


class TrueNegatives(_ConditionCount):
    """Negatives predicted negative. Args: thresholds, name, dtype."""

    cell = "tn"


class FalseNegatives(_ConditionCount):
    """Positives predicted negative. Args: thresholds, name, dtype."""

    cell = "fn"
