"""keras.ops.nn additions, complex helpers and Fourier ops of issue 18 against Keras 3 (JAX backend).

One table, one test, as ``test_numpy_api_keras.py``; complex values go in and
out as Keras's ``(real, imag)`` pairs. CTC gets its own test (three inputs
of lengths).
"""

import numpy
import pytest

from minikeras import ops

keras = pytest.importorskip("keras")

pytestmark = pytest.mark.engine

RNG = numpy.random.default_rng(11)
X = RNG.normal(size=(2, 3, 4)).astype("float32")
GAMMA = RNG.normal(size=(4,)).astype("float32")
IMAGE = RNG.normal(size=(2, 4, 6, 8)).astype("float32")
SIGNAL = RNG.normal(size=(2, 32)).astype("float32")
PAIR = (X, X[::-1].copy())
COMPLEX = numpy.array([1 + 2j, -3j, 0.5], dtype="complex64")
# Keras 3.15.1's sparsemax sums cumulative sums where it means the sum of the
# support (its outputs do not add up to 1 once two logits share the support);
# minikeras computes the projection onto the simplex (tests/autodiff/op_oracles.py).
# The two agree when one logit leads the others by more than 1:
PEAKED = numpy.array([[3.0, 0.5, -1.0, 0.2], [-2.0, 0.1, 1.5, 0.3]], dtype="float32")

CASES = [
    ("normalize", (X,), {}), ("normalize", (X,), {"axis": 1, "order": 1}),
    ("layer_normalization", (X, GAMMA, GAMMA), {}), ("layer_normalization", (X,), {"axis": (1, 2)}),
    ("rms_normalization", (X, GAMMA), {}), ("rms_normalization", (X,), {"axis": 1}),
    ("sparsemax", (PEAKED,), {}), ("psnr", (X, X * 0.9, 2.0), {}),
    ("multi_hot", (numpy.array([[0, 2], [1, 1]], "int32"),), {"num_classes": 4}),
    ("depth_to_space", (IMAGE, 2), {}), ("depth_to_space", (IMAGE, 2), {"data_format": "channels_first"}),
    ("space_to_depth", (IMAGE, 2), {}), ("space_to_depth", (IMAGE, 2), {"data_format": "channels_first"}),
    ("unfold", (IMAGE, (2, 3)), {"dilation": (1, 2), "padding": 1, "stride": (2, 1)}),
    ("fold", (RNG.normal(size=(2, 24, 9)).astype("float32"), (4, 6), (2, 3)), {"padding": 1, "stride": 2}),
    ("fft", (PAIR,), {}), ("fft2", (PAIR,), {}), ("ifft2", (PAIR,), {}), ("rfft", (X,), {}),
    ("rfft", (X,), {"fft_length": 6}), ("irfft", (PAIR,), {}), ("irfft", (PAIR,), {"fft_length": 5}),
    ("extract_sequences", (SIGNAL, 8, 4), {}), ("stft", (SIGNAL, 8, 4, 16), {}),
    ("stft", (SIGNAL, 8, 3, 8), {"window": "hamming", "center": False}),
    ("istft", (ops.stft(SIGNAL, 8, 4, 16), 8, 4, 16), {}),
    ("istft", (ops.stft(SIGNAL, 8, 2, 8, center=False), 8, 2, 8), {"center": False, "length": 20}),
    ("real", (COMPLEX,), {}), ("imag", (COMPLEX,), {}), ("conj", (COMPLEX,), {}), ("real", (X,), {}),
    ("imag", (X,), {}), ("view_as_real", (COMPLEX,), {}), ("view_as_complex", (X[0, :, :2].copy(),), {}),
    ("polar", (GAMMA, GAMMA), {}), ("view", (X, "int32"), {}),
    ("saturate_cast", (numpy.array([300.5, -5.0, 3.7], "float32"), "uint8"), {}),
    ("rearrange", (X, "b h (w c) -> (b w) c h"), {"c": 2}),
    ("segment_min", (X[0], numpy.array([0, 2, 2], "int32")), {"num_segments": 3}),
    ("segment_prod", (X[0], numpy.array([1, 0, 1], "int32")), {"num_segments": 2}),
]


def _numpy(value):
    """minikeras Tensors (the stft results fed to istft) as NumPy arrays for both libraries."""
    if isinstance(value, (tuple, list)):
        return type(value)(_numpy(item) for item in value)
    return ops.convert_to_numpy(value) if ops.is_tensor(value) else value


def _items(value):
    return list(value) if isinstance(value, (tuple, list)) else [value]


def _compare(mine, theirs, name):
    mine, theirs = _items(mine), _items(theirs)
    assert len(mine) == len(theirs), f"{name}: {len(mine)} results, Keras {len(theirs)}"
    for got, expected in zip(mine, theirs):
        expected = keras.ops.convert_to_numpy(expected)
        assert ops.shape(got) == expected.shape
        assert ops.dtype(got) == str(expected.dtype), f"{name}: dtype {ops.dtype(got)} vs Keras {expected.dtype}"
        numpy.testing.assert_allclose(ops.convert_to_numpy(got), expected, rtol=1e-5, atol=2e-5)


@pytest.mark.parametrize("name, args, kwargs", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_values_and_dtypes_match_keras(name, args, kwargs):
    args = _numpy(args)
    _compare(getattr(ops, name)(*args, **kwargs), getattr(keras.ops, name)(*args, **kwargs), name)


def test_ctc_loss_and_greedy_decode_match_keras():
    logits = RNG.normal(size=(2, 6, 4)).astype("float32")
    target = numpy.array([[1, 2, 2], [3, 1, 0]], "int32")
    target_length, output_length = numpy.array([3, 2], "int32"), numpy.array([6, 5], "int32")
    for blank in (0, 3):
        _compare(ops.ctc_loss(target, logits, target_length, output_length, mask_index=blank),
                 keras.ops.ctc_loss(target, logits, target_length, output_length, mask_index=blank), "ctc_loss")
    _compare(ops.ctc_decode(logits, output_length), keras.ops.ctc_decode(logits, output_length), "ctc_decode")
    _compare(ops.ctc_decode(logits, output_length, merge_repeated=False, mask_index=2),
             keras.ops.ctc_decode(logits, output_length, merge_repeated=False, mask_index=2), "ctc_decode")


def test_ctc_loss_class_matches_keras():
    from minikeras import losses

    labels = numpy.array([[1, 2, 0], [3, 3, 1]], "int32")
    logits = RNG.normal(size=(2, 7, 4)).astype("float32")
    _compare(losses.CTC()(labels, logits), keras.losses.CTC()(labels, logits), "CTC")
    _compare(losses.ctc(labels, logits), keras.losses.ctc(labels, logits), "ctc")


def test_vectorize_matches_keras():
    def dot(a, b):
        return a[0] * b[0] + a[1] * b[1]

    _compare(ops.vectorize(dot, signature="(n),(n)->()")(X[..., :2], GAMMA[:2]),
             keras.ops.vectorize(dot, signature="(n),(n)->()")(X[..., :2], GAMMA[:2]), "vectorize")


def test_sparsemax_is_a_probability_vector_and_an_activation():
    from minikeras import activations

    probabilities = ops.convert_to_numpy(activations.get("sparsemax")(X))
    numpy.testing.assert_allclose(probabilities.sum(-1), 1.0, rtol=1e-6)
    assert (probabilities >= 0).all() and (probabilities == 0).any()
