"""``KerasFileEditor``: inspect and edit the weights of a ``.keras`` or ``.weights.h5`` file.

Place in the stack: beside ``saving_lib.py``, over ``archive.py`` (the ZIP
read defensively), ``h5_store.py`` (the weights file's checks) and
``atomic_file.py``; ``object_graph.py`` says where a model keeps each
variable, which ``compare`` needs.

The use case (Keras's): a model changed after its weights were saved (a
layer renamed, one added, a head replaced) and the old file no longer
loads. The editor opens the file WITHOUT building the model, shows its
object tree (``summary``), lists the differences with the new model
(``compare``), lets you rename, delete and add objects and weights, and
writes a new ``.weights.h5`` that the new model loads.

``weights_dict`` is the file as nested dicts: an object path (``layers`` ->
``dense``) leads to ``{"0": kernel, "1": bias}``, the datasets of its
``vars`` group, as NumPy arrays::

    {"layers": {"dense": {"0": (3, 4) array, "1": (4,) array}},
     "optimizer": {"0": ..., "1": ...}}

Safety, as for loading: opening a file runs no code (the config stays
JSON), follows no HDF5 link to another file or path, reads no external or
virtual dataset, only numbers of a sane size; ``save`` writes a temporary
file and renames it into place, so a failed save keeps the old file.
"""

import io
import os

from minikeras.saving import archive
from minikeras.saving import atomic_file
from minikeras.saving import h5_store
from minikeras.saving import object_graph


class KerasFileEditor:
    """Opens a weights file for inspection and editing.

    Args:
        filepath: a ``.keras`` archive or a ``.weights.h5`` file.

    Attributes:
        weights_dict: the weights as nested dicts of NumPy arrays (see the module docstring).
        object_metadata: ``{"/layers/dense": {"name": "dense"}, ...}``, the HDF5 attributes.
        config, metadata: the archive's ``config.json`` and ``metadata.json`` (None for ``.weights.h5``).

    Example:
        >>> editor = KerasFileEditor("old.keras")
        >>> editor.compare(new_model)["status"]
        'error'
        >>> editor.rename_object("dense_1", "dense_2")
        >>> editor.save("fixed.weights.h5")
        >>> new_model.load_weights("fixed.weights.h5")
    """

    def __init__(self, filepath):
        self.filepath = os.fspath(filepath)
        self.metadata = self.config = None
        if self.filepath.endswith(".keras"):
            contents = archive.read_archive(self.filepath)
            self.config, self.metadata = contents.config, contents.metadata
            reader = h5_store.H5WeightsReader(io.BytesIO(contents.weights_bytes),
                                              f"{self.filepath} (model.weights.h5)")
        elif self.filepath.endswith(".weights.h5"):
            reader = h5_store.H5WeightsReader(self.filepath, self.filepath)
        else:
            raise ValueError("Invalid filename: expected a `.keras` `.weights.h5` extension. "
                             f"Received: filepath={self.filepath}")
        try:
            self.object_metadata = {}
            self.weights_dict = self._extract(reader, reader.file, "")
        finally:
            reader.close()
        print(f"Keras model file '{self.filepath}'")
        if self.metadata is not None:
            print(f"Saved with Keras {self.metadata.get('keras_version')} - date: {self.metadata.get('date_saved')}")

    # ----- reading -----
    def _extract(self, reader, group, inner_path):
        """The nested dict of ``group``: its ``vars`` datasets, then its sub-objects (empty ones left out)."""
        if group.attrs:
            self.object_metadata[inner_path] = {key: _plain(value) for key, value in group.attrs.items()}
        result = {}
        for key in group.keys():
            reader._check_link(group.get(key, getlink=True), f"{inner_path}/{key}")
            child = group[key]
            if key == "vars" and hasattr(child, "keys"):
                result.update({name: reader._dataset(child, name)[()] for name in child.keys()})
                if child.attrs and len(child):  # an empty object is left out, its name too (as Keras does)
                    self.object_metadata[inner_path] = {name: _plain(value) for name, value in child.attrs.items()}
            elif hasattr(child, "keys"):
                sub = self._extract(reader, child, f"{inner_path}/{key}")
                if sub:
                    result[key] = sub
            else:
                result[key] = reader._dataset(group, key)[()]
        return result

    # ----- looking -----
    def summary(self):
        """Prints the file's object tree, with each weight's shape and dtype."""
        print("Weights structure")
        self._print_tree(self.weights_dict, prefix="  ", inner_path="", first=True)

    def _print_tree(self, tree, prefix, inner_path, first=False):
        for index, (key, value) in enumerate(tree.items()):
            path = f"{inner_path}/{key}"
            last = index == len(tree) - 1
            connector = "> " if first and index == 0 else ("└─ " if last else "├─ ")
            if isinstance(value, dict):
                name = self.object_metadata.get(path, {}).get("name")
                print(f"{prefix}{connector}{key}" + (f" ('{name}')" if name else ""))
                self._print_tree(value, prefix + ("    " if last else "│   "), path)
            else:
                print(f"{prefix}{connector}{key}: shape={value.shape}, dtype={value.dtype}")

    def compare(self, reference_model):
        """Lists every difference between the file and a model's variables.

        Args:
            reference_model: the (built) model the file should load into.
        Returns:
            ``{"status": "success" | "error", "error_count": int, "match_count": int}``;
            the differences are printed (missing objects, missing weights, shape mismatches).
        """
        print("Running comparison")
        reference = weight_spec(reference_model)
        checked = set()
        errors, matches = _compare(self.weights_dict, reference, "", "saved file", "reference model", checked)
        reverse_errors, _ = _compare(reference, self.weights_dict, "", "reference model", "saved file", checked)
        errors += reverse_errors
        print("─────────────────────")
        if errors == 0:
            print("Comparison successful: saved file is compatible with the reference model")
            print(f"    Found {matches} matching weight{'' if matches == 1 else 's'}")
        else:
            print(f"Found {errors} error{'' if errors == 1 else 's'}: saved file is not compatible with "
                  "the reference model")
        return {"status": "success" if errors == 0 else "error", "error_count": errors, "match_count": matches}

    # ----- editing -----
    def _edit_object(self, edit, source_name, target_name=None):
        """Applies ``edit(parent dict, key, target_name)`` to the object named by a path or a unique name."""
        if target_name is not None and "/" in target_name:
            raise ValueError(f"Argument `target_name` should be a leaf name, not a full path name. "
                             f"Received: target_name='{target_name}'")
        if "/" in source_name:
            *parents, leaf = source_name.split("/")
            parent = self.weights_dict
            for element in parents:
                if not isinstance(parent.get(element), dict):
                    raise ValueError(f"Path '{source_name}' not found in model.")
                parent = parent[element]
            if leaf not in parent:
                raise ValueError(f"Path '{source_name}' not found in model.")
            edit(parent, leaf, target_name)
            return
        holders = _dicts_holding(self.weights_dict, source_name)
        if len(holders) > 1:
            raise ValueError(f"Name '{source_name}' occurs more than once in the model; try passing a complete path")
        if not holders:
            raise ValueError(f"Source name '{source_name}' does not appear in the model. "
                             "Use `editor.summary()` to list all objects.")
        edit(holders[0], source_name, target_name)

    def rename_object(self, object_name, new_name):
        """Renames an object (``"dense_2"`` or ``"layers/dense_2"``) to ``new_name`` (a leaf name)."""
        def rename(parent, key, target):
            parent[target] = parent.pop(key)
        self._edit_object(rename, object_name, new_name)

    def delete_object(self, object_name):
        """Removes an object (``"dense_2"`` or ``"layers/dense_2"``) and its weights."""
        self._edit_object(lambda parent, key, target: parent.pop(key), object_name)

    def add_object(self, object_path, weights):
        """Adds an object at ``object_path`` (``"layers/dense_3"``) with ``weights`` ``{"0": array, ...}``."""
        _check_weights_argument(weights)
        *parents, leaf = object_path.split("/")
        parent = self.weights_dict
        for element in parents:
            if not isinstance(parent.get(element), dict):
                raise ValueError(f"Path '{'/'.join(parents)}' not found in model.")
            parent = parent[element]
        parent[leaf] = dict(weights)

    def delete_weight(self, object_name, weight_name):
        """Removes the weight ``weight_name`` (``"0"``) of an object."""
        def delete(parent, key, target):
            if weight_name not in parent[key]:
                raise ValueError(f"Weight {weight_name} not found in object {object_name}. "
                                 f"Weights found: {list(parent[key].keys())}")
            parent[key].pop(weight_name)
        self._edit_object(delete, object_name)

    def add_weights(self, object_name, weights):
        """Adds (or replaces) weights ``{"2": array, ...}`` of an existing object."""
        _check_weights_argument(weights)
        self._edit_object(lambda parent, key, target: parent[key].update(weights), object_name)

    # ----- writing -----
    def save(self, filepath):
        """Writes the edited weights to a ``.weights.h5`` file, atomically.

        Each dict's arrays go to ``<its path>/vars`` (the layout models load);
        empty objects are left out, as Keras does.
        """
        filepath = os.fspath(filepath)
        if not filepath.endswith(".weights.h5"):
            raise ValueError(f"Invalid `filepath` argument: expected a `.weights.h5` extension. "
                             f"Received: filepath={filepath}")
        with atomic_file.atomic_write(filepath) as temp_path:
            writer = h5_store.H5WeightsWriter(temp_path)
            try:
                self._write(writer, self.weights_dict, "")
            finally:
                writer.close()

    def resave_weights(self, filepath):
        """The same as ``save``."""
        self.save(filepath)

    def _write(self, writer, tree, path):
        arrays = {key: value for key, value in tree.items() if not isinstance(value, dict)}
        if arrays:
            store = writer.make(path, name=self.object_metadata.get(f"/{path}" if path else "", {}).get("name"))
            for key, value in arrays.items():
                store[key] = value
        for key, value in tree.items():
            if isinstance(value, dict) and value:
                self._write(writer, value, f"{path}/{key}" if path else key)


def weight_spec(model):
    """The model's variables as the nested dict ``weights_dict`` would hold them: ``{..."0": shape}``."""
    spec = {}
    for path, saveable in object_graph.walk(model):
        variables = object_graph.own_variables(saveable)
        if not variables:
            continue
        node = spec
        for element in filter(None, path.split("/")):
            node = node.setdefault(element, {})
        node.update({str(index): tuple(variable.shape) for index, variable in enumerate(variables)})
    return spec


def _compare(target, reference, inner_path, target_name, reference_name, checked):
    """``(errors, matches)`` of ``reference``'s entries in ``target``, printing each difference once."""
    errors = matches = 0
    for key, value in reference.items():
        path = f"{inner_path}/{key}"
        if path in checked:
            continue
        if key not in target:
            errors += 1
            checked.add(path)
            kind = "Object" if isinstance(value, dict) else "Weight"
            print(f"...{kind} {path} present in {reference_name}, missing from {target_name}")
            if isinstance(value, dict):
                print(f"    In {reference_name}, {path} contains the following keys: {list(value.keys())}")
        elif isinstance(value, dict):
            sub_errors, sub_matches = _compare(target[key], value, path, target_name, reference_name, checked)
            errors, matches = errors + sub_errors, matches + sub_matches
        elif _shape(target[key]) != _shape(value):
            errors += 1
            checked.add(path)
            print(f"...Weight shape mismatch for {path}\n    In {reference_name}: shape={_shape(value)}\n"
                  f"    In {target_name}: shape={_shape(target[key])}")
        else:
            matches += 1
    return errors, matches


def _shape(value):
    return tuple(value.shape) if hasattr(value, "shape") else tuple(value)


def _dicts_holding(tree, name):
    """Every dict of the tree (the tree included) that has the key ``name``."""
    found = [tree] if name in tree else []
    for value in tree.values():
        if isinstance(value, dict):
            found += _dicts_holding(value, name)
    return found


def _check_weights_argument(weights):
    if not isinstance(weights, dict):
        raise ValueError("Argument `weights` should be a dict where keys are weight names (usually '0', '1', etc.) "
                         f"and values are NumPy arrays. Received: type(weights)={type(weights)}")


def _plain(value):
    """An HDF5 attribute as a Python value (bytes and NumPy scalars decoded)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value.item() if hasattr(value, "item") else value
