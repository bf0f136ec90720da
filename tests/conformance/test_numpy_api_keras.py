"""The rest of keras.ops's NumPy API (issue 18) against Keras 3 (JAX backend): values, shapes, dtypes.

One table, one test: each row is (name, args, kwargs) called on both
libraries with the same float32 / int32 / bool inputs. Tuple and list results
are compared item by item.
"""

import numpy
import pytest

from minikeras import ops

keras = pytest.importorskip("keras")

pytestmark = pytest.mark.engine

RNG = numpy.random.default_rng(7)
X = RNG.uniform(-2, 2, (3, 4)).astype("float32")
Y = RNG.uniform(-2, 2, (3, 4)).astype("float32")
POSITIVE = RNG.uniform(0.2, 3.0, (3, 4)).astype("float32")
UNIT = RNG.uniform(-0.9, 0.9, (3, 4)).astype("float32")
INTEGERS = RNG.integers(-3, 4, (3, 4)).astype("int32")
COUNTS = numpy.array([3, 1, 1, 2, 3, 5], dtype="int32")
BOOLS = INTEGERS > 0
WITH_NAN = X.copy()
WITH_NAN[0, 1] = WITH_NAN[2, :] = numpy.nan
SPECIAL = numpy.array([-numpy.inf, -0.0, 0.0, 1.5, numpy.inf, numpy.nan], dtype="float32")
CUBE = RNG.uniform(-2, 2, (2, 3, 4)).astype("float32")
VECTOR = X[0]

CASES = [
    # autodiff/special.py
    ("cbrt", (X,), {}), ("cbrt", (INTEGERS,), {}), ("exp2", (X,), {}), ("exp2", (INTEGERS,), {}),
    ("log2", (POSITIVE,), {}), ("log10", (POSITIVE,), {}), ("sinc", (X,), {}), ("i0", (X,), {}),
    ("erfinv", (UNIT,), {}), ("erfc", (X,), {}), ("logaddexp", (X, Y), {}), ("logaddexp", (INTEGERS, X[0]), {}),
    ("logaddexp2", (X, Y[0]), {}), ("hypot", (X, Y), {}), ("hypot", (INTEGERS, INTEGERS), {}),
    ("fmod", (X, POSITIVE), {}), ("fmod", (INTEGERS, numpy.array([2, -3, 1, 5], "int32")), {}),
    ("fmax", (WITH_NAN, Y), {}), ("fmin", (Y, WITH_NAN), {}), ("fmax", (INTEGERS, INTEGERS.T[:, :3].T), {}),
    ("deg2rad", (X,), {}), ("rad2deg", (INTEGERS,), {}), ("fabs", (INTEGERS,), {}),
    ("ldexp", (X, INTEGERS), {}), ("divide_no_nan", (X, INTEGERS), {}), ("divide_no_nan", (INTEGERS, INTEGERS), {}),
    # bitwise.py
    ("bitwise_and", (INTEGERS, 6), {}), ("bitwise_or", (INTEGERS, INTEGERS.T.copy().T), {}),
    ("bitwise_xor", (INTEGERS, 5), {}), ("bitwise_invert", (INTEGERS,), {}), ("bitwise_not", (BOOLS,), {}),
    ("bitwise_left_shift", (INTEGERS, 2), {}), ("left_shift", (INTEGERS, 1), {}),
    ("bitwise_right_shift", (INTEGERS, 1), {}), ("right_shift", (INTEGERS, 2), {}),
    ("gcd", (INTEGERS, 6), {}), ("lcm", (INTEGERS, 4), {}),
    # predicates.py
    ("isclose", (X, X + 1e-6), {}), ("isclose", (WITH_NAN, WITH_NAN), {"equal_nan": True}),
    ("allclose", (X, X + 1e-3), {"atol": 1e-2}), ("isin", (INTEGERS, numpy.array([0, 2], "int32")), {}),
    ("isin", (INTEGERS, numpy.array([0, 2], "int32")), {"invert": True}), ("isneginf", (SPECIAL,), {}),
    ("isposinf", (SPECIAL,), {}), ("isposinf", (INTEGERS,), {}), ("isreal", (X,), {}), ("signbit", (SPECIAL,), {}),
    ("heaviside", (numpy.round(X), 0.5), {}), ("heaviside", (INTEGERS, INTEGERS), {}),
    ("nextafter", (X, Y), {}), ("trunc", (X,), {}), ("trunc", (INTEGERS,), {}), ("nonzero", (INTEGERS,), {}),
    ("angle", (X,), {}), ("angle", (INTEGERS,), {}),
    # windows.py
    ("bartlett", (5,), {}), ("blackman", (6,), {}), ("hamming", (5,), {}), ("hanning", (1,), {}),
    ("kaiser", (7, 3.0), {}),
    # creation.py
    ("array", ([[1, 2], [3, 4]],), {}), ("array", ([1.5, 2.0],), {}), ("array", (X,), {"dtype": "int32"}),
    ("logspace", (0, 2, 5), {}), ("logspace", (0, 3, 4), {"base": 2, "endpoint": False}),
    ("geomspace", (1, 1000, 4), {}), ("vander", (VECTOR,), {}), ("vander", (INTEGERS[0], 3), {"increasing": True}),
    # arrangements.py
    ("array_split", (numpy.arange(7, dtype="int32"), 3), {}), ("array_split", (X, 3), {"axis": 1}),
    ("hsplit", (X, 2), {}), ("vsplit", (X, [1]), {}), ("dsplit", (CUBE, 2), {}), ("dstack", ([X, Y],), {}),
    ("dstack", ([VECTOR, VECTOR],), {}), ("fliplr", (X,), {}), ("flipud", (X,), {}), ("rot90", (X,), {}),
    ("rot90", (CUBE, -1, (1, 2)), {}), ("rot90", (X, 2), {}), ("diag", (X, 1), {}), ("diag", (VECTOR, -1), {}),
    ("diag", (INTEGERS,), {}), ("diagflat", (X[:2, :2],), {}), ("meshgrid", (VECTOR, Y[0, :3]), {}),
    ("meshgrid", (VECTOR, Y[0, :3]), {"indexing": "ij"}),
    # counting.py
    ("unique", (INTEGERS,), {}), ("unique", (COUNTS,), {"return_index": True, "return_inverse": True,
                                                       "return_counts": True}),
    ("unique", (COUNTS,), {"size": 6, "fill_value": -1}), ("bincount", (COUNTS,), {}),
    ("bincount", (COUNTS,), {"weights": numpy.linspace(0, 1, 6).astype("float32"), "minlength": 8}),
    ("histogram", (VECTOR,), {}), ("histogram", (COUNTS,), {"bins": 3, "range": (0, 6)}),
    ("digitize", (X, numpy.array([-1.0, 0.0, 1.0], "float32")), {}),
    ("unravel_index", (numpy.array([3, 5, 7], "int32"), (2, 4)), {}),
    # nan_reductions.py and quantiles.py
    ("nansum", (WITH_NAN,), {"axis": 1}), ("nansum", (BOOLS,), {}), ("nanprod", (WITH_NAN,), {"axis": 0}),
    ("nanmax", (WITH_NAN,), {"axis": 1}), ("nanmin", (WITH_NAN,), {"keepdims": True}),
    ("nanmean", (WITH_NAN,), {"axis": 0}), ("nanmean", (INTEGERS,), {}), ("nanvar", (WITH_NAN,), {"axis": 1}),
    ("nanstd", (WITH_NAN,), {}), ("nancumsum", (WITH_NAN,), {"axis": 1}), ("nancumprod", (INTEGERS,), {}),
    ("nanargmax", (WITH_NAN,), {"axis": 1}), ("nanargmin", (WITH_NAN,), {}),
    ("amax", (INTEGERS,), {"axis": 0}), ("amin", (X,), {"keepdims": True}), ("ptp", (X,), {"axis": 1}),
    ("ptp", (INTEGERS,), {}), ("median", (X,), {}), ("median", (INTEGERS,), {"axis": 0, "keepdims": True}),
    ("quantile", (CUBE, numpy.array([0.1, 0.5, 0.9])), {"axis": (0, 2)}),
    ("quantile", (X, 0.5), {"axis": 1, "method": "nearest"}), ("quantile", (X, 0.3), {"method": "lower"}),
    ("quantile", (X, 0.3), {"method": "higher"}), ("quantile", (X, 0.3), {"method": "midpoint"}),
    ("percentile", (INTEGERS, 40.0), {"axis": 1}), ("nanmedian", (WITH_NAN,), {"axis": 1}),
    ("nanquantile", (WITH_NAN, 0.7), {}), ("nanpercentile", (WITH_NAN, numpy.array([10.0, 90.0])), {"axis": 0}),
    # vector_products.py
    ("inner", (X, Y), {}), ("inner", (INTEGERS[0], X), {}), ("vdot", (X, Y), {}),
    ("cross", (X[:, :3], Y[:, :3]), {}), ("cross", (X[:, :2], Y[:, :3]), {}), ("cross", (X[:2], Y[:2]), {"axis": 0}),
    ("cdist", (X, Y[:2]), {}), ("cdist", (CUBE, CUBE[:, :2]), {}), ("correlate", (VECTOR, Y[0, :3]), {}),
    ("correlate", (VECTOR, Y[0, :3]), {"mode": "full"}), ("correlate", (Y[0, :3], X[1]), {"mode": "same"}),
    ("corrcoef", (X,), {}), ("corrcoef", (INTEGERS,), {}), ("trapezoid", (X,), {}),
    ("trapezoid", (X,), {"x": numpy.array([0.0, 1.0, 3.0], "float32"), "axis": 0}), ("trapezoid", (INTEGERS,), {"dx": 0.5}),
]


def _items(value):
    return list(value) if isinstance(value, (tuple, list)) else [value]


@pytest.mark.parametrize("name, args, kwargs", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_values_and_dtypes_match_keras(name, args, kwargs):
    theirs = _items(getattr(keras.ops, name)(*args, **kwargs))
    mine = _items(getattr(ops, name)(*args, **kwargs))
    assert len(mine) == len(theirs), f"{name}: {len(mine)} results, Keras {len(theirs)}"
    for got, expected in zip(mine, theirs):
        expected = keras.ops.convert_to_numpy(expected)
        assert ops.shape(got) == expected.shape
        assert ops.dtype(got) == str(expected.dtype), f"{name}: dtype {ops.dtype(got)} vs Keras {expected.dtype}"
        numpy.testing.assert_allclose(ops.convert_to_numpy(got), expected, rtol=1e-5, atol=1e-5)


def test_every_name_is_in_both_namespaces():
    for name in {case[0] for case in CASES}:
        assert getattr(ops, name) is getattr(ops.numpy, name), name


def test_argpartition_partitions_like_keras():
    # the order inside each side is unspecified (NumPy and JAX differ): compare the partition itself
    mine = ops.convert_to_numpy(ops.argpartition(X, 1, axis=1))
    theirs = keras.ops.convert_to_numpy(keras.ops.argpartition(X, 1, axis=1))
    assert mine.dtype == theirs.dtype == numpy.int32
    values = numpy.take_along_axis(X, mine, axis=1)
    numpy.testing.assert_array_equal(values[:, 1], numpy.take_along_axis(X, theirs, axis=1)[:, 1])
    assert (values[:, :1] <= values[:, 1:2]).all() and (values[:, 2:] >= values[:, 1:2]).all()


def test_no_gradient_through_steps_and_integer_ops():
    from minikeras.autodiff.tape import GradientTape
    from minikeras.autodiff.variable import Variable

    x = Variable(X)
    with GradientTape() as tape:
        y = ops.add(ops.trunc(x), ops.cast(ops.isclose(x, 0.5), "float32"))
    assert tape.gradient(ops.sum(y), x) is None
    with pytest.raises(TypeError, match="bitwise_and"):
        ops.bitwise_and(X, 1)
