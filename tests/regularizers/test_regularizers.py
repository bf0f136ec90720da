"""Regularizers: penalties against NumPy, Keras defaults, gradients, names and configs."""

import numpy as np
import pytest

from minikeras import GradientTape
from minikeras import Variable
from minikeras import regularizers

W = np.array([[1.0, -2.0], [0.5, 0.0], [-3.0, 4.0]])


@pytest.mark.parametrize("regularizer, expected", [
    (regularizers.L1(), 0.01 * 10.5),
    (regularizers.L2(), 0.01 * 30.25),
    (regularizers.L1(0.5), 0.5 * 10.5),
    (regularizers.L1L2(l1=0.1, l2=0.2), 0.1 * 10.5 + 0.2 * 30.25),
    (regularizers.L1L2(), 0.0),
])
def test_penalty_values(regularizer, expected):
    assert float(regularizer(W)) == pytest.approx(expected)


def test_gradients_are_sign_and_two_w():
    w = Variable(W.copy())
    with GradientTape() as tape:
        penalty = regularizers.L1L2(l1=0.1, l2=0.2)(w)
    np.testing.assert_allclose(np.asarray(tape.gradient(penalty, w)), 0.1 * np.sign(W) + 0.4 * W)


def test_get_by_name_dict_object_and_callable():
    assert regularizers.get("l2").get_config() == {"l2": 0.01}
    assert regularizers.get("L1").get_config() == {"l1": 0.01}
    assert regularizers.get("l1l2").get_config() == {"l1": 0.0, "l2": 0.0}
    assert regularizers.get({"class_name": "L2", "config": {"l2": 0.3}}).l2 == 0.3
    l1 = regularizers.L1()
    assert regularizers.get(l1) is l1 and regularizers.get(None) is None
    assert isinstance(regularizers.get(regularizers.L2), regularizers.L2)


def test_unknown_names_and_bad_factors_raise():
    with pytest.raises(ValueError, match="Could not interpret regularizer identifier: l3"):
        regularizers.get("l3")
    with pytest.raises(ValueError, match="Invalid value for argument l2"):
        regularizers.L2(-1.0)


def test_serialize_round_trip():
    config = regularizers.serialize(regularizers.L1L2(l1=0.2, l2=0.1))
    assert config == {"module": "keras.regularizers", "class_name": "L1L2",
                      "config": {"l1": 0.2, "l2": 0.1}, "registered_name": None}
    assert regularizers.deserialize(config).get_config() == {"l1": 0.2, "l2": 0.1}


def test_orthogonal_regularizer_by_hand():
    from minikeras.regularizers import OrthogonalRegularizer
    # Rows (1, 0), (1, 1)/sqrt(2), (0, 1): cosines 1/sqrt(2), 0, 1/sqrt(2) over 3 pairs.
    weight = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    expected = 0.5 * 0.5 * 2 * (2 / np.sqrt(2)) / 3  # factor * 0.5 * sum over both triangles / pairs
    np.testing.assert_allclose(float(OrthogonalRegularizer(0.5)(weight)), expected)
    assert float(OrthogonalRegularizer(1.0, mode="columns")(np.eye(2))) == 0.0
    with pytest.raises(ValueError, match="must have rank 2"):
        OrthogonalRegularizer()(np.ones(3))
    with pytest.raises(ValueError, match="mode"):
        OrthogonalRegularizer(mode="diagonal")
