"""``KerasFileEditor``: a saved model's weights inspected and edited without the model, then loaded by
the changed model; hostile files refused; a failed save keeps the old file."""

import h5py
import numpy as np
import pytest

import minikeras
from minikeras.saving import atomic_file
from minikeras.saving import h5_store


def _model(second_name="b", second_units=2):
    return minikeras.Sequential([minikeras.Input((3,)), minikeras.layers.Dense(4, name="a"),
                                 minikeras.layers.Dense(second_units, name=second_name)])


@pytest.fixture
def saved(tmp_path):
    model = _model()
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.ones((2, 3), "float32"), np.ones((2, 2), "float32"), verbose=0)
    model.save(tmp_path / "m.keras")
    return model, tmp_path


def test_opens_without_the_model_and_shows_the_tree(saved, capsys):
    model, folder = saved
    editor = minikeras.saving.KerasFileEditor(folder / "m.keras")
    assert list(editor.weights_dict) == ["layers", "optimizer"]
    np.testing.assert_array_equal(editor.weights_dict["layers"]["dense"]["0"], model.layers[0].kernel.numpy())
    assert editor.object_metadata["/layers/dense_1"] == {"name": "b"}
    assert editor.config["class_name"] == "Sequential" and "keras_version" in editor.metadata
    editor.summary()
    printed = capsys.readouterr().out
    assert "dense_1 ('b')" in printed and "0: shape=(4, 2), dtype=float32" in printed


def test_compare_counts_matches_and_mismatches(saved, capsys):
    model, folder = saved
    editor = minikeras.saving.KerasFileEditor(folder / "m.keras")
    assert editor.compare(model) == {"status": "success", "error_count": 0, "match_count": 14}
    changed = _model(second_units=3)
    result = editor.compare(changed)  # no optimizer (3 errors: missing optimizer, 2 shape mismatches)
    assert result["status"] == "error" and result["error_count"] == 3
    assert "Weight shape mismatch for /layers/dense_1/0" in capsys.readouterr().out


def test_edits_then_save_loads_into_the_changed_model(saved):
    model, folder = saved
    editor = minikeras.saving.KerasFileEditor(folder / "m.keras")
    editor.delete_object("optimizer")
    editor.delete_object("layers/dense_1")
    editor.add_object("layers/dense_1", {"0": np.full((4, 3), 0.5, "float32"), "1": np.zeros(3, "float32")})
    editor.save(folder / "fixed.weights.h5")
    changed = _model(second_units=3)
    changed.load_weights(folder / "fixed.weights.h5")
    np.testing.assert_array_equal(changed.layers[0].kernel.numpy(), model.layers[0].kernel.numpy())
    np.testing.assert_array_equal(changed.layers[1].kernel.numpy(), np.full((4, 3), 0.5))
    editor.rename_object("dense_1", "renamed")
    editor.delete_weight("renamed", "1")
    editor.add_weights("layers/renamed", {"1": np.ones(3, "float32")})
    assert list(editor.weights_dict["layers"]) == ["dense", "renamed"]
    np.testing.assert_array_equal(editor.weights_dict["layers"]["renamed"]["1"], np.ones(3))


def test_edit_errors_name_the_problem(saved):
    editor = minikeras.saving.KerasFileEditor(saved[1] / "m.keras")
    with pytest.raises(ValueError, match="occurs more than once"):
        editor.delete_weight("0", "0")
    with pytest.raises(ValueError, match="does not appear in the model"):
        editor.delete_object("conv2d")
    with pytest.raises(ValueError, match="Path 'layers/conv2d' not found"):
        editor.rename_object("layers/conv2d", "x")
    with pytest.raises(ValueError, match="leaf name"):
        editor.rename_object("dense", "layers/x")
    with pytest.raises(ValueError, match="Weight 7 not found"):
        editor.delete_weight("dense", "7")
    with pytest.raises(ValueError, match="should be a dict"):
        editor.add_weights("dense", [np.ones(2)])
    with pytest.raises(ValueError, match="expected a `.weights.h5` extension"):
        editor.save(saved[1] / "out.keras")
    with pytest.raises(ValueError, match="expected a `.keras` `.weights.h5` extension"):
        minikeras.saving.KerasFileEditor(saved[1] / "m.h5")


def test_refuses_links_to_other_files(tmp_path):
    outside = tmp_path / "secret.h5"
    with h5py.File(outside, "w") as file:
        file["data"] = np.arange(3.0)
    hostile = tmp_path / "hostile.weights.h5"
    with h5py.File(hostile, "w") as file:
        file.create_group("layers/dense/vars")["0"] = np.ones(2)
        file["layers/dense/vars"]["1"] = h5py.ExternalLink(str(outside), "data")
    with pytest.raises(ValueError, match="external link"):
        minikeras.saving.KerasFileEditor(hostile)


def test_a_failed_save_keeps_the_old_file(saved, monkeypatch):
    editor = minikeras.saving.KerasFileEditor(saved[1] / "m.keras")
    target = saved[1] / "kept.weights.h5"
    editor.save(target)
    before = target.read_bytes()

    def broken_writer(path):
        raise OSError("disk full")
    monkeypatch.setattr(h5_store, "H5WeightsWriter", broken_writer)
    editor.delete_object("optimizer")
    with pytest.raises(OSError, match="disk full"):
        editor.save(target)
    assert target.read_bytes() == before
    assert not [p for p in saved[1].iterdir() if p.name.endswith(atomic_file._TEMP_SUFFIX)]
