"""Every notebook and every worked solution runs top to bottom in a real Jupyter kernel.

The teaching material cannot rot: each ``notebooks/*.ipynb`` and
``notebooks/solutions/*.ipynb`` is executed by ``nbclient`` in an
``ipykernel`` running this interpreter (``tests/notebook_kernel.py``),
offline, on the bundled MNIST sample, with ``MINIKERAS_NOTEBOOK_SMOKE=1`` so
that chapters shrink their data. A notebook fails here when:

* it is stored with outputs or execution counts, has a cell without an id, or
  does not open with the chapter's first cell (``notebook.setup``);
* any cell raises -- in a solution that includes a failing ``check_...`` cell;
* it draws no figure (no ``image/png`` output);
* a cell floods its output: a progress bar that leaves control characters or
  more than one output per epoch (``MOST_OUTPUTS_PER_CELL``);
* it writes a file into its working directory (chapters write to the
  temporary folder ``setup`` gives them);
* it takes ``SECONDS_PER_NOTEBOOK`` or longer.

The chapter markers come from the chapter number (``CHAPTER_MARKERS``), so a
new chapter is picked up by file name alone.
"""

import pathlib
import re

import pytest

from tests import notebook_kernel

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[1] / "notebooks"
SECONDS_PER_NOTEBOOK = 90
MOST_OUTPUTS_PER_CELL = 25
# Chapter number -> the pytest chapter of the library it teaches.
CHAPTER_MARKERS = {"00": "training", "01": "engine", "02": "engine", "03": "kernels", "04": "layers",
                   "05": "training", "06": "training", "07": "data", "08": "layers", "09": "saving",
                   "10": "kernels"}
CONTROL_CHARACTERS = re.compile(r"[\b\r]|\x1b\[")


def notebook_paths():
    return sorted(NOTEBOOKS.glob("*.ipynb")) + sorted((NOTEBOOKS / "solutions").glob("*.ipynb"))


def _chapter(path):
    return CHAPTER_MARKERS.get(path.name[:2])


def _notebook_params():
    for path in notebook_paths():
        name = path.relative_to(NOTEBOOKS).as_posix()
        marks = [getattr(pytest.mark, _chapter(path))] if _chapter(path) else []
        yield pytest.param(path, id=name, marks=marks)


def _read(path):
    nbformat = pytest.importorskip("nbformat")
    return nbformat.read(path, as_version=4)


@pytest.fixture(scope="module")
def jupyter_path(tmp_path_factory):
    pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    return notebook_kernel.install_kernel(tmp_path_factory.mktemp("jupyter"))


def test_every_notebook_has_a_chapter_and_a_solution_has_its_chapter():
    for path in notebook_paths():
        assert _chapter(path), f"{path.name}: name it NN_topic.ipynb with NN in {sorted(CHAPTER_MARKERS)}"
    for solution in (NOTEBOOKS / "solutions").glob("*.ipynb"):
        assert (NOTEBOOKS / solution.name).exists(), f"solutions/{solution.name} has no chapter of that name"


@pytest.mark.parametrize("path", list(_notebook_params()))
def test_notebook_is_stored_clean(path):
    """No outputs, no execution counts, an id on every cell, a valid file, the chapter's first cell."""
    nbformat = pytest.importorskip("nbformat")
    notebook = _read(path)
    nbformat.validate(notebook)
    for number, cell in enumerate(notebook.cells):
        assert cell.get("id"), f"{path.name}: cell {number} has no id"
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, (
                f"{path.name}: cell {number} is stored with outputs; clear them before committing "
                "(Jupyter: Edit > Clear Outputs of All Cells)")
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    assert code and "notebook.setup(" in code[0] and "except ImportError" in code[0], (
        f"{path.name}: the first code cell must be the chapter's setup cell (notebooks/README.md)")


def _outputs_text(output):
    if output.output_type == "stream":
        return output.text
    return output.get("data", {}).get("text/plain", "")


@pytest.mark.parametrize("path", list(_notebook_params()))
def test_notebook_runs_in_a_kernel(path, tmp_path, jupyter_path):
    notebook = _read(path)
    seconds = notebook_kernel.execute(notebook, tmp_path, jupyter_path, timeout=SECONDS_PER_NOTEBOOK)
    outputs = [(number, output) for number, cell in enumerate(notebook.cells) if cell.cell_type == "code"
               for output in cell.outputs]
    assert any("image/png" in output.get("data", {}) for _, output in outputs), f"{path.name} draws no figure"
    for number, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            assert len(cell.outputs) <= MOST_OUTPUTS_PER_CELL, (
                f"{path.name}: cell {number} left {len(cell.outputs)} outputs (a progress bar flooding it?)")
    flooded = [number for number, output in outputs if CONTROL_CHARACTERS.search(_outputs_text(output))]
    assert not flooded, f"{path.name}: cells {flooded} print backspaces, carriage returns or colour codes"
    assert not list(tmp_path.iterdir()), (
        f"{path.name} wrote {[p.name for p in tmp_path.iterdir()]} into its working directory; "
        "write into the WORKDIR that notebook.setup() returns")
    assert seconds < SECONDS_PER_NOTEBOOK, f"{path.name} took {seconds:.0f} s"
