"""Merging layers: element-wise formulas, broadcasting, concatenation, the harness, errors."""

import numpy as np
import pytest

from minikeras import layers
from tests.layers.harness import check_layer
from tests.layers.harness import random_batch

A, B, C = random_batch((2, 3), seed=1), random_batch((2, 3), seed=2), random_batch((2, 3), seed=3)


@pytest.mark.parametrize("layer, expected", [
    (layers.Add(), A + B + C), (layers.Multiply(), A * B * C), (layers.Average(), (A + B + C) / 3),
    (layers.Maximum(), np.maximum(np.maximum(A, B), C)), (layers.Minimum(), np.minimum(np.minimum(A, B), C)),
])
def test_elementwise_merges(layer, expected):
    np.testing.assert_allclose(np.asarray(layer([A, B, C])), expected, rtol=1e-6)


def test_subtract_concatenate_and_functions():
    np.testing.assert_allclose(np.asarray(layers.Subtract()([A, B])), A - B)
    np.testing.assert_array_equal(np.asarray(layers.Concatenate()([A, B[:, :1]])),
                                  np.concatenate([A, B[:, :1]], axis=-1))
    np.testing.assert_array_equal(np.asarray(layers.Concatenate(axis=0)([A, B])), np.concatenate([A, B]))
    np.testing.assert_allclose(np.asarray(layers.add([A, B])), A + B)
    np.testing.assert_array_equal(np.asarray(layers.concatenate([A, B])).shape, (2, 6))


def test_broadcasting():
    np.testing.assert_allclose(np.asarray(layers.Add()([A, A[:1]])), A + A[:1])
    assert layers.Add().compute_output_shape([(None, 3), (1, 3)]) == (None, 3)


@pytest.mark.parametrize("make_layer, inputs, output_shape", [
    (lambda: layers.Add(), [A, B], (2, 3)),
    (lambda: layers.Subtract(), [A, B], (2, 3)),
    (lambda: layers.Multiply(), [A, B], (2, 3)),
    (lambda: layers.Average(), [A, B, C], (2, 3)),
    (lambda: layers.Concatenate(), [A, random_batch((2, 5))], (2, 8)),
])
def test_harness(make_layer, inputs, output_shape):
    check_layer(make_layer, inputs, output_shape, 0)


def test_bad_inputs():
    with pytest.raises(ValueError, match="Inputs have incompatible shapes"):
        layers.Add()([A, random_batch((2, 4))])
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        layers.Subtract()([A, B, C])
    with pytest.raises(ValueError, match="matching shapes except for the concatenation axis"):
        layers.Concatenate()([A, random_batch((3, 3))])
    with pytest.raises(ValueError, match="should be called on a list of inputs"):
        layers.Add()(A)
