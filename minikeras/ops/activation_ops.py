"""More activation functions of ``keras.ops.nn``: celu, glu, hard_tanh, the shrink family, sparse_plus,
sparse_sigmoid, squareplus, threshold.

Place in the stack: in ``minikeras.ops`` beside ``nn.py`` (read it first).
Each function is a short composition of differentiable ops (``where``,
``clip``, ``exp``...), so its gradient comes from theirs, and each records a
graph node when called on KerasTensors (``symbolic.py``). With ``x`` any shape:

    celu(x)         = max(x, 0) + alpha * min(exp(x / alpha) - 1, 0)
    glu(x)          = a * sigmoid(b), a and b the two halves of x along ``axis``
    hard_tanh(x)    = clip(x, -1, 1)
    hard_shrink(x)  = x where |x| > t, else 0
    soft_shrink(x)  = x - t above t, x + t below -t, else 0
    tanh_shrink(x)  = x - tanh(x)
    sparse_plus(x)  = 0 below -1, x above 1, (x + 1)**2 / 4 between
    sparse_sigmoid(x) = clip(x + 1, 0, 2) / 2
    squareplus(x)   = (x + sqrt(x**2 + b)) / 2
    threshold(x)    = x where x > threshold, else default_value
"""

from minikeras.autodiff import combine
from minikeras.autodiff import elementwise
from minikeras.autodiff import math
from minikeras.autodiff import nn
from minikeras.autodiff.math import as_float
from minikeras.ops.symbolic import functional_aware


def _zeros_like(x):
    return elementwise.multiply(x, 0.0)


@functional_aware
def celu(x, alpha=1.0):
    """Continuously differentiable ELU: ``max(x, 0) + alpha * min(exp(x / alpha) - 1, 0)``."""
    x = as_float(x)
    negative = elementwise.multiply(elementwise.minimum(math.expm1(elementwise.divide(x, alpha)), 0.0), alpha)
    return elementwise.add(elementwise.maximum(x, 0.0), negative)


@functional_aware
def glu(x, axis=-1):
    """Gated linear unit: the first half of ``axis`` times the sigmoid of the second half.

    Shape: ``(..., 2 D)`` -> ``(..., D)`` along ``axis``.
    """
    x = as_float(x)
    if x.shape[axis] % 2:
        raise ValueError(f"glu: axis {axis} must have an even size, to be split in two halves. "
                         f"Received: x.shape={tuple(x.shape)}")
    values, gates = combine.split(x, 2, axis=axis)
    return elementwise.multiply(values, nn.sigmoid(gates))


@functional_aware
def hard_tanh(x):
    """``clip(x, -1, 1)``."""
    return elementwise.clip(as_float(x), -1.0, 1.0)


@functional_aware
def hard_shrink(x, threshold=0.5):
    """``x`` where ``|x| > threshold``, else 0."""
    x = as_float(x)
    return elementwise.where(elementwise.greater(elementwise.abs(x), threshold), x, _zeros_like(x))


@functional_aware
def soft_shrink(x, threshold=0.5):
    """Moves ``x`` towards 0 by ``threshold``; entries within ``threshold`` of 0 become 0."""
    x = as_float(x)
    shrunk_down = elementwise.where(elementwise.less(x, -threshold), elementwise.add(x, threshold), _zeros_like(x))
    return elementwise.where(elementwise.greater(x, threshold), elementwise.subtract(x, threshold), shrunk_down)


@functional_aware
def tanh_shrink(x):
    """``x - tanh(x)``."""
    x = as_float(x)
    return elementwise.subtract(x, math.tanh(x))


@functional_aware
def sparse_plus(x):
    """A softplus made of pieces: 0 below -1, ``x`` above 1, ``(x + 1)**2 / 4`` between."""
    x = as_float(x)
    middle = elementwise.divide(math.square(elementwise.add(x, 1.0)), 4.0)
    upper = elementwise.where(elementwise.greater_equal(x, 1.0), x, middle)
    return elementwise.where(elementwise.less_equal(x, -1.0), _zeros_like(x), upper)


@functional_aware
def sparse_sigmoid(x):
    """A sigmoid made of pieces: ``clip(x + 1, 0, 2) / 2``."""
    x = as_float(x)
    return elementwise.multiply(elementwise.clip(elementwise.add(x, 1.0), 0.0, 2.0), 0.5)


@functional_aware
def squareplus(x, b=4):
    """``(x + sqrt(x**2 + b)) / 2``: a smooth ReLU from a square root."""
    x = as_float(x)
    return elementwise.multiply(elementwise.add(x, math.sqrt(elementwise.add(math.square(x), float(b)))), 0.5)


@functional_aware
def threshold(x, threshold, default_value):  # noqa: F811  (Keras's argument name)
    """``x`` where ``x > threshold``, else ``default_value``."""
    x = as_float(x)
    default = elementwise.add(_zeros_like(x), float(default_value))
    return elementwise.where(elementwise.greater(x, threshold), x, default)


__all__ = ["celu", "glu", "hard_shrink", "hard_tanh", "soft_shrink", "sparse_plus", "sparse_sigmoid",
           "squareplus", "tanh_shrink", "threshold"]
