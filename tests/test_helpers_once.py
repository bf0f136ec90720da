"""Helpers once: each small helper that several parts need has one definition.

A helper written again in a second file drifts from the first (one copy
learns a new case, the other does not). Each one below lives in a module
low in the stack (``tests/test_import_order.py`` says what "low" means), and
every part that needs it imports it from there. The test reads the source
(``ast``): it fails when a second ``def`` of one of these names appears, or
when a retired name comes back.
"""

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]

# Name -> the one file that defines it.
HOMES = {
    "to_snake_case": "minikeras/utils/naming.py",
    "map_structure": "minikeras/utils/nest.py",
    "batch_size_of": "minikeras/utils/batch_tuples.py",
    "pack_x_y_sample_weight": "minikeras/utils/batch_tuples.py",
    "unpack_x_y_sample_weight": "minikeras/utils/batch_tuples.py",
    "normalize_tuple": "minikeras/utils/argument_validation.py",
    "check_data_format": "minikeras/utils/argument_validation.py",
    # The conv output-size formula for Keras's padding names (it calls
    # geometry.output_size, the formula with explicit pads).
    "conv_output_length": "kernels/geometry.py",
}
# Names of the copies this replaced: none may come back.
RETIRED = {"snake_case", "_map_structure", "_batch_size", "_window_out"}


def _definitions():
    """{function name: [file, ...]} over the package and the benchmarks."""
    found = {}
    files = list((ROOT / "minikeras").rglob("*.py")) + list((ROOT / "kernels").glob("*.py"))
    files += list((ROOT / "bench").glob("*.py"))
    for path in sorted(files):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found.setdefault(node.name, []).append(path.relative_to(ROOT).as_posix())
    return found


def test_each_helper_has_exactly_one_definition_in_its_home():
    definitions = _definitions()
    wrong = {name: definitions.get(name, []) for name, home in HOMES.items() if definitions.get(name) != [home]}
    assert not wrong, f"expected one definition each, in {HOMES}; found {wrong}"


def test_retired_copies_stay_gone():
    definitions = _definitions()
    back = {name: definitions[name] for name in RETIRED if name in definitions}
    assert not back, f"import the helper from its home instead of defining it again: {back}"
