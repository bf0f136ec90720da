"""Attention and AdditiveAttention: the harness, hand-checked scores, masks."""

import numpy as np
import pytest

from minikeras import layers
from tests.layers.harness import check_layer
from tests.layers.harness import random_batch

pytestmark = pytest.mark.layers


@pytest.mark.parametrize("make_layer, weights", [
    (lambda: layers.Attention(use_scale=True), 1),
    (lambda: layers.Attention(score_mode="concat"), 1),
    (lambda: layers.AdditiveAttention(), 1),
])
def test_harness(make_layer, weights):
    check_layer(make_layer, [random_batch((2, 3, 4)), random_batch((2, 5, 4), seed=1)], (2, 3, 4), weights)


def test_dot_scores_by_hand():
    """One query [1, 0] against keys [1, 0] and [0, 1]: weights softmax([1, 0])."""
    query, key = np.array([[[1.0, 0.0]]]), np.array([[[1.0, 0.0], [0.0, 1.0]]])
    value = np.array([[[10.0, 0.0], [0.0, 10.0]]])
    output, weights = layers.Attention()([query, value, key], return_attention_scores=True)
    first = np.e / (np.e + 1)
    np.testing.assert_allclose(np.asarray(weights), [[[first, 1 - first]]], rtol=1e-6)
    np.testing.assert_allclose(np.asarray(output), [[[10 * first, 10 * (1 - first)]]], rtol=1e-5)


def test_masks_hide_keys_and_zero_padded_queries():
    query, value = random_batch((1, 2, 3)), random_batch((1, 3, 3), seed=1)
    query_mask, value_mask = np.array([[True, False]]), np.array([[True, True, False]])
    output, weights = layers.AdditiveAttention()([query, value], mask=[query_mask, value_mask],
                                                 return_attention_scores=True)
    assert np.allclose(np.asarray(weights)[..., 2], 0.0)
    assert np.allclose(np.asarray(output)[0, 1], 0.0)


def test_bad_inputs_name_the_layer():
    with pytest.raises(ValueError, match="must be called on a list of inputs"):
        layers.Attention()(random_batch((2, 3, 4)))
    with pytest.raises(ValueError, match=r"'att'.*value mask must have shape \(2, 5\)"):
        layers.Attention(name="att")([random_batch((2, 3, 4)), random_batch((2, 5, 4))],
                                     mask=[None, np.ones((2, 3), bool)])
