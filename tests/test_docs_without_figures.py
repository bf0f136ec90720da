"""Docs without drift: no benchmark figure in the package's comments and docstrings.

A figure written next to the code ("90 ms", "3x faster") stays there after the
code or the machine changes, and nobody re-measures it. Figures live in
``bench/RESULTS.md``, with the run that produced them; the code says what was
measured and points there. This test reads every source line of the package
and of ``kernels/`` and fails on a time or a speed ratio.
"""

import pathlib
import re

import pytest

pytestmark = pytest.mark.engine

ROOT = pathlib.Path(__file__).resolve().parents[1]

# A duration ("90 ms", "1.5 seconds", "2-3 us"), not followed by "/step":
# the progress bar's own output format ("184ms/step") is not a measurement.
_NUMBER = r"\b\d+(?:\.\d+)?(?:\s?(?:-|to)\s?\d+(?:\.\d+)?)?"
_DURATION = re.compile(_NUMBER + r"\s?(?:ms|us|µs|seconds)\b(?!/step)")
# A speed ratio: "3x slower", "2 to 7 times faster", "1.3× PyTorch".
_RATIO = re.compile(_NUMBER + r"\s?(?:x|×|times)\s+(?:faster|slower|quicker|PyTorch|JAX|Keras)\b")

# Lines that show the progress bar's output, not a measurement.
_FORMAT_EXAMPLES = {"minikeras/utils/progbar.py"}


def figures_in(text):
    """The (line number, line) pairs of ``text`` that quote a time or a speed ratio."""
    return [(number, line.strip()) for number, line in enumerate(text.splitlines(), 1)
            if _DURATION.search(line) or _RATIO.search(line)]


def test_the_pattern_catches_figures_and_spares_formats():
    caught = figures_in("# took 90 ms with 4 MB\n# (3-4x slower forward)\nBLAS: 2 to 7 times faster\n1.3x PyTorch")
    assert [number for number, _ in caught] == [1, 2, 3, 4]
    assert figures_in("3/3 - 2s - 518ms/step\n-0.7 x the dtype's largest value\n4 MB blocks") == []


def test_no_benchmark_figure_in_the_package():
    files = sorted(list((ROOT / "minikeras").rglob("*.py")) + list((ROOT / "kernels").glob("*.py")))
    found = {}
    for path in files:
        name = path.relative_to(ROOT).as_posix()
        if name not in _FORMAT_EXAMPLES:
            hits = figures_in(path.read_text(encoding="utf-8"))
            if hits:
                found[name] = hits
    assert not found, f"move these figures to bench/RESULTS.md and point there: {found}"
