"""Complex numbers and reinterpreted dtypes: ``real``, ``imag``, ``conj``, ``polar``, ``view_as_real``,
``view_as_complex``, ``view``, ``saturate_cast``.

Place in the stack: public ``keras.ops`` functions. A minikeras Tensor may
hold a complex NumPy array (``complex64``), which these functions make and
take apart; the engine does not differentiate complex values, so the
functions that make or read them record nothing. On a *real* input,
``real`` and ``conj`` return the input itself (gradient included) and
``imag`` returns zeros, as a real number's imaginary part is 0. The Fourier
ops of ``signal.py`` use Keras's other convention, a ``(real, imag)`` pair
of float tensors, which does carry gradients.

``saturate_cast`` is ``cast`` that clips to the target dtype's range first,
so 300.5 cast to uint8 gives 255 instead of wrapping around; between float
dtypes the clip and cast keep their gradients.
"""

import numpy

from minikeras import backend
from minikeras.autodiff import elementwise
from minikeras.autodiff.tensor import Tensor
from minikeras.autodiff.tensor import as_tensor
from minikeras.backend import get_xp
from minikeras.ops.symbolic import functional_aware


def _is_complex(x):
    return x.data.dtype.kind == "c"


@functional_aware
def real(x):
    """The real part (x itself for a real tensor)."""
    x = as_tensor(x)
    return Tensor(get_xp(x.data).real(x.data).copy()) if _is_complex(x) else x


@functional_aware
def imag(x):
    """The imaginary part (zeros of x's dtype for a real tensor)."""
    x = as_tensor(x)
    return Tensor(get_xp(x.data).imag(x.data).copy() if _is_complex(x) else get_xp(x.data).zeros_like(x.data))


@functional_aware
def conj(x):
    """The complex conjugate ``a - ib`` (x itself for a real tensor)."""
    x = as_tensor(x)
    return Tensor(get_xp(x.data).conj(x.data)) if _is_complex(x) else x


@functional_aware
def conjugate(x):
    """Same as :func:`conj`."""
    return conj(x)


@functional_aware
def polar(abs_, angle):
    """The complex numbers ``abs_ * (cos(angle) + i sin(angle))`` (complex64 for float32 inputs)."""
    magnitude, angle = as_tensor(abs_).data, as_tensor(angle).data
    xp = get_xp(magnitude, angle)
    dtype = "complex128" if "float64" in (str(magnitude.dtype), str(angle.dtype)) else "complex64"
    return Tensor((magnitude * xp.cos(angle) + 1j * (magnitude * xp.sin(angle))).astype(dtype))


@functional_aware
def view_as_real(x):
    """A complex tensor (...) as floats (..., 2): real and imaginary parts side by side."""
    x = as_tensor(x)
    if not _is_complex(x):
        raise ValueError(f"`view_as_real` expects a complex tensor. Received: x.dtype={x.dtype}")
    xp = get_xp(x.data)
    return Tensor(xp.stack([xp.real(x.data), xp.imag(x.data)], axis=-1))


@functional_aware
def view_as_complex(x):
    """Floats (..., 2) as a complex tensor (...): the last axis holds (real, imag)."""
    x = as_tensor(x)
    if x.ndim == 0 or x.shape[-1] != 2:
        raise ValueError(f"`view_as_complex`: the last axis must have size 2 (real, imag). Received: x.shape={x.shape}")
    dtype = "complex128" if x.dtype == "float64" else "complex64"
    return Tensor((x.data[..., 0] + 1j * x.data[..., 1]).astype(dtype))


@functional_aware
def view(x, dtype=None):
    """The same bytes read as ``dtype`` (the last axis grows or shrinks by the ratio of item sizes)."""
    x = as_tensor(x)
    if dtype is None:
        return x
    return Tensor(get_xp(x.data).ascontiguousarray(x.data).view(backend.standardize_dtype(dtype)))


@functional_aware
def saturate_cast(x, dtype):
    """``cast`` to ``dtype`` after clipping ``x`` to the values that dtype can hold."""
    x = as_tensor(x)
    dtype = backend.standardize_dtype(dtype)
    target = numpy.dtype(dtype)
    limits = numpy.iinfo(target) if target.kind in "iu" else numpy.finfo(target) if target.kind == "f" else None
    if limits is not None and x.data.dtype.kind in "iuf":
        source = numpy.finfo(x.data.dtype) if x.data.dtype.kind == "f" else numpy.iinfo(x.data.dtype)
        low, high = max(float(limits.min), float(source.min)), min(float(limits.max), float(source.max))
        x = elementwise.clip(x, low, high)
    return elementwise.cast(x, dtype)
