"""Flatten, Reshape, Permute: values moved as NumPy moves them, the harness, errors."""

import numpy as np
import pytest

from minikeras import layers
from tests.layers.harness import check_layer
from tests.layers.harness import check_layer_gradients
from tests.layers.harness import random_batch


def test_values_match_numpy():
    x = random_batch((2, 3, 4, 5))
    np.testing.assert_array_equal(np.asarray(layers.Flatten()(x)), x.reshape(2, -1))
    np.testing.assert_array_equal(np.asarray(layers.Flatten(data_format="channels_first")(x)),
                                  x.transpose(0, 2, 3, 1).reshape(2, -1))
    np.testing.assert_array_equal(np.asarray(layers.Reshape((-1, 10))(x)), x.reshape(2, 6, 10))
    np.testing.assert_array_equal(np.asarray(layers.Permute((3, 1, 2))(x)), x.transpose(0, 3, 1, 2))


@pytest.mark.parametrize("make_layer, shape, output_shape", [
    (lambda: layers.Flatten(), (2, 3, 4), (2, 12)),
    (lambda: layers.Flatten(), (2,), (2, 1)),
    (lambda: layers.Reshape((4, 3)), (2, 3, 4), (2, 4, 3)),
    (lambda: layers.Reshape((-1,)), (2, 3, 4), (2, 12)),
    (lambda: layers.Permute((2, 1)), (2, 3, 4), (2, 4, 3)),
])
def test_harness(make_layer, shape, output_shape):
    check_layer(make_layer, random_batch(shape), output_shape, 0)


def test_gradients_float64():
    for layer in (layers.Flatten(dtype="float64"), layers.Reshape((6, 2), dtype="float64"),
                  layers.Permute((2, 3, 1), dtype="float64")):
        check_layer_gradients(layer, random_batch((2, 3, 2, 2)))


def test_unknown_sizes_in_shapes():
    assert layers.Flatten().compute_output_shape((None, None, 4)) == (None, None)
    assert layers.Reshape((-1, 2)).compute_output_shape((None, None, 4)) == (None, None, 2)


def test_bad_arguments_and_inputs():
    with pytest.raises(ValueError, match="The total size of the tensor must be unchanged"):
        layers.Reshape((5,))(np.zeros((2, 3, 4), "float32"))
    with pytest.raises(ValueError, match="at most one -1"):
        layers.Reshape((-1, -1))
    with pytest.raises(ValueError, match="must be consecutive and start from 1"):
        layers.Permute((0, 1))
    with pytest.raises(ValueError, match="expected ndim=3, found ndim=4"):
        layers.Permute((2, 1))(np.zeros((1, 2, 3, 4), "float32"))
