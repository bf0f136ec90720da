"""``Trainer``: the training half of ``Model`` (``class Model(Trainer, Layer)``).

Place in the stack: above layers, losses, metrics, optimizers and callbacks;
below models (``Model`` inherits it) and saving, so the saving half of
``Model`` (``save``, ``get_compile_config``) lives in ``models/model.py``.
``Model`` gets every method here by inheritance:

* ``compile`` stores the optimizer, the loss and the metrics;
* the step methods say what happens to ONE batch -- ``train_step``
  (forward under a ``GradientTape``, ``compute_loss``, gradients,
  ``optimizer.apply``, metrics), ``test_step`` (the same without the update)
  and ``predict_step`` (forward only). Override them to customise ``fit``
  while keeping its callbacks, progress bar and data handling, as in Keras's
  "customizing what happens in fit()" guide;
* ``fit``, ``evaluate`` and ``predict`` run the steps over a whole dataset:
  they live in ``loops.py``, which is the next file to read.

The default ``train_step`` is the whole of deep-learning training in ten
lines; a from-scratch loop written by hand does exactly the same::

    with minikeras.GradientTape() as tape:
        y_pred = model(x, training=True)
        loss = loss_fn(y, y_pred)
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply(grads, model.trainable_variables)
"""

from minikeras import backend
from minikeras import metrics as metrics_module
from minikeras import optimizers
from minikeras.autodiff import GradientTape
from minikeras.autodiff import elementwise
from minikeras.autodiff import reduce
from minikeras.autodiff.tensor import Tensor
from minikeras.distribution import data_parallel
from minikeras.layers.layer_utils import layer_tree_fixed
from minikeras.trainers import loops
from minikeras.trainers.compile_utils import CompileLoss
from minikeras.trainers.compile_utils import CompileMetrics
from minikeras.trainers.data_adapters import data_adapter_utils
from minikeras.utils.batch_tuples import batch_size_of
from minikeras.utils.traceback_utils import filter_traceback


class Trainer:
    """compile / fit / evaluate / predict and the overridable steps."""

    # Class-level defaults, so that an uncompiled model answers sensibly even
    # if a subclass's __init__ runs before Trainer's.
    compiled = False
    optimizer = None
    loss = None
    stop_training = False
    stop_evaluating = False
    stop_predicting = False
    history = None
    steps_per_execution = 1
    _initial_epoch = None  # set by BackupAndRestore in on_train_begin: the epoch fit resumes at
    _loss_tracker = None
    _compile_loss = None
    _compile_metrics = None
    _compile_config = None

    @filter_traceback
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True):
        """Configures the model for training.

        Args:
            optimizer: a name (``"adam"``) or an ``Optimizer`` instance.
            loss: a name, a function ``f(y_true, y_pred)``, a ``Loss``; for
                several outputs also a list or a dict keyed by output name.
            loss_weights: how much each output's loss counts (list or dict).
            metrics: metrics to report (names, functions, ``Metric``s); for
                several outputs a list of lists or a dict.
            weighted_metrics: metrics that also receive the sample weights.
            auto_scale_loss: if the model's dtype policy is ``"mixed_float16"``,
                wrap the optimizer in a ``LossScaleOptimizer`` (as Keras does).
            run_eagerly, jit_compile: accepted for Keras compatibility;
                minikeras always runs eagerly.
            steps_per_execution: accepted and stored (one step per call here).
        """
        output_names = getattr(self, "output_names", None)
        self.optimizer = optimizers.get(optimizer)
        if (auto_scale_loss and self.dtype_policy.name == "mixed_float16" and self.optimizer is not None
                and not isinstance(self.optimizer, optimizers.LossScaleOptimizer)):
            # float16 gradients underflow: scale the loss (optimizers/loss_scale_optimizer.py).
            self.optimizer = optimizers.LossScaleOptimizer(self.optimizer, name="loss_scale_optimizer")
        self.loss = loss
        self._compile_loss = CompileLoss(loss, loss_weights, output_names) if loss is not None else None
        has_metrics = metrics is not None or weighted_metrics is not None
        self._compile_metrics = CompileMetrics(metrics, weighted_metrics, output_names) if has_metrics else None
        self._loss_tracker = metrics_module.Mean(name="loss")
        self.steps_per_execution = steps_per_execution
        self.run_eagerly = run_eagerly
        self.jit_compile = jit_compile
        self.stop_training = False
        self.compiled = True
        self._compile_config = {
            "optimizer": optimizer, "loss": loss, "loss_weights": loss_weights, "metrics": metrics,
            "weighted_metrics": weighted_metrics, "run_eagerly": run_eagerly,
            "steps_per_execution": steps_per_execution, "jit_compile": jit_compile,
        }

    # ----- metrics -----
    @property
    def metrics(self):
        """Loss tracker, compile metrics, per-output loss trackers, then others.

        A subclass that tracks its own metrics overrides this property and
        returns them, so that ``fit`` resets them at each epoch.
        """
        found = []
        if self.compiled:
            found.append(self._loss_tracker)
            if self._compile_metrics is not None:
                found.append(self._compile_metrics)
            if self._compile_loss is not None:
                found.extend(self._compile_loss.metrics)
        for metric in getattr(self, "_metrics", None) or []:
            if all(metric is not known for known in found):
                found.append(metric)
        return found

    @property
    def metrics_names(self):
        return [metric.name for metric in self.metrics]

    def reset_metrics(self):
        for metric in self.metrics:
            metric.reset_state()

    def get_metrics_result(self):
        """``{name: value}`` of every metric in ``self.metrics``.

        Under DataParallel, the values of the global batch (every process's
        metric states summed), the same on every process.
        """
        results = {}
        with data_parallel.global_metric_states(self.metrics):
            for metric in self.metrics:
                result = metric.result()
                if isinstance(result, dict):
                    results.update(result)  # compile_metrics holds several
                else:
                    results[metric.name] = result
        return results

    # ----- loss and metrics of one batch -----
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The compiled losses plus ``self.losses`` (regularisers, ``add_loss``).

        Args:
            x: the inputs (unused by default; an override may use them).
            y: the targets, in the structure of the outputs.
            y_pred: the model's outputs.
            sample_weight: per-sample weights, shape (N,), or None.
            training: whether this is a training step.
        Returns:
            A scalar Tensor.
        """
        del x, training  # the default loss does not depend on them
        total = None
        if self._compile_loss is not None:
            total = self._compile_loss(y, y_pred, sample_weight)
        for extra in getattr(self, "losses", None) or []:
            extra = reduce.sum(extra)
            total = extra if total is None else elementwise.add(total, extra)
        if total is None:
            return Tensor(backend.convert_to_tensor(0.0, dtype=backend.floatx()))
        return total

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        """Updates the compiled metrics and returns every metric's value."""
        del x  # the default metrics do not use the inputs
        if self._compile_metrics is not None:
            self._compile_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    # ----- the steps -----
    def train_step(self, data):
        """One gradient update on one batch.

        Args:
            data: a batch: ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``.
        Returns:
            ``{metric name: value}`` (what the progress bar shows).
        """
        x, y, sample_weight = data_adapter_utils.unpack_x_y_sample_weight(data)
        # 1. Forward pass and loss, recorded on the tape.
        with GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=True)
            # The optimizer may scale the loss (loss_scale_factor, LossScaleOptimizer); it unscales the gradients.
            scaled_loss = self.optimizer.scale_loss(loss)
        # 2. Track the epoch's loss, weighted by the batch size.
        self._loss_tracker.update_state(loss.data, sample_weight=batch_size_of(x))
        # 3. Backward pass and update.
        trainable = self.trainable_variables
        if trainable:
            grads = tape.gradient(scaled_loss, trainable)
            # Under DataParallel: the average over all processes (else unchanged).
            grads = data_parallel.all_reduce_gradients(grads, batch_size_of(x))
            self.optimizer.apply(grads, trainable)
        return self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def test_step(self, data):
        """The loss and metrics of one batch, without updating the weights."""
        x, y, sample_weight = data_adapter_utils.unpack_x_y_sample_weight(data)
        with backend.no_grad():
            y_pred = self(x, training=False)
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=False)
        self._loss_tracker.update_state(loss.data, sample_weight=batch_size_of(x))
        return self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def predict_step(self, data):
        """The model's outputs for one batch (inference mode)."""
        x, _, _ = data_adapter_utils.unpack_x_y_sample_weight(data)
        return self(x, training=False)

    # ----- the loops (loops.py) -----
    @filter_traceback
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1):
        """Trains the model for a number of epochs. See ``loops.fit``.

        Returns:
            A ``History`` whose ``.history`` maps each metric to its values per epoch.
        """
        return loops.fit(
            self, x=x, y=y, batch_size=batch_size, epochs=epochs, verbose=verbose,
            callbacks=callbacks, validation_split=validation_split,
            validation_data=validation_data, shuffle=shuffle, class_weight=class_weight,
            sample_weight=sample_weight, initial_epoch=initial_epoch,
            steps_per_epoch=steps_per_epoch, validation_steps=validation_steps,
            validation_batch_size=validation_batch_size, validation_freq=validation_freq,
        )

    @filter_traceback
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False):
        """Returns the loss (a float) or ``[loss, *metrics]``, or a dict. See ``loops.evaluate``."""
        return loops.evaluate(self, x=x, y=y, batch_size=batch_size, verbose=verbose,
                              sample_weight=sample_weight, steps=steps, callbacks=callbacks,
                              return_dict=return_dict)

    @filter_traceback
    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """Returns the outputs for ``x`` as NumPy arrays. See ``loops.predict``."""
        return loops.predict(self, x, batch_size=batch_size, verbose=verbose, steps=steps,
                             callbacks=callbacks)

    # ----- single batches -----
    @filter_traceback
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        """One ``train_step`` on the batch given (metrics keep accumulating)."""
        self._assert_compile_called("train_on_batch")
        if class_weight is not None:
            if sample_weight is not None:
                raise ValueError("You cannot `class_weight` and `sample_weight` at the same time.")
            sample_weight = data_adapter_utils.class_weight_to_sample_weights(y, class_weight)
        with layer_tree_fixed():  # the layer tree is walked once per step (layers/layer.py)
            logs = self.train_step((x, y, sample_weight))
        return self._format_logs(logs, return_dict)

    @filter_traceback
    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """One ``test_step`` on the batch given."""
        self._assert_compile_called("test_on_batch")
        with layer_tree_fixed():
            logs = self.test_step((x, y, sample_weight))
        return self._format_logs(logs, return_dict)

    @filter_traceback
    def predict_on_batch(self, x):
        """The outputs for one batch, as NumPy arrays."""
        with backend.no_grad(), layer_tree_fixed():
            return loops.to_numpy(self.predict_step((x,)))

    def _format_logs(self, logs, return_dict):
        logs = {key: float(backend.convert_to_numpy(value)) for key, value in sorted(logs.items())}
        return logs if return_dict else self._flatten_metrics_in_order(logs)

    def _flatten_metrics_in_order(self, logs):
        """``logs`` as a list in ``self.metrics`` order (the rest alphabetical); one value alone."""
        names = []
        for metric in self.metrics:
            names.extend(m.name for m in getattr(metric, "metrics", [metric]))
        results = [logs[name] for name in names if name in logs]
        results += [logs[key] for key in sorted(logs) if key not in names]
        return results[0] if len(results) == 1 else results

    def _assert_compile_called(self, method_name=None):
        """Keras's wording, whichever method asked (``method_name`` is informative only)."""
        if not self.compiled:
            raise ValueError("You must call `compile()` before using the model.")
