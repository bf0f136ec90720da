"""GroupNormalization, RMSNormalization, UnitNormalization: NumPy formulas, harness, gradients."""

import numpy as np
import pytest

from minikeras import layers
from tests.layers.harness import check_layer
from tests.layers.harness import check_layer_gradients
from tests.layers.harness import random_batch

pytestmark = pytest.mark.layers


@pytest.mark.parametrize("make_layer, shape, weights", [
    (lambda: layers.GroupNormalization(groups=2), (2, 3, 4), 2),
    (lambda: layers.GroupNormalization(groups=-1, scale=False), (2, 3, 3, 4), 1),
    (lambda: layers.RMSNormalization(), (3, 5), 1),
    (lambda: layers.UnitNormalization(axis=[1, 2]), (2, 3, 4), 0),
])
def test_harness(make_layer, shape, weights):
    check_layer(make_layer, random_batch(shape), shape, weights, trains=weights > 0)


def test_group_normalization_formula():
    x = random_batch((2, 5, 6))
    grouped = x.reshape(2, 5, 3, 2)  # 3 groups of 2 channels
    mean, var = grouped.mean((1, 3), keepdims=True), grouped.var((1, 3), keepdims=True)
    expected = ((grouped - mean) / np.sqrt(var + 1e-3)).reshape(x.shape)
    np.testing.assert_allclose(np.asarray(layers.GroupNormalization(groups=3)(x)), expected, rtol=1e-5, atol=1e-5)


def test_rms_and_unit_normalization_formulas():
    x = random_batch((3, 4))
    rms = x / np.sqrt((x ** 2).mean(-1, keepdims=True) + 1e-6)
    np.testing.assert_allclose(np.asarray(layers.RMSNormalization()(x)), rms, rtol=1e-5, atol=1e-6)
    unit = np.asarray(layers.UnitNormalization()(x))
    np.testing.assert_allclose(np.linalg.norm(unit, axis=-1), 1.0, rtol=1e-6)


def test_gradients_float64():
    x = random_batch((2, 3, 4))
    check_layer_gradients(layers.GroupNormalization(groups=2, dtype="float64"), x)
    check_layer_gradients(layers.RMSNormalization(axis=[1, 2], dtype="float64"), x)
    check_layer_gradients(layers.UnitNormalization(dtype="float64"), x)


def test_axis_is_a_list_once_built_as_in_keras():
    for layer in (layers.LayerNormalization(), layers.RMSNormalization()):
        assert layer.get_config()["axis"] == -1
        layer(random_batch((2, 3)))
        assert layer.get_config()["axis"] == [-1]


def test_bad_groups():
    with pytest.raises(ValueError, match="must be a multiple"):
        layers.GroupNormalization(groups=4)(random_batch((2, 6)))
    with pytest.raises(ValueError, match="invalid value for argument `groups`"):
        layers.GroupNormalization(groups=0)
