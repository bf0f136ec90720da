"""ReversibleEmbedding against Keras 3.15.1.

Same weights -> same outputs both ways (float32, 1e-5), tied and untied, with
the soft cap and ``reverse_dtype``; masks; configs equal and rebuilt by either
library; ``summary()`` rows; a ``.keras`` file of a tied language-model head
loads both ways; one SGD step gives Keras's weights. Skips when Keras is not
installed.
"""

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")
keras = pytest.importorskip("keras")

import minikeras  # noqa: E402
from tests.conformance.test_summary_keras import summary_text  # noqa: E402

pytestmark = pytest.mark.layers
RNG = np.random.default_rng(18)
IDS = np.array([[3, 1, 0, 5], [2, 6, 4, 0]], dtype="int32")
HIDDEN = RNG.normal(size=(2, 4, 3)).astype("float32")

CASES = [
    {},
    {"tie_weights": False, "mask_zero": True},
    {"logit_soft_cap": 0.5, "reverse_dtype": "float32"},
    {"tie_weights": False, "logit_soft_cap": 2.0},
]


@pytest.mark.parametrize("kwargs", CASES, ids=[str(i) for i in range(len(CASES))])
def test_same_weights_same_outputs_masks_and_configs(kwargs):
    ours = minikeras.layers.ReversibleEmbedding(7, 3, name="tokens", **kwargs)
    theirs = keras.layers.ReversibleEmbedding(7, 3, name="tokens", **kwargs)
    ours(IDS), theirs(IDS)
    assert [(w.path, tuple(w.shape)) for w in ours.weights] == [(w.path, tuple(w.shape)) for w in theirs.weights]
    weights = [RNG.normal(size=w.shape).astype("float32") for w in theirs.weights]
    ours.set_weights(weights)
    theirs.set_weights(weights)
    forward, expected = ours(IDS), theirs(IDS)
    np.testing.assert_allclose(forward.numpy(), np.asarray(expected), rtol=1e-5, atol=1e-5)
    expected_mask = getattr(expected, "_keras_mask", None)
    if expected_mask is None:
        assert getattr(forward, "_keras_mask", None) is None
    else:
        np.testing.assert_array_equal(forward._keras_mask.numpy(), np.asarray(expected_mask))
    logits = ours(HIDDEN, reverse=True)
    np.testing.assert_allclose(logits.numpy(), np.asarray(theirs(HIDDEN, reverse=True)), rtol=1e-5, atol=1e-5)
    config = ours.get_config()
    assert config == theirs.get_config()
    assert type(ours).from_config(config).get_config() == config
    assert type(theirs).from_config(config).get_config() == config


def _model(library, tie_weights):
    """ids -> ReversibleEmbedding -> Dense -> the same layer reversed: a tiny language-model head."""
    L = library.layers
    ids = library.Input((4,), dtype="int32", name="ids")
    tokens = L.ReversibleEmbedding(7, 3, tie_weights=tie_weights, name="tokens")
    x = L.Dense(3, activation="tanh", name="mix")(tokens(ids))
    return library.Model(ids, tokens(x, reverse=True), name="head")


@pytest.mark.parametrize("tie_weights", [True, False])
def test_summary_keras_file_both_ways_and_one_training_step(tmp_path, monkeypatch, tie_weights):
    monkeypatch.setitem(os.environ, "COLUMNS", "200")  # no cropping by rich
    theirs, ours = _model(keras, tie_weights), _model(minikeras, tie_weights)
    assert summary_text(ours, line_length=100) == summary_text(theirs, line_length=100)
    weights = [RNG.normal(size=w.shape).astype("float32") for w in theirs.weights]
    theirs.set_weights(weights)
    ours.set_weights(weights)
    np.testing.assert_allclose(ours.predict(IDS, verbose=0), theirs.predict(IDS, verbose=0), rtol=1e-5, atol=1e-5)
    theirs.save(tmp_path / "keras.keras")
    loaded = minikeras.saving.load_model(tmp_path / "keras.keras")
    np.testing.assert_allclose(loaded.predict(IDS, verbose=0), theirs.predict(IDS, verbose=0), rtol=1e-5, atol=1e-5)
    loaded.save(tmp_path / "minikeras.keras")
    back = keras.saving.load_model(tmp_path / "minikeras.keras")
    np.testing.assert_allclose(back.predict(IDS, verbose=0), theirs.predict(IDS, verbose=0), rtol=1e-5, atol=1e-5)
    # One SGD step on the sparse cross-entropy of the next token.
    targets = np.roll(IDS, -1, axis=1)
    for model, library in ((ours, minikeras), (theirs, keras)):
        model.compile(optimizer=library.optimizers.SGD(0.1),
                      loss=library.losses.SparseCategoricalCrossentropy(from_logits=True))
        model.train_on_batch(IDS, targets)
    for mine, reference in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(mine, np.asarray(reference), rtol=1e-5, atol=1e-6)
