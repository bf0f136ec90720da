"""``Tensor``: a raw array with Python operators, as the engine sees it.

Place in the stack: the first file of ``minikeras.autodiff``, right above the
backend. A ``Tensor`` is deliberately thin: it holds one raw array in
``.data`` (``numpy.ndarray`` or ``cupy.ndarray``) and nothing about how it was
made. The graph lives on the ``GradientTape`` that recorded the ops, not on the
tensors, so a tensor made outside a tape costs nothing and drags no history
along (``predict`` builds no graph). Read next: ``op.py`` (how an op runs and
gets recorded), then ``tape.py`` (how backward walks the recording).

``numpy.asarray(t)`` and ``t.numpy()`` return the plain value. That value is
outside the graph: arithmetic on it is not recorded and carries no gradient.
"""

import numpy

from minikeras import backend


class Tensor:
    """An immutable value flowing through minikeras ops.

    Args:
        data: the raw array (NumPy or CuPy).
    """

    # NumPy's binary operators hand over to ours (so that `ndarray + Tensor`
    # returns a Tensor and is recorded) when __array_ufunc__ is None.
    __array_ufunc__ = None

    def __init__(self, data):
        self.data = data

    # ----- what the value looks like -----
    @property
    def shape(self):
        return tuple(self.data.shape)

    @property
    def dtype(self):
        return backend.standardize_dtype(self.data.dtype)

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def size(self):
        return self.data.size

    def numpy(self):
        """Returns the value as a NumPy array (outside the graph)."""
        return backend.convert_to_numpy(self.data)

    def __minikeras_array__(self):
        """The raw array; ``backend.convert_to_tensor`` looks for this method."""
        return self.data

    def __array__(self, dtype=None, copy=None):
        value = self.numpy()
        return value if dtype is None else value.astype(dtype)

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __iter__(self):
        for index in range(len(self)):
            yield self[index]

    def __bool__(self):
        return bool(self.data)

    def __float__(self):
        return float(self.data)

    def __int__(self):
        return int(self.data)

    def __index__(self):
        return int(self.data)

    def __repr__(self):
        return f"<Tensor shape={self.shape}, dtype={self.dtype}, value={self.numpy()!r}>"

    # ----- Python operators: each one is a recorded op -----
    def __add__(self, other):
        return elementwise.add(self, other)

    def __radd__(self, other):
        return elementwise.add(other, self)

    def __sub__(self, other):
        return elementwise.subtract(self, other)

    def __rsub__(self, other):
        return elementwise.subtract(other, self)

    def __mul__(self, other):
        return elementwise.multiply(self, other)

    def __rmul__(self, other):
        return elementwise.multiply(other, self)

    def __truediv__(self, other):
        return elementwise.divide(self, other)

    def __rtruediv__(self, other):
        return elementwise.divide(other, self)

    def __pow__(self, other):
        return elementwise.power(self, other)

    def __rpow__(self, other):
        return elementwise.power(other, self)

    def __matmul__(self, other):
        return matmul.matmul(self, other)

    def __rmatmul__(self, other):
        return matmul.matmul(other, self)

    def __neg__(self):
        return elementwise.negative(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return elementwise.absolute(self)

    def __getitem__(self, key):
        return shape.get_item(self, key)

    # Comparisons give boolean tensors, which carry no gradient.
    def __lt__(self, other):
        return elementwise.less(self, other)

    def __le__(self, other):
        return elementwise.less_equal(self, other)

    def __gt__(self, other):
        return elementwise.greater(self, other)

    def __ge__(self, other):
        return elementwise.greater_equal(self, other)

    def __eq__(self, other):
        return elementwise.equal(self, other)

    def __ne__(self, other):
        return elementwise.not_equal(self, other)

    # Defining __eq__ would otherwise make tensors unhashable; identity is the
    # right key for the dicts of the tape and of the optimizer.
    __hash__ = object.__hash__


def as_tensor(value, dtype=None):
    """Returns ``value`` as a Tensor (a Tensor or Variable passes unchanged).

    Args:
        value: a Tensor, a Variable, an array, a Python scalar or list.
        dtype: optional dtype for a value that is not a Tensor yet.
    """
    if isinstance(value, Tensor) and dtype is None:
        return value
    return Tensor(backend.convert_to_tensor(value, dtype=dtype))


def is_tensor(value):
    """True for minikeras Tensors and Variables."""
    return isinstance(value, Tensor)


def raw(value):
    """Returns the raw array behind a Tensor, or ``value`` as an array."""
    if isinstance(value, Tensor):
        return value.data
    if isinstance(value, numpy.ndarray) or backend.is_cupy_array(value):
        return value
    return backend.convert_to_tensor(value)


# The op modules import Tensor from this file, so they are imported last; the
# operators above look them up when they run, not when this file loads.
from minikeras.autodiff import elementwise  # noqa: E402
from minikeras.autodiff import matmul  # noqa: E402
from minikeras.autodiff import shape  # noqa: E402
