"""Sequential, functional and subclassed models: build, call, structure, errors."""

import numpy
import pytest

import minikeras as keras
from minikeras.autodiff import GradientTape

L = keras.layers


@pytest.fixture(autouse=True)
def fresh_names():
    keras.utils.clear_session()


def ones(*shape):
    return numpy.ones(shape, dtype="float32")


# ----- Sequential -----
def test_sequential_from_input_is_built_at_once():
    model = keras.Sequential([keras.Input((4,)), L.Dense(3), L.Dense(2)])
    assert model.built and model.name == "sequential"
    assert [layer.name for layer in model.layers] == ["dense", "dense_1"]
    output = model(ones(5, 4))
    assert isinstance(output, keras.autodiff.Tensor) and output.shape == (5, 2)
    assert model.get_build_config() == {"input_shape": (None, 4)}


def test_sequential_built_by_first_call_and_by_legacy_input_shape():
    model = keras.Sequential([L.Dense(3), L.Dense(2)])
    assert not model.built
    assert model(ones(2, 7)).shape == (2, 2) and model.built
    assert model.layers[0].kernel.shape == (7, 3)
    with pytest.warns(UserWarning):
        legacy = keras.Sequential([L.Dense(3, input_shape=(5,)), L.Dense(1)])
    assert legacy.built and legacy.layers[0].kernel.shape == (5, 3)
    assert [layer.name for layer in legacy.layers] == ["dense_2", "dense_3"]


def test_sequential_add_pop_and_errors():
    model = keras.Sequential()
    model.add(keras.Input((3,)))
    model.add(L.Dense(4))
    model.add(L.Dense(2))
    assert model.built and model(ones(1, 3)).shape == (1, 2)
    popped = model.pop()
    assert popped.name == "dense_1" and model(ones(1, 3)).shape == (1, 4)
    with pytest.raises(ValueError, match="Only instances of `keras.Layer`"):
        model.add("dense")
    with pytest.raises(ValueError, match="should have unique names"):
        model.add(L.Dense(2, name="dense"))


def test_sequential_weights_and_gradients_reach_every_layer():
    model = keras.Sequential([keras.Input((3,)), L.Dense(4, activation="relu"), L.Dense(1)])
    with GradientTape() as tape:
        loss = keras.ops.mean(model(ones(2, 3)) ** 2)
    grads = tape.gradient(loss, model.trainable_weights)
    assert len(grads) == 4 and all(g is not None for g in grads)


# ----- functional -----
def test_functional_multi_input_output_and_dict_inputs():
    a = keras.Input((8,), name="a")
    b = keras.Input((4,), name="b")
    merged = L.Concatenate()([L.Dense(5)(a), b])
    model = keras.Model(inputs=[a, b], outputs=[L.Dense(1)(merged), L.Dense(3)(merged)])
    assert model.name == "functional"
    assert [layer.name for layer in model.layers] == ["a", "dense", "b", "concatenate",
                                                      "dense_1", "dense_2"]
    first, second = model([ones(2, 8), ones(2, 4)])
    assert first.shape == (2, 1) and second.shape == (2, 3)
    by_name = model({"a": ones(2, 8), "b": ones(2, 4)})
    numpy.testing.assert_allclose(by_name[0].numpy(), first.numpy())
    dict_model = keras.Model({"a": a, "b": b}, {"out": L.Dense(2)(merged)})
    assert dict_model({"a": ones(1, 8), "b": ones(1, 4)})["out"].shape == (1, 2)
    assert keras.Model(a, L.Dense(1)(a)).name == "functional_2"


def test_functional_wrong_number_of_inputs_is_a_clear_error():
    a = keras.Input((8,), name="a")
    b = keras.Input((4,), name="b")
    model = keras.Model([a, b], L.Concatenate()([a, b]))
    with pytest.raises(ValueError, match='Layer "functional" expects 2 input'):
        model(ones(2, 8))
    with pytest.raises(ValueError, match='Missing data for input "b"'):
        model({"a": ones(2, 8)})


def test_shared_layers_and_models_used_as_layers():
    inputs = keras.Input((3,))
    shared = L.Dense(3)
    inner = keras.Model(inputs, shared(shared(inputs)))
    assert len(inner.weights) == 2 and len(shared._inbound_nodes) == 2
    outer_inputs = keras.Input((3,))
    outer = keras.Model(outer_inputs, L.Dense(1)(inner(outer_inputs)))
    assert [layer.name for layer in outer.layers] == ["input_layer_1", "functional", "dense_1"]
    assert len(outer.weights) == 4
    x = numpy.arange(6, dtype="float32").reshape(2, 3)
    kernel, bias = shared.kernel.numpy(), shared.bias.numpy()
    hidden = (x @ kernel + bias) @ kernel + bias
    expected = hidden @ outer.layers[2].kernel.numpy() + outer.layers[2].bias.numpy()
    numpy.testing.assert_allclose(outer(x).numpy(), expected, rtol=1e-5)


def test_get_layer_by_name_and_index():
    inputs = keras.Input((2,))
    model = keras.Model(inputs, L.Dense(1, name="out")(inputs))
    assert model.get_layer("out") is model.layers[1]
    assert model.get_layer(index=0).name == "input_layer"
    with pytest.raises(ValueError, match=r"No such layer: zzz. Existing layers are: \['input_layer', 'out'\]."):
        model.get_layer("zzz")
    with pytest.raises(ValueError, match="only has 2 layers"):
        model.get_layer(index=5)


def test_disconnected_graph_is_refused():
    a = keras.Input((2,))
    b = keras.Input((2,))
    with pytest.raises(ValueError, match="Graph disconnected"):
        keras.Model(a, L.Add()([a, b]))


def test_building_a_graph_updates_no_batchnorm_statistics():
    inputs = keras.Input((3,))
    norm = L.BatchNormalization()
    outputs = norm(inputs, training=True)
    keras.Model(inputs, outputs)
    numpy.testing.assert_array_equal(norm.moving_mean.numpy(), numpy.zeros(3))


def test_string_inputs_pass_through_the_graph():
    class Length(L.Layer):
        def call(self, inputs):
            lengths = numpy.array([[len(str(text))] for text in numpy.asarray(inputs).ravel()])
            return keras.autodiff.Tensor(lengths.astype("float32"))

    inputs = keras.Input(shape=(1,), dtype="string")
    assert inputs.dtype == "string"
    model = keras.Model(inputs, L.Dense(1, kernel_initializer="ones")(Length()(inputs)))
    result = model(numpy.array([["abc"], ["hello"]]))
    numpy.testing.assert_allclose(result.numpy(), [[3.0], [5.0]])


# ----- subclassed: the guide's own classes, unchanged -----
class MyDense(keras.layers.Layer):
    def __init__(self, units, activation=None, name=None):
        super().__init__(name=name)
        self.units = units
        self.activation = keras.activations.get(activation)

    def build(self, input_shape):
        input_dim = input_shape[-1]
        self.w = self.add_weight(shape=(input_dim, self.units),
                                 initializer=keras.initializers.GlorotNormal(),
                                 name="kernel", trainable=True)
        self.b = self.add_weight(shape=(self.units,), initializer=keras.initializers.Zeros(),
                                 name="bias", trainable=True)

    def call(self, inputs):
        x = keras.ops.matmul(inputs, self.w) + self.b
        return self.activation(x)


class MyDropout(keras.layers.Layer):
    def __init__(self, rate, name=None):
        super().__init__(name=name)
        self.rate = rate
        self.seed_generator = keras.random.SeedGenerator(1337)

    def call(self, inputs):
        return keras.random.dropout(inputs, self.rate, seed=self.seed_generator)


class MyModel(keras.Model):
    def __init__(self, num_classes):
        super().__init__()
        self.conv_base = keras.Sequential([
            keras.layers.Conv2D(4, kernel_size=(3, 3), activation="relu"),
            keras.layers.GlobalAveragePooling2D(),
        ])
        self.dp = MyDropout(0.5)
        self.dense = MyDense(num_classes, activation="softmax")

    def call(self, x):
        x = self.conv_base(x)
        x = self.dp(x)
        return self.dense(x)


def test_guide_subclassed_model_tracks_and_runs():
    model = MyModel(num_classes=10)
    assert model.name == "my_model" and not model.built
    probabilities = model(numpy.random.default_rng(0).random((2, 8, 8, 1)).astype("float32"))
    assert probabilities.shape == (2, 10)
    numpy.testing.assert_allclose(probabilities.numpy().sum(axis=1), [1.0, 1.0], rtol=1e-5)
    assert [layer.name for layer in model.layers] == ["sequential", "my_dropout", "my_dense"]
    assert [w.path for w in model.weights] == ["conv2d/kernel", "conv2d/bias",
                                               "my_dense/kernel", "my_dense/bias"]
    # The dropout's seed state is a variable of the model, not a weight.
    assert len(model.variables) == 5
    assert model.count_params() == (9 * 4 + 4) + (4 * 10 + 10)


def test_functional_model_without_graph_or_call_explains_itself():
    with pytest.raises(TypeError, match="has no graph and no `call` method"):
        keras.Model()(ones(1, 2))


def test_functional_and_sequential_configs_round_trip():
    a = keras.Input((4,), name="a")
    b = keras.Input((2,), name="b")
    model = keras.Model([a, b], L.Dense(2)(L.Concatenate()([L.Dense(3)(a), b])))
    config = model.get_config()
    assert config["input_layers"] == [["a", 0, 0], ["b", 0, 0]]
    clone = keras.models.Functional.from_config(config)
    assert [layer.name for layer in clone.layers] == [layer.name for layer in model.layers]
    assert clone([ones(1, 4), ones(1, 2)]).shape == (1, 2)
    sequential = keras.Sequential([keras.Input((4,)), L.Dense(3)])
    assert sequential.get_config()["build_input_shape"] == (None, 4)
    assert keras.Sequential.from_config(sequential.get_config()).built
