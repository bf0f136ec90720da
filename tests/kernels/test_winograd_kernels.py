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
4. ``numba_winograd.conv_forward`` / ``conv_backward`` equal ``reference``'s,
   and ``backend/kernel_choice.py`` sends the right convolutions there (the
   pieces fit).
"""

from fractions import Fraction

import numpy as np
import pytest

from minikeras import config
from minikeras.backend import kernel_choice
from minikeras.kernels import numba_winograd
from minikeras.kernels import reference
from minikeras.kernels import winograd_reference
from minikeras.kernels.winograd_reference import F2
from minikeras.kernels.winograd_reference import F4

pytestmark = pytest.mark.kernels

ONE = (1, 1)
NO_ARGMAX = np.empty((0, 0, 0, 0), dtype=np.int64)  # _output_transform writes no argmax (not pooling)


def _case(seed, dtype=np.float64):
    """A random 3x3 convolution: x, kernel, padding, dy."""
    rng = np.random.default_rng(seed)
    N, H, W = int(rng.integers(1, 4)), int(rng.integers(1, 12)), int(rng.integers(1, 12))
    C, F = int(rng.integers(1, 6)), int(rng.integers(1, 6))
    padding = tuple((int(rng.integers(0, 3)), int(rng.integers(0, 3))) for _ in range(2))
    H, W = max(H, 3 - sum(padding[0])), max(W, 3 - sum(padding[1]))  # at least one output cell
    x = rng.standard_normal((N, H, W, C)).astype(dtype)
    kernel = rng.standard_normal((3, 3, C, F)).astype(dtype)
    y_shape = reference.conv_forward(x, kernel, padding=padding).shape
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


def test_the_written_out_f2_is_what_toom_cook_builds():
    built = winograd_reference.toom_cook(2, (0, 1, -1))
    for name in ("B_T", "G", "A_T"):
        np.testing.assert_array_equal(getattr(F2, name), getattr(built, name), err_msg=name)


def test_the_worked_example_of_the_docstring():
    """d = (1, 2, 3, 4), g = (2, 1, -1): V, U, M and y as worked by hand in winograd_reference.py."""
    d, g = np.array([1.0, 2.0, 3.0, 4.0]), np.array([2.0, 1.0, -1.0])
    V, U = F2.B_T @ d, F2.G @ g
    np.testing.assert_array_equal(V, [2, 5, 1, 2])
    np.testing.assert_array_equal(U, [-2, 1, 0, -1])
    np.testing.assert_array_equal(U * V, [-4, 5, 0, -2])
    np.testing.assert_array_equal(F2.A_T @ (U * V), [1, 3])
    np.testing.assert_array_equal(F2.A_T @ (U * V), [d[0:3] @ g, d[1:4] @ g])


def test_toom_cook_rejects_repeated_or_missing_points():
    with pytest.raises(ValueError, match="F\\(4, 3\\) needs 5 distinct points"):
        winograd_reference.toom_cook(4, (0, 1, -1, 2))
    with pytest.raises(ValueError, match="distinct"):
        winograd_reference.toom_cook(2, (0, 1, 1))


def _reference_winograd(x, kernel, padding, dy, w):
    """The convolution and its gradients from the NumPy transforms alone."""
    N = x.shape[0]
    OH, OW, TH, TW = numba_winograd._tile_grid(x.shape, padding, w.m)
    xpad = numba_winograd._pad_for_tiles(x, padding, w.m, TH, TW)
    V, U = winograd_reference.input_transform(xpad, w, TH, TW), winograd_reference.filter_transform(kernel, w)
    y = winograd_reference.output_transform(np.matmul(V, U), w, N, TH, TW, OH, OW)
    dM = winograd_reference.output_transform_t(dy, w, TH, TW)
    dxpad = winograd_reference.input_transform_t(np.matmul(dM, U.transpose(0, 2, 1)), w, N, TH, TW)
    (top, _), (left, _) = padding
    dx = dxpad[:, top : top + x.shape[1], left : left + x.shape[2]]
    dkernel = winograd_reference.filter_transform_t(np.matmul(V.transpose(0, 2, 1), dM), w)
    return y, dx, dkernel


def _assert_matches_reference(x, kernel, padding, dy, y, dx, dkernel, rtol=1e-10, atol=1e-12):
    np.testing.assert_allclose(y, reference.conv_forward(x, kernel, padding=padding), rtol=rtol, atol=atol)
    expected_dx, expected_dkernel, _ = reference.conv_backward(x, None, dy, kernel, padding=padding)
    np.testing.assert_allclose(dx, expected_dx, rtol=rtol, atol=atol)
    np.testing.assert_allclose(dkernel, expected_dkernel, rtol=rtol, atol=atol)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("w", [F2, F4], ids=["F2", "F4"])
def test_the_numpy_transforms_compute_the_convolution(seed, w):
    x, kernel, padding, dy = _case(seed)
    _assert_matches_reference(x, kernel, padding, dy, *_reference_winograd(x, kernel, padding, dy, w))


def test_one_tile_by_hand():
    """A 6x6 input of ones and a 3x3 kernel of ones: each of the 4x4 outputs sums 9 cells."""
    x, kernel = np.ones((1, 6, 6, 1)), np.ones((3, 3, 1, 1))
    np.testing.assert_allclose(numba_winograd.conv_forward(x, kernel)[0, :, :, 0], np.full((4, 4), 9.0))


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("relu", [False, True], ids=["linear", "relu"])
def test_numba_transforms_match_their_definitions(seed, dtype, relu):
    x, kernel, padding, dy = _case(seed, dtype)
    N, C, F = x.shape[0], x.shape[3], kernel.shape[3]
    _, _, TH, TW = numba_winograd._tile_grid(x.shape, padding)
    P = N * TH * TW
    xpad = numba_winograd._pad_for_tiles(x, padding, 4, TH, TW)
    rng = np.random.default_rng(seed)
    tol = dict(rtol=1e-12, atol=1e-12) if dtype == np.float64 else dict(rtol=1e-5, atol=1e-4)
    B_T, B, A_T, A = (np.ascontiguousarray(matrix, dtype=dtype) for matrix in (F4.B_T, F4.B_T.T, F4.A_T, F4.A_T.T))
    # 1. Input transform and its transpose.
    V = np.empty((36, P, C), dtype)
    numba_winograd._input_transform(xpad, B_T, 0, TH, TW, V.reshape(6, 6, P, C), np.empty((6, 6, C), dtype), 0,
                                    N * TH)  # all rows of tiles
    np.testing.assert_allclose(V, winograd_reference.input_transform(xpad, F4, TH, TW), **tol)
    dV = rng.standard_normal(V.shape).astype(dtype)
    dxpad = np.full_like(xpad, np.nan)  # every cell is overwritten
    numba_winograd._input_transform_t(dV.reshape(6, 6, P, C), B, 0, TH, TW, dxpad, np.empty((6, 6, C), dtype), 0, N)  # all images
    np.testing.assert_allclose(dxpad, winograd_reference.input_transform_t(dV, F4, N, TH, TW), **tol)
    # 2. Output transform with the bias and the ReLU; its transpose with the ReLU's mask and the bias's sum.
    M = rng.standard_normal((36, P, F)).astype(dtype)
    bias = rng.standard_normal(F).astype(dtype)
    OH, OW = dy.shape[1], dy.shape[2]
    y = np.empty((N, OH, OW, F), dtype)
    numba_winograd._output_transform(M.reshape(6, 6, P, F), A_T, bias, relu, False, 0, TH, TW, y, NO_ARGMAX, OW,
                                     np.empty((4, 6, F), dtype), np.empty((4, 4, F), dtype), 0, N * TH)
    expected_y = winograd_reference.output_transform(M, F4, N, TH, TW, OH, OW) + bias
    np.testing.assert_allclose(y, np.maximum(expected_y, 0) if relu else expected_y, **tol)
    dM, dbias_rows = np.empty_like(M), np.zeros((N * TH, F), dtype)
    numba_winograd._output_transform_t(dy, y, A, relu, 0, TH, TW, dM.reshape(6, 6, P, F), dbias_rows,
                                       np.empty((4, 4, F), dtype), np.empty((6, 4, F), dtype), 0, N * TH)
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
    y = numba_winograd.conv_forward(x, kernel, padding=padding)
    dx, dkernel, dbias = numba_winograd.conv_backward(x, y, dy, kernel, padding=padding)
    _assert_matches_reference(x, kernel, padding, dy, y, dx, dkernel)
    np.testing.assert_allclose(dbias, dy.sum(axis=(0, 1, 2)), rtol=1e-10, atol=1e-12)


def test_blocks_give_the_same_answer(monkeypatch):
    """With a one-byte budget every image is its own block: same numbers as one block."""
    x, kernel, padding, dy = _case(3)
    x, dy = np.concatenate([x] * 3), np.concatenate([dy] * 3)
    bias = np.linspace(-1, 1, kernel.shape[3])

    def run():
        y = numba_winograd.conv_forward(x, kernel, bias, True, padding=padding)
        return (y,) + numba_winograd.conv_backward(x, y, dy, kernel, True, padding=padding)

    whole = run()
    monkeypatch.setattr(numba_winograd, "BLOCK_BYTES", 1)
    for expected, actual in zip(whole, run()):
        np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-12)


def test_numba_winograd_refuses_other_geometries():
    x, kernel = np.ones((1, 6, 6, 2)), np.ones((3, 3, 2, 1))
    with pytest.raises(ValueError, match=r"3x3 convolutions with stride 1.*strides=\(2, 2\)"):
        numba_winograd.conv_forward(x, kernel, strides=(2, 2))
    with pytest.raises(ValueError, match=r"kernel of shape \(5, 5, 2, 1\)"):
        numba_winograd.conv_backward(x, None, np.ones((1, 2, 2, 1)), np.ones((5, 5, 2, 1)))


def test_kernel_choice_sends_3x3_stride_1_convolutions_with_enough_channels_here():
    C = kernel_choice.WINOGRAD_MIN_CHANNELS
    assert kernel_choice.uses_winograd((3, 3, C, 8), ONE, ONE)
    assert not kernel_choice.uses_winograd((3, 3, C - 1, 8), ONE, ONE)  # thin input: im2col
    assert not kernel_choice.uses_winograd((3, 3, C, 8), (2, 2), ONE)
    assert not kernel_choice.uses_winograd((3, 3, C, 8), ONE, (2, 1))
    assert not kernel_choice.uses_winograd((5, 5, C, 8), ONE, ONE)
    assert not kernel_choice.uses_winograd((1, 3, C, 8), ONE, ONE)  # a Conv1D as a one-row image
    x, kernel = np.ones((1, 5, 5, C)), np.ones((3, 3, C, 8))
    assert kernel_choice.conv_kernels(x, kernel, ONE, ONE) == (numba_winograd.conv_forward,
                                                               numba_winograd.conv_backward)


def test_float32_error_stays_small_on_a_guide_sized_layer():
    """Winograd adds a little rounding; in float32 it stays within Keras-conformance tolerance."""
    rng = np.random.default_rng(0)
    x = rng.random((4, 26, 26, 64)).astype(np.float32)
    kernel = (rng.standard_normal((3, 3, 64, 64)) * 0.06).astype(np.float32)
    y = numba_winograd.conv_forward(x, kernel)
    assert y.dtype == np.float32
    exact = reference.conv_forward(x.astype(np.float64), kernel.astype(np.float64))
    assert np.abs(y - exact).max() <= 1e-5 * np.abs(exact).max()


@pytest.mark.parametrize("need_input, need_kernel", [(True, True), (True, False), (False, True)])
def test_conv_backward_computes_only_what_is_asked(need_input, need_kernel):
    x, kernel, padding, dy = _case(4)
    dx, dkernel, _ = numba_winograd.conv_backward(x, None, dy, kernel, padding=padding, need_input=need_input,
                                                  need_kernel=need_kernel)
    assert (dx is None) != need_input and (dkernel is None) != need_kernel
    expected_dx, expected_dkernel, _ = reference.conv_backward(x, None, dy, kernel, padding=padding)
    if need_input:
        np.testing.assert_allclose(dx, expected_dx, rtol=1e-10, atol=1e-12)
    if need_kernel:
        np.testing.assert_allclose(dkernel, expected_dkernel, rtol=1e-10, atol=1e-12)


def test_the_settings_can_turn_winograd_off():
    C = kernel_choice.WINOGRAD_MIN_CHANNELS
    x, kernel = np.ones((1, 5, 5, C)), np.ones((3, 3, C, 8))
    with config.kernels(conv_algorithm="im2col"):
        assert kernel_choice.conv_kernels(x, kernel, ONE, ONE)[0].__module__ == "minikeras.kernels.numba_conv"
    with pytest.raises(ValueError, match="conv_algorithm='fft'"):
        with config.kernels(conv_algorithm="fft"):
            pass


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("relu", [False, True])
def test_conv_max_pool_matches_the_composition(seed, relu):
    """The fused kernel against reference's conv then 2x2 max pooling: odd sizes drop the last row/column."""
    x, kernel, padding, _ = _case(seed)
    bias = np.linspace(-0.5, 0.5, kernel.shape[3])
    expected, expected_argmax = reference.conv_max_pool_forward(x, kernel, bias, relu, padding, need_argmax=True)
    y_conv = reference.conv_forward(x, kernel, bias, relu, padding=padding)
    assert expected.shape == (x.shape[0], y_conv.shape[1] // 2, y_conv.shape[2] // 2, kernel.shape[3])
    actual, argmax = numba_winograd.conv_max_pool_forward(x, kernel, bias, relu, padding, need_argmax=True)
    np.testing.assert_allclose(actual, expected, rtol=1e-10, atol=1e-10)
    # Where each maximum came from: the same cell, unless two cells of a window tie to rounding
    # (the ReLU's zeros tie exactly, and both take the first).
    rows = np.take_along_axis(y_conv.reshape(x.shape[0], -1, kernel.shape[3]), argmax.reshape(x.shape[0], -1,
                              kernel.shape[3]), axis=1)
    np.testing.assert_allclose(rows.reshape(actual.shape), actual, rtol=1e-10, atol=1e-10)
    assert np.count_nonzero(argmax != expected_argmax) <= 0.01 * argmax.size
    assert numba_winograd.conv_max_pool_forward(x, kernel, bias, relu, padding)[1] is None


def test_conv_max_pool_is_bit_identical_to_the_two_numba_kernels():
    """Pooling inside the output transform takes maxima of the very values conv_forward writes, from the same cells."""
    from minikeras.kernels import numba_pool

    rng = np.random.default_rng(5)
    x = rng.standard_normal((3, 13, 10, 16)).astype(np.float32)  # 11 x 8 outputs: an odd row is dropped
    kernel = rng.standard_normal((3, 3, 16, 8)).astype(np.float32)
    bias = rng.standard_normal(8).astype(np.float32)
    x[0, 4, 4, 0] = np.nan  # a NaN wins its window, as in max pooling
    for relu in (False, True):
        conv = numba_winograd.conv_forward(x, kernel, bias, relu)
        pooled, argmax = numba_pool.max_pool_forward(conv, (2, 2), (2, 2), ((0, 0), (0, 0)), need_argmax=True)
        fused, fused_argmax = numba_winograd.conv_max_pool_forward(x, kernel, bias, relu, need_argmax=True)
        np.testing.assert_array_equal(fused, pooled)
        np.testing.assert_array_equal(fused_argmax, argmax)
        np.testing.assert_array_equal(numba_winograd.conv_max_pool_forward(x, kernel, bias, relu)[0], pooled)
    assert np.isnan(fused).sum() == 0 and np.isnan(numba_winograd.conv_max_pool_forward(x, kernel, bias)[0]).any()


def test_kernel_choice_offers_the_fused_kernel_only_with_winograd():
    C = kernel_choice.WINOGRAD_MIN_CHANNELS
    x, kernel = np.ones((1, 6, 6, C)), np.ones((3, 3, C, 4))
    assert kernel_choice.conv_max_pool_kernel(x, kernel) is numba_winograd.conv_max_pool_forward
    assert kernel_choice.conv_max_pool_kernel(x[..., :1], kernel[:, :, :1]) is None  # thin input: im2col
    assert kernel_choice.conv_max_pool_kernel(x, np.ones((5, 5, C, 4))) is None
    with config.kernels(conv_algorithm="im2col"):
        assert kernel_choice.conv_max_pool_kernel(x, kernel) is None
