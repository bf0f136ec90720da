"""A transposed convolution is the input gradient of a convolution, checked on random shapes."""

import numpy as np
import pytest

from minikeras import GradientTape
from minikeras import ops

pytestmark = pytest.mark.engine


@pytest.mark.parametrize("image, kernel_size, stride, padding", [
    ((2, 6, 6, 3), (3, 3), 2, "same"),
    ((1, 7, 5, 2), (3, 2), 2, "valid"),
    ((2, 5, 5, 2), (2, 2), 1, "valid"),
    ((1, 9, 9, 1), (3, 3), 3, "same"),
])
def test_conv_transpose_is_the_input_gradient_of_conv(image, kernel_size, stride, padding):
    rng = np.random.default_rng(0)
    x = ops.convert_to_tensor(rng.normal(size=image))
    kernel = rng.normal(size=kernel_size + (image[-1], 4))  # a convolution from C to F = 4 channels
    y = ops.conv(x, kernel, strides=stride, padding=padding)
    dy = rng.normal(size=y.shape)
    with GradientTape() as tape:
        tape.watch(x)
        value = ops.sum(ops.multiply(ops.conv(x, kernel, strides=stride, padding=padding), dy))
    gradient = np.asarray(tape.gradient(value, x))
    # The same (KH, KW, C, F) array, read by conv_transpose as (KH, KW, F_out = C, C_in = F).
    extra = tuple(size - ((out - 1) * stride + max(k, stride)) if padding == "valid" else size - out * stride
                  for size, out, k in zip(image[1:3], y.shape[1:3], kernel_size))
    transposed = ops.conv_transpose(dy, kernel, strides=stride, padding=padding,
                                    output_padding=None if extra == (0, 0) else extra)
    np.testing.assert_allclose(np.asarray(transposed), gradient, rtol=1e-10, atol=1e-10)
