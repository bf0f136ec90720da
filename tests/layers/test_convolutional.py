"""Conv1D and Conv2D: a loop-by-loop NumPy convolution, the harness, gradients, errors."""

import numpy as np
import pytest

from minikeras import layers
from tests.layers.harness import check_layer
from tests.layers.harness import check_layer_gradients
from tests.layers.harness import random_batch


def numpy_conv2d(x, kernel, bias, stride=1, pad=((0, 0), (0, 0)), dilation=1):
    """out[n, i, j, f] = sum_{a, b, c} x[n, i*s + a*d, j*s + b*d, c] * kernel[a, b, c, f] + bias[f]."""
    x = np.pad(x, ((0, 0),) + tuple(pad) + ((0, 0),))
    kh, kw, _, filters = kernel.shape
    out_h = (x.shape[1] - (kh - 1) * dilation - 1) // stride + 1
    out_w = (x.shape[2] - (kw - 1) * dilation - 1) // stride + 1
    out = np.zeros((x.shape[0], out_h, out_w, filters))
    for i in range(out_h):
        for j in range(out_w):
            for a in range(kh):
                for b in range(kw):
                    out[:, i, j, :] += x[:, i * stride + a * dilation, j * stride + b * dilation, :] @ kernel[a, b]
    return out + bias


def test_conv2d_by_hand_on_a_tiny_image():
    layer = layers.Conv2D(1, 2, use_bias=False)
    x = np.arange(9, dtype="float32").reshape(1, 3, 3, 1)
    layer(x)
    layer.set_weights([np.array([1.0, 0.0, 0.0, -1.0]).reshape(2, 2, 1, 1)])
    # each output is top-left minus bottom-right: x[i, j] - x[i+1, j+1] = -4
    np.testing.assert_allclose(np.asarray(layer(x))[0, :, :, 0], [[-4.0, -4.0], [-4.0, -4.0]])


@pytest.mark.parametrize("kwargs, pad", [
    ({}, ((0, 0), (0, 0))),
    ({"strides": 2}, ((0, 0), (0, 0))),
    ({"padding": "same"}, ((1, 1), (1, 1))),
    ({"padding": "same", "strides": 2}, ((0, 1), (0, 1))),  # 6 -> 3: "same" pads after first
    ({"dilation_rate": 2}, ((0, 0), (0, 0))),
])
def test_conv2d_matches_the_numpy_loops(kwargs, pad):
    layer = layers.Conv2D(4, 3, activation="relu", **kwargs)
    x = random_batch((2, 6, 6, 3))
    output = np.asarray(layer(x))
    kernel, bias = layer.get_weights()
    expected = numpy_conv2d(x, kernel, bias, kwargs.get("strides", 1), pad, kwargs.get("dilation_rate", 1))
    np.testing.assert_allclose(output, np.maximum(expected, 0), rtol=1e-5, atol=1e-5)


def test_conv1d_is_conv2d_on_a_one_row_image_and_causal_pads_the_past():
    layer = layers.Conv1D(2, 3, padding="causal")
    x = random_batch((2, 5, 3))
    output = np.asarray(layer(x))
    kernel, bias = layer.get_weights()
    expected = numpy_conv2d(x[:, None], kernel[None], bias, pad=((0, 0), (2, 0)))[:, 0]
    np.testing.assert_allclose(output, expected, rtol=1e-5, atol=1e-5)
    assert output.shape == (2, 5, 2)


@pytest.mark.parametrize("make_layer, shape, output_shape", [
    (lambda: layers.Conv2D(4, 3, activation="relu"), (2, 7, 7, 2), (2, 5, 5, 4)),
    (lambda: layers.Conv2D(4, (3, 2), strides=2, padding="same"), (2, 7, 7, 2), (2, 4, 4, 4)),
    (lambda: layers.Conv1D(3, 2, dilation_rate=2), (2, 8, 2), (2, 6, 3)),
])
def test_harness(make_layer, shape, output_shape):
    check_layer(make_layer, random_batch(shape), output_shape, 2)


def test_kernel_shape_and_fans_follow_keras():
    layer = layers.Conv2D(8, 3)
    layer(np.zeros((1, 5, 5, 2), "float32"))
    assert layer.kernel.shape == (3, 3, 2, 8) and layer.bias.shape == (8,)
    assert np.abs(layer.kernel.numpy()).max() <= np.sqrt(6 / (18 + 72))


def test_conv_gradients_float64():
    check_layer_gradients(layers.Conv2D(2, 2, strides=2, padding="same", activation="tanh",
                                        dtype="float64"), random_batch((2, 5, 5, 2)))
    check_layer_gradients(layers.Conv1D(2, 3, padding="causal", dtype="float64"), random_batch((2, 6, 2)))


@pytest.mark.parametrize("activation", ["relu", None, "tanh"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_fused_and_general_paths_agree(activation, data_format):
    """relu or no activation: one Conv op with the bias (and ReLU); otherwise Conv, then the activation. Same numbers."""
    from minikeras import GradientTape
    from minikeras import ops

    x = random_batch((2, 6, 6, 3))
    layer = layers.Conv2D(4, 3, activation=activation, data_format=data_format, dtype="float64")
    with GradientTape() as tape:
        y = layer(x if data_format == "channels_last" else np.transpose(x, (0, 3, 1, 2)))
        loss = ops.sum(y * y)
    gradients = tape.gradient(loss, [layer.kernel, layer.bias])
    if data_format == "channels_first":
        y = ops.transpose(y, (0, 2, 3, 1))
    expected = numpy_conv2d(x, layer.kernel.numpy(), layer.bias.numpy())
    expected = {"relu": np.maximum(expected, 0), None: expected, "tanh": np.tanh(expected)}[activation]
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-12, atol=1e-12)
    assert all(gradient is not None for gradient in gradients)


def test_fused_conv_gradients_float64():
    check_layer_gradients(layers.Conv2D(3, 3, activation="relu", dtype="float64"), random_batch((2, 5, 5, 2)))
    check_layer_gradients(layers.Conv1D(2, 3, padding="causal", activation="relu", dtype="float64"),
                          random_batch((2, 6, 2)))


def test_bad_inputs_and_arguments():
    layer = layers.Conv2D(2, 3, name="conv")
    with pytest.raises(ValueError, match="expected min_ndim=4, found ndim=3"):
        layer(np.zeros((1, 5, 5), "float32"))
    layer(np.zeros((1, 5, 5, 3), "float32"))
    with pytest.raises(ValueError, match=r"layer 'conv'.*expected axis -1 of input shape to have value 3"):
        layer(np.zeros((1, 5, 5, 1), "float32"))
    with pytest.raises(ValueError, match="filters must be evenly divisible by the number of groups"):
        layers.Conv2D(6, 3, groups=4)
    with pytest.raises(ValueError, match="number of groups must be a positive integer"):
        layers.Conv2D(6, 3, groups=0)
    with pytest.raises(ValueError, match="input channels must be evenly divisible.*groups=2.*5 channels"):
        layers.Conv2D(6, 3, groups=2)(np.zeros((1, 5, 5, 5), "float32"))
    with pytest.raises(ValueError, match="`padding` argument must be one of"):
        layers.Conv2D(4, 3, padding="causal")
    with pytest.raises(ValueError, match="`kernel_size` argument must be a tuple of 2"):
        layers.Conv2D(4, (3, 3, 3))
    with pytest.raises(ValueError, match="Computed output size would be zero or negative"):
        layers.Conv2D(2, 5).compute_output_shape((None, 3, 3, 1))


def test_two_groups_see_only_their_own_channels():
    """groups=2: the first two filters read channels 0-1 only, the last two channels 2-3 only."""
    layer = layers.Conv2D(4, 1, groups=2, use_bias=False)
    x = np.zeros((1, 2, 2, 4), "float32")
    x[..., 0] = 1.0  # only channel 0 is on
    layer(x)
    assert layer.kernel.shape == (1, 1, 2, 4)
    layer.set_weights([np.ones((1, 1, 2, 4), "float32")])
    np.testing.assert_array_equal(np.asarray(layer(x))[0, 0, 0], [1.0, 1.0, 0.0, 0.0])


def test_grouped_and_3d_harness_and_gradients():
    check_layer(lambda: layers.Conv1D(4, 3, groups=2, padding="same"), random_batch((2, 5, 4)), (2, 5, 4), 2)
    check_layer(lambda: layers.Conv3D(2, 2, strides=(1, 2, 2)), random_batch((2, 3, 4, 4, 2)), (2, 2, 2, 2, 2), 2)
    check_layer_gradients(layers.Conv3D(2, (2, 1, 2), groups=2, padding="same", dtype="float64"),
                          random_batch((1, 2, 3, 3, 2)))
