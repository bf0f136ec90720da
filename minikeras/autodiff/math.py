"""Math functions of one input: exp, log, sqrt, trigonometry, rounding.

Place in the stack: an op family of ``minikeras.autodiff``, after
``elementwise.py``. Each op is ``y = f(x)`` applied entry by entry, so its
gradient is ``dx = dy * f'(x)``: the only thing each class has to teach is
``f'``, written in terms of whatever is cheapest to keep (often ``y`` itself).
Read next: ``trig.py``.

Functions that only make sense on floats (``exp`` of an integer) first turn
integer inputs into ``floatx()``, as Keras does. Rounding and tests
(``floor``, ``sign``, ``isnan``) are piecewise constant: they carry no gradient.
"""

import math as python_math

from minikeras import backend
from minikeras.autodiff.op import Op
from minikeras.autodiff.tensor import Tensor
from minikeras.autodiff.tensor import as_tensor
from minikeras.backend import get_xp


def as_float(x):
    """Integer and boolean inputs of float functions become ``floatx()``."""
    x = as_tensor(x)
    if not backend.is_float_dtype(x.dtype):
        x = as_tensor(x.data.astype(backend.floatx()))
    return x


class Exp(Op):
    """y = exp(x);  dx = dy * y."""
    def forward(self, x):
        self.y = get_xp(x).exp(x)
        return self.y

    def backward(self, dy):
        return dy * self.y


class Expm1(Op):
    """y = exp(x) - 1 (accurate near 0);  dx = dy * (y + 1)."""
    def forward(self, x):
        self.y = get_xp(x).expm1(x)
        return self.y

    def backward(self, dy):
        return dy * (self.y + 1)


class Log(Op):
    """y = log(x);  dx = dy / x."""
    def forward(self, x):
        self.x = x
        return get_xp(x).log(x)

    def backward(self, dy):
        return dy / self.x


class Log1p(Op):
    """y = log(1 + x) (accurate near 0);  dx = dy / (1 + x)."""
    def forward(self, x):
        self.x = x
        return get_xp(x).log1p(x)

    def backward(self, dy):
        return dy / (1 + self.x)


class Sqrt(Op):
    """y = sqrt(x);  dx = dy / (2 y)."""
    def forward(self, x):
        self.y = get_xp(x).sqrt(x)
        return self.y

    def backward(self, dy):
        return dy / (2 * self.y)


class Rsqrt(Op):
    """y = 1 / sqrt(x);  dx = -dy * y**3 / 2."""
    def forward(self, x):
        self.y = 1 / get_xp(x).sqrt(x)
        return self.y

    def backward(self, dy):
        return -0.5 * dy * self.y ** 3


class Square(Op):
    """y = x**2;  dx = 2 x dy."""
    def forward(self, x):
        self.x = x
        return x * x

    def backward(self, dy):
        return 2 * self.x * dy


class Reciprocal(Op):
    """y = 1 / x;  dx = -dy * y**2."""
    def forward(self, x):
        self.y = 1 / x
        return self.y

    def backward(self, dy):
        return -dy * self.y ** 2


class Sin(Op):
    """y = sin(x);  dx = dy * cos(x)."""
    def forward(self, x):
        self.x = x
        return get_xp(x).sin(x)

    def backward(self, dy):
        return dy * get_xp(dy).cos(self.x)


class Cos(Op):
    """y = cos(x);  dx = -dy * sin(x)."""
    def forward(self, x):
        self.x = x
        return get_xp(x).cos(x)

    def backward(self, dy):
        return -dy * get_xp(dy).sin(self.x)


class Tanh(Op):
    """y = tanh(x);  dx = dy * (1 - y**2).  Any shape."""
    def forward(self, x):
        self.y = get_xp(x).tanh(x)
        return self.y

    def backward(self, dy):
        return dy * (1.0 - self.y ** 2)


class Erf(Op):
    """y = erf(x) = 2/sqrt(pi) * integral of exp(-t**2) from 0 to x;
    dx = dy * 2/sqrt(pi) * exp(-x**2).

    NumPy has no ``erf``, so the forward pass applies Python's
    ``math.erf`` entry by entry (exact, slow); on CuPy it uses CuPy's own.
    """
    def forward(self, x):
        self.x = x
        return erf_array(x)

    def backward(self, dy):
        return dy * (2 / python_math.sqrt(python_math.pi)) * get_xp(dy).exp(-self.x ** 2)


def erf_array(x):
    """erf on a raw array (NumPy or CuPy), keeping its dtype."""
    if backend.is_cupy_array(x):
        import cupyx.scipy.special  # present whenever CuPy is
        return cupyx.scipy.special.erf(x)
    flat = [python_math.erf(value) for value in x.ravel().tolist()]
    return get_xp(x).asarray(flat, dtype=x.dtype).reshape(x.shape)


def exp(x):
    return Exp()(as_float(x))


def expm1(x):
    return Expm1()(as_float(x))


def log(x):
    return Log()(as_float(x))


def log1p(x):
    return Log1p()(as_float(x))


def sqrt(x):
    return Sqrt()(as_float(x))


def rsqrt(x):
    return Rsqrt()(as_float(x))


def square(x):
    """``x * x``; integers stay integers (Keras)."""
    return Square()(as_tensor(x))


def reciprocal(x):
    return Reciprocal()(as_float(x))


def sin(x):
    return Sin()(as_float(x))


def cos(x):
    return Cos()(as_float(x))


def tanh(x):
    return Tanh()(as_float(x))


def erf(x):
    return Erf()(as_float(x))


# ----- piecewise constant: no gradient -----
def _no_gradient(function_name, x):
    x = as_tensor(x)
    return Tensor(getattr(get_xp(x.data), function_name)(x.data))


def sign(x):
    """-1, 0 or 1 per entry, in ``x``'s dtype."""
    return _no_gradient("sign", x)


def floor(x):
    return _no_gradient("floor", as_float(x))


def ceil(x):
    return _no_gradient("ceil", as_float(x))


def round(x, decimals=0):  # noqa: A001  (Keras's name)
    """Rounds half to even, as NumPy."""
    x = as_tensor(x)
    return Tensor(get_xp(x.data).round(x.data, decimals))


def isnan(x):
    return _no_gradient("isnan", x)


def isinf(x):
    return _no_gradient("isinf", x)


def isfinite(x):
    return _no_gradient("isfinite", x)


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    x = as_tensor(x)
    return Tensor(get_xp(x.data).nan_to_num(x.data, nan=nan, posinf=posinf, neginf=neginf))
