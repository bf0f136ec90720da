"""Hypothesis: binary ops over random broadcastable shapes (fixed profile in tests/conftest.py)."""

import numpy
import pytest
from hypothesis import given
from hypothesis import strategies
from hypothesis.extra import numpy as numpy_strategies

from minikeras import ops
from minikeras.autodiff.tensor import Tensor
from tests.autodiff.gradcheck import check_vjp

pytestmark = pytest.mark.engine

BINARY = {"add": (ops.add, numpy.add), "subtract": (ops.subtract, numpy.subtract),
          "multiply": (ops.multiply, numpy.multiply), "maximum": (ops.maximum, numpy.maximum)}

shape_pairs = numpy_strategies.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3)


@given(shapes=shape_pairs, name=strategies.sampled_from(sorted(BINARY)))
def test_binary_ops_broadcast_like_numpy(shapes, name):
    function, reference = BINARY[name]
    rng = numpy.random.default_rng(0)
    a, b = (rng.standard_normal(shape) for shape in shapes.input_shapes)
    y = function(Tensor(a), Tensor(b))
    assert y.shape == shapes.result_shape
    numpy.testing.assert_allclose(y.numpy(), reference(a, b))
    check_vjp(function, a, b)


@given(shape=numpy_strategies.array_shapes(min_dims=1, max_dims=3, max_side=4),
       keepdims=strategies.booleans(), data=strategies.data())
def test_reductions_over_any_axis(shape, keepdims, data):
    axis = data.draw(strategies.integers(-len(shape), len(shape) - 1))
    x = numpy.random.default_rng(1).standard_normal(shape)
    for function, reference in ((ops.sum, numpy.sum), (ops.mean, numpy.mean), (ops.max, numpy.max)):
        y = function(Tensor(x), axis=axis, keepdims=keepdims)
        numpy.testing.assert_allclose(y.numpy(), reference(x, axis=axis, keepdims=keepdims))
    check_vjp(lambda t: ops.mean(t, axis=axis, keepdims=keepdims), x)
