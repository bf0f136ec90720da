"""DepthwiseConv1D/2D and SeparableConv1D/2D: a hand example, the harness, gradients, errors."""

import numpy as np
import pytest

from minikeras import layers
from tests.layers.harness import check_layer
from tests.layers.harness import check_layer_gradients
from tests.layers.harness import random_batch


def test_each_channel_is_filtered_on_its_own():
    """depth_multiplier=2: output channel c*2 + m is input channel c times filter m."""
    layer = layers.DepthwiseConv2D(1, depth_multiplier=2, use_bias=False)
    x = np.array([[[[1.0, 10.0]]]], dtype="float32")  # (1, 1, 1, 2): channels 1 and 10
    layer(x)
    layer.set_weights([np.array([[[[1.0, 2.0], [3.0, 4.0]]]], dtype="float32")])  # (1, 1, C=2, M=2)
    np.testing.assert_array_equal(np.asarray(layer(x))[0, 0, 0], [1.0, 2.0, 30.0, 40.0])


def test_separable_is_depthwise_then_pointwise():
    x = random_batch((2, 5, 5, 3))
    separable = layers.SeparableConv2D(4, 3, padding="same", depth_multiplier=2, use_bias=False)
    separable(x)
    depthwise = layers.DepthwiseConv2D(3, padding="same", depth_multiplier=2, use_bias=False)
    pointwise = layers.Conv2D(4, 1, use_bias=False)
    pointwise(depthwise(x))
    depthwise.set_weights([separable.depthwise_kernel.numpy()])
    pointwise.set_weights([separable.pointwise_kernel.numpy()])
    np.testing.assert_allclose(np.asarray(separable(x)), np.asarray(pointwise(depthwise(x))), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("make, shape, output_shape, weights", [
    (lambda: layers.DepthwiseConv2D(3, strides=2, padding="same", depth_multiplier=2), (2, 5, 5, 3), (2, 3, 3, 6), 2),
    (lambda: layers.DepthwiseConv1D(2, activation="relu"), (2, 6, 3), (2, 5, 3), 2),
    (lambda: layers.SeparableConv2D(4, 3, activation="relu"), (2, 5, 5, 3), (2, 3, 3, 4), 3),
    (lambda: layers.SeparableConv1D(2, 3, padding="same", use_bias=False), (2, 6, 3), (2, 6, 2), 2),
])
def test_harness(make, shape, output_shape, weights):
    check_layer(make, random_batch(shape), output_shape, weights)


def test_gradients_float64():
    check_layer_gradients(layers.DepthwiseConv2D(2, depth_multiplier=2, activation="relu", dtype="float64"),
                          random_batch((2, 4, 4, 2)))
    check_layer_gradients(layers.SeparableConv1D(3, 2, strides=2, dtype="float64"), random_batch((2, 5, 2)))


def test_bad_arguments():
    with pytest.raises(ValueError, match="`depth_multiplier`. Expected a strictly positive value. "
                                         "Received depth_multiplier=0"):
        layers.DepthwiseConv2D(3, depth_multiplier=0)
    with pytest.raises(ValueError, match="`filters`. Expected a strictly positive value"):
        layers.SeparableConv2D(0, 3)
    with pytest.raises(ValueError, match="one of {'valid', 'same'}. Received: causal"):
        layers.DepthwiseConv1D(3, padding="causal")
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 3"):
        layer = layers.DepthwiseConv2D(3, name="dw")
        layer(np.zeros((1, 5, 5, 3), "float32"))
        layer(np.zeros((1, 5, 5, 2), "float32"))
