"""``CallbackList``: one object that forwards each hook to many callbacks.

Place in the stack: between the training loops (``minikeras/trainers``) and
the callbacks. ``fit`` builds one from the user's list, adding a ``History``
(always, for ``fit``) and a ``ProgbarLogger`` (when ``verbose != 0``), and
then calls ``callbacks.on_epoch_begin(epoch)`` and so on without knowing
what is inside.

Before forwarding, it turns ``logs`` into a dict of Python floats with its
keys in alphabetical order (Keras's ``pythonify_logs``): that is why the
progress bar and ``History`` show ``accuracy, loss, val_accuracy, val_loss``.

Read next: ``history.py`` and ``progbar_logger.py``.
"""

import numpy as np

from minikeras.callbacks.callback import Callback
from minikeras.callbacks.history import History
from minikeras.callbacks.progbar_logger import ProgbarLogger


def pythonify_logs(logs):
    """Returns ``logs`` with float values and sorted keys; nested dicts flattened.

    Values that are not numbers (a batch of predictions) are kept as they are.
    """
    result = {}
    for key, value in sorted((logs or {}).items()):
        if isinstance(value, dict):
            result.update(pythonify_logs(value))
            continue
        result[key] = float(value) if _is_scalar(value) else value
    return result


def _is_scalar(value):
    """True for Python/NumPy numbers and 0-d arrays or Tensors."""
    if isinstance(value, (bool, int, float, np.number)):
        return True
    shape = getattr(value, "shape", None)
    return shape is not None and len(shape) == 0


class CallbackList(Callback):
    """Container that calls the same hook on each callback in turn.

    Args:
        callbacks: a list of ``Callback`` (or None).
        add_history: add a ``History`` unless one is in the list.
        add_progbar: add a ``ProgbarLogger`` unless one is in the list.
        model: the model the callbacks will see as ``self.model``.
        **params: ``verbose``, ``epochs``, ``steps`` given to ``set_params``.
    """

    def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None, **params):
        super().__init__()
        self.callbacks = list(callbacks) if callbacks else []
        for callback in self.callbacks:
            if not isinstance(callback, Callback):
                raise TypeError(
                    f"Expected `callbacks` to be a list of `keras.callbacks.Callback` "
                    f"instances. Received: {type(callback).__name__}"
                )
        self._add_default_callbacks(add_history, add_progbar)
        if model is not None:
            self.set_model(model)
        if params:
            self.set_params(params)

    def _add_default_callbacks(self, add_history, add_progbar):
        """History goes last (it must see logs other callbacks added), the bar first."""
        self._history = next((c for c in self.callbacks if isinstance(c, History)), None)
        self._progbar = next((c for c in self.callbacks if isinstance(c, ProgbarLogger)), None)
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger()
            self.callbacks.insert(0, self._progbar)
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)

    def append(self, callback):
        self.callbacks.append(callback)

    def set_params(self, params):
        self.params = params
        for callback in self.callbacks:
            callback.set_params(params)

    def set_model(self, model):
        super().set_model(model)
        if self._history is not None:
            model.history = self._history
        for callback in self.callbacks:
            callback.set_model(model)

    # ----- each hook: pythonify the logs, then forward -----
    def on_batch_begin(self, batch, logs=None):
        self.on_train_batch_begin(batch, logs)

    def on_batch_end(self, batch, logs=None):
        self.on_train_batch_end(batch, logs)

    def on_train_begin(self, logs=None):
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_train_begin(logs)

    def on_train_end(self, logs=None):
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_train_end(logs)

    def on_epoch_begin(self, epoch, logs=None):
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_epoch_end(epoch, logs)

    def on_train_batch_begin(self, batch, logs=None):
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_train_batch_begin(batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_train_batch_end(batch, logs)

    def on_test_begin(self, logs=None):
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_test_begin(logs)

    def on_test_end(self, logs=None):
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_test_end(logs)

    def on_test_batch_begin(self, batch, logs=None):
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_test_batch_begin(batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_test_batch_end(batch, logs)

    def on_predict_begin(self, logs=None):
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_predict_begin(logs)

    def on_predict_end(self, logs=None):
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_predict_end(logs)

    def on_predict_batch_begin(self, batch, logs=None):
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_predict_batch_begin(batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_predict_batch_end(batch, logs)
