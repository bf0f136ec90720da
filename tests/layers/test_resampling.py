"""3-D, global 3-D and adaptive pooling; UpSampling, ZeroPadding, Cropping: NumPy expectations,
the harness, gradients, errors."""

import numpy as np
import pytest

from minikeras import layers
from tests.layers.harness import check_layer
from tests.layers.harness import check_layer_gradients
from tests.layers.harness import random_batch


def test_max_pooling3d_is_the_max_of_each_box():
    x = random_batch((2, 4, 4, 6, 3))
    expected = x.reshape(2, 2, 2, 2, 2, 3, 2, 3).max(axis=(2, 4, 6))
    np.testing.assert_array_equal(np.asarray(layers.MaxPooling3D()(x)), expected)


def test_average_pooling3d_same_counts_only_real_cells():
    x = np.ones((1, 3, 3, 3, 1), dtype="float32")
    # every window mean of ones is one, also at the padded border
    np.testing.assert_allclose(np.asarray(layers.AveragePooling3D(2, padding="same")(x)), np.ones((1, 2, 2, 2, 1)))


def test_global_3d_pooling():
    x = random_batch((2, 2, 3, 4, 5))
    np.testing.assert_allclose(np.asarray(layers.GlobalAveragePooling3D()(x)), x.mean(axis=(1, 2, 3)), rtol=1e-6)
    np.testing.assert_array_equal(np.asarray(layers.GlobalMaxPool3D(keepdims=True)(x)),
                                  x.max(axis=(1, 2, 3), keepdims=True))


def test_adaptive_windows_by_hand():
    x = np.arange(5, dtype="float32").reshape(1, 5, 1)
    # 5 cells -> 3 windows: [0, 2), [1, 4), [3, 5)
    np.testing.assert_allclose(np.asarray(layers.AdaptiveAveragePooling1D(3)(x))[0, :, 0], [0.5, 2.0, 3.5])
    np.testing.assert_allclose(np.asarray(layers.AdaptiveMaxPooling1D(3)(x))[0, :, 0], [1.0, 3.0, 4.0])


def test_adaptive_pooling_equals_ordinary_pooling_when_sizes_divide():
    x = random_batch((2, 6, 4, 3))
    np.testing.assert_allclose(np.asarray(layers.AdaptiveAveragePooling2D((3, 2))(x)),
                               np.asarray(layers.AveragePooling2D(2)(x)), rtol=1e-5, atol=1e-7)


def test_upsampling_nearest_repeats_and_bilinear_interpolates():
    x = np.array([[[0.0], [4.0]]], dtype="float32")[:, :, None, :]  # (1, 2, 1, 1)
    nearest = np.asarray(layers.UpSampling2D((2, 1))(x))[0, :, 0, 0]
    np.testing.assert_array_equal(nearest, [0, 0, 4, 4])
    # output centres at input coordinates -0.25, 0.25, 0.75, 1.25: clamped, 1, 3, clamped
    bilinear = np.asarray(layers.UpSampling2D((2, 1), interpolation="bilinear")(x))[0, :, 0, 0]
    np.testing.assert_allclose(bilinear, [0, 1, 3, 4])


def test_padding_and_cropping_undo_each_other():
    x = random_batch((2, 3, 4, 2, 1))
    padded = layers.ZeroPadding3D(((1, 2), (0, 1), (2, 0)))(x)
    assert padded.shape == (2, 6, 5, 4, 1)
    assert float(np.abs(np.asarray(padded)).sum()) == pytest.approx(float(np.abs(x).sum()), rel=1e-6)
    back = layers.Cropping3D(((1, 2), (0, 1), (2, 0)))(padded)
    np.testing.assert_array_equal(np.asarray(back), x)


@pytest.mark.parametrize("make_layer, shape, output_shape", [
    (lambda: layers.MaxPooling3D(), (2, 4, 4, 4, 2), (2, 2, 2, 2, 2)),
    (lambda: layers.AveragePooling3D(2, strides=1, padding="same"), (2, 3, 3, 3, 2), (2, 3, 3, 3, 2)),
    (lambda: layers.AdaptiveMaxPooling2D(2), (2, 5, 5, 2), (2, 2, 2, 2)),
    (lambda: layers.AdaptiveAveragePooling3D((1, 2, 3), data_format="channels_first"), (2, 2, 3, 4, 5),
     (2, 2, 1, 2, 3)),
    (lambda: layers.UpSampling1D(3), (2, 3, 2), (2, 9, 2)),
    (lambda: layers.UpSampling2D(2, interpolation="bilinear"), (2, 3, 3, 2), (2, 6, 6, 2)),
    (lambda: layers.UpSampling3D(), (2, 2, 1, 2, 2), (2, 4, 2, 4, 2)),
    (lambda: layers.ZeroPadding1D(2), (2, 3, 2), (2, 7, 2)),
    (lambda: layers.ZeroPadding2D((1, 2)), (2, 3, 3, 2), (2, 5, 7, 2)),
    (lambda: layers.Cropping1D((0, 2)), (2, 5, 2), (2, 3, 2)),
    (lambda: layers.Cropping2D(((1, 0), (0, 2)), data_format="channels_first"), (2, 2, 4, 5), (2, 2, 3, 3)),
])
def test_harness(make_layer, shape, output_shape):
    check_layer(make_layer, random_batch(shape), output_shape, 0)


@pytest.mark.parametrize("make_layer, shape", [
    (lambda: layers.MaxPooling3D((2, 2, 3), strides=(1, 2, 2), padding="same", dtype="float64"), (1, 3, 4, 5, 2)),
    (lambda: layers.AdaptiveMaxPooling1D(3, dtype="float64"), (2, 7, 2)),
    (lambda: layers.AdaptiveAveragePooling2D((3, 5), dtype="float64"), (1, 5, 4, 2)),
    (lambda: layers.UpSampling2D((2, 3), interpolation="bicubic", dtype="float64"), (1, 3, 2, 2)),
    (lambda: layers.Cropping2D(1, dtype="float64"), (1, 4, 4, 2)),
])
def test_gradients_float64(make_layer, shape):
    check_layer_gradients(make_layer(), random_batch(shape))


def test_bad_arguments_name_the_layer():
    with pytest.raises(ValueError, match="AdaptiveAveragePooling2D: `output_size`"):
        layers.AdaptiveAveragePooling2D((2, 2, 2))
    with pytest.raises(ValueError, match="UpSampling2D: `interpolation`"):
        layers.UpSampling2D(interpolation="cubic-ish")
    with pytest.raises(ValueError, match="Cropping2D.*smaller than"):
        layers.Cropping2D(2)(random_batch((1, 4, 6, 1)))
    with pytest.raises(ValueError, match="ZeroPadding3D: `padding` should have 3"):
        layers.ZeroPadding3D((1, 2))
    with pytest.raises(ValueError, match="expected ndim=5"):
        layers.MaxPooling3D()(random_batch((2, 4, 4, 2)))
