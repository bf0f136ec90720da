"""The Winograd transforms on 64 channels at a time (``winograd_vectors.py``) and the one-pass forward of ``numba_winograd``.

``numba_winograd`` takes that path for float32 layers whose channels come in
multiples of 64 on a CPU with AVX-512. The vectors compile on every CPU, so
``vectors`` makes the module believe it has AVX-512 and the tests run
everywhere: against ``reference.py``, against the scalar kernels, with pooling
and its argmax, NaNs, odd sizes, paddings, chunks and thread counts.
"""

import numpy as np
import pytest

from minikeras.kernels import numba_pool
from minikeras.kernels import numba_simd_matmul
from minikeras.kernels import numba_winograd
from minikeras.kernels import reference

pytestmark = pytest.mark.kernels


@pytest.fixture
def vectors(monkeypatch):
    monkeypatch.setattr(numba_simd_matmul, "_available", lambda: True)


# (N, H, W, C, F, padding): the guide's shapes, odd outputs (edge tiles, a dropped pooling row), padding.
CASES = [(2, 26, 26, 64, 64, 0), (3, 12, 12, 64, 128, 0), (2, 10, 9, 128, 64, 1), (1, 7, 11, 64, 64, 1),
         (2, 13, 13, 128, 128, 0), (2, 6, 6, 64, 192, 1)]


def _case(case, seed=0):
    N, H, W, C, F, pad = case
    rng = np.random.default_rng(seed + H * W)
    x = rng.standard_normal((N, H, W, C)).astype(np.float32)
    kernel = (rng.standard_normal((3, 3, C, F)) / np.sqrt(9 * C)).astype(np.float32)
    bias = rng.standard_normal(F).astype(np.float32)
    return x, kernel, bias, ((pad, pad), (pad, pad))


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("relu", [False, True], ids=["linear", "relu"])
def test_forward_matches_the_reference(vectors, case, relu):
    x, kernel, bias, padding = _case(case)
    expected = reference.conv_forward(x.astype(np.float64), kernel.astype(np.float64), bias.astype(np.float64),
                                      relu, padding=padding)
    y = numba_winograd.conv_forward(x, kernel, bias, relu, padding=padding)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("relu", [False, True], ids=["linear", "relu"])
def test_pooling_inside_is_the_pooling_of_the_convolution(vectors, case, relu):
    """Bit-identical to ``max_pool_forward`` of the vector ``conv_forward``: same values, same cells."""
    x, kernel, bias, padding = _case(case, seed=1)
    x[0, 3, 4, 0] = np.nan  # a NaN wins its window, as in max pooling
    conv = numba_winograd.conv_forward(x, kernel, bias, relu, padding=padding)
    pooled, argmax = numba_pool.max_pool_forward(conv, (2, 2), (2, 2), ((0, 0), (0, 0)), need_argmax=True)
    fused, fused_argmax = numba_winograd.conv_max_pool_forward(x, kernel, bias, relu, padding, need_argmax=True)
    np.testing.assert_array_equal(fused, pooled)
    np.testing.assert_array_equal(fused_argmax, argmax)
    assert numba_winograd.conv_max_pool_forward(x, kernel, bias, relu, padding)[1] is None


@pytest.mark.parametrize("case", CASES[:3])
def test_vector_and_scalar_kernels_agree(monkeypatch, case):
    x, kernel, bias, padding = _case(case, seed=2)
    monkeypatch.setattr(numba_simd_matmul, "_available", lambda: False)  # the scalar transforms, BLAS products
    scalar = numba_winograd.conv_max_pool_forward(x, kernel, bias, True, padding, need_argmax=True)
    monkeypatch.setattr(numba_simd_matmul, "_available", lambda: True)
    vector = numba_winograd.conv_max_pool_forward(x, kernel, bias, True, padding, need_argmax=True)
    np.testing.assert_allclose(vector[0], scalar[0], rtol=1e-5, atol=1e-5)
    assert np.count_nonzero(vector[1] != scalar[1]) <= 0.01 * scalar[1].size  # ties broken by rounding


def test_numbers_do_not_depend_on_chunks_or_threads(vectors, monkeypatch):
    import numba

    x, kernel, bias, padding = _case((5, 14, 14, 64, 128, 1), seed=3)
    first = numba_winograd.conv_max_pool_forward(x, kernel, bias, True, padding, need_argmax=True)
    monkeypatch.setattr(numba_winograd, "CHUNK_TILES", 1)  # one row of tiles per chunk
    monkeypatch.setattr(numba, "get_num_threads", lambda: 3)
    again = numba_winograd.conv_max_pool_forward(x, kernel, bias, True, padding, need_argmax=True)
    np.testing.assert_array_equal(again[0], first[0])
    np.testing.assert_array_equal(again[1], first[1])


@pytest.mark.parametrize("case", CASES[:4])
def test_backward_with_the_vector_input_transform_matches_the_reference(vectors, case):
    x, kernel, bias, padding = _case(case, seed=4)
    y = numba_winograd.conv_forward(x, kernel, bias, True, padding=padding)
    dy = np.random.default_rng(5).standard_normal(y.shape).astype(np.float32)
    dx, dkernel, dbias = numba_winograd.conv_backward(x, y, dy, kernel, relu=True, padding=padding)
    expected = reference.conv_backward(x.astype(np.float64), y.astype(np.float64), dy.astype(np.float64),
                                       kernel.astype(np.float64), relu=True, padding=padding)
    for actual, wanted in zip((dx, dkernel, dbias), expected):
        np.testing.assert_allclose(actual, wanted, rtol=1e-3, atol=1e-3 * np.abs(wanted).max())


@pytest.mark.parametrize("case", CASES[:4])
@pytest.mark.parametrize("relu", [False, True], ids=["linear", "relu"])
def test_vector_and_scalar_backward_agree(monkeypatch, case, relu):
    x, kernel, bias, padding = _case(case, seed=6)
    y = numba_winograd.conv_forward(x, kernel, bias, relu, padding=padding)
    dy = np.random.default_rng(7).standard_normal(y.shape).astype(np.float32)
    monkeypatch.setattr(numba_simd_matmul, "_available", lambda: False)
    scalar = numba_winograd.conv_backward(x, y, dy, kernel, relu=relu, padding=padding)
    monkeypatch.setattr(numba_simd_matmul, "_available", lambda: True)
    vector = numba_winograd.conv_backward(x, y, dy, kernel, relu=relu, padding=padding)
    np.testing.assert_array_equal(vector[2], scalar[2])  # the bias's gradient: the same additions in the same order
    for actual, wanted in zip(vector[:2], scalar[:2]):
        np.testing.assert_allclose(actual, wanted, rtol=1e-4, atol=1e-4 * np.abs(wanted).max())
