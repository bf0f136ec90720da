"""Elementwise ops: arithmetic and the math functions of NumPy, with gradients.

Place in the stack: an op family of ``minikeras.autodiff`` (read ``op.py``
first). Binary ops broadcast as NumPy does; their backward passes undo the
broadcast with ``unbroadcast``. Python numbers mixed with tensors take the
tensor's dtype (``x * 2.0`` stays float32), as in Keras. Read next:
``reduce.py``.
"""

from minikeras import backend
from minikeras.autodiff.op import Op
from minikeras.autodiff.op import unbroadcast
from minikeras.autodiff.tensor import Tensor
from minikeras.autodiff.tensor import as_tensor
from minikeras.backend import get_xp


def _operands(a, b):
    """Converts Python numbers to the dtype of the other operand.

    ``x * 0.5`` with a float32 ``x`` must stay float32 (and float64 stay
    float64 for gradient checks); a Python float next to an integer tensor
    becomes ``floatx()``.
    """
    a_is_number = isinstance(a, (int, float)) and not isinstance(a, bool)
    b_is_number = isinstance(b, (int, float)) and not isinstance(b, bool)
    if a_is_number and not b_is_number:
        return _number_like(a, b), as_tensor(b)
    if b_is_number and not a_is_number:
        return as_tensor(a), _number_like(b, a)
    return as_tensor(a), as_tensor(b)


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
    return Add()(*_operands(x1, x2))


def subtract(x1, x2):
    return Subtract()(*_operands(x1, x2))


def multiply(x1, x2):
    return Multiply()(*_operands(x1, x2))


def divide(x1, x2):
    x1, x2 = _operands(x1, x2)
    if not backend.is_float_dtype(x1.dtype) and not backend.is_float_dtype(x2.dtype):
        # Keras: true division of integers gives floats.
        x1, x2 = as_tensor(x1.data.astype(backend.floatx())), as_tensor(x2.data.astype(backend.floatx()))
    return Divide()(x1, x2)


def true_divide(x1, x2):
    return divide(x1, x2)


def power(x1, x2):
    return Power()(*_operands(x1, x2))


def maximum(x1, x2):
    return Maximum()(*_operands(x1, x2))


def minimum(x1, x2):
    return Minimum()(*_operands(x1, x2))


# ----- unary functions -----
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


class Exp(Op):
    """y = exp(x);  dx = dy * y."""
    def forward(self, x):
        self.y = get_xp(x).exp(x)
        return self.y

    def backward(self, dy):
        return dy * self.y


class Log(Op):
    """y = log(x);  dx = dy / x."""
    def forward(self, x):
        self.x = x
        return get_xp(x).log(x)

    def backward(self, dy):
        return dy / self.x


class Tanh(Op):
    """y = tanh(x);  dx = dy * (1 - y**2).  Any shape."""
    def forward(self, x):
        self.y = get_xp(x).tanh(x)
        return self.y

    def backward(self, dy):
        return dy * (1.0 - self.y ** 2)


def negative(x):
    return Negative()(x)


def copy(x):
    return Copy()(x)


def absolute(x):
    return Absolute()(x)


def abs(x):  # noqa: A001  (Keras's name)
    return Absolute()(x)


def exp(x):
    return Exp()(_as_float(x))


def log(x):
    return Log()(_as_float(x))


def tanh(x):
    return Tanh()(_as_float(x))


def _as_float(x):
    """Integer inputs of float functions (``exp`` of an int) become floatx."""
    x = as_tensor(x)
    if not backend.is_float_dtype(x.dtype):
        x = as_tensor(x.data.astype(backend.floatx()))
    return x


# ----- comparisons: boolean results, no gradient -----
def _compare(function_name, x1, x2):
    a, b = _operands(x1, x2)
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

