"""A stand-in for a model: just what callbacks touch, so their tests need no layers."""

import numpy as np

from minikeras.callbacks import CallbackList


class FakeOptimizer:
    def __init__(self, learning_rate=0.1):
        self.learning_rate = learning_rate


class FakeModel:
    """Weights are one array; ``save`` writes the epoch-independent file name it gets."""

    def __init__(self):
        self.weights = [np.zeros(2)]
        self.stop_training = False
        self.optimizer = FakeOptimizer()
        self.metrics = []
        self.saved = []
        self.history = None

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        self.weights = [np.array(w) for w in weights]

    def save(self, filepath, overwrite=True):
        self.saved.append(filepath)
        open(filepath, "w").close()

    def save_weights(self, filepath, overwrite=True):
        self.save(filepath, overwrite)


def run_epochs(callbacks, epoch_logs, model=None, steps=1):
    """Drives the fit hooks as ``fit`` does: one dict of logs per epoch.

    Before each epoch's end, the weights are set to the epoch index, so a test
    can see which epoch's weights were restored. Stops when a callback sets
    ``stop_training``. Returns (model, number of epochs run).
    """
    model = model or FakeModel()
    callback_list = CallbackList(callbacks, model=model, verbose=0, epochs=len(epoch_logs), steps=steps)
    callback_list.on_train_begin()
    ran = 0
    for epoch, logs in enumerate(epoch_logs):
        callback_list.on_epoch_begin(epoch)
        for batch in range(steps):
            callback_list.on_train_batch_begin(batch)
            callback_list.on_train_batch_end(batch, {"loss": logs.get("loss", 0.0)})
        model.weights = [np.full(2, float(epoch))]
        callback_list.on_epoch_end(epoch, dict(logs))
        ran += 1
        if model.stop_training:
            break
    callback_list.on_train_end()
    return model, ran
