"""``Callback``: the hooks that ``fit``, ``evaluate`` and ``predict`` call.

Place in the stack: below ``minikeras.trainers`` (the loops import and call
the hooks) and ``minikeras.models``: a callback reaches the model it watches
through ``self.model``, never by import. A callback is an object with one method per moment
of training; the loops call every hook of every callback through a
``CallbackList`` (``callback_list.py``), so a subclass overrides only the
hooks it needs. ``self.model`` is the model being trained and ``self.params``
holds ``{"verbose", "epochs", "steps"}``.

Batch and epoch indices are 0-based, as in Keras (``ModelCheckpoint`` and
``EarlyStopping`` add 1 where they print or format file names). ``logs`` is a
dict of Python floats: the running metric values for batch hooks, the epoch's
results (with ``val_*`` entries after validation) for ``on_epoch_end``.

Read next: ``callback_list.py``, then ``history.py`` and ``progbar_logger.py``
(the two callbacks ``fit`` always adds).
"""


class Callback:
    """Base class of all callbacks: every hook does nothing.

    Example:
        >>> class PrintLoss(Callback):
        ...     def on_epoch_end(self, epoch, logs=None):
        ...         print(epoch, logs["loss"])
    """

    def __init__(self):
        self.params = None
        self._model = None

    def set_params(self, params):
        """Receives ``{"verbose": ..., "epochs": ..., "steps": ...}``."""
        self.params = params

    def set_model(self, model):
        self._model = model

    @property
    def model(self):
        """The model that the loop this callback belongs to is running."""
        return self._model

    # ----- batch hooks kept from Keras 2: the train hooks call them -----
    def on_batch_begin(self, batch, logs=None):
        """Same as ``on_train_batch_begin`` (the Keras 2 name)."""

    def on_batch_end(self, batch, logs=None):
        """Same as ``on_train_batch_end`` (the Keras 2 name)."""

    # ----- fit -----
    def on_train_begin(self, logs=None):
        """Called once at the start of ``fit``."""

    def on_train_end(self, logs=None):
        """Called once at the end of ``fit``, with the last epoch's logs."""

    def on_epoch_begin(self, epoch, logs=None):
        """Called at the start of each epoch (``epoch`` is 0-based)."""

    def on_epoch_end(self, epoch, logs=None):
        """Called at the end of each epoch with its results, ``val_*`` included."""

    def on_train_batch_begin(self, batch, logs=None):
        """Called before each training step (``batch`` is 0-based)."""
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        """Called after each training step with the running metric values."""
        self.on_batch_end(batch, logs=logs)

    # ----- evaluate (and the validation inside fit) -----
    def on_test_begin(self, logs=None):
        """Called at the start of ``evaluate`` and of each validation run."""

    def on_test_end(self, logs=None):
        """Called at the end of ``evaluate`` with its results."""

    def on_test_batch_begin(self, batch, logs=None):
        """Called before each evaluation step."""

    def on_test_batch_end(self, batch, logs=None):
        """Called after each evaluation step with the running metric values."""

    # ----- predict -----
    def on_predict_begin(self, logs=None):
        """Called at the start of ``predict``."""

    def on_predict_end(self, logs=None):
        """Called at the end of ``predict``."""

    def on_predict_batch_begin(self, batch, logs=None):
        """Called before each prediction step."""

    def on_predict_batch_end(self, batch, logs=None):
        """Called after each prediction step; ``logs["outputs"]`` holds the batch's output."""
