"""Embedding: row lookups, masks, the harness, the gradient of a lookup, errors."""

import numpy as np
import pytest

from minikeras import GradientTape
from minikeras import layers
from minikeras import ops
from tests.layers.harness import check_layer


def test_lookup_returns_rows_of_the_table():
    layer = layers.Embedding(4, 2)
    ids = np.array([[3, 0], [1, 1]])
    layer(ids)
    table = np.arange(8.0).reshape(4, 2)
    layer.set_weights([table])
    np.testing.assert_array_equal(np.asarray(layer(ids)), table[ids])


def test_defaults_follow_keras():
    layer = layers.Embedding(50, 4)
    layer(np.zeros((1, 2), "int32"))
    values = layer.embeddings.numpy()
    assert values.shape == (50, 4) and np.abs(values).max() <= 0.05
    assert layer.get_config()["embeddings_initializer"]["class_name"] == "RandomUniform"


def test_mask_zero_marks_padding():
    layer = layers.Embedding(5, 3, mask_zero=True)
    ids = np.array([[2, 4, 0], [1, 0, 0]])
    np.testing.assert_array_equal(np.asarray(layer(ids)._keras_mask), ids != 0)
    assert np.asarray(layer.compute_mask(ids)).tolist() == (ids != 0).tolist()
    assert layers.Embedding(5, 3).compute_mask(ids) is None


def test_gradient_accumulates_into_looked_up_rows():
    layer = layers.Embedding(4, 2)
    ids = np.array([[1, 1, 3]])
    layer(ids)
    with GradientTape() as tape:
        loss = ops.sum(layer(ids))
    gradient = np.asarray(tape.gradient(loss, layer.embeddings))
    np.testing.assert_array_equal(gradient, [[0, 0], [2, 2], [0, 0], [1, 1]])


def test_harness():
    ids = np.random.default_rng(0).integers(0, 6, size=(4, 3))
    check_layer(lambda: layers.Embedding(6, 2), ids, (4, 3, 2), 1)


def test_bad_ids_and_arguments():
    layer = layers.Embedding(3, 2, name="words")
    with pytest.raises(ValueError, match=r"Embedding 'words': input ids must be in \[0, 3\)"):
        layer(np.array([[0, 3]]))
    with pytest.raises(ValueError, match="`input_dim` must be a positive integer"):
        layers.Embedding(0, 2)
