"""The linter, as ``.ci/run`` runs it: ``ruff check`` over the repository.

The rules live in ``pyproject.toml`` (``[tool.ruff]``): pyflakes' errors
(unused imports and names, undefined names), pycodestyle's statement and
whitespace rules, and sorted imports, one per line. ``.ci/run`` runs ruff
before pytest; this test shows a developer the same findings inside the test
suite, where ruff is installed (``pip install -e ".[test]"``). Fix most of
them with ``ruff check --fix .``.
"""

import importlib.util
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing():
    if importlib.util.find_spec("ruff") is None:
        pytest.skip("ruff is not installed: pip install -e '.[test]'")
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"ruff check found problems (ruff check --fix . fixes most):\n{result.stdout}"


def test_ci_runs_the_linter_before_the_tests():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "ruff check" in script, ".ci/run must run the linter"
    assert script.index("ruff check") < script.index("python -m pytest"), "lint first, then test"
