"""The loops behind ``fit``, ``evaluate`` and ``predict``.

Place in the stack: called by the ``Trainer`` methods (``trainer.py``) with
the model as first argument. Each loop has the same three parts:

1. data: an ``EpochIterator`` (``epoch_iterator.py``) turns whatever the user
   passed into batches of NumPy arrays; the loop never looks inside;
2. callbacks: a ``CallbackList`` with ``History`` and the progress bar added;
3. the steps: ``model.train_step`` / ``test_step`` / ``predict_step`` on each
   batch, with the callbacks' hooks around them.

The loops themselves cost almost nothing per step (a few dict operations and
Python calls); the time goes into the model's ops.

Read next: ``compile_utils.py`` (what ``compile`` stores), then
``minikeras/callbacks/``.
"""

import numbers
import warnings

import numpy as np

from minikeras import backend
from minikeras.callbacks.callback_list import CallbackList
from minikeras.callbacks.callback_list import pythonify_logs
from minikeras.callbacks.csv_logger import CSVLogger
from minikeras.callbacks.model_checkpoint import ModelCheckpoint
from minikeras.distribution import data_parallel
from minikeras.layers.layer_utils import layer_tree_fixed
from minikeras.trainers.data_adapters import data_adapter_utils
from minikeras.trainers.epoch_iterator import EpochIterator


def _callback_list(model, callbacks, verbose, epochs, steps, add_history=False):
    """The user's callbacks plus the defaults (history, progress bar), set up.

    Under DataParallel only rank 0 prints the progress bar and writes files;
    the other ranks leave out the callbacks whose only effect is a file.
    """
    if isinstance(callbacks, CallbackList):
        return callbacks
    if not data_parallel.is_chief():
        callbacks = [callback for callback in callbacks or [] if not isinstance(callback, (ModelCheckpoint, CSVLogger))]
    return CallbackList(callbacks, add_history=add_history, add_progbar=verbose != 0 and data_parallel.is_chief(),
                        model=model, verbose=verbose, epochs=epochs, steps=steps)


def _should_eval(epoch, validation_freq):
    """Validation runs after epochs ``validation_freq``, ``2*validation_freq``... (1-based)."""
    epoch = epoch + 1
    if isinstance(validation_freq, int):
        return epoch % validation_freq == 0
    if isinstance(validation_freq, (list, tuple)):
        return epoch in validation_freq
    raise ValueError(
        "Expected `validation_freq` to be a list or int. "
        f"Received: validation_freq={validation_freq} of the type {type(validation_freq)}."
    )


def _check_validation_split(validation_split):
    """A fraction in [0, 1): 0 keeps everything for training, 1 would keep nothing.

    Keras 3.15.1 accepts 1.5 or -0.1: 1.5 splits at ``floor(N * -0.5)``, an
    index counted from the end, and trains on a split nobody asked for. We
    refuse such values, naming the argument.
    """
    if isinstance(validation_split, bool) or not isinstance(validation_split, numbers.Real) \
            or not 0.0 <= validation_split < 1.0:
        raise ValueError(
            "`validation_split` must be a float in [0, 1): the fraction of the samples kept "
            f"aside for validation. Received: validation_split={validation_split!r}"
        )


def fit(model, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
        validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
        sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
        validation_batch_size=None, validation_freq=1):
    """Trains ``model`` for ``epochs`` epochs (``range(initial_epoch, epochs)``).

    Args:
        model: a compiled model.
        x, y, sample_weight: the training data (arrays, or a dataset as ``x``).
        batch_size: samples per step (32 by default for arrays).
        epochs: index of the last epoch (with ``initial_epoch``, the first).
        verbose: ``"auto"`` (=1), 0, 1 or 2.
        callbacks: a list of ``Callback``.
        validation_split: the fraction of the arrays, taken from the END
            before any shuffling, kept aside for validation.
        validation_data: ``(x_val, y_val)``, ``(x_val, y_val, sw_val)`` or a
            dataset; takes precedence over ``validation_split``.
        shuffle: True, False or ``"batch"``.
        class_weight: ``{class: weight}``, for a single output.
        steps_per_epoch, validation_steps: batches per epoch / per validation.
        validation_batch_size: batch size of the validation (default ``batch_size``).
        validation_freq: validate every this many epochs (or at these epochs).
    Returns:
        The ``History`` callback (also ``model.history``).
    """
    model._assert_compile_called("fit")
    _check_validation_split(validation_split)
    # A debugging cap (config.set_max_epochs) shortens every fit, as in Keras.
    if backend.config.max_epochs() and backend.config.max_epochs() < epochs:
        warnings.warn(f"Limiting epochs to {backend.config.max_epochs()}")
        epochs = backend.config.max_epochs()
    # 1. Data: split off the validation arrays, then the training iterator.
    if validation_split and validation_data is None:
        (x, y, sample_weight), validation_data = data_adapter_utils.train_validation_split(
            (x, y, sample_weight), validation_split=validation_split)
    iterator = EpochIterator(x, y, sample_weight=sample_weight, batch_size=batch_size,
                             steps_per_epoch=steps_per_epoch, shuffle=shuffle,
                             class_weight=class_weight)
    validation = None
    if validation_data is not None:
        val_x, val_y, val_sample_weight = data_adapter_utils.unpack_x_y_sample_weight(validation_data)
        validation = EpochIterator(val_x, val_y, sample_weight=val_sample_weight,
                                   batch_size=validation_batch_size or batch_size,
                                   steps_per_epoch=validation_steps, shuffle=False)
    # 2. Callbacks.
    callbacks = _callback_list(model, callbacks, verbose, epochs, iterator.num_batches, add_history=True)
    # 3. The epochs (under DataParallel: the same data, model and weights on every rank first).
    data_parallel.begin(model, iterator)
    model.stop_training = False
    training_logs = None
    callbacks.on_train_begin()
    # A callback restoring an interrupted run (BackupAndRestore) says where to resume; read it once.
    initial_epoch, model._initial_epoch = model._initial_epoch or initial_epoch, None
    try:
        for epoch in range(initial_epoch, epochs):
            epoch_logs = _train_epoch(model, iterator, callbacks, epoch)
            data_parallel.check_replicas_agree(model, epoch)  # under DataParallel: no rank drifted
            if validation is not None and _should_eval(epoch, validation_freq):
                val_logs = _test_epoch(model, validation, callbacks)
                epoch_logs.update({f"val_{name}": value for name, value in val_logs.items()})
            callbacks.on_epoch_end(epoch, epoch_logs)
            training_logs = epoch_logs
            if model.stop_training or iterator.exhausted:
                break
    finally:
        iterator.close()
        if validation is not None:
            validation.close()
    callbacks.on_train_end(logs=training_logs)
    return model.history


def _train_epoch(model, iterator, callbacks, epoch):
    """One epoch of ``train_step``; returns the epoch's logs (metric averages)."""
    model.reset_metrics()
    callbacks.on_epoch_begin(epoch)
    logs = {}
    for step, batch in data_parallel.shard_batches(iterator.enumerate_epoch()):
        callbacks.on_train_batch_begin(step)
        with layer_tree_fixed():  # the layer tree is walked once per step (layers/layer.py)
            logs = model.train_step(batch)
        callbacks.on_train_batch_end(step, logs)
        if model.stop_training:
            break
    return _metrics_result_or_logs(model, logs)


def _metrics_result_or_logs(model, logs):
    """The model's metric values; a custom ``train_step``'s own dict if its keys differ."""
    metric_logs = model.get_metrics_result()
    if isinstance(logs, dict) and set(logs) == set(metric_logs):
        return pythonify_logs(metric_logs)
    return pythonify_logs(logs)


def _test_epoch(model, iterator, callbacks):
    """One pass of ``test_step`` over ``iterator``; returns the logs."""
    model.reset_metrics()
    model.stop_evaluating = False
    callbacks.on_test_begin()
    logs = {}
    for step, batch in data_parallel.shard_batches(iterator.enumerate_epoch()):
        callbacks.on_test_batch_begin(step)
        with layer_tree_fixed():
            logs = model.test_step(batch)
        callbacks.on_test_batch_end(step, logs)
        if model.stop_evaluating:
            break
    logs = _metrics_result_or_logs(model, logs)
    callbacks.on_test_end(logs)
    return logs


def evaluate(model, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
             steps=None, callbacks=None, return_dict=False):
    """Returns the loss and metric values of ``model`` on the data.

    Returns:
        The loss alone (a float) if there are no metrics; else a list
        ``[loss, *metrics]`` in ``model.metrics`` order (for several outputs:
        loss, the per-output losses, then the rest alphabetically); or a dict
        when ``return_dict=True``.
    """
    model._assert_compile_called("evaluate")
    iterator = EpochIterator(x, y, sample_weight=sample_weight, batch_size=batch_size,
                             steps_per_epoch=steps, shuffle=False)
    callbacks = _callback_list(model, callbacks, verbose, 1, iterator.num_batches)
    data_parallel.begin(model, iterator)
    try:
        logs = _test_epoch(model, iterator, callbacks)
    finally:
        iterator.close()
    return logs if return_dict else model._flatten_metrics_in_order(logs)


def predict(model, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
    """Runs ``predict_step`` over ``x`` batch by batch, with no graph recorded.

    Returns:
        NumPy arrays in the structure of the model's outputs, with the
        batches concatenated along axis 0.
    """
    iterator = EpochIterator(x, batch_size=batch_size, steps_per_epoch=steps, shuffle=False)
    callbacks = _callback_list(model, callbacks, verbose, 1, iterator.num_batches)
    model.stop_predicting = False
    data_parallel.begin(model, iterator)
    batches = []
    callbacks.on_predict_begin()
    try:
        with backend.no_grad():
            for step, batch in data_parallel.shard_batches(iterator.enumerate_epoch()):
                callbacks.on_predict_batch_begin(step)
                with layer_tree_fixed():
                    outputs = to_numpy(model.predict_step(batch))
                batches.append(outputs)
                callbacks.on_predict_batch_end(step, {"outputs": outputs})
                if model.stop_predicting:
                    break
    finally:
        iterator.close()
    callbacks.on_predict_end()
    # Under DataParallel: every rank's slices, in the order of the data.
    return concatenate_batches(data_parallel.gather_batches(batches))


def to_numpy(structure):
    """Tensors (in a list, tuple or dict) as NumPy arrays, same structure."""
    if isinstance(structure, dict):
        return {key: to_numpy(value) for key, value in structure.items()}
    if isinstance(structure, (list, tuple)):
        return type(structure)(to_numpy(value) for value in structure)
    return backend.convert_to_numpy(structure)


def concatenate_batches(batches):
    """Joins per-batch outputs along axis 0, keeping their structure."""
    if not batches:
        raise ValueError(
            "Unexpected result of `predict_function` (Empty batch_outputs). Please use "
            "`Model.compile(..., run_eagerly=True)`, or `tf.config.run_functions_eagerly(True)` "
            "for more information of where went wrong, or file a issue/bug to `tf.keras`."
        )
    first = batches[0]
    if isinstance(first, dict):
        return {key: concatenate_batches([batch[key] for batch in batches]) for key in first}
    if isinstance(first, (list, tuple)):
        return type(first)(concatenate_batches([batch[index] for batch in batches])
                           for index in range(len(first)))
    return np.concatenate(batches, axis=0)
