"""``ops.conv_transpose`` (built on the conv kernels' input-gradient half) and 3-D depthwise ops against Keras 3.15.1.

A sweep of the transposed convolution's arguments, 1-D, 2-D and 3-D: both
paddings, strides longer than the kernel (output rows no window reaches),
``output_padding``, dilation, channels first; forward outputs (float32,
1e-5) and the gradients of both inputs (JAX's ``grad`` of Keras's op against
minikeras's tape). Then ``depthwise_conv`` and ``separable_conv`` on 3-D
inputs, which Keras's JAX backend accepts. Skips when Keras is not installed.
"""

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")
keras = pytest.importorskip("keras")
jax = pytest.importorskip("jax")

from minikeras import GradientTape  # noqa: E402
from minikeras import ops  # noqa: E402

pytestmark = pytest.mark.layers

RNG = np.random.default_rng(1722)


def _batch(*shape):
    return RNG.uniform(-2.0, 2.0, size=shape).astype("float32")


# (input shape, kernel shape (..., F, C), keyword arguments)
TRANSPOSE_CASES = [
    ((2, 3, 3, 2), (3, 3, 4, 2), dict(strides=2, padding="same")),
    ((2, 3, 4, 2), (2, 3, 3, 2), dict(strides=(3, 2), padding="valid")),  # stride 3 > kernel 2
    ((1, 3, 3, 2), (3, 3, 2, 2), dict(strides=2, padding="valid", output_padding=1)),
    ((1, 3, 2, 2), (3, 2, 2, 2), dict(strides=(2, 3), padding="same", output_padding=(0, 2))),
    ((1, 4, 3, 2), (2, 2, 3, 2), dict(strides=1, padding="same", dilation_rate=2)),
    ((1, 2, 3, 3), (3, 2, 2, 2), dict(strides=2, padding="same", data_format="channels_first")),
    ((2, 4, 3), (3, 2, 3), dict(strides=2, padding="same")),  # 1-D
    ((2, 3, 2), (1, 2, 2), dict(strides=3, padding="valid", output_padding=2)),  # 1-D, kernel 1
    ((1, 2, 2, 3, 2), (2, 3, 2, 3, 2), dict(strides=(3, 2, 1), padding="valid")),  # 3-D
    ((1, 2, 3, 2, 2), (2, 3, 2, 2, 2), dict(strides=(2, 2, 1), padding="same", output_padding=(1, 1, 0))),  # 3-D
]


def test_conv_transpose_matches_keras():
    for x_shape, kernel_shape, kwargs in TRANSPOSE_CASES:
        x, kernel = _batch(*x_shape), _batch(*kernel_shape)
        np.testing.assert_allclose(np.asarray(ops.conv_transpose(x, kernel, **kwargs)),
                                   np.asarray(keras.ops.conv_transpose(x, kernel, **kwargs)), rtol=1e-5, atol=1e-5,
                                   err_msg=f"inputs {x_shape}, kernel {kernel_shape}, {kwargs}")


@pytest.mark.parametrize("case", [1, 3, 9], ids=["2d-stride-over-kernel", "2d-output-padding", "3d"])
def test_conv_transpose_gradients_match_jax(case):
    """The gradients of both inputs: minikeras's tape against JAX's ``grad`` of Keras's op."""
    x_shape, kernel_shape, kwargs = TRANSPOSE_CASES[case]
    x, kernel = _batch(*x_shape), _batch(*kernel_shape)
    x_t, kernel_t = ops.convert_to_tensor(x), ops.convert_to_tensor(kernel)
    with GradientTape() as tape:
        tape.watch([x_t, kernel_t])
        y = ops.conv_transpose(x_t, kernel_t, **kwargs)
        dy = RNG.normal(size=y.shape).astype("float32")
        value = ops.sum(y * dy)
    gradients = jax.grad(lambda a, b: (keras.ops.conv_transpose(a, b, **kwargs) * dy).sum(), argnums=(0, 1))(x, kernel)
    for ours, theirs, name in zip(tape.gradient(value, [x_t, kernel_t]), gradients, ("inputs", "kernel")):
        np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=1e-4, atol=1e-4, err_msg=name)


def test_depthwise_and_separable_conv_in_3d_match_keras():
    x = _batch(1, 4, 3, 5, 2)
    depthwise, pointwise = _batch(2, 2, 3, 2, 2), _batch(1, 1, 1, 4, 3)
    cases = [
        (ops.depthwise_conv(x, depthwise, (2, 1, 2), "same"), keras.ops.depthwise_conv(x, depthwise, (2, 1, 2), "same")),
        (ops.depthwise_conv(x, depthwise, 1, "valid", dilation_rate=(1, 2, 1)),
         keras.ops.depthwise_conv(x, depthwise, 1, "valid", dilation_rate=(1, 2, 1))),
        (ops.separable_conv(x, depthwise, pointwise, 1, "same"),
         keras.ops.separable_conv(x, depthwise, pointwise, 1, "same")),
    ]
    for ours, theirs in cases:
        np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=1e-5, atol=1e-5)
