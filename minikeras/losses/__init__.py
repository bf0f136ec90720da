"""``minikeras.losses``: what training minimises (Keras's ``keras.losses``).

Place in the stack: beside ``minikeras.trainers``, over ``minikeras.ops``
(losses are made of ops, so the tape differentiates them). Read
``loss.py`` (the base class, sample weights, reductions), then
``probabilistic.py`` (crossentropies: numerical stability) and
``regression.py``.

``get`` turns what ``compile(loss=...)`` receives (``"mse"``,
``"sparse_categorical_crossentropy"``, a Loss, a function, a config dict)
into a callable, and ``resolve_loss`` turns it into the ``Loss`` the trainer
calls (with Keras's rule for ``"crossentropy"``). The name tables below are
the only place names are resolved.
"""

from minikeras.backend.object_lookup import serialize_object
from minikeras.losses.loss import Loss
from minikeras.losses.loss import LossFunctionWrapper
from minikeras.losses.loss import reduce_weighted_values
from minikeras.losses.loss import squeeze_or_expand_to_same_rank
from minikeras.losses.probabilistic import BinaryCrossentropy
from minikeras.losses.probabilistic import CategoricalCrossentropy
from minikeras.losses.probabilistic import KLDivergence
from minikeras.losses.probabilistic import SparseCategoricalCrossentropy
from minikeras.losses.probabilistic import binary_crossentropy
from minikeras.losses.probabilistic import categorical_crossentropy
from minikeras.losses.probabilistic import kl_divergence
from minikeras.losses.probabilistic import sparse_categorical_crossentropy
from minikeras.losses.regression import CosineSimilarity
from minikeras.losses.regression import Hinge
from minikeras.losses.regression import Huber
from minikeras.losses.regression import MeanAbsoluteError
from minikeras.losses.regression import MeanSquaredError
from minikeras.losses.regression import cosine_similarity
from minikeras.losses.regression import hinge
from minikeras.losses.regression import huber
from minikeras.losses.regression import mean_absolute_error
from minikeras.losses.regression import mean_squared_error
from minikeras.utils.naming import to_snake_case

# ----- issue 18: the rest of Keras's losses -----
from minikeras.losses.circle import Circle  # noqa: E402
from minikeras.losses.circle import circle  # noqa: E402
from minikeras.losses.ctc import CTC  # noqa: E402
from minikeras.losses.ctc import ctc  # noqa: E402
from minikeras.losses.focal import BinaryFocalCrossentropy  # noqa: E402
from minikeras.losses.focal import CategoricalFocalCrossentropy  # noqa: E402
from minikeras.losses.focal import CategoricalGeneralizedCrossEntropy  # noqa: E402
from minikeras.losses.focal import binary_focal_crossentropy  # noqa: E402
from minikeras.losses.focal import categorical_focal_crossentropy  # noqa: E402
from minikeras.losses.focal import categorical_generalized_cross_entropy  # noqa: E402
from minikeras.losses.log_and_ratio import LogCosh  # noqa: E402
from minikeras.losses.log_and_ratio import MeanAbsolutePercentageError  # noqa: E402
from minikeras.losses.log_and_ratio import MeanSquaredLogarithmicError  # noqa: E402
from minikeras.losses.log_and_ratio import Poisson  # noqa: E402
from minikeras.losses.log_and_ratio import log_cosh  # noqa: E402
from minikeras.losses.log_and_ratio import mean_absolute_percentage_error  # noqa: E402
from minikeras.losses.log_and_ratio import mean_squared_logarithmic_error  # noqa: E402
from minikeras.losses.log_and_ratio import poisson  # noqa: E402
from minikeras.losses.margin_and_overlap import CategoricalHinge  # noqa: E402
from minikeras.losses.margin_and_overlap import Dice  # noqa: E402
from minikeras.losses.margin_and_overlap import SquaredHinge  # noqa: E402
from minikeras.losses.margin_and_overlap import Tversky  # noqa: E402
from minikeras.losses.margin_and_overlap import categorical_hinge  # noqa: E402
from minikeras.losses.margin_and_overlap import dice  # noqa: E402
from minikeras.losses.margin_and_overlap import squared_hinge  # noqa: E402
from minikeras.losses.margin_and_overlap import tversky  # noqa: E402

# Keras's short aliases.
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
kld = KLD = kullback_leibler_divergence = kl_divergence

# The loss classes, by name (configs name classes).
ALL_CLASSES = {
    "Loss": Loss,
    "LossFunctionWrapper": LossFunctionWrapper,
    "SparseCategoricalCrossentropy": SparseCategoricalCrossentropy,
    "CategoricalCrossentropy": CategoricalCrossentropy,
    "BinaryCrossentropy": BinaryCrossentropy,
    "KLDivergence": KLDivergence,
    "MeanSquaredError": MeanSquaredError,
    "MeanAbsoluteError": MeanAbsoluteError,
    "Huber": Huber,
    "Hinge": Hinge,
    "CosineSimilarity": CosineSimilarity,
    # issue 18
    "BinaryFocalCrossentropy": BinaryFocalCrossentropy,
    "CategoricalFocalCrossentropy": CategoricalFocalCrossentropy,
    "CategoricalGeneralizedCrossEntropy": CategoricalGeneralizedCrossEntropy,
    "LogCosh": LogCosh,
    "MeanAbsolutePercentageError": MeanAbsolutePercentageError,
    "MeanSquaredLogarithmicError": MeanSquaredLogarithmicError,
    "Poisson": Poisson,
    "CategoricalHinge": CategoricalHinge,
    "SquaredHinge": SquaredHinge,
    "Dice": Dice,
    "Tversky": Tversky,
    "Circle": Circle,
    "CTC": CTC,
}

# The loss functions, by every name Keras accepts for them.
ALL_FUNCTIONS = {
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
    "categorical_crossentropy": categorical_crossentropy,
    "binary_crossentropy": binary_crossentropy,
    "kl_divergence": kl_divergence,
    "kld": kl_divergence,
    "KLD": kl_divergence,
    "kullback_leibler_divergence": kl_divergence,
    "mean_squared_error": mean_squared_error,
    "mse": mean_squared_error,
    "MSE": mean_squared_error,
    "mean_absolute_error": mean_absolute_error,
    "mae": mean_absolute_error,
    "MAE": mean_absolute_error,
    "huber": huber,
    "hinge": hinge,
    "cosine_similarity": cosine_similarity,
    # issue 18
    "binary_focal_crossentropy": binary_focal_crossentropy,
    "categorical_focal_crossentropy": categorical_focal_crossentropy,
    "log_cosh": log_cosh,
    "mean_absolute_percentage_error": mean_absolute_percentage_error,
    "mape": mean_absolute_percentage_error,
    "MAPE": mean_absolute_percentage_error,
    "mean_squared_logarithmic_error": mean_squared_logarithmic_error,
    "msle": mean_squared_logarithmic_error,
    "MSLE": mean_squared_logarithmic_error,
    "poisson": poisson,
    "categorical_hinge": categorical_hinge,
    "squared_hinge": squared_hinge,
    "dice": dice,
    "tversky": tversky,
    "circle": circle,
    "ctc": ctc,
}


def serialize(loss):
    """A loss as the ``.keras`` format writes it (a dict for classes, the name for functions)."""
    if isinstance(loss, Loss):
        builtin = ALL_CLASSES.get(type(loss).__name__) is type(loss)
        return serialize_object(loss, "keras.losses", builtin)
    return getattr(loss, "__name__", loss)


def deserialize(config, custom_objects=None):
    """Rebuilds a loss from ``serialize``'s output (a dict or a function name)."""
    custom_objects = custom_objects or {}
    if isinstance(config, str):
        function = custom_objects.get(config) or ALL_FUNCTIONS.get(config)
        if function is None:
            raise ValueError(f"Could not interpret loss identifier: {config}")
        return function
    name = config["class_name"]
    cls = custom_objects.get(name) or ALL_CLASSES.get(name)
    if cls is None:
        raise ValueError(f"Could not interpret loss identifier: {config}")
    return cls.from_config(config["config"])


def get(identifier):
    """Returns the loss for ``identifier``.

    Args:
        identifier: None, a ``Loss`` or any callable (returned as is), a
            function name (``"mse"``, ``"sparse_categorical_crossentropy"``:
            the function), a class name (``"MeanSquaredError"``: a new
            instance), or a ``{"class_name": ..., "config": ...}`` dict.
    Returns:
        A callable ``loss(y_true, y_pred)``, or None.
    """
    if identifier is None or callable(identifier):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        if identifier in ALL_FUNCTIONS:
            return ALL_FUNCTIONS[identifier]
        if identifier in ALL_CLASSES and identifier not in ("Loss", "LossFunctionWrapper"):
            return ALL_CLASSES[identifier]()
    raise ValueError(f"Could not interpret loss identifier: {identifier}")


def resolve_loss(identifier, y_true, y_pred):
    """The ``Loss`` that ``compile(loss=identifier)`` means for these shapes (Keras's ``get_loss``).

    ``"crossentropy"``/``"ce"`` become binary (prediction's last axis is 1),
    sparse categorical (labels of lower rank, or a last axis of 1 against
    several classes) or categorical crossentropy. Anything that is not a
    ``Loss`` is wrapped in a ``LossFunctionWrapper`` named after the string
    given (or the function's snake_case name).

    Args:
        identifier: what the user passed; None means "no loss for this output".
        y_true: a batch of targets (anything with ``.shape``).
        y_pred: a batch of predictions (anything with ``.shape``).
    Returns:
        A ``Loss``, or None.
    """
    if identifier is None:
        return None
    if str(identifier).lower() in ("crossentropy", "ce"):
        true_shape, pred_shape = tuple(y_true.shape), tuple(y_pred.shape)
        if pred_shape[-1] == 1:
            loss = binary_crossentropy
        elif len(true_shape) < len(pred_shape) or (true_shape[-1] == 1 and pred_shape[-1] > 1):
            loss = sparse_categorical_crossentropy
        else:
            loss = categorical_crossentropy
    else:
        loss = get(identifier)
    if isinstance(loss, Loss):
        return loss
    if isinstance(identifier, str):
        name = identifier
    else:
        name = getattr(loss, "name", None) or to_snake_case(getattr(loss, "__name__", type(loss).__name__))
    return LossFunctionWrapper(loss, name=name)
