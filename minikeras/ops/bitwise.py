"""Bit operations and integer arithmetic: ``bitwise_and`` ... ``right_shift``, ``gcd``, ``lcm``.

Place in the stack: public ``keras.ops`` functions over raw ``xp`` calls. Their
inputs and results are integers (or booleans for the logical bit ops), which
carry no gradient: nothing here is an ``Op`` and the tape never records them,
as with ``argmax``. A float input is refused with the argument's dtype, as
Keras's JAX backend does. Read next: ``predicates.py``.

The shifts are arithmetic on signed integers: ``x << y`` is ``x * 2**y`` and
``x >> y`` is ``floor(x / 2**y)`` (the sign bit is copied in).
"""

from minikeras import backend
from minikeras.autodiff.elementwise import _operands
from minikeras.autodiff.tensor import Tensor
from minikeras.autodiff.tensor import as_tensor
from minikeras.backend import get_xp
from minikeras.ops.symbolic import functional_aware


def _integers(function_name, *xs):
    """The inputs as Tensors, refusing floats (bit patterns of floats are not numbers)."""
    tensors = _operands(*xs, function_name) if len(xs) == 2 else (as_tensor(xs[0]),)
    for position, tensor in enumerate(tensors):
        if tensor.dtype != "bool" and not backend.is_int_dtype(tensor.dtype):
            raise TypeError(f"`{function_name}` accepts integer or bool tensors only. Received: "
                            f"x{position + 1 if len(xs) == 2 else ''} dtype={tensor.dtype}")
    return tensors


def _binary(function_name, numpy_name, x, y):
    a, b = _integers(function_name, x, y)
    return Tensor(getattr(get_xp(a.data, b.data), numpy_name)(a.data, b.data))


@functional_aware
def bitwise_and(x, y):
    """Bits set in both ``x`` and ``y`` (broadcast)."""
    return _binary("bitwise_and", "bitwise_and", x, y)


@functional_aware
def bitwise_or(x, y):
    """Bits set in ``x`` or ``y``."""
    return _binary("bitwise_or", "bitwise_or", x, y)


@functional_aware
def bitwise_xor(x, y):
    """Bits set in exactly one of ``x`` and ``y``."""
    return _binary("bitwise_xor", "bitwise_xor", x, y)


@functional_aware
def bitwise_invert(x):
    """Every bit flipped: ``~x`` (``-x - 1`` for signed integers, ``not`` for booleans)."""
    (x,) = _integers("bitwise_invert", x)
    return Tensor(get_xp(x.data).invert(x.data))


@functional_aware
def bitwise_not(x):
    """Same as :func:`bitwise_invert`."""
    (x,) = _integers("bitwise_not", x)
    return Tensor(get_xp(x.data).invert(x.data))


@functional_aware
def bitwise_left_shift(x, y):
    """``x << y``: ``x * 2**y``."""
    return _binary("bitwise_left_shift", "left_shift", x, y)


@functional_aware
def left_shift(x, y):
    """Same as :func:`bitwise_left_shift`."""
    return _binary("left_shift", "left_shift", x, y)


@functional_aware
def bitwise_right_shift(x, y):
    """``x >> y``: ``floor(x / 2**y)``."""
    return _binary("bitwise_right_shift", "right_shift", x, y)


@functional_aware
def right_shift(x, y):
    """Same as :func:`bitwise_right_shift`."""
    return _binary("right_shift", "right_shift", x, y)


@functional_aware
def gcd(x1, x2):
    """The greatest common divisor of ``|x1|`` and ``|x2|`` (0 when both are 0)."""
    return _binary("gcd", "gcd", x1, x2)


@functional_aware
def lcm(x1, x2):
    """The least common multiple of ``|x1|`` and ``|x2|`` (0 when either is 0)."""
    return _binary("lcm", "lcm", x1, x2)
