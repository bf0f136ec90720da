"""The activation functions of ``keras.activations``, written over ``minikeras.ops``.

Place in the stack: above ``minikeras.ops`` (which holds the differentiable
ops and their gradients), below the layers (``Dense(activation="relu")``
looks a name up in ``__init__.py`` of this package). Each function here is a
thin, readable composition: the gradients come for free from the ops it
calls. Read the op files in ``minikeras/autodiff/`` to see those gradients.

Every function takes a tensor (or array) ``x`` of any shape and returns a
tensor of the same shape.
"""

from minikeras import ops


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit, with Keras's optional variants.

    With the defaults it is ``max(x, 0)``. Otherwise: ``x`` for
    ``threshold <= x < max_value``, ``max_value`` above it, and
    ``negative_slope * (x - threshold)`` below the threshold.

    Args:
        x: input tensor, any shape.
        negative_slope: slope below the threshold (0.0).
        max_value: optional saturation value.
        threshold: where the function switches from the slope to ``x``.
    Returns:
        A tensor of the shape of ``x``.
    """
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return ops.relu(x)
    if negative_slope != 0.0 and max_value is None and threshold == 0.0:
        return ops.leaky_relu(x, negative_slope=negative_slope)
    # 1. The part below the threshold, scaled by the slope at the end.
    negative_part = ops.relu(ops.subtract(threshold, x)) if negative_slope != 0.0 else None
    # 2. The part above: x where x > threshold, else 0 (Keras's convention).
    if threshold != 0.0:
        x = ops.multiply(x, ops.cast(ops.greater(x, threshold), ops.dtype(x)))
    else:
        x = ops.relu(x)
    # 3. Saturate at max_value.
    if max_value is not None:
        x = ops.clip(x, 0.0, max_value)
    if negative_part is not None:
        x = ops.subtract(x, ops.multiply(negative_slope, negative_part))
    return x


def leaky_relu(x, negative_slope=0.2):
    """``x`` if ``x >= 0`` else ``negative_slope * x``."""
    return ops.leaky_relu(x, negative_slope=negative_slope)


def relu6(x):
    """``min(max(x, 0), 6)``."""
    return ops.relu6(x)


def sigmoid(x):
    """``1 / (1 + exp(-x))``, values in (0, 1)."""
    return ops.sigmoid(x)


def tanh(x):
    """Hyperbolic tangent, values in (-1, 1)."""
    return ops.tanh(x)


def softmax(x, axis=-1):
    """``exp(x) / sum(exp(x))`` along ``axis``: each slice sums to 1.

    Args:
        x: input tensor, at least 1D.
        axis: the axis that becomes a probability distribution (-1).
    """
    return ops.softmax(x, axis=axis)


def log_softmax(x, axis=-1):
    """``log(softmax(x))``, computed stably as ``x - logsumexp(x)``."""
    return ops.log_softmax(x, axis=axis)


def softplus(x):
    """``log(1 + exp(x))``, a smooth ReLU."""
    return ops.softplus(x)


def softsign(x):
    """``x / (1 + |x|)``."""
    return ops.softsign(x)


def gelu(x, approximate=False):
    """Gaussian error linear unit ``x * Phi(x)``.

    Args:
        x: input tensor.
        approximate: use the tanh approximation. Note that the activation
            defaults to the exact (erf) form, while ``ops.gelu`` defaults to
            the approximation: the same split as in Keras.
    """
    return ops.gelu(x, approximate=approximate)


def silu(x):
    """Sigmoid linear unit (also called swish): ``x * sigmoid(x)``."""
    return ops.silu(x)


def elu(x, alpha=1.0):
    """``x`` if ``x > 0`` else ``alpha * (exp(x) - 1)``."""
    return ops.elu(x, alpha=alpha)


def selu(x):
    """Scaled ELU: ``scale * elu(x, alpha)`` with the self-normalising constants
    ``alpha = 1.67326324`` and ``scale = 1.05070098``."""
    return ops.selu(x)


def hard_sigmoid(x):
    """A piecewise linear sigmoid: 0 below -3, 1 above 3, ``x / 6 + 0.5`` between."""
    return ops.hard_sigmoid(x)


def hard_silu(x):
    """``x * hard_sigmoid(x)`` (also called hard swish)."""
    return ops.multiply(x, ops.hard_sigmoid(x))


def log_sigmoid(x):
    """``log(sigmoid(x)) = -softplus(-x)``."""
    return ops.negative(ops.softplus(ops.negative(x)))


def mish(x):
    """``x * tanh(softplus(x))``."""
    return ops.multiply(x, ops.tanh(ops.softplus(x)))


def exponential(x):
    """``exp(x)``."""
    return ops.exp(x)


def linear(x):
    """The identity: returns ``x`` unchanged (the default of Dense and Conv)."""
    return x
