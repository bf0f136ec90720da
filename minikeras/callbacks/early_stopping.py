"""``EarlyStopping``: stops ``fit`` when a monitored quantity stops improving.

Place in the stack: a ``MonitorCallback``. At the end of each epoch it
compares the monitored value (``val_loss`` by default) with the best so far;
after ``patience`` epochs without improvement it sets
``model.stop_training = True``, which the fit loop reads after the epoch.
With ``restore_best_weights=True`` it keeps a copy of the weights of the best
epoch and puts them back when training ends.

Read next: ``model_checkpoint.py``.
"""

import warnings

from minikeras.callbacks.monitor_callback import MonitorCallback
from minikeras.utils import io_utils


class EarlyStopping(MonitorCallback):
    """Stops training when a monitored metric has stopped improving.

    Args:
        monitor: the logs key to watch.
        min_delta: changes smaller than this do not count as improvements.
        patience: epochs without improvement after which training stops.
        verbose: 1 prints ``Epoch N: early stopping``.
        mode: ``"auto"``, ``"min"`` or ``"max"``.
        baseline: training stops if the model does not beat this value
            within ``patience`` epochs.
        restore_best_weights: restore the weights of the best epoch at the
            end (if no epoch improved on the baseline, the first epoch's).
        start_from_epoch: epochs to wait before monitoring starts (warm-up).
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__(monitor, mode, min_delta=min_delta)
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.wait = 0
        self.stopped_epoch = 0
        self.restore_best_weights = restore_best_weights
        self.best_weights = None
        self.best_epoch = 0
        self.start_from_epoch = start_from_epoch

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return  # nothing to watch yet (still warming up)
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()  # at least one copy to restore
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            # Only a value that also beats the baseline resets the patience.
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            io_utils.print_msg(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                io_utils.print_msg(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs):
        """The monitored value in ``logs``, or None (with a warning)."""
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            warnings.warn(
                f"Early stopping conditioned on metric `{self.monitor}` which is not available. "
                f"Available metrics are: {','.join(list(logs.keys()))}",
                stacklevel=2,
            )
        return value
