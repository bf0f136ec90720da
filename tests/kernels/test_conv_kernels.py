"""Convolution kernels (NumPy im2col, Numba, CuPy) against ``kernels/reference.py``.

A seeded sweep of random shapes, strides, explicit paddings and dilations:
the forward pass (with and without bias and ReLU) and the three gradients
must equal the reference to float rounding. Winograd has its own file.
"""

import numpy as np
import pytest

from minikeras.kernels import numba_conv
from minikeras.kernels import reference
from tests.kernels.conftest import random_geometry

pytestmark = pytest.mark.kernels

CASES = list(range(12))  # seeds of the sweep
TOLERANCE = dict(rtol=1e-10, atol=1e-12)


def _case(seed, dtype):
    """x, kernel, bias, and the keyword arguments (strides, padding, dilation) of one random convolution."""
    rng = np.random.default_rng(seed)
    shape, window, strides, padding, dilation = random_geometry(rng)
    x = rng.standard_normal(shape).astype(dtype)
    kernel = rng.standard_normal(window + (shape[3], int(rng.integers(1, 5)))).astype(dtype)
    bias = rng.standard_normal(kernel.shape[3]).astype(dtype)
    return x, kernel, bias, dict(strides=strides, padding=padding, dilation=dilation)


@pytest.mark.parametrize("relu", [False, True], ids=["linear", "relu"])
@pytest.mark.parametrize("with_bias", [False, True], ids=["no-bias", "bias"])
@pytest.mark.parametrize("seed", CASES)
def test_conv_matches_reference(conv_device, seed, with_bias, relu):
    x, kernel, bias, geometry = _case(seed, np.float64)
    bias = bias if with_bias else None
    expected = reference.conv_forward(x, kernel, bias, relu, **geometry)
    dy = np.random.default_rng(seed + 100).standard_normal(expected.shape)
    expected_gradients = reference.conv_backward(x, expected, dy, kernel, relu, **geometry)
    dev, kernels = conv_device.to_device, conv_device.conv
    y = kernels.conv_forward(dev(x), dev(kernel), None if bias is None else dev(bias), relu, **geometry)
    np.testing.assert_allclose(conv_device.to_numpy(y), expected, **TOLERANCE)
    gradients = kernels.conv_backward(dev(x), y, dev(dy), dev(kernel), relu, **geometry)
    for got, want, name in zip(gradients, expected_gradients, ("dx", "dkernel", "dbias")):
        np.testing.assert_allclose(conv_device.to_numpy(got), want, err_msg=name, **TOLERANCE)


def test_conv_float32_keeps_dtype(conv_device):
    x, kernel, bias, geometry = _case(3, np.float32)
    dev = conv_device.to_device
    y = conv_device.conv.conv_forward(dev(x), dev(kernel), dev(bias), True, **geometry)
    assert y.dtype == np.float32
    expected = reference.conv_forward(x, kernel, bias, True, **geometry)
    np.testing.assert_allclose(conv_device.to_numpy(y), expected, rtol=1e-5, atol=1e-5)
    dx, dkernel, dbias = conv_device.conv.conv_backward(dev(x), y, dev(np.ones_like(expected)), dev(kernel), True,
                                                        **geometry)
    assert dx.dtype == dkernel.dtype == dbias.dtype == np.float32


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_conv_backward_gives_the_gradients_asked_for(conv_device, seed):
    """``need_input`` / ``need_kernel`` off: that gradient is None, the others unchanged."""
    x, kernel, bias, geometry = _case(seed, np.float64)
    y = reference.conv_forward(x, kernel, bias, False, **geometry)
    dy = np.random.default_rng(seed).standard_normal(y.shape)
    dev = conv_device.to_device
    _, expected_dkernel, expected_dbias = reference.conv_backward(x, y, dy, kernel, False, **geometry)
    dx, dkernel, dbias = conv_device.conv.conv_backward(dev(x), None, dev(dy), dev(kernel), False, **geometry,
                                                        need_input=False)
    assert dx is None
    np.testing.assert_allclose(conv_device.to_numpy(dkernel), expected_dkernel, **TOLERANCE)
    np.testing.assert_allclose(conv_device.to_numpy(dbias), expected_dbias, **TOLERANCE)
    assert conv_device.conv.conv_backward(dev(x), None, dev(dy), dev(kernel), False, **geometry,
                                          need_kernel=False)[1] is None


def test_blocks_give_the_same_answer(monkeypatch):
    """With a tiny block budget the batch is cut into one-image blocks: same numbers."""
    x, kernel, bias, geometry = _case(5, np.float64)
    x = np.concatenate([x] * 3)  # at least three images, so there are several blocks
    y = numba_conv.conv_forward(x, kernel, bias, True, **geometry)
    dy = np.ones_like(y)
    expected = (y,) + numba_conv.conv_backward(x, y, dy, kernel, True, **geometry)
    monkeypatch.setattr(numba_conv, "BLOCK_BYTES", 1)
    assert len(numba_conv._blocks(x.shape[0], 4, 4)[1]) == x.shape[0]
    y = numba_conv.conv_forward(x, kernel, bias, True, **geometry)
    for got, want in zip((y,) + numba_conv.conv_backward(x, y, dy, kernel, True, **geometry), expected):
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_reference_conv_by_hand():
    """A 3x3 image of 1..9, a 2x2 kernel of ones: each output sums a 2x2 window."""
    x = np.arange(1.0, 10.0).reshape(1, 3, 3, 1)
    kernel = np.ones((2, 2, 1, 1))
    y = reference.conv_forward(x, kernel)
    np.testing.assert_array_equal(y[0, :, :, 0], [[12.0, 16.0], [24.0, 28.0]])


def test_reference_conv_bias_relu_by_hand():
    """The same image and kernel, bias -13 and a ReLU: the 12 becomes 0 and lets no gradient through."""
    x = np.arange(1.0, 10.0).reshape(1, 3, 3, 1)
    kernel, bias = np.ones((2, 2, 1, 1)), np.array([-13.0])
    y = reference.conv_forward(x, kernel, bias, relu=True)
    np.testing.assert_array_equal(y[0, :, :, 0], [[0.0, 3.0], [11.0, 15.0]])
    dx, dkernel, dbias = reference.conv_backward(x, y, np.ones_like(y), kernel, relu=True)
    np.testing.assert_array_equal(dbias, [3.0])  # three cells passed the ReLU
    np.testing.assert_array_equal(dkernel[:, :, 0, 0], [[2 + 4 + 5, 3 + 5 + 6], [5 + 7 + 8, 6 + 8 + 9]])
    np.testing.assert_array_equal(dx[0, :, :, 0], [[0, 1, 1], [1, 3, 2], [1, 2, 1]])
