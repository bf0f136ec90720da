"""Every notebook runs top to bottom: the teaching material cannot rot.

The code cells are executed in order in one namespace (no Jupyter needed), in
a temporary working directory so that files the notebook saves land there.
"""

import json
import pathlib

import pytest

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[1] / "notebooks"
CHAPTER_MARKERS = {"01_autodiff.ipynb": pytest.mark.engine,
                   "02_guide_mnist_convnet.ipynb": pytest.mark.training}


def _notebook_params():
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        yield pytest.param(path, id=path.name, marks=[CHAPTER_MARKERS[path.name]])


def test_every_notebook_has_a_chapter_marker():
    assert {path.name for path in NOTEBOOKS.glob("*.ipynb")} == set(CHAPTER_MARKERS)


@pytest.mark.parametrize("path", _notebook_params())
def test_notebook_runs(path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MINIKERAS_OFFLINE", "1")
    monkeypatch.setenv("MINIKERAS_NOTEBOOK_SMOKE", "1")  # notebooks may shrink their data
    namespace = {"__name__": "__notebook__"}
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    for number, cell in enumerate(cells):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        try:
            exec(compile(source, f"{path.name}[cell {number}]", "exec"), namespace)
        except Exception as error:
            raise AssertionError(f"{path.name}, cell {number} failed:\n{source}") from error
