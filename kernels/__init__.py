"""``minikeras.kernels``: the loops that do the arithmetic (conv, pooling, matmul).

This folder sits at the top of the repository for readers but installs as
``minikeras.kernels`` (``package_dir`` in ``setup.cfg`` maps it there).

Place in the stack: the very bottom. Plain arrays in, plain arrays out; no
tensors, no autodiff, no backend. One module per way of computing, all with
the same function names, and the op above (``minikeras/autodiff/conv.py``,
``pool.py``, ``matmul.py``) picks the module through
``minikeras/backend/kernel_choice.py``:

* ``reference.py``   -- the definitions, short NumPy loops (read first);
* ``numba_cpu.py``   -- the CPU kernels used by default, gathered from
  ``numba_conv.py`` (im2col + BLAS), ``numba_winograd.py`` (3x3
  convolutions by Winograd F(4x4, 3x3), defined in ``winograd_reference.py``),
  ``numba_pool.py`` and ``numba_matmul.py``;
* ``cupy_gpu.py``    -- the same kernels on an NVIDIA GPU through CuPy.

Numba threading layer, chosen once, here, before any parallel kernel compiles.
Numba offers three ways to run a ``prange`` loop on several cores:

* ``workqueue`` aborts the process when two threads run a parallel kernel at
  the same time (PyDataset thread workers do exactly that);
* ``omp`` (GNU OpenMP) spins after each parallel region and fights OpenBLAS's
  threads unless ``OMP_WAIT_POLICY=passive``, and a forked child (DataLoader
  and PyDataset process workers) cannot use it again;
* ``tbb`` (the ``tbb`` wheel) is safe with threads and with fork, and was as
  fast as the others in ``bench/kernels.py`` (see ``bench/RESULTS.md``).

So minikeras asks for ``tbb``. The wheel puts ``libtbb.so.12`` in
``<sys.prefix>/lib``, which the loader does not search, so it is loaded by
path first. Without it, minikeras falls back to Numba's ``threadsafe`` choice
with OpenMP's passive wait policy. ``NUMBA_THREADING_LAYER``, when set by the
user, wins over both.

Memory for big arrays, also set here, once. NumPy takes every array from
glibc's ``malloc``, which serves blocks above its "mmap threshold" (128 KB at
first, rising to at most 32 MB) with fresh pages from the kernel and gives
them back on ``free``. A training step allocates and frees the same tens of
arrays of several MB every step (activations, masks, gradients), so each
step paid again for the kernel zero-filling each 4 KB page on first touch:
about 20,000 page faults per step of the guide's convnet, 10-20% of its
time. :func:`_keep_freed_memory` raises the threshold to 1 GiB and stops the
heap from being trimmed, so freed blocks are reused as they are, as
PyTorch's CPU allocator cache does. The peak memory is unchanged; the
process simply keeps it until it exits. Setting ``MALLOC_MMAP_THRESHOLD_``
in the environment (glibc's own knob) leaves the choice to the user.
"""

import ctypes
import os
import sys


def _load_tbb():
    """True if the TBB runtime is loadable (already on the path or in sys.prefix/lib)."""
    for path in ("libtbb.so.12", os.path.join(sys.prefix, "lib", "libtbb.so.12")):
        try:
            ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)
            return True
        except OSError:
            continue
    return False


def _keep_freed_memory():
    """Asks glibc to reuse freed big blocks instead of returning them to the kernel.

    Returns:
        True if glibc accepted both settings (False elsewhere: macOS, musl, Windows).
    """
    M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # from glibc's <malloc.h>
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, 2**30)) and bool(mallopt(M_TRIM_THRESHOLD, 2**31 - 1))


if "MALLOC_MMAP_THRESHOLD_" not in os.environ and sys.platform.startswith("linux"):
    _keep_freed_memory()

if "NUMBA_THREADING_LAYER" not in os.environ:
    # Decided before the kernel modules import numba; Numba reads the variable
    # when it starts its threads, at the first parallel kernel.
    if _load_tbb():
        os.environ["NUMBA_THREADING_LAYER"] = "tbb"
    else:
        os.environ.setdefault("OMP_WAIT_POLICY", "passive")
        os.environ["NUMBA_THREADING_LAYER"] = "threadsafe"
    if "numba" in sys.modules:  # imported earlier by the user: set its live config too
        sys.modules["numba"].config.THREADING_LAYER = os.environ["NUMBA_THREADING_LAYER"]
