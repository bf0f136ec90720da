"""``minikeras.metrics``: what training reports (Keras's ``keras.metrics``).

Place in the stack: beside ``minikeras.trainers``, which updates the
metrics after each batch and prints their results. Read ``metric.py`` (the
base class and its state variables), then ``reduction.py`` (Mean),
``accuracy.py``, ``confusion.py`` (Precision, Recall, AUC) and
``regression.py``.

``get`` turns what ``compile(metrics=[...])`` receives (``"mae"``,
``"sparse_categorical_accuracy"``, a Metric, a function, a config dict) into
a metric or a function; ``resolve_metric`` adds Keras's rule for the
ambiguous ``"accuracy"`` and always returns a ``Metric``. The name tables
below are the only place names are resolved.
"""

from minikeras import losses
from minikeras.backend.object_lookup import serialize_object
from minikeras.metrics.accuracy import Accuracy
from minikeras.metrics.accuracy import BinaryAccuracy
from minikeras.metrics.accuracy import CategoricalAccuracy
from minikeras.metrics.accuracy import SparseCategoricalAccuracy
from minikeras.metrics.accuracy import SparseTopKCategoricalAccuracy
from minikeras.metrics.accuracy import TopKCategoricalAccuracy
from minikeras.metrics.accuracy import accuracy
from minikeras.metrics.accuracy import binary_accuracy
from minikeras.metrics.accuracy import categorical_accuracy
from minikeras.metrics.accuracy import sparse_categorical_accuracy
from minikeras.metrics.accuracy import sparse_top_k_categorical_accuracy
from minikeras.metrics.accuracy import top_k_categorical_accuracy
from minikeras.metrics.confusion import AUC
from minikeras.metrics.confusion import Precision
from minikeras.metrics.confusion import Recall
from minikeras.metrics.metric import Metric
from minikeras.metrics.reduction import Mean
from minikeras.metrics.reduction import MeanMetricWrapper
from minikeras.metrics.reduction import Sum
from minikeras.metrics.regression import MeanAbsoluteError
from minikeras.metrics.regression import MeanSquaredError
from minikeras.metrics.regression import RootMeanSquaredError
from minikeras.utils.naming import to_snake_case

# ----- issue 18: the rest of Keras's metrics -----
from minikeras.metrics.loss_metrics import BinaryCrossentropy  # noqa: E402
from minikeras.metrics.loss_metrics import CategoricalCrossentropy  # noqa: E402
from minikeras.metrics.loss_metrics import SparseCategoricalCrossentropy  # noqa: E402
from minikeras.metrics.loss_metrics import KLDivergence  # noqa: E402
from minikeras.metrics.loss_metrics import Poisson  # noqa: E402
from minikeras.metrics.loss_metrics import Hinge  # noqa: E402
from minikeras.metrics.loss_metrics import SquaredHinge  # noqa: E402
from minikeras.metrics.loss_metrics import CategoricalHinge  # noqa: E402
from minikeras.metrics.loss_metrics import LogCoshError  # noqa: E402
from minikeras.metrics.loss_metrics import MeanAbsolutePercentageError  # noqa: E402
from minikeras.metrics.loss_metrics import MeanSquaredLogarithmicError  # noqa: E402
from minikeras.metrics.loss_metrics import CosineSimilarity  # noqa: E402
from minikeras.metrics.condition_counts import TruePositives  # noqa: E402
from minikeras.metrics.condition_counts import FalsePositives  # noqa: E402
from minikeras.metrics.condition_counts import TrueNegatives  # noqa: E402
from minikeras.metrics.condition_counts import FalseNegatives  # noqa: E402
from minikeras.metrics.f_score import FBetaScore  # noqa: E402
from minikeras.metrics.f_score import F1Score  # noqa: E402
from minikeras.metrics.r2_score import R2Score  # noqa: E402
from minikeras.losses import binary_crossentropy  # noqa: E402
from minikeras.losses import binary_focal_crossentropy  # noqa: E402
from minikeras.losses import categorical_crossentropy  # noqa: E402
from minikeras.losses import categorical_focal_crossentropy  # noqa: E402
from minikeras.losses import categorical_hinge  # noqa: E402
from minikeras.losses import hinge  # noqa: E402
from minikeras.losses import huber  # noqa: E402
from minikeras.losses import kl_divergence  # noqa: E402
from minikeras.losses import log_cosh  # noqa: E402
from minikeras.losses import mean_absolute_error  # noqa: E402
from minikeras.losses import mean_absolute_percentage_error  # noqa: E402
from minikeras.losses import mean_squared_error  # noqa: E402
from minikeras.losses import mean_squared_logarithmic_error  # noqa: E402
from minikeras.losses import poisson  # noqa: E402
from minikeras.losses import sparse_categorical_crossentropy  # noqa: E402
from minikeras.losses import squared_hinge  # noqa: E402

from minikeras.metrics.iou import IoU  # noqa: E402
from minikeras.metrics.iou import BinaryIoU  # noqa: E402
from minikeras.metrics.iou import MeanIoU  # noqa: E402
from minikeras.metrics.iou import OneHotIoU  # noqa: E402
from minikeras.metrics.iou import OneHotMeanIoU  # noqa: E402
from minikeras.metrics.correlation_and_thresholds import PearsonCorrelation  # noqa: E402
from minikeras.metrics.correlation_and_thresholds import ConcordanceCorrelation  # noqa: E402
from minikeras.metrics.correlation_and_thresholds import PrecisionAtRecall  # noqa: E402
from minikeras.metrics.correlation_and_thresholds import RecallAtPrecision  # noqa: E402
from minikeras.metrics.correlation_and_thresholds import SensitivityAtSpecificity  # noqa: E402
from minikeras.metrics.correlation_and_thresholds import SpecificityAtSensitivity  # noqa: E402
from minikeras.metrics.correlation_and_thresholds import pearson_correlation  # noqa: E402
from minikeras.metrics.correlation_and_thresholds import concordance_correlation  # noqa: E402

# Metric classes by class name and by snake_case name, plus Keras's short aliases.
ALL_CLASSES = {
    "Mean": Mean,
    "Sum": Sum,
    "Accuracy": Accuracy,
    "BinaryAccuracy": BinaryAccuracy,
    "CategoricalAccuracy": CategoricalAccuracy,
    "SparseCategoricalAccuracy": SparseCategoricalAccuracy,
    "TopKCategoricalAccuracy": TopKCategoricalAccuracy,
    "SparseTopKCategoricalAccuracy": SparseTopKCategoricalAccuracy,
    "Precision": Precision,
    "Recall": Recall,
    "AUC": AUC,
    "MeanSquaredError": MeanSquaredError,
    "MeanAbsoluteError": MeanAbsoluteError,
    "RootMeanSquaredError": RootMeanSquaredError,
    # issue 18
    "BinaryCrossentropy": BinaryCrossentropy,
    "CategoricalCrossentropy": CategoricalCrossentropy,
    "SparseCategoricalCrossentropy": SparseCategoricalCrossentropy,
    "KLDivergence": KLDivergence,
    "Poisson": Poisson,
    "Hinge": Hinge,
    "SquaredHinge": SquaredHinge,
    "CategoricalHinge": CategoricalHinge,
    "LogCoshError": LogCoshError,
    "MeanAbsolutePercentageError": MeanAbsolutePercentageError,
    "MeanSquaredLogarithmicError": MeanSquaredLogarithmicError,
    "CosineSimilarity": CosineSimilarity,
    "TruePositives": TruePositives,
    "FalsePositives": FalsePositives,
    "TrueNegatives": TrueNegatives,
    "FalseNegatives": FalseNegatives,
    "FBetaScore": FBetaScore,
    "F1Score": F1Score,
    "R2Score": R2Score,
    "IoU": IoU,
    "BinaryIoU": BinaryIoU,
    "MeanIoU": MeanIoU,
    "OneHotIoU": OneHotIoU,
    "OneHotMeanIoU": OneHotMeanIoU,
    "PearsonCorrelation": PearsonCorrelation,
    "ConcordanceCorrelation": ConcordanceCorrelation,
    "PrecisionAtRecall": PrecisionAtRecall,
    "RecallAtPrecision": RecallAtPrecision,
    "SensitivityAtSpecificity": SensitivityAtSpecificity,
    "SpecificityAtSensitivity": SpecificityAtSensitivity,
}
NAMES = {
    "mean": Mean,
    "sum": Sum,
    "binary_accuracy": BinaryAccuracy,
    "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "top_k_categorical_accuracy": TopKCategoricalAccuracy,
    "sparse_top_k_categorical_accuracy": SparseTopKCategoricalAccuracy,
    "precision": Precision,
    "recall": Recall,
    "auc": AUC,
    "mean_squared_error": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError,
    "root_mean_squared_error": RootMeanSquaredError,
    "mse": MeanSquaredError,
    "MSE": MeanSquaredError,
    "mae": MeanAbsoluteError,
    "MAE": MeanAbsoluteError,
    # issue 18
    "binary_crossentropy": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "kl_divergence": KLDivergence,
    "poisson": Poisson,
    "hinge": Hinge,
    "squared_hinge": SquaredHinge,
    "categorical_hinge": CategoricalHinge,
    "log_cosh_error": LogCoshError,
    "mean_absolute_percentage_error": MeanAbsolutePercentageError,
    "mean_squared_logarithmic_error": MeanSquaredLogarithmicError,
    "cosine_similarity": CosineSimilarity,
    "true_positives": TruePositives,
    "false_positives": FalsePositives,
    "true_negatives": TrueNegatives,
    "false_negatives": FalseNegatives,
    "f_beta_score": FBetaScore,
    "f1_score": F1Score,
    "r2_score": R2Score,
    "mape": MeanAbsolutePercentageError,
    "MAPE": MeanAbsolutePercentageError,
    "msle": MeanSquaredLogarithmicError,
    "MSLE": MeanSquaredLogarithmicError,
}
# "accuracy" alone names the exact-match function (resolve_metric refines it).
FUNCTIONS = {"accuracy": accuracy}


def serialize(metric):
    """A metric as the ``.keras`` format writes it (a dict; a function's name)."""
    if isinstance(metric, Metric):
        builtin = ALL_CLASSES.get(type(metric).__name__) is type(metric)
        return serialize_object(metric, "keras.metrics", builtin)
    return getattr(metric, "__name__", metric)


def deserialize(config, custom_objects=None):
    """Rebuilds a metric from ``serialize``'s output."""
    custom_objects = custom_objects or {}
    if isinstance(config, str):
        return get(custom_objects.get(config, config))
    name = config["class_name"]
    cls = custom_objects.get(name) or ALL_CLASSES.get(name)
    if cls is None:
        raise ValueError(f"Could not interpret metric identifier: {config}")
    return cls.from_config(config["config"])


def get(identifier):
    """Returns the metric (or metric function) for ``identifier``.

    Args:
        identifier: a ``Metric`` or a function (returned as is), a name
            (``"mae"``, ``"SparseCategoricalAccuracy"``: a new Metric;
            ``"accuracy"``: the exact-match function; a loss function's name:
            that function), or a config dict.
    """
    if isinstance(identifier, Metric) or (callable(identifier) and not isinstance(identifier, type)):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        if identifier in FUNCTIONS:
            return FUNCTIONS[identifier]
        cls = ALL_CLASSES.get(identifier) or NAMES.get(identifier)
        if cls is not None:
            return cls()
        if identifier in losses.ALL_FUNCTIONS:
            # A loss reported as a metric ("binary_crossentropy"): its mean.
            return losses.ALL_FUNCTIONS[identifier]
    raise ValueError(f"Could not interpret metric identifier: {identifier}")


def is_binary_or_sparse_categorical(y_true, y_pred):
    """Keras's shape rule: ``(is_binary, is_sparse_categorical)``.

    Binary when the prediction's last axis has size 1; sparse when the
    labels have a lower rank than the predictions, or a last axis of size 1
    against several classes.
    """
    true_shape, pred_shape = tuple(y_true.shape), tuple(y_pred.shape)
    is_binary = pred_shape[-1] == 1
    is_sparse = len(true_shape) < len(pred_shape) or (true_shape[-1] == 1 and pred_shape[-1] > 1)
    return is_binary, is_sparse


def _object_name(obj):
    if hasattr(obj, "name"):
        return obj.name
    if hasattr(obj, "__name__"):
        return to_snake_case(obj.__name__)
    return to_snake_case(type(obj).__name__)


def resolve_metric(identifier, y_true, y_pred, loss=None):
    """The Metric ``compile(metrics=[identifier])`` means for these shapes.

    ``"accuracy"``/``"acc"`` become BinaryAccuracy (prediction's last axis is
    1), SparseCategoricalAccuracy (integer labels) or CategoricalAccuracy;
    a function is wrapped in a ``MeanMetricWrapper``. As in Keras, a string
    identifier stays the metric's name (the history key: ``"acc"``, ``"mae"``);
    the loss plays no part in the choice (it is accepted for callers' convenience).

    Args:
        identifier: what the user passed (string, Metric, function, class).
        y_true: a batch of targets (anything with ``.shape``).
        y_pred: a batch of predictions (anything with ``.shape``).
        loss: the compiled loss (unused: Keras decides from shapes only).
    Returns:
        A ``Metric``.
    """
    if identifier is None:
        raise ValueError("Expected metric, received `None`")
    if str(identifier).lower() in ("accuracy", "acc"):
        is_binary, is_sparse = is_binary_or_sparse_categorical(y_true, y_pred)
        if is_binary:
            metric = BinaryAccuracy(name=str(identifier))
        elif is_sparse:
            metric = SparseCategoricalAccuracy(name=str(identifier))
        else:
            metric = CategoricalAccuracy(name=str(identifier))
    else:
        metric = get(identifier)
    name = identifier if isinstance(identifier, str) else _object_name(metric)
    if not isinstance(metric, Metric):
        metric = MeanMetricWrapper(metric, name=name)
    metric.name = name
    return metric
