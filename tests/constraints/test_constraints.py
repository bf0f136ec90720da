"""Constraints: projections against NumPy, names and configs."""

import numpy as np
import pytest

from minikeras import backend
from minikeras import constraints

W = np.array([[3.0, 0.1], [4.0, -0.2]])  # column norms 5 and ~0.224


def test_max_norm_rescales_only_long_columns():
    result = np.asarray(constraints.MaxNorm(max_value=2.0)(W))
    norms = np.sqrt((W ** 2).sum(axis=0, keepdims=True))
    expected = W * np.clip(norms, 0, 2.0) / (norms + backend.epsilon())
    np.testing.assert_allclose(result, expected, rtol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(result, axis=0), [2.0, 0.2236068], rtol=1e-5)


def test_unit_norm_and_axis():
    rows = np.asarray(constraints.UnitNorm(axis=1)(W))
    np.testing.assert_allclose(np.linalg.norm(rows, axis=1), [1.0, 1.0], rtol=1e-5)


def test_non_neg_and_min_max_norm():
    np.testing.assert_array_equal(np.asarray(constraints.NonNeg()(W)), np.maximum(W, 0))
    half = np.asarray(constraints.MinMaxNorm(min_value=1.0, max_value=2.0, rate=0.5)(W))
    np.testing.assert_allclose(np.linalg.norm(half, axis=0), [3.5, (1.0 + 0.2236068) / 2], rtol=1e-5)


def test_get_names_configs_and_errors():
    assert isinstance(constraints.get("non_neg"), constraints.NonNeg)
    assert isinstance(constraints.get("MaxNorm"), constraints.MaxNorm)
    assert constraints.MaxNorm().get_config() == {"max_value": 2, "axis": 0}
    rebuilt = constraints.deserialize(constraints.serialize(constraints.UnitNorm(axis=[0, 1])))
    assert rebuilt.get_config() == {"axis": [0, 1]}
    with pytest.raises(ValueError, match="Could not interpret constraint identifier: positive"):
        constraints.get("positive")
