"""ReLU, LeakyReLU, PReLU, ELU, Softmax, Identity, Dot: hand-computed values, the harness, gradients, errors."""

import numpy as np
import pytest

from minikeras import layers
from tests.layers.harness import check_layer
from tests.layers.harness import check_layer_gradients
from tests.layers.harness import random_batch

X = np.array([[-10.0, -5.0, 0.0, 0.5, 5.0, 10.0]], dtype="float32")


@pytest.mark.parametrize("kwargs, expected", [
    ({}, [0, 0, 0, 0.5, 5, 10]),
    ({"max_value": 6.0}, [0, 0, 0, 0.5, 5, 6]),
    ({"negative_slope": 0.5}, [-5, -2.5, 0, 0.5, 5, 10]),
    # below the threshold 1: slope * (x - 1); between 1 and max_value: x; above: max_value
    ({"threshold": 1.0, "negative_slope": 0.5, "max_value": 8.0}, [-5.5, -3, -0.5, -0.25, 5, 8]),
])
def test_relu_by_hand(kwargs, expected):
    np.testing.assert_allclose(np.asarray(layers.ReLU(**kwargs)(X)), [expected])


def test_leaky_relu_and_elu_by_hand():
    np.testing.assert_allclose(np.asarray(layers.LeakyReLU(0.1)(X)), [[-1, -0.5, 0, 0.5, 5, 10]])
    np.testing.assert_allclose(np.asarray(layers.ELU(2.0)(X)), [2 * np.expm1(np.minimum(X[0], 0)) + np.maximum(X[0], 0)],
                               rtol=1e-6)


def test_prelu_learns_one_slope_per_shared_group():
    layer = layers.PReLU(shared_axes=[1, 2])
    x = random_batch((2, 3, 4, 5))
    layer(x)
    assert layer.alpha.shape == (1, 1, 5)
    layer.set_weights([np.full((1, 1, 5), 0.25, "float32")])
    np.testing.assert_allclose(np.asarray(layer(x)), np.where(x >= 0, x, 0.25 * x), rtol=1e-6)


def test_softmax_mask_gives_masked_entries_zero():
    x = np.array([[1.0, 2.0, 3.0]], dtype="float32")
    mask = np.array([[True, False, True]])
    output = np.asarray(layers.Softmax()(x, mask=mask))
    e = np.exp([1.0, 3.0]) / np.exp([1.0, 3.0]).sum()
    np.testing.assert_allclose(output, [[e[0], 0.0, e[1]]], rtol=1e-6)


def test_softmax_over_two_axes_sums_to_one():
    output = np.asarray(layers.Softmax(axis=[1, 2])(random_batch((2, 3, 4))))
    np.testing.assert_allclose(output.sum(axis=(1, 2)), [1.0, 1.0], rtol=1e-6)


def test_dot_by_hand():
    a = np.array([[1.0, 2.0], [3.0, 4.0]], dtype="float32")
    b = np.array([[5.0, 6.0], [7.0, 8.0]], dtype="float32")
    np.testing.assert_allclose(np.asarray(layers.Dot(axes=1)([a, b])), [[17.0], [53.0]])
    cosine = np.asarray(layers.dot([a, a], axes=1, normalize=True))
    np.testing.assert_allclose(cosine, [[1.0], [1.0]], rtol=1e-6)


def test_dot_of_sequences_is_a_batched_matmul():
    a, b = random_batch((2, 3, 4)), random_batch((2, 5, 4), seed=1)
    np.testing.assert_allclose(np.asarray(layers.Dot(axes=2)([a, b])), a @ b.transpose(0, 2, 1), rtol=1e-5)


@pytest.mark.parametrize("make_layer, data, output_shape, weights", [
    (lambda: layers.ReLU(6.0), random_batch((4, 5)), (4, 5), 0),
    (lambda: layers.LeakyReLU(), random_batch((4, 5)), (4, 5), 0),
    (lambda: layers.PReLU(), random_batch((4, 3, 2)), (4, 3, 2), 1),
    (lambda: layers.ELU(), random_batch((4, 5)), (4, 5), 0),
    (lambda: layers.Softmax(axis=1), random_batch((4, 5, 2)), (4, 5, 2), 0),
    (lambda: layers.Identity(), random_batch((4, 5)), (4, 5), 0),
    (lambda: layers.Dot(axes=(1, 2)), [random_batch((4, 3, 2)), random_batch((4, 5, 3))], (4, 2, 5), 0),
])
def test_harness(make_layer, data, output_shape, weights):
    check_layer(make_layer, data, output_shape, weights)


def test_prelu_gradients_float64():
    layer = layers.PReLU(alpha_initializer="ones", shared_axes=1, dtype="float64")
    check_layer_gradients(layer, random_batch((2, 3, 4)) + 0.05)  # keep away from the kink at 0


def test_softmax_gradients_float64():
    check_layer_gradients(layers.Softmax(axis=[1, 2], dtype="float64"), random_batch((2, 3, 2)))


def test_bad_arguments_name_the_layer_and_value():
    with pytest.raises(ValueError, match="max_value of a ReLU layer.*-1"):
        layers.ReLU(max_value=-1)
    with pytest.raises(ValueError, match="negative_slope.*Leaky ReLU"):
        layers.LeakyReLU(-0.5)
    with pytest.raises(ValueError, match="shared_axes"):
        layers.PReLU(shared_axes=3)(random_batch((2, 3, 4)))
    with pytest.raises(ValueError, match="broadcastable"):
        layers.Softmax()(random_batch((2, 3)), mask=np.ones((2, 4), bool))
    with pytest.raises(ValueError, match=r"axis values 3 \(at axis 1\) != 2"):
        layers.Dot(axes=1)([random_batch((2, 3)), random_batch((2, 2))])
    with pytest.raises(ValueError, match="axis 0"):
        layers.Dot(axes=0)([random_batch((2, 3)), random_batch((2, 3))])
