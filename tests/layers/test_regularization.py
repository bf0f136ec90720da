"""Noise layers: identity at inference; in training, the right distribution and the same
noise for the same seed. ActivityRegularization: its loss by hand."""

import numpy as np
import pytest

from minikeras import layers
from tests.layers.harness import check_layer
from tests.layers.harness import random_batch

NOISE_LAYERS = [
    lambda seed=1: layers.SpatialDropout1D(0.5, seed=seed),
    lambda seed=1: layers.GaussianNoise(0.3, seed=seed),
    lambda seed=1: layers.GaussianDropout(0.3, seed=seed),
    lambda seed=1: layers.AlphaDropout(0.3, seed=seed),
]


@pytest.mark.parametrize("make_layer", NOISE_LAYERS)
def test_identity_at_inference_and_reproducible_in_training(make_layer):
    x = random_batch((8, 6, 5))
    np.testing.assert_array_equal(np.asarray(make_layer()(x)), x)
    first, second = make_layer(seed=7), make_layer(seed=7)
    a, b = np.asarray(first(x, training=True)), np.asarray(second(x, training=True))
    np.testing.assert_array_equal(a, b)  # same seed, same noise
    assert not np.array_equal(a, x)
    assert not np.array_equal(np.asarray(first(x, training=True)), a)  # a new draw each call


def test_spatial_dropout_drops_whole_channels():
    x = np.ones((16, 5, 5, 8), dtype="float32")
    y = np.asarray(layers.SpatialDropout2D(0.5, seed=3)(x, training=True))
    per_map = y.reshape(16, 25, 8)
    # each (sample, channel) feature map is all 0 or all 1 / (1 - rate) = 2
    assert np.all((per_map == 0).all(axis=1) | (per_map == 2).all(axis=1))
    assert 0.35 < (per_map[:, 0] == 0).mean() < 0.65


def test_spatial_dropout_channels_first():
    x = np.ones((16, 8, 2, 2, 2), dtype="float32")
    y = np.asarray(layers.SpatialDropout3D(0.5, data_format="channels_first", seed=0)(x, training=True))
    per_map = y.reshape(16, 8, 8)
    assert np.all((per_map == 0).all(axis=2) | (per_map == 2).all(axis=2))


def test_gaussian_noise_and_dropout_statistics():
    x = np.ones((200, 50), dtype="float32")
    noise = np.asarray(layers.GaussianNoise(0.5, seed=0)(x, training=True)) - 1
    assert abs(noise.mean()) < 0.02 and abs(noise.std() - 0.5) < 0.02
    factor = np.asarray(layers.GaussianDropout(0.2, seed=0)(x, training=True))
    assert abs(factor.mean() - 1) < 0.02 and abs(factor.std() - np.sqrt(0.2 / 0.8)) < 0.02


def test_alpha_dropout_keeps_zero_mean_unit_variance():
    x = np.random.default_rng(0).standard_normal((400, 100)).astype("float32")
    y = np.asarray(layers.AlphaDropout(0.2, seed=0)(x, training=True))
    assert abs(y.mean()) < 0.03 and abs(y.std() - 1) < 0.03
    # the dropped values all share one value: a * alpha_p + b
    alpha_p = -1.6732632423543772 * 1.0507009873554805
    a = ((1 - 0.2) * (1 + 0.2 * alpha_p ** 2)) ** -0.5
    dropped = np.isclose(y, a * alpha_p - a * alpha_p * 0.2, atol=1e-6)
    assert 0.17 < dropped.mean() < 0.23


def test_activity_regularization_loss_by_hand():
    layer = layers.ActivityRegularization(l1=0.1, l2=0.01)
    x = np.array([[1.0, -2.0], [3.0, 0.0]], dtype="float32")
    np.testing.assert_array_equal(np.asarray(layer(x)), x)
    # (0.1 * 6 + 0.01 * 14) / batch size 2
    np.testing.assert_allclose([float(loss) for loss in layer.losses], [0.37], rtol=1e-6)


@pytest.mark.parametrize("make_layer, shape", [
    (lambda: layers.SpatialDropout1D(0.3, seed=1), (4, 3, 2)),
    (lambda: layers.SpatialDropout2D(0.3, seed=1), (4, 3, 3, 2)),
    (lambda: layers.GaussianNoise(0.1, seed=1), (4, 5)),
    (lambda: layers.AlphaDropout(0.1, seed=1), (4, 5)),
    (lambda: layers.ActivityRegularization(l2=0.1), (4, 5)),
])
def test_harness(make_layer, shape):
    check_layer(make_layer, random_batch(shape), shape, 0)


def test_bad_rates_are_named():
    with pytest.raises(ValueError, match="stddev.*Received: stddev=2"):
        layers.GaussianNoise(2)
    with pytest.raises(ValueError, match="rate=-0.1"):
        layers.GaussianDropout(-0.1)
    with pytest.raises(ValueError, match="expected ndim=3"):
        layers.SpatialDropout1D(0.5)(random_batch((2, 3)))
