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

Here the *stack* is shared instead: with T BLAS threads, it is cut into T
parts of whole matrices; T - 1 worker threads each run ``numpy.matmul`` on
one part and the calling thread runs the first, with BLAS set to one thread
meanwhile (``runtime.single_threaded_blas``), so that each small product
runs from start to end on one core, with no waiting. NumPy releases
Python's lock (the GIL) inside ``matmul``, so the parts run at the same
time. Each part writes its own slice of the output, which may be a strided
view of a bigger array (``autodiff/contraction.py`` hands one over so that
the result lands in the layout the next op reads).

When it stays one ``numpy.matmul`` (BLAS's own threads): one BLAS thread,
fewer matrices than threads, or products bigger than ``SMALL`` multiply-adds
(BLAS shares those well itself), another thread already splitting a stack
(the BLAS setting is the whole process's), or a BLAS whose thread count
cannot be set (``runtime.blas_thread_control``).

Read next: ``numba_optimizer.py``.
"""

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from minikeras.kernels import runtime

SMALL = 2**22  # multiply-adds per product (M * K * P) up to which the stack is split: 128 x 256 x 128

_lock = threading.Lock()  # one split at a time: the BLAS thread count is the process's
_pool = {"executor": None, "workers": 0, "pid": None}


def _executor(workers):
    """A pool of ``workers`` threads, made again after a change of size or a fork (threads do not survive one)."""
    if _pool["executor"] is None or _pool["workers"] != workers or _pool["pid"] != os.getpid():
        _pool.update(executor=ThreadPoolExecutor(workers, thread_name_prefix="minikeras-matmul"),
                     workers=workers, pid=os.getpid())
    return _pool["executor"]


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
    G, (M, K), P = a.shape[0], a.shape[-2:], b.shape[-1]
    threads = min(runtime.blas_threads(), G)
    if threads < 2 or M * K * P > SMALL or not _lock.acquire(blocking=False):
        return np.matmul(a, b, out=out)
    try:
        bounds = [G * part // threads for part in range(threads + 1)]  # whole matrices per part
        parts = [slice(start, end) for start, end in zip(bounds[:-1], bounds[1:])]
        with runtime.single_threaded_blas():
            pool = _executor(threads - 1)
            futures = [pool.submit(np.matmul, a[part], b[part], out=out[part]) for part in parts[1:]]
            np.matmul(a[parts[0]], b[parts[0]], out=out[parts[0]])
            for future in futures:
                future.result()
        return out
    finally:
        _lock.release()
