"""``minikeras.kernels``: the loops that do the arithmetic (conv, pooling, matmul).

This folder sits at the top of the repository for readers but installs as
``minikeras.kernels`` (``package_dir`` in ``setup.cfg`` maps it there).

Place in the stack: the very bottom. Plain arrays in, plain arrays out; no
tensors, no autodiff, no backend. One module per way of computing, all with
the same function names, and the op above (``minikeras/autodiff/conv.py``,
``pool.py``, ``matmul.py``) gets the function to call from
``minikeras/backend/kernel_choice.py``:

* ``reference.py``   -- the definitions, short NumPy loops (read first);
* ``numba_cpu.py``   -- the CPU kernels used by default, gathered from
  ``numba_conv.py`` (im2col + BLAS), ``numba_winograd.py`` (3x3
  convolutions by Winograd F(4x4, 3x3), defined in ``winograd_reference.py``),
  ``numba_pool.py`` and ``numba_matmul.py``;
* ``cupy_gpu.py``    -- the same kernels on an NVIDIA GPU through CuPy;
* ``runtime.py``     -- the process settings the Numba kernels want (threading
  library, allocator), made by one function called on the first kernel call.

Importing this package, or ``minikeras``, changes nothing in the process: no
environment variable, no allocator setting (``tests/kernels/test_runtime.py``
checks it in a fresh interpreter).
"""
