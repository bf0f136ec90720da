"""Transposed-convolution kernels (Numba CPU and CUDA) against ``kernels/reference.py``.

The reference is checked twice, without the fast kernels: it is the input
gradient of the reference convolution (``<conv(v, k), x> = <v, conv_transpose(x, k)>``
for any ``v`` and ``x``), and it equals the textbook recipe (spread the input
with zeros, pad it, convolve at stride 1 with the flipped kernel). Then a
seeded sweep of random shapes, strides, paddings (negative ``bottom`` /
``right`` included: Keras's ``output_padding``) and dilations: the forward
pass (with and without bias and ReLU) and the three gradients of every
``device`` of ``conftest.py`` must equal the reference to float rounding.
"""

import numpy as np
import pytest

from minikeras.kernels import reference

pytestmark = pytest.mark.kernels

TOLERANCE = dict(rtol=1e-10, atol=1e-12)


def _case(seed, dtype=np.float64):
    """x (N, H, W, C), kernel (KH, KW, F, C), bias (F,) and the geometry of one random transposed convolution.

    Tiny sizes (the CUDA simulator runs one Python thread per output element).
    ``top`` stays below the span; ``bottom`` may be negative, down to ``1 - stride``.
    """
    rng = np.random.default_rng(seed)
    N, H, W, C, F = (int(value) for value in rng.integers(1, [3, 5, 5, 4, 4]))
    window = tuple(int(value) for value in rng.integers(1, 4, 2))
    strides = tuple(int(value) for value in rng.integers(1, 4, 2))
    dilation = tuple(int(value) for value in rng.integers(1, 3, 2))
    padding = []
    for size, length, stride, step in zip((H, W), window, strides, dilation):
        span = (length - 1) * step + 1
        top, bottom = int(rng.integers(0, span)), int(rng.integers(1 - stride, span))
        while (size - 1) * stride + span - top - bottom < 1:  # keep at least one output row
            top, bottom = max(top - 1, 0), bottom - 1
        padding.append((top, bottom))
    x = rng.standard_normal((N, H, W, C)).astype(dtype)
    kernel = rng.standard_normal(window + (F, C)).astype(dtype)
    bias = rng.standard_normal(F).astype(dtype)
    return x, kernel, bias, dict(strides=strides, padding=tuple(padding), dilation=dilation)


def _textbook(x, kernel, strides, padding, dilation):
    """Spread x with ``stride - 1`` zeros, pad by ``span - 1 - pad``, convolve with the flipped kernel."""
    N, H, W, C = x.shape
    (SH, SW), (DH, DW) = strides, dilation
    spread = np.zeros((N, (H - 1) * SH + 1, (W - 1) * SW + 1, C))
    spread[:, ::SH, ::SW] = x
    spans = ((kernel.shape[0] - 1) * DH + 1, (kernel.shape[1] - 1) * DW + 1)
    pads = [(span - 1 - before, span - 1 - after) for span, (before, after) in zip(spans, padding)]
    # A pad below zero cuts cells instead: pad by the positive part, then cut.
    padded = np.pad(spread, ((0, 0), (max(pads[0][0], 0), max(pads[0][1], 0)),
                             (max(pads[1][0], 0), max(pads[1][1], 0)), (0, 0)))
    padded = padded[:, : padded.shape[1] + min(pads[0][1], 0), : padded.shape[2] + min(pads[1][1], 0)]
    flipped = kernel[::-1, ::-1].transpose(0, 1, 3, 2)  # (KH, KW, F, C) -> flipped (KH, KW, C, F)
    return reference.conv_forward(padded, flipped, strides=(1, 1), padding=((0, 0), (0, 0)), dilation=dilation)


@pytest.mark.parametrize("seed", range(1, 5))
def test_reference_is_the_input_gradient_of_the_convolution(seed):
    x, kernel, _, geometry = _case(seed)
    y = reference.conv_transpose_forward(x, kernel, **geometry)
    v = np.random.default_rng(seed + 50).standard_normal(y.shape)  # any input of the convolution
    padding = tuple((top, max(bottom, 0)) for top, bottom in geometry["padding"])
    cut = v[:, : v.shape[1] + min(geometry["padding"][0][1], 0), : v.shape[2] + min(geometry["padding"][1][1], 0)]
    convolved = reference.conv_forward(cut, kernel, strides=geometry["strides"], padding=padding,
                                       dilation=geometry["dilation"])  # (N, OH, OW, F) -> (N, H, W, C)
    np.testing.assert_allclose(np.sum(convolved * x), np.sum(v * y), rtol=1e-10)
    np.testing.assert_allclose(y, _textbook(x, kernel, **geometry), **TOLERANCE)


@pytest.mark.parametrize("relu, with_bias", [(False, False), (True, True)], ids=["plain", "bias-relu"])
@pytest.mark.parametrize("seed", range(1, 5))
def test_kernels_match_reference(device, seed, with_bias, relu):
    x, kernel, bias, geometry = _case(seed)
    bias = bias if with_bias else None
    expected = reference.conv_transpose_forward(x, kernel, bias, relu, **geometry)
    dy = np.random.default_rng(seed + 100).standard_normal(expected.shape)
    expected_gradients = reference.conv_transpose_backward(x, expected, dy, kernel, relu, **geometry)
    dev, kernels = device.to_device, device.conv
    y = kernels.conv_transpose_forward(dev(x), dev(kernel), None if bias is None else dev(bias), relu, **geometry)
    np.testing.assert_allclose(device.to_numpy(y), expected, **TOLERANCE)
    gradients = kernels.conv_transpose_backward(dev(x), y, dev(dy), dev(kernel), relu, **geometry)
    for got, want, name in zip(gradients, expected_gradients, ("dx", "dkernel", "dbias")):
        np.testing.assert_allclose(device.to_numpy(got), want, err_msg=name, **TOLERANCE)


def test_float32_keeps_dtype_and_need_flags(device):
    x, kernel, bias, geometry = _case(7, np.float32)
    dev, kernels = device.to_device, device.conv
    y = kernels.conv_transpose_forward(dev(x), dev(kernel), dev(bias), True, **geometry)
    assert y.dtype == np.float32
    expected = reference.conv_transpose_forward(x, kernel, bias, True, **geometry)
    np.testing.assert_allclose(device.to_numpy(y), expected, rtol=1e-5, atol=1e-5)
    ones = dev(np.ones_like(expected))
    dx, dkernel, dbias = kernels.conv_transpose_backward(dev(x), y, ones, dev(kernel), True, **geometry)
    assert dx.dtype == dkernel.dtype == dbias.dtype == np.float32
    dx, dkernel, _ = kernels.conv_transpose_backward(dev(x), y, ones, dev(kernel), True, **geometry,
                                                     need_input=False, need_kernel=False)
    assert dx is None and dkernel is None
