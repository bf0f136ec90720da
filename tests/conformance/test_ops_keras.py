"""minikeras.ops against real Keras 3 ops (JAX backend): same names, same values, same dtypes."""

import numpy
import pytest

from minikeras import ops

keras = pytest.importorskip("keras")

pytestmark = pytest.mark.engine

RNG = numpy.random.default_rng(0)
X = RNG.uniform(-2, 2, (3, 4)).astype("float32")
Y = RNG.uniform(-2, 2, (3, 4)).astype("float32")
POSITIVE = RNG.uniform(0.1, 0.9, (3, 4)).astype("float32")
LABELS = numpy.array([0, 3, 1], dtype="int32")
ONE_HOT = numpy.eye(4, dtype="float32")[LABELS]

# (name, positional arguments, keyword arguments)
CASES = [
    ("add", (X, Y), {}), ("subtract", (X, 1.5), {}), ("multiply", (X, Y[0]), {}), ("divide", (X, POSITIVE), {}),
    ("power", (POSITIVE, X), {}), ("maximum", (X, Y), {}), ("negative", (X,), {}), ("abs", (X,), {}),
    ("exp", (X,), {}), ("log", (POSITIVE,), {}), ("log1p", (POSITIVE,), {}), ("sqrt", (POSITIVE,), {}),
    ("square", (X,), {}), ("sign", (X,), {}), ("clip", (X, -1.0, 1.0), {}), ("where", (X > 0, X, Y), {}),
    ("sum", (X,), {"axis": 1}), ("mean", (X,), {"axis": 0, "keepdims": True}), ("max", (X,), {"axis": -1}),
    ("min", (X,), {}), ("argmax", (X,), {"axis": 1}), ("argmin", (X,), {}), ("var", (X,), {"axis": 1}),
    ("std", (X,), {}), ("logsumexp", (X,), {"axis": 1}), ("cumsum", (X,), {"axis": 0}),
    ("matmul", (X, Y.T), {}), ("dot", (X, Y.T), {}), ("tensordot", (X, Y), {"axes": ([1], [1])}),
    ("einsum", ("ij,kj->ik", X, Y), {}), ("reshape", (X, (2, -1)), {}), ("transpose", (X,), {}),
    ("expand_dims", (X, 0), {}), ("squeeze", (X[:1],), {}), ("concatenate", ([X, Y],), {"axis": 1}),
    ("stack", ([X, Y],), {"axis": 1}), ("take", (X, LABELS[:2]), {"axis": 1}),
    ("take_along_axis", (X, LABELS[:, None]), {"axis": 1}), ("pad", (X, ((1, 0), (0, 2))), {}),
    ("tile", (X, (2, 1)), {}), ("repeat", (X, 2), {"axis": 0}), ("flip", (X,), {"axis": 1}),
    ("cast", (X, "int32"), {}), ("zeros", ((2, 3),), {}), ("ones_like", (X,), {}), ("full", ((2,), 3.0), {}),
    ("arange", (5,), {}), ("eye", (3,), {}), ("one_hot", (LABELS, 4), {}), ("sort", (X,), {}),
    ("argsort", (X,), {}), ("norm", (X,), {}), ("erf", (X,), {}), ("rsqrt", (POSITIVE,), {}),
    ("relu", (X,), {}), ("relu6", (X * 4,), {}), ("sigmoid", (X,), {}), ("tanh", (X,), {}),
    ("softmax", (X,), {}), ("log_softmax", (X,), {"axis": 0}), ("softplus", (X,), {}), ("softsign", (X,), {}),
    ("gelu", (X,), {}), ("gelu", (X,), {"approximate": False}), ("silu", (X,), {}), ("elu", (X,), {}),
    ("selu", (X,), {}), ("leaky_relu", (X,), {}), ("hard_sigmoid", (X * 3,), {}), ("hard_silu", (X * 3,), {}),
    ("binary_crossentropy", (ONE_HOT, POSITIVE), {}), ("binary_crossentropy", (ONE_HOT, X), {"from_logits": True}),
    ("categorical_crossentropy", (ONE_HOT, POSITIVE), {}),
    ("categorical_crossentropy", (ONE_HOT, X), {"from_logits": True}),
    ("sparse_categorical_crossentropy", (LABELS, POSITIVE), {}),
    ("sparse_categorical_crossentropy", (LABELS, X), {"from_logits": True}),
    ("moments", (X,), {"axes": [0]}),
    ("batch_normalization", (X, X[0], POSITIVE[0]), {"axis": -1, "offset": Y[0], "scale": POSITIVE[1]}),
]


def _flatten(value):
    return list(value) if isinstance(value, (tuple, list)) else [value]


@pytest.mark.parametrize("name, args, kwargs", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_values_and_dtypes_match_keras(name, args, kwargs):
    expected = _flatten(getattr(keras.ops, name)(*args, **kwargs))
    got = _flatten(getattr(ops, name)(*args, **kwargs))
    assert len(got) == len(expected)
    for mine, theirs in zip(got, expected):
        theirs = keras.ops.convert_to_numpy(theirs)
        assert ops.shape(mine) == theirs.shape
        assert ops.dtype(mine) == str(theirs.dtype), f"{name}: dtype {ops.dtype(mine)} vs Keras {theirs.dtype}"
        numpy.testing.assert_allclose(ops.convert_to_numpy(mine), theirs, rtol=2e-5, atol=2e-6)


def test_top_k_matches_keras():
    values, indices = ops.top_k(X, 2)
    keras_values, keras_indices = keras.ops.top_k(X, 2)
    numpy.testing.assert_allclose(values.numpy(), keras.ops.convert_to_numpy(keras_values), rtol=1e-6)
    numpy.testing.assert_array_equal(indices.numpy(), keras.ops.convert_to_numpy(keras_indices))


def test_shape_is_a_tuple_like_keras():
    assert ops.shape(X) == tuple(keras.ops.shape(X)) == (3, 4)
