"""The engine's CuPy path, checked without a GPU: every name the package reaches through ``xp`` exists in CuPy.

minikeras runs on a GPU by writing ``xp = get_xp(array)`` and ``xp.exp(...)``
(``backend/arrays.py``): the same line calls NumPy or CuPy. A function NumPy
has and CuPy lacks passes every CPU test and fails only on a GPU user's
machine. This test reads the package's source (``ast``, nothing is run),
lists every attribute reached through the array module, and checks each
against CuPy's API for the pinned version, a literal list kept in
``cupy_api_names.py``. Reached through the array module means:

* ``xp.<name>``: ``xp`` is the house name of the array module;
* ``<module>.<name>`` where ``<module> = get_xp(...)`` (``_array_module(...)``
  in ``kernels/numba_cuda.py``), and ``get_xp(...).<name>`` directly;
* two levels where CuPy has them: ``xp.linalg.norm``, ``xp.add.at`` (CuPy
  implements ``at`` for a few ufuncs only).

In the files that reach the array module, ``numpy.<function>(...)`` calls are
checked too: given a CuPy array, NumPy hands the call to CuPy's function of
the same name (``__array_function__``), so that name must exist in CuPy,
unless ``NUMPY_ON_PURPOSE`` says why the call never sees a GPU array. (A
necessary condition only: ``numpy.asarray`` of a CuPy array raises, so the
backend converts explicitly.) Where CuPy lacks a function, the code gets a
portable form: ``metrics/r2_score.py`` switches NumPy's warnings with
``numpy.errstate``, as CuPy has no ``errstate`` and never warns.
"""

import ast
import configparser
import pathlib
import re

import pytest

import minikeras
import minikeras.kernels
from tests.backend.cupy_api_names import CUPY_NAMES
from tests.backend.cupy_api_names import CUPY_SUBMODULE_NAMES
from tests.backend.cupy_api_names import CUPY_UFUNC_AT
from tests.backend.cupy_api_names import CUPY_VERSION

SOURCE_DIRS = (pathlib.Path(minikeras.__file__).parent, pathlib.Path(minikeras.kernels.__file__).parent)
REPOSITORY = pathlib.Path(__file__).resolve().parents[2]
ARRAY_MODULE_FUNCTIONS = {"get_xp", "_array_module"}
NUMPY_ON_PURPOSE = {
    "errstate": "switches NumPy's warnings off around a division; CuPy never warns, so has no switch",
}


def _callee(node):
    """The name a call calls: ``get_xp`` for ``get_xp(x)`` and for ``backend.get_xp(x)``."""
    func = node.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _is_array_module_call(node):
    return isinstance(node, ast.Call) and _callee(node) in ARRAY_MODULE_FUNCTIONS


def array_module_names(tree):
    """Yields ``(line, "name")`` or ``(line, "name.attribute")`` for each use of the array module in ``tree``."""
    modules = {"xp"} | {target.id for node in ast.walk(tree)
                        if isinstance(node, ast.Assign) and _is_array_module_call(node.value)
                        for target in node.targets if isinstance(target, ast.Name)}
    inner = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or id(node) in inner:
            continue  # xp.add is read as part of xp.add.at
        parts, base = [], node
        while isinstance(base, ast.Attribute):
            parts.insert(0, base.attr)
            base = base.value
        if (isinstance(base, ast.Name) and base.id in modules) or _is_array_module_call(base):
            yield node.lineno, ".".join(parts[:2])


def numpy_calls(tree):
    """Yields ``(line, function)`` for each ``numpy.<function>(...)`` call of a file that uses the array module."""
    if not any(_is_array_module_call(node) for node in ast.walk(tree)) and not any(array_module_names(tree)):
        return
    numpy_aliases = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                     for alias in node.names if alias.name == "numpy"}
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id in numpy_aliases):
            yield node.lineno, node.func.attr


def in_cupy(name):
    """True if ``name`` (``"exp"``, ``"linalg.norm"``, ``"add.at"``) is in the listed CuPy API."""
    if "." not in name:
        return name in CUPY_NAMES
    return name in CUPY_SUBMODULE_NAMES or name in CUPY_UFUNC_AT


def _package_trees():
    """``(path, syntax tree)`` of each source file that can reach the array module (the others never name it)."""
    for directory in SOURCE_DIRS:
        for path in sorted(directory.rglob("*.py")):
            source = path.read_text()
            if re.search(r"\bxp\b|get_xp|_array_module", source):
                yield path.relative_to(REPOSITORY).as_posix(), ast.parse(source)


def _missing(tree, label):
    """``["label:line xp.name", ...]`` for the names of ``tree`` that CuPy lacks."""
    found = [f"{label}:{line} xp.{name}" for line, name in array_module_names(tree) if not in_cupy(name)]
    found += [f"{label}:{line} numpy.{name}(...)" for line, name in numpy_calls(tree)
              if not in_cupy(name) and name not in NUMPY_ON_PURPOSE]
    return found


def test_every_name_the_package_reaches_through_xp_is_in_cupy():
    names, missing = set(), []
    for label, tree in _package_trees():
        names |= {name for _, name in array_module_names(tree)}
        missing += _missing(tree, label)
    assert {"exp", "tanh", "add.at", "ascontiguousarray", "zeros"} <= names, "the scan no longer sees the package"
    assert not missing, f"NumPy-only names on the CuPy path (CuPy {CUPY_VERSION} lacks them): {missing}"


@pytest.mark.parametrize("source, expected", [
    ("def f(x):\n    xp = get_xp(x)\n    return xp.nanpercentile(x, 50)\n", ["t:3 xp.nanpercentile"]),
    ("def f(x):\n    with backend.get_xp(x).errstate(divide='ignore'):\n        return 1 / x\n", ["t:2 xp.errstate"]),
    ("def f(x, i):\n    module = get_xp(x)\n    module.multiply.at(x, i, 2.0)\n", ["t:3 xp.multiply.at"]),
    ("import numpy\ndef f(x):\n    xp = get_xp(x)\n    return numpy.nanquantile(x, 0.5)\n",
     ["t:4 numpy.nanquantile(...)"]),
], ids=["xp", "get_xp-call", "ufunc-at", "numpy-call"])
def test_the_check_catches_a_numpy_only_call(source, expected):
    """The test of the test: a NumPy-only function, reached each way, is reported with its line."""
    assert _missing(ast.parse(source), "t") == expected


def test_the_check_passes_portable_calls():
    source = ("import numpy\n"
              "def f(x, i):\n"
              "    xp = get_xp(x)\n"
              "    xp.add.at(x, i, get_xp(x).tanh(x))\n"
              "    with numpy.errstate(divide='ignore'):\n"
              "        return xp.linalg.norm(x / x.sum())\n")
    tree = ast.parse(source)
    assert [name for _, name in array_module_names(tree)] == ["add.at", "tanh", "linalg.norm"]
    assert _missing(tree, "t") == []


def test_the_gpu_extras_pin_the_listed_cupy():
    setup = configparser.ConfigParser()
    setup.read(REPOSITORY / "setup.cfg")
    extras = setup["options.extras_require"]
    for extra, package in (("cuda12", "cupy-cuda12x"), ("cuda13", "cupy-cuda13x")):
        pin = f"{package}=={'.'.join(CUPY_VERSION.split('.')[:2])}.*"
        assert pin in extras[extra].split(), f"setup.cfg [{extra}] should pin {pin} (the API list is CuPy {CUPY_VERSION})"
