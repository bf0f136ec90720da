"""Tests and steps: ``isclose``, ``isin``, ``signbit``, ``heaviside``, ``trunc``, ``nextafter``, ``nonzero``...

Place in the stack: public ``keras.ops`` functions over raw ``xp`` calls.
Their results are booleans, integer positions, or piecewise-constant values
(``trunc``, ``heaviside``, ``nextafter``): the derivative is zero wherever it
exists, so, like ``floor`` and ``sign`` in ``autodiff/math.py``, they return
a fresh Tensor that no tape records, and a gradient asked through them is
``None``. Read next: ``bitwise.py``.
"""

from minikeras import backend
from minikeras.autodiff.elementwise import _operands
from minikeras.autodiff.math import as_float
from minikeras.autodiff.special import float_pair
from minikeras.autodiff.tensor import Tensor
from minikeras.autodiff.tensor import as_tensor
from minikeras.backend import get_xp
from minikeras.ops.symbolic import functional_aware


def _close_operands(x1, x2):
    a, b = _operands(x1, x2, "isclose")
    if backend.is_float_dtype(a.dtype) or backend.is_float_dtype(b.dtype):
        a, b = float_pair(a, b, "isclose")
    return a.data, b.data


@functional_aware
def isclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    """``|x1 - x2| <= atol + rtol * |x2|`` entry by entry (broadcast): booleans."""
    a, b = _close_operands(x1, x2)
    return Tensor(get_xp(a, b).isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


@functional_aware
def allclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Whether :func:`isclose` holds everywhere: a boolean scalar tensor."""
    a, b = _close_operands(x1, x2)
    return Tensor(get_xp(a, b).asarray(get_xp(a, b).allclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)))


@functional_aware
def isin(x1, x2, assume_unique=False, invert=False):
    """For each entry of ``x1``: is it one of the values of ``x2``? Booleans of x1's shape."""
    a, b = as_tensor(x1).data, as_tensor(x2).data
    return Tensor(get_xp(a, b).isin(a, b, assume_unique=assume_unique, invert=invert))


@functional_aware
def isneginf(x):
    """Where ``x`` is -inf (booleans)."""
    x = as_tensor(x).data
    return Tensor(get_xp(x).isneginf(x) if x.dtype.kind in "fc" else get_xp(x).zeros(x.shape, bool))


@functional_aware
def isposinf(x):
    """Where ``x`` is +inf (booleans)."""
    x = as_tensor(x).data
    return Tensor(get_xp(x).isposinf(x) if x.dtype.kind in "fc" else get_xp(x).zeros(x.shape, bool))


@functional_aware
def isreal(x):
    """Where the imaginary part of ``x`` is 0 (all true for real dtypes)."""
    x = as_tensor(x).data
    return Tensor(get_xp(x).isreal(x))


@functional_aware
def signbit(x):
    """Where the sign bit is set: true for negative numbers and for -0.0."""
    x = as_tensor(x).data
    return Tensor(get_xp(x).signbit(x))


@functional_aware
def heaviside(x1, x2):
    """The step: 0 where ``x1 < 0``, 1 where ``x1 > 0``, ``x2`` where ``x1 == 0`` (floats, no gradient)."""
    a, b = float_pair(x1, x2, "heaviside")
    return Tensor(get_xp(a.data, b.data).heaviside(a.data, b.data))


@functional_aware
def nextafter(x1, x2):
    """The next representable float after ``x1`` in the direction of ``x2`` (no gradient)."""
    a, b = float_pair(x1, x2, "nextafter")
    return Tensor(get_xp(a.data, b.data).nextafter(a.data, b.data))


@functional_aware
def trunc(x):
    """Rounds toward zero; integers and booleans are returned unchanged (no gradient)."""
    x = as_tensor(x)
    if not backend.is_float_dtype(x.dtype):
        return x
    return Tensor(get_xp(x.data).trunc(x.data))


@functional_aware
def nonzero(x):
    """The indices of the nonzero entries: a tuple of ``x.ndim`` int32 tensors of one length."""
    x = as_tensor(x).data
    return tuple(Tensor(index.astype("int32")) for index in get_xp(x).nonzero(x))


@functional_aware
def angle(x):
    """The angle of each (complex) entry in radians; for reals, 0 or pi (floats, no gradient)."""
    x = as_tensor(x)
    data = x.data if x.data.dtype.kind == "c" else as_float(x).data
    return Tensor(get_xp(data).angle(data).astype(data.real.dtype, copy=False))
