"""GroupQueryAttention against MultiHeadAttention and a NumPy formula; masks through the fast kernels; gradients."""

import numpy as np
import pytest

import minikeras
from minikeras import layers
from minikeras.autodiff.tape import GradientTape
from minikeras.autodiff.tensor import Tensor
from tests.layers.attention.test_multi_head_attention import numpy_multi_head_attention
from tests.layers.harness import check_layer_gradients
from tests.layers.harness import random_batch

pytestmark = pytest.mark.layers


def test_one_key_value_head_per_query_head_is_multi_head_attention():
    """K = N: no sharing; with MultiHeadAttention's weights, the same answer."""
    query, value = random_batch((2, 4, 6)), random_batch((2, 5, 6), seed=1)
    grouped = layers.GroupQueryAttention(head_dim=3, num_query_heads=2, num_key_value_heads=2,
                                         bias_initializer="glorot_uniform")
    grouped(query, value)
    assert [tuple(w.shape) for w in grouped.weights] == [(6, 2, 3), (2, 3)] * 3 + [(2, 3, 6), (6,)]
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=3)
    mha(query, value)
    mha.set_weights(grouped.get_weights())
    expected, _ = numpy_multi_head_attention(mha, query, value)
    np.testing.assert_allclose(np.asarray(grouped(query, value)), expected, rtol=1e-5, atol=1e-5)


def test_shared_key_value_heads_are_repeated_for_their_group():
    """K = 1 (multi-query attention) is N = 3 heads whose key and value projections are all the same one."""
    query, value = random_batch((2, 4, 6)), random_batch((2, 5, 6), seed=1)
    grouped = layers.GroupQueryAttention(head_dim=2, num_query_heads=3, num_key_value_heads=1)
    grouped(query, value)
    assert grouped.count_params() == (6 * 3 * 2 + 3 * 2) + 2 * (6 * 1 * 2 + 2) + (3 * 2 * 6 + 6)
    wq, bq, wk, bk, wv, bv, wo, bo = grouped.get_weights()
    mha = layers.MultiHeadAttention(num_heads=3, key_dim=2)
    mha(query, value)
    mha.set_weights([wq, bq, wk.repeat(3, axis=1), bk.repeat(3, axis=0), wv.repeat(3, axis=1),
                     bv.repeat(3, axis=0), wo, bo])
    np.testing.assert_allclose(np.asarray(grouped(query, value)), np.asarray(mha(query, value)), rtol=1e-5, atol=1e-6)


def test_padding_masks_through_the_fused_kernels_match_the_reference_kernels_and_the_einsum_path():
    """Embedding(mask_zero=True) padding, the Numba softmax (float32) and the NumPy one: same outputs and gradients."""
    ids = np.array([[3, 1, 0, 0, 0], [2, 2, 4, 1, 0]], dtype="int32")
    embedding = layers.Embedding(5, 6, mask_zero=True)
    attention = layers.GroupQueryAttention(head_dim=2, num_query_heads=4, num_key_value_heads=2)
    x = embedding(ids)
    attention(x, x)
    results = []
    for kernels in ("numba", "reference"):
        with minikeras.config.kernels(kernels), GradientTape() as tape:
            x = embedding(ids)
            output = attention(x, x, use_causal_mask=True)
            loss = minikeras.ops.sum(minikeras.ops.square(output))
        results.append([output.numpy()] + [g.numpy() for g in tape.gradient(loss, attention.trainable_weights)])
    for fused, reference in zip(*results):
        np.testing.assert_allclose(fused, reference, rtol=1e-5, atol=1e-6)
    # The step-by-step path (scores asked) agrees for every real query; a padded query sees no key at all
    # (its own mask), where the fused op gives equal weights and the einsum path zeros, as in Keras.
    step_by_step, scores = attention(x, x, use_causal_mask=True, return_attention_scores=True)
    real = ids != 0
    np.testing.assert_allclose(step_by_step.numpy()[real], results[0][0][real], rtol=1e-5, atol=1e-6)
    assert np.all(scores.numpy()[0, :, :, 2:] == 0.0)  # nobody attends to the padding of sequence 0
    assert output._keras_mask is not None  # the query's padding mask goes on


def test_gradients_float64():
    value = random_batch((2, 4, 3), seed=1).astype("float64")
    layer = layers.GroupQueryAttention(head_dim=2, num_query_heads=2, num_key_value_heads=1, dtype="float64")
    check_layer_gradients(layer, random_batch((2, 3, 3)),
                          call_kwargs={"value": value, "attention_mask": np.tri(3, 4, dtype=bool)[None]})


def test_functional_shapes_and_scores():
    query, value = minikeras.Input((4, 6)), minikeras.Input((5, 6))
    output, scores = layers.GroupQueryAttention(head_dim=3, num_query_heads=4, num_key_value_heads=2)(
        query, value, return_attention_scores=True)
    assert output.shape == (None, 4, 6) and scores.shape == (None, 4, 4, 5)


def test_mask_of_the_wrong_shape_names_the_layer():
    layer = layers.GroupQueryAttention(head_dim=2, num_query_heads=2, num_key_value_heads=1, name="gqa")
    with pytest.raises(ValueError, match="Layer 'gqa'.*attention_mask"):
        layer(random_batch((2, 3, 4)), random_batch((2, 5, 4)), attention_mask=np.ones((2, 3, 4), bool))


def test_the_tape_sees_float_tensors_only():
    """A bool attention mask is no input of the op: nothing flows back into it."""
    layer = layers.GroupQueryAttention(head_dim=2, num_query_heads=2, num_key_value_heads=2)
    query = Tensor(random_batch((1, 2, 4)))
    with GradientTape() as tape:
        tape.watch(query)
        output = layer(query, query, attention_mask=np.array([[[True, False], [True, True]]]))
    assert tape.gradient(output, query).shape == (1, 2, 4)
