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
from minikeras.autodiff import combine
from minikeras.autodiff import elementwise
from minikeras.autodiff import linalg
from minikeras.autodiff import math
from minikeras.autodiff import matmul as matmul_op
from minikeras.autodiff import products
from minikeras.autodiff import reduce
from minikeras.autodiff import shape
from minikeras.autodiff import special
from minikeras.autodiff import trig
from minikeras.autodiff.tensor import Tensor
from minikeras.autodiff.tensor import as_tensor
from minikeras.backend import get_xp
from minikeras.ops.symbolic import functional_aware

# ----- the engine's ops, each recording a graph node when given KerasTensors (symbolic.py) -----
append = functional_aware(combine.append)
concatenate = functional_aware(combine.concatenate)
hstack = functional_aware(combine.hstack)
pad = functional_aware(combine.pad)
repeat = functional_aware(combine.repeat)
split = functional_aware(combine.split)
stack = functional_aware(combine.stack)
take = functional_aware(combine.take)
take_along_axis = functional_aware(combine.take_along_axis)
tile = functional_aware(combine.tile)
vstack = functional_aware(combine.vstack)
abs = functional_aware(elementwise.abs)  # noqa: A001
absolute = functional_aware(elementwise.absolute)
add = functional_aware(elementwise.add)
clip = functional_aware(elementwise.clip)
copy = functional_aware(elementwise.copy)
divide = functional_aware(elementwise.divide)
equal = functional_aware(elementwise.equal)
floor_divide = functional_aware(elementwise.floor_divide)
greater = functional_aware(elementwise.greater)
greater_equal = functional_aware(elementwise.greater_equal)
less = functional_aware(elementwise.less)
less_equal = functional_aware(elementwise.less_equal)
logical_and = functional_aware(elementwise.logical_and)
logical_not = functional_aware(elementwise.logical_not)
logical_or = functional_aware(elementwise.logical_or)
logical_xor = functional_aware(elementwise.logical_xor)
maximum = functional_aware(elementwise.maximum)
minimum = functional_aware(elementwise.minimum)
mod = functional_aware(elementwise.mod)
multiply = functional_aware(elementwise.multiply)
negative = functional_aware(elementwise.negative)
not_equal = functional_aware(elementwise.not_equal)
power = functional_aware(elementwise.power)
subtract = functional_aware(elementwise.subtract)
true_divide = functional_aware(elementwise.true_divide)
where = functional_aware(elementwise.where)
dot = functional_aware(linalg.dot)
einsum = functional_aware(linalg.einsum)
norm = functional_aware(linalg.norm)
outer = functional_aware(linalg.outer)
tensordot = functional_aware(linalg.tensordot)
ceil = functional_aware(math.ceil)
cos = functional_aware(math.cos)
exp = functional_aware(math.exp)
expm1 = functional_aware(math.expm1)
floor = functional_aware(math.floor)
isfinite = functional_aware(math.isfinite)
isinf = functional_aware(math.isinf)
isnan = functional_aware(math.isnan)
log = functional_aware(math.log)
log1p = functional_aware(math.log1p)
nan_to_num = functional_aware(math.nan_to_num)
reciprocal = functional_aware(math.reciprocal)
round = functional_aware(math.round)  # noqa: A001
sign = functional_aware(math.sign)
sin = functional_aware(math.sin)
sqrt = functional_aware(math.sqrt)
square = functional_aware(math.square)
tanh = functional_aware(math.tanh)
matmul = functional_aware(matmul_op.matmul)
all = functional_aware(reduce.all)  # noqa: A001
any = functional_aware(reduce.any)  # noqa: A001
argmax = functional_aware(reduce.argmax)
argmin = functional_aware(reduce.argmin)
count_nonzero = functional_aware(reduce.count_nonzero)
cumsum = functional_aware(reduce.cumsum)
max = functional_aware(reduce.max)  # noqa: A001
mean = functional_aware(reduce.mean)
min = functional_aware(reduce.min)  # noqa: A001
std = functional_aware(reduce.std)
sum = functional_aware(reduce.sum)  # noqa: A001
var = functional_aware(reduce.var)
broadcast_to = functional_aware(shape.broadcast_to)
expand_dims = functional_aware(shape.expand_dims)
flip = functional_aware(shape.flip)
moveaxis = functional_aware(shape.moveaxis)
ravel = functional_aware(shape.ravel)
reshape = functional_aware(shape.reshape)
squeeze = functional_aware(shape.squeeze)
swapaxes = functional_aware(shape.swapaxes)
transpose = functional_aware(shape.transpose)


# ----- indexing: ``x[key]``, the op behind ``KerasTensor.__getitem__`` -----
@functional_aware
def get_item(x, key):
    """``x[key]`` with NumPy's indexing rules; the gradient returns to the picked entries.

    A list holding slices, ``None`` or ``...`` (how a saved file writes the tuple
    key of ``x[:, :2]``) is read as that tuple.
    """
    if isinstance(key, list) and builtins.any(item is None or item is Ellipsis or isinstance(item, slice)
                                              for item in key):
        key = tuple(key)
    return as_tensor(x)[key]


# ----- new arrays (no inputs, so no gradient) -----
def _float_or(dtype):
    return backend.standardize_dtype(dtype) if dtype is not None else backend.floatx()


def _shape_tuple(shape):
    return (int(shape),) if isinstance(shape, int) else tuple(int(length) for length in shape)


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


@functional_aware
def zeros_like(x, dtype=None):
    """Zeros with x's shape, and x's dtype unless ``dtype`` is given."""
    x = as_tensor(x)
    return Tensor(get_xp(x.data).zeros(x.shape, dtype=dtype or x.data.dtype))


@functional_aware
def ones_like(x, dtype=None):
    """Ones with x's shape, and x's dtype unless ``dtype`` is given."""
    x = as_tensor(x)
    return Tensor(get_xp(x.data).ones(x.shape, dtype=dtype or x.data.dtype))


@functional_aware
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


@functional_aware
def triu(x, k=0):
    """Zeros below diagonal ``k`` of the last two axes (gradient kept above it)."""
    x = as_tensor(x)
    rows, columns = x.shape[-2:]
    keep = 1 - get_xp(x.data).tri(rows, columns, k - 1, dtype=x.data.dtype)
    return multiply(x, Tensor(keep))


@functional_aware
def tril(x, k=0):
    """Zeros above diagonal ``k`` of the last two axes (gradient kept below it)."""
    x = as_tensor(x)
    rows, columns = x.shape[-2:]
    return multiply(x, Tensor(get_xp(x.data).tri(rows, columns, k, dtype=x.data.dtype)))


# ----- sorting: the order has no gradient, the sorted values do -----
@functional_aware
def argsort(x, axis=-1):
    """Indices that sort ``x`` along ``axis`` (int32)."""
    x = as_tensor(x)
    return Tensor(get_xp(x.data).argsort(x.data, axis=axis, kind="stable").astype("int32"))


@functional_aware
def sort(x, axis=-1):
    """Sorted copy of ``x`` along ``axis``; the gradient returns to where each value came from."""
    x = as_tensor(x)
    if axis is None:
        x, axis = ravel(x), -1
    return take_along_axis(x, argsort(x, axis=axis), axis=axis)


@functional_aware
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


@functional_aware
def diagonal(x, offset=0, axis1=0, axis2=1):
    """The diagonal of the (axis1, axis2) planes, moved to the last axis."""
    x = moveaxis(as_tensor(x), (axis1, axis2), (-2, -1))
    rows, columns = x.shape[-2:]
    start_row, start_column = (0, offset) if offset >= 0 else (-offset, 0)
    length = builtins.max(builtins.min(rows - start_row, columns - start_column), 0)
    xp = get_xp(x.data)
    index = (Ellipsis, xp.arange(length) + start_row, xp.arange(length) + start_column)
    return x[index]


@functional_aware
def trace(x, offset=0, axis1=0, axis2=1):
    """Sum of the diagonal."""
    return sum(diagonal(x, offset, axis1, axis2), axis=-1)



# ----- issue 18: trigonometry, products, rearrangements (autodiff/trig.py, autodiff/products.py) -----
arccos = functional_aware(trig.arccos)
arccosh = functional_aware(trig.arccosh)
arcsin = functional_aware(trig.arcsin)
arcsinh = functional_aware(trig.arcsinh)
arctan = functional_aware(trig.arctan)
arctan2 = functional_aware(trig.arctan2)
arctanh = functional_aware(trig.arctanh)
cosh = functional_aware(trig.cosh)
sinh = functional_aware(trig.sinh)
tan = functional_aware(trig.tan)
cumprod = functional_aware(products.cumprod)
diff = functional_aware(products.diff)
kron = functional_aware(products.kron)
prod = functional_aware(products.prod)
roll = functional_aware(products.roll)


__all__ = [
    "abs", "absolute", "add", "all", "any", "append", "arange", "argmax", "argmin", "argsort", "average",
    "broadcast_to", "ceil", "clip", "concatenate", "copy", "cos", "count_nonzero", "cumsum", "diagonal",
    "divide", "dot", "einsum", "equal", "exp", "expand_dims", "expm1", "eye", "flip", "floor",
    "floor_divide", "full", "full_like", "get_item", "greater", "greater_equal", "hstack", "identity", "isfinite",
    "isinf", "isnan", "less", "less_equal", "linspace", "log", "log1p", "logical_and", "logical_not",
    "logical_or", "logical_xor", "matmul", "max", "maximum", "mean", "min", "minimum", "mod", "moveaxis",
    "multiply", "nan_to_num", "negative", "norm", "not_equal", "ones", "ones_like", "outer", "pad", "power",
    "ravel", "reciprocal", "repeat", "reshape", "round", "sign", "sin", "sort", "split", "sqrt", "square",
    "squeeze", "stack", "std", "subtract", "sum", "swapaxes", "take", "take_along_axis", "tanh", "tensordot",
    "tile", "trace", "transpose", "tri", "tril", "triu", "true_divide", "var", "vstack", "where", "zeros",
    "zeros_like",
    # issue 18
    "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctan2", "arctanh", "cosh", "cumprod", "diff", "kron",
    "prod", "roll", "sinh", "tan",
]

# Keras lists these in keras.ops.numpy as well as at the top of keras.ops.
from minikeras.ops.indexing import searchsorted  # noqa: E402,F401
from minikeras.ops.indexing import select  # noqa: E402,F401
from minikeras.ops.linalg import slogdet  # noqa: E402,F401

# ----- issue 18 (more of the NumPy API), each family in its own file -----
# autodiff/special.py: differentiable float functions
cbrt = functional_aware(special.cbrt)
deg2rad = functional_aware(special.deg2rad)
divide_no_nan = functional_aware(special.divide_no_nan)
erfc = functional_aware(special.erfc)
erfinv = functional_aware(special.erfinv)
exp2 = functional_aware(special.exp2)
fabs = functional_aware(special.fabs)
fmax = functional_aware(special.fmax)
fmin = functional_aware(special.fmin)
fmod = functional_aware(special.fmod)
hypot = functional_aware(special.hypot)
i0 = functional_aware(special.i0)
ldexp = functional_aware(special.ldexp)
log10 = functional_aware(special.log10)
log2 = functional_aware(special.log2)
logaddexp = functional_aware(special.logaddexp)
logaddexp2 = functional_aware(special.logaddexp2)
rad2deg = functional_aware(special.rad2deg)
sinc = functional_aware(special.sinc)
from minikeras.ops.arrangements import array_split  # noqa: E402,F401
from minikeras.ops.arrangements import diag  # noqa: E402,F401
from minikeras.ops.arrangements import diagflat  # noqa: E402,F401
from minikeras.ops.arrangements import dsplit  # noqa: E402,F401
from minikeras.ops.arrangements import dstack  # noqa: E402,F401
from minikeras.ops.arrangements import fliplr  # noqa: E402,F401
from minikeras.ops.arrangements import flipud  # noqa: E402,F401
from minikeras.ops.arrangements import hsplit  # noqa: E402,F401
from minikeras.ops.arrangements import meshgrid  # noqa: E402,F401
from minikeras.ops.arrangements import rot90  # noqa: E402,F401
from minikeras.ops.arrangements import vsplit  # noqa: E402,F401
from minikeras.ops.bitwise import bitwise_and  # noqa: E402,F401
from minikeras.ops.bitwise import bitwise_invert  # noqa: E402,F401
from minikeras.ops.bitwise import bitwise_left_shift  # noqa: E402,F401
from minikeras.ops.bitwise import bitwise_not  # noqa: E402,F401
from minikeras.ops.bitwise import bitwise_or  # noqa: E402,F401
from minikeras.ops.bitwise import bitwise_right_shift  # noqa: E402,F401
from minikeras.ops.bitwise import bitwise_xor  # noqa: E402,F401
from minikeras.ops.bitwise import gcd  # noqa: E402,F401
from minikeras.ops.bitwise import lcm  # noqa: E402,F401
from minikeras.ops.bitwise import left_shift  # noqa: E402,F401
from minikeras.ops.bitwise import right_shift  # noqa: E402,F401
from minikeras.ops.casting import conj  # noqa: E402,F401
from minikeras.ops.casting import conjugate  # noqa: E402,F401
from minikeras.ops.casting import imag  # noqa: E402,F401
from minikeras.ops.casting import real  # noqa: E402,F401
from minikeras.ops.casting import view  # noqa: E402,F401
from minikeras.ops.control_flow import vectorize  # noqa: E402,F401
from minikeras.ops.core import ndim  # noqa: E402,F401
from minikeras.ops.core import size  # noqa: E402,F401
from minikeras.ops.counting import argpartition  # noqa: E402,F401
from minikeras.ops.counting import bincount  # noqa: E402,F401
from minikeras.ops.counting import digitize  # noqa: E402,F401
from minikeras.ops.counting import histogram  # noqa: E402,F401
from minikeras.ops.counting import unique  # noqa: E402,F401
from minikeras.ops.counting import unravel_index  # noqa: E402,F401
from minikeras.ops.creation import array  # noqa: E402,F401
from minikeras.ops.creation import empty  # noqa: E402,F401
from minikeras.ops.creation import empty_like  # noqa: E402,F401
from minikeras.ops.creation import geomspace  # noqa: E402,F401
from minikeras.ops.creation import logspace  # noqa: E402,F401
from minikeras.ops.creation import vander  # noqa: E402,F401
from minikeras.ops.nan_reductions import nanargmax  # noqa: E402,F401
from minikeras.ops.nan_reductions import nanargmin  # noqa: E402,F401
from minikeras.ops.nan_reductions import nancumprod  # noqa: E402,F401
from minikeras.ops.nan_reductions import nancumsum  # noqa: E402,F401
from minikeras.ops.nan_reductions import nanmax  # noqa: E402,F401
from minikeras.ops.nan_reductions import nanmean  # noqa: E402,F401
from minikeras.ops.nan_reductions import nanmin  # noqa: E402,F401
from minikeras.ops.nan_reductions import nanprod  # noqa: E402,F401
from minikeras.ops.nan_reductions import nanstd  # noqa: E402,F401
from minikeras.ops.nan_reductions import nansum  # noqa: E402,F401
from minikeras.ops.nan_reductions import nanvar  # noqa: E402,F401
from minikeras.ops.predicates import allclose  # noqa: E402,F401
from minikeras.ops.predicates import angle  # noqa: E402,F401
from minikeras.ops.predicates import heaviside  # noqa: E402,F401
from minikeras.ops.predicates import isclose  # noqa: E402,F401
from minikeras.ops.predicates import isin  # noqa: E402,F401
from minikeras.ops.predicates import isneginf  # noqa: E402,F401
from minikeras.ops.predicates import isposinf  # noqa: E402,F401
from minikeras.ops.predicates import isreal  # noqa: E402,F401
from minikeras.ops.predicates import nextafter  # noqa: E402,F401
from minikeras.ops.predicates import nonzero  # noqa: E402,F401
from minikeras.ops.predicates import signbit  # noqa: E402,F401
from minikeras.ops.predicates import trunc  # noqa: E402,F401
from minikeras.ops.quantiles import amax  # noqa: E402,F401
from minikeras.ops.quantiles import amin  # noqa: E402,F401
from minikeras.ops.quantiles import median  # noqa: E402,F401
from minikeras.ops.quantiles import nanmedian  # noqa: E402,F401
from minikeras.ops.quantiles import nanpercentile  # noqa: E402,F401
from minikeras.ops.quantiles import nanquantile  # noqa: E402,F401
from minikeras.ops.quantiles import percentile  # noqa: E402,F401
from minikeras.ops.quantiles import ptp  # noqa: E402,F401
from minikeras.ops.quantiles import quantile  # noqa: E402,F401
from minikeras.ops.vector_products import cdist  # noqa: E402,F401
from minikeras.ops.vector_products import corrcoef  # noqa: E402,F401
from minikeras.ops.vector_products import correlate  # noqa: E402,F401
from minikeras.ops.vector_products import cross  # noqa: E402,F401
from minikeras.ops.vector_products import inner  # noqa: E402,F401
from minikeras.ops.vector_products import trapezoid  # noqa: E402,F401
from minikeras.ops.vector_products import vdot  # noqa: E402,F401
from minikeras.ops.windows import bartlett  # noqa: E402,F401
from minikeras.ops.windows import blackman  # noqa: E402,F401
from minikeras.ops.windows import hamming  # noqa: E402,F401
from minikeras.ops.windows import hanning  # noqa: E402,F401
from minikeras.ops.windows import kaiser  # noqa: E402,F401
