"""Winograd F(m x m, 3x3): the matrices, each transform against its NumPy definition, the convolution against ``reference.py``.

Four layers of checks, on random shapes with even and odd output sizes and
"same"-style paddings:

1. :func:`winograd_reference.toom_cook` builds matrices that compute a 1-D
   correlation exactly, for F(2, 3), F(4, 3) and other points;
2. the NumPy transforms of ``winograd_reference.py``, chained as the
   algorithm says, give the convolution and both of its gradients, with
   F(2x2, 3x3) and with F(4x4, 3x3) (the algorithm is right);
3. each Numba transform (F(4x4, 3x3)) equals its NumPy definition, on whole
   batches and on blocks of images (the kernels are right);
4. ``numba_winograd.conv_*`` and the dispatch in ``numba_cpu`` equal
   ``reference.conv_*`` (the pieces fit).
"""

from fractions import Fraction

import numpy as np
import pytest

from minikeras.kernels import numba_cpu
from minikeras.kernels import numba_winograd
from minikeras.kernels import reference
from minikeras.kernels import winograd_reference
from minikeras.kernels.winograd_reference import F2
from minikeras.kernels.winograd_reference import F4

pytestmark = pytest.mark.kernels

ONE = (1, 1)


def _case(seed, dtype=np.float64):
    """A random 3x3 convolution: x, kernel, padding, dy."""
    rng = np.random.default_rng(seed)
    N, H, W = int(rng.integers(1, 4)), int(rng.integers(1, 12)), int(rng.integers(1, 12))
    C, F = int(rng.integers(1, 6)), int(rng.integers(1, 6))
    padding = tuple((int(rng.integers(0, 3)), int(rng.integers(0, 3))) for _ in range(2))
    H, W = max(H, 3 - sum(padding[0])), max(W, 3 - sum(padding[1]))  # at least one output cell
    x = rng.standard_normal((N, H, W, C)).astype(dtype)
    kernel = rng.standard_normal((3, 3, C, F)).astype(dtype)
    y_shape = reference.conv_forward(x, kernel, ONE, padding, ONE).shape
    dy = rng.standard_normal(y_shape).astype(dtype)
    return x, kernel, padding, dy


@pytest.mark.parametrize("m, points", [(2, (0, 1, -1)), (4, (0, 1, -1, Fraction(1, 2), -2)),
                                       (4, (0, 1, -1, 2, -2)), (3, (0, 1, -1, Fraction(1, 2)))])
def test_toom_cook_matrices_compute_a_1d_correlation(m, points):
    """``y = A_T ((G g) * (B_T d))`` gives ``y[i] = sum_k d[i + k] g[k]``, for random d and g."""
    w = winograd_reference.toom_cook(m, points)
    assert w.B_T.shape == (m + 2, m + 2) and w.G.shape == (m + 2, 3) and w.A_T.shape == (m, m + 2)
    rng = np.random.default_rng(m)
    for _ in range(5):
        d, g = rng.standard_normal(m + 2), rng.standard_normal(3)
        expected = [d[i : i + 3] @ g for i in range(m)]
        np.testing.assert_allclose(w.A_T @ ((w.G @ g) * (w.B_T @ d)), expected, rtol=1e-12, atol=1e-12)


def test_toom_cook_gives_lavin_and_grays_f2_up_to_signs_that_cancel():
    lavin_B_T = np.array([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]])
    lavin_G = np.array([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]])
    lavin_A_T = np.array([[1, 1, 1, 0], [0, 1, -1, -1]])
    # Lavin's first row of G and B_T, and infinity's row of B_T and column of
    # A_T, are ours negated: each pair meets in one product, so the signs cancel.
    np.testing.assert_array_equal(F2.B_T, np.diag([-1, 1, 1, -1]) @ lavin_B_T)
    np.testing.assert_array_equal(F2.G, np.diag([-1, 1, 1, 1]) @ lavin_G)
    np.testing.assert_array_equal(F2.A_T, lavin_A_T @ np.diag([1, 1, 1, -1]))


def test_toom_cook_rejects_repeated_or_missing_points():
    with pytest.raises(ValueError, match="F\\(4, 3\\) needs 5 distinct points"):
        winograd_reference.toom_cook(4, (0, 1, -1, 2))
    with pytest.raises(ValueError, match="distinct"):
        winograd_reference.toom_cook(2, (0, 1, 1))


def _reference_winograd(x, kernel, padding, dy, w):
    """The convolution and its gradients from the NumPy transforms alone."""
    N = x.shape[0]
    OH, OW, TH, TW = numba_winograd.tile_grid(x.shape, padding, w.m)
    xpad = numba_winograd.pad_for_tiles(x, padding, w.m, TH, TW)
    V, U = winograd_reference.input_transform(xpad, w, TH, TW), winograd_reference.filter_transform(kernel, w)
    y = winograd_reference.output_transform(np.matmul(V, U), w, N, TH, TW, OH, OW)
    dM = winograd_reference.output_transform_t(dy, w, TH, TW)
    dxpad = winograd_reference.input_transform_t(np.matmul(dM, U.transpose(0, 2, 1)), w, N, TH, TW)
    (top, _), (left, _) = padding
    dx = dxpad[:, top : top + x.shape[1], left : left + x.shape[2]]
    dkernel = winograd_reference.filter_transform_t(np.matmul(V.transpose(0, 2, 1), dM), w)
    return y, dx, dkernel


def _assert_matches_reference(x, kernel, padding, dy, y, dx, dkernel, rtol=1e-10, atol=1e-12):
    np.testing.assert_allclose(y, reference.conv_forward(x, kernel, ONE, padding, ONE), rtol=rtol, atol=atol)
    expected_dx = reference.conv_backward_input(dy, kernel, x.shape, ONE, padding, ONE)
    np.testing.assert_allclose(dx, expected_dx, rtol=rtol, atol=atol)
    expected_dkernel = reference.conv_backward_kernel(x, dy, kernel.shape, ONE, padding, ONE)
    np.testing.assert_allclose(dkernel, expected_dkernel, rtol=rtol, atol=atol)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("w", [F2, F4], ids=["F2", "F4"])
def test_the_numpy_transforms_compute_the_convolution(seed, w):
    x, kernel, padding, dy = _case(seed)
    _assert_matches_reference(x, kernel, padding, dy, *_reference_winograd(x, kernel, padding, dy, w))


def test_one_tile_by_hand():
    """A 6x6 input of ones and a 3x3 kernel of ones: each of the 4x4 outputs sums 9 cells."""
    x, kernel = np.ones((1, 6, 6, 1)), np.ones((3, 3, 1, 1))
    np.testing.assert_allclose(numba_winograd.conv_forward(x, kernel, ((0, 0), (0, 0)))[0, :, :, 0], np.full((4, 4), 9.0))


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("relu", [False, True], ids=["linear", "relu"])
def test_numba_transforms_match_their_definitions(seed, dtype, relu):
    x, kernel, padding, dy = _case(seed, dtype)
    N, C, F = x.shape[0], x.shape[3], kernel.shape[3]
    _, _, TH, TW = numba_winograd.tile_grid(x.shape, padding)
    P = N * TH * TW
    xpad = numba_winograd.pad_for_tiles(x, padding, 4, TH, TW)
    rng = np.random.default_rng(seed)
    tol = dict(rtol=1e-12, atol=1e-12) if dtype == np.float64 else dict(rtol=1e-5, atol=1e-4)
    B_T, B, A_T, A = (np.ascontiguousarray(matrix, dtype=dtype) for matrix in (F4.B_T, F4.B_T.T, F4.A_T, F4.A_T.T))
    # 1. Input transform and its transpose.
    V = np.empty((36, P, C), dtype)
    numba_winograd.input_transform(xpad, B_T, 0, N, TH, TW, V.reshape(6, 6, P, C))
    np.testing.assert_allclose(V, winograd_reference.input_transform(xpad, F4, TH, TW), **tol)
    dV = rng.standard_normal(V.shape).astype(dtype)
    dxpad = np.full_like(xpad, np.nan)  # every cell is overwritten
    numba_winograd.input_transform_t(dV.reshape(6, 6, P, C), B, 0, N, TH, TW, dxpad)
    np.testing.assert_allclose(dxpad, winograd_reference.input_transform_t(dV, F4, N, TH, TW), **tol)
    # 2. Output transform with the bias and the ReLU; its transpose with the ReLU's mask and the bias's sum.
    M = rng.standard_normal((36, P, F)).astype(dtype)
    bias = rng.standard_normal(F).astype(dtype)
    OH, OW = dy.shape[1], dy.shape[2]
    y = np.empty((N, OH, OW, F), dtype)
    numba_winograd.output_transform(M.reshape(6, 6, P, F), A_T, bias, relu, 0, N, TH, TW, y)
    expected_y = winograd_reference.output_transform(M, F4, N, TH, TW, OH, OW) + bias
    np.testing.assert_allclose(y, np.maximum(expected_y, 0) if relu else expected_y, **tol)
    dM, dbias_rows = np.empty_like(M), np.zeros((N * TH, F), dtype)
    numba_winograd.output_transform_t(dy, y, A, relu, 0, N, TH, TW, dM.reshape(6, 6, P, F), dbias_rows)
    dz = dy * (y > 0) if relu else dy
    np.testing.assert_allclose(dM, winograd_reference.output_transform_t(dz, F4, TH, TW), **tol)
    np.testing.assert_allclose(dbias_rows.sum(axis=0), dz.sum(axis=(0, 1, 2)), **tol)


@pytest.mark.parametrize("w", [F2, F4], ids=["F2", "F4"])
def test_transforms_and_their_transposes_are_adjoint(w):
    """<T v, w> == <v, T^t w>: the backward transforms are the forward ones transposed."""
    rng = np.random.default_rng(0)
    N, TH, TW, C, m, alpha = 2, 3, 2, 4, w.m, w.m + 2
    xpad = rng.standard_normal((N, m * TH + 2, m * TW + 2, C))
    dV = rng.standard_normal((alpha**2, N * TH * TW, C))
    lhs = np.sum(winograd_reference.input_transform(xpad, w, TH, TW) * dV)
    np.testing.assert_allclose(lhs, np.sum(xpad * winograd_reference.input_transform_t(dV, w, N, TH, TW)))
    M, dy = rng.standard_normal((alpha**2, N * TH * TW, C)), rng.standard_normal((N, m * TH, m * TW, C))
    lhs = np.sum(winograd_reference.output_transform(M, w, N, TH, TW, m * TH, m * TW) * dy)
    np.testing.assert_allclose(lhs, np.sum(M * winograd_reference.output_transform_t(dy, w, TH, TW)))
    kernel, dU = rng.standard_normal((3, 3, C, 5)), rng.standard_normal((alpha**2, C, 5))
    lhs = np.sum(winograd_reference.filter_transform(kernel, w) * dU)
    np.testing.assert_allclose(lhs, np.sum(kernel * winograd_reference.filter_transform_t(dU, w)))


@pytest.mark.parametrize("seed", range(10))
def test_numba_winograd_matches_reference(seed):
    x, kernel, padding, dy = _case(seed)
    y = numba_winograd.conv_forward(x, kernel, padding)
    dx = numba_winograd.conv_backward_input(dy, kernel, x.shape, padding)
    dkernel = numba_winograd.conv_backward_kernel(x, dy, kernel.shape, padding)
    _assert_matches_reference(x, kernel, padding, dy, y, dx, dkernel)


def test_blocks_give_the_same_answer(monkeypatch):
    """With a one-byte budget every image is its own block: same numbers as one block."""
    x, kernel, padding, dy = _case(3)
    x, dy = np.concatenate([x] * 3), np.concatenate([dy] * 3)
    whole = (numba_winograd.conv_forward(x, kernel, padding),
             numba_winograd.conv_backward_input(dy, kernel, x.shape, padding),
             numba_winograd.conv_backward_kernel(x, dy, kernel.shape, padding))
    monkeypatch.setattr(numba_winograd, "BLOCK_BYTES", 1)
    blocked = (numba_winograd.conv_forward(x, kernel, padding),
               numba_winograd.conv_backward_input(dy, kernel, x.shape, padding),
               numba_winograd.conv_backward_kernel(x, dy, kernel.shape, padding))
    for expected, actual in zip(whole, blocked):
        np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-12)


def test_numba_cpu_sends_3x3_stride_1_convolutions_with_enough_channels_here():
    C = numba_cpu.WINOGRAD_MIN_CHANNELS
    assert numba_cpu.uses_winograd((3, 3, C, 8), ONE, ONE)
    assert not numba_cpu.uses_winograd((3, 3, C - 1, 8), ONE, ONE)  # thin input: im2col
    assert not numba_cpu.uses_winograd((3, 3, C, 8), (2, 2), ONE)
    assert not numba_cpu.uses_winograd((3, 3, C, 8), ONE, (2, 1))
    assert not numba_cpu.uses_winograd((5, 5, C, 8), ONE, ONE)
    assert not numba_cpu.uses_winograd((1, 3, C, 8), ONE, ONE)  # a Conv1D as a one-row image


def test_numba_cpu_winograd_path_matches_reference():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 7, 6, numba_cpu.WINOGRAD_MIN_CHANNELS))
    kernel = rng.standard_normal((3, 3, x.shape[3], 5))
    padding = ((1, 1), (1, 1))  # Keras's "same"
    dy = rng.standard_normal((2, 7, 6, 5))
    y = numba_cpu.conv_forward(x, kernel, ONE, padding, ONE)
    dx = numba_cpu.conv_backward_input(dy, kernel, x.shape, ONE, padding, ONE)
    dkernel = numba_cpu.conv_backward_kernel(x, dy, kernel.shape, ONE, padding, ONE)
    _assert_matches_reference(x, kernel, padding, dy, y, dx, dkernel)


def test_float32_error_stays_small_on_a_guide_sized_layer():
    """Winograd adds a little rounding; in float32 it stays within Keras-conformance tolerance."""
    rng = np.random.default_rng(0)
    x = rng.random((4, 26, 26, 64)).astype(np.float32)
    kernel = (rng.standard_normal((3, 3, 64, 64)) * 0.06).astype(np.float32)
    padding = ((0, 0), (0, 0))
    y = numba_winograd.conv_forward(x, kernel, padding)
    assert y.dtype == np.float32
    exact = reference.conv_forward(x.astype(np.float64), kernel.astype(np.float64), ONE, padding, ONE)
    assert np.abs(y - exact).max() <= 1e-5 * np.abs(exact).max()


@pytest.mark.parametrize("need_input, need_kernel", [(True, True), (True, False), (False, True)])
def test_conv_backward_computes_only_what_is_asked(need_input, need_kernel):
    x, kernel, padding, dy = _case(4)
    dx, dkernel = numba_winograd.conv_backward(x, dy, kernel, padding, need_input, need_kernel)
    assert (dx is None) != need_input and (dkernel is None) != need_kernel
    if need_input:
        np.testing.assert_allclose(dx, reference.conv_backward_input(dy, kernel, x.shape, ONE, padding, ONE), rtol=1e-10, atol=1e-12)
    if need_kernel:
        np.testing.assert_allclose(dkernel, reference.conv_backward_kernel(x, dy, kernel.shape, ONE, padding, ONE), rtol=1e-10, atol=1e-12)


def test_the_environment_can_turn_winograd_off(monkeypatch):
    shape = (3, 3, numba_cpu.WINOGRAD_MIN_CHANNELS, 8)
    monkeypatch.setenv("MINIKERAS_CONV_ALGORITHM", "im2col")
    assert not numba_cpu.uses_winograd(shape, ONE, ONE)
    monkeypatch.setenv("MINIKERAS_CONV_ALGORITHM", "fft")
    with pytest.raises(ValueError, match="MINIKERAS_CONV_ALGORITHM='fft'"):
        numba_cpu.uses_winograd(shape, ONE, ONE)
