"""``bench/cold_start.py``, run on a job that compiles nothing, so that it cannot rot.

The script measures the main job's first run with an empty Numba cache
(issue 20's compile-time figure). Running the real job here would compile
every kernel, seconds of the suite; ``minikeras.version`` as the job keeps
the whole path (two children, their reports, the printed summary) for the
price of two imports.
"""

import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "bench" / "cold_start.py"


def test_cold_start_reports_both_runs_of_a_job():
    environment = dict(os.environ, PYTHONPATH=str(ROOT))
    command = [sys.executable, str(SCRIPT), "--module", "minikeras.version"]
    output = subprocess.run(command, check=True, capture_output=True, text=True, env=environment).stdout
    assert "job: python -m minikeras.version" in output
    assert "cold (empty Numba cache): whole process" in output
    assert "warm (the cache the cold run wrote): whole process" in output
    assert output.count("compiling 0.0 s wall, 0.0 s CPU, 0 kernels") == 2
