"""Optimizers: one step worked out by hand per optimizer, convergence on a quadratic,
clipping, weight decay, schedules, the state variables and their order."""

import numpy as np
import pytest

from minikeras import GradientTape
from minikeras import Variable
from minikeras import optimizers
from minikeras.optimizers import schedules


def make_variables():
    kernel = Variable(np.array([[1.0, -2.0], [0.5, 3.0]], dtype="float32"), name="kernel")
    bias = Variable(np.array([0.1, -0.1], dtype="float32"), name="bias")
    return kernel, bias


GRADS = [np.array([[0.5, -1.0], [2.0, 0.0]], dtype="float32"), np.array([1.0, -3.0], dtype="float32")]


# ----- one step, by hand -----
def test_sgd_plain_momentum_and_nesterov():
    kernel, bias = make_variables()
    optimizers.SGD(learning_rate=0.1).apply(GRADS, [kernel, bias])
    np.testing.assert_allclose(kernel.numpy(), np.array([[1.0, -2.0], [0.5, 3.0]]) - 0.1 * GRADS[0], rtol=1e-6)

    w = Variable(np.array([1.0], dtype="float32"))
    opt = optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True)
    for _ in range(2):
        opt.apply([np.array([2.0], dtype="float32")], [w])
    # m1 = -0.2, w1 = 1 + 0.9*(-0.2) - 0.2 = 0.62; m2 = 0.9*(-0.2) - 0.2 = -0.38, w2 = 0.62 + 0.9*(-0.38) - 0.2
    np.testing.assert_allclose(w.numpy(), [0.62 - 0.342 - 0.2], rtol=1e-6)


def test_adam_first_step_moves_each_weight_by_about_lr():
    kernel, bias = make_variables()
    before = kernel.numpy().copy()
    optimizers.Adam(learning_rate=0.01).apply(GRADS, [kernel, bias])
    # After one step m = 0.1 g and v = 0.001 g**2, so the bias-corrected step is
    # lr * g / (|g| + epsilon'): lr * sign(g) (0 where g = 0).
    m, v = 0.1 * GRADS[0], 0.001 * GRADS[0] ** 2
    alpha = 0.01 * np.sqrt(1 - 0.999) / (1 - 0.9)
    np.testing.assert_allclose(kernel.numpy(), before - m * alpha / (np.sqrt(v) + 1e-7), rtol=1e-5)
    np.testing.assert_allclose(kernel.numpy(), before - 0.01 * np.sign(GRADS[0]), atol=1e-6)


def test_rmsprop_and_adagrad_first_step():
    w = Variable(np.array([1.0], dtype="float32"))
    optimizers.RMSprop(learning_rate=0.01).apply([np.array([2.0], dtype="float32")], [w])
    np.testing.assert_allclose(w.numpy(), [1.0 - 0.01 * 2.0 / np.sqrt(0.1 * 4.0 + 1e-7)], rtol=1e-6)
    w = Variable(np.array([1.0], dtype="float32"))
    optimizers.Adagrad(learning_rate=0.1).apply([np.array([2.0], dtype="float32")], [w])
    np.testing.assert_allclose(w.numpy(), [1.0 - 0.1 * 2.0 / np.sqrt(0.1 + 4.0 + 1e-7)], rtol=1e-6)


@pytest.mark.parametrize("make_optimizer", [
    lambda: optimizers.SGD(learning_rate=0.1),
    lambda: optimizers.SGD(learning_rate=0.05, momentum=0.9),
    lambda: optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=True),
    lambda: optimizers.Adam(learning_rate=0.1),
    lambda: optimizers.Adam(learning_rate=0.1, amsgrad=True),
    lambda: optimizers.AdamW(learning_rate=0.1, weight_decay=0.001),
    lambda: optimizers.RMSprop(learning_rate=0.05),
    lambda: optimizers.RMSprop(learning_rate=0.02, momentum=0.5, centered=True),
    lambda: optimizers.Adagrad(learning_rate=0.5),
    lambda: optimizers.Nadam(learning_rate=0.1),
])
def test_every_optimizer_minimises_a_quadratic(make_optimizer):
    # f(w) = sum((w - target)**2) through the tape; the minimum is w = target.
    target = np.array([3.0, -1.0], dtype="float32")
    w = Variable(np.zeros(2, dtype="float32"), name="w")
    optimizer = make_optimizer()
    for _ in range(300):
        with GradientTape() as tape:
            loss = (w - target) * (w - target)  # the tape sums a non-scalar target
        optimizer.apply(tape.gradient(loss, [w]), [w])
    np.testing.assert_allclose(w.numpy(), target, atol=0.05)
    assert int(optimizer.iterations.numpy()) == 300


# ----- clipping and weight decay -----
def test_clipnorm_clipvalue_and_global_clipnorm():
    grads = [np.array([3.0, 4.0], dtype="float32"), np.array([0.0, 12.0], dtype="float32")]
    for kwargs, expected in [
        ({"clipnorm": 1.0}, [[0.6, 0.8], [0.0, 1.0]]),
        ({"clipvalue": 2.0}, [[2.0, 2.0], [0.0, 2.0]]),
        ({"global_clipnorm": 6.5}, [[1.5, 2.0], [0.0, 6.0]]),  # global norm 13
    ]:
        a, b = Variable(np.zeros(2, "float32")), Variable(np.zeros(2, "float32"))
        optimizers.SGD(learning_rate=1.0, **kwargs).apply(grads, [a, b])
        np.testing.assert_allclose([-a.numpy(), -b.numpy()], expected, rtol=1e-6)
    with pytest.raises(ValueError, match="Only one of `clipnorm`, `clipvalue` and `global_clipnorm`"):
        optimizers.SGD(clipnorm=1.0, clipvalue=1.0)


def test_weight_decay_is_decoupled_and_can_exclude_variables():
    kept, decayed = Variable(np.array([2.0], "float32"), name="bias"), Variable(np.array([2.0], "float32"))
    optimizer = optimizers.SGD(learning_rate=0.1, weight_decay=0.5)
    optimizer.exclude_from_weight_decay(var_names=["bias"])
    optimizer.apply([np.zeros(1, "float32"), np.zeros(1, "float32")], [kept, decayed])
    np.testing.assert_allclose(kept.numpy(), [2.0])
    np.testing.assert_allclose(decayed.numpy(), [2.0 - 2.0 * 0.5 * 0.1], rtol=1e-6)


def test_missing_gradients_warn_and_all_missing_raises():
    a, b = make_variables()
    with pytest.warns(UserWarning, match="Gradients do not exist for variables"):
        optimizers.SGD().apply([GRADS[0], None], [a, b])
    with pytest.raises(ValueError, match="No gradients provided for any variable."):
        optimizers.SGD().apply([None], [a])


# ----- state variables -----
def test_variables_order_names_and_dtypes_follow_keras():
    kernel, bias = make_variables()
    adam = optimizers.Adam(name="adam")
    adam.build([kernel, bias])
    assert [v.path for v in adam.variables] == [
        "adam/iteration", "adam/learning_rate", "adam/kernel_momentum", "adam/kernel_velocity",
        "adam/bias_momentum", "adam/bias_velocity"]
    assert adam.variables[0].dtype == "int64" and adam.variables[1].dtype == "float32"
    rmsprop = optimizers.RMSprop(momentum=0.5, centered=True)
    rmsprop.build([kernel, bias])
    assert [v.name for v in rmsprop.variables][2:] == [
        "kernel_velocity", "bias_velocity", "kernel_momentum", "bias_momentum",
        "kernel_average_gradient", "bias_average_gradient"]
    assert len(optimizers.SGD().variables) == 2


def test_unknown_variable_is_rejected():
    kernel, bias = make_variables()
    optimizer = optimizers.Adam()
    optimizer.apply([GRADS[0]], [kernel])
    with pytest.raises(ValueError, match="Unknown variable"):
        optimizer.apply([GRADS[1]], [bias])


# ----- schedules -----
def test_schedules():
    exponential = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    assert float(exponential(5)) == pytest.approx(0.1 * 0.5 ** 0.5)
    assert float(schedules.ExponentialDecay(0.1, 10, 0.5, staircase=True)(15)) == pytest.approx(0.05)
    piecewise = schedules.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
    assert [float(piecewise(s)) for s in (0, 10, 11, 20, 21)] == pytest.approx([1.0, 1.0, 0.5, 0.5, 0.1])
    cosine = schedules.CosineDecay(1.0, decay_steps=10, alpha=0.1)
    assert float(cosine(5)) == pytest.approx(0.9 * 0.5 + 0.1)
    assert float(cosine(50)) == pytest.approx(0.1)
    warm = schedules.CosineDecay(0.0, decay_steps=10, warmup_target=1.0, warmup_steps=4)
    assert float(warm(2)) == pytest.approx(0.5)
    assert float(warm(4)) == pytest.approx(1.0)


def test_optimizer_with_a_schedule_has_no_learning_rate_variable():
    w = Variable(np.array([1.0], "float32"))
    optimizer = optimizers.SGD(learning_rate=schedules.ExponentialDecay(0.1, 1, 0.5))
    for _ in range(2):
        optimizer.apply([np.array([1.0], "float32")], [w])
    np.testing.assert_allclose(w.numpy(), [1.0 - 0.1 - 0.05], rtol=1e-6)
    assert [v.name for v in optimizer.variables] == ["iteration"]
    config = optimizer.get_config()
    assert config["learning_rate"]["class_name"] == "ExponentialDecay"
    assert isinstance(optimizers.SGD.from_config(config)._learning_rate, schedules.ExponentialDecay)


def test_get_and_config_round_trip():
    assert isinstance(optimizers.get("rmsprop"), optimizers.RMSprop)
    adam = optimizers.Adam(learning_rate=0.5, amsgrad=True)
    clone = optimizers.get(optimizers.serialize(adam))
    assert clone.get_config()["amsgrad"] is True and clone.get_config()["learning_rate"] == pytest.approx(0.5)
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier"):
        optimizers.get("nope")


def test_set_weights_copies_so_in_place_slot_updates_never_touch_the_callers_arrays():
    w = Variable(np.array([1.0], "float32"))
    optimizer = optimizers.SGD(learning_rate=0.1, momentum=0.9)
    optimizer.build([w])
    mine = [np.array(0, "int64"), np.array(0.1, "float32"), np.array([0.5], "float32")]
    optimizer.set_weights(mine)
    optimizer.apply([np.array([1.0], "float32")], [w])
    np.testing.assert_allclose(mine[2], [0.5])  # unchanged
    np.testing.assert_allclose(optimizer.variables[2].numpy(), [0.9 * 0.5 - 0.1], rtol=1e-6)
    np.testing.assert_allclose(w.numpy(), [1.0 + 0.35], rtol=1e-6)


def test_save_and_load_own_variables_round_trip():
    kernel, bias = make_variables()
    source = optimizers.Adam()
    source.apply(GRADS, [kernel, bias])
    store = {}
    source.save_own_variables(store)
    assert sorted(store, key=int) == [str(i) for i in range(6)]
    target = optimizers.Adam()
    target.build([kernel, bias])
    target.load_own_variables(store)
    for a, b in zip(source.variables, target.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    with pytest.warns(UserWarning, match="Skipping variable loading for optimizer"):
        optimizers.Adam().load_own_variables(store)


def test_subclassing_contract_build_and_update_step():
    class SignSGD(optimizers.Optimizer):
        """w <- w - lr * sign(g), with a running count of steps per weight."""

        def __init__(self, learning_rate=0.1, **kwargs):
            super().__init__(learning_rate=learning_rate, **kwargs)

        def build(self, variables):
            super().build(variables)
            self.counts = self.add_optimizer_variables(variables, "count")

        def update_step(self, gradient, variable, learning_rate):
            count = self.counts[self._get_variable_index(variable)]
            count.assign(count.data + 1)
            variable.assign(variable.data - self._cast(learning_rate, variable) * np.sign(self._cast(gradient, variable)))

    kernel, bias = make_variables()
    before = kernel.numpy().copy()
    optimizer = SignSGD()
    assert optimizer.name == "sign_sgd"
    optimizer.apply(GRADS, [kernel, bias])
    np.testing.assert_allclose(kernel.numpy(), before - 0.1 * np.sign(GRADS[0]), rtol=1e-6)
    assert [v.name for v in optimizer.variables] == ["iteration", "learning_rate", "kernel_count", "bias_count"]
    np.testing.assert_allclose(optimizer.variables[2].numpy(), np.ones((2, 2)))
