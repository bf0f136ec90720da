"""clone_model, layer.output and layers.serialize against Keras 3: the same graphs and configs."""

import numpy as np
import pytest

import minikeras

keras = pytest.importorskip("keras")

pytestmark = pytest.mark.layers


def build(library):
    inputs = library.Input((4,), name="x")
    hidden = library.layers.Dense(3, activation="relu", name="hidden")(inputs)
    outputs = library.layers.Dense(2, name="head")(library.layers.Dense(3, name="middle")(hidden))
    return library.Model(inputs, outputs, name="net")


def test_clone_model_gives_the_same_layers_and_shapes_as_keras():
    for library in (minikeras, keras):
        clone = library.models.clone_model(build(library))
        assert [layer.name for layer in clone.layers] == ["x", "hidden", "middle", "head"]
        assert tuple(clone.output.shape) == (None, 2)


def test_feature_extraction_matches_keras_with_the_same_weights():
    ours, theirs = build(minikeras), build(keras)
    ours.set_weights(theirs.get_weights())
    x = np.random.default_rng(0).standard_normal((3, 4)).astype("float32")
    our_features = minikeras.Model(ours.inputs, ours.get_layer("middle").output)(x).numpy()
    their_features = keras.Model(theirs.inputs, theirs.get_layer("middle").output)(x)
    np.testing.assert_allclose(our_features, keras.ops.convert_to_numpy(their_features), rtol=1e-5, atol=1e-6)


def test_layers_serialize_matches_keras():
    ours = minikeras.layers.serialize(minikeras.layers.Dense(3, activation="tanh", name="d"))
    theirs = keras.layers.serialize(keras.layers.Dense(3, activation="tanh", name="d"))
    assert ours["class_name"] == theirs["class_name"] and ours["config"]["units"] == theirs["config"]["units"]
    rebuilt = keras.layers.deserialize(ours)  # Keras reads minikeras's dict
    assert rebuilt.units == 3
