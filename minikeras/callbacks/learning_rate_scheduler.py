"""``LearningRateScheduler`` and ``ReduceLROnPlateau``: change the learning rate during ``fit``.

Place in the stack: callbacks that write ``model.optimizer.learning_rate``
between epochs. The scheduler asks a function for each epoch's rate; the
plateau callback (a ``MonitorCallback``) divides the rate when a monitored
quantity stops improving. Both add ``learning_rate`` to the epoch's logs, so
it shows in ``History``.

For a rate that changes every step, give the optimizer a schedule instead
(``minikeras.optimizers.schedules``).

Read next: ``csv_logger.py``.
"""

import warnings

import numpy as np

from minikeras.callbacks.callback import Callback
from minikeras.callbacks.monitor_callback import MonitorCallback
from minikeras.utils import io_utils


def _current_learning_rate(optimizer):
    if not hasattr(optimizer, "learning_rate"):
        raise ValueError('Optimizer must have a "learning_rate" attribute.')
    return float(np.asarray(optimizer.learning_rate))


class LearningRateScheduler(Callback):
    """Sets the learning rate at the start of each epoch.

    Args:
        schedule: ``schedule(epoch, lr) -> new lr`` (``epoch`` 0-based;
            ``schedule(epoch)`` is accepted too).
        verbose: 1 prints the new rate at each epoch.
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        learning_rate = _current_learning_rate(optimizer)
        try:
            learning_rate = self.schedule(epoch, learning_rate)
        except TypeError:  # the one-argument form, schedule(epoch)
            learning_rate = self.schedule(epoch)
        if not isinstance(learning_rate, (float, np.float32, np.float64)):
            raise ValueError(
                f"The output of the `schedule` function should be a float. Got: {learning_rate}"
            )
        optimizer.learning_rate = learning_rate
        if self.verbose > 0:
            io_utils.print_msg(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {learning_rate}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = _current_learning_rate(self.model.optimizer)


class ReduceLROnPlateau(MonitorCallback):
    """Multiplies the learning rate by ``factor`` when a metric has stopped improving.

    Args:
        monitor: the logs key to watch.
        factor: new_lr = lr * factor (must be < 1).
        patience: epochs without improvement before the rate is reduced.
        verbose: 1 prints a message at each reduction.
        mode: ``"auto"``, ``"min"`` or ``"max"``.
        min_delta: the smallest change that counts as an improvement.
        cooldown: epochs to wait after a reduction before counting again.
        min_lr: the rate never goes below this.
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0):
        super().__init__(monitor, mode, min_delta=min_delta)
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau does not support a factor >= 1.0. Received factor={factor}")
        self.factor = factor
        self.min_lr = min_lr
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs=None):
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def in_cooldown(self):
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        logs = logs if logs is not None else {}
        logs["learning_rate"] = _current_learning_rate(self.model.optimizer)
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(
                f"Learning rate reduction is conditioned on metric `{self.monitor}` which is not "
                f"available. Available metrics are: {','.join(list(logs.keys()))}.",
                stacklevel=2,
            )
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience and self._reduce_learning_rate(epoch):
                self.cooldown_counter = self.cooldown
                self.wait = 0

    def _reduce_learning_rate(self, epoch):
        """Returns whether the rate was lowered (not when already at ``min_lr``)."""
        optimizer = self.model.optimizer
        old_lr = _current_learning_rate(optimizer)
        if old_lr <= np.float32(self.min_lr):
            return False
        new_lr = max(old_lr * self.factor, self.min_lr)
        optimizer.learning_rate = new_lr
        if self.verbose > 0:
            io_utils.print_msg(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new_lr}.")
        return True
