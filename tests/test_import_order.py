"""Imports point down the stack: the whole package against the README's reading order.

``READING_ORDER`` lists the parts of minikeras bottom-up, as the README's
"Reading order" section does. A module may import its own part and any part
listed before it, never one after it: then each part can be read, and
tested, with only what is below it. ``tests/kernels/test_layering.py`` says
the same for ``kernels/`` alone.

A few calls need a part above them, and import it inside the function that
needs it (as Keras 3 does): ``LAZY_IMPORTS`` names each one and why. The
list is checked both ways: an upward import not in it fails, and so does an
entry no module uses any more. The test reads the source (``ast``) and
imports nothing.
"""

import ast
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]

# Bottom-up. A name is a package or module directly under minikeras
# ("minikeras" itself is the package's __init__, the public front door).
READING_ORDER = [
    "version", "kernels", "backend", "utils", "autodiff", "random", "ops",
    "distribution", "initializers", "activations", "regularizers", "constraints", "dtype_policies", "layers",
    "losses", "metrics", "optimizers", "mixed_precision", "callbacks", "trainers", "models",
    "saving", "datasets", "preprocessing", "config", "minikeras", "tools", "examples",
]

# (importing module or package, imported part): why it is imported on use.
LAZY_IMPORTS = {
    ("minikeras.autodiff.variable", "initializers"):
        "Variable(initializer='zeros') looks the name up, as keras.Variable does",
    ("minikeras.backend.keras_tensor", "ops"):
        "x + y on a KerasTensor calls ops.add, and ops must recognise KerasTensors",
    ("minikeras.ops.symbolic", "layers"):
        "an op called on a KerasTensor becomes a graph node, and graph nodes are layers",
    ("minikeras.layers.lambda_layer", "saving"):
        "Lambda.get_config serialises its Python function with the .keras format's rules",
    ("minikeras.layers.text_vectorization", "saving"):
        "a vocabulary path is read only if no safe-mode load is running (saving.config_files)",
    ("minikeras.layers.rnn", "saving"):
        "RNN, StackedRNNCells, Bidirectional and TimeDistributed configs hold their cells' or "
        "layer's serialized configs, as Keras's do",
    ("minikeras.layers.index_lookup", "saving"):
        "a vocabulary file named in a config is refused inside a safe-mode load, as Keras does",
    ("minikeras.layers.wrapper", "saving"):
        "a Wrapper's config holds its wrapped layer's serialized config, as Keras's does",
    ("minikeras.layers.pipeline", "saving"):
        "Pipeline's config holds its layers serialised with the .keras format's rules, as in Keras",
    ("minikeras.models", "saving"):
        "model.save(), a model's config and keras.models.load_model: Keras puts saving on the model",
    ("minikeras.layers.serialization", "saving"):
        "keras.layers.serialize/deserialize are the .keras format's object configs",
    ("minikeras.utils.serialization", "saving"):
        "keras.utils.serialize_keras_object/deserialize_keras_object are the .keras format's functions",
    ("minikeras.utils.numerical_utils", "ops"):
        "to_categorical/normalize given a Tensor return a Tensor computed with ops, as Keras does",
    ("minikeras.utils.image_utils", "ops"):
        "smart_resize crops and resizes with ops.image.resize, as Keras's does",
    ("minikeras.utils.image_dataset", "ops"):
        "image_dataset_from_directory resizes each picture with ops.image.resize (Keras: tf.image.resize)",
    ("minikeras.utils.model_to_dot", "models"):
        "model_to_dot walks a Sequential chain or a functional graph, and opens nested models, as Keras's does",
    ("minikeras.utils", "layers"):
        "keras.utils.FeatureSpace is a layer (Keras keeps it in keras.src.layers): imported on first use",
    ("minikeras.layers.feature_space", "saving"):
        "a FeatureSpace config holds its columns' preprocessing layers serialized, as Keras's does",
    ("minikeras.utils.numerical_utils", "autodiff"):
        "to_categorical/normalize recognise a Tensor input",
}


def _module_name(path):
    relative = path.relative_to(ROOT).with_suffix("")
    parts = relative.parts if relative.parts[0] == "minikeras" else ("minikeras",) + relative.parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _part(module):
    """``minikeras.ops.numpy`` -> ``ops``; ``minikeras`` -> ``minikeras``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "minikeras"


def _package_files():
    return sorted(list((ROOT / "minikeras").rglob("*.py")) + list((ROOT / "kernels").glob("*.py")))


def _imports(path):
    """Yields (imported module, inside a function?) for each minikeras import of one file."""
    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            if isinstance(child, ast.Import):
                yield from ((alias.name, in_function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module == "minikeras":
                yield from ((f"minikeras.{alias.name}", in_function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module:
                yield child.module, in_function
            yield from visit(child, nested)

    for module, in_function in visit(ast.parse(path.read_text(encoding="utf-8")), False):
        if module == "minikeras" or module.startswith("minikeras."):
            yield module, in_function


def _lazy_entry(importer, part):
    """The LAZY_IMPORTS key covering this import, or None."""
    for key_importer, key_part in LAZY_IMPORTS:
        if key_part == part and (importer == key_importer or importer.startswith(key_importer + ".")):
            return key_importer, key_part
    return None


def _upward_imports():
    """{(importing module, imported part): [inside a function?, ...]} for every upward import."""
    rank = {part: index for index, part in enumerate(READING_ORDER)}
    upward = {}
    for path in _package_files():
        importer = _module_name(path)
        for module, in_function in _imports(path):
            if module == "minikeras.__version__":
                module = "minikeras.version"
            if rank[_part(module)] > rank[_part(importer)]:
                upward.setdefault((importer, _part(module)), []).append(in_function)
    return upward


def test_reading_order_names_every_part_of_the_package():
    on_disk = {path.stem for path in (ROOT / "minikeras").glob("*.py") if path.stem != "__init__"}
    on_disk |= {path.parent.name for path in (ROOT / "minikeras").glob("*/__init__.py")}
    on_disk |= {"kernels", "minikeras"}
    assert set(READING_ORDER) == on_disk, "place each new package in READING_ORDER (and the README)"


def test_imports_point_down_the_reading_order():
    upward = _upward_imports()
    undocumented = sorted(key for key in upward if _lazy_entry(*key) is None)
    assert not undocumented, f"imports that point up the stack (importer, imported part): {undocumented}"
    at_top = sorted(key for key, places in upward.items() if not all(places))
    assert not at_top, f"documented lazy imports must stay inside the function that needs them: {at_top}"


def test_every_documented_lazy_import_is_still_needed():
    stale = sorted(set(LAZY_IMPORTS) - {_lazy_entry(*key) for key in _upward_imports()})
    assert not stale, f"LAZY_IMPORTS lists imports that no module makes any more: {stale}"


def test_readme_reading_order_matches():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Reading order", 1)[1].split("\n## ", 1)[0]
    chain = next(paragraph for paragraph in section.split("\n\n") if "→" in paragraph)
    paths = re.findall(r"`(minikeras/[\w.]+|kernels/)`", chain)  # `minikeras/ops`, `minikeras/config.py`
    named = [path.removeprefix("minikeras/").removesuffix("/").removesuffix(".py") for path in paths]
    named = ["minikeras" if name == "__init__" else name for name in named]
    assert named == READING_ORDER, f"the README's reading order {named} differs from READING_ORDER"


def test_names_moved_by_the_layering_answer_where_keras_has_them(tmp_path):
    import numpy as np

    import minikeras as keras

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    model.save(tmp_path / "model.keras")
    loaded = keras.models.load_model(tmp_path / "model.keras")
    np.testing.assert_array_equal(loaded.layers[0].kernel.numpy(), model.layers[0].kernel.numpy())
    assert loaded.get_compile_config()["loss"] == "mse"
    assert keras.models.model_from_json(model.to_json()).count_params() == 8
    assert keras.utils.pack_x_y_sample_weight(1, 2) == (1, 2)
    assert keras.utils.unpack_x_y_sample_weight((1, 2)) == (1, 2, None)
