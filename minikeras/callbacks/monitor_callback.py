"""``MonitorCallback``: watches one logged quantity and says when it improved.

Place in the stack: the shared base of ``EarlyStopping``, ``ModelCheckpoint``
(with ``save_best_only``) and ``ReduceLROnPlateau``. It owns the one question
they all ask: "is this value better than the best so far?", which depends on
the direction (``mode``: ``"min"`` for losses, ``"max"`` for accuracies) and
on a tolerance (``min_delta``).

Read next: ``early_stopping.py``.
"""

import warnings

from minikeras.callbacks.callback import Callback


def _less(a, b):
    return a < b


def _greater(a, b):
    return a > b


class MonitorCallback(Callback):
    """Base class for callbacks that track the best value of a metric.

    Args:
        monitor: the logs key to watch (``"val_loss"``).
        mode: ``"min"``, ``"max"`` or ``"auto"`` (losses go down; for other
            metrics the direction comes from the metric's ``_direction``).
        baseline: the starting "best" value, or None to take the first one.
        min_delta: the smallest change that counts as an improvement.
    """

    def __init__(self, monitor="val_loss", mode="auto", baseline=None, min_delta=0):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(
                f"{self.__class__.__name__} mode '{mode}' is unknown, fallback to auto mode.",
                stacklevel=2,
            )
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op = None

    def _set_monitor_op(self):
        """Chooses ``<`` or ``>`` once the model (and its metrics) is known."""
        if self.mode == "min":
            self.monitor_op = _less
        elif self.mode == "max":
            self.monitor_op = _greater
        else:
            self.monitor_op = self._infer_direction()
        if self.monitor_op is _less:
            self.min_delta *= -1  # "better" means lower by at least min_delta

    def _infer_direction(self):
        """``"val_loss"`` -> ``<``; ``"val_acc"`` -> the metric's ``_direction``."""
        metric_name = self.monitor.removeprefix("val_")
        if metric_name == "loss" or metric_name.endswith("_loss"):
            return _less
        for metric in _compiled_metrics(self.model):
            direction = getattr(metric, "_direction", None)
            if metric.name == metric_name and direction is not None:
                return _greater if direction == "up" else _less
        raise ValueError(
            f"{self.__class__.__name__} callback received monitor={self.monitor}, but Keras "
            "isn't able to automatically determine whether that metric should be maximized "
            "or minimized. Pass `mode='max'` in order to monitor based on the highest metric "
            "value, or pass `mode='min'` in order to use the lowest value."
        )

    def _is_improvement(self, monitor_value, reference_value):
        if reference_value is None:
            return True
        return self.monitor_op(monitor_value - self.min_delta, reference_value)


def _compiled_metrics(model):
    """The metric objects given to ``compile`` (each output's list flattened)."""
    found = []
    for metric in getattr(model, "metrics", None) or []:
        found.extend(getattr(metric, "metrics", [metric]))
    return found
