"""Regression losses on logarithms and ratios: MSLE, MAPE, log-cosh and Poisson.

Place in the stack: over ``loss.py``, beside ``regression.py`` (read it
first: the same pattern of a per-sample function and its class). Each
function returns the mean over the last axis: shape ``(N, D) -> (N,)``.

Numerical care: logarithms get ``max(y, epsilon)`` or ``y + epsilon``, and a
percentage divides by ``max(|y_true|, epsilon)``, so a zero target never
gives ``inf``. ``log(cosh(x))`` is computed as
``x + softplus(-2x) - log(2)``, which never overflows (``cosh(100)`` does in float32).
"""

import math

from minikeras import backend
from minikeras import ops
from minikeras.losses.loss import Loss
from minikeras.losses.loss import LossFunctionWrapper
from minikeras.losses.regression import _prepare


def mean_squared_logarithmic_error(y_true, y_pred):
    """``mean((log(1 + y_pred) - log(1 + y_true))**2, axis=-1)``, both floored at epsilon.

    Args:
        y_true, y_pred: non-negative values, shape ``(N, D)``.
    Returns:
        Tensor of shape ``(N,)``.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    epsilon = backend.epsilon()
    log_pred = ops.log(ops.maximum(y_pred, epsilon) + 1.0)
    log_true = ops.log(ops.maximum(y_true, epsilon) + 1.0)
    return ops.mean(ops.square(log_pred - log_true), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """``100 * mean(|y_true - y_pred| / max(|y_true|, epsilon), axis=-1)``.

    Args:
        y_true, y_pred: shape ``(N, D)``.
    Returns:
        Tensor of shape ``(N,)``, in percent.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    ratio = ops.abs((y_true - y_pred) / ops.maximum(ops.abs(y_true), backend.epsilon()))
    return 100.0 * ops.mean(ratio, axis=-1)


def log_cosh(y_true, y_pred):
    """``mean(log(cosh(y_pred - y_true)), axis=-1)``: about ``x**2 / 2`` near 0, ``|x| - log 2`` far away.

    Args:
        y_true, y_pred: shape ``(N, D)``.
    Returns:
        Tensor of shape ``(N,)``.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    error = y_pred - y_true
    # cosh(x) = e^x (1 + e^-2x) / 2, so log cosh(x) = x + softplus(-2x) - log 2: no overflow.
    return ops.mean(error + ops.softplus(-2.0 * error) - math.log(2.0), axis=-1)


def poisson(y_true, y_pred):
    """``mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)``: the Poisson negative
    log-likelihood of counts ``y_true`` with rates ``y_pred`` (up to a constant).

    Args:
        y_true: counts, shape ``(N, D)``.
        y_pred: positive rates, same shape.
    Returns:
        Tensor of shape ``(N,)``.
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    return ops.mean(y_pred - y_true * ops.log(y_pred + backend.epsilon()), axis=-1)


# ----- the classes: each config is Keras's {"name", "reduction"} -----
class MeanSquaredLogarithmicError(LossFunctionWrapper):
    """``mean_squared_logarithmic_error`` as a Loss. Args: reduction, name, dtype as in ``Loss``."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(mean_squared_logarithmic_error, name=name, reduction=reduction, dtype=dtype)

    def get_config(self):
        return Loss.get_config(self)


class MeanAbsolutePercentageError(LossFunctionWrapper):
    """``mean_absolute_percentage_error`` as a Loss. Args: reduction, name, dtype as in ``Loss``."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_percentage_error", dtype=None):
        super().__init__(mean_absolute_percentage_error, name=name, reduction=reduction, dtype=dtype)

    def get_config(self):
        return Loss.get_config(self)


class LogCosh(LossFunctionWrapper):
    """``log_cosh`` as a Loss. Args: reduction, name, dtype as in ``Loss``."""

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", dtype=None):
        super().__init__(log_cosh, name=name, reduction=reduction, dtype=dtype)

    def get_config(self):
        return Loss.get_config(self)


class Poisson(LossFunctionWrapper):
    """``poisson`` as a Loss. Args: reduction, name, dtype as in ``Loss``."""

    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(poisson, name=name, reduction=reduction, dtype=dtype)

    def get_config(self):
        return Loss.get_config(self)
