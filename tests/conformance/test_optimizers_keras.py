"""minikeras's optimizers take the same steps as Keras 3's (rtol 1e-5), and keep the same
state variables in the same order (the order the ``.keras`` file stores them in)."""

import re

import numpy as np
import pytest

import minikeras
from minikeras import optimizers
from minikeras.optimizers import schedules

keras = pytest.importorskip("keras")

pytestmark = pytest.mark.training

STEPS = 5
rng = np.random.default_rng(1)
INITIAL = [rng.standard_normal((3, 2)).astype("float32"), rng.standard_normal((2,)).astype("float32")]
GRADIENTS = [[(rng.standard_normal(w.shape) * 2).astype("float32") for w in INITIAL] for _ in range(STEPS)]

# case -> (class name, kwargs); a "schedule" kwarg is built fresh for each library.
CASES = {
    "sgd": ("SGD", {}),
    "sgd_momentum": ("SGD", {"momentum": 0.9}),
    "sgd_nesterov_clipnorm": ("SGD", {"momentum": 0.8, "nesterov": True, "clipnorm": 1.0}),
    "adam": ("Adam", {}),
    "adam_amsgrad_clipvalue": ("Adam", {"learning_rate": 0.05, "amsgrad": True, "clipvalue": 0.5}),
    "adam_global_clipnorm_decay": ("Adam", {"learning_rate": 0.05, "global_clipnorm": 1.5, "weight_decay": 0.1}),
    "adamw": ("AdamW", {"learning_rate": 0.05}),
    "adamw_schedule": ("AdamW", {"schedule": "exponential", "weight_decay": 0.05}),
    "rmsprop": ("RMSprop", {}),
    "rmsprop_centered_momentum": ("RMSprop", {"learning_rate": 0.01, "momentum": 0.5, "centered": True}),
    "adagrad": ("Adagrad", {"learning_rate": 0.1}),
    "nadam": ("Nadam", {"learning_rate": 0.01}),
    "nadam_cosine": ("Nadam", {"schedule": "cosine"}),
    "sgd_piecewise": ("SGD", {"schedule": "piecewise", "momentum": 0.5}),
    "adam_ema": ("Adam", {"use_ema": True, "ema_momentum": 0.9, "ema_overwrite_frequency": 3}),
    "sgd_accumulation": ("SGD", {"gradient_accumulation_steps": 2, "learning_rate": 0.1}),
    "adam_accumulation_ema": ("Adam", {"gradient_accumulation_steps": 2, "learning_rate": 0.1, "use_ema": True}),
}


def _schedule(module, kind):
    if kind == "exponential":
        return module.ExponentialDecay(0.05, decay_steps=2, decay_rate=0.7)
    if kind == "cosine":
        return module.CosineDecay(0.01, decay_steps=4, alpha=0.1, warmup_target=0.05, warmup_steps=2)
    return module.PiecewiseConstantDecay([1, 3], [0.1, 0.05, 0.01])


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


def _name(variable):
    """Nadam's unnamed ``u_product`` is "variable", "variable_1"... in Keras (a global counter)."""
    return "variable" if variable.name.startswith("variable") else variable.name


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_weights_and_state_after_several_steps(case):
    ours, our_weights = _train(minikeras, case)
    theirs, their_weights = _train(keras, case)
    for mine, reference in zip(our_weights, their_weights):
        np.testing.assert_allclose(mine.numpy(), keras.ops.convert_to_numpy(reference), rtol=1e-5, atol=1e-6)
    # The state: same count, names, shapes and values, in the same order.
    assert [(_name(v), tuple(v.shape)) for v in ours.variables] == [
        (_name(v), tuple(v.shape)) for v in theirs.variables]
    for mine, reference in zip(ours.variables, theirs.variables):
        np.testing.assert_allclose(mine.numpy(), keras.ops.convert_to_numpy(reference), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_config(case):
    ours, theirs = _make(minikeras, case).get_config(), _make(keras, case).get_config()
    ours.pop("name"), theirs.pop("name")
    assert ours.keys() == theirs.keys()
    if isinstance(theirs["learning_rate"], dict):
        assert ours.pop("learning_rate") == theirs.pop("learning_rate")
    assert ours == pytest.approx(theirs)


@pytest.mark.parametrize("kind", ["exponential", "cosine", "piecewise"])
def test_schedules_match_keras(kind):
    ours, theirs = _schedule(schedules, kind), _schedule(keras.optimizers.schedules, kind)
    for step in range(8):
        np.testing.assert_allclose(float(ours(step)), float(theirs(step)), rtol=1e-6)
    assert ours.get_config() == theirs.get_config()


def test_default_names_match_keras():
    for class_name in ("SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Nadam"):
        ours = getattr(optimizers, class_name)().name
        theirs = getattr(keras.optimizers, class_name)().name
        # Both count instances per name ("adam", "adam_1"...), each in its own process-wide counter.
        assert re.sub(r"_\d+$", "", ours) == re.sub(r"_\d+$", "", theirs)
