"""SwapEMAWeights: evaluate (and optionally checkpoint) with the optimizer's averaged weights.

Place in the stack: a callback over ``callback.py``; read
``minikeras/optimizers/optimizer.py`` first (``use_ema=True`` keeps an
exponential moving average of every trainable weight in ``_average_variables``).

The averaged weights often generalise better than the last ones. This
callback swaps them into the model for every evaluation (``validation_data``
during ``fit``, ``evaluate``, ``predict``) and swaps the training weights
back afterwards, so training itself continues from its own weights. With
``swap_on_epoch=True`` the model also holds the averages between epochs,
so a ``ModelCheckpoint`` placed after this callback saves them; on the last
epoch the averages are kept as the final weights.

Unlike Keras 3.15.1, whose ``on_predict_end`` never swaps back (its test is
inverted), ``predict`` here leaves the training weights in place.
"""

from minikeras.callbacks.callback import Callback


class SwapEMAWeights(Callback):
    """Swaps the optimizer's EMA weights into the model for evaluation.

    Args:
        swap_on_epoch: also hold the averaged weights between epochs (for
            checkpoints), from each epoch's end to the next epoch's start.
    Raises (when used): ValueError if the optimizer was built without ``use_ema=True``.
    """

    def __init__(self, swap_on_epoch=False):
        super().__init__()
        self.swap_on_epoch = swap_on_epoch
        self._ema_weights_in_model = False

    def _optimizer(self):
        optimizer = getattr(self.model, "optimizer", None)
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)
        if optimizer is None or not getattr(optimizer, "use_ema", False):
            raise ValueError("SwapEMAWeights must be used when `use_ema=True` is set on the optimizer. "
                             f"Received: use_ema={getattr(optimizer, 'use_ema', None)}")
        return optimizer

    def _swap(self):
        """Exchanges each trainable weight with its average (nothing to do before the first step)."""
        optimizer = self._optimizer()
        if not getattr(optimizer, "built", False):
            return
        for variable, average in zip(optimizer._trainable_variables, optimizer._average_variables):
            weights = variable.data.copy()
            variable.assign(average.data)
            average.assign(weights)

    def _set_swapped(self, swapped):
        if self._ema_weights_in_model != swapped:
            self._swap()
            self._ema_weights_in_model = swapped

    def on_epoch_begin(self, epoch, logs=None):
        if self.swap_on_epoch:
            self._set_swapped(False)

    def on_epoch_end(self, epoch, logs=None):
        if self.swap_on_epoch:
            self._set_swapped(True)
            if self.params and epoch == self.params.get("epochs", 0) - 1:
                # Keep the averages as the final weights: the slots get them too.
                optimizer = self._optimizer()
                for variable, average in zip(optimizer._trainable_variables, optimizer._average_variables):
                    average.assign(variable.data.copy())

    def on_test_begin(self, logs=None):
        self._set_swapped(True)

    def on_test_end(self, logs=None):
        self._set_swapped(False)

    def on_predict_begin(self, logs=None):
        self._set_swapped(True)

    def on_predict_end(self, logs=None):
        self._set_swapped(False)
