"""``ProgbarLogger``: the callback that draws the progress bar.

Place in the stack: a callback added by ``fit``/``evaluate``/``predict`` when
``verbose != 0``; it turns hook calls into ``minikeras.utils.Progbar``
updates. It prints ``Epoch i/N`` above each epoch's bar when there is more
than one epoch. Inside ``fit`` the validation run is silent: its ``val_*``
results appear on the epoch's final line instead.

Read next: ``monitor_callback.py`` (the base of EarlyStopping and friends).
"""

from minikeras.callbacks.callback import Callback
from minikeras.utils.progbar import Progbar


class ProgbarLogger(Callback):
    """Prints metrics to stdout through a ``Progbar``."""

    def __init__(self):
        super().__init__()
        self.seen = 0
        self.progbar = None
        self.target = None
        self.verbose = 1
        self.epochs = 1
        self._called_in_fit = False

    def set_params(self, params):
        verbose = params["verbose"]
        self.verbose = 1 if verbose == "auto" else verbose
        self.epochs = params["epochs"]
        self.target = params["steps"]

    def on_train_begin(self, logs=None):
        self._called_in_fit = True  # validation inside fit stays silent

    def on_test_begin(self, logs=None):
        if not self._called_in_fit:
            self._reset_progbar()
            self._ensure_progbar()

    def on_predict_begin(self, logs=None):
        self._reset_progbar()
        self._ensure_progbar()

    def on_epoch_begin(self, epoch, logs=None):
        self._reset_progbar()
        self._ensure_progbar()  # the clock starts now: the epoch's time includes step 1
        if self.verbose and self.epochs > 1:
            title = f"Epoch {epoch + 1}/{self.epochs}"
            if self.verbose == 1 and self.progbar.in_jupyter():
                self.progbar.title = title  # one output per epoch in a notebook
            else:
                print(title, flush=True)

    def on_train_batch_end(self, batch, logs=None):
        self._update_progbar(batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        if not self._called_in_fit:
            self._update_progbar(batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._update_progbar(batch, None)  # predictions are not shown

    def on_epoch_end(self, epoch, logs=None):
        self._finalize_progbar(logs)

    def on_test_end(self, logs=None):
        if not self._called_in_fit:
            self._finalize_progbar(logs)

    def on_predict_end(self, logs=None):
        self._finalize_progbar(logs)

    def _reset_progbar(self):
        self.seen = 0
        self.progbar = None

    def _ensure_progbar(self):
        if self.progbar is None:
            # Logs hold epoch averages already: show them as given.
            self.progbar = Progbar(target=self.target, verbose=self.verbose,
                                   unit_name="step", stateless_metrics=set())

    def _update_progbar(self, batch, logs):
        self._ensure_progbar()
        self.seen = batch + 1  # one-based step count
        if self.verbose == 1:
            self.progbar.update(self.seen, list((logs or {}).items()), finalize=False)

    def _finalize_progbar(self, logs):
        self._ensure_progbar()
        if self.target is None:  # unknown length: now we know it
            self.target = self.seen
            self.progbar.target = self.target
        self.progbar.update(self.target, list((logs or {}).items()), finalize=True)
