"""MultiHeadAttention against a NumPy transcription of its formula; its masks; its gradients."""

import numpy as np
import pytest

from minikeras import layers
from tests.layers.harness import check_layer_gradients
from tests.layers.harness import random_batch

pytestmark = pytest.mark.layers


def numpy_multi_head_attention(layer, query, value, keep=None):
    """(B, T, C), (B, S, C), keep (B, T, S) -> (B, T, C), with the layer's weights."""
    wq, bq, wk, bk, wv, bv, wo, bo = [w.numpy() for w in layer.weights]
    q = np.einsum("btc,cnh->btnh", query, wq) + bq  # (B, T, N, H)
    k = np.einsum("bsc,cnh->bsnh", value, wk) + bk
    v = np.einsum("bsc,cnh->bsnh", value, wv) + bv
    scores = np.einsum("btnh,bsnh->bnts", q, k) / np.sqrt(q.shape[-1])  # (B, N, T, S)
    if keep is not None:
        scores = np.where(keep[:, None], scores, -1e9)
    weights = np.exp(scores - scores.max(-1, keepdims=True))
    weights /= weights.sum(-1, keepdims=True)
    heads = np.einsum("bnts,bsnh->btnh", weights, v)
    return np.einsum("btnh,nhc->btc", heads, wo) + bo, weights


def test_outputs_match_the_formula_with_and_without_causal_mask():
    query, value = random_batch((2, 4, 6)), random_batch((2, 4, 6), seed=1)
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=3, bias_initializer="glorot_uniform")
    layer(query, value)
    assert [tuple(w.shape) for w in layer.weights] == [(6, 2, 3), (2, 3)] * 3 + [(2, 3, 6), (6,)]
    expected, _ = numpy_multi_head_attention(layer, query, value)
    np.testing.assert_allclose(np.asarray(layer(query, value)), expected, rtol=1e-5, atol=1e-5)
    causal = np.tril(np.ones((4, 4), bool))[None].repeat(2, axis=0)
    expected, expected_scores = numpy_multi_head_attention(layer, query, value, causal)
    output, scores = layer(query, value, use_causal_mask=True, return_attention_scores=True)
    np.testing.assert_allclose(np.asarray(output), expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(np.asarray(scores), expected_scores, rtol=1e-5, atol=1e-6)
    assert np.allclose(np.asarray(scores)[..., 0, 1:], 0.0)  # the first query sees only the first key


def test_fused_and_step_by_step_paths_agree():
    """dot_product_attention (no scores asked) and the einsum path (scores asked) give one answer."""
    query, value = random_batch((2, 3, 4)), random_batch((2, 5, 4), seed=1)
    keep = np.random.default_rng(2).random((2, 3, 5)) > 0.3
    keep[:, :, 0] = True  # every query sees some key: the paths differ only when none is visible
    layer = layers.MultiHeadAttention(num_heads=3, key_dim=2, value_dim=5)
    fused = layer(query, value, attention_mask=keep)
    step_by_step, _ = layer(query, value, attention_mask=keep, return_attention_scores=True)
    np.testing.assert_allclose(np.asarray(fused), np.asarray(step_by_step), rtol=1e-5, atol=1e-6)


def test_gradients_float64():
    value = random_batch((2, 4, 3), seed=1).astype("float64")
    for call_kwargs in ({"value": value}, {"value": value, "return_attention_scores": False,
                                           "attention_mask": np.tri(3, 4, dtype=bool)[None]}):
        layer = layers.MultiHeadAttention(num_heads=2, key_dim=2, dtype="float64")
        check_layer_gradients(layer, random_batch((2, 3, 3)), call_kwargs=call_kwargs)


def test_functional_shapes_and_attention_scores():
    from minikeras import Input
    query, value = Input((4, 6)), Input((7, 5))
    output, scores = layers.MultiHeadAttention(2, 3, output_shape=(8,))(query, value, return_attention_scores=True)
    assert output.shape == (None, 4, 8)
    assert scores.shape == (None, 2, 4, 7)


def test_bad_arguments():
    with pytest.raises(ValueError, match="key_dim.*positive integer.*key_dim=None"):
        layers.MultiHeadAttention(num_heads=4)
    with pytest.raises(ValueError, match="num_heads"):
        layers.MultiHeadAttention(num_heads=0, key_dim=2)
    layer = layers.MultiHeadAttention(2, 2, name="mha")
    with pytest.raises(ValueError, match="All dimensions of `value` and `key`"):
        layer(random_batch((2, 3, 4)), random_batch((2, 5, 4)), random_batch((2, 4, 4)))
