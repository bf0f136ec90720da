"""Shared test settings: a fixed Hypothesis profile, and one chapter marker per test.

Chapters let a student run just "their" tests: ``python -m pytest -m layers``.
A test's folder decides its chapter (``FOLDER_CHAPTERS`` below, the same
table as the README's reading order). Two places hold more than one chapter,
so their files say their chapter themselves with ``pytestmark``:
``tests/conformance/`` (Keras and PyTorch peers for every chapter) and the
notebooks in ``tests/test_notebooks.py``. A marker written in a file always
wins over the folder's, and a test never gets two
(``tests/test_chapters.py`` checks both).
"""

import os
import pathlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "jax")

# In a parallel run (``-n auto``, pytest-xdist) each worker is one process among
# several on the same cores: give each its share of threads, before NumPy, Numba
# and the peers read these variables, so that two workers with two threads each
# do not fight over two cores (spinning BLAS and TBB threads make that very slow).
_WORKERS = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
if _WORKERS > 1:
    _SHARE = max(1, (os.cpu_count() or 1) // _WORKERS)
    for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
        _current = os.environ.get(_name, "")
        os.environ[_name] = str(min(int(_current), _SHARE) if _current.isdigit() else _SHARE)

from hypothesis import settings  # noqa: E402

settings.register_profile("minikeras", derandomize=True, deadline=None, max_examples=25, print_blob=True)
settings.load_profile("minikeras")

TESTS_DIR = pathlib.Path(__file__).resolve().parent
CHAPTERS = ("engine", "kernels", "layers", "training", "data", "saving")
# Folder under tests/ -> chapter. The longest matching folder wins, so
# trainers/data_adapters is "data" while the rest of trainers is "training".
# "." is the top level (config, packaging, this check): the package as a whole,
# read first. conformance/ is missing on purpose: each of its files is marked.
FOLDER_CHAPTERS = {
    ".": "engine",
    "backend": "engine",
    "autodiff": "engine",
    "random": "engine",
    "ops": "engine",
    "kernels": "kernels",
    "activations": "layers",
    "initializers": "layers",
    "constraints": "layers",
    "regularizers": "layers",
    "dtype_policies": "layers",
    "layers": "layers",
    "models": "layers",
    "trainers": "training",
    "losses": "training",
    "metrics": "training",
    "optimizers": "training",
    "callbacks": "training",
    "utils": "training",
    "examples": "training",
    "distribution": "training",
    "trainers/data_adapters": "data",
    "datasets": "data",
    "saving": "saving",
    "tools": "engine",
}


def chapter_of_folder(folder):
    """The chapter of a folder relative to tests/ (``"trainers/data_adapters"``, ``"."``), or None."""
    parts = pathlib.PurePosixPath(folder).parts
    for length in range(len(parts), 0, -1):
        chapter = FOLDER_CHAPTERS.get("/".join(parts[:length]))
        if chapter is not None:
            return chapter
    return FOLDER_CHAPTERS["."] if not parts else None


def pytest_collection_modifyitems(config, items):
    """Give each test without a chapter marker the chapter of its folder."""
    for item in items:
        if any(marker.name in CHAPTERS for marker in item.iter_markers()):
            continue
        folder = pathlib.Path(item.path).resolve().parent
        chapter = chapter_of_folder(folder.relative_to(TESTS_DIR).as_posix()) if folder.is_relative_to(TESTS_DIR) else None
        if chapter is not None:
            item.add_marker(chapter)


# How many collected tests this session left out (-m, -k, --deselect, --lf...):
# tests/test_chapters.py reads the session's own items only when none were.
DESELECTED_IN_THIS_SESSION = []


def pytest_deselected(items):
    DESELECTED_IN_THIS_SESSION.extend(item.nodeid for item in items)
