"""Weights files that point elsewhere: HDF5 links and storage that read other files.

HDF5 can make a dataset read its bytes from another file (external storage),
from datasets of other files (virtual datasets), or make a name lead into
another file (external links) or another path (soft links). A weights file
from a stranger could use any of them to load ``/etc/passwd`` or a private key
into a model's weights, where a later ``save`` would carry the bytes on. All
are refused, in ``.weights.h5`` files and inside ``.keras`` archives, as Keras
refuses them. Also here: names, counts and shapes are checked from the file's
metadata before any dataset is read.
"""

import io

import h5py
import numpy as np
import pytest

from minikeras import saving
from tests.saving.helpers import TwoBlocks
from tests.saving.helpers import built
from tests.saving.helpers import rewrite_member

pytestmark = pytest.mark.saving

SECRET = np.arange(6, dtype="float32").reshape(3, 2) + 1000.0  # what a local file holds


@pytest.fixture
def secret_files(tmp_path):
    """A raw file and an HDF5 file, each holding ``SECRET`` (the "local files" an attacker wants)."""
    raw = tmp_path / "secret.bin"
    raw.write_bytes(SECRET.tobytes())
    other = tmp_path / "secret.h5"
    with h5py.File(other, "w") as file:
        file["data"] = SECRET
        file.create_group("head/vars")["0"] = SECRET
        file["head/vars"]["1"] = np.zeros(2, "float32")
    return str(raw), str(other)


def _external_storage(file, raw, other):
    del file["head/vars/0"]
    file["head/vars"].create_dataset("0", shape=(3, 2), dtype="float32", external=[(raw, 0, SECRET.nbytes)])


def _virtual_dataset(file, raw, other):
    del file["head/vars/0"]
    layout = h5py.VirtualLayout(shape=(3, 2), dtype="float32")
    layout[:] = h5py.VirtualSource(other, "data", shape=(3, 2))
    file["head/vars"].create_virtual_dataset("0", layout)


def _external_link_to_dataset(file, raw, other):
    del file["head/vars/0"]
    file["head/vars"]["0"] = h5py.ExternalLink(other, "/data")


def _external_link_to_group(file, raw, other):
    del file["head"]
    file["head"] = h5py.ExternalLink(other, "/head")


def _soft_link(file, raw, other):
    file["elsewhere"] = np.asarray(SECRET)
    del file["head/vars/0"]
    file["head/vars"]["0"] = h5py.SoftLink("/elsewhere")


ATTACKS = {
    "external storage": (_external_storage, "external storage"),
    "virtual dataset": (_virtual_dataset, "virtual dataset"),
    "external link to a dataset": (_external_link_to_dataset, "external link"),
    "external link to a group": (_external_link_to_group, "external link"),
    "soft link": (_soft_link, "SoftLink"),
}


def _model_weights(layer):
    return [weight.numpy().copy() for weight in layer.weights]


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_weights_file_refers_to_another_file(tmp_path, secret_files, attack):
    edit, message = ATTACKS[attack]
    path = str(tmp_path / "w.weights.h5")
    saving.save_weights(built(TwoBlocks()), path)
    with h5py.File(path, "a") as file:
        edit(file, *secret_files)
    layer = built(TwoBlocks())
    before = _model_weights(layer)
    with pytest.raises(ValueError, match=message):
        saving.load_weights(layer, path)
    assert all(np.array_equal(a, b) for a, b in zip(before, _model_weights(layer)))


@pytest.mark.parametrize("attack", sorted(ATTACKS))
@pytest.mark.parametrize("loader", ["load_model", "load_weights"])
def test_keras_archive_refers_to_another_file(tmp_path, secret_files, attack, loader):
    edit, message = ATTACKS[attack]
    path = str(tmp_path / "m.keras")
    saving.save_model(built(TwoBlocks()), path)

    def hostile(data):
        buffer = io.BytesIO(data)
        with h5py.File(buffer, "a") as file:
            edit(file, *secret_files)
        return buffer.getvalue()

    rewrite_member(path, "model.weights.h5", hostile)
    with pytest.raises(ValueError, match=message):
        if loader == "load_model":
            saving.load_model(path)
        else:
            saving.load_weights(built(TwoBlocks()), path)


@pytest.fixture
def dataset_reads(monkeypatch):
    """Records the name of every dataset whose data is read."""
    reads = []
    real_getitem = h5py.Dataset.__getitem__

    def recording_getitem(self, key):
        reads.append(self.name)
        return real_getitem(self, key)

    monkeypatch.setattr(h5py.Dataset, "__getitem__", recording_getitem)
    return reads


def test_counts_and_shapes_are_checked_before_any_dataset_is_read(tmp_path, dataset_reads):
    path = str(tmp_path / "w.weights.h5")
    saving.save_weights(built(TwoBlocks()), path)
    with h5py.File(path, "a") as file:
        for index in range(2, 40):  # a group with far more datasets than the layer has variables
            file["head/vars"][str(index)] = np.zeros((64, 64), "float32")
    with pytest.raises(ValueError, match="expected 2 variables, but received 40"):
        saving.load_weights(built(TwoBlocks()), path)
    assert dataset_reads == []


def test_only_the_datasets_the_model_uses_are_read(tmp_path, dataset_reads):
    layer = built(TwoBlocks())
    path = str(tmp_path / "w.weights.h5")
    saving.save_weights(layer, path)
    with h5py.File(path, "a") as file:
        file.create_group("unused/vars")["0"] = np.zeros((64, 64), "float32")
    fresh = built(TwoBlocks())
    saving.load_weights(fresh, path)
    assert sorted(dataset_reads) == sorted(
        f"/{group}/vars/{index}" for group in ("blocks/linear", "blocks/linear_1", "head") for index in "01")
    assert all(np.array_equal(a, b) for a, b in zip(_model_weights(layer), _model_weights(fresh)))


def test_skipped_objects_are_not_read(tmp_path, dataset_reads):
    path = str(tmp_path / "w.weights.h5")
    saving.save_weights(built(TwoBlocks()), path)
    with h5py.File(path, "a") as file:
        del file["head/vars/0"]
        file["head/vars"]["0"] = np.zeros((3, 5), "float32")  # the wrong shape
    with pytest.warns(UserWarning, match="Skipping loading weights for 'head'"):
        saving.load_weights(built(TwoBlocks()), path, skip_mismatch=True)
    assert not any(name.startswith("/head/") for name in dataset_reads)
