"""Adamax, Adadelta, Ftrl, Lion, Lamb and the new schedules: one step by hand, and training a tiny model."""

import numpy as np
import pytest

import minikeras as keras
from minikeras import optimizers
from minikeras.optimizers import schedules


def one_step(optimizer, weight, gradient):
    variable = keras.Variable(np.array(weight, dtype="float32"))
    optimizer.apply([np.array(gradient, dtype="float32")], [variable])
    return variable.numpy()


def test_first_steps_by_hand():
    # Adamax: m = 0.1 g, u = |g|, step = lr * m / ((1 - 0.9) * (u + eps)) = lr * sign(g).
    np.testing.assert_allclose(one_step(optimizers.Adamax(learning_rate=0.1), [1.0, 1.0], [2.0, -0.5]),
                               [0.9, 1.1], rtol=1e-5)
    # Lion: w - lr * sign(0.1 g) whatever the size of g.
    np.testing.assert_allclose(one_step(optimizers.Lion(learning_rate=0.1), [1.0, 1.0], [20.0, -0.01]),
                               [0.9, 1.1], rtol=1e-6)
    # Adadelta: a_g = 0.05 g**2; delta = -sqrt(eps) g / sqrt(a_g + eps).
    g, eps = 2.0, 1e-7
    delta = -np.sqrt(eps) * g / np.sqrt(0.05 * g * g + eps)
    np.testing.assert_allclose(one_step(optimizers.Adadelta(learning_rate=1.0), [1.0], [g]), [1.0 + delta], rtol=1e-5)


def test_lamb_moves_each_variable_by_lr_times_its_norm():
    weight = np.array([3.0, 4.0])  # norm 5
    new = one_step(optimizers.Lamb(learning_rate=0.01), weight, [1.0, -2.0])
    np.testing.assert_allclose(np.linalg.norm(new - weight), 0.01 * 5.0, rtol=1e-4)


def test_ftrl_l1_makes_small_weights_exactly_zero():
    new = one_step(optimizers.Ftrl(learning_rate=0.1, l1_regularization_strength=10.0), [0.3, -0.2], [0.1, 0.1])
    np.testing.assert_array_equal(new, [0.0, 0.0])


def test_schedules_by_hand():
    polynomial = schedules.PolynomialDecay(1.0, decay_steps=4, end_learning_rate=0.0, power=2.0)
    np.testing.assert_allclose([float(polynomial(s)) for s in (0, 2, 4, 8)], [1.0, 0.25, 0.0, 0.0])
    inverse = schedules.InverseTimeDecay(1.0, decay_steps=2, decay_rate=1.0)
    np.testing.assert_allclose([float(inverse(s)) for s in (0, 2, 6)], [1.0, 0.5, 0.25])
    restarts = schedules.CosineDecayRestarts(1.0, first_decay_steps=2, t_mul=1.0, m_mul=0.5)
    # Step 1: half-way down the first cosine; step 2: a restart at half the height.
    np.testing.assert_allclose([float(restarts(s)) for s in (0, 1, 2, 3)], [1.0, 0.5, 0.5, 0.25], atol=1e-6)


@pytest.mark.parametrize("name", ["adamax", "adadelta", "ftrl", "lion", "lamb"])
def test_each_trains_a_tiny_regression_by_name(name):
    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).standard_normal((64, 3)).astype("float32")
    y = x @ np.array([[1.0], [-2.0], [0.5]], dtype="float32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(loss="mse", optimizer=name)
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
