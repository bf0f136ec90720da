"""Which of Keras 3's public names minikeras has, namespace by namespace.

Place in the project: a tool of the conformance tests (it needs real Keras).
``test_api_parity.py`` asserts on what it computes; run it directly to print
the coverage table that the README shows:

    python -m tests.conformance.api_parity            # Markdown table
    python -m tests.conformance.api_parity --missing  # and every missing name
    python -m tests.conformance.api_parity --pin      # rewrite api_parity_pinned.py
    python -m tests.conformance.api_parity --readme   # rewrite the README's table

A Keras name counts as present when minikeras has an attribute of the same
name under the same path (``keras.ops.linalg.solve`` ->
``minikeras.ops.linalg.solve``) and of the same kind: a module for a module,
a class for a class, something callable for a function. A name of a
different kind (a module standing where Keras has a function) is missing.

Nothing here is filled in at import time: the namespaces, the namespaces left
out and the excluded names are literal tables, each entry with its reason.
"""

import argparse
import importlib
import os
import types

# Keras namespaces compared with minikeras ("" is the top level, ``keras.X``).
NAMESPACES = (
    "", "ops", "ops.numpy", "ops.nn", "ops.linalg", "ops.image",
    "losses", "metrics", "optimizers", "optimizers.schedules", "callbacks",
    "activations", "initializers", "regularizers", "constraints", "random",
    "utils", "models", "saving", "config", "backend",
    "datasets", "datasets.mnist", "datasets.fashion_mnist", "datasets.cifar10", "datasets.cifar100",
    "datasets.imdb", "datasets.reuters", "datasets.boston_housing", "datasets.california_housing",
    "preprocessing", "preprocessing.image", "preprocessing.sequence",
    "mixed_precision", "dtype_policies", "layers", "distribution",
)

# Keras's top-level namespaces that are not compared, and why. The test
# fails when Keras has a namespace that is in neither table.
NOT_COMPARED = {
    "src": "Keras's private source tree, not public API",
    "applications": "pretrained ImageNet models: their value is the downloaded weights",
    "quantizers": "int8/int4/float8 quantisation, out of this teaching scope",
    "export": "TensorFlow SavedModel / ONNX export",
    "legacy": "Keras 2 (tf.keras) save formats",
    "distillation": "not asked for by any issue yet",
    "tree": "not asked for by any issue yet",
    "visualization": "bounding-box and segmentation-mask drawing, not asked for by any issue yet",
    "wrappers": "scikit-learn wrappers, not asked for by any issue yet",
}

_QUANTISATION = "int8/int4/float8 quantisation (keras.quantizers), outside this teaching scope, as NOT_COMPARED says"

# (namespace, name) -> why minikeras does not have it. Only what makes sense
# solely inside another framework, or what Keras itself only raises on.
EXCLUDED = {
    ("layers", "TorchModuleWrapper"): "wraps a PyTorch module: needs the torch backend",
    ("layers", "JaxLayer"): "wraps a JAX function: needs the JAX backend",
    ("layers", "FlaxLayer"): "wraps a Flax module: needs the JAX backend",
    ("layers", "TFSMLayer"): "loads a TensorFlow SavedModel: needs TensorFlow",
    ("callbacks", "OrbaxCheckpoint"): "Orbax is JAX's checkpoint library",
    ("config", "set_backend"): "minikeras is its own backend (NumPy/CuPy: MINIKERAS_BACKEND)",
    ("config", "is_nnx_enabled"): "Flax NNX is a JAX-only option",
    ("optimizers", "legacy"): "Keras 3 only raises there (tf.keras's Keras 2 optimizers)",
    ("", "src"): "Keras's private source tree",
    ("dtype_policies", "AWQDTypePolicy"): _QUANTISATION,
    ("dtype_policies", "GPTQDTypePolicy"): _QUANTISATION,
    ("dtype_policies", "Int4DTypePolicy"): _QUANTISATION,
    ("dtype_policies", "QuantizedDTypePolicy"): _QUANTISATION,
    ("dtype_policies", "QuantizedFloat8DTypePolicy"): _QUANTISATION,
    ("", "Quantizer"): _QUANTISATION,
}


def resolve(root, namespace):
    """The module object at ``root.namespace`` (attribute path), or None."""
    module = root
    for part in filter(None, namespace.split(".")):
        module = getattr(module, part, None)
        if module is None:
            return None
    return module


def kind(obj):
    """``"module"``, ``"class"``, ``"callable"`` or ``"value"``."""
    if isinstance(obj, types.ModuleType):
        return "module"
    if isinstance(obj, type):
        return "class"
    return "callable" if callable(obj) else "value"


def public_names(module):
    """The names ``dir()`` lists that do not start with an underscore."""
    return sorted(name for name in dir(module) if not name.startswith("_"))


def present(mini_module, name, keras_object):
    """True when minikeras has ``name`` in this namespace, of Keras's kind.

    A class where Keras has a function (or the reverse) counts: both are
    called the same way (``keras.Input`` is a function, ``Sequence`` a class).
    """
    if mini_module is None or not hasattr(mini_module, name):
        return False
    mine, theirs = kind(getattr(mini_module, name)), kind(keras_object)
    if theirs == "module" or mine == "module":
        return mine == theirs
    if theirs == "value":
        return True
    return mine in ("class", "callable")


def namespace_row(keras, minikeras, namespace):
    """Coverage of one namespace.

    At the top level, the namespaces of ``NOT_COMPARED`` count as excluded
    (their reason is given there).

    Returns:
        dict with ``namespace``, ``names`` (Keras's), ``present``,
        ``excluded`` and ``missing`` (sorted lists of names).
    """
    keras_module = resolve(keras, namespace)
    mini_module = resolve(minikeras, namespace)
    names = public_names(keras_module)
    excluded = [name for name in names if (namespace, name) in EXCLUDED
                or (namespace == "" and name in NOT_COMPARED)]
    have = [name for name in names if name not in excluded
            and present(mini_module, name, getattr(keras_module, name))]
    missing = [name for name in names if name not in excluded and name not in have]
    return {"namespace": namespace, "names": names, "present": have, "excluded": excluded, "missing": missing}


def coverage(keras=None, minikeras=None):
    """One ``namespace_row`` per entry of ``NAMESPACES``."""
    keras = keras or importlib.import_module("keras")
    minikeras = minikeras or importlib.import_module("minikeras")
    return [namespace_row(keras, minikeras, namespace) for namespace in NAMESPACES]


def markdown_table(rows):
    """The README's table: one line per namespace and a total."""
    lines = ["| namespace | Keras 3.15.1 names | in minikeras | excluded | coverage |",
             "|---|---:|---:|---:|---:|"]
    totals = [0, 0, 0]
    for row in rows:
        counts = [len(row["names"]), len(row["present"]), len(row["excluded"])]
        totals = [total + count for total, count in zip(totals, counts)]
        lines.append(_table_line(f"`keras.{row['namespace']}`".replace(".`", "`"), *counts))
    lines.append(_table_line("**total**", *totals))
    return "\n".join(lines)


def _table_line(label, names, have, excluded):
    compared = names - excluded
    percent = 100.0 * have / compared if compared else 100.0
    return f"| {label} | {names} | {have} | {excluded} | {percent:.0f} % |"


def pinned_source(rows, complete):
    """The text of ``api_parity_pinned.py``: every name present now, per namespace.

    Args:
        rows: ``coverage()``'s rows.
        complete: the namespaces asserted to have full parity.
    """
    lines = ['"""The Keras names minikeras has: they must stay (written by ``api_parity.py --pin``).',
             "", "Regenerate after adding names; never remove one by hand to make the test pass.", '"""',
             "", "PINNED = {"]
    for row in rows:
        lines.append(f"    {row['namespace']!r}: (")
        line = "       "
        for name in row["present"]:
            if len(line) + len(name) + 4 > 110:
                lines.append(line.rstrip())
                line = "       "
            line += f" {name!r},"
        if line.strip():
            lines.append(line)
        lines.append("    ),")
    lines += ["}", "", "# Namespaces where every Keras name not in EXCLUDED must exist.",
              f"COMPLETE = {tuple(complete)!r}", ""]
    return "\n".join(lines)


def write_readme_table(table, path=None):
    """Replaces the text between the README's two ``api-parity-table`` markers."""
    path = path or os.path.join(os.path.dirname(__file__), "..", "..", "README.md")
    with open(path) as file:
        text = file.read()
    start, end = "<!-- api-parity-table -->\n", "<!-- /api-parity-table -->"
    before, rest = text.split(start)
    after = rest.split(end)[1]
    with open(path, "w") as file:
        file.write(before + start + table + "\n" + end + after)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--missing", action="store_true", help="also list every missing name")
    parser.add_argument("--pin", action="store_true", help="rewrite api_parity_pinned.py from what exists now")
    parser.add_argument("--readme", action="store_true", help="rewrite the table in README.md")
    arguments = parser.parse_args()
    rows = coverage()
    print(markdown_table(rows))
    if arguments.readme:
        write_readme_table(markdown_table(rows))
    if arguments.pin:
        # Pins only grow: names and complete namespaces pinned before are kept.
        from tests.conformance import api_parity_pinned as old
        for row in rows:
            row["present"] = sorted(set(row["present"]) | set(old.PINNED.get(row["namespace"], ())))
        complete = [row["namespace"] for row in rows if not row["missing"] or row["namespace"] in old.COMPLETE]
        path = __file__.replace("api_parity.py", "api_parity_pinned.py")
        with open(path, "w") as file:
            file.write(pinned_source(rows, complete))
    if arguments.missing:
        for row in rows:
            if row["missing"]:
                print(f"\nkeras.{row['namespace']}: " + ", ".join(row["missing"]))


if __name__ == "__main__":
    main()
