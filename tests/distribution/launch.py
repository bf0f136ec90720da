"""Starting ``mpiexec`` jobs from pytest: find the launcher, or skip saying why."""

import os
import pathlib
import shutil
import subprocess
import sys
import sysconfig
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def mpiexec_or_skip():
    """The launcher installed next to this Python (the mpich wheel), else the one on PATH; skips without one."""
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        pytest.skip('mpi4py is not installed (pip install -e ".[distributed]")')
    beside = pathlib.Path(sysconfig.get_path("scripts")) / "mpiexec"
    launcher = str(beside) if beside.exists() else shutil.which("mpiexec")
    if launcher is None:
        pytest.skip('no mpiexec found (pip install -e ".[distributed]" installs MPICH\'s)')
    return launcher


def run_mpi(processes, arguments, timeout, cwd=None, **environment):
    """Runs ``mpiexec -n processes python *arguments``; returns (CompletedProcess, seconds)."""
    launcher = mpiexec_or_skip()
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", NUMBA_NUM_THREADS="1",
               PYTHONPATH=str(ROOT), **environment)
    start = time.monotonic()
    result = subprocess.run([launcher, "-n", str(processes), sys.executable, *arguments],
                            env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    return result, time.monotonic() - start
