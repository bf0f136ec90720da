"""More functions of floats: powers of 2 and 10, cube roots, sinc, Bessel i0, erfinv, log-add-exp, hypot.

Place in the stack: an op family of ``minikeras.autodiff``, after ``math.py``
and ``trig.py`` (read those first: the pattern is the same). Each op is
``y = f(x)`` entry by entry with ``dx = dy * f'(x)``, or ``z = f(a, b)``
broadcast, with one partial derivative per input undone by ``unbroadcast``:

    exp2'  = ln2 * 2**x       log_b'  = 1 / (x ln b)      cbrt' = 1 / (3 cbrt(x)**2)
    sinc'  = (cos(pi x) - sinc(x)) / x  (0 at x = 0)      i0' = i1
    erfinv' = sqrt(pi)/2 * exp(erfinv(x)**2)
    logaddexp: d/da = exp(a - z),  d/db = exp(b - z)      hypot: d/da = a / z, d/db = b / z
    fmod(a, b) = a - b * trunc(a / b):  d/da = 1,  d/db = -trunc(a / b)

Integer and boolean inputs become ``floatx()``, as in Keras. The functions
that are only a line of other ops (``erfc = 1 - erf``, ``deg2rad``) are
written with those ops, whose gradients they inherit. Read next: ``reduce.py``.
"""

import math as python_math

from minikeras import backend
from minikeras.autodiff import elementwise
from minikeras.autodiff import math
from minikeras.autodiff.elementwise import _operands
from minikeras.autodiff.math import as_float
from minikeras.autodiff.op import Op
from minikeras.autodiff.op import unbroadcast
from minikeras.autodiff.tensor import Tensor
from minikeras.autodiff.tensor import as_tensor
from minikeras.backend import get_xp

LN2 = python_math.log(2.0)


def float_pair(x1, x2, function_name):
    """Both operands, broadcastable, in one float dtype: the float one's, or ``floatx()`` for two
    integers (Keras)."""
    return same_dtype(*_operands(x1, x2, function_name), floats=True)


def same_dtype(a, b, floats=False):
    """Tensors ``a`` and ``b`` cast to one dtype: an integer meeting a float takes the float's dtype
    (int32 and float32 give float32, not NumPy's float64); with ``floats``, two integers give ``floatx()``."""
    a, b = as_tensor(a), as_tensor(b)
    a_float, b_float = backend.is_float_dtype(a.dtype), backend.is_float_dtype(b.dtype)
    if a_float and b_float or not (a_float or b_float or floats):
        dtype = get_xp(a.data).result_type(a.data, b.data)
    else:
        dtype = a.dtype if a_float else b.dtype if b_float else backend.floatx()
    return elementwise.cast(a, dtype), elementwise.cast(b, dtype)


class Exp2(Op):
    """y = 2**x;  dx = dy * ln2 * y."""
    def forward(self, x):
        self.y = get_xp(x).exp2(x)
        return self.y

    def backward(self, dy):
        return dy * LN2 * self.y


class LogBase(Op):
    """y = log(x) / log(base);  dx = dy / (x log(base))."""
    def __init__(self, base):
        self.scale = 1.0 / python_math.log(base)

    def forward(self, x):
        self.x = x
        return (get_xp(x).log(x) * self.scale).astype(x.dtype, copy=False)

    def backward(self, dy):
        return dy * self.scale / self.x


class Cbrt(Op):
    """y = x ** (1/3), negative for negative x;  dx = dy / (3 y**2)."""
    def forward(self, x):
        self.y = get_xp(x).cbrt(x)
        return self.y

    def backward(self, dy):
        return dy / (3 * self.y ** 2)


class Sinc(Op):
    """y = sin(pi x) / (pi x), 1 at 0;  dx = dy * (cos(pi x) - y) / x, 0 at x = 0."""
    def forward(self, x):
        self.x, self.y = x, get_xp(x).sinc(x)
        return self.y

    def backward(self, dy):
        xp = get_xp(dy)
        safe_x = xp.where(self.x == 0, 1, self.x)
        slope = xp.where(self.x == 0, 0, (xp.cos(python_math.pi * self.x) - self.y) / safe_x)
        return dy * slope


class I0(Op):
    """y = I0(x), the modified Bessel function of order 0;  dx = dy * I1(x).

    I1 has no NumPy function; its power series sum_k (x/2)**(2k+1) / (k! (k+1)!)
    converges for every x (60 terms are exact in float64 for |x| < 30).
    """
    def forward(self, x):
        self.x = x
        return get_xp(x).i0(x).astype(x.dtype, copy=False)

    def backward(self, dy):
        half = self.x / 2
        term, total = half, half.copy()
        for k in range(1, 60):
            term = term * half * half / (k * (k + 1))
            total = total + term
        return dy * total


class Erfinv(Op):
    """y = erfinv(x), x in (-1, 1);  dx = dy * sqrt(pi)/2 * exp(y**2).

    Forward: a rough closed-form start (Winitzki's approximation), then Newton
    steps on ``erf(y) - x = 0``, whose slope is the derivative of erf.
    """
    def forward(self, x):
        xp = get_xp(x)
        x64 = x.astype("float64")
        a = 0.147
        log_term = xp.log1p(-x64 * x64)
        first = 2 / (python_math.pi * a) + log_term / 2
        y = xp.sign(x64) * xp.sqrt(xp.sqrt(first ** 2 - log_term / a) - first)
        for _ in range(4):  # each Newton step about doubles the correct digits
            slope = 2 / python_math.sqrt(python_math.pi) * xp.exp(-y * y)
            y = y - (math.erf_array(y) - x64) / slope
        self.y = y.astype(x.dtype)
        return self.y

    def backward(self, dy):
        return dy * (python_math.sqrt(python_math.pi) / 2) * get_xp(dy).exp(self.y ** 2)


class LogAddExp(Op):
    """z = log(exp(a) + exp(b)) (broadcast), kept finite as max + log1p(exp(-|a - b|));
    da = dz * exp(a - z),  db = dz * exp(b - z)."""
    def forward(self, a, b):
        xp = get_xp(a, b)
        self.a, self.b = a, b
        self.z = xp.maximum(a, b) + xp.log1p(xp.exp(-xp.abs(a - b)))
        return self.z

    def backward(self, dz):
        xp = get_xp(dz)
        return (unbroadcast(dz * xp.exp(self.a - self.z), self.a.shape),
                unbroadcast(dz * xp.exp(self.b - self.z), self.b.shape))


class Hypot(Op):
    """z = sqrt(a**2 + b**2) (broadcast);  da = dz * a / z,  db = dz * b / z."""
    def forward(self, a, b):
        self.a, self.b = a, b
        self.z = get_xp(a, b).hypot(a, b)
        return self.z

    def backward(self, dz):
        return unbroadcast(dz * self.a / self.z, self.a.shape), unbroadcast(dz * self.b / self.z, self.b.shape)


class Fmod(Op):
    """z = a - b * trunc(a / b), the sign of a (C's fmod; broadcast);  da = dz,  db = -dz * trunc(a / b)."""
    def forward(self, a, b):
        xp = get_xp(a, b)
        self.a_shape, self.b_shape = a.shape, b.shape
        self.quotient = xp.trunc(a / b)
        return xp.fmod(a, b)

    def backward(self, dz):
        return unbroadcast(dz, self.a_shape), unbroadcast(-dz * self.quotient, self.b_shape)


# ----- the public functions (Keras's names) -----
def exp2(x):
    return Exp2()(as_float(x))


def log2(x):
    return LogBase(2.0)(as_float(x))


def log10(x):
    return LogBase(10.0)(as_float(x))


def cbrt(x):
    return Cbrt()(as_float(x))


def sinc(x):
    """``sin(pi x) / (pi x)``, the normalised sinc (1 at 0)."""
    return Sinc()(as_float(x))


def i0(x):
    """The modified Bessel function of the first kind, order 0."""
    return I0()(as_float(x))


def erfinv(x):
    """The inverse of ``erf`` on (-1, 1) (+-inf at +-1)."""
    return Erfinv()(as_float(x))


def erfc(x):
    """``1 - erf(x)``."""
    return elementwise.subtract(1.0, math.erf(x))


def logaddexp(x1, x2):
    """``log(exp(x1) + exp(x2))`` without overflow; broadcasts."""
    return LogAddExp()(*float_pair(x1, x2, "logaddexp"))


def logaddexp2(x1, x2):
    """``log2(2**x1 + 2**x2)``: logaddexp in base 2 (the same op, scaled by ln 2)."""
    a, b = float_pair(x1, x2, "logaddexp2")
    return elementwise.divide(logaddexp(elementwise.multiply(a, LN2), elementwise.multiply(b, LN2)), LN2)


def hypot(x1, x2):
    """``sqrt(x1**2 + x2**2)``, the length of the vector (x1, x2); broadcasts."""
    return Hypot()(*float_pair(x1, x2, "hypot"))


def fmod(x1, x2):
    """The remainder of ``x1 / x2`` with the sign of ``x1`` (``mod`` has the sign of ``x2``).
    Integers stay integers (no gradient)."""
    a, b = _operands(x1, x2, "fmod")
    if backend.is_float_dtype(a.dtype) or backend.is_float_dtype(b.dtype):
        return Fmod()(*float_pair(a, b, "fmod"))
    return Tensor(get_xp(a.data).fmod(a.data, b.data))


def deg2rad(x):
    return elementwise.multiply(as_float(x), python_math.pi / 180)


def rad2deg(x):
    return elementwise.multiply(as_float(x), 180 / python_math.pi)


def fabs(x):
    """``abs`` that always returns floats."""
    return elementwise.absolute(as_float(x))


def ldexp(x1, x2):
    """``x1 * 2**x2`` for an integer exponent ``x2``; the gradient flows to ``x1``."""
    exponent = as_tensor(x2)
    if backend.is_float_dtype(exponent.dtype):
        raise TypeError(f"ldexp exponent must be an integer type. Received: x2 dtype={exponent.dtype}")
    mantissa = as_float(x1)
    return elementwise.multiply(mantissa, get_xp(exponent.data).exp2(exponent.data).astype(mantissa.dtype))


def divide_no_nan(x1, x2):
    """``x1 / x2``, and 0 wherever ``x2`` is 0 (no inf or nan, and no gradient there)."""
    a, b = float_pair(x1, x2, "divide_no_nan")
    zero = b.data == 0
    safe_b = elementwise.where(Tensor(zero), 1.0, b)
    return elementwise.where(Tensor(zero), 0.0, elementwise.divide(a, safe_b))


def _fextremum(x1, x2, pick_first, function_name):
    # NaN loses: where one side is NaN, the other side is taken
    a, b = _operands(x1, x2, function_name)
    if backend.is_float_dtype(a.dtype) or backend.is_float_dtype(b.dtype):
        a, b = float_pair(a, b, function_name)
    xp = get_xp(a.data, b.data)
    take_a = pick_first(a.data, b.data) | xp.isnan(b.data)
    return elementwise.where(Tensor(take_a), a, b)


def fmax(x1, x2):
    """Elementwise maximum that ignores NaN (NaN only where both are); the gradient goes to the winner."""
    return _fextremum(x1, x2, lambda a, b: a >= b, "fmax")


def fmin(x1, x2):
    """Elementwise minimum that ignores NaN (NaN only where both are); the gradient goes to the winner."""
    return _fextremum(x1, x2, lambda a, b: a <= b, "fmin")
