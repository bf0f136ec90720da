"""``minikeras.ops`` NumPy API: Keras 3's ``keras.ops.numpy`` names over the engine.

Place in the stack: the public namespace above ``minikeras.autodiff``. Most
names here are the engine's functions, re-exported under their Keras names
(the math and its gradient live in the op family files named below). What is
written here is what has no gradient to teach: making new arrays (``zeros``,
``arange``, ``eye``) and sorting. Read ``nn.py`` next.

Differentiable, from ``minikeras.autodiff``:
    elementwise.py  add subtract multiply divide power maximum minimum where clip ...
    math.py         exp log log1p sqrt square sin cos tanh erf ...
    reduce.py       sum mean max min var std logsumexp cumsum argmax ...
    shape.py        reshape transpose expand_dims squeeze broadcast_to flip ...
    combine.py      concatenate stack split take take_along_axis pad tile repeat ...
    linalg.py       einsum tensordot dot outer norm;  matmul.py  matmul
"""

import builtins

from minikeras import backend
from minikeras.autodiff.combine import append
from minikeras.autodiff.combine import concatenate
from minikeras.autodiff.combine import hstack
from minikeras.autodiff.combine import pad
from minikeras.autodiff.combine import repeat
from minikeras.autodiff.combine import split
from minikeras.autodiff.combine import stack
from minikeras.autodiff.combine import take
from minikeras.autodiff.combine import take_along_axis
from minikeras.autodiff.combine import tile
from minikeras.autodiff.combine import vstack
from minikeras.autodiff.elementwise import abs  # noqa: A004
from minikeras.autodiff.elementwise import absolute
from minikeras.autodiff.elementwise import add
from minikeras.autodiff.elementwise import clip
from minikeras.autodiff.elementwise import copy
from minikeras.autodiff.elementwise import divide
from minikeras.autodiff.elementwise import equal
from minikeras.autodiff.elementwise import floor_divide
from minikeras.autodiff.elementwise import greater
from minikeras.autodiff.elementwise import greater_equal
from minikeras.autodiff.elementwise import less
from minikeras.autodiff.elementwise import less_equal
from minikeras.autodiff.elementwise import logical_and
from minikeras.autodiff.elementwise import logical_not
from minikeras.autodiff.elementwise import logical_or
from minikeras.autodiff.elementwise import logical_xor
from minikeras.autodiff.elementwise import maximum
from minikeras.autodiff.elementwise import minimum
from minikeras.autodiff.elementwise import mod
from minikeras.autodiff.elementwise import multiply
from minikeras.autodiff.elementwise import negative
from minikeras.autodiff.elementwise import not_equal
from minikeras.autodiff.elementwise import power
from minikeras.autodiff.elementwise import subtract
from minikeras.autodiff.elementwise import true_divide
from minikeras.autodiff.elementwise import where
from minikeras.autodiff.linalg import dot
from minikeras.autodiff.linalg import einsum
from minikeras.autodiff.linalg import norm
from minikeras.autodiff.linalg import outer
from minikeras.autodiff.linalg import tensordot
from minikeras.autodiff.math import ceil
from minikeras.autodiff.math import cos
from minikeras.autodiff.math import exp
from minikeras.autodiff.math import expm1
from minikeras.autodiff.math import floor
from minikeras.autodiff.math import isfinite
from minikeras.autodiff.math import isinf
from minikeras.autodiff.math import isnan
from minikeras.autodiff.math import log
from minikeras.autodiff.math import log1p
from minikeras.autodiff.math import nan_to_num
from minikeras.autodiff.math import reciprocal
from minikeras.autodiff.math import round  # noqa: A004
from minikeras.autodiff.math import sign
from minikeras.autodiff.math import sin
from minikeras.autodiff.math import sqrt
from minikeras.autodiff.math import square
from minikeras.autodiff.math import tanh
from minikeras.autodiff.matmul import matmul
from minikeras.autodiff.reduce import all  # noqa: A004
from minikeras.autodiff.reduce import any  # noqa: A004
from minikeras.autodiff.reduce import argmax
from minikeras.autodiff.reduce import argmin
from minikeras.autodiff.reduce import count_nonzero
from minikeras.autodiff.reduce import cumsum
from minikeras.autodiff.reduce import max  # noqa: A004
from minikeras.autodiff.reduce import mean
from minikeras.autodiff.reduce import min  # noqa: A004
from minikeras.autodiff.reduce import std
from minikeras.autodiff.reduce import sum  # noqa: A004
from minikeras.autodiff.reduce import var
from minikeras.autodiff.shape import broadcast_to
from minikeras.autodiff.shape import expand_dims
from minikeras.autodiff.shape import flip
from minikeras.autodiff.shape import moveaxis
from minikeras.autodiff.shape import ravel
from minikeras.autodiff.shape import reshape
from minikeras.autodiff.shape import squeeze
from minikeras.autodiff.shape import swapaxes
from minikeras.autodiff.shape import transpose
from minikeras.autodiff.tensor import Tensor
from minikeras.autodiff.tensor import as_tensor
from minikeras.backend import get_xp


# ----- new arrays (no inputs, so no gradient) -----
def _float_or(dtype):
    return backend.standardize_dtype(dtype) if dtype is not None else backend.floatx()


def _shape_tuple(shape):
    return (int(shape),) if isinstance(shape, int) else tuple(int(size) for size in shape)


def zeros(shape, dtype=None):
    """A tensor of zeros, ``floatx()`` unless ``dtype`` is given."""
    return Tensor(get_xp().zeros(_shape_tuple(shape), dtype=_float_or(dtype)))


def ones(shape, dtype=None):
    """A tensor of ones, ``floatx()`` unless ``dtype`` is given."""
    return Tensor(get_xp().ones(_shape_tuple(shape), dtype=_float_or(dtype)))


def full(shape, fill_value, dtype=None):
    """A tensor filled with ``fill_value`` (``floatx()`` unless ``dtype`` is given)."""
    fill_value = as_tensor(fill_value).data
    return Tensor(get_xp().full(_shape_tuple(shape), fill_value, dtype=_float_or(dtype)))


def zeros_like(x, dtype=None):
    """Zeros with x's shape, and x's dtype unless ``dtype`` is given."""
    x = as_tensor(x)
    return Tensor(get_xp(x.data).zeros(x.shape, dtype=dtype or x.data.dtype))


def ones_like(x, dtype=None):
    """Ones with x's shape, and x's dtype unless ``dtype`` is given."""
    x = as_tensor(x)
    return Tensor(get_xp(x.data).ones(x.shape, dtype=dtype or x.data.dtype))


def full_like(x, fill_value, dtype=None):
    """``fill_value`` everywhere, with x's shape and (unless given) dtype."""
    x = as_tensor(x)
    return Tensor(get_xp(x.data).full(x.shape, as_tensor(fill_value).data, dtype=dtype or x.data.dtype))


def arange(start, stop=None, step=None, dtype=None):
    """Evenly spaced values in [start, stop): int32 for integer arguments, else ``floatx()``."""
    if stop is None:
        start, stop = 0, start
    step = 1 if step is None else step
    if dtype is None:
        numbers = (start, stop, step)
        dtype = "int32" if builtins.all(isinstance(n, int) for n in numbers) else backend.floatx()
    return Tensor(get_xp().arange(start, stop, step, dtype=backend.standardize_dtype(dtype)))


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """``num`` evenly spaced values from ``start`` to ``stop``."""
    values, step = get_xp().linspace(start, stop, num, endpoint=endpoint, retstep=True, axis=axis)
    values = Tensor(values.astype(_float_or(dtype)))
    return (values, step) if retstep else values


def eye(N, M=None, k=0, dtype=None):  # noqa: N803  (Keras's argument names)
    """An (N, M) matrix with ones on diagonal ``k``."""
    return Tensor(get_xp().eye(N, M, k, dtype=_float_or(dtype)))


def identity(n, dtype=None):
    """The (n, n) identity matrix."""
    return eye(n, dtype=dtype)


def tri(N, M=None, k=0, dtype=None):  # noqa: N803
    """Ones at and below diagonal ``k``."""
    return Tensor(get_xp().tri(N, M, k, dtype=_float_or(dtype)))


def triu(x, k=0):
    """Zeros below diagonal ``k`` of the last two axes (gradient kept above it)."""
    x = as_tensor(x)
    rows, columns = x.shape[-2:]
    keep = 1 - get_xp(x.data).tri(rows, columns, k - 1, dtype=x.data.dtype)
    return multiply(x, Tensor(keep))


def tril(x, k=0):
    """Zeros above diagonal ``k`` of the last two axes (gradient kept below it)."""
    x = as_tensor(x)
    rows, columns = x.shape[-2:]
    return multiply(x, Tensor(get_xp(x.data).tri(rows, columns, k, dtype=x.data.dtype)))


# ----- sorting: the order has no gradient, the sorted values do -----
def argsort(x, axis=-1):
    """Indices that sort ``x`` along ``axis`` (int32)."""
    x = as_tensor(x)
    return Tensor(get_xp(x.data).argsort(x.data, axis=axis, kind="stable").astype("int32"))


def sort(x, axis=-1):
    """Sorted copy of ``x`` along ``axis``; the gradient returns to where each value came from."""
    x = as_tensor(x)
    if axis is None:
        x, axis = ravel(x), -1
    return take_along_axis(x, argsort(x, axis=axis), axis=axis)


def average(x, axis=None, weights=None):
    """Weighted mean: ``sum(x * w) / sum(w)`` over ``axis`` (weights 1-D along it, or x's shape)."""
    if weights is None:
        return mean(x, axis=axis)
    x, weights = as_tensor(x), as_tensor(weights)
    if weights.ndim == 1 and x.ndim > 1:
        shape = [1] * x.ndim
        shape[axis] = weights.shape[0]
        weights = reshape(weights, shape)
    return divide(sum(multiply(x, weights), axis=axis), sum(weights, axis=axis))


def diagonal(x, offset=0, axis1=0, axis2=1):
    """The diagonal of the (axis1, axis2) planes, moved to the last axis."""
    x = moveaxis(as_tensor(x), (axis1, axis2), (-2, -1))
    rows, columns = x.shape[-2:]
    start_row, start_column = (0, offset) if offset >= 0 else (-offset, 0)
    length = builtins.max(builtins.min(rows - start_row, columns - start_column), 0)
    xp = get_xp(x.data)
    index = (Ellipsis, xp.arange(length) + start_row, xp.arange(length) + start_column)
    return x[index]


def trace(x, offset=0, axis1=0, axis2=1):
    """Sum of the diagonal."""
    return sum(diagonal(x, offset, axis1, axis2), axis=-1)


__all__ = [
    "abs", "absolute", "add", "all", "any", "append", "arange", "argmax", "argmin", "argsort", "average",
    "broadcast_to", "ceil", "clip", "concatenate", "copy", "cos", "count_nonzero", "cumsum", "diagonal",
    "divide", "dot", "einsum", "equal", "exp", "expand_dims", "expm1", "eye", "flip", "floor",
    "floor_divide", "full", "full_like", "greater", "greater_equal", "hstack", "identity", "isfinite",
    "isinf", "isnan", "less", "less_equal", "linspace", "log", "log1p", "logical_and", "logical_not",
    "logical_or", "logical_xor", "matmul", "max", "maximum", "mean", "min", "minimum", "mod", "moveaxis",
    "multiply", "nan_to_num", "negative", "norm", "not_equal", "ones", "ones_like", "outer", "pad", "power",
    "ravel", "reciprocal", "repeat", "reshape", "round", "sign", "sin", "sort", "split", "sqrt", "square",
    "squeeze", "stack", "std", "subtract", "sum", "swapaxes", "take", "take_along_axis", "tanh", "tensordot",
    "tile", "trace", "transpose", "tri", "tril", "triu", "true_divide", "var", "vstack", "where", "zeros",
    "zeros_like",
]
