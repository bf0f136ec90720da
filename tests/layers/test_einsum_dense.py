"""EinsumDense: the harness over the three equation forms, weight shapes, gradients."""

import numpy as np
import pytest

from minikeras import layers
from tests.layers.harness import check_layer
from tests.layers.harness import check_layer_gradients
from tests.layers.harness import random_batch

pytestmark = pytest.mark.layers


@pytest.mark.parametrize("equation, output_shape, bias_axes, input_shape, expected_shape, kernel, bias", [
    ("ab,bc->ac", 4, "c", (2, 3), (2, 4), (3, 4), (4,)),
    ("abc,cde->abde", (3, 2, 5), "de", (2, 3, 4), (2, 3, 2, 5), (4, 2, 5), (2, 5)),
    ("...b,bc->...c", 5, None, (2, 3, 4), (2, 3, 5), (4, 5), None),
    ("ab...,bc->ac...", (5,), "c", (2, 4, 3), (2, 5, 3), (4, 5), (5, 1)),
])
def test_shapes_and_harness(equation, output_shape, bias_axes, input_shape, expected_shape, kernel, bias):
    def make():
        return layers.EinsumDense(equation, output_shape, bias_axes=bias_axes)
    layer = check_layer(make, random_batch(input_shape), expected_shape, 1 if bias is None else 2)
    assert tuple(layer.kernel.shape) == kernel
    assert (layer.bias is None and bias is None) or tuple(layer.bias.shape) == bias
    x = random_batch(input_shape)
    expected = np.einsum(equation, x, layer.kernel.numpy()) + (0 if bias is None else layer.bias.numpy())
    np.testing.assert_allclose(np.asarray(layer(x)), expected, rtol=1e-5, atol=1e-6)


def test_gradients_float64():
    layer = layers.EinsumDense("abc,cde->abde", (None, 2, 3), bias_axes="de", activation="tanh", dtype="float64")
    check_layer_gradients(layer, random_batch((2, 3, 4)))


def test_bad_equations():
    with pytest.raises(ValueError, match="Invalid einsum equation"):
        layers.EinsumDense("ab->b", 3)(random_batch((2, 3)))
    with pytest.raises(ValueError, match="Bias dimension 'x'"):
        layers.EinsumDense("ab,bc->ac", 3, bias_axes="x")(random_batch((2, 3)))
    with pytest.raises(ValueError, match="Weight dimension 'z'"):
        layers.EinsumDense("ab,bz->ab", 3)(random_batch((2, 3)))
