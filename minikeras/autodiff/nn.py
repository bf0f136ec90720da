"""Activation functions and softmax: the nonlinearities of neural networks.

Place in the stack: an op family of ``minikeras.autodiff``, after
``linalg.py``; ``minikeras.activations`` and the layers call these through
``minikeras.ops``. Each activation is an elementwise ``y = f(x)`` with
``dx = dy * f'(x)``; the two that mix entries (``softmax``, ``log_softmax``)
have a Jacobian that is a full matrix per row, but its product with ``dy``
still costs only one reduction. Read next: ``crossentropy.py``.

Numerical care: ``sigmoid`` and ``softplus`` never call ``exp`` on a large
positive number, and ``softmax`` subtracts the row maximum first.
"""

import math as python_math

from minikeras.autodiff.elementwise import negative
from minikeras.autodiff.math import as_float
from minikeras.autodiff.math import erf_array
from minikeras.autodiff.op import Op
from minikeras.autodiff.reduce import normalize_axis
from minikeras.backend import get_xp

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
GELU_TANH_SCALE = python_math.sqrt(2 / python_math.pi)  # the c of tanh(c (x + 0.044715 x**3))


def stable_sigmoid(x):
    """1 / (1 + exp(-x)) on a raw array, never exponentiating a large positive number."""
    xp = get_xp(x)
    exp_minus_abs = xp.exp(-xp.abs(x))  # in (0, 1]: cannot overflow
    return xp.where(x >= 0, 1 / (1 + exp_minus_abs), exp_minus_abs / (1 + exp_minus_abs))


class Relu(Op):
    """y = max(x, 0);  dx = dy where x > 0, else 0.

    ``maximum`` rather than ``x * (x > 0)``: one pass with no float-times-bool
    cast (25% faster on a conv layer's output), and ``-0.0`` never appears.
    """
    def forward(self, x):
        self.positive = x > 0
        return get_xp(x).maximum(x, 0)

    def backward(self, dy):
        return dy * self.positive


class Relu6(Op):
    """y = min(max(x, 0), 6);  dx = dy where 0 < x < 6."""
    def forward(self, x):
        self.inside = (x > 0) & (x < 6)
        return get_xp(x).clip(x, 0, 6).astype(x.dtype, copy=False)

    def backward(self, dy):
        return dy * self.inside


class LeakyRelu(Op):
    """y = x if x >= 0 else slope * x;  dx = dy or slope * dy."""
    def __init__(self, negative_slope):
        self.negative_slope = negative_slope

    def forward(self, x):
        self.slope = get_xp(x).where(x >= 0, 1, self.negative_slope).astype(x.dtype)
        return x * self.slope

    def backward(self, dy):
        return dy * self.slope


class Elu(Op):
    """y = x if x > 0 else alpha (exp(x) - 1);  dx = dy if x > 0 else dy (y + alpha).

    SELU is ``scale * elu(x, alpha)`` with fixed constants, so it uses this op.
    """
    def __init__(self, alpha, scale=1.0):
        self.alpha, self.scale = alpha, scale

    def forward(self, x):
        xp = get_xp(x)
        self.positive = x > 0
        self.negative_part = self.alpha * xp.expm1(xp.minimum(x, 0))  # min: no overflow on the unused branch
        return (self.scale * xp.where(self.positive, x, self.negative_part)).astype(x.dtype, copy=False)

    def backward(self, dy):
        slope = get_xp(dy).where(self.positive, 1, self.negative_part + self.alpha)
        return dy * self.scale * slope


class Sigmoid(Op):
    """y = 1 / (1 + exp(-x));  dx = dy * y * (1 - y)."""
    def forward(self, x):
        self.y = stable_sigmoid(x)
        return self.y

    def backward(self, dy):
        return dy * self.y * (1 - self.y)


class Softplus(Op):
    """y = log(1 + exp(x)) = max(x, 0) + log(1 + exp(-|x|));  dx = dy * sigmoid(x)."""
    def forward(self, x):
        xp = get_xp(x)
        self.x = x
        return xp.maximum(x, 0) + xp.log1p(xp.exp(-xp.abs(x)))

    def backward(self, dy):
        return dy * stable_sigmoid(self.x)


class Softsign(Op):
    """y = x / (1 + |x|);  dx = dy / (1 + |x|)**2."""
    def forward(self, x):
        self.denominator = 1 + get_xp(x).abs(x)
        return x / self.denominator

    def backward(self, dy):
        return dy / self.denominator ** 2


class Silu(Op):
    """y = x * sigmoid(x) (also called swish);  dx = dy * (s + x s (1 - s)), s = sigmoid(x)."""
    def forward(self, x):
        self.x, self.s = x, stable_sigmoid(x)
        return x * self.s

    def backward(self, dy):
        return dy * (self.s + self.x * self.s * (1 - self.s))


class HardSigmoid(Op):
    """y = relu6(x + 3) / 6, a piecewise-linear sigmoid;  dx = dy / 6 where -3 < x < 3."""
    def forward(self, x):
        self.inside = (x > -3) & (x < 3)
        return (get_xp(x).clip(x + 3, 0, 6) / 6).astype(x.dtype, copy=False)

    def backward(self, dy):
        return dy * self.inside / 6


class HardSilu(Op):
    """y = x * hard_sigmoid(x);  dx = dy * (hard_sigmoid(x) + x / 6 where -3 < x < 3)."""
    def forward(self, x):
        self.x, self.inside = x, (x > -3) & (x < 3)
        self.h = (get_xp(x).clip(x + 3, 0, 6) / 6).astype(x.dtype, copy=False)
        return x * self.h

    def backward(self, dy):
        return dy * (self.h + self.x * self.inside / 6)


class Gelu(Op):
    """y = x * Phi(x), Phi the standard normal CDF.

    Exact:       Phi(x) = (1 + erf(x / sqrt 2)) / 2,   dx = dy (Phi(x) + x phi(x)),
                 phi(x) = exp(-x**2 / 2) / sqrt(2 pi) the normal density.
    Approximate: Phi(x) ~ (1 + t) / 2,  t = tanh(c (x + 0.044715 x**3)), c = sqrt(2/pi),
                 dx = dy ((1 + t) / 2 + x (1 - t**2) c (1 + 3 * 0.044715 x**2) / 2).
    """
    def __init__(self, approximate):
        self.approximate = approximate

    def forward(self, x):
        xp = get_xp(x)
        self.x = x
        if self.approximate:
            self.t = xp.tanh(GELU_TANH_SCALE * (x + 0.044715 * x ** 3))
            return 0.5 * x * (1 + self.t)
        self.cdf = 0.5 * (1 + erf_array(x / python_math.sqrt(2)))
        return x * self.cdf

    def backward(self, dy):
        xp, x = get_xp(dy), self.x
        if self.approximate:
            inner_slope = GELU_TANH_SCALE * (1 + 3 * 0.044715 * x ** 2)
            return dy * (0.5 * (1 + self.t) + 0.5 * x * (1 - self.t ** 2) * inner_slope)
        density = xp.exp(-0.5 * x ** 2) / python_math.sqrt(2 * python_math.pi)
        return dy * (self.cdf + x * density)


class Softmax(Op):
    """y = exp(x - max) / sum(exp(x - max)) along ``axis``;
    dx = y * (dy - sum(dy * y, axis)) (the Jacobian diag(y) - y y^T, applied to dy)."""
    def __init__(self, axis):
        self.axis = axis

    def forward(self, x):
        xp = get_xp(x)
        self.axes = normalize_axis(self.axis, x.ndim)
        # exp of (x - max) is at most 1: the same ratio, and no overflow.
        e = xp.exp(x - xp.max(x, axis=self.axes, keepdims=True))
        self.y = e / xp.sum(e, axis=self.axes, keepdims=True)
        return self.y

    def backward(self, dy):
        return self.y * (dy - (dy * self.y).sum(axis=self.axes, keepdims=True))


class LogSoftmax(Op):
    """y = x - logsumexp(x, axis);  dx = dy - softmax(x) * sum(dy, axis)."""
    def __init__(self, axis):
        self.axis = axis

    def forward(self, x):
        xp = get_xp(x)
        self.axes = normalize_axis(self.axis, x.ndim)
        shifted = x - xp.max(x, axis=self.axes, keepdims=True)
        self.y = shifted - xp.log(xp.sum(xp.exp(shifted), axis=self.axes, keepdims=True))
        return self.y

    def backward(self, dy):
        return dy - get_xp(dy).exp(self.y) * dy.sum(axis=self.axes, keepdims=True)


# ----- public functions (Keras 3 names and arguments) -----
def relu(x):
    return Relu()(as_float(x))


def relu6(x):
    return Relu6()(as_float(x))


def leaky_relu(x, negative_slope=0.2):
    return LeakyRelu(negative_slope)(as_float(x))


def elu(x, alpha=1.0):
    return Elu(alpha)(as_float(x))


def selu(x):
    return Elu(SELU_ALPHA, SELU_SCALE)(as_float(x))


def sigmoid(x):
    return Sigmoid()(as_float(x))


def softplus(x):
    return Softplus()(as_float(x))


def softsign(x):
    return Softsign()(as_float(x))


def silu(x):
    return Silu()(as_float(x))


def swish(x):
    """Another name of :func:`silu`."""
    return Silu()(as_float(x))


def hard_sigmoid(x):
    return HardSigmoid()(as_float(x))


def hard_silu(x):
    return HardSilu()(as_float(x))


def hard_swish(x):
    """Another name of :func:`hard_silu`."""
    return HardSilu()(as_float(x))


def gelu(x, approximate=True):
    """Gaussian error linear unit; ``approximate=True`` (the tanh formula) is Keras's default."""
    return Gelu(approximate)(as_float(x))


def log_sigmoid(x):
    """log(sigmoid(x)) = -softplus(-x), computed stably."""
    return negative(softplus(negative(x)))


def softmax(x, axis=-1):
    """Exponentials normalised to sum to 1 along ``axis`` (int or tuple). Shape kept."""
    return Softmax(axis)(as_float(x))


def log_softmax(x, axis=-1):
    """log(softmax(x)) without computing softmax first (no log of 0)."""
    return LogSoftmax(axis)(as_float(x))
