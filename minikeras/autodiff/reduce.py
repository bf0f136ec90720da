"""Reductions: sum, mean, max... over axes, with gradients.

Place in the stack: an op family of ``minikeras.autodiff``. The backward pass
of a reduction spreads the gradient back over the axes it removed, so it
first restores them as size-1 axes (``keepdims``) and lets broadcasting do
the rest. Read next: ``shape.py``.
"""

from minikeras.autodiff.op import Op
from minikeras.backend import get_xp


def _normalize_axis(axis, ndim):
    """Returns the reduced axes as a sorted tuple of non-negative ints."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    return tuple(sorted(a % ndim for a in axes)) if ndim else ()


def _keep_dims_shape(x_shape, axes):
    """x's shape with each reduced axis set to 1: (N, C), axis 1 -> (N, 1)."""
    return tuple(1 if i in axes else size for i, size in enumerate(x_shape))


class Sum(Op):
    """y = x.sum(axis);  dx = dy broadcast back to x's shape."""
    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        self.x_shape = x.shape
        self.axes = _normalize_axis(self.axis, x.ndim)
        return x.sum(axis=self.axes, keepdims=self.keepdims)

    def backward(self, dy):
        dy = dy.reshape(_keep_dims_shape(self.x_shape, self.axes))
        return get_xp(dy).broadcast_to(dy, self.x_shape)


class Mean(Op):
    """y = x.mean(axis);  dx = dy / count, broadcast back (count = reduced size)."""
    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        self.x_shape = x.shape
        self.axes = _normalize_axis(self.axis, x.ndim)
        self.count = 1
        for axis in self.axes:
            self.count *= x.shape[axis]
        return x.mean(axis=self.axes, keepdims=self.keepdims)

    def backward(self, dy):
        dy = dy.reshape(_keep_dims_shape(self.x_shape, self.axes)) / self.count
        return get_xp(dy).broadcast_to(dy, self.x_shape)


def sum(x, axis=None, keepdims=False):  # noqa: A001  (Keras's name)
    return Sum(axis, keepdims)(x)


def mean(x, axis=None, keepdims=False):
    return Mean(axis, keepdims)(x)
