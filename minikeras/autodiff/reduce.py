"""Reductions: sum, mean, max, var, logsumexp... over axes, with gradients.

Place in the stack: an op family of ``minikeras.autodiff``, after
``math.py``. The backward pass of a reduction spreads the gradient back over
the axes it removed, so it first restores them as size-1 axes (as if
``keepdims=True``) and lets broadcasting do the rest. Cumulative sums live here
too. Read next: ``shape.py``.

Dtypes follow Keras: ``sum`` and ``max`` of integers stay integers, ``mean``
and ``var`` of integers give ``floatx()``, ``argmax`` gives int32.
"""

import builtins

from minikeras.autodiff.math import as_float
from minikeras.autodiff.math import sqrt
from minikeras.autodiff.op import Op
from minikeras.autodiff.shape import reshape
from minikeras.autodiff.tensor import Tensor
from minikeras.autodiff.tensor import as_tensor
from minikeras.backend import get_xp


def normalize_axis(axis, ndim):
    """Returns the reduced axes as a sorted tuple of non-negative ints."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    for a in axes:
        if not -ndim <= a < builtins.max(ndim, 1):
            raise ValueError(f"axis {a} is out of bounds for a tensor of rank {ndim}")
    return tuple(sorted(a % ndim for a in axes)) if ndim else ()


def _keep_dims_shape(x_shape, axes):
    """x's shape with each reduced axis set to 1: (N, C), axis 1 -> (N, 1)."""
    return tuple(1 if i in axes else size for i, size in enumerate(x_shape))


def _count(x_shape, axes):
    """How many entries each output entry summarises."""
    count = 1
    for axis in axes:
        count *= x_shape[axis]
    return count


class Sum(Op):
    """y = x.sum(axis);  dx = dy broadcast back to x's shape."""
    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        self.x_shape = x.shape
        self.axes = normalize_axis(self.axis, x.ndim)
        return x.sum(axis=self.axes, keepdims=self.keepdims, dtype=x.dtype)

    def backward(self, dy):
        dy = dy.reshape(_keep_dims_shape(self.x_shape, self.axes))
        return get_xp(dy).broadcast_to(dy, self.x_shape)


class Mean(Op):
    """y = x.mean(axis);  dx = dy / count, broadcast back (count = reduced size)."""
    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        self.x_shape = x.shape
        self.axes = normalize_axis(self.axis, x.ndim)
        self.count = _count(x.shape, self.axes)
        return x.mean(axis=self.axes, keepdims=self.keepdims)

    def backward(self, dy):
        dy = dy.reshape(_keep_dims_shape(self.x_shape, self.axes)) / self.count
        return get_xp(dy).broadcast_to(dy, self.x_shape)


class Extremum(Op):
    """y = x.max(axis) (or min);  dx = dy shared equally by the entries that
    reached the extremum (ties split the gradient, as TensorFlow and JAX do)."""
    def __init__(self, function_name, axis=None, keepdims=False, initial=None):
        self.function_name, self.axis, self.keepdims = function_name, axis, keepdims
        self.initial = initial

    def forward(self, x):
        xp = get_xp(x)
        self.axes = normalize_axis(self.axis, x.ndim)
        reduce = xp.max if self.function_name == "max" else xp.min
        y = reduce(x, axis=self.axes, keepdims=True)
        if self.initial is not None:
            combine = xp.maximum if self.function_name == "max" else xp.minimum
            y = combine(y, xp.asarray(self.initial, dtype=x.dtype))
        # where x hit the extremum, and how many entries share it
        self.winners = x == y
        self.share = self.winners.sum(axis=self.axes, keepdims=True)
        return y if self.keepdims else y.reshape([s for i, s in enumerate(y.shape) if i not in self.axes])

    def backward(self, dy):
        dy = dy.reshape(self.share.shape)
        return dy * self.winners / get_xp(dy).maximum(self.share, 1)


class Variance(Op):
    """y = mean((x - mean(x))**2);  dx = dy * 2 (x - mean(x)) / count."""
    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        self.axes = normalize_axis(self.axis, x.ndim)
        self.count = _count(x.shape, self.axes)
        self.centered = x - x.mean(axis=self.axes, keepdims=True)
        return (self.centered ** 2).mean(axis=self.axes, keepdims=self.keepdims)

    def backward(self, dy):
        dy = dy.reshape(_keep_dims_shape(self.centered.shape, self.axes))
        return dy * 2 * self.centered / self.count


class LogSumExp(Op):
    """y = log(sum(exp(x)));  dx = dy * softmax(x) = dy * exp(x - y).

    Subtracting the max before ``exp`` keeps ``exp`` from overflowing:
    log(sum(exp(x))) = m + log(sum(exp(x - m))) for any m.
    """
    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        xp = get_xp(x)
        self.axes = normalize_axis(self.axis, x.ndim)
        shift = xp.max(x, axis=self.axes, keepdims=True) if x.size else xp.zeros((), x.dtype)
        shift = xp.where(xp.isfinite(shift), shift, 0)
        y = xp.log(xp.sum(xp.exp(x - shift), axis=self.axes, keepdims=True)) + shift
        self.x, self.y = x, y
        return y if self.keepdims else y.reshape([s for i, s in enumerate(y.shape) if i not in self.axes])

    def backward(self, dy):
        dy = dy.reshape(self.y.shape)
        return dy * get_xp(dy).exp(self.x - self.y)


class CumSum(Op):
    """y_i = x_0 + ... + x_i along ``axis``;  dx_i = dy_i + ... + dy_last
    (a cumulative sum of ``dy`` taken from the end)."""
    def __init__(self, axis):
        self.axis = axis

    def forward(self, x):
        return get_xp(x).cumsum(x, axis=self.axis, dtype=x.dtype)

    def backward(self, dy):
        xp = get_xp(dy)
        return xp.flip(xp.cumsum(xp.flip(dy, self.axis), axis=self.axis), self.axis)


def sum(x, axis=None, keepdims=False):  # noqa: A001  (Keras's name)
    """Sum over ``axis`` (int, tuple, or None for all axes)."""
    x = as_tensor(x)
    if x.dtype == "bool":
        x = as_tensor(x.data.astype("int32"))
    return Sum(axis, keepdims)(x)


def mean(x, axis=None, keepdims=False):
    """Mean over ``axis``; integers average into ``floatx()``."""
    return Mean(axis, keepdims)(as_float(x))


def max(x, axis=None, keepdims=False, initial=None):  # noqa: A001  (Keras's name)
    """Largest entry over ``axis``; with ``initial``, at least ``initial``."""
    return Extremum("max", axis, keepdims, initial)(_nonempty(x, initial, "max"))


def min(x, axis=None, keepdims=False, initial=None):  # noqa: A001  (Keras's name)
    """Smallest entry over ``axis``; with ``initial``, at most ``initial``."""
    return Extremum("min", axis, keepdims, initial)(_nonempty(x, initial, "min"))


def _nonempty(x, initial, function_name):
    x = as_tensor(x)
    if x.size == 0 and initial is None:
        raise ValueError(f"`{function_name}` of an empty tensor (shape {x.shape}) needs `initial`.")
    return x


def var(x, axis=None, keepdims=False):
    """Population variance (divides by the count, as NumPy's default)."""
    return Variance(axis, keepdims)(as_float(x))


def std(x, axis=None, keepdims=False):
    """Population standard deviation, ``sqrt(var(x))``."""
    return sqrt(var(x, axis, keepdims))


def logsumexp(x, axis=None, keepdims=False):
    """``log(sum(exp(x), axis))``, computed without overflow."""
    return LogSumExp(axis, keepdims)(as_float(x))


def cumsum(x, axis=None, dtype=None):
    """Running sum along ``axis`` (None: over the flattened tensor)."""
    x = as_tensor(x, dtype=dtype) if dtype is not None else as_tensor(x)
    if axis is None:
        x, axis = reshape(x, (-1,)), 0
    return CumSum(axis)(x)


# ----- index and truth results: no gradient -----
def argmax(x, axis=None, keepdims=False):
    """Index of the largest entry (int32, as Keras); None: over the flattened tensor."""
    x = as_tensor(x)
    return Tensor(get_xp(x.data).argmax(x.data, axis=axis, keepdims=keepdims).astype("int32"))


def argmin(x, axis=None, keepdims=False):
    """Index of the smallest entry (int32, as Keras)."""
    x = as_tensor(x)
    return Tensor(get_xp(x.data).argmin(x.data, axis=axis, keepdims=keepdims).astype("int32"))


def any(x, axis=None, keepdims=False):  # noqa: A001  (Keras's name)
    x = as_tensor(x)
    return Tensor(get_xp(x.data).any(x.data, axis=axis, keepdims=keepdims))


def all(x, axis=None, keepdims=False):  # noqa: A001  (Keras's name)
    x = as_tensor(x)
    return Tensor(get_xp(x.data).all(x.data, axis=axis, keepdims=keepdims))


def count_nonzero(x, axis=None):
    x = as_tensor(x)
    return Tensor(get_xp(x.data).asarray(get_xp(x.data).count_nonzero(x.data, axis=axis), dtype="int32"))
