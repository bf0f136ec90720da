"""Products along an axis (prod, cumprod) and array rearrangements built from other ops (roll, diff, kron).

Place in the stack: an op family of ``minikeras.autodiff``; read
``reduce.py`` first (``Sum`` and ``CumSum``: the same shapes).

The gradient of a product must not divide by the entries: ``x / x_i`` fails
where ``x_i = 0``, and a product with a zero still has a gradient there. So
``Prod`` multiplies the products of the entries *before* and *after* each
one (exclusive cumulative products from both ends):

    y = x_0 * ... * x_{n-1};   dx_i = dy * (x_0 ... x_{i-1}) * (x_{i+1} ... x_{n-1})

``CumProd`` (``y_i = x_0 * ... * x_i``) uses ``dx_k = (x_0 ... x_{k-1}) * S_k``
with ``S_k = dy_k + x_{k+1} * S_{k+1}`` run from the end: again no division.

``roll``, ``diff`` and ``kron`` only slice, subtract, concatenate and
multiply, so their gradients come from those ops. Read next: ``linalg.py``.
"""

from minikeras.autodiff import combine
from minikeras.autodiff import elementwise
from minikeras.autodiff import shape as shape_ops
from minikeras.autodiff.op import Op
from minikeras.autodiff.reduce import normalize_axis
from minikeras.autodiff.tensor import as_tensor
from minikeras.backend import get_xp


def _exclusive_cumprod(x, axis, reverse=False):
    """Products of the entries strictly before each one along ``axis`` (after, with ``reverse``)."""
    xp = get_xp(x)
    if reverse:
        return xp.flip(_exclusive_cumprod(xp.flip(x, axis), axis), axis)
    ones = xp.ones_like(xp.take(x, [0], axis=axis))
    shifted = xp.concatenate([ones, xp.take(x, range(x.shape[axis] - 1), axis=axis)], axis=axis)
    return xp.cumprod(shifted, axis=axis)


class Prod(Op):
    """y = prod(x, axis);  dx_i = dy * (product of the other entries), with no division (zeros are fine)."""
    def __init__(self, axis, keepdims):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        self.x = x
        self.axes = normalize_axis(self.axis, x.ndim)
        return get_xp(x).prod(x, axis=self.axes, keepdims=self.keepdims, dtype=x.dtype)  # int32 stays int32

    def backward(self, dy):
        xp = get_xp(dy)
        # Each reduced axis in turn: flatten them into one axis, last, to take the products along it.
        kept = [axis for axis in range(self.x.ndim) if axis not in self.axes]
        moved = xp.transpose(self.x, kept + list(self.axes))
        flat = moved.reshape(moved.shape[:len(kept)] + (-1,))  # (kept..., prod of reduced sizes)
        others = _exclusive_cumprod(flat, -1) * _exclusive_cumprod(flat, -1, reverse=True)
        if not self.keepdims:
            dy = xp.expand_dims(dy, self.axes)
        dy_moved = xp.transpose(dy, kept + list(self.axes)).reshape(flat.shape[:-1] + (1,))
        dx_moved = (others * dy_moved).reshape(moved.shape)
        return xp.transpose(dx_moved, xp.argsort(kept + list(self.axes)))


class CumProd(Op):
    """y_i = x_0 * ... * x_i along ``axis``;  dx_k = (x_0 ... x_{k-1}) * S_k, S_k = dy_k + x_{k+1} S_{k+1}."""
    def __init__(self, axis):
        self.axis = axis

    def forward(self, x):
        self.x = x
        return get_xp(x).cumprod(x, axis=self.axis, dtype=x.dtype)

    def backward(self, dy):
        xp = get_xp(dy)
        x, dy = xp.moveaxis(self.x, self.axis, 0), xp.moveaxis(dy, self.axis, 0)  # the axis first
        running = xp.zeros_like(dy[0])
        sums = xp.empty_like(dy)
        for k in range(dy.shape[0] - 1, -1, -1):  # S_k from the end
            running = dy[k] + (x[k + 1] * running if k + 1 < dy.shape[0] else 0)
            sums[k] = running
        return xp.moveaxis(_exclusive_cumprod(x, 0) * sums, 0, self.axis)


def _integer_if_bool(x):
    return as_tensor(x.data.astype("int32")) if x.dtype == "bool" else x


def prod(x, axis=None, keepdims=False, dtype=None):
    """Product over ``axis`` (int, tuple, or None for all entries); booleans multiply as int32."""
    x = _integer_if_bool(as_tensor(x, dtype=dtype) if dtype is not None else as_tensor(x))
    return Prod(axis, keepdims)(x)


def cumprod(x, axis=None, dtype=None):
    """Running product along ``axis`` (None: over the flattened tensor); booleans multiply as int32."""
    x = _integer_if_bool(as_tensor(x, dtype=dtype) if dtype is not None else as_tensor(x))
    if axis is None:
        x, axis = shape_ops.reshape(x, (-1,)), 0
    return CumProd(axis % x.ndim)(x)


def roll(x, shift, axis=None):
    """Entries shifted by ``shift`` along ``axis``, wrapping around (None: over the flattened tensor).

    Built from two slices and a concatenation: ``roll([0, 1, 2, 3], 1) = [3] + [0, 1, 2]``.
    """
    x = as_tensor(x)
    if axis is None:
        return shape_ops.reshape(roll(shape_ops.reshape(x, (-1,)), shift, 0), x.shape)
    shifts = (shift,) if isinstance(shift, int) else tuple(shift)
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    for one_shift, one_axis in zip(shifts, axes):
        size = x.shape[one_axis]
        cut = size - one_shift % size if size else 0
        head = combine.take(x, list(range(cut, size)), axis=one_axis)
        tail = combine.take(x, list(range(cut)), axis=one_axis)
        x = combine.concatenate([head, tail], axis=one_axis)
    return x


def diff(a, n=1, axis=-1):
    """``a[1:] - a[:-1]`` along ``axis``, ``n`` times: the size along ``axis`` shrinks by ``n``."""
    a = as_tensor(a)
    for _ in range(n):
        size = a.shape[axis]
        a = elementwise.subtract(combine.take(a, list(range(1, size)), axis=axis),
                                 combine.take(a, list(range(size - 1)), axis=axis))
    return a


def kron(x1, x2):
    """Kronecker product: every entry of ``x1`` times the whole ``x2``, in blocks.

    For matrices ``(m, n)`` and ``(p, q)``: ``(m * p, n * q)``, made by
    broadcasting ``(m, 1, n, 1) * (1, p, 1, q)`` and merging axes pairwise.
    """
    x1, x2 = as_tensor(x1), as_tensor(x2)
    rank = max(x1.ndim, x2.ndim)
    shape1 = (1,) * (rank - x1.ndim) + tuple(x1.shape)
    shape2 = (1,) * (rank - x2.ndim) + tuple(x2.shape)
    interleaved1 = tuple(size for pair in zip(shape1, (1,) * rank) for size in pair)  # (m, 1, n, 1)
    interleaved2 = tuple(size for pair in zip((1,) * rank, shape2) for size in pair)  # (1, p, 1, q)
    blocks = elementwise.multiply(shape_ops.reshape(x1, interleaved1), shape_ops.reshape(x2, interleaved2))
    return shape_ops.reshape(blocks, tuple(a * b for a, b in zip(shape1, shape2)))
