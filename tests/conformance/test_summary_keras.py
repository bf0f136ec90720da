"""summary() and model structure against real Keras 3: same text, same counts."""

import os

import pytest

keras_real = pytest.importorskip("keras")

import minikeras  # noqa: E402

pytestmark = pytest.mark.layers


def build(keras):
    L = keras.layers
    inputs = keras.Input((28, 28, 1), name="image")
    x = L.Conv2D(8, (3, 3), activation="relu", name="conv")(inputs)
    x = L.BatchNormalization(name="bn")(x)
    x = L.MaxPooling2D((2, 2), name="pool")(x)
    x = L.Flatten(name="flat")(x)
    branch = L.Dense(16, activation="relu", name="hidden")(x)
    outputs = L.Add(name="add")([L.Dense(10, name="left")(branch), L.Dense(10, name="right")(branch)])
    return keras.Model(inputs, outputs, name="conformance")


def summary_text(model, **kwargs):
    texts = []
    model.summary(print_fn=texts.append, **kwargs)
    return texts[0]


@pytest.mark.parametrize("kwargs", [{"line_length": 100}, {"line_length": 64, "show_trainable": True}])
def test_summary_text_matches_keras(monkeypatch, kwargs):
    monkeypatch.setitem(os.environ, "COLUMNS", "200")  # no cropping by rich
    ours = summary_text(build(minikeras), **kwargs)
    theirs = summary_text(build(keras_real), **kwargs)
    assert ours == theirs


def test_counts_and_layer_order_match_keras():
    ours, theirs = build(minikeras), build(keras_real)
    assert [layer.name for layer in ours.layers] == [layer.name for layer in theirs.layers]
    assert ours.count_params() == theirs.count_params()
    assert [w.shape for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    assert len(ours.non_trainable_weights) == len(theirs.non_trainable_weights)
