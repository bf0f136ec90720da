"""BatchNormalization and LayerNormalization: NumPy formulas, moving statistics,
frozen layers, the harness and gradients in inference and training mode."""

import numpy as np
import pytest

from minikeras import layers
from tests.layers.harness import check_layer
from tests.layers.harness import check_layer_gradients
from tests.layers.harness import random_batch


def _set_bn(layer, x, gamma, beta, mean, variance):
    layer(x)
    layer.set_weights([gamma, beta, mean, variance])


def test_batch_normalization_training_uses_batch_statistics_and_moves_the_averages():
    x = random_batch((8, 3), low=0.0, high=4.0)
    layer = layers.BatchNormalization(momentum=0.9)
    gamma, beta = np.array([1.0, 2.0, 0.5]), np.array([0.0, 1.0, -1.0])
    _set_bn(layer, x, gamma, beta, np.zeros(3), np.ones(3))
    output = np.asarray(layer(x, training=True))
    expected = (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3) * gamma + beta
    np.testing.assert_allclose(output, expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(layer.moving_mean.numpy(), 0.1 * x.mean(0), rtol=1e-5)
    np.testing.assert_allclose(layer.moving_variance.numpy(), 0.9 + 0.1 * x.var(0), rtol=1e-5)


def test_batch_normalization_inference_uses_moving_statistics_and_updates_nothing():
    x = random_batch((4, 2, 2, 3))
    layer = layers.BatchNormalization()
    mean, variance = np.array([0.1, -0.2, 0.3]), np.array([0.5, 2.0, 1.0])
    _set_bn(layer, x, np.ones(3), np.zeros(3), mean, variance)
    expected = (x - mean) / np.sqrt(variance + 1e-3)
    np.testing.assert_allclose(np.asarray(layer(x)), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer.moving_mean.numpy(), mean)


def test_frozen_batch_normalization_runs_in_inference_mode():
    x = random_batch((4, 3))
    layer = layers.BatchNormalization()
    layer(x)
    layer.trainable = False
    np.testing.assert_allclose(np.asarray(layer(x, training=True)), x / np.sqrt(1 + 1e-3), rtol=1e-5)
    assert not layer.moving_mean.numpy().any()
    assert [w.name for w in layer.weights] == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert layer.trainable_weights == []


def test_batch_normalization_weights_and_axis():
    layer = layers.BatchNormalization(axis=1, center=False)
    layer(random_batch((2, 5, 3)))
    assert [w.shape for w in layer.weights] == [(5,), (5,), (5,)]
    assert [w.trainable for w in layer.weights] == [True, False, False]


def test_layer_normalization_by_hand():
    x = random_batch((3, 4))
    layer = layers.LayerNormalization()
    layer(x)
    layer.set_weights([np.array([1.0, 2.0, 3.0, 4.0]), np.array([0.5, 0.0, 0.0, -0.5])])
    normalized = (x - x.mean(1, keepdims=True)) / np.sqrt(x.var(1, keepdims=True) + 1e-3)
    np.testing.assert_allclose(np.asarray(layer(x)), normalized * [1, 2, 3, 4] + [0.5, 0, 0, -0.5],
                               rtol=1e-5, atol=1e-5)


def test_layer_normalization_over_several_axes():
    x = random_batch((2, 3, 4))
    output = np.asarray(layers.LayerNormalization(axis=[1, 2])(x))
    expected = (x - x.mean((1, 2), keepdims=True)) / np.sqrt(x.var((1, 2), keepdims=True) + 1e-3)
    np.testing.assert_allclose(output, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("make_layer, shape, weights, kwargs", [
    (lambda: layers.BatchNormalization(), (6, 3), 4, {}),
    (lambda: layers.BatchNormalization(), (4, 3, 3, 2), 4, {"training": True}),
    (lambda: layers.LayerNormalization(), (4, 5), 2, {}),
    (lambda: layers.LayerNormalization(scale=False), (4, 2, 5), 1, {}),
])
def test_harness(make_layer, shape, weights, kwargs):
    check_layer(make_layer, random_batch(shape), shape, weights, call_kwargs=kwargs)


def test_gradients_float64_inference_and_training():
    x = random_batch((5, 3))
    inference = layers.BatchNormalization(dtype="float64")
    inference(x)
    inference.set_weights([np.array([1.0, 2.0, 0.5]), np.array([0.1, 0.2, 0.3]),
                           np.array([0.2, -0.1, 0.0]), np.array([0.5, 1.5, 2.0])])
    check_layer_gradients(inference, x)
    check_layer_gradients(layers.BatchNormalization(dtype="float64"), x, call_kwargs={"training": True})
    check_layer_gradients(layers.LayerNormalization(dtype="float64"), random_batch((3, 2, 4)))


def test_bad_inputs():
    layer = layers.BatchNormalization(name="bn")
    layer(random_batch((2, 3)))
    with pytest.raises(ValueError, match=r"layer 'bn'.*expected axis -1 of input shape to have value 3"):
        layer(random_batch((2, 4)))
    with pytest.raises(ValueError, match="renormalization"):
        layers.BatchNormalization(renorm=True)


@pytest.mark.parametrize("layer_class, axis", [(layers.BatchNormalization, 5), (layers.BatchNormalization, -3),
                                               (layers.LayerNormalization, 5), (layers.LayerNormalization, [0, 7])])
def test_an_axis_the_input_lacks_names_the_layer_the_axis_and_the_rank(layer_class, axis):
    # Before: a bare IndexError (BatchNormalization), or LayerNormalization
    # quietly normalizing axis 5 % 2 = 1.
    layer = layer_class(axis=axis, name="norm")
    bad = 7 if isinstance(axis, list) else axis
    message = rf"{layer_class.__name__} 'norm': `axis={bad}` is out of range for an input of rank 2 \(shape \(4, 3\)\)"
    with pytest.raises(ValueError, match=message):
        layer(np.ones((4, 3), "float32"))
    from minikeras.layers import Input
    with pytest.raises(ValueError, match=r"out of range for an input of rank 2 \(shape \(None, 3\)\)"):
        layer_class(axis=axis)(Input((3,)))
