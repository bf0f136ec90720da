"""``History``: the record of every epoch's logs that ``fit`` returns.

Place in the stack: a callback that ``fit`` always adds (last, so that it
sees what other callbacks added to the logs, such as ``learning_rate``).
``model.fit(...)`` returns it, and ``model.history`` points to it.

Read next: ``progbar_logger.py``.
"""

from minikeras.callbacks.callback import Callback


class History(Callback):
    """Records each epoch's logs.

    Attributes:
        history: ``{key: [value per epoch]}``, e.g. ``{"loss": [0.9, 0.5]}``.
        epoch: the 0-based indices of the epochs recorded.
        params: ``{"verbose", "epochs", "steps"}`` of the fit call.
    """

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        self.model.history = self
