"""Op nodes against real Keras 3: same weights, same outputs, same summary, files both ways."""

import json
import os
import zipfile

import numpy
import pytest

keras_real = pytest.importorskip("keras")

import minikeras  # noqa: E402

pytestmark = pytest.mark.layers


def build(keras):
    inputs = keras.Input((8,))
    a = keras.layers.Dense(4)(inputs)
    b = keras.layers.Dense(4)(inputs)
    x = a + b
    x = keras.ops.relu(x) * 2.0
    x = x[:, :2]
    x = keras.ops.concatenate([x, a], axis=-1)
    return keras.Model(inputs, x)


def summary_text(model):
    texts = []
    model.summary(line_length=100, print_fn=texts.append)
    return texts[0]


@pytest.fixture
def models():
    minikeras.utils.clear_session()
    keras_real.utils.clear_session()
    return build(minikeras), build(keras_real)


def test_same_weights_give_the_same_outputs(models):
    ours, theirs = models
    ours.set_weights([numpy.asarray(w) for w in theirs.get_weights()])
    data = numpy.random.default_rng(0).normal(size=(5, 8)).astype("float32")
    numpy.testing.assert_allclose(numpy.asarray(ours(data)), numpy.asarray(theirs(data)), rtol=1e-5, atol=1e-5)


def test_summary_rows_match(models, monkeypatch):
    monkeypatch.setitem(os.environ, "COLUMNS", "200")  # no cropping by rich
    ours, theirs = models
    assert summary_text(ours) == summary_text(theirs)
    assert [layer.name for layer in ours.layers] == [layer.name for layer in theirs.layers]


def saved_op_nodes(model, path):
    """The op-node entries of ``config.json`` in the ``.keras`` file ``model`` saves."""
    model.save(path)
    with zipfile.ZipFile(path) as archive:
        layers = json.loads(archive.read("config.json"))["config"]["layers"]
    return [layer for layer in layers if layer["module"].startswith("keras.src.ops")]


def test_saved_op_nodes_are_written_as_keras_writes_them(models, tmp_path):
    ours, theirs = models
    assert saved_op_nodes(ours, tmp_path / "ours.keras") == saved_op_nodes(theirs, tmp_path / "theirs.keras")


def test_files_load_both_ways(models, tmp_path):
    ours, theirs = models
    data = numpy.random.default_rng(1).normal(size=(3, 8)).astype("float32")
    theirs.save(tmp_path / "keras.keras")
    from_keras = minikeras.saving.load_model(tmp_path / "keras.keras")
    numpy.testing.assert_allclose(numpy.asarray(from_keras(data)), numpy.asarray(theirs(data)), rtol=1e-5, atol=1e-5)
    ours.save(tmp_path / "minikeras.keras")
    from_minikeras = keras_real.saving.load_model(tmp_path / "minikeras.keras")
    numpy.testing.assert_allclose(numpy.asarray(from_minikeras(data)), numpy.asarray(ours(data)), rtol=1e-5, atol=1e-5)
