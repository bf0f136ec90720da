"""Which kernel module computes conv, pooling and matmul for these arrays.

Place in the stack: part of ``minikeras.backend``, the only layer allowed to
branch on the device. The ops in ``minikeras/autodiff/conv.py``, ``pool.py``
and ``matmul.py`` ask here and then call plain functions of
``minikeras.kernels``; the kernels themselves know nothing of this choice.

* CuPy arrays always go to ``kernels/cupy_gpu.py``.
* NumPy arrays go to ``kernels/numba_cpu.py``, or to ``kernels/reference.py``
  when ``MINIKERAS_KERNELS=reference`` (for teaching and for tests).
* Matrix products use BLAS (``xp.matmul``) unless ``MINIKERAS_MATMUL=numba``
  asks for the readable tiled Numba kernel (2-D float operands only; other
  products stay on BLAS).

The environment is read at each call, so a test or a notebook can switch.
The kernel modules are imported on first use: importing minikeras never pays
for Numba.
"""

import os

import numpy

from minikeras.backend import config
from minikeras.backend.arrays import is_cupy_array

_CPU_KERNELS = ("reference", "numba")
_MATMULS = ("blas", "numba")


def _prepare_numba():
    """Before the first Numba kernel or NumPy matrix product: the process settings of
    ``kernels/runtime.py`` (threading layer, glibc keeping freed memory), unless turned off."""
    from minikeras.kernels import runtime

    if config.configure_process():
        runtime.configure_process()  # does its work once per process


def _cpu_kernel_name():
    name = os.environ.get("MINIKERAS_KERNELS", "numba").lower()
    if name not in _CPU_KERNELS:
        raise ValueError(f"Unknown MINIKERAS_KERNELS={name!r}. Expected one of {_CPU_KERNELS}.")
    return name


def conv_kernels(*arrays):
    """Returns the kernel module (conv and pooling functions) for these raw arrays.

    Args:
        *arrays: the op's raw inputs (NumPy or CuPy arrays).
    Returns:
        ``minikeras.kernels.cupy_gpu``, ``numba_cpu`` or ``reference``.
    """
    if any(is_cupy_array(array) for array in arrays):
        from minikeras.kernels import cupy_gpu

        return cupy_gpu
    if _cpu_kernel_name() == "reference":
        from minikeras.kernels import reference

        return reference
    from minikeras.kernels import numba_cpu

    _prepare_numba()
    return numba_cpu


def matmul_function(a, b):
    """Returns the function that multiplies these two raw arrays.

    ``numpy.matmul`` (BLAS) or ``cupy.matmul`` by default; the tiled Numba
    kernel when ``MINIKERAS_MATMUL=numba`` and both operands are 2-D float
    NumPy arrays of one dtype.
    """
    name = os.environ.get("MINIKERAS_MATMUL", "blas").lower()
    if name not in _MATMULS:
        raise ValueError(f"Unknown MINIKERAS_MATMUL={name!r}. Expected one of {_MATMULS}.")
    if is_cupy_array(a) or is_cupy_array(b):
        from minikeras.backend.arrays import get_xp

        return get_xp(a, b).matmul
    tiled = name == "numba" and a.ndim == 2 and b.ndim == 2
    if tiled and a.dtype == b.dtype and a.dtype.kind == "f":
        from minikeras.kernels import numba_matmul

        _prepare_numba()
        return numba_matmul.matmul
    # Models without convolutions (an MLP, a transformer) allocate their big
    # arrays around products: keep freed memory from the first one on
    # (a transformer block's step: 235 -> 150 ms of CPU time).
    _prepare_numba()
    return numpy.matmul


def recurrent_kernels(*arrays):
    """Returns the module of whole-sequence LSTM / GRU / simple RNN kernels.

    ``kernels/numba_recurrent.py`` by default, ``kernels/recurrent_reference.py``
    when ``MINIKERAS_KERNELS=reference``. NumPy arrays only: the recurrent
    layers run their step loop on CuPy arrays (``layers/rnn/fused.py``).
    """
    if _cpu_kernel_name() == "reference":
        from minikeras.kernels import recurrent_reference

        return recurrent_reference
    from minikeras.kernels import numba_recurrent

    _prepare_numba()
    return numba_recurrent
