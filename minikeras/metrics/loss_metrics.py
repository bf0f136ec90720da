"""Losses reported as metrics: the epoch's mean of a loss function (crossentropies, hinges, ...).

Place in the stack: over ``reduction.py`` (``MeanMetricWrapper``); read
``regression.py`` first, which does the same for the squared and absolute
errors. Each class here averages one function of ``minikeras.losses`` over
every sample of the epoch (weighted by ``sample_weight``), so
``metrics=[keras.metrics.Poisson()]`` reports what ``loss="poisson"`` would.
Configs are Keras's: ``{"name", "dtype"}`` plus the function's arguments.

``CosineSimilarity`` is the one that rises: as a metric it is the cosine
itself, the negative of the loss of the same name.
"""

from minikeras import losses
from minikeras.metrics.reduction import MeanMetricWrapper


def cosine_similarity(y_true, y_pred, axis=-1):
    """The cosine of the angle between ``y_true`` and ``y_pred`` along ``axis``: ``(N, D) -> (N,)``."""
    return -losses.cosine_similarity(y_true, y_pred, axis=axis)


class _LossMean(MeanMetricWrapper):
    """A loss function's epoch mean; ``arguments`` names the function's keyword
    arguments that are also constructor arguments (and config entries)."""

    function = None
    arguments = ()
    direction = "down"

    def __init__(self, name, dtype=None, **kwargs):
        super().__init__(fn=type(self).function, name=name, dtype=dtype, **kwargs)
        self._direction = self.direction

    def get_config(self):
        config = {"name": self.name, "dtype": self.dtype}
        config.update({argument: self._fn_kwargs[argument] for argument in self.arguments})
        return config


class BinaryCrossentropy(_LossMean):
    """Mean binary crossentropy. Args: name, dtype, from_logits, label_smoothing."""

    function = staticmethod(losses.binary_crossentropy)
    arguments = ("from_logits", "label_smoothing")

    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False, label_smoothing=0):
        super().__init__(name, dtype, from_logits=from_logits, label_smoothing=label_smoothing)


class CategoricalCrossentropy(_LossMean):
    """Mean categorical crossentropy. Args: name, dtype, from_logits, label_smoothing, axis."""

    function = staticmethod(losses.categorical_crossentropy)
    arguments = ("from_logits", "label_smoothing", "axis")

    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False, label_smoothing=0, axis=-1):
        super().__init__(name, dtype, from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(_LossMean):
    """Mean sparse categorical crossentropy. Args: name, dtype, from_logits, ignore_class, axis."""

    function = staticmethod(losses.sparse_categorical_crossentropy)
    arguments = ("from_logits", "ignore_class", "axis")

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False, ignore_class=None,
                 axis=-1):
        super().__init__(name, dtype, from_logits=from_logits, ignore_class=ignore_class, axis=axis)


class KLDivergence(_LossMean):
    """Mean Kullback-Leibler divergence. Args: name, dtype."""

    function = staticmethod(losses.kl_divergence)

    def __init__(self, name="kl_divergence", dtype=None):
        super().__init__(name, dtype)


class Poisson(_LossMean):
    """Mean Poisson loss. Args: name, dtype."""

    function = staticmethod(losses.poisson)

    def __init__(self, name="poisson", dtype=None):
        super().__init__(name, dtype)


class Hinge(_LossMean):
    """Mean hinge loss. Args: name, dtype."""

    function = staticmethod(losses.hinge)

    def __init__(self, name="hinge", dtype=None):
        super().__init__(name, dtype)


class SquaredHinge(_LossMean):
    """Mean squared hinge loss. Args: name, dtype."""

    function = staticmethod(losses.squared_hinge)

    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(name, dtype)


class CategoricalHinge(_LossMean):
    """Mean categorical hinge loss. Args: name, dtype."""

    function = staticmethod(losses.categorical_hinge)

    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(name, dtype)


class LogCoshError(_LossMean):
    """Mean log-cosh error (Keras names it ``"logcosh"``). Args: name, dtype."""

    function = staticmethod(losses.log_cosh)

    def __init__(self, name="logcosh", dtype=None):
        super().__init__(name, dtype)


class MeanAbsolutePercentageError(_LossMean):
    """Mean absolute percentage error. Args: name, dtype."""

    function = staticmethod(losses.mean_absolute_percentage_error)

    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(name, dtype)


class MeanSquaredLogarithmicError(_LossMean):
    """Mean squared logarithmic error. Args: name, dtype."""

    function = staticmethod(losses.mean_squared_logarithmic_error)

    def __init__(self, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(name, dtype)


class CosineSimilarity(_LossMean):
    """Mean cosine between targets and predictions (1 is best). Args: name, dtype, axis
    (Keras leaves ``axis`` out of the config; so does minikeras)."""

    function = staticmethod(cosine_similarity)
    direction = "up"

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(name, dtype, axis=axis)
