"""The one place that chooses which kernel function computes conv, pooling and matmul.

Place in the stack: part of ``minikeras.backend``, the only layer allowed to
branch on the device. The ops in ``minikeras/autodiff/conv.py``, ``pool.py``
and ``matmul.py`` ask here once per call, store the plain function they get
(``numba_conv.conv_forward``, ``reference.max_pool_backward``...) and call
it; the kernels themselves know nothing of this choice. Every ``return``
below names its function, so go-to-definition leads from here to the loops.

* CuPy arrays (``MINIKERAS_BACKEND=cupy``) always go to ``kernels/numba_cuda.py``,
  the CUDA kernels written with Numba; their matrix products are cuBLAS calls.
* NumPy arrays go to the Numba kernels, or to ``kernels/reference.py`` with
  ``kernels="reference"`` (for teaching and for tests).
* Convolutions, with ``conv_algorithm``: ``"winograd"`` (the default:
  ``numba_winograd.py`` for 3x3, stride-1 convolutions with at least
  ``WINOGRAD_MIN_CHANNELS`` input channels, ``numba_conv.py`` for the rest),
  ``"im2col"`` (``numba_conv.py`` always) or ``"numpy"``
  (``numpy_im2col.py``, the readable NumPy version).
* Matrix products (``matmul`` and the Dense layers), with ``matmul``:
  ``"auto"`` (the default: 2-D float32 products on ``numba_simd_matmul.py``,
  which computes them with AVX-512 vectors where the CPU has them and hands
  the others to BLAS; stacks of products on NumPy arrays through
  ``threaded_matmul.py``), ``"blas"`` (``xp.matmul`` always, stacks as with
  ``"auto"``), ``"numba"`` (the readable tiled kernel, for 2-D float
  operands of one dtype; others stay on BLAS) or ``"reference"`` (the triple
  loop, same rule). The convolutions' own products are part of their
  kernels (``numba_winograd.py``, ``numba_conv.py`` use ``numba_simd_matmul``
  the same way).

The settings are read once, when minikeras is imported: each from its
environment variable (``MINIKERAS_KERNELS``, ``MINIKERAS_CONV_ALGORITHM``,
``MINIKERAS_MATMUL``), else from ``~/.minikeras/minikeras.json`` (keys
``"kernels"``, ``"conv_algorithm"``, ``"matmul"``), else the defaults.
Inside a block, ``minikeras.config.kernels(...)`` (:func:`kernels` here)
switches them, for notebooks and tests. The kernel modules are imported on
first use: importing minikeras never pays for Numba.

Why Winograd only from 16 input channels: with one or a few (a first layer
on grey images) the products are too thin for Winograd's savings to pay for
its transforms. It trades matrix products for transforms; on the benchmark
machine it won on the guide's convnet with OpenBLAS on its AVX2 kernels and
on AVX-512 alike (figures in ``bench/RESULTS.md``).
"""

import contextlib
import contextvars
from typing import NamedTuple

import numpy

from minikeras.backend import config
from minikeras.backend.arrays import is_cupy_array

WINOGRAD_MIN_CHANNELS = 16

_CHOICES = {
    "kernels": ("numba", "reference"),
    "conv_algorithm": ("winograd", "im2col", "numpy"),
    "matmul": ("auto", "blas", "numba", "reference"),
}


class KernelSettings(NamedTuple):
    """The three kernel settings; see the module docstring for their values."""

    kernels: str = "numba"
    conv_algorithm: str = "winograd"
    matmul: str = "auto"


def _checked(name, value, source):
    value = str(value).lower()
    if value not in _CHOICES[name]:
        raise ValueError(f"Unknown {source}={value!r}. Expected one of {_CHOICES[name]}.")
    return value


def _read_settings():
    """The settings from the environment, else ``minikeras.json``, else the defaults (read once)."""
    values = {}
    for name, default in KernelSettings._field_defaults.items():
        variable = "MINIKERAS_" + name.upper()
        value, source = config.setting(variable, name, default)
        values[name] = _checked(name, value, source)
    return KernelSettings(**values)


# The settings in force. A context variable, so that a ``with kernels(...)``
# block changes them for its own thread only; other threads (data loaders)
# keep the settings read at import.
_settings = contextvars.ContextVar("minikeras_kernel_settings", default=_read_settings())


def settings():
    """Returns the :class:`KernelSettings` in force here (for a notebook's first cell, or a test)."""
    return _settings.get()


@contextlib.contextmanager
def kernels(name=None, *, conv_algorithm=None, matmul=None):
    """Within this block, ops use these kernels. Arguments left None keep their current value.

    Example::

        with minikeras.config.kernels("reference"):
            model.train_on_batch(x, y)      # step through the NumPy loops
        with minikeras.config.kernels(conv_algorithm="im2col", matmul="numba"):
            ...

    Args:
        name: ``"numba"`` or ``"reference"`` (conv and pooling on NumPy arrays).
        conv_algorithm: ``"winograd"``, ``"im2col"`` or ``"numpy"``.
        matmul: ``"auto"``, ``"blas"``, ``"numba"`` or ``"reference"``.
    Yields:
        The :class:`KernelSettings` in force inside the block.
    """
    changes = {"kernels": name, "conv_algorithm": conv_algorithm, "matmul": matmul}
    changes = {key: _checked(key, value, key) for key, value in changes.items() if value is not None}
    token = _settings.set(_settings.get()._replace(**changes))
    try:
        yield _settings.get()
    finally:
        _settings.reset(token)


def _prepare_numba():
    """Before the first Numba kernel or NumPy matrix product: the process settings of
    ``kernels/runtime.py`` (threading layer, glibc keeping freed memory), unless turned off."""
    from minikeras.kernels import runtime

    if config.configure_process():
        runtime.configure_process()  # does its work once per process


def uses_winograd(kernel_shape, strides, dilation):
    """True if a convolution with this kernel ``(KH, KW, C, F)`` suits ``numba_winograd``."""
    KH, KW, C = kernel_shape[0], kernel_shape[1], kernel_shape[2]
    return (KH, KW) == (3, 3) and tuple(strides) == (1, 1) and tuple(dilation) == (1, 1) and C >= WINOGRAD_MIN_CHANNELS


def conv_kernels(x, kernel, strides, dilation):
    """The two conv functions for these raw arrays: ``(conv_forward, conv_backward)``.

    Args:
        x: the input ``(N, H, W, C)``; kernel: ``(KH, KW, C, F)`` (NumPy or CuPy arrays).
        strides, dilation: pairs, as the kernels take them.
    Returns:
        The pair of one kernel module (the contract in ``kernels/__init__.py``).
    """
    if is_cupy_array(x) or is_cupy_array(kernel):
        from minikeras.kernels import numba_cuda

        return numba_cuda.conv_forward, numba_cuda.conv_backward
    current = _settings.get()
    if current.kernels == "reference":
        from minikeras.kernels import reference

        return reference.conv_forward, reference.conv_backward
    if current.conv_algorithm == "numpy":
        from minikeras.kernels import numpy_im2col

        return numpy_im2col.conv_forward, numpy_im2col.conv_backward
    from minikeras.kernels import numba_conv
    from minikeras.kernels import numba_winograd

    _prepare_numba()
    if current.conv_algorithm == "winograd" and uses_winograd(kernel.shape, strides, dilation):
        return numba_winograd.conv_forward, numba_winograd.conv_backward
    return numba_conv.conv_forward, numba_conv.conv_backward


def conv_max_pool_kernel(x, kernel):
    """The fused ``conv_max_pool_forward`` for these raw arrays, or None when no fused kernel suits them.

    Only ``numba_winograd`` has one (3x3 kernels with enough input channels,
    the conditions of :func:`uses_winograd`, on NumPy arrays, when the
    settings choose Winograd); otherwise the caller runs the convolution and
    the pooling as two ops (``layers/fusion.py``).
    """
    if is_cupy_array(x) or is_cupy_array(kernel):
        return None
    current = _settings.get()
    if current.kernels == "reference" or current.conv_algorithm != "winograd":
        return None
    if not uses_winograd(kernel.shape, (1, 1), (1, 1)):
        return None
    from minikeras.kernels import numba_winograd

    _prepare_numba()
    return numba_winograd.conv_max_pool_forward


def max_pool_kernels(x):
    """``(max_pool_forward, max_pool_backward)`` for this raw input."""
    if is_cupy_array(x):
        from minikeras.kernels import numba_cuda

        return numba_cuda.max_pool_forward, numba_cuda.max_pool_backward
    if _settings.get().kernels == "reference":
        from minikeras.kernels import reference

        return reference.max_pool_forward, reference.max_pool_backward
    from minikeras.kernels import numba_pool

    _prepare_numba()
    return numba_pool.max_pool_forward, numba_pool.max_pool_backward


def average_pool_kernels(x):
    """``(average_pool_forward, average_pool_backward)`` for this raw input."""
    if is_cupy_array(x):
        from minikeras.kernels import numba_cuda

        return numba_cuda.average_pool_forward, numba_cuda.average_pool_backward
    if _settings.get().kernels == "reference":
        from minikeras.kernels import reference

        return reference.average_pool_forward, reference.average_pool_backward
    from minikeras.kernels import numba_pool

    _prepare_numba()
    return numba_pool.average_pool_forward, numba_pool.average_pool_backward


def matmul_kernel(a, b):
    """The function that multiplies these two raw arrays.

    ``cupy.matmul`` for CuPy arrays. For NumPy arrays, two stacks of matrices
    with the same leading axes, ``(G, ..., M, K) @ (G, ..., K, P)``, go to
    :func:`batched_matmul_kernel` (``"auto"`` and ``"blas"``). By default
    (``"auto"``), two 2-D float32 arrays go to ``numba_simd_matmul.matmul``
    (AVX-512 where the CPU has it and the product fits, BLAS otherwise);
    ``"blas"`` keeps them on ``numpy.matmul``. With ``matmul="numba"`` or
    ``"reference"``, that kernel when both operands are 2-D float arrays of
    one dtype. Everything else is ``numpy.matmul``.
    """
    if is_cupy_array(a) or is_cupy_array(b):
        from minikeras.kernels import numba_cuda

        return numba_cuda.matmul
    # Models without convolutions (an MLP, a transformer) allocate their big
    # arrays around products: keep freed memory from the first one on
    # (a transformer block's step took about a third less CPU time: bench/RESULTS.md).
    _prepare_numba()
    name = _settings.get().matmul
    if name in ("auto", "blas") and a.ndim == b.ndim >= 3 and a.shape[:-2] == b.shape[:-2] and a.shape[-1] == b.shape[-2]:
        return batched_matmul_kernel(a, b)
    if a.ndim != 2 or b.ndim != 2 or a.dtype != b.dtype or a.dtype.kind != "f" or name == "blas":
        return numpy.matmul
    if name == "auto":
        if a.dtype != numpy.float32:
            return numpy.matmul
        from minikeras.kernels import numba_simd_matmul

        return numba_simd_matmul.matmul
    if name == "reference":
        from minikeras.kernels import reference

        return reference.matmul
    from minikeras.kernels import numba_matmul

    return numba_matmul.matmul


def dense_kernel(x, w):
    """The ``dense`` family's function for a Dense layer's raw ``x (M, K)`` and ``w (K, P)``, or None.

    With the default matmul setting (``"auto"``), float32 NumPy arrays go to
    ``numba_simd_matmul.dense_forward``: the bias and the ReLU are applied
    inside the product kernel. With ``matmul="reference"``, ``reference.dense_forward``.
    None otherwise (CuPy arrays, ``"blas"``, ``"numba"``, other dtypes): the
    op then adds the bias and applies the ReLU to :func:`matmul_kernel`'s product.
    """
    if is_cupy_array(x) or is_cupy_array(w) or x.ndim != 2 or w.ndim != 2 or x.dtype != w.dtype:
        return None
    name = _settings.get().matmul
    if name == "auto" and x.dtype == numpy.float32:
        from minikeras.kernels import numba_simd_matmul

        _prepare_numba()
        return numba_simd_matmul.dense_forward
    if name == "reference" and x.dtype.kind == "f":
        from minikeras.kernels import reference

        return reference.dense_forward
    return None


def batched_matmul_kernel(a, b):
    """The function of the ``batched_matmul`` family for these two stacks ``(G, ..., M, K)``, ``(G, ..., K, P)``.

    ``kernels/threaded_matmul.py`` for NumPy arrays: it shares the stack
    among the threads, each product on one BLAS thread (BLAS would share each
    small product itself, and gain nothing); ``kernels/numba_cuda.py``
    (``cupy.matmul``) for CuPy arrays.
    """
    if is_cupy_array(a) or is_cupy_array(b):
        from minikeras.kernels import numba_cuda

        return numba_cuda.batched_matmul
    from minikeras.kernels import threaded_matmul

    _prepare_numba()
    return threaded_matmul.batched_matmul


def adam_kernel(variable):
    """The function of one Adam step (the ``adam`` family) for this raw variable.

    ``kernels/numba_optimizer.py`` (one pass) for NumPy arrays by default;
    ``kernels/reference.py`` (NumPy ufuncs, which CuPy arrays run too) for
    CuPy arrays and with ``kernels="reference"``.
    """
    if is_cupy_array(variable) or _settings.get().kernels == "reference":
        from minikeras.kernels import reference

        return reference.adam_update
    from minikeras.kernels import numba_optimizer

    _prepare_numba()
    return numba_optimizer.adam_update


def recurrent_kernels(*arrays):
    """Returns the module of whole-sequence LSTM / GRU / simple RNN kernels.

    ``kernels/numba_recurrent.py`` by default, ``kernels/recurrent_reference.py``
    with ``kernels="reference"``. CuPy arrays always go to
    ``kernels/numba_cuda_recurrent.py``: its per-step products are cuBLAS
    calls and its per-step gate kernels Numba CUDA kernels (``numba_recurrent.py``
    compiles for the CPU and cannot read GPU memory).
    """
    if any(is_cupy_array(array) for array in arrays):
        from minikeras.kernels import numba_cuda_recurrent

        return numba_cuda_recurrent
    if _settings.get().kernels == "reference":
        from minikeras.kernels import recurrent_reference

        return recurrent_reference
    from minikeras.kernels import numba_recurrent

    _prepare_numba()
    return numba_recurrent


def depthwise_conv_kernels(x):
    """``(depthwise_conv_forward, depthwise_conv_backward)`` for this raw input.

    ``kernels/numba_cuda.py`` for CuPy arrays, else ``kernels/numba_depthwise.py``
    by default, ``kernels/depthwise_reference.py`` with ``kernels="reference"``.
    """
    if is_cupy_array(x):
        from minikeras.kernels import numba_cuda

        return numba_cuda.depthwise_conv_forward, numba_cuda.depthwise_conv_backward
    if _settings.get().kernels == "reference":
        from minikeras.kernels import depthwise_reference

        return depthwise_reference.depthwise_conv_forward, depthwise_reference.depthwise_conv_backward
    from minikeras.kernels import numba_depthwise

    _prepare_numba()
    return numba_depthwise.depthwise_conv_forward, numba_depthwise.depthwise_conv_backward


def conv_transpose_kernels(x):
    """``(conv_transpose_forward, conv_transpose_backward)`` for this raw input.

    ``kernels/numba_cuda.py`` for CuPy arrays, else ``kernels/numba_conv.py``
    by default, ``kernels/reference.py`` with ``kernels="reference"``: each
    built from its module's convolution loops.
    """
    if is_cupy_array(x):
        from minikeras.kernels import numba_cuda

        return numba_cuda.conv_transpose_forward, numba_cuda.conv_transpose_backward
    if _settings.get().kernels == "reference":
        from minikeras.kernels import reference

        return reference.conv_transpose_forward, reference.conv_transpose_backward
    from minikeras.kernels import numba_conv

    _prepare_numba()
    return numba_conv.conv_transpose_forward, numba_conv.conv_transpose_backward


def rowwise_kernels(x):
    """Returns the module of row-wise kernels (attention softmax, layer normalisation) for this raw array.

    ``kernels/numba_cuda_rowwise.py`` for CuPy arrays, else
    ``kernels/numba_rowwise.py`` by default (float32; it hands other dtypes to
    the reference itself), ``kernels/rowwise_reference.py`` with
    ``kernels="reference"``.
    """
    if is_cupy_array(x):
        from minikeras.kernels import numba_cuda_rowwise

        return numba_cuda_rowwise
    if _settings.get().kernels == "reference":
        from minikeras.kernels import rowwise_reference

        return rowwise_reference
    from minikeras.kernels import numba_rowwise

    _prepare_numba()
    return numba_rowwise
