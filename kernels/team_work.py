"""The work ``team.py``'s helpers can do: the function they run, with the kernels it calls.

Place in the stack: ``kernels/``, beside ``team.py`` (the hand-over, read
first): not a kernel module. A helper thread runs one compiled function,
:func:`_serve`, for as long as it watches for jobs, so that function
contains every kernel a job may ask for, and a job's description starts
with its kind. There is one kind, ``PRODUCTS``: pieces of
``numba_simd_matmul._products`` (64 columns by ``ROWS`` rows of one matrix
of the stack), described by ``numba_simd_matmul._multiply``. Each kind
makes the first run compile :func:`_serve` for longer (LLVM optimises the
kernels again inside it): Adam's update was a second kind for a while, and
was taken out again, since an MLP's step hardly gained from it
(``bench/RESULTS.md``, "Session 12").
Which thread computes a piece changes none of its numbers.
Read next: ``numba_optimizer.py``.
"""

import functools
import os

import numba
import numpy as np
from numba import njit

from minikeras.kernels import team
from minikeras.kernels.numba_simd_matmul import DEPTH
from minikeras.kernels.numba_simd_matmul import WIDTH
from minikeras.kernels.numba_simd_matmul import _products

PRODUCTS = 0  # the kinds of job: one
JOB_WIDTH = 22  # integers per description: a product's (see numba_simd_matmul._multiply)


@njit(nogil=True, cache=True)
def _serve(control, slots, quiet, helper, spins, seen, description, helpers, panel):
    """The team's function (``team.Team``): a helper's life (``helper >= 0``), a caller's job (-1), or timing (-2).

    A helper takes pieces of each new job until ``team.next_job`` says stop,
    and returns -1. The caller posts ``description``, takes pieces until
    none is left, and waits up to ``spins`` pauses for the helpers' last
    ones: 1 when all are done, else 0. One function for all: the kernel is
    compiled into it once.
    """
    if helper == -2:
        return team.finished(control, 1 << 62, spins)  # a job that never ends: ``spins`` pauses
    if helper == -1:
        seen = team.post(control, slots, description, helpers)
    while True:
        job = seen if helper < 0 else team.next_job(control, quiet, helper, spins, seen)
        if job < 0:
            return -1
        seen = job
        d = (job % 2) * JOB_WIDTH  # the job's slot: read before a claim, used only once one succeeds
        pieces = _take_products(control, job, slots[d + 1:d + JOB_WIDTH], panel)  # slots[d]: PRODUCTS
        if helper < 0:
            return team.finished(control, pieces, spins)


@njit(nogil=True, inline="always")
def _take_products(control, job, s, panel):
    """Computes pieces of the product described by ``s`` until none is left; returns the job's piece count."""
    a, b = numba.carray(team.float32_at(s[0]), s[1]), numba.carray(team.float32_at(s[2]), s[3])
    out = numba.carray(team.float32_at(s[4]), s[5])
    a_strides, b_strides, out_strides = (s[6], s[7], s[8]), (s[9], s[10], s[11]), (s[12], s[13])
    M, K, P, pieces = s[14], s[15], s[16], s[17]
    bias, relu = numba.carray(team.float32_at(s[18]), s[19]), s[20] != 0
    while True:
        piece = team.claim(control, job, pieces)
        if piece < 0:
            return pieces
        _products(a, a_strides, b, b_strides, out, out_strides, M, K, P, bias, relu, panel, piece, piece + 1)
        team.piece_done(control)


@functools.cache
def _team():
    """The process's team (``team.py``), made at the first job."""
    return team.Team(_serve, JOB_WIDTH, lambda: (np.empty(DEPTH * WIDTH, np.float32),))


if hasattr(os, "register_at_fork"):  # a forked child has the team's objects but not its threads
    os.register_at_fork(after_in_child=_team.cache_clear)


def run(description, pieces, panel):
    """Runs a job on the team, the calling thread included; False when it cannot (``team.Team.run``).

    Args:
        description: ``JOB_WIDTH`` int64 at most, the kind first.
        pieces: how many pieces the job has.
        panel: the calling thread's work space for products (``DEPTH * WIDTH`` float32).

    With ``NUMBA_DISABLE_JIT=1`` (kernels run as Python, for a debugger) there
    is no team: the atomic operations exist only in compiled code; nor on
    Windows, whose C library has no ``usleep`` for the helpers' naps.
    """
    from numba.core import config

    if config.DISABLE_JIT or os.name == "nt":
        return False
    return _team().run(description, pieces, (panel,))
