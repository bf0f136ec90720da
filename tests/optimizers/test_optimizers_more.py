"""Adamax, Adadelta, Ftrl, Lion, Lamb, Adafactor and the new schedules: one step by hand, and training a tiny model."""

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


def test_adafactor_first_step_and_factored_state():
    # Step 1: beta = 0, so v = g**2 and u = sign(g); the step is lr * rms(w) (the weight's own scale).
    weight = np.array([3.0, 4.0])
    rms = np.sqrt((9.0 + 16.0) / 2)
    np.testing.assert_allclose(one_step(optimizers.Adafactor(learning_rate=0.1), weight, [0.5, -7.0]),
                               weight - 0.1 * rms * np.array([1.0, -1.0]), rtol=1e-5)
    # A (4, 3) weight's running statistics are 4 row means and 3 column means (then v, rebuilt each step).
    optimizer = optimizers.Adafactor()
    optimizer.build([keras.Variable(np.ones((4, 3), "float32"), name="kernel")])
    assert [tuple(v.shape) for v in optimizer.variables[2:]] == [(4,), (3,), (4, 3)]


def test_loss_scale_optimizer_skips_overflows_and_adapts_its_scale():
    optimizer = optimizers.LossScaleOptimizer(optimizers.SGD(0.1), initial_scale=4.0, dynamic_growth_steps=2)
    variable = keras.Variable(np.ones(2, "float32"))
    history = []
    for gradient in ([4.0, 8.0], [np.inf, 1.0], [2.0, 2.0], [2.0, 2.0], [2.0, 2.0]):
        optimizer.apply([np.array(gradient, "float32")], [variable])
        history.append((variable.numpy().tolist(), float(optimizer.dynamic_scale.numpy())))
    # Step 1 unscales by 4: w = 1 - 0.1 * [1, 2]. Step 2 overflows: skipped, scale halved.
    # Steps 3 and 4 unscale by 2; after 2 finite steps in a row the scale doubles back to 4.
    expected = [([0.9, 0.8], 4.0), ([0.9, 0.8], 2.0), ([0.8, 0.7], 2.0), ([0.7, 0.6], 4.0), ([0.65, 0.55], 4.0)]
    for (weights, scale), (expected_weights, expected_scale) in zip(history, expected):
        np.testing.assert_allclose(weights, expected_weights, rtol=1e-5)
        assert scale == expected_scale
    assert int(optimizer.iterations.numpy()) == 4  # the skipped step is not counted


def test_fit_with_a_loss_scale_takes_the_unscaled_steps():
    # The loss is multiplied by 2**15 before the backward pass and the gradients divided by it after:
    # powers of two are exact in floating point, so the weights equal plain SGD's.
    x = np.random.default_rng(0).standard_normal((16, 3)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    weights = []
    for optimizer in (optimizers.SGD(0.1), optimizers.LossScaleOptimizer(optimizers.SGD(0.1))):
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        model.compile(loss="mse", optimizer=optimizer)
        model.fit(x, y, epochs=1, batch_size=8, verbose=0, shuffle=False)
        weights.append(model.get_weights())
    for plain, scaled in zip(*weights):
        np.testing.assert_allclose(scaled, plain, rtol=1e-6)


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


@pytest.mark.parametrize("name", ["adamax", "adadelta", "ftrl", "lion", "lamb", "adafactor"])
def test_each_trains_a_tiny_regression_by_name(name):
    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).standard_normal((64, 3)).astype("float32")
    y = x @ np.array([[1.0], [-2.0], [0.5]], dtype="float32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(loss="mse", optimizer=name)
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
