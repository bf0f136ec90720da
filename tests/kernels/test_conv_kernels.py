"""Convolution kernels (Numba, CuPy) against ``kernels/reference.py``.

A seeded sweep of random shapes, strides, explicit paddings and dilations:
forward, gradient wrt the input and gradient wrt the kernel must equal the
reference to float rounding.
"""

import numpy as np
import pytest

from minikeras.kernels import numba_conv
from minikeras.kernels import reference
from tests.kernels.conftest import random_geometry

pytestmark = pytest.mark.kernels

CASES = list(range(12))  # seeds of the sweep


def _case(seed, dtype):
    rng = np.random.default_rng(seed)
    shape, window, strides, padding, dilation = random_geometry(rng)
    x = rng.standard_normal(shape).astype(dtype)
    kernel = rng.standard_normal(window + (shape[3], int(rng.integers(1, 5)))).astype(dtype)
    return x, kernel, strides, padding, dilation


@pytest.mark.parametrize("seed", CASES)
def test_conv_matches_reference(device, seed):
    x, kernel, strides, padding, dilation = _case(seed, np.float64)
    args = (strides, padding, dilation)
    expected = reference.conv_forward(x, kernel, *args)
    dy = np.random.default_rng(seed + 100).standard_normal(expected.shape)
    dev = device.to_device
    y = device.kernels.conv_forward(dev(x), dev(kernel), *args)
    dx = device.kernels.conv_backward_input(dev(dy), dev(kernel), x.shape, *args)
    dkernel = device.kernels.conv_backward_kernel(dev(x), dev(dy), kernel.shape, *args)
    np.testing.assert_allclose(device.to_numpy(y), expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(device.to_numpy(dx), reference.conv_backward_input(dy, kernel, x.shape, *args), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(device.to_numpy(dkernel), reference.conv_backward_kernel(x, dy, kernel.shape, *args), rtol=1e-10, atol=1e-12)


def test_conv_float32_keeps_dtype(device):
    x, kernel, strides, padding, dilation = _case(3, np.float32)
    args = (strides, padding, dilation)
    y = device.kernels.conv_forward(device.to_device(x), device.to_device(kernel), *args)
    assert y.dtype == np.float32
    np.testing.assert_allclose(device.to_numpy(y), reference.conv_forward(x, kernel, *args), rtol=1e-5, atol=1e-5)


def test_blocks_give_the_same_answer(monkeypatch):
    """With a tiny block budget the batch is cut into one-image blocks: same numbers."""
    x, kernel, strides, padding, dilation = _case(5, np.float64)
    x = np.concatenate([x] * 3)  # at least three images, so there are several blocks
    args = (strides, padding, dilation)
    expected = numba_conv.conv_forward(x, kernel, *args)
    dy = np.ones_like(expected)
    expected_dx = numba_conv.conv_backward_input(dy, kernel, x.shape, *args)
    expected_dw = numba_conv.conv_backward_kernel(x, dy, kernel.shape, *args)
    monkeypatch.setattr(numba_conv, "BLOCK_BYTES", 1)
    assert len(numba_conv._blocks(x.shape[0], 4, 4)[1]) == x.shape[0]
    np.testing.assert_allclose(numba_conv.conv_forward(x, kernel, *args), expected, rtol=1e-12)
    np.testing.assert_allclose(numba_conv.conv_backward_input(dy, kernel, x.shape, *args), expected_dx, rtol=1e-12)
    np.testing.assert_allclose(numba_conv.conv_backward_kernel(x, dy, kernel.shape, *args), expected_dw, rtol=1e-12)


def test_reference_conv_by_hand():
    """A 3x3 image of 1..9, a 2x2 kernel of ones: each output sums a 2x2 window."""
    x = np.arange(1.0, 10.0).reshape(1, 3, 3, 1)
    kernel = np.ones((2, 2, 1, 1))
    y = reference.conv_forward(x, kernel, (1, 1), ((0, 0), (0, 0)), (1, 1))
    np.testing.assert_array_equal(y[0, :, :, 0], [[12.0, 16.0], [24.0, 28.0]])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_conv_backward_gives_the_gradients_asked_for(device, seed):
    """``conv_backward`` (what the op calls) returns what the two single functions return, or None."""
    x, kernel, strides, padding, dilation = _case(seed, np.float64)
    args = (strides, padding, dilation)
    dy = np.random.default_rng(seed).standard_normal(reference.conv_forward(x, kernel, *args).shape)
    dev = device.to_device
    dx, dkernel = device.kernels.conv_backward(dev(x), dev(dy), dev(kernel), *args)
    np.testing.assert_allclose(device.to_numpy(dx), reference.conv_backward_input(dy, kernel, x.shape, *args), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(device.to_numpy(dkernel), reference.conv_backward_kernel(x, dy, kernel.shape, *args), rtol=1e-10, atol=1e-12)
    assert device.kernels.conv_backward(dev(x), dev(dy), dev(kernel), *args, need_input=False)[0] is None
    assert device.kernels.conv_backward(dev(x), dev(dy), dev(kernel), *args, need_kernel=False)[1] is None


def test_reference_conv_bias_by_hand():
    """The same image and kernel, bias -13 and a ReLU: the 12 becomes 0 and lets no gradient through."""
    x = np.arange(1.0, 10.0).reshape(1, 3, 3, 1)
    kernel, bias = np.ones((2, 2, 1, 1)), np.array([-13.0])
    args = ((1, 1), ((0, 0), (0, 0)), (1, 1))
    y = reference.conv_bias_forward(x, kernel, bias, *args, relu=True)
    np.testing.assert_array_equal(y[0, :, :, 0], [[0.0, 3.0], [11.0, 15.0]])
    dx, dkernel, dbias = reference.conv_bias_backward(x, y, np.ones_like(y), kernel, *args, relu=True)
    np.testing.assert_array_equal(dbias, [3.0])  # three cells passed the ReLU
    np.testing.assert_array_equal(dkernel[:, :, 0, 0], [[2 + 4 + 5, 3 + 5 + 6], [5 + 7 + 8, 6 + 8 + 9]])
    np.testing.assert_array_equal(dx[0, :, :, 0], [[0, 1, 1], [1, 3, 2], [1, 2, 1]])


def _winograd_case(seed, dtype):
    """A 3x3, stride-1 case with enough channels for ``numba_cpu`` to take Winograd."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, int(rng.integers(5, 12)), int(rng.integers(5, 12)), 16)).astype(dtype)
    kernel = rng.standard_normal((3, 3, 16, int(rng.integers(1, 6)))).astype(dtype)
    padding = tuple((int(rng.integers(0, 2)), int(rng.integers(0, 2))) for _ in range(2))
    return x, kernel, (1, 1), padding, (1, 1)


@pytest.mark.parametrize("relu", [False, True], ids=["linear", "relu"])
@pytest.mark.parametrize("case", [("im2col", seed) for seed in range(6)] + [("winograd", seed) for seed in range(3)],
                         ids=lambda case: f"{case[0]}-{case[1]}")
def test_conv_bias_matches_reference(device, case, relu):
    """The fused conv + bias (+ ReLU) and its three gradients, on both CPU algorithms."""
    algorithm, seed = case
    x, kernel, strides, padding, dilation = (_case if algorithm == "im2col" else _winograd_case)(seed, np.float64)
    args = (strides, padding, dilation)
    rng = np.random.default_rng(seed + 200)
    bias = rng.standard_normal(kernel.shape[3])
    expected = reference.conv_bias_forward(x, kernel, bias, *args, relu=relu)
    dy = rng.standard_normal(expected.shape)
    dev = device.to_device
    y = device.kernels.conv_bias_forward(dev(x), dev(kernel), dev(bias), *args, relu=relu)
    np.testing.assert_allclose(device.to_numpy(y), expected, rtol=1e-10, atol=1e-12)
    gradients = device.kernels.conv_bias_backward(dev(x), y, dev(dy), dev(kernel), *args, relu=relu)
    expected_gradients = reference.conv_bias_backward(x, expected, dy, kernel, *args, relu=relu)
    for got, want, name in zip(gradients, expected_gradients, ("dx", "dkernel", "dbias")):
        np.testing.assert_allclose(device.to_numpy(got), want, rtol=1e-10, atol=1e-12, err_msg=name)
    dx, dkernel, _ = device.kernels.conv_bias_backward(dev(x), y, dev(dy), dev(kernel), *args, relu=relu,
                                                       need_input=False, need_kernel=False)
    assert dx is None and dkernel is None
