"""Runs a notebook in a real Jupyter kernel, as a student's Jupyter would.

Used by ``tests/test_notebooks.py`` (every chapter and solution) and
``tests/utils/test_progbar_jupyter.py`` (the progress bar inside a kernel).
The kernel is this interpreter (``sys.executable``): a kernelspec written to
a temporary ``JUPYTER_PATH`` points at it, so ``import minikeras`` finds the
package under test whatever kernels the machine has installed. Figures use
matplotlib's inline backend (the test session's ``MPLBACKEND=Agg`` would hide
them from the notebook's outputs).
"""

import json
import os
import sys
import time

import pytest

KERNEL_NAME = "minikeras-under-test"


def install_kernel(folder):
    """Writes a kernelspec for this interpreter under ``folder``; returns the JUPYTER_PATH to use."""
    spec = folder / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps(
        {"argv": argv, "display_name": "minikeras (tests)", "language": "python"}), encoding="utf-8")
    return str(folder)


def execute(notebook, cwd, jupyter_path, timeout=90):
    """Executes ``notebook`` (an ``nbformat`` node) in place; returns the seconds it took.

    Args:
        notebook: the notebook, read with ``nbformat.read``.
        cwd: the kernel's working directory.
        jupyter_path: from ``install_kernel``.
        timeout: seconds allowed for any one cell.
    Raises:
        nbclient.exceptions.CellExecutionError: a cell raised; the message shows it.
    """
    nbclient = pytest.importorskip("nbclient")
    environment = {"JUPYTER_PATH": jupyter_path, "MINIKERAS_NOTEBOOK_SMOKE": "1", "MINIKERAS_OFFLINE": "1",
                   "MPLBACKEND": "module://matplotlib_inline.backend_inline", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    saved = {name: os.environ.get(name) for name in environment}
    os.environ.update(environment)
    try:
        client = nbclient.NotebookClient(notebook, kernel_name=KERNEL_NAME, timeout=timeout,
                                         resources={"metadata": {"path": str(cwd)}})
        start = time.perf_counter()
        client.execute()
        return time.perf_counter() - start
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
