"""ReversibleEmbedding: the reverse product by hand, tied gradients, the soft cap, masks, errors."""

import numpy as np
import pytest

from minikeras import GradientTape
from minikeras import layers
from minikeras import ops
from tests.layers.harness import check_layer
from tests.layers.harness import check_layer_gradients

TABLE = np.arange(8.0).reshape(4, 2) / 8  # (V=4, D=2)


def _tied(**kwargs):
    layer = layers.ReversibleEmbedding(4, 2, **kwargs)
    layer.build()
    layer.set_weights([TABLE] + [TABLE.T * 2] * (not kwargs.get("tie_weights", True)))
    return layer


def test_reverse_scores_every_token_against_the_hidden_vector():
    hidden = np.array([[1.0, -1.0], [0.5, 2.0]])
    np.testing.assert_allclose(_tied()(hidden, reverse=True).numpy(), hidden @ TABLE.T, rtol=1e-6)
    untied = _tied(tie_weights=False)
    np.testing.assert_allclose(untied(hidden, reverse=True).numpy(), hidden @ (TABLE.T * 2), rtol=1e-6)
    assert [w.name for w in untied.weights] == ["embeddings", "reverse_embeddings"]


def test_soft_cap_bounds_the_logits_and_leaves_small_ones_nearly_alone():
    hidden = np.array([[100.0, 100.0], [1e-3, 0.0]])
    logits = _tied(logit_soft_cap=3.0)(hidden, reverse=True).numpy()
    np.testing.assert_allclose(logits, 3.0 * np.tanh(hidden @ TABLE.T / 3.0), rtol=1e-6)
    assert np.all(np.abs(logits) <= 3.0)  # float32 rounds tanh(33) to 1
    np.testing.assert_allclose(logits[1], (hidden @ TABLE.T)[1], rtol=1e-5)


def test_tied_table_gets_the_gradient_of_both_directions():
    layer = _tied()
    ids = np.array([[1, 2]])
    with GradientTape() as tape:
        logits = layer(layer(ids), reverse=True)  # (1, 2, 2) -> (1, 2, 4)
        loss = ops.sum(logits)
    gradient = np.asarray(tape.gradient(loss, layer.embeddings))
    # d/dE sum(E[ids] @ E.T): the lookup adds sum_v E[v] into rows 1 and 2; the
    # reverse product adds sum_t E[ids_t] into every row.
    expected = np.tile(TABLE[[1, 2]].sum(axis=0), (4, 1))
    expected[[1, 2]] += TABLE.sum(axis=0)
    np.testing.assert_allclose(gradient, expected, rtol=1e-6)


def test_reverse_dtype_sets_the_logits_dtype():
    layer = _tied(reverse_dtype="float64")
    assert layer(np.ones((1, 2), "float32"), reverse=True).dtype == "float64"
    assert layer(np.array([[1, 0]])).dtype == "float32"


def test_mask_only_on_the_forward_direction():
    layer = _tied(mask_zero=True)
    ids = np.array([[2, 0, 3]])
    np.testing.assert_array_equal(layer(ids)._keras_mask.numpy(), ids != 0)
    assert getattr(layer(np.ones((1, 3, 2)), reverse=True), "_keras_mask", None) is None


def test_harness_and_float64_gradients_of_the_reverse_direction():
    check_layer(lambda: layers.ReversibleEmbedding(6, 3, name="re"), np.array([[1, 5, 0]]), (1, 3, 3), 1)
    layer = layers.ReversibleEmbedding(5, 3, logit_soft_cap=1.5, dtype="float64")
    layer.build()
    check_layer_gradients(layer, np.random.default_rng(0).normal(size=(2, 3)), {"reverse": True})
    assert layer.compute_output_shape((None, 7, 3), reverse=True) == (None, 7, 5)


def test_reverse_input_of_the_wrong_size_names_the_layer_and_shapes():
    with pytest.raises(ValueError, match=r"ReversibleEmbedding 're'.*\(\.\.\., 2\).*\(2, 5\)"):
        layers.ReversibleEmbedding(4, 2, name="re")(np.ones((2, 5), "float32"), reverse=True)
