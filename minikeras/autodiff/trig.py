"""Trigonometric and hyperbolic functions: tan, the inverses, sinh, cosh and their inverses, arctan2.

Place in the stack: an op family of ``minikeras.autodiff``, beside
``math.py`` (which has ``sin``, ``cos`` and ``tanh``; read it first). Each op
is ``y = f(x)`` entry by entry, so ``dx = dy * f'(x)``; the derivatives of
the inverse functions come from ``f'(x) = 1 / g'(f(x))`` for ``f`` the
inverse of ``g``:

    tan'  = 1 + tan**2          arcsin' = 1 / sqrt(1 - x**2)    arccos' = -arcsin'
    arctan' = 1 / (1 + x**2)    sinh' = cosh,  cosh' = sinh
    arcsinh' = 1 / sqrt(x**2 + 1)   arccosh' = 1 / sqrt(x**2 - 1)   arctanh' = 1 / (1 - x**2)

``arctan2(y, x)``, the angle of the point (x, y), has partial derivatives
``x / (x**2 + y**2)`` in y and ``-y / (x**2 + y**2)`` in x. Integer inputs
become ``floatx()``, as in Keras. Read next: ``special.py``.
"""

from minikeras.autodiff.elementwise import _operands
from minikeras.autodiff.math import as_float
from minikeras.autodiff.op import Op
from minikeras.autodiff.op import unbroadcast
from minikeras.autodiff.tensor import as_tensor
from minikeras.backend import get_xp


class Tan(Op):
    """y = tan(x);  dx = dy * (1 + y**2)."""
    def forward(self, x):
        self.y = get_xp(x).tan(x)
        return self.y

    def backward(self, dy):
        return dy * (1 + self.y ** 2)


class Arcsin(Op):
    """y = arcsin(x), x in [-1, 1];  dx = dy / sqrt(1 - x**2)."""
    def forward(self, x):
        self.x = x
        return get_xp(x).arcsin(x)

    def backward(self, dy):
        return dy / get_xp(dy).sqrt(1 - self.x ** 2)


class Arccos(Op):
    """y = arccos(x), x in [-1, 1];  dx = -dy / sqrt(1 - x**2)."""
    def forward(self, x):
        self.x = x
        return get_xp(x).arccos(x)

    def backward(self, dy):
        return -dy / get_xp(dy).sqrt(1 - self.x ** 2)


class Arctan(Op):
    """y = arctan(x);  dx = dy / (1 + x**2)."""
    def forward(self, x):
        self.x = x
        return get_xp(x).arctan(x)

    def backward(self, dy):
        return dy / (1 + self.x ** 2)


class Sinh(Op):
    """y = sinh(x);  dx = dy * cosh(x)."""
    def forward(self, x):
        self.x = x
        return get_xp(x).sinh(x)

    def backward(self, dy):
        return dy * get_xp(dy).cosh(self.x)


class Cosh(Op):
    """y = cosh(x);  dx = dy * sinh(x)."""
    def forward(self, x):
        self.x = x
        return get_xp(x).cosh(x)

    def backward(self, dy):
        return dy * get_xp(dy).sinh(self.x)


class Arcsinh(Op):
    """y = arcsinh(x);  dx = dy / sqrt(x**2 + 1)."""
    def forward(self, x):
        self.x = x
        return get_xp(x).arcsinh(x)

    def backward(self, dy):
        return dy / get_xp(dy).sqrt(self.x ** 2 + 1)


class Arccosh(Op):
    """y = arccosh(x), x >= 1;  dx = dy / sqrt(x**2 - 1)."""
    def forward(self, x):
        self.x = x
        return get_xp(x).arccosh(x)

    def backward(self, dy):
        return dy / get_xp(dy).sqrt(self.x ** 2 - 1)


class Arctanh(Op):
    """y = arctanh(x), x in (-1, 1);  dx = dy / (1 - x**2)."""
    def forward(self, x):
        self.x = x
        return get_xp(x).arctanh(x)

    def backward(self, dy):
        return dy / (1 - self.x ** 2)


class Arctan2(Op):
    """z = arctan2(y, x) (broadcast);  dy_in = dz * x / r2,  dx_in = -dz * y / r2,  r2 = x**2 + y**2."""
    def forward(self, y, x):
        self.y, self.x = y, x
        return get_xp(y, x).arctan2(y, x)

    def backward(self, dz):
        r2 = self.x ** 2 + self.y ** 2
        return unbroadcast(dz * self.x / r2, self.y.shape), unbroadcast(-dz * self.y / r2, self.x.shape)


# ----- the public functions (Keras's names) -----
def tan(x):
    return Tan()(as_float(x))


def arcsin(x):
    return Arcsin()(as_float(x))


def arccos(x):
    return Arccos()(as_float(x))


def arctan(x):
    return Arctan()(as_float(x))


def sinh(x):
    return Sinh()(as_float(x))


def cosh(x):
    return Cosh()(as_float(x))


def arcsinh(x):
    return Arcsinh()(as_float(x))


def arccosh(x):
    return Arccosh()(as_float(x))


def arctanh(x):
    return Arctanh()(as_float(x))


def arctan2(x1, x2):
    """The angle of the point ``(x2, x1)`` in radians, in [-pi, pi]; broadcasts."""
    x1, x2 = _operands(x1, x2, "arctan2")
    return Arctan2()(as_float(as_tensor(x1)), as_float(as_tensor(x2)))
