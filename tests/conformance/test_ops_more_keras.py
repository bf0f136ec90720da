"""The ops added for issue 18 against Keras 3 (JAX backend): same values, shapes and dtypes."""

import numpy
import pytest

from minikeras import ops

keras = pytest.importorskip("keras")

pytestmark = pytest.mark.engine

RNG = numpy.random.default_rng(5)
X = RNG.uniform(-2, 2, (3, 4)).astype("float32")
UNIT = RNG.uniform(-0.9, 0.9, (3, 4)).astype("float32")
ABOVE_ONE = RNG.uniform(1.1, 3.0, (3, 4)).astype("float32")
INTEGERS = RNG.integers(-3, 4, (3, 4)).astype("int32")

CASES = [
    ("tan", (UNIT,), {}), ("arcsin", (UNIT,), {}), ("arccos", (UNIT,), {}), ("arctan", (X,), {}),
    ("arctan2", (X, X[::-1].copy()), {}), ("sinh", (X,), {}), ("cosh", (X,), {}), ("arcsinh", (X,), {}),
    ("arccosh", (ABOVE_ONE,), {}), ("arctanh", (UNIT,), {}), ("tan", (INTEGERS,), {}),
    ("prod", (X,), {}), ("prod", (X,), {"axis": 1, "keepdims": True}), ("prod", (INTEGERS,), {"axis": 0}),
    ("cumprod", (X,), {"axis": 1}), ("cumprod", (X,), {}), ("cumprod", (INTEGERS,), {"axis": 0}),
    ("roll", (X, 2), {}), ("roll", (X, -1), {"axis": 0}), ("roll", (INTEGERS, 3), {"axis": 1}),
    ("diff", (X,), {}), ("diff", (X,), {"n": 2, "axis": 0}), ("diff", (INTEGERS,), {}),
    ("kron", (X[:2, :2], X), {}), ("kron", (X[0], X[1]), {}),
    ("celu", (X,), {"alpha": 0.5}), ("glu", (X,), {}), ("glu", (X[:2],), {"axis": 0}),
    ("hard_tanh", (X,), {}), ("hard_shrink", (X,), {"threshold": 0.3}), ("soft_shrink", (X,), {}),
    ("tanh_shrink", (X,), {}), ("sparse_plus", (X,), {}), ("sparse_sigmoid", (X,), {}), ("squareplus", (X,), {"b": 2}),
    ("threshold", (X, 0.2, -3.0), {}),
]


@pytest.mark.parametrize("name", ["celu", "glu", "hard_tanh", "hard_shrink", "soft_shrink", "tanh_shrink",
                                  "sparse_plus", "sparse_sigmoid", "squareplus"])
def test_activations_match_keras(name):
    from minikeras import activations

    theirs = keras.ops.convert_to_numpy(getattr(keras.activations, name)(X))
    numpy.testing.assert_allclose(ops.convert_to_numpy(activations.get(name)(X)), theirs, rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("name, args, kwargs", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_values_and_dtypes_match_keras(name, args, kwargs):
    theirs = keras.ops.convert_to_numpy(getattr(keras.ops, name)(*args, **kwargs))
    mine = getattr(ops, name)(*args, **kwargs)
    assert ops.shape(mine) == theirs.shape
    assert ops.dtype(mine) == str(theirs.dtype), f"{name}: dtype {ops.dtype(mine)} vs Keras {theirs.dtype}"
    numpy.testing.assert_allclose(ops.convert_to_numpy(mine), theirs, rtol=2e-5, atol=2e-6)
