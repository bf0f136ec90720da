"""Hostile weights files: minikeras refuses what real Keras 3 (15.1) refuses.

The same ``.weights.h5`` file, edited with h5py so that a dataset reads
another file (HDF5 external storage, a virtual dataset, an external link) or
another path (a soft link), is given to both libraries. Both must raise
``ValueError`` and leave the weights as they were. Skipped where keras or
jax is not installed.
"""

import h5py
import numpy as np
import pytest

keras = pytest.importorskip("keras")
pytest.importorskip("jax")

import minikeras  # noqa: E402

pytestmark = pytest.mark.saving

SECRET = np.arange(6, dtype="float32").reshape(3, 2) + 1000.0


def _model(library):
    return library.Sequential([library.Input((3,)), library.layers.Dense(2)])


def _edit(kind, path, raw, other):
    with h5py.File(path, "a") as file:
        group = file["layers/dense/vars"]
        del group["0"]
        if kind == "external storage":
            group.create_dataset("0", shape=(3, 2), dtype="float32", external=[(raw, 0, SECRET.nbytes)])
        elif kind == "virtual dataset":
            layout = h5py.VirtualLayout(shape=(3, 2), dtype="float32")
            layout[:] = h5py.VirtualSource(other, "data", shape=(3, 2))
            group.create_virtual_dataset("0", layout)
        elif kind == "external link":
            group["0"] = h5py.ExternalLink(other, "/data")
        else:
            file["elsewhere"] = SECRET
            group["0"] = h5py.SoftLink("/elsewhere")


@pytest.mark.parametrize("kind", ["external storage", "virtual dataset", "external link", "soft link"])
def test_both_libraries_refuse_weights_that_read_elsewhere(tmp_path, kind):
    raw, other = str(tmp_path / "secret.bin"), str(tmp_path / "secret.h5")
    SECRET.tofile(raw)
    with h5py.File(other, "w") as file:
        file["data"] = SECRET
    path = str(tmp_path / "m.weights.h5")
    _model(keras).save_weights(path)
    _edit(kind, path, raw, other)
    for library in (keras, minikeras):
        model = _model(library)
        before = [np.asarray(weight.numpy()).copy() for weight in model.weights]
        with pytest.raises(ValueError):
            model.load_weights(path)
        after = [np.asarray(weight.numpy()) for weight in model.weights]
        assert all(np.array_equal(a, b) for a, b in zip(before, after)), library.__name__
