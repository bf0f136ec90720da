"""The CPU kernels minikeras uses by default, gathered in one module.

Place in the stack: ``kernels/``. ``minikeras/backend/kernel_choice.py``
hands this module to the ops for NumPy arrays; it has the same function
names as ``reference.py`` and ``cupy_gpu.py``. The code lives in
``numba_conv.py`` (im2col + BLAS), ``numba_pool.py`` and ``numba_matmul.py``.
"""

from minikeras.kernels.numba_conv import conv_backward_input
from minikeras.kernels.numba_conv import conv_backward_kernel
from minikeras.kernels.numba_conv import conv_forward
from minikeras.kernels.numba_matmul import matmul
from minikeras.kernels.numba_pool import average_pool_backward
from minikeras.kernels.numba_pool import average_pool_forward
from minikeras.kernels.numba_pool import max_pool_backward
from minikeras.kernels.numba_pool import max_pool_forward

__all__ = [
    "average_pool_backward",
    "average_pool_forward",
    "conv_backward_input",
    "conv_backward_kernel",
    "conv_forward",
    "matmul",
    "max_pool_backward",
    "max_pool_forward",
]
