"""``kernels/`` sits at the bottom of the stack: plain arrays, no tensors, no backend.

The kernel modules may import NumPy, Numba, CuPy and each other, never the
rest of minikeras; otherwise a student could not read them on their own,
and the op layer above could not pick between them freely.
"""

import ast
import pathlib

import pytest

import minikeras.kernels

pytestmark = pytest.mark.kernels

KERNELS_DIR = pathlib.Path(minikeras.kernels.__file__).parent


def _imported_modules(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


@pytest.mark.parametrize("path", sorted(KERNELS_DIR.glob("*.py")), ids=lambda path: path.name)
def test_kernels_import_nothing_above_them(path):
    for module in _imported_modules(path):
        if module.startswith("minikeras"):
            assert module.startswith("minikeras.kernels"), f"{path.name} imports {module}"
