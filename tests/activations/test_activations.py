"""Activations: values against NumPy formulas, gradients by finite differences, name lookup."""

import math

import numpy as np
import pytest

from minikeras import GradientTape
from minikeras import Variable
from minikeras import activations
from minikeras import ops
from tests.autodiff.op_oracles import np_sparsemax

X = np.array([[-4.0, -1.5, -0.2, 0.0], [0.3, 1.0, 2.5, 7.0]])
ERF = np.vectorize(math.erf)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _elu(x, alpha=1.0):
    return np.where(x > 0, x, alpha * (np.exp(x) - 1.0))


EXPECTED = {
    "relu": lambda x: np.maximum(x, 0.0),
    "relu6": lambda x: np.clip(x, 0.0, 6.0),
    "sigmoid": _sigmoid,
    "tanh": np.tanh,
    "softmax": _softmax,
    "log_softmax": lambda x: np.log(_softmax(x)),
    "softplus": lambda x: np.log1p(np.exp(x)),
    "softsign": lambda x: x / (1.0 + np.abs(x)),
    "gelu": lambda x: 0.5 * x * (1.0 + ERF(x / np.sqrt(2.0))),
    "silu": lambda x: x * _sigmoid(x),
    "swish": lambda x: x * _sigmoid(x),
    "elu": _elu,
    "selu": lambda x: 1.0507009873554805 * _elu(x, 1.6732632423543772),
    "leaky_relu": lambda x: np.where(x >= 0, x, 0.2 * x),
    "hard_sigmoid": lambda x: np.clip(x / 6.0 + 0.5, 0.0, 1.0),
    "hard_silu": lambda x: x * np.clip(x / 6.0 + 0.5, 0.0, 1.0),
    "log_sigmoid": lambda x: np.log(_sigmoid(x)),
    "mish": lambda x: x * np.tanh(np.log1p(np.exp(x))),
    "exponential": np.exp,
    "linear": lambda x: x,
    # issue 18
    "celu": lambda x: np.maximum(x, 0.0) + np.minimum(np.expm1(x), 0.0),
    "glu": lambda x: x[:, :2] * _sigmoid(x[:, 2:]),
    "hard_tanh": lambda x: np.clip(x, -1.0, 1.0),
    "hard_shrink": lambda x: np.where(np.abs(x) > 0.5, x, 0.0),
    "soft_shrink": lambda x: np.sign(x) * np.maximum(np.abs(x) - 0.5, 0.0),
    "tanh_shrink": lambda x: x - np.tanh(x),
    "sparse_plus": lambda x: np.where(x <= -1, 0.0, np.where(x >= 1, x, (x + 1) ** 2 / 4)),
    "sparse_sigmoid": lambda x: np.clip(x + 1.0, 0.0, 2.0) / 2,
    "squareplus": lambda x: (x + np.sqrt(x * x + 4.0)) / 2,
    "sparsemax": np_sparsemax,  # the projection onto the simplex (tests/autodiff/op_oracles.py)
}


def test_every_named_activation_has_an_expectation():
    # threshold needs its threshold and default value: its row in tests/autodiff/op_table.py checks it.
    assert set(EXPECTED) == set(activations.ALL_OBJECTS) - {"hard_swish", "threshold"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_forward_matches_numpy(name):
    output = activations.get(name)(X)
    np.testing.assert_allclose(np.asarray(output), EXPECTED[name](X), rtol=1e-6, atol=1e-7)


# Points away from the kinks of relu-like functions, where finite differences lie.
SMOOTH_X = np.array([[-2.3, -0.7, 0.4], [1.1, 2.2, -1.3]])


# glu halves the last axis, which SMOOTH_X has odd: its gradient is checked in the op table.
@pytest.mark.parametrize("name", sorted(set(EXPECTED) - {"linear", "glu"}))
def test_gradient_matches_finite_differences(name):
    function = activations.get(name)
    weights = np.linspace(0.5, 1.5, SMOOTH_X.size).reshape(SMOOTH_X.shape)  # a random-looking direction
    x = Variable(SMOOTH_X.copy())
    with GradientTape() as tape:
        loss = ops.sum(ops.multiply(function(x), weights))
    gradient = np.asarray(tape.gradient(loss, x))
    numeric = np.zeros_like(SMOOTH_X)
    eps = 1e-6
    for index in np.ndindex(SMOOTH_X.shape):
        up, down = SMOOTH_X.copy(), SMOOTH_X.copy()
        up[index] += eps
        down[index] -= eps
        numeric[index] = ((EXPECTED[name](up) - EXPECTED[name](down)) * weights).sum() / (2 * eps)
    np.testing.assert_allclose(gradient, numeric, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("kwargs, expected", [
    ({"negative_slope": 0.1}, np.where(X >= 0, X, 0.1 * X)),
    ({"max_value": 2.0}, np.clip(X, 0.0, 2.0)),
    ({"threshold": 1.0}, np.where(X > 1.0, X, 0.0)),
    ({"negative_slope": 0.5, "max_value": 2.0, "threshold": 0.5},
     np.where(X > 0.5, np.minimum(X, 2.0), 0.0) - 0.5 * np.maximum(0.5 - X, 0.0)),
])
def test_relu_variants(kwargs, expected):
    np.testing.assert_allclose(np.asarray(activations.relu(X, **kwargs)), expected, rtol=1e-6)


def test_softmax_axis_and_approximate_gelu():
    np.testing.assert_allclose(np.asarray(activations.softmax(X, axis=0)), _softmax(X.T).T, rtol=1e-6)
    tanh_gelu = 0.5 * X * (1 + np.tanh(np.sqrt(2 / np.pi) * (X + 0.044715 * X ** 3)))
    np.testing.assert_allclose(np.asarray(activations.gelu(X, approximate=True)), tanh_gelu, rtol=1e-6)


def test_get_accepts_none_callables_and_aliases():
    assert activations.get(None) is activations.linear
    assert activations.get("swish") is activations.silu
    assert activations.get(np.tanh) is np.tanh


def test_unknown_name_raises_a_clear_error():
    with pytest.raises(ValueError, match="Could not interpret activation function identifier: rellu"):
        activations.get("rellu")
    with pytest.raises(ValueError, match="Could not interpret activation function identifier"):
        activations.get(42)


def test_serialize_round_trip():
    assert activations.serialize(activations.relu) == "relu"
    assert activations.serialize(activations.swish) == "silu"
    assert activations.deserialize("gelu") is activations.gelu

    def my_activation(x):
        return x
    config = activations.serialize(my_activation)
    assert config == {"module": "builtins", "class_name": "function", "config": "my_activation",
                      "registered_name": "function"}
    assert activations.deserialize(config, custom_objects={"my_activation": my_activation}) is my_activation
