"""``save_model`` / ``load_model`` / ``save_weights`` / ``load_weights``: the ``.keras`` format.

Place in the stack: the top of ``minikeras/saving/``, called by
``Model.save``, ``Model.save_weights``, ``Model.load_weights`` and the
``ModelCheckpoint`` callback. It puts together the pieces below it:

* ``serialization_lib.py``: the model's config (``config.json``);
* ``object_graph.py`` and ``h5_store.py``: the variables (``model.weights.h5``);
* ``archive.py``: the ZIP file, its atomic write and its safety checks.

Saving a model: config, then weights, then assets, all in memory; the file
is then written to a temporary name and renamed into place.

Loading a model, in Keras's order: ``from_config`` (the architecture),
``build_from_config`` (the weights exist, still random), ``compile_from_config``
(optimizer, loss, metrics), then the saved arrays are read, checked and
assigned by a walk over the object graph. Any problem with the file gives one
``ValueError``, before a model is returned. minikeras reads and writes only
the Keras 3 format: legacy ``.h5`` whole-model files are refused.
"""

import io
import json
import os
import shutil
import tempfile
import time

from minikeras.distribution import data_parallel
from minikeras.saving import archive
from minikeras.saving import atomic_file
from minikeras.saving import h5_store
from minikeras.saving import object_graph
from minikeras.saving import serialization_lib
from minikeras.version import __version__

KERAS_VERSION = "3.15.1"  # the Keras format version this file layout mirrors
_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


# ---------------------------------------------------------------- whole models


def save_model(model, filepath, overwrite=True):
    """Saves a model as a ``.keras`` archive (architecture, weights, optimizer, compile settings).

    Args:
        model: the model to save.
        filepath: a path ending in ``.keras``.
        overwrite: whether to replace an existing file.

    Raises:
        ValueError: for another extension (``.h5``: legacy, not supported).
    """
    filepath = os.fspath(filepath)
    if not data_parallel.is_chief():
        return  # under DataParallel, rank 0 writes the file for the whole job
    if filepath.endswith((".h5", ".hdf5")):
        raise ValueError(
            f"minikeras does not write the legacy HDF5 (`.h5`) model format. Save to a `.keras` file "
            f"instead (or use `save_weights()` with a `.weights.h5` file). Received: filepath={filepath}"
        )
    if not filepath.endswith(".keras"):
        raise ValueError(
            "Invalid filepath extension for saving. Please add either a `.keras` extension for the "
            f"native Keras format (recommended) or a `.h5` extension. Received: filepath={filepath}"
        )
    _check_overwrite(filepath, overwrite)
    # 1. Everything is produced in memory first: an error here touches no file.
    with serialization_lib.ObjectSharingScope():
        config = serialization_lib.serialize_keras_object(model)
    weights = io.BytesIO()
    writer = h5_store.H5WeightsWriter(weights)
    try:
        object_graph.save_variables(model, writer)
    finally:
        writer.close()
    assets = _collect_assets(model)
    # 2. Then one atomic write.
    with atomic_file.atomic_write(filepath) as temp_path:
        archive.write_archive(temp_path, _metadata(), config, weights.getvalue(), assets)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Loads a model saved with ``save_model`` (by minikeras or by Keras 3).

    Args:
        filepath: path of a ``.keras`` file.
        custom_objects: optional ``{name: class or function}`` for user-defined objects.
        compile: whether to restore the compile settings (optimizer, loss, metrics).
        safe_mode: Keras's flag. minikeras never runs code from a file in
            either mode; ``False`` only lets layers read files named in
            their config (e.g. a vocabulary path).

    Returns:
        The model, built, compiled (if it was when saved) and holding the saved weights.

    Raises:
        ValueError: for a missing, legacy, corrupt, truncated or unsafe file, an
            unknown or forbidden class, or weights that do not fit the model.
    """
    filepath = os.fspath(filepath)
    _check_loadable_path(filepath)
    contents = archive.read_archive(filepath)
    config = dict(contents.config)
    refuse_python_code(config)
    if not compile:
        config.pop("compile_config", None)
    model = _rebuild(config, custom_objects, safe_mode, filepath)
    reader = h5_store.H5WeightsReader(io.BytesIO(contents.weights_bytes), f"{filepath} (model.weights.h5)")
    try:
        _build_optimizer_if_saved(model, reader)
        object_graph.load_variables(model, reader)
    finally:
        reader.close()
    _restore_assets(model, contents.assets)
    return model


def _rebuild(config, custom_objects, safe_mode, filepath):
    """from_config + build_from_config + compile_from_config; every failure is a ValueError."""
    try:
        with serialization_lib.ObjectSharingScope():
            return serialization_lib.deserialize_keras_object(config, custom_objects, safe_mode)
    except ValueError:
        raise
    except Exception as error:  # a config that does not fit the class (wrong types, missing keys)
        raise ValueError(
            f"Could not rebuild the model saved in {filepath} from its config.json: "
            f"{type(error).__name__}: {error}"
        ) from error


def _build_optimizer_if_saved(model, reader):
    """Creates the optimizer's slots when the file holds them, so they can be restored."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or getattr(optimizer, "built", True) or not getattr(model, "built", False):
        return
    if len(reader.specs("optimizer")) > len(optimizer.variables):
        optimizer.build(model.trainable_variables)


def refuse_python_code(config):
    """Raises before anything is built if any part of the config holds Python bytecode."""
    stack = [config]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("class_name") == "__lambda__":
                raise ValueError(serialization_lib.LAMBDA_ERROR)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _check_loadable_path(filepath):
    if not os.path.exists(filepath):
        raise ValueError(f"File not found: filepath={filepath}. Please ensure the file is an accessible `.keras` zip file.")
    with archive.open_regular_file(filepath) as file:  # not a FIFO, a device or a folder
        signature = file.read(8)
    if signature == _HDF5_SIGNATURE or filepath.endswith((".h5", ".hdf5")):
        raise ValueError(
            f"{filepath} is a legacy Keras 2 HDF5 (`.h5`) whole-model file, which minikeras does not "
            "support. Load it in Keras and re-save it as `.keras`, or load only its weights into a model "
            "built in code (`.weights.h5` files are supported)."
        )
    if not filepath.endswith(".keras"):
        raise ValueError(
            f"File format not supported: filepath={filepath}. minikeras only supports Keras 3 `.keras` "
            "files (and `.weights.h5` files through `load_weights`)."
        )


def _check_overwrite(filepath, overwrite):
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"{filepath} already exists and `overwrite=False`.")


def _metadata():
    return {"keras_version": KERAS_VERSION, "date_saved": time.strftime("%Y-%m-%d@%H:%M:%S"),
            "minikeras_version": __version__}


# ---------------------------------------------------------------- assets


def _collect_assets(model):
    """Lets objects with ``save_assets(folder)`` write files; returns ``{path: bytes}``."""
    assets = {}
    with tempfile.TemporaryDirectory() as root:
        for path, obj in object_graph.walk(model):
            if hasattr(obj, "save_assets"):
                folder = os.path.join(root, *path.split("/")) if path else root
                os.makedirs(folder, exist_ok=True)
                obj.save_assets(folder)
        for folder, _, files in os.walk(root):
            for name in files:
                full_path = os.path.join(folder, name)
                with open(full_path, "rb") as file:
                    assets[os.path.relpath(full_path, root).replace(os.sep, "/")] = file.read()
    return assets


def _restore_assets(model, assets):
    """Writes the archive's assets to a temporary folder and lets objects read theirs."""
    if not any(hasattr(obj, "load_assets") for _, obj in object_graph.walk(model)):
        return
    root = tempfile.mkdtemp(prefix="minikeras-assets-")
    try:
        for relative_path, content in assets.items():
            target = archive.safe_asset_path(root, relative_path)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as file:
                file.write(content)
        for path, obj in object_graph.walk(model):
            if hasattr(obj, "load_assets"):
                folder = archive.safe_asset_path(root, path) if path else root
                os.makedirs(folder, exist_ok=True)
                obj.load_assets(folder)
    finally:
        shutil.rmtree(root, ignore_errors=True)


# ---------------------------------------------------------------- weights only


def save_weights(model, filepath, overwrite=True):
    """Saves only the variables, in Keras's ``.weights.h5`` layout.

    Args:
        model: the model (or layer) whose variables to save.
        filepath: a path ending in ``.weights.h5``.
        overwrite: whether to replace an existing file.
    """
    filepath = os.fspath(filepath)
    if not filepath.endswith(".weights.h5"):
        raise ValueError(f"The filename must end in `.weights.h5`. Received: filepath={filepath}")
    if not data_parallel.is_chief():
        return  # under DataParallel, rank 0 writes the file for the whole job
    _check_overwrite(filepath, overwrite)
    with atomic_file.atomic_write(filepath) as temp_path:
        writer = h5_store.H5WeightsWriter(temp_path)
        try:
            object_graph.save_variables(model, writer)
        finally:
            writer.close()


def load_weights(model, filepath, skip_mismatch=False):
    """Loads variables saved by ``save_weights`` (``.weights.h5``) or ``save_model`` (``.keras``).

    Args:
        model: a model with the same architecture, already built.
        filepath: a ``.weights.h5`` or ``.keras`` file.
        skip_mismatch: leave objects whose saved arrays do not fit unchanged (with a
            warning) instead of raising.
    """
    filepath = os.fspath(filepath)
    if not os.path.exists(filepath):
        raise ValueError(f"File not found: filepath={filepath}.")
    if filepath.endswith(".keras"):
        contents = archive.read_archive(filepath)
        reader = h5_store.H5WeightsReader(io.BytesIO(contents.weights_bytes), f"{filepath} (model.weights.h5)")
    elif filepath.endswith(".weights.h5"):
        reader = h5_store.H5WeightsReader(filepath, filepath)
    else:
        raise ValueError(
            f"File format not supported: filepath={filepath}. minikeras only supports `.keras` and "
            "`.weights.h5` files (legacy `.h5` files are not supported)."
        )
    try:
        _build_optimizer_if_saved(model, reader)
        object_graph.load_variables(model, reader, skip_mismatch=skip_mismatch)
    finally:
        reader.close()


# ---------------------------------------------------------------- JSON


def model_from_json(json_string, custom_objects=None):
    """Rebuilds a model (fresh weights) from ``model.to_json()``.

    Args:
        json_string: the JSON text.
        custom_objects: optional ``{name: class or function}``.
    """
    try:
        config = json.loads(json_string)
    except (TypeError, ValueError, RecursionError) as error:
        raise ValueError(f"`model_from_json` expects a JSON string: {error}") from None
    refuse_python_code(config)
    return _rebuild(config, custom_objects, True, "the JSON string")
