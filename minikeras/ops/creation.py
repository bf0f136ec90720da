"""New arrays from numbers: ``array``, ``empty``, ``geomspace``, ``logspace``, ``vander``.

Place in the stack: public ``keras.ops`` functions beside ``zeros`` and
``linspace`` in ``numpy.py``. Only ``vander`` has a tensor input: its
columns are powers of it, built with ``power``, which carries the gradient.
Read next: ``arrangements.py``.

Dtypes follow Keras: a list of Python ints becomes int32 and of floats
``floatx()``; ``empty`` (which minikeras fills with zeros, so that runs are
repeatable) is ``floatx()`` unless ``dtype`` is given.
"""

import math

from minikeras import backend
from minikeras.autodiff import combine
from minikeras.autodiff import elementwise
from minikeras.autodiff import shape
from minikeras.autodiff.tensor import Tensor
from minikeras.autodiff.tensor import as_tensor
from minikeras.backend import get_xp
from minikeras.ops.symbolic import functional_aware


def _standard_dtype(data):
    """int64 -> int32 and float64 -> floatx(), Keras's defaults for Python numbers."""
    if data.dtype.kind in "iu" and data.dtype.itemsize == 8:
        return "int32"
    if data.dtype.kind == "f" and data.dtype.itemsize == 8:
        return backend.floatx()
    return backend.standardize_dtype(data.dtype)


def array(x, dtype=None):
    """A tensor holding ``x`` (a number, nested list or array), with Keras's default dtypes."""
    if isinstance(x, Tensor):
        data = x.data
        dtype = dtype or x.dtype
    else:
        data = get_xp().asarray(x)
        dtype = dtype or _standard_dtype(data)
    return Tensor(data.astype(backend.standardize_dtype(dtype)))


def empty(shape, dtype=None):
    """A new tensor of ``shape`` (filled with zeros: minikeras never hands out uninitialised memory)."""
    shape = (int(shape),) if isinstance(shape, int) else tuple(int(size) for size in shape)
    return Tensor(get_xp().zeros(shape, dtype=backend.standardize_dtype(dtype) if dtype else backend.floatx()))


@functional_aware
def empty_like(x, dtype=None):
    """A new tensor with x's shape and dtype (filled with zeros)."""
    x = as_tensor(x)
    return Tensor(get_xp(x.data).zeros(x.shape, dtype=backend.standardize_dtype(dtype) if dtype else x.data.dtype))


def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    """``base ** linspace(start, stop, num)``: ``num`` points evenly spaced on a log scale."""
    values = get_xp().logspace(start, stop, num, endpoint=endpoint, base=base, axis=axis)
    return Tensor(values.astype(backend.standardize_dtype(dtype) if dtype else backend.floatx()))


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """``num`` points from ``start`` to ``stop`` in a geometric progression (constant ratio)."""
    if start == 0 or stop == 0 or (start < 0) != (stop < 0):
        raise ValueError(f"`geomspace`: start and stop must be nonzero and of one sign. Received: {start}, {stop}")
    sign = -1.0 if start < 0 else 1.0
    # evenly spaced exponents: log10|start| ... log10|stop| (CuPy has logspace but no geomspace)
    values = sign * get_xp().logspace(math.log10(abs(start)), math.log10(abs(stop)), num, endpoint=endpoint)
    return Tensor(values.astype(backend.standardize_dtype(dtype) if dtype else backend.floatx()))


@functional_aware
def vander(x, N=None, increasing=False):  # noqa: N803  (Keras's argument name)
    """The Vandermonde matrix of a 1-D ``x`` (M,): (M, N) with columns ``x**(N-1) ... x**0``
    (``x**0 ... x**(N-1)`` if ``increasing``); N defaults to M. Differentiable through ``power``."""
    x = as_tensor(x)
    if x.ndim != 1:
        raise ValueError(f"`vander` takes a 1-D tensor. Received: x.shape={x.shape}")
    count = x.shape[0] if N is None else int(N)
    exponents = list(range(count)) if increasing else list(range(count - 1, -1, -1))
    if not exponents:
        return Tensor(get_xp(x.data).zeros((x.shape[0], 0), dtype=x.data.dtype))
    column = shape.expand_dims(x, 1)  # (M,) -> (M, 1)
    powers = [elementwise.power(column, exponent) for exponent in exponents]
    return combine.concatenate(powers, axis=1)  # N times (M, 1) -> (M, N)
