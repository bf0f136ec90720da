"""Elementwise arithmetic: ``+ - * / **``, max/min, ``where``, ``clip``, comparisons.

Place in the stack: the first op family of ``minikeras.autodiff`` (read
``op.py`` first). Binary ops broadcast as NumPy does; their backward passes
undo the broadcast with ``unbroadcast``. Python numbers mixed with tensors take
the tensor's dtype (``x * 2.0`` stays float32), as in Keras. Comparisons and
logical ops give boolean tensors, which carry no gradient. Read next:
``math.py`` (exp, log, sqrt... one input each), then ``reduce.py``.
"""

import numpy

from minikeras import backend
from minikeras.autodiff.op import Op
from minikeras.autodiff.op import unbroadcast
from minikeras.autodiff.tensor import Tensor
from minikeras.autodiff.tensor import as_tensor
from minikeras.backend import get_xp


def _operands(a, b, function_name="elementwise op"):
    """Returns both operands as Tensors whose shapes broadcast together.

    ``x * 0.5`` with a float32 ``x`` must stay float32 (and float64 stay
    float64 for gradient checks), so a Python number takes the dtype of the
    other operand; a Python float next to an integer tensor becomes
    ``floatx()``.
    """
    a_is_number = isinstance(a, (int, float)) and not isinstance(a, bool)
    b_is_number = isinstance(b, (int, float)) and not isinstance(b, bool)
    if a_is_number and not b_is_number:
        a, b = _number_like(a, b), as_tensor(b)
    elif b_is_number and not a_is_number:
        a, b = as_tensor(a), _number_like(b, a)
    else:
        a, b = as_tensor(a), as_tensor(b)
    check_broadcastable(a.shape, b.shape, function_name)
    return a, b


def check_broadcastable(a_shape, b_shape, function_name):
    """Raises a ValueError naming both shapes if they cannot broadcast."""
    try:
        numpy.broadcast_shapes(a_shape, b_shape)
    except ValueError:
        raise ValueError(
            f"`{function_name}`: incompatible shapes for broadcasting: shapes=[{tuple(a_shape)}, "
            f"{tuple(b_shape)}]"
        ) from None


def _number_like(number, other):
    other = as_tensor(other)
    dtype = other.dtype
    if isinstance(number, float) and not backend.is_float_dtype(dtype):
        dtype = backend.floatx()
    return as_tensor(get_xp(other.data).asarray(number, dtype=dtype))


# ----- binary arithmetic -----
class Add(Op):
    """z = a + b (broadcast);  da = dy, db = dy, each summed back to its shape."""
    def forward(self, a, b):
        self.a_shape, self.b_shape = a.shape, b.shape
        return a + b

    def backward(self, dy):
        return unbroadcast(dy, self.a_shape), unbroadcast(dy, self.b_shape)


class Subtract(Op):
    """z = a - b;  da = dy, db = -dy."""
    def forward(self, a, b):
        self.a_shape, self.b_shape = a.shape, b.shape
        return a - b

    def backward(self, dy):
        return unbroadcast(dy, self.a_shape), unbroadcast(-dy, self.b_shape)


class Multiply(Op):
    """z = a * b;  da = dy * b, db = dy * a."""
    def forward(self, a, b):
        self.a, self.b = a, b
        return a * b

    def backward(self, dy):
        return unbroadcast(dy * self.b, self.a.shape), unbroadcast(dy * self.a, self.b.shape)


class Divide(Op):
    """z = a / b;  da = dy / b, db = -dy * a / b**2 = -dy * z / b."""
    def forward(self, a, b):
        self.a_shape, self.b = a.shape, b
        self.z = a / b
        return self.z

    def backward(self, dy):
        return unbroadcast(dy / self.b, self.a_shape), unbroadcast(-dy * self.z / self.b, self.b.shape)


class Power(Op):
    """z = a ** b;  da = dy * b * a**(b-1), db = dy * z * log(a) (a > 0)."""
    def forward(self, a, b):
        self.a, self.b = a, b
        self.z = a ** b
        return self.z

    def backward(self, dy):
        xp = get_xp(dy)
        da = dy * self.b * self.a ** (self.b - 1)
        db = None
        if backend.is_float_dtype(self.b.dtype):
            # log(a) is only defined for a > 0; elsewhere this gradient is 0.
            safe_log = xp.log(xp.where(self.a > 0, self.a, 1))
            db = unbroadcast(dy * self.z * safe_log, self.b.shape)
        return unbroadcast(da, self.a.shape), db


class Maximum(Op):
    """z = max(a, b);  the gradient goes to the larger input (to ``a`` on ties)."""
    def forward(self, a, b):
        self.a_wins = a >= b
        self.a_shape, self.b_shape = a.shape, b.shape
        return get_xp(a, b).maximum(a, b)

    def backward(self, dy):
        return (unbroadcast(dy * self.a_wins, self.a_shape),
                unbroadcast(dy * ~self.a_wins, self.b_shape))


class Minimum(Op):
    """z = min(a, b);  the gradient goes to the smaller input (to ``a`` on ties)."""
    def forward(self, a, b):
        self.a_wins = a <= b
        self.a_shape, self.b_shape = a.shape, b.shape
        return get_xp(a, b).minimum(a, b)

    def backward(self, dy):
        return (unbroadcast(dy * self.a_wins, self.a_shape),
                unbroadcast(dy * ~self.a_wins, self.b_shape))


def add(x1, x2):
    """Elementwise ``x1 + x2`` with broadcasting."""
    return Add()(*_operands(x1, x2, "add"))


def subtract(x1, x2):
    """Elementwise ``x1 - x2`` with broadcasting."""
    return Subtract()(*_operands(x1, x2, "subtract"))


def multiply(x1, x2):
    """Elementwise ``x1 * x2`` with broadcasting."""
    return Multiply()(*_operands(x1, x2, "multiply"))


def divide(x1, x2):
    """Elementwise true division; integers divide into ``floatx()`` (Keras)."""
    x1, x2 = _operands(x1, x2, "divide")
    if not backend.is_float_dtype(x1.dtype) and not backend.is_float_dtype(x2.dtype):
        x1, x2 = as_tensor(x1.data.astype(backend.floatx())), as_tensor(x2.data.astype(backend.floatx()))
    return Divide()(x1, x2)


def true_divide(x1, x2):
    """Same as :func:`divide`."""
    return divide(x1, x2)


def power(x1, x2):
    """Elementwise ``x1 ** x2`` with broadcasting."""
    return Power()(*_operands(x1, x2, "power"))


def maximum(x1, x2):
    """Elementwise larger of ``x1`` and ``x2``."""
    return Maximum()(*_operands(x1, x2, "maximum"))


def minimum(x1, x2):
    """Elementwise smaller of ``x1`` and ``x2``."""
    return Minimum()(*_operands(x1, x2, "minimum"))


class Mod(Op):
    """z = a - b * floor(a / b), the sign of b (NumPy's mod; broadcast);
    da = dy,  db = -dy * floor(a / b)  (JAX's gradient; z jumps where a / b is an integer)."""
    def forward(self, a, b):
        self.a_shape, self.b_shape = a.shape, b.shape
        self.quotient = get_xp(a, b).floor(a / b)
        return get_xp(a, b).mod(a, b)

    def backward(self, dy):
        return unbroadcast(dy, self.a_shape), unbroadcast(-dy * self.quotient, self.b_shape)


def mod(x1, x2):
    """Elementwise remainder (sign of ``x2``, as NumPy). Floats get a gradient (``Mod``);
    integers stay integers, without one."""
    a, b = _operands(x1, x2, "mod")
    if backend.is_float_dtype(a.dtype) or backend.is_float_dtype(b.dtype):
        return Mod()(a, b)
    return Tensor(get_xp(a.data, b.data).mod(a.data, b.data))


def floor_divide(x1, x2):
    """Elementwise ``x1 // x2``. Piecewise constant, so no gradient."""
    a, b = _operands(x1, x2, "floor_divide")
    return Tensor(get_xp(a.data, b.data).floor_divide(a.data, b.data))


# ----- one input -----
class Negative(Op):
    """y = -x;  dx = -dy."""
    def forward(self, x):
        return -x

    def backward(self, dy):
        return -dy


class Copy(Op):
    """y = x (a new array);  dx = dy."""
    def forward(self, x):
        return x.copy()

    def backward(self, dy):
        return dy


class Absolute(Op):
    """y = |x|;  dx = dy * sign(x) (0 at x = 0)."""
    def forward(self, x):
        self.x = x
        return get_xp(x).abs(x)

    def backward(self, dy):
        return dy * get_xp(dy).sign(self.x)


def negative(x):
    """Elementwise ``-x``."""
    return Negative()(x)


def copy(x):
    """A new tensor with the same value (gradient passes through)."""
    return Copy()(x)


def absolute(x):
    """Elementwise ``|x|``; integers stay integers."""
    return Absolute()(x)


def abs(x):  # noqa: A001  (Keras's name)
    """Elementwise ``|x|``; integers stay integers."""
    return Absolute()(x)


class Cast(Op):
    """y = x converted to ``dtype``;  dx = dy converted back to x's dtype.

    A cast between float types passes the gradient; a cast to an integer or
    boolean type gives a result that the tape never records (no gradient).
    """
    def __init__(self, dtype):
        self.dtype = dtype

    def forward(self, x):
        self.x_dtype = x.dtype
        return x.astype(self.dtype)

    def backward(self, dy):
        return dy.astype(self.x_dtype)


def cast(x, dtype):
    """Returns ``x`` with the given dtype (``"float32"``, ``"int32"``...)."""
    x = as_tensor(x)
    dtype = backend.standardize_dtype(dtype)
    if x.dtype == dtype:
        return x
    return Cast(dtype)(x)


# ----- selecting and limiting -----
class Where(Op):
    """z = where(condition, a, b);  da = dy where condition, db = dy elsewhere.

    ``condition`` is a boolean array given to ``__init__``: it is not an input
    of the op, since nothing flows back into it.
    """
    def __init__(self, condition):
        self.condition = condition

    def forward(self, a, b):
        self.a_shape, self.b_shape = a.shape, b.shape
        return get_xp(a, b).where(self.condition, a, b)

    def backward(self, dy):
        zeros = get_xp(dy).zeros_like(dy)
        return (unbroadcast(get_xp(dy).where(self.condition, dy, zeros), self.a_shape),
                unbroadcast(get_xp(dy).where(self.condition, zeros, dy), self.b_shape))


class Clip(Op):
    """y = min(max(x, low), high);  dx = dy inside [low, high], 0 outside."""
    def __init__(self, low, high):
        self.low, self.high = low, high

    def forward(self, x):
        self.inside = (x >= self.low) & (x <= self.high)
        return get_xp(x).clip(x, self.low, self.high).astype(x.dtype, copy=False)

    def backward(self, dy):
        return dy * self.inside


def where(condition, x1=None, x2=None):
    """Picks ``x1`` where ``condition`` is true, else ``x2`` (all broadcast).

    With only ``condition``, returns the indices of its true entries, as
    ``numpy.nonzero`` (a tuple of int tensors).
    """
    condition = as_tensor(condition)
    if x1 is None and x2 is None:
        return tuple(Tensor(index.astype("int32")) for index in get_xp(condition.data).nonzero(condition.data))
    if x1 is None or x2 is None:
        raise ValueError("`where`: `x1` and `x2` must be given together (or neither).")
    a, b = _operands(x1, x2, "where")
    check_broadcastable(condition.shape, numpy.broadcast_shapes(a.shape, b.shape), "where")
    return Where(condition.data.astype(bool))(a, b)


def clip(x, x_min, x_max):
    """Limits the values of ``x`` to ``[x_min, x_max]`` (Python numbers or arrays)."""
    x = as_tensor(x)
    low = x_min.data if isinstance(x_min, Tensor) else x_min
    high = x_max.data if isinstance(x_max, Tensor) else x_max
    return Clip(low, high)(x)


# ----- comparisons and logic: boolean results, no gradient -----
def _compare(function_name, x1, x2):
    a, b = _operands(x1, x2, function_name)
    return Tensor(getattr(get_xp(a.data, b.data), function_name)(a.data, b.data))


def less(x1, x2):
    return _compare("less", x1, x2)


def less_equal(x1, x2):
    return _compare("less_equal", x1, x2)


def greater(x1, x2):
    return _compare("greater", x1, x2)


def greater_equal(x1, x2):
    return _compare("greater_equal", x1, x2)


def equal(x1, x2):
    return _compare("equal", x1, x2)


def not_equal(x1, x2):
    return _compare("not_equal", x1, x2)


def logical_and(x1, x2):
    return _compare("logical_and", x1, x2)


def logical_or(x1, x2):
    return _compare("logical_or", x1, x2)


def logical_xor(x1, x2):
    return _compare("logical_xor", x1, x2)


def logical_not(x):
    x = as_tensor(x)
    return Tensor(get_xp(x.data).logical_not(x.data))
