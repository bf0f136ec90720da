"""Files from strangers: every hostile or broken file gives one clean ValueError.

The "model" saved here is a small registered layer (``helpers.TwoBlocks``), so
these tests exercise the archive, the weights file and the loader without
depending on the model classes.
"""

import io
import json
import os
import zipfile

import h5py
import numpy as np
import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from minikeras import saving
from minikeras.saving import archive
from minikeras.saving import h5_store
from tests.saving.helpers import TwoBlocks
from tests.saving.helpers import built
from tests.saving.helpers import rewrite_config
from tests.saving.helpers import rewrite_member

pytestmark = pytest.mark.saving


@pytest.fixture
def saved(tmp_path):
    layer = built(TwoBlocks())
    path = str(tmp_path / "layer.keras")
    saving.save_model(layer, path)
    return layer, path


def _predict(layer):
    return layer(np.linspace(-1, 1, 6, dtype="float32").reshape(2, 3)).numpy()


def test_round_trip_of_a_registered_layer(saved):
    layer, path = saved
    with zipfile.ZipFile(path) as file:
        names = [info.filename for info in file.infolist()]
        assert all(info.compress_type == zipfile.ZIP_STORED for info in file.infolist())
        metadata = json.loads(file.read("metadata.json"))
    assert names[:3] == ["metadata.json", "config.json", "model.weights.h5"]
    assert metadata["keras_version"] == "3.15.1" and "minikeras_version" in metadata
    loaded = saving.load_model(path)
    np.testing.assert_array_equal(_predict(loaded), _predict(layer))


def test_code_injection_in_config_is_refused(saved):
    _, path = saved
    rewrite_config(path, lambda c: c["config"].update(
        head={"module": "os", "class_name": "system", "config": {"command": "touch /tmp/pwned"}}))
    rewrite_config(path, lambda c: c.update(module="os", class_name="system", registered_name="system"))
    with pytest.raises(ValueError, match="never imports modules"):
        saving.load_model(path)


@pytest.mark.parametrize("safe_mode", [True, False])
def test_lambda_bytecode_anywhere_is_refused(saved, safe_mode):
    _, path = saved
    bytecode = {"class_name": "__lambda__", "config": {"value": ["4wEAAAAAAAAAAAAAAAEAAAAB", None, None]}}
    rewrite_config(path, lambda c: c["config"].update(function=bytecode))
    with pytest.raises(ValueError, match="never loads Python bytecode"):
        saving.load_model(path, safe_mode=safe_mode)


def test_zip_slip_member_is_refused(saved, tmp_path):
    _, path = saved
    with zipfile.ZipFile(path, "a") as file:
        file.writestr("assets/../../evil.txt", b"x")
    with pytest.raises(ValueError, match="unsafe member path"):
        saving.load_model(path)
    assert not (tmp_path.parent / "evil.txt").exists()


def test_zip_bomb_member_is_refused(saved):
    _, path = saved
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as file:
        file.writestr("assets/zeros.bin", b"\0" * (8 * 2**20))  # 8 MiB of zeros deflate to ~8 KiB
    with pytest.raises(ValueError, match="zip bomb"):
        saving.load_model(path)


def test_declared_size_over_4_gib_is_refused():
    info = zipfile.ZipInfo("model.weights.h5")
    info.file_size, info.compress_size = 5 * 2**30, 5 * 2**30
    with pytest.raises(ValueError, match="4 GiB"):
        archive.check_member(info, "x.keras")


@pytest.mark.parametrize("keep", [0.3, 0.9])
def test_truncated_archive(saved, keep):
    _, path = saved
    data = open(path, "rb").read()
    with open(path, "wb") as file:
        file.write(data[: int(len(data) * keep)])
    with pytest.raises(ValueError, match="not a valid .keras archive"):
        saving.load_model(path)


def test_missing_member(saved):
    _, path = saved
    with zipfile.ZipFile(path) as file:
        contents = {name: file.read(name) for name in file.namelist() if name != "model.weights.h5"}
    with zipfile.ZipFile(path, "w") as file:
        for name, data in contents.items():
            file.writestr(name, data)
    with pytest.raises(ValueError, match=r"lacks \['model.weights.h5'\]"):
        saving.load_model(path)


def test_corrupt_hdf5(saved):
    _, path = saved
    rewrite_member(path, "model.weights.h5", lambda data: data[:96] + b"\x13" * (len(data) - 96))
    with pytest.raises(ValueError, match="model.weights.h5"):
        saving.load_model(path)


def test_absurd_dataset_shape_is_refused_before_reading(saved):
    _, path = saved

    def absurd(data):
        buffer = io.BytesIO(data)
        with h5py.File(buffer, "a") as file:
            del file["head/vars/0"]
            file["head/vars"].create_dataset("0", shape=(2**20, 2**20), dtype="float32")  # 4 TiB, never written
        return buffer.getvalue()

    rewrite_member(path, "model.weights.h5", absurd)
    with pytest.raises(ValueError, match="over the 4 GiB limit"):
        saving.load_model(path)


def test_shape_mismatch_names_the_object_and_leaves_the_model_untouched(saved, tmp_path):
    layer, path = saved
    other = built(TwoBlocks(), features=4)  # its first kernel is (4, 3), the file's (3, 3)
    before = [w.numpy().copy() for w in other.weights]
    with pytest.raises(ValueError, match="(?s)A total of 1 objects could not be loaded.*shape"):
        saving.load_weights(other, path)
    assert all(np.array_equal(b, w.numpy()) for b, w in zip(before, other.weights))


def test_legacy_h5_and_unknown_extensions(tmp_path):
    legacy = tmp_path / "old.h5"
    with h5py.File(legacy, "w") as file:
        file.attrs["keras_version"] = "2.15.0"
    with pytest.raises(ValueError, match="legacy Keras 2 HDF5"):
        saving.load_model(legacy)
    with pytest.raises(ValueError, match="File not found"):
        saving.load_model(tmp_path / "absent.keras")
    with pytest.raises(ValueError, match="legacy HDF5"):
        saving.save_model(built(TwoBlocks()), tmp_path / "new.h5")
    with pytest.raises(ValueError, match="Invalid filepath extension"):
        saving.save_model(built(TwoBlocks()), tmp_path / "new.zip")
    with pytest.raises(ValueError, match="must end in `.weights.h5`"):
        saving.save_weights(built(TwoBlocks()), tmp_path / "w.h5")


def test_interrupted_save_keeps_the_previous_file(saved, monkeypatch):
    layer, path = saved
    original = open(path, "rb").read()
    real_writestr = zipfile.ZipFile.writestr

    def failing_writestr(self, name, data, *args, **kwargs):
        if name == "model.weights.h5":
            raise OSError("disk full")
        return real_writestr(self, name, data, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", failing_writestr)
    with pytest.raises(OSError, match="disk full"):
        saving.save_model(built(TwoBlocks()), path)
    monkeypatch.undo()
    assert open(path, "rb").read() == original
    assert os.listdir(os.path.dirname(path)) == ["layer.keras"]  # no temporary file left
    np.testing.assert_array_equal(_predict(saving.load_model(path)), _predict(layer))


def test_interrupted_weights_save_keeps_the_previous_file(tmp_path, monkeypatch):
    layer = built(TwoBlocks())
    path = str(tmp_path / "w.weights.h5")
    saving.save_weights(layer, path)
    original = open(path, "rb").read()
    calls = []

    def failing_setitem(self, key, value):
        calls.append(key)
        if len(calls) == 3:
            raise RuntimeError("killed mid-save")
        self.group.create_dataset(str(key), data=h5_store.convert_to_numpy(value))

    monkeypatch.setattr(h5_store._GroupWriter, "__setitem__", failing_setitem)
    with pytest.raises(RuntimeError, match="killed mid-save"):
        saving.save_weights(built(TwoBlocks()), path)
    monkeypatch.undo()
    assert open(path, "rb").read() == original and os.listdir(tmp_path) == ["w.weights.h5"]
    fresh = built(TwoBlocks())
    saving.load_weights(fresh, path)
    np.testing.assert_array_equal(_predict(fresh), _predict(layer))


_VALID = {}


def _valid_archive_bytes(tmp_path_factory):
    if "bytes" not in _VALID:
        path = str(tmp_path_factory.mktemp("fuzz") / "valid.keras")
        saving.save_model(built(TwoBlocks()), path)
        _VALID["bytes"] = open(path, "rb").read()
    return _VALID["bytes"]


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzzed_archives_give_only_clean_errors(tmp_path_factory, data):
    original = bytearray(_valid_archive_bytes(tmp_path_factory))
    mutated = bytearray(original)
    for _ in range(data.draw(st.integers(1, 8), label="number of mutations")):
        position = data.draw(st.integers(0, len(mutated) - 1), label="position")
        mutated[position] = data.draw(st.integers(0, 255), label="byte")
    if data.draw(st.booleans(), label="truncate"):
        mutated = mutated[: data.draw(st.integers(0, len(mutated)), label="length")]
    path = tmp_path_factory.mktemp("fuzzed") / "m.keras"
    path.write_bytes(bytes(mutated))
    try:
        saving.load_model(path)
    except ValueError:
        pass  # the only acceptable failure


@settings(max_examples=40)
@given(value=st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.text(max_size=5),
                       st.lists(st.integers(-2, 4), max_size=3), st.dictionaries(st.text(max_size=3), st.none(), max_size=2)),
       key=st.sampled_from(["units", "name", "trainable", "dtype", "class_name", "module", "config",
                            "registered_name", "build_config", "head"]))
def test_fuzzed_configs_give_only_clean_errors(tmp_path_factory, value, key):
    path = tmp_path_factory.mktemp("cfg") / "m.keras"
    path.write_bytes(_valid_archive_bytes(tmp_path_factory))

    def edit(config):
        target = config if key in ("class_name", "module", "config", "registered_name", "build_config") else config["config"]
        target[key] = value

    rewrite_config(str(path), edit)
    try:
        saving.load_model(path)
    except ValueError:
        pass
