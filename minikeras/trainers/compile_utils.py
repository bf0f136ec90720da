"""What ``compile(loss=..., metrics=...)`` becomes: ``CompileLoss`` and ``CompileMetrics``.

Place in the stack: used by ``trainer.py``; built on ``minikeras.losses`` and
``minikeras.metrics``. ``compile`` only stores what the user gave (strings,
objects, lists, dicts); the first batch tells how many outputs the model has
and what the targets look like, and only then are the losses and metrics
resolved. That is why ``"accuracy"`` can mean three different metrics:

* predictions of shape ``(N, 1)``                -> ``BinaryAccuracy``
* integer labels ``(N,)`` for ``(N, C)`` scores   -> ``SparseCategoricalAccuracy``
* one-hot labels ``(N, C)``                       -> ``CategoricalAccuracy``

For a model with several outputs, ``loss``, ``loss_weights``, ``metrics`` and
``weighted_metrics`` can each be given once for all outputs, as a list (one
entry per output) or as a dict keyed by output name. The logs then carry one
loss per output (``<output>_loss``, unweighted) and each metric prefixed by
its output's name (``<output>_accuracy``), as in Keras.

Read next: ``trainer.py``.
"""

from minikeras import losses as losses_module
from minikeras import metrics as metrics_module
from minikeras.autodiff import elementwise
from minikeras.utils.batch_tuples import batch_size_of


def flatten_outputs(structure, output_names=None):
    """A model output (Tensor, list, tuple or dict) as a flat list, in output order."""
    if isinstance(structure, dict):
        keys = list(output_names) if output_names and set(output_names) == set(structure) else sorted(structure)
        return [structure[key] for key in keys]
    if isinstance(structure, (list, tuple)):
        return list(structure)
    return [structure]


def resolve_output_names(y_pred, model_output_names):
    """The name of each output: the model's, the dict keys, or ``output_<i>``."""
    if isinstance(y_pred, dict):
        if model_output_names and set(model_output_names) == set(y_pred):
            return list(model_output_names)
        return sorted(y_pred)
    count = len(y_pred) if isinstance(y_pred, (list, tuple)) else 1
    if model_output_names and len(model_output_names) == count:
        return list(model_output_names)
    return [f"output_{index}" for index in range(count)]


def per_output(spec, output_names, argument_name):
    """Spreads a compile argument over the outputs: one entry per output name.

    A single value applies to every output; a list/tuple gives one entry per
    output (in order); a dict gives entries by output name (missing: None).
    For a single-output model the whole value belongs to that output.
    """
    if len(output_names) == 1:
        if isinstance(spec, dict) and set(spec) <= set(output_names):
            return [spec.get(output_names[0])]
        if isinstance(spec, (list, tuple)) and len(spec) == 1 and argument_name == "loss":
            return [spec[0]]
        return [spec]
    if isinstance(spec, dict):
        unknown = set(spec) - set(output_names)
        if unknown:
            raise ValueError(
                f"In the dict argument `{argument_name}`, key(s) {sorted(unknown)} do not "
                f"correspond to any model output. Received: {argument_name}={spec}. "
                f"The model's outputs are {output_names}."
            )
        return [spec.get(name) for name in output_names]
    if isinstance(spec, (list, tuple)):
        if len(spec) != len(output_names):
            raise ValueError(
                f"`{argument_name}` should have one entry per model output: expected "
                f"{len(output_names)} entries, received {len(spec)}. Received: {argument_name}={spec}"
            )
        return list(spec)
    return [spec for _ in output_names]


def is_binary_or_sparse_categorical(y_true, y_pred):
    """(binary, sparse) as Keras decides it from the two shapes."""
    true_shape, pred_shape = y_true.shape, y_pred.shape
    is_binary = pred_shape[-1] == 1
    is_sparse = len(true_shape) < len(pred_shape) or (true_shape[-1] == 1 and pred_shape[-1] > 1)
    return is_binary, is_sparse


def get_metric(identifier, y_true, y_pred):
    """A Metric object from a name, a function or a Metric; resolves ``"accuracy"``."""
    if identifier is None:
        raise ValueError("Expected metric, received `None`")
    if str(identifier).lower() in ("accuracy", "acc"):
        is_binary, is_sparse = is_binary_or_sparse_categorical(y_true, y_pred)
        if is_binary:
            metric = metrics_module.BinaryAccuracy(name=str(identifier))
        elif is_sparse:
            metric = metrics_module.SparseCategoricalAccuracy(name=str(identifier))
        else:
            metric = metrics_module.CategoricalAccuracy(name=str(identifier))
    else:
        metric = metrics_module.get(identifier)
    if not isinstance(metric, metrics_module.Metric):
        name = identifier if isinstance(identifier, str) else getattr(metric, "__name__", "metric")
        metric = metrics_module.MeanMetricWrapper(metric, name=name)
    elif isinstance(identifier, str):
        metric.name = identifier  # the key in the logs is the string the user gave
    return metric


def get_loss(identifier, y_true, y_pred):
    """A Loss object from a name, a function or a Loss (None stays None)."""
    if identifier is None:
        return None
    if str(identifier).lower() in ("crossentropy", "ce"):
        is_binary, is_sparse = is_binary_or_sparse_categorical(y_true, y_pred)
        if is_binary:
            loss = losses_module.binary_crossentropy
        elif is_sparse:
            loss = losses_module.sparse_categorical_crossentropy
        else:
            loss = losses_module.categorical_crossentropy
    else:
        loss = losses_module.get(identifier)
    if not isinstance(loss, losses_module.Loss):
        name = identifier if isinstance(identifier, str) else getattr(loss, "__name__", "loss")
        loss = losses_module.LossFunctionWrapper(loss, name=name)
    return loss


def _match_targets(y_true, output_names):
    """Targets as a flat list in output order (a dict is read by output name)."""
    if isinstance(y_true, dict):
        missing = [name for name in output_names if name not in y_true]
        if missing:
            raise ValueError(
                f"The target dict is missing key(s) {missing}: it needs one entry per model "
                f"output {output_names}. Received keys: {sorted(y_true)}"
            )
        return [y_true[name] for name in output_names]
    flat = flatten_outputs(y_true)
    if len(flat) != len(output_names):
        raise ValueError(
            f"The model has {len(output_names)} output(s) {output_names} but received "
            f"{len(flat)} target(s). Pass `y` as a list or a dict with one array per output."
        )
    return flat


def per_output_sample_weights(sample_weight, output_names):
    """One sample-weight array (or None) per output."""
    if isinstance(sample_weight, dict):
        return [sample_weight.get(name) for name in output_names]
    if isinstance(sample_weight, (list, tuple)) and len(output_names) > 1:
        return list(sample_weight)
    return [sample_weight for _ in output_names]


class CompileLoss:
    """The total loss: sum over outputs of ``loss_weight * loss(y_true, y_pred)``.

    Args:
        loss: what ``compile`` received as ``loss``.
        loss_weights: what ``compile`` received as ``loss_weights``.
        output_names: the model's output names, if it has any.
    """

    def __init__(self, loss, loss_weights=None, output_names=None):
        self.user_loss = loss
        self.user_loss_weights = loss_weights
        self.model_output_names = output_names
        self.built = False
        self.losses = []  # one Loss (or None) per output
        self.weights = []  # one float (or None) per output
        self.output_names = []
        self.metrics = []  # per-output loss trackers, only with several outputs

    def build(self, y_true, y_pred):
        """Resolves the losses once the outputs and targets are known."""
        self.output_names = resolve_output_names(y_pred, self.model_output_names)
        flat_pred = flatten_outputs(y_pred, self.output_names)
        flat_true = _match_targets(y_true, self.output_names)
        specs = per_output(self.user_loss, self.output_names, "loss")
        weights = per_output(self.user_loss_weights, self.output_names, "loss_weights")
        self.losses = [get_loss(spec, t, p) for spec, t, p in zip(specs, flat_true, flat_pred)]
        self.weights = weights
        if len(self.output_names) > 1:
            self.metrics = [metrics_module.Mean(name=f"{name}_loss") for name in self.output_names]
        self.built = True

    def __call__(self, y_true, y_pred, sample_weight=None):
        """Returns the total loss, a scalar Tensor (None if no output has a loss)."""
        if not self.built:
            self.build(y_true, y_pred)
        flat_pred = flatten_outputs(y_pred, self.output_names)
        flat_true = _match_targets(y_true, self.output_names)
        flat_weights = per_output_sample_weights(sample_weight, self.output_names)
        total = None
        for index, loss in enumerate(self.losses):
            if loss is None:
                continue
            value = loss(flat_true[index], flat_pred[index], sample_weight=flat_weights[index])
            if self.metrics:  # record each output's unweighted loss
                # Raw values: the trackers must not be part of the recorded graph.
                raw_value = getattr(value, "data", value)
                self.metrics[index].update_state(raw_value, sample_weight=batch_size_of(flat_pred[index]))
            if self.weights[index] is not None:
                value = elementwise.multiply(value, float(self.weights[index]))
            total = value if total is None else elementwise.add(total, value)
        return total

    def get_config(self):
        return {"loss": self.user_loss, "loss_weights": self.user_loss_weights}


class _OutputMetrics:
    """The metrics of one output: plain ones, then sample-weighted ones."""

    def __init__(self, output_name, plain, weighted):
        self.output_name = output_name
        self.plain = plain
        self.weighted = weighted


class CompileMetrics:
    """All metrics given to ``compile``, seen by the model as one metric.

    ``model.metrics`` lists it as ``compile_metrics`` (as Keras does);
    ``result()`` returns a dict with one entry per metric.

    Args:
        metrics: what ``compile`` received as ``metrics``.
        weighted_metrics: what ``compile`` received as ``weighted_metrics``.
        output_names: the model's output names, if it has any.
    """

    def __init__(self, metrics, weighted_metrics, output_names=None):
        self.name = "compile_metrics"
        self.user_metrics = metrics
        self.user_weighted_metrics = weighted_metrics
        self.model_output_names = output_names
        self.built = False
        self.output_names = []
        self._per_output = []

    @property
    def metrics(self):
        """Every metric object, output by output."""
        found = []
        for output in self._per_output:
            found.extend(output.plain + output.weighted)
        return found

    @property
    def variables(self):
        return [variable for metric in self.metrics for variable in metric.variables]

    def build(self, y_true, y_pred):
        self.output_names = resolve_output_names(y_pred, self.model_output_names)
        flat_pred = flatten_outputs(y_pred, self.output_names)
        flat_true = _match_targets(y_true, self.output_names)
        plain = per_output(self.user_metrics, self.output_names, "metrics")
        weighted = per_output(self.user_weighted_metrics, self.output_names, "weighted_metrics")
        prefix_names = len(self.output_names) > 1
        for index, name in enumerate(self.output_names):
            y_t, y_p = flat_true[index], flat_pred[index]
            self._per_output.append(_OutputMetrics(
                name if prefix_names else None,
                [get_metric(spec, y_t, y_p) for spec in _as_list(plain[index])],
                [get_metric(spec, y_t, y_p) for spec in _as_list(weighted[index])],
            ))
        self.built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        if not self.built:
            self.build(y_true, y_pred)
        flat_pred = flatten_outputs(y_pred, self.output_names)
        flat_true = _match_targets(y_true, self.output_names)
        weights = per_output_sample_weights(sample_weight, self.output_names)
        for index, output in enumerate(self._per_output):
            for metric in output.plain:
                metric.update_state(flat_true[index], flat_pred[index])
            for metric in output.weighted:
                metric.update_state(flat_true[index], flat_pred[index], sample_weight=weights[index])

    def reset_state(self):
        for metric in self.metrics:
            metric.reset_state()

    def result(self):
        """``{name: value}``; names get the output prefix, repeats ``_1``, ``weighted_``."""
        results = {}
        for output in self._per_output:
            for metric in output.plain:
                results[_unique_key(results, _key(output, metric.name))] = metric.result()
            for metric in output.weighted:
                key = _key(output, metric.name)
                if key in results:
                    key = _unique_key(results, _key(output, f"weighted_{metric.name}"))
                results[key] = metric.result()
        return results

    def get_config(self):
        return {"metrics": self.user_metrics, "weighted_metrics": self.user_weighted_metrics}


def _as_list(specs):
    if specs is None:
        return []
    return list(specs) if isinstance(specs, (list, tuple)) else [specs]


def _key(output, name):
    return f"{output.output_name}_{name}" if output.output_name else name


def _unique_key(results, key):
    """``key``, or ``key_1``, ``key_2``... when it is taken."""
    if key not in results:
        return key
    index = 1
    while f"{key}_{index}" in results:
        index += 1
    return f"{key}_{index}"
