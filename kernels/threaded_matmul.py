"""Stacks of small matrix products on every core: the ``batched_matmul`` family, fast.

Place in the stack: ``kernels/``, beside ``numba_matmul.py``;
``reference.batched_matmul`` is the definition (read it first: one product
per matrix of the stack), ``numba_cuda.batched_matmul`` the GPU's.

Attention multiplies stacks of small matrices: in a transformer block of
batch 32 with 4 heads over 128 tokens of width 128, ``q . k`` is a stack of
128 products of (128 x 32) by (32 x 128), and the backward pass has four
more such stacks. ``numpy.matmul`` walks the stack and calls BLAS once per
matrix; OpenBLAS shares each call among its threads as soon as it has more
than about 2^18 multiply-adds (this one has 2^19). For a product of about
20 microseconds, waking the other thread and waiting for it costs what it
saves: on a quiet machine the stack took as long with two threads as with
one, and on a busy one 5-50 times longer (``bench/RESULTS.md``).

Here the *stack* is shared instead: ``runtime.run_parallel`` cuts it into
one part of whole matrices per thread (Numba's thread count, as for the
other kernels); its helper threads each run ``numpy.matmul`` on one part
and the calling thread runs the first, with BLAS set to one thread
meanwhile (``runtime.single_threaded_blas``), so that each small product
runs from start to end on one core, with no waiting. NumPy releases
Python's lock (the GIL) inside ``matmul``, so the parts run at the same
time. Each part writes its own slice of the output, which may be a strided
view of a bigger array (``autodiff/contraction.py`` hands one over so that
the result lands in the layout the next op reads).

When it stays one ``numpy.matmul`` (BLAS's own threads): one BLAS thread,
a single matrix, or products bigger than ``SMALL`` multiply-adds
(BLAS shares those well itself), another thread already splitting a stack
(the BLAS setting is the whole process's), or a BLAS whose thread count
cannot be set (``runtime.blas_thread_control``).

Read next: ``numba_optimizer.py``.
"""

import threading

import numpy as np

from minikeras.kernels import runtime

SMALL = 2**22  # multiply-adds per product (M * K * P) up to which the stack is split: 128 x 256 x 128

_lock = threading.Lock()  # one split at a time: the BLAS thread count is the process's


def _products(a, b, out, first, last):
    """out[first:last] = a[first:last] @ b[first:last]: one piece of the stack, on one thread."""
    np.matmul(a[first:last], b[first:last], out=out[first:last])


def batched_matmul(a, b, out=None):
    """A stack of matrix products, ``out[g, ...] = a[g, ...] @ b[g, ...]``.

    Args:
        a: ``(G, ..., M, K)``; b: ``(G, ..., K, P)``, NumPy arrays with the
            same leading axes, of any strides.
        out: optional ``(G, ..., M, P)`` array (a strided view is fine) to write into.
    Returns:
        ``out``, or a new array: the values of ``numpy.matmul(a, b)``.
    """
    if a.ndim < 3 or a.shape[:-2] != b.shape[:-2] or a.shape[-1] != b.shape[-2]:
        raise ValueError("The batched matmul takes (G, ..., M, K) and (G, ..., K, P) arrays with the same "
                         f"leading axes. Received shapes {a.shape} and {b.shape}.")
    if out is None:
        out = np.empty(a.shape[:-1] + b.shape[-1:], dtype=np.result_type(a, b))
    (M, K), P = a.shape[-2:], b.shape[-1]
    if a.shape[0] < 2 or runtime.blas_threads() < 2 or M * K * P > SMALL or not _lock.acquire(blocking=False):
        return np.matmul(a, b, out=out)
    try:
        with runtime.single_threaded_blas():
            runtime.run_parallel(_products, a.shape[0], a, b, out)  # one piece of the stack per thread
        return out
    finally:
        _lock.release()
