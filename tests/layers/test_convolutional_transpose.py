"""Conv1DTranspose and Conv2DTranspose: output sizes, a hand example, the harness, gradients, errors."""

import numpy as np
import pytest

from minikeras import layers
from tests.layers.harness import check_layer
from tests.layers.harness import check_layer_gradients
from tests.layers.harness import random_batch


def test_stride_two_scatters_each_pixel_into_a_window():
    layer = layers.Conv2DTranspose(1, 2, strides=2, use_bias=False)
    x = np.array([[[[1.0], [2.0]]]], dtype="float32")  # (1, 1, 2, 1)
    layer(x)
    layer.set_weights([np.arange(1.0, 5.0).reshape(2, 2, 1, 1)])
    # each input pixel paints kernel * value into its own 2 x 2 block
    expected = np.array([[1, 2, 2, 4], [3, 4, 6, 8]], dtype="float32")
    np.testing.assert_array_equal(np.asarray(layer(x))[0, :, :, 0], expected)


@pytest.mark.parametrize("kwargs, shape, output_shape", [
    ({"filters": 3, "kernel_size": 3, "strides": 2, "padding": "same"}, (2, 4, 5, 2), (2, 8, 10, 3)),
    ({"filters": 3, "kernel_size": 3, "strides": 2}, (2, 4, 5, 2), (2, 9, 11, 3)),
    ({"filters": 3, "kernel_size": 3, "strides": 2, "output_padding": 1}, (2, 4, 5, 2), (2, 10, 12, 3)),
    ({"filters": 2, "kernel_size": 1, "strides": 3}, (2, 2, 2, 2), (2, 6, 6, 2)),
])
def test_output_sizes(kwargs, shape, output_shape):
    check_layer(lambda: layers.Conv2DTranspose(**kwargs), random_batch(shape), output_shape, 2)


def test_conv1d_transpose_harness():
    check_layer(lambda: layers.Conv1DTranspose(2, 3, strides=2, padding="same"), random_batch((2, 4, 3)),
                (2, 8, 2), 2)


def test_gradients_float64():
    check_layer_gradients(layers.Conv2DTranspose(2, 3, strides=2, padding="same", dtype="float64"),
                          random_batch((1, 3, 3, 2)))
    check_layer_gradients(layers.Conv1DTranspose(2, 2, strides=3, dtype="float64"), random_batch((2, 3, 2)))


def test_bad_arguments():
    with pytest.raises(ValueError, match="`output_padding` must be strictly less than `strides`"):
        layers.Conv2DTranspose(2, 3, strides=2, output_padding=2)
    with pytest.raises(ValueError, match="'valid' or 'same'"):
        layers.Conv1DTranspose(2, 3, padding="causal")
