"""Grouped, 3-D, depthwise and separable convolutions against Keras 3.15.1.

Same weights give the same outputs (float32, 1e-5); configs have Keras's
keys in Keras's order and rebuild each other's layers; the weights have
Keras's names and order; a MobileNet-style block saved by one library loads
in the other. Skips when Keras is not installed.
"""

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")
keras = pytest.importorskip("keras")

import minikeras  # noqa: E402
from minikeras import layers  # noqa: E402
from minikeras import ops  # noqa: E402

pytestmark = pytest.mark.layers

RNG = np.random.default_rng(1717)


def _batch(*shape):
    return RNG.uniform(-2.0, 2.0, size=shape).astype("float32")


# (class name, constructor kwargs, input)
CASES = [
    ("Conv2D", {"filters": 4, "kernel_size": 3, "groups": 2, "padding": "same", "activation": "relu"},
     _batch(2, 5, 5, 4)),
    ("Conv1D", {"filters": 6, "kernel_size": 2, "groups": 3, "strides": 2}, _batch(2, 7, 3)),
    ("Conv3D", {"filters": 4, "kernel_size": (2, 3, 2), "strides": (1, 2, 1), "padding": "same", "groups": 2,
                "data_format": "channels_first"}, _batch(1, 2, 3, 5, 4)),
    ("Conv3DTranspose", {"filters": 3, "kernel_size": (2, 2, 3), "strides": (2, 1, 2), "padding": "same",
                         "output_padding": (1, 0, 1)}, _batch(1, 2, 2, 3, 2)),
    ("DepthwiseConv2D", {"kernel_size": (2, 3), "strides": 2, "padding": "same", "depth_multiplier": 2,
                         "activation": "relu"}, _batch(2, 5, 6, 3)),
    ("DepthwiseConv1D", {"kernel_size": 2, "dilation_rate": 2, "depth_multiplier": 3,
                         "data_format": "channels_first"}, _batch(2, 2, 7)),
    ("SeparableConv2D", {"filters": 3, "kernel_size": 2, "strides": 2, "depth_multiplier": 2,
                         "activation": "tanh", "data_format": "channels_first"}, _batch(1, 2, 5, 4)),
    ("SeparableConv1D", {"filters": 2, "kernel_size": 3, "dilation_rate": 2, "padding": "same"}, _batch(2, 8, 3)),
]
IDS = [f"{case[0]}-{index}" for index, case in enumerate(CASES)]


def _plain(value):
    """Tuples and lists compare equal (JSON makes both lists)."""
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


@pytest.mark.parametrize("class_name, kwargs, inputs", CASES, ids=IDS)
def test_same_weights_same_outputs_and_weight_names(class_name, kwargs, inputs):
    ours = getattr(layers, class_name)(**kwargs)
    theirs = getattr(keras.layers, class_name)(**kwargs)
    ours(inputs)
    theirs(inputs)
    assert [(w.name, tuple(w.shape)) for w in ours.weights] == [(w.name, tuple(w.shape)) for w in theirs.weights]
    weights = [RNG.normal(size=w.shape).astype("float32") for w in ours.weights]
    ours.set_weights(weights)
    theirs.set_weights(weights)
    np.testing.assert_allclose(np.asarray(ours(inputs)), np.asarray(theirs(inputs)), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("class_name, kwargs, inputs", CASES, ids=IDS)
def test_configs_match_and_cross_load(class_name, kwargs, inputs):
    ours = getattr(layers, class_name)(**kwargs)
    theirs = getattr(keras.layers, class_name)(**kwargs)
    assert list(ours.get_config()) == list(theirs.get_config())
    shape = (None,) + inputs.shape[1:]
    assert tuple(ours.compute_output_shape(shape)) == tuple(theirs.compute_output_shape(shape))
    ours_again = type(ours).from_config(theirs.get_config())
    theirs_again = type(theirs).from_config(ours.get_config())
    assert _plain(ours_again.get_config()) == _plain(theirs.get_config())
    assert _plain(theirs_again.get_config()) == _plain(ours.get_config())


def test_ops_match_keras():
    x, x3 = _batch(2, 6, 5, 4), _batch(1, 3, 4, 4, 2)
    depthwise, pointwise = _batch(3, 3, 4, 2), _batch(1, 1, 8, 3)
    kernel = _batch(3, 3, 2, 6)
    kernel3 = _batch(2, 2, 3, 2, 4)
    kernel3t = _batch(2, 3, 2, 3, 2)
    cases = [
        (ops.conv(x, kernel, 2, "same"), keras.ops.conv(x, kernel, 2, "same")),  # 2 groups
        (ops.conv(x3, kernel3, 1, "same"), keras.ops.conv(x3, kernel3, 1, "same")),
        (ops.conv_transpose(x3, kernel3t, 2), keras.ops.conv_transpose(x3, kernel3t, 2)),
        (ops.depthwise_conv(x, depthwise, 2, "same"), keras.ops.depthwise_conv(x, depthwise, 2, "same")),
        (ops.separable_conv(x, depthwise, pointwise, 1, "same", dilation_rate=2),
         keras.ops.separable_conv(x, depthwise, pointwise, 1, "same", dilation_rate=2)),
    ]
    for ours, theirs in cases:
        np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=1e-5, atol=1e-5)


def test_errors_say_what_keras_says():
    for make in (lambda lib: lib.layers.Conv2D(6, 3, groups=4), lambda lib: lib.layers.Conv3D(6, 3, groups=0),
                 lambda lib: lib.layers.DepthwiseConv2D(3, depth_multiplier=0),
                 lambda lib: lib.layers.SeparableConv1D(2, 3, depth_multiplier=-1),
                 lambda lib: lib.layers.Conv2D(6, 3, groups=2)(np.zeros((1, 5, 5, 5), "float32"))):
        with pytest.raises(ValueError) as theirs:
            make(keras)
        with pytest.raises(ValueError) as ours:
            make(minikeras)
        assert str(theirs.value) in str(ours.value)


def test_mobilenet_block_loads_both_ways(tmp_path):
    """DepthwiseConv2D + ReLU(6.0), then SeparableConv2D: .keras files load in both directions."""
    inputs = minikeras.Input((6, 6, 4), name="image")
    x = layers.DepthwiseConv2D(3, padding="same", depth_multiplier=2, name="depthwise")(inputs)
    x = layers.ReLU(6.0, name="relu6")(x)
    outputs = layers.SeparableConv2D(5, 3, strides=2, activation="relu", name="separable")(x)
    model = minikeras.Model(inputs, outputs, name="mobilenet_block")
    for layer in model.layers:
        layer.set_weights([RNG.normal(size=w.shape).astype("float32") for w in layer.weights])
    images = _batch(2, 6, 6, 4)
    expected = np.asarray(model(images))
    model.save(tmp_path / "block.keras")
    loaded = keras.saving.load_model(tmp_path / "block.keras")
    np.testing.assert_allclose(np.asarray(loaded(images)), expected, rtol=1e-5, atol=1e-5)
    loaded.save(tmp_path / "back.keras")
    again = minikeras.saving.load_model(tmp_path / "back.keras")
    np.testing.assert_allclose(np.asarray(again(images)), expected, rtol=1e-5, atol=1e-5)
    assert [w.name for w in again.get_layer("separable").weights] == ["depthwise_kernel", "pointwise_kernel", "bias"]
