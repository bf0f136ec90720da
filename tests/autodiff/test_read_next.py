"""The engine reads as one chain: each module's docstring says what to read next.

``autodiff/__init__.py`` lists the engine's files in reading order. Starting
at the first, the first file named after "Read next:" in each module
docstring must be the next one of that list, so a student who follows the
links reads every file of the engine, in order, and leaves it for
``minikeras/ops/``.
"""

import ast
import pathlib
import re

import minikeras.autodiff

AUTODIFF = pathlib.Path(minikeras.autodiff.__file__).parent


def _docstring(path):
    return ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""


def _read_next(path):
    """The first file named after "Read next:" in the module docstring, or None."""
    text = " ".join(_docstring(path).split())
    match = re.search(r"Read next:.*?``([\w/]+\.py|[\w/]+/)``", text)
    return match.group(1) if match else None


def _listed_order():
    """The files of autodiff/__init__.py's reading list, in order."""
    return re.findall(r"``(\w+\.py)``", _docstring(AUTODIFF / "__init__.py"))


def test_the_reading_list_names_every_engine_file_once():
    listed = _listed_order()
    on_disk = sorted(path.name for path in AUTODIFF.glob("*.py") if path.name != "__init__.py")
    assert sorted(listed) == on_disk, f"autodiff/__init__.py lists {listed}; the folder holds {on_disk}"


def test_read_next_follows_the_reading_list_to_the_ops():
    listed = _listed_order()
    for current, following in zip(listed, listed[1:] + ["minikeras/ops/"]):
        assert _read_next(AUTODIFF / current) == following, (
            f"{current} should say 'Read next: ``{following}``', says {_read_next(AUTODIFF / current)!r}")
