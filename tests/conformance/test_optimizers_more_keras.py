"""The optimizers and schedules added for issue 18 (Adamax, Adadelta, Ftrl, Lion, Lamb; polynomial,
inverse-time and cosine-restart decay) take Keras 3's steps: five steps, same weights and state."""

import numpy as np
import pytest

import minikeras
from minikeras.optimizers import schedules
from tests.conformance.test_optimizers_keras import _name

keras = pytest.importorskip("keras")

pytestmark = pytest.mark.training

STEPS = 5
rng = np.random.default_rng(3)
INITIAL = [rng.standard_normal((3, 2)).astype("float32"), rng.standard_normal((2,)).astype("float32")]
GRADIENTS = [[(rng.standard_normal(w.shape) * 2).astype("float32") for w in INITIAL] for _ in range(STEPS)]

# case -> (class name, kwargs); a "schedule" kwarg is built fresh for each library.
CASES = {
    "adamax": ("Adamax", {"learning_rate": 0.05}),
    "adamax_clipnorm_decay": ("Adamax", {"beta_1": 0.8, "clipnorm": 1.0, "weight_decay": 0.01}),
    "adadelta": ("Adadelta", {"learning_rate": 1.0}),
    "adadelta_rho": ("Adadelta", {"learning_rate": 0.5, "rho": 0.8, "epsilon": 1e-5}),
    "ftrl": ("Ftrl", {"learning_rate": 0.1}),
    "ftrl_regularized": ("Ftrl", {"learning_rate": 0.1, "l1_regularization_strength": 0.05,
                                  "l2_regularization_strength": 0.1, "l2_shrinkage_regularization_strength": 0.02,
                                  "beta": 0.1, "learning_rate_power": -0.7}),
    "lion": ("Lion", {"learning_rate": 0.01}),
    "lion_ema": ("Lion", {"beta_1": 0.7, "beta_2": 0.9, "use_ema": True}),
    "lamb": ("Lamb", {"learning_rate": 0.01}),
    "lamb_polynomial": ("Lamb", {"schedule": "polynomial"}),
    "adamax_inverse_time": ("Adamax", {"schedule": "inverse_time"}),
    "adadelta_restarts": ("Adadelta", {"schedule": "restarts"}),
    "adafactor": ("Adafactor", {"learning_rate": 0.1}),
    "adafactor_options": ("Adafactor", {"beta_2_decay": -0.5, "epsilon_2": 0.1, "clip_threshold": 0.5,
                                        "relative_step": False, "weight_decay": 0.01}),
    "adafactor_schedule": ("Adafactor", {"schedule": "inverse_time"}),
}


def _schedule(module, kind):
    if kind == "polynomial":
        return module.PolynomialDecay(0.05, decay_steps=3, end_learning_rate=0.01, power=2.0, cycle=True)
    if kind == "inverse_time":
        return module.InverseTimeDecay(0.05, decay_steps=2, decay_rate=0.5, staircase=True)
    return module.CosineDecayRestarts(1.0, first_decay_steps=2, t_mul=1.5, m_mul=0.9, alpha=0.1)


def _make(library, case):
    class_name, kwargs = CASES[case]
    kwargs = dict(kwargs)
    if "schedule" in kwargs:
        module = keras.optimizers.schedules if library is keras else schedules
        kwargs["learning_rate"] = _schedule(module, kwargs.pop("schedule"))
    return getattr(library.optimizers, class_name)(**kwargs)


def _train(library, case):
    variables = [library.Variable(w.copy(), name=name) for w, name in zip(INITIAL, ("kernel", "bias"))]
    optimizer = _make(library, case)
    for grads in GRADIENTS:
        optimizer.apply([g.copy() for g in grads], variables)
    return optimizer, variables


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_weights_and_state_after_five_steps(case):
    ours, our_weights = _train(minikeras, case)
    theirs, their_weights = _train(keras, case)
    for mine, reference in zip(our_weights, their_weights):
        np.testing.assert_allclose(mine.numpy(), keras.ops.convert_to_numpy(reference), rtol=1e-5, atol=1e-6)
    assert [(_name(v), tuple(v.shape)) for v in ours.variables] == [
        (_name(v), tuple(v.shape)) for v in theirs.variables]
    for mine, reference in zip(ours.variables, theirs.variables):
        np.testing.assert_allclose(mine.numpy(), keras.ops.convert_to_numpy(reference), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_config_and_round_trip(case):
    ours, theirs = _make(minikeras, case), _make(keras, case)
    our_config, their_config = ours.get_config(), theirs.get_config()
    our_config.pop("name"), their_config.pop("name")
    assert our_config.keys() == their_config.keys()
    if isinstance(their_config["learning_rate"], dict):
        assert our_config.pop("learning_rate") == their_config.pop("learning_rate")
    assert our_config == pytest.approx(their_config)
    rebuilt = minikeras.optimizers.deserialize(minikeras.optimizers.serialize(ours))
    assert type(rebuilt) is type(ours)


@pytest.mark.parametrize("kind", ["polynomial", "inverse_time", "restarts"])
def test_schedules_match_keras_over_many_steps(kind):
    ours, theirs = _schedule(schedules, kind), _schedule(keras.optimizers.schedules, kind)
    for step in range(30):
        np.testing.assert_allclose(float(ours(step)), float(theirs(step)), rtol=1e-6)
    assert ours.get_config() == theirs.get_config()
    assert schedules.deserialize(schedules.serialize(ours)).get_config() == ours.get_config()


@pytest.mark.parametrize("class_name, kwargs", [("Lion", {"beta_1": 0.0}), ("Ftrl", {"learning_rate_power": 0.5}),
                                                ("Ftrl", {"l1_regularization_strength": -1.0})])
def test_bad_arguments_are_value_errors_in_both(class_name, kwargs):
    with pytest.raises(ValueError):
        getattr(keras.optimizers, class_name)(**kwargs)
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        getattr(minikeras.optimizers, class_name)(**kwargs)


def _loss_scaled_steps(library):
    """Five steps of LossScaleOptimizer(Adam), the second with an inf gradient (skipped, scale halved)."""
    variables = [library.Variable(w.copy(), name=name) for w, name in zip(INITIAL, ("kernel", "bias"))]
    # Named, so the variable paths do not depend on how many optimizers the session made before.
    optimizer = library.optimizers.LossScaleOptimizer(library.optimizers.Adam(0.1, name="adam"), initial_scale=8.0,
                                                      dynamic_growth_steps=2, name="loss_scale_optimizer")
    optimizer.build(variables)
    for step, grads in enumerate(GRADIENTS):
        grads = [g.copy() * 8.0 for g in grads]
        if step == 1:
            grads[0][0, 0] = np.inf
        if library is minikeras:
            optimizer.apply(grads, variables)
            continue
        # Keras on JAX must use stateless_apply (its stateful apply leaks tracers), as Keras's own tests do.
        new_weights, new_state = optimizer.stateless_apply([v.value for v in optimizer.variables], grads,
                                                           [v.value for v in variables])
        for variable, value in zip(variables + optimizer.variables, list(new_weights) + list(new_state)):
            variable.assign(value)
    return optimizer, variables


def test_loss_scale_optimizer_matches_keras():
    ours, our_weights = _loss_scaled_steps(minikeras)
    theirs, their_weights = _loss_scaled_steps(keras)
    for mine, reference in zip(our_weights + ours.variables, their_weights + theirs.variables):
        np.testing.assert_allclose(mine.numpy(), keras.ops.convert_to_numpy(reference), rtol=1e-5, atol=1e-6)
    assert [v.path for v in ours.variables] == [v.path for v in theirs.variables]
    assert float(ours.scale_loss(2.0)) == float(theirs.scale_loss(2.0))
    our_config, their_config = ours.get_config(), theirs.get_config()
    assert our_config["inner_optimizer"]["config"] == pytest.approx(their_config["inner_optimizer"]["config"])
    rebuilt = minikeras.optimizers.deserialize(minikeras.optimizers.serialize(ours))
    assert type(rebuilt.inner_optimizer).__name__ == "Adam" and rebuilt.dynamic_growth_steps == 2
    with pytest.raises(ValueError, match="does not support `clipnorm`"):
        minikeras.optimizers.LossScaleOptimizer(minikeras.optimizers.SGD(), clipnorm=1.0)
