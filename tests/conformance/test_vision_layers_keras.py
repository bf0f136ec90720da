"""The layers of issue 17 against Keras 3.15.1: same weights, same outputs; same configs.

Each case builds the layer in both libraries with the same arguments, copies
minikeras's (random) weights into the Keras layer, and compares the outputs
(float32, atol = rtol = 1e-5). The config checks compare the key lists with
Keras's and rebuild each library's layer from the other library's config.
Skips when Keras is not installed.
"""

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")
keras = pytest.importorskip("keras")

from minikeras import layers  # noqa: E402

pytestmark = pytest.mark.layers

RNG = np.random.default_rng(17)


def _batch(*shape):
    return RNG.uniform(-2.0, 2.0, size=shape).astype("float32")


# (class name, constructor kwargs, input(s), call kwargs)
CASES = [
    ("ReLU", {}, _batch(3, 5), {}),
    ("ReLU", {"max_value": 6.0}, _batch(3, 5) * 5, {}),
    ("ReLU", {"max_value": 1.5, "negative_slope": 0.1, "threshold": 0.5}, _batch(3, 5), {}),
    ("ReLU", {"negative_slope": 0.2}, _batch(3, 5), {}),
    ("ReLU", {"threshold": 0.5}, _batch(2, 3, 4), {}),
    ("LeakyReLU", {}, _batch(3, 5), {}),
    ("LeakyReLU", {"negative_slope": 0.05}, _batch(2, 3, 4), {}),
    ("PReLU", {}, _batch(2, 3, 4), {}),
    ("PReLU", {"shared_axes": [1, 2]}, _batch(2, 3, 4, 5), {}),
    ("PReLU", {"shared_axes": 1}, _batch(2, 3, 4), {}),
    ("ELU", {}, _batch(3, 5), {}),
    ("ELU", {"alpha": 0.5}, _batch(3, 5), {}),
    ("Softmax", {}, _batch(3, 5), {}),
    ("Softmax", {"axis": 1}, _batch(2, 3, 4), {}),
    ("Softmax", {"axis": [1, 2]}, _batch(2, 3, 4), {}),
    ("Softmax", {}, _batch(2, 3, 4), {"mask": RNG.random((2, 3, 4)) > 0.3}),
    ("Softmax", {}, _batch(2, 3, 4), {"mask": (RNG.random((2, 1, 4)) > 0.5).astype("float32")}),
    ("SpatialDropout1D", {"rate": 0.5}, _batch(2, 3, 4), {}),
    ("SpatialDropout2D", {"rate": 0.5}, _batch(2, 3, 3, 4), {}),
    ("SpatialDropout3D", {"rate": 0.5, "data_format": "channels_first"}, _batch(2, 3, 2, 2, 2), {}),
    ("GaussianNoise", {"stddev": 0.3}, _batch(3, 5), {}),
    ("GaussianDropout", {"rate": 0.3}, _batch(3, 5), {}),
    ("AlphaDropout", {"rate": 0.3}, _batch(3, 5), {}),
    ("AlphaDropout", {"rate": 0.3, "noise_shape": (None, 1)}, _batch(3, 5), {}),
    ("ActivityRegularization", {"l1": 0.1, "l2": 0.01}, _batch(3, 5), {}),
    ("Identity", {}, _batch(3, 5), {}),
    ("Dot", {"axes": 1}, [_batch(3, 4), _batch(3, 4)], {}),
    ("Dot", {"axes": -1}, [_batch(2, 3, 4), _batch(2, 5, 4)], {}),
    ("Dot", {"axes": (1, 2)}, [_batch(2, 3, 4), _batch(2, 5, 3)], {}),
    ("Dot", {"axes": 1, "normalize": True}, [_batch(2, 3, 4), _batch(2, 3, 2, 2)], {}),
    ("Dot", {"axes": (2, 1)}, [_batch(2, 3, 4), _batch(2, 4)], {}),
    # 3-D and adaptive pooling
    ("MaxPooling3D", {}, _batch(2, 4, 5, 4, 3), {}),
    ("MaxPooling3D", {"pool_size": (2, 3, 2), "strides": (1, 2, 2), "padding": "same"}, _batch(2, 4, 5, 4, 3), {}),
    ("AveragePooling3D", {"pool_size": 2}, _batch(2, 4, 4, 4, 2), {}),
    ("AveragePooling3D", {"pool_size": 3, "strides": 2, "padding": "same", "data_format": "channels_first"},
     _batch(2, 2, 5, 4, 5), {}),
    ("GlobalAveragePooling3D", {}, _batch(2, 3, 4, 2, 3), {}),
    ("GlobalMaxPooling3D", {"keepdims": True}, _batch(2, 3, 4, 2, 3), {}),
    ("AdaptiveAveragePooling1D", {"output_size": 3}, _batch(2, 7, 3), {}),
    ("AdaptiveMaxPooling1D", {"output_size": 4}, _batch(2, 10, 3), {}),
    ("AdaptiveAveragePooling2D", {"output_size": (3, 5)}, _batch(2, 7, 8, 2), {}),
    ("AdaptiveMaxPooling2D", {"output_size": 2, "data_format": "channels_first"}, _batch(2, 3, 5, 6), {}),
    ("AdaptiveAveragePooling3D", {"output_size": (2, 3, 2)}, _batch(1, 4, 5, 3, 2), {}),
    ("AdaptiveMaxPooling3D", {"output_size": 2}, _batch(1, 5, 4, 3, 2), {}),
    # resampling
    ("UpSampling1D", {"size": 3}, _batch(2, 4, 3), {}),
    ("UpSampling2D", {}, _batch(2, 3, 4, 2), {}),
    ("UpSampling2D", {"size": (2, 3), "interpolation": "bilinear"}, _batch(2, 3, 4, 2), {}),
    ("UpSampling2D", {"size": 2, "interpolation": "bicubic", "data_format": "channels_first"}, _batch(2, 2, 3, 4), {}),
    ("UpSampling2D", {"size": 2, "interpolation": "lanczos3"}, _batch(1, 3, 3, 1), {}),
    ("UpSampling3D", {"size": (1, 2, 3)}, _batch(2, 2, 3, 2, 2), {}),
    ("ZeroPadding1D", {"padding": (1, 2)}, _batch(2, 4, 3), {}),
    ("ZeroPadding2D", {"padding": ((1, 2), (3, 0))}, _batch(2, 3, 4, 2), {}),
    ("ZeroPadding2D", {"padding": 2, "data_format": "channels_first"}, _batch(2, 2, 3, 4), {}),
    ("ZeroPadding3D", {"padding": (1, 0, 2)}, _batch(2, 2, 3, 2, 2), {}),
    ("Cropping1D", {"cropping": (1, 2)}, _batch(2, 6, 3), {}),
    ("Cropping2D", {"cropping": ((1, 0), (2, 1))}, _batch(2, 4, 5, 2), {}),
    ("Cropping2D", {"cropping": 1, "data_format": "channels_first"}, _batch(2, 2, 4, 5), {}),
    ("Cropping3D", {}, _batch(2, 4, 3, 5, 2), {}),
    # transposed convolutions
    ("Conv2DTranspose", {"filters": 3, "kernel_size": 3, "strides": 2, "padding": "same"}, _batch(2, 4, 4, 2), {}),
    ("Conv2DTranspose", {"filters": 2, "kernel_size": (2, 3), "strides": (2, 1), "activation": "relu"},
     _batch(2, 3, 4, 3), {}),
    ("Conv2DTranspose", {"filters": 2, "kernel_size": 3, "strides": 2, "output_padding": 1}, _batch(1, 3, 3, 2), {}),
    ("Conv2DTranspose", {"filters": 2, "kernel_size": 2, "dilation_rate": 2, "data_format": "channels_first"},
     _batch(1, 2, 3, 3), {}),
    ("Conv1DTranspose", {"filters": 3, "kernel_size": 2, "strides": 3}, _batch(2, 4, 2), {}),
    ("Conv1DTranspose", {"filters": 2, "kernel_size": 4, "strides": 2, "padding": "same", "output_padding": 1},
     _batch(2, 5, 3), {}),
]
IDS = [f"{case[0]}-{index}" for index, case in enumerate(CASES)]


def _random_weights(layer):
    return [RNG.normal(size=w.shape).astype("float32") for w in layer.weights]


@pytest.mark.parametrize("class_name, kwargs, inputs, call_kwargs", CASES, ids=IDS)
def test_same_weights_same_outputs(class_name, kwargs, inputs, call_kwargs):
    ours = getattr(layers, class_name)(**kwargs)
    theirs = getattr(keras.layers, class_name)(**kwargs)
    ours(inputs)
    theirs(inputs)
    weights = _random_weights(ours)
    ours.set_weights(weights)
    theirs.set_weights(weights)
    expected = np.asarray(theirs(inputs, **call_kwargs))
    np.testing.assert_allclose(np.asarray(ours(inputs, **call_kwargs)), expected, rtol=1e-5, atol=1e-5)
    # Inference is the identity for the noise layers; ActivityRegularization adds the same loss.
    ours_losses = [float(loss) for loss in ours.losses]
    theirs_losses = [float(loss) for loss in theirs.losses]
    np.testing.assert_allclose(ours_losses, theirs_losses, rtol=1e-5)


def _input_shapes(inputs):
    if isinstance(inputs, list):
        return [(None,) + item.shape[1:] for item in inputs]
    return (None,) + inputs.shape[1:]


@pytest.mark.parametrize("class_name, kwargs, inputs, call_kwargs", CASES, ids=IDS)
def test_configs_match_and_cross_load(class_name, kwargs, inputs, call_kwargs):
    ours = getattr(layers, class_name)(**kwargs)
    theirs = getattr(keras.layers, class_name)(**kwargs)
    assert list(ours.get_config()) == list(theirs.get_config())
    shapes = _input_shapes(inputs)
    assert tuple(ours.compute_output_shape(shapes)) == tuple(theirs.compute_output_shape(shapes))
    # Each library rebuilds the other's layer from its config.
    theirs_again = type(theirs).from_config(ours.get_config())
    ours_again = type(ours).from_config(theirs.get_config())
    their_config = {key: value for key, value in theirs.get_config().items() if key != "name"}
    for key, value in their_config.items():
        assert _plain(ours_again.get_config()[key]) == _plain(value), key
    assert _plain(theirs_again.get_config()) == _plain(
        {key: value for key, value in ours.get_config().items() if key in theirs_again.get_config()})


def _plain(value):
    """Tuples and lists compare equal (JSON makes both lists)."""
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _keras_aliases():
    """{alias: canonical name} for every second name of a class in keras.layers."""
    names_of = {}
    for name in dir(keras.layers):
        value = getattr(keras.layers, name)
        if isinstance(value, type):
            names_of.setdefault(value, []).append(name)
    return {alias: value.__name__ for value, names in names_of.items()
            for alias in names if alias != value.__name__}


def test_every_keras_alias_of_an_implemented_layer_exists():
    aliases = _keras_aliases()
    assert "MaxPool2D" in aliases and "Convolution2D" in aliases
    for alias, canonical in aliases.items():
        if hasattr(layers, canonical):
            assert getattr(layers, alias, None) is getattr(layers, canonical), alias


def test_functional_dot_matches_keras():
    a, b = _batch(2, 3), _batch(2, 3)
    ours = layers.dot([a, b], axes=1, normalize=True)
    theirs = keras.layers.dot([a, b], axes=1, normalize=True)
    np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=1e-5, atol=1e-6)


def test_mobilenet_style_relu6_model_loads_in_keras(tmp_path):
    import minikeras
    inputs = minikeras.Input((6, 6, 3))
    x = layers.Conv2D(4, 3, padding="same")(inputs)
    x = layers.ReLU(6.0)(x)
    x = layers.PReLU(shared_axes=[1, 2])(x)
    x = layers.SpatialDropout2D(0.2, seed=1)(x)
    x = layers.GlobalAvgPool2D()(x)
    outputs = layers.Softmax()(layers.Dense(3)(layers.GaussianNoise(0.1)(x)))
    model = minikeras.Model(inputs, outputs)
    model.layers[3].set_weights([RNG.normal(size=(1, 1, 4)).astype("float32")])
    path = str(tmp_path / "block.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    x = _batch(2, 6, 6, 3)
    np.testing.assert_allclose(np.asarray(loaded(x)), np.asarray(model(x)), rtol=1e-5, atol=1e-5)
    back = str(tmp_path / "back.keras")
    loaded.save(back)
    again = minikeras.saving.load_model(back)
    np.testing.assert_allclose(np.asarray(again(x)), np.asarray(model(x)), rtol=1e-5, atol=1e-5)


def test_convolutional_autoencoder_loads_both_ways(tmp_path):
    """Conv2D x 2 down, Conv2DTranspose and UpSampling2D up: the files load in both libraries."""
    import minikeras
    inputs = minikeras.Input((8, 8, 1))
    x = layers.Conv2D(4, 3, strides=2, padding="same", activation="relu")(inputs)
    x = layers.Conv2D(8, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.Conv2DTranspose(8, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.UpSampling2D(interpolation="bilinear")(x)
    outputs = layers.Conv2D(1, 3, padding="same", activation="sigmoid")(x)
    model = minikeras.Model(inputs, outputs)
    images = _batch(2, 8, 8, 1)
    expected = np.asarray(model(images))
    model.save(tmp_path / "autoencoder.keras")
    loaded = keras.saving.load_model(tmp_path / "autoencoder.keras")
    np.testing.assert_allclose(np.asarray(loaded(images)), expected, rtol=1e-5, atol=1e-5)
    loaded.save(tmp_path / "back.keras")
    again = minikeras.saving.load_model(tmp_path / "back.keras")
    np.testing.assert_allclose(np.asarray(again(images)), expected, rtol=1e-5, atol=1e-5)
