"""TensorBoard: write the training curves (and weight histograms) for ``tensorboard --logdir logs``.

Place in the stack: a callback over ``callback.py``; ``event_file.py`` writes
the files (no TensorFlow needed). Read ``csv_logger.py`` first: the same
logs, as events instead of CSV rows.

What it writes, with Keras 3's tags and folders:
- ``log_dir/train``: ``epoch_<metric>`` (and ``epoch_learning_rate``) at step
  = epoch; with ``update_freq="batch"`` (or N) also ``batch_<metric>`` every
  N training batches, at step = the batch's global number;
- ``log_dir/validation``: ``epoch_<metric>`` of the ``val_`` logs, and
  ``evaluation_<metric>_vs_iterations`` at step = optimizer iterations after
  each evaluation;
- with ``histogram_freq=N``: ``<weight path>/histogram`` of every weight
  every N epochs (in ``train``).

Not written (Keras writes them through TensorFlow): the model graph
(``write_graph`` is accepted and ignored), weight images, profiles and
embeddings; asking for the last three is an error.
"""

import os
import time

import numpy

from minikeras.callbacks import event_file
from minikeras.callbacks.callback import Callback


class TensorBoard(Callback):
    """Logs the metrics of ``fit`` as TensorBoard event files.

    Args:
        log_dir: the folder TensorBoard is pointed at; ``train`` and ``validation`` go below it.
        histogram_freq: every how many epochs to write weight histograms (0: never).
        write_graph: accepted for Keras compatibility (no graph is written).
        write_images, profile_batch, embeddings_freq, embeddings_metadata: must stay off (TensorFlow-only).
        write_steps_per_second: also log ``epoch_steps_per_second`` and ``batch_steps_per_second``.
        update_freq: ``"epoch"``, ``"batch"``, or an int N (log the batch metrics every N batches).
    """

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0, embeddings_freq=0,
                 embeddings_metadata=None):
        super().__init__()
        for name, value in (("write_images", write_images), ("profile_batch", profile_batch),
                            ("embeddings_freq", embeddings_freq), ("embeddings_metadata", embeddings_metadata)):
            if value:
                raise ValueError(f"TensorBoard: `{name}` needs TensorFlow's summary ops, which minikeras does "
                                 f"not have. Received: {name}={value}")
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq, self.write_graph = histogram_freq, write_graph
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self._writers = {}
        self._global_train_batch = 0

    def _writer(self, kind):
        """The event file of ``"train"`` or ``"validation"``, opened on first use."""
        if kind not in self._writers:
            self._writers[kind] = event_file.EventFileWriter(os.path.join(self.log_dir, kind))
        return self._writers[kind]

    def on_train_begin(self, logs=None):
        self._global_train_batch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_start_iterations = self._iterations()
        self._epoch_start_time = _now()

    def on_train_batch_begin(self, batch, logs=None):
        self._global_train_batch += 1
        self._batch_start_time = _now()

    def on_train_batch_end(self, batch, logs=None):
        if self.update_freq == "epoch" or self._global_train_batch % self.update_freq:
            return
        scalars = {f"batch_{name}": value for name, value in (logs or {}).items()}
        if self.write_steps_per_second:
            scalars["batch_steps_per_second"] = 1.0 / max(_now() - self._batch_start_time, 1e-9)
        self._writer("train").add_scalars(self._global_train_batch, scalars)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        train = {f"epoch_{name}": value for name, value in logs.items() if not name.startswith("val_")}
        learning_rate = self._learning_rate()
        if learning_rate is not None:
            train["epoch_learning_rate"] = learning_rate
        if self.write_steps_per_second:
            steps = self._iterations() - self._epoch_start_iterations
            train["epoch_steps_per_second"] = steps / max(_now() - self._epoch_start_time, 1e-9)
        self._writer("train").add_scalars(epoch, train)
        validation = {f"epoch_{name[4:]}": value for name, value in logs.items() if name.startswith("val_")}
        if validation:
            self._writer("validation").add_scalars(epoch, validation)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)

    def on_test_end(self, logs=None):
        if logs and getattr(self.model, "optimizer", None) is not None:
            scalars = {f"evaluation_{name}_vs_iterations": value for name, value in logs.items()}
            self._writer("validation").add_scalars(self._iterations(), scalars)

    def on_train_end(self, logs=None):
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    def _log_weights(self, epoch):
        values = [event_file.histogram_value(f"{weight.path.replace(':', '_')}/histogram", weight.numpy())
                  for layer in self.model.layers for weight in layer.weights]
        self._writer("train").write(epoch, values)

    def _iterations(self):
        optimizer = getattr(self.model, "optimizer", None)
        return 0 if optimizer is None else int(numpy.asarray(optimizer.iterations.numpy()))

    def _learning_rate(self):
        """The optimizer's current rate (the inner one's under a LossScaleOptimizer), or None."""
        optimizer = getattr(self.model, "optimizer", None)
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)
        if optimizer is None or not hasattr(optimizer, "learning_rate"):
            return None
        rate = optimizer.learning_rate
        return float(numpy.asarray(rate.numpy() if hasattr(rate, "numpy") else rate))


def _now():
    return time.time()
