"""Pooling layers: hand-computed windows, the harness, gradients, masks, errors."""

import numpy as np
import pytest

from minikeras import layers
from tests.layers.harness import check_layer
from tests.layers.harness import check_layer_gradients
from tests.layers.harness import random_batch

IMAGE = np.array([[1, 2, 3, 4],
                  [5, 6, 7, 8],
                  [9, 10, 11, 12],
                  [13, 14, 15, 16]], dtype="float32").reshape(1, 4, 4, 1)


def test_max_and_average_pooling_2d_by_hand():
    np.testing.assert_array_equal(np.asarray(layers.MaxPooling2D()(IMAGE))[0, :, :, 0], [[6, 8], [14, 16]])
    np.testing.assert_array_equal(np.asarray(layers.AveragePooling2D(2)(IMAGE))[0, :, :, 0],
                                  [[3.5, 5.5], [11.5, 13.5]])
    # 3x3 windows, stride 1, "same": the corner averages only its 4 real cells.
    same = np.asarray(layers.AveragePooling2D(3, strides=1, padding="same")(IMAGE))[0, :, :, 0]
    assert same[0, 0] == pytest.approx((1 + 2 + 5 + 6) / 4)
    assert same[1, 1] == pytest.approx(6.0)


def test_pooling_1d_by_hand():
    x = np.array([[[1.0], [3.0], [2.0], [8.0], [5.0]]], dtype="float32")
    np.testing.assert_array_equal(np.asarray(layers.MaxPooling1D()(x))[0, :, 0], [3, 8])
    np.testing.assert_array_equal(np.asarray(layers.AveragePooling1D(2, strides=1)(x))[0, :, 0],
                                  [2, 2.5, 5, 6.5])


def test_global_pooling_by_hand():
    x = random_batch((2, 3, 4, 5))
    np.testing.assert_allclose(np.asarray(layers.GlobalAveragePooling2D()(x)), x.mean(axis=(1, 2)), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(layers.GlobalMaxPooling2D(keepdims=True)(x)),
                               x.max(axis=(1, 2), keepdims=True))
    sequence = random_batch((2, 4, 3))
    np.testing.assert_allclose(np.asarray(layers.GlobalAveragePooling1D()(sequence)), sequence.mean(1), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(layers.GlobalMaxPooling1D()(sequence)), sequence.max(1))


def test_global_average_pooling_1d_skips_masked_steps():
    embedded = layers.Embedding(5, 2, mask_zero=True)
    ids = np.array([[1, 2, 0, 0], [3, 0, 0, 0]])
    vectors = embedded(ids)
    pooled = np.asarray(layers.GlobalAveragePooling1D()(vectors))
    table = embedded.get_weights()[0]
    np.testing.assert_allclose(pooled, [(table[1] + table[2]) / 2, table[3]], rtol=1e-6)


@pytest.mark.parametrize("make_layer, shape, output_shape", [
    (lambda: layers.MaxPooling2D(), (2, 5, 5, 3), (2, 2, 2, 3)),
    (lambda: layers.MaxPooling2D(3, strides=2, padding="same"), (2, 5, 5, 3), (2, 3, 3, 3)),
    (lambda: layers.AveragePooling2D((2, 1)), (2, 4, 3, 3), (2, 2, 3, 3)),
    (lambda: layers.MaxPooling1D(3, padding="same"), (2, 7, 3), (2, 3, 3)),
    (lambda: layers.AveragePooling1D(2), (2, 7, 3), (2, 3, 3)),
    (lambda: layers.GlobalAveragePooling2D(), (2, 4, 4, 3), (2, 3)),
    (lambda: layers.GlobalMaxPooling2D(), (2, 4, 4, 3), (2, 3)),
    (lambda: layers.GlobalAveragePooling1D(keepdims=True), (2, 4, 3), (2, 1, 3)),
    (lambda: layers.GlobalMaxPooling1D(), (2, 4, 3), (2, 3)),
])
def test_harness(make_layer, shape, output_shape):
    check_layer(make_layer, random_batch(shape), output_shape, 0)


@pytest.mark.parametrize("layer", [
    layers.MaxPooling2D(2, dtype="float64"), layers.AveragePooling2D(3, strides=1, padding="same", dtype="float64"),
    layers.GlobalAveragePooling2D(dtype="float64"), layers.GlobalMaxPooling2D(dtype="float64"),
])
def test_gradients_float64(layer):
    check_layer_gradients(layer, random_batch((2, 4, 4, 2)))


def test_bad_inputs():
    with pytest.raises(ValueError, match="expected ndim=4, found ndim=3"):
        layers.MaxPooling2D()(np.zeros((1, 4, 4), "float32"))
    with pytest.raises(ValueError, match="`pool_size` argument must be a tuple of 2"):
        layers.MaxPooling2D((2, 2, 2))
    with pytest.raises(ValueError, match="`padding` argument must be one of"):
        layers.AveragePooling1D(2, padding="full")
