"""Row-wise kernels (attention softmax, layer normalisation) against ``kernels/rowwise_reference.py``.

Each case runs on the Numba CPU kernels (``numba_rowwise.py``) and on the
CUDA ones (``numba_cuda_rowwise.py``, marked ``gpu``: on a GPU, or in Numba's
simulator with ``NUMBA_ENABLE_CUDASIM=1``; tiny shapes). The softmax cases
are float32, the only dtype the Numba softmax computes itself (its
exponential is float32 arithmetic); layer normalisation also float64. The
reference's own gradients are checked by the op table
(``tests/autodiff/op_table.py``, ``dot_product_attention`` and
``layer_normalization`` rows).
"""

import numpy as np
import pytest

from minikeras.kernels import rowwise_reference
from tests.kernels.conftest import cuda_device

pytestmark = pytest.mark.kernels


@pytest.fixture(params=["numba", pytest.param("cuda", marks=pytest.mark.gpu)])
def rowwise(request):
    """``(kernel module, to_device, to_numpy)`` of one device."""
    if request.param == "cuda":
        device = cuda_device()  # skips where no GPU and no simulator
        from minikeras.kernels import numba_cuda_rowwise

        return numba_cuda_rowwise, device.to_device, device.to_numpy
    from minikeras.kernels import numba_rowwise

    return numba_rowwise, np.asarray, np.asarray


def _attention_case(shape=(2, 2, 3, 5), seed=0):
    """Logits (B, N, T, S) float32, a bias (B, 1, T, S), a key mask (B, 1, 1, S) (key 0 always
    attended to), and an upstream gradient."""
    rng = np.random.default_rng(seed)
    logits = (3 * rng.standard_normal(shape)).astype(np.float32)
    bias = rng.standard_normal((shape[0], 1) + shape[2:]).astype(np.float32)
    mask = rng.random((shape[0], 1, 1, shape[3])) > 0.4
    mask[:, :, :, 0] = True
    dy = rng.standard_normal(shape).astype(np.float32)
    return logits, bias, mask, dy


@pytest.mark.parametrize("with_bias", [False, True])
@pytest.mark.parametrize("with_mask", [False, True])
def test_softmax_matches_the_reference(rowwise, with_bias, with_mask):
    kernels, to_device, to_numpy = rowwise
    logits, bias, mask, dy = _attention_case()
    bias, mask = (bias if with_bias else None), (mask if with_mask else None)
    expected = rowwise_reference.softmax_forward(logits.copy(), 0.5, bias, mask)
    got = to_numpy(kernels.softmax_forward(to_device(logits.copy()), 0.5, bias, mask))
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7)
    expected_dz = rowwise_reference.softmax_backward(expected, dy.copy(), mask)
    got_dz = to_numpy(kernels.softmax_backward(to_device(expected), to_device(dy.copy()), mask))
    np.testing.assert_allclose(got_dz, expected_dz, rtol=1e-5, atol=1e-6)


def test_softmax_of_a_fully_masked_row_is_uniform_and_masked_keys_get_zero(rowwise):
    kernels, to_device, to_numpy = rowwise
    logits = np.tile(np.arange(12, dtype=np.float32).reshape(1, 1, 3, 4), (1, 2, 1, 1))  # (B, N, T, S)
    mask = np.array([[True, False, True, False], [False] * 4, [True] * 4])[None, None]  # (1, 1, T, S): all heads
    p = to_numpy(kernels.softmax_forward(to_device(logits.copy()), 1.0, None, mask))
    np.testing.assert_allclose(p[0, 0, 1], 0.25, rtol=1e-6)  # every key masked: equal weights
    assert p[0, 0, 0, 1] == 0.0 and p[0, 0, 0, 3] == 0.0
    np.testing.assert_allclose(p[0, 0, 0, [0, 2]], [np.exp(-2) / (1 + np.exp(-2)), 1 / (1 + np.exp(-2))], rtol=1e-6)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-6)
    dz = to_numpy(kernels.softmax_backward(to_device(p), to_device(np.ones_like(p)), mask))
    assert not dz[0, 0, 1].any()  # a replaced logit passes no gradient


def test_softmax_of_other_ranks_and_extreme_logits(rowwise):
    kernels, to_device, to_numpy = rowwise
    logits = np.array([[1e4, 0.0, -1e4], [-80.0, -90.0, -100.0]], dtype=np.float32)  # 2-D: (R, S)
    expected = rowwise_reference.softmax_forward(logits.astype(np.float64), 1.0)
    got = to_numpy(kernels.softmax_forward(to_device(logits.copy()), 1.0))
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-30)


def test_numba_softmax_hands_float64_to_the_reference():
    from minikeras.kernels import numba_rowwise

    logits, bias, mask, _ = _attention_case()
    logits = logits.astype(np.float64) * 1.1
    expected = rowwise_reference.softmax_forward(logits.copy(), 0.3, bias, mask)
    np.testing.assert_array_equal(numba_rowwise.softmax_forward(logits.copy(), 0.3, bias, mask), expected)


@pytest.mark.parametrize("dtype, tolerance", [(np.float64, 1e-10), (np.float32, 2e-5)])
@pytest.mark.parametrize("with_parameters", [False, True])
def test_layer_norm_matches_the_reference(rowwise, dtype, tolerance, with_parameters):
    kernels, to_device, to_numpy = rowwise
    rng = np.random.default_rng(3)
    x = (rng.standard_normal((37, 6)) * 2 + 1).astype(dtype)  # 37 rows: chunks of unequal length
    dy = rng.standard_normal(x.shape).astype(dtype)
    gamma = rng.standard_normal(6).astype(dtype) if with_parameters else None
    beta = rng.standard_normal(6).astype(dtype) if with_parameters else None
    expected = rowwise_reference.layer_norm_forward(x.astype(np.float64), gamma, beta, 1e-3)
    got = kernels.layer_norm_forward(to_device(x), gamma if gamma is None else to_device(gamma),
                                     beta if beta is None else to_device(beta), 1e-3)
    for value, reference in zip(got, expected):
        np.testing.assert_allclose(to_numpy(value), reference, rtol=tolerance, atol=tolerance)
    mean, inverse_std = expected[1].astype(dtype), expected[2].astype(dtype)
    expected_gradients = rowwise_reference.layer_norm_backward(x.astype(np.float64), dy.astype(np.float64),
                                                                mean, inverse_std, gamma)
    got_gradients = kernels.layer_norm_backward(to_device(x), to_device(dy), to_device(mean), to_device(inverse_std),
                                                gamma if gamma is None else to_device(gamma))
    for value, reference in zip(got_gradients, expected_gradients):
        np.testing.assert_allclose(to_numpy(value), reference, rtol=tolerance * 10, atol=tolerance * 10)


def test_layer_norm_reference_by_hand():
    x = np.array([[1.0, 3.0], [2.0, 2.0]])
    y, mean, inverse_std = rowwise_reference.layer_norm_forward(x, np.array([2.0, 1.0]), np.array([0.0, 5.0]), 0.0 + 1e-12)
    np.testing.assert_allclose(mean, [2.0, 2.0])
    np.testing.assert_allclose(y[0], [-2.0, 6.0], rtol=1e-6)  # xhat = (-1, 1), times gamma, plus beta
    np.testing.assert_allclose(y[1], [0.0, 5.0], atol=1e-6)  # a constant row normalises to 0
