"""Dense, Activation, Dropout: NumPy expectations, the harness, gradients, bad inputs."""

import numpy as np
import pytest

from minikeras import layers
from tests.layers.harness import check_layer
from tests.layers.harness import check_layer_gradients
from tests.layers.harness import random_batch


def test_dense_by_hand():
    layer = layers.Dense(2, activation="relu")
    x = np.array([[1.0, 2.0, 3.0]], dtype="float32")
    layer(x)
    layer.set_weights([np.array([[1.0, -1.0], [0.5, 0.0], [0.0, 2.0]]), np.array([0.5, -10.0])])
    # [1 + 1 + 0 + 0.5, -1 + 0 + 6 - 10] = [2.5, -5] -> relu -> [2.5, 0]
    np.testing.assert_allclose(np.asarray(layer(x)), [[2.5, 0.0]])


def test_dense_applies_to_the_last_axis_of_any_rank():
    layer = layers.Dense(4)
    x = random_batch((2, 3, 5))
    output = np.asarray(layer(x))
    kernel, bias = layer.get_weights()
    np.testing.assert_allclose(output, x @ kernel + bias, rtol=1e-5, atol=1e-6)


def test_dense_defaults_follow_keras():
    layer = layers.Dense(3)
    layer(np.zeros((1, 2), "float32"))
    assert [w.name for w in layer.weights] == ["kernel", "bias"]
    assert not layer.bias.numpy().any()
    limit = np.sqrt(6 / (2 + 3))
    assert np.abs(layer.kernel.numpy()).max() <= limit
    assert layers.Dense(3, use_bias=False).get_config()["use_bias"] is False


@pytest.mark.parametrize("make_layer, shape, output_shape, weights", [
    (lambda: layers.Dense(3, activation="tanh"), (4, 5), (4, 3), 2),
    (lambda: layers.Dense(3, use_bias=False), (4, 2, 5), (4, 2, 3), 1),
    (lambda: layers.Activation("softmax"), (4, 5), (4, 5), 0),
    (lambda: layers.Dropout(0.5), (4, 5), (4, 5), 0),
])
def test_harness(make_layer, shape, output_shape, weights):
    check_layer(make_layer, random_batch(shape), output_shape, weights)


def test_dense_gradients_float64():
    check_layer_gradients(layers.Dense(3, activation="sigmoid", dtype="float64"), random_batch((2, 4)))


def test_activation_layer_matches_the_function():
    x = random_batch((2, 3))
    np.testing.assert_allclose(np.asarray(layers.Activation("relu")(x)), np.maximum(x, 0))
    assert layers.Activation("relu").get_config()["activation"] == "relu"


def test_dropout_is_identity_at_inference_and_scales_in_training():
    x = np.ones((50, 40), "float32")
    layer = layers.Dropout(0.25, seed=3)
    np.testing.assert_array_equal(np.asarray(layer(x)), x)
    y = np.asarray(layer(x, training=True))
    assert set(np.unique(y)) <= {0.0, np.float32(1 / 0.75)}
    assert abs((y == 0).mean() - 0.25) < 0.03
    assert not np.array_equal(y, np.asarray(layer(x, training=True)))  # a new mask per call


def test_dropout_is_reproducible_with_a_seed_and_noise_shape_broadcasts():
    x = np.ones((4, 3, 6), "float32")
    first = np.asarray(layers.Dropout(0.5, seed=7)(x, training=True))
    np.testing.assert_array_equal(first, np.asarray(layers.Dropout(0.5, seed=7)(x, training=True)))
    channels = np.asarray(layers.Dropout(0.5, noise_shape=(None, 1, 6), seed=1)(x, training=True))
    assert (channels == channels[:, :1, :]).all()  # one mask per sample and channel


def test_dropout_state_is_a_variable_not_a_weight():
    layer = layers.Dropout(0.5)
    layer(np.ones((2, 2), "float32"))
    assert layer.weights == [] and len(layer.variables) == 1


def test_dropout_gradients_with_a_fixed_mask():
    check_layer_gradients(layers.Dropout(0.4, seed=2, dtype="float64"), random_batch((3, 5)),
                          call_kwargs={"training": True})


def test_bad_inputs_raise_clear_errors():
    layer = layers.Dense(2, name="head")
    layer(np.zeros((1, 3), "float32"))
    with pytest.raises(ValueError, match=r"layer 'head'.*expected axis -1 of input shape to have value 3"):
        layer(np.zeros((1, 4), "float32"))
    with pytest.raises(ValueError, match="expected min_ndim=2, found ndim=1"):
        layers.Dense(2)(np.zeros((3,), "float32"))
    with pytest.raises(ValueError, match="Could not interpret activation function identifier: rellu"):
        layers.Dense(2, activation="rellu")
    with pytest.raises(ValueError, match="Could not interpret initializer identifier: glorot"):
        layers.Dense(2, kernel_initializer="glorot")
    with pytest.raises(ValueError, match="invalid value for `units`"):
        layers.Dense(0)
    with pytest.raises(ValueError, match="Invalid value received for argument `rate`"):
        layers.Dropout(1.5)
