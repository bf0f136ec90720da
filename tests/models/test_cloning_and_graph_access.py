"""clone_model, layer.input / layer.output (feature extraction), Model.input_shape, layers.serialize."""

import numpy as np
import pytest

import minikeras as keras


def functional_model():
    inputs = keras.Input((4,), name="x")
    hidden = keras.layers.Dense(3, activation="relu", name="hidden")(inputs)
    shared = keras.layers.Dense(3, name="shared")
    outputs = keras.layers.Dense(2, name="head")(shared(shared(hidden)) + 1.0)
    return keras.Model(inputs, outputs, name="net")


def test_layer_input_and_output_give_feature_extraction():
    model = functional_model()
    hidden = model.get_layer("hidden")
    assert hidden.input is model.input
    features = keras.Model(model.inputs, hidden.output)
    x = np.random.default_rng(0).standard_normal((5, 4)).astype("float32")
    expected = np.maximum(x @ hidden.kernel.numpy() + hidden.bias.numpy(), 0.0)
    np.testing.assert_allclose(features(x).numpy(), expected, rtol=1e-5)
    assert model.input_shape == (None, 4) and model.output_shape == (None, 2)


def test_a_layer_never_called_has_no_output():
    with pytest.raises(AttributeError, match="has never been called and thus has no defined output"):
        keras.layers.Dense(2, name="lonely").output


def test_clone_functional_has_new_weights_and_the_same_graph():
    model = functional_model()
    clone = keras.models.clone_model(model)
    assert [layer.name for layer in clone.layers] == [layer.name for layer in model.layers]
    assert all(a is not b for a, b in zip(clone.layers, model.layers))
    assert len(clone.get_layer("shared")._inbound_nodes) == 2  # shared layer cloned once, called twice
    clone.set_weights(model.get_weights())
    x = np.ones((2, 4), "float32")
    np.testing.assert_allclose(clone(x).numpy(), model(x).numpy(), rtol=1e-6)


def test_clone_with_clone_function_input_tensors_and_call_function():
    model = functional_model()
    calls = []

    def call_function(layer, *args, **kwargs):
        calls.append(layer.name)
        return layer(*args, **kwargs)

    new_input = keras.Input((4,), name="new_x")
    clone = keras.models.clone_model(model, input_tensors=new_input, call_function=call_function,
                                     clone_function=lambda layer: layer)
    assert clone.get_layer("hidden") is model.get_layer("hidden")  # shared, weights included
    assert clone.input is new_input and calls == ["hidden", "shared", "shared", "head"]


def test_clone_sequential_and_nested_models_recursively():
    inner = keras.Sequential([keras.Input((3,)), keras.layers.Dense(3, name="inner_dense")], name="inner")
    model = keras.Sequential([keras.Input((3,)), inner, keras.layers.Dense(1)], name="outer")
    seen = []

    def clone_function(layer):
        seen.append(layer.name)
        return type(layer).from_config(layer.get_config())

    clone = keras.models.clone_model(model, clone_function=clone_function, recursive=True)
    assert "inner_dense" in seen and "inner" not in seen
    assert isinstance(clone, keras.Sequential) and clone.input_shape == (None, 3)
    assert clone(np.ones((2, 3))).shape == (2, 1)


def test_clone_refuses_non_symbolic_input_tensors():
    with pytest.raises(ValueError, match="`input_tensors` must be symbolic tensors"):
        keras.models.clone_model(functional_model(), input_tensors=np.ones((1, 4)))


def test_layers_serialize_round_trip():
    layer = keras.layers.Dense(3, activation="tanh", name="dense_config")
    config = keras.layers.serialize(layer)
    assert config["class_name"] == "Dense" and config["config"]["units"] == 3
    rebuilt = keras.layers.deserialize(config)
    assert isinstance(rebuilt, keras.layers.Dense) and rebuilt.get_config() == layer.get_config()
    with pytest.raises(TypeError, match="Could not parse config"):
        keras.layers.deserialize("Dense")


def test_models_save_model_writes_a_keras_file(tmp_path):
    model = functional_model()
    keras.models.save_model(model, tmp_path / "net.keras")
    loaded = keras.models.load_model(tmp_path / "net.keras")
    x = np.ones((1, 4), "float32")
    np.testing.assert_allclose(loaded(x).numpy(), model(x).numpy(), rtol=1e-6)
