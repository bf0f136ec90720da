"""Depthwise convolution kernels (Numba CPU and CUDA) against ``kernels/depthwise_reference.py``.

A seeded sweep of random shapes, depth multipliers, strides, explicit
paddings and dilations: the forward pass (with and without bias and ReLU)
and the three gradients must equal the reference to float rounding, on
every ``device`` of ``conftest.py`` (the CUDA kernels in Numba's simulator
with ``NUMBA_ENABLE_CUDASIM=1``). The reference itself is checked against
the full convolution: a depthwise convolution is a full one whose kernel is
zero between different channels.
"""

import numpy as np
import pytest

from minikeras.kernels import depthwise_reference
from minikeras.kernels import reference
from tests.kernels.conftest import random_geometry

pytestmark = pytest.mark.kernels

TOLERANCE = dict(rtol=1e-10, atol=1e-12)


def _case(seed, dtype=np.float64):
    """x, kernel (KH, KW, C, M), bias, and the geometry of one random depthwise convolution."""
    rng = np.random.default_rng(seed)
    shape, window, strides, padding, dilation = random_geometry(rng)
    x = rng.standard_normal(shape).astype(dtype)
    kernel = rng.standard_normal(window + (shape[3], int(rng.integers(1, 4)))).astype(dtype)
    bias = rng.standard_normal(shape[3] * kernel.shape[3]).astype(dtype)
    return x, kernel, bias, dict(strides=strides, padding=padding, dilation=dilation)


def test_reference_is_a_full_convolution_with_a_block_diagonal_kernel():
    x, kernel, _, geometry = _case(5)
    KH, KW, C, M = kernel.shape
    full = np.zeros((KH, KW, C, C * M))  # input channel c feeds only outputs c*M .. c*M + M - 1
    for c in range(C):
        full[:, :, c, c * M:(c + 1) * M] = kernel[:, :, c, :]
    np.testing.assert_allclose(depthwise_reference.depthwise_conv_forward(x, kernel, **geometry),
                               reference.conv_forward(x, full, **geometry), **TOLERANCE)


@pytest.mark.parametrize("relu, with_bias", [(False, False), (True, True)], ids=["plain", "bias-relu"])
@pytest.mark.parametrize("seed", range(6))
def test_kernels_match_reference(device, seed, with_bias, relu):
    x, kernel, bias, geometry = _case(seed)
    bias = bias if with_bias else None
    expected = depthwise_reference.depthwise_conv_forward(x, kernel, bias, relu, **geometry)
    dy = np.random.default_rng(seed + 100).standard_normal(expected.shape)
    expected_gradients = depthwise_reference.depthwise_conv_backward(x, expected, dy, kernel, relu, **geometry)
    dev, kernels = device.to_device, device.depthwise
    y = kernels.depthwise_conv_forward(dev(x), dev(kernel), None if bias is None else dev(bias), relu, **geometry)
    np.testing.assert_allclose(device.to_numpy(y), expected, **TOLERANCE)
    gradients = kernels.depthwise_conv_backward(dev(x), y, dev(dy), dev(kernel), relu, **geometry)
    for got, want, name in zip(gradients, expected_gradients, ("dx", "dkernel", "dbias")):
        np.testing.assert_allclose(device.to_numpy(got), want, err_msg=name, **TOLERANCE)


def test_float32_keeps_dtype_and_need_flags(device):
    x, kernel, bias, geometry = _case(3, np.float32)
    dev, kernels = device.to_device, device.depthwise
    y = kernels.depthwise_conv_forward(dev(x), dev(kernel), dev(bias), True, **geometry)
    assert y.dtype == np.float32
    expected = depthwise_reference.depthwise_conv_forward(x, kernel, bias, True, **geometry)
    np.testing.assert_allclose(device.to_numpy(y), expected, rtol=1e-5, atol=1e-5)
    ones = dev(np.ones_like(expected))
    dx, dkernel, dbias = kernels.depthwise_conv_backward(dev(x), y, ones, dev(kernel), True, **geometry)
    assert dx.dtype == dkernel.dtype == dbias.dtype == np.float32
    dx, dkernel, _ = kernels.depthwise_conv_backward(dev(x), y, ones, dev(kernel), True, **geometry,
                                                     need_input=False, need_kernel=False)
    assert dx is None and dkernel is None
