"""Whole models through .keras files: identical predictions, restored compile state,
exactly resumable training, custom objects, and the guide's subclassed model."""

import numpy as np
import pytest

import minikeras as keras
from minikeras import ops
from minikeras import saving

pytestmark = pytest.mark.saving

RNG = np.random.default_rng(0)
IMAGES = RNG.random((12, 8, 8, 1)).astype("float32")
LABELS = RNG.integers(0, 4, 12)


def small_convnet(dropout=0.5):
    return keras.Sequential([
        keras.layers.Input(shape=(8, 8, 1)),
        keras.layers.Conv2D(4, 3, activation="relu"),
        keras.layers.BatchNormalization(),
        keras.layers.MaxPooling2D(),
        keras.layers.Flatten(),
        keras.layers.Dropout(dropout),
        keras.layers.Dense(4, activation="softmax"),
    ])


def compiled(model):
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(), optimizer=keras.optimizers.Adam(1e-2),
                  metrics=[keras.metrics.SparseCategoricalAccuracy(name="acc")])
    return model


def test_sequential_round_trip_after_fit(tmp_path):
    model = compiled(small_convnet())
    model.fit(IMAGES, LABELS, batch_size=4, epochs=1, verbose=0)
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = saving.load_model(path)
    np.testing.assert_array_equal(loaded.predict(IMAGES, verbose=0), model.predict(IMAGES, verbose=0))
    assert [v.name for v in loaded.optimizer.variables] == [v.name for v in model.optimizer.variables]
    for saved, restored in zip(model.optimizer.variables, loaded.optimizer.variables):
        np.testing.assert_array_equal(saved.numpy(), restored.numpy())
    assert loaded.compiled and loaded.get_layer(index=0).name == model.layers[0].name


def test_weight_file_layout_is_keras(tmp_path):
    import h5py
    model = compiled(small_convnet())
    model.fit(IMAGES, LABELS, batch_size=4, epochs=1, verbose=0)
    model.save_weights(tmp_path / "m.weights.h5")
    with h5py.File(tmp_path / "m.weights.h5") as file:
        assert file["layers/conv2d/vars/0"].shape == (3, 3, 1, 4)
        assert file["layers/dense/vars/0"].shape == (36, 4)
        assert len(file["layers/batch_normalization/vars"]) == 4
        assert len(file["layers/dropout/vars"]) == 0
        assert len(file["optimizer/vars"]) == 2 + 2 * 6
        assert file["vars"].attrs["name"] == model.name


def test_training_resumes_exactly(tmp_path):
    # Dropout's random stream is not part of a saved model (nor in Keras): rate 0 here.
    keras.utils.set_random_seed(1)
    model = compiled(small_convnet(dropout=0.0))
    model.fit(IMAGES, LABELS, batch_size=4, epochs=1, verbose=0, shuffle=False)
    model.save(tmp_path / "m.keras")
    resumed = saving.load_model(tmp_path / "m.keras")
    model.fit(IMAGES, LABELS, batch_size=4, epochs=1, verbose=0, shuffle=False)
    resumed.fit(IMAGES, LABELS, batch_size=4, epochs=1, verbose=0, shuffle=False)
    for uninterrupted, restored in zip(model.weights, resumed.weights):
        np.testing.assert_allclose(restored.numpy(), uninterrupted.numpy(), rtol=1e-6, atol=1e-7)


def test_two_input_functional_model(tmp_path):
    a, b = keras.Input((3,), name="a"), keras.Input((2,), name="b")
    x = keras.layers.Concatenate()([keras.layers.Dense(4, activation="relu")(a), b])
    model = keras.Model([a, b], keras.layers.Dense(1)(x))
    model.compile(optimizer="sgd", loss="mse")
    data = [RNG.random((5, 3)).astype("float32"), RNG.random((5, 2)).astype("float32")]
    model.save(tmp_path / "f.keras")
    loaded = saving.load_model(tmp_path / "f.keras")
    np.testing.assert_array_equal(loaded.predict(data, verbose=0), model.predict(data, verbose=0))
    assert keras.models.model_from_json(model.to_json()).count_params() == model.count_params()


def test_embedding_and_batch_normalization(tmp_path):
    model = keras.Sequential([keras.Input((5,), dtype="int32"), keras.layers.Embedding(10, 3),
                              keras.layers.BatchNormalization(), keras.layers.Flatten(), keras.layers.Dense(2)])
    tokens = RNG.integers(0, 10, (4, 5))
    model.save(tmp_path / "e.keras")
    loaded = saving.load_model(tmp_path / "e.keras", compile=False)
    np.testing.assert_array_equal(loaded.predict(tokens, verbose=0), model.predict(tokens, verbose=0))


# The guide's custom layers and subclassed model, registered so they can be loaded.
@saving.register_keras_serializable(package="Guide")
class MyDense(keras.layers.Layer):
    def __init__(self, units, activation=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.units = units
        self.activation = keras.activations.get(activation)

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                 initializer=keras.initializers.GlorotNormal(), name="kernel", trainable=True)
        self.b = self.add_weight(shape=(self.units,), initializer=keras.initializers.Zeros(),
                                 name="bias", trainable=True)

    def call(self, inputs):
        return self.activation(ops.matmul(inputs, self.w) + self.b)

    def get_config(self):
        config = super().get_config()
        config.update(units=self.units, activation=keras.activations.serialize(self.activation))
        return config


@saving.register_keras_serializable(package="Guide")
class MyDropout(keras.layers.Layer):
    def __init__(self, rate, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.rate = rate
        self.seed_generator = keras.random.SeedGenerator(1337)

    def call(self, inputs):
        return keras.random.dropout(inputs, self.rate, seed=self.seed_generator)

    def get_config(self):
        config = super().get_config()
        config.update(rate=self.rate)
        return config


@saving.register_keras_serializable(package="Guide")
class MyModel(keras.Model):
    def __init__(self, num_classes, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = num_classes
        self.conv_base = keras.Sequential([
            keras.layers.Conv2D(4, kernel_size=(3, 3), activation="relu"),
            keras.layers.GlobalAveragePooling2D(),
        ])
        self.dp = MyDropout(0.5)
        self.dense = MyDense(num_classes, activation="softmax")

    def call(self, x):
        return self.dense(self.dp(self.conv_base(x)))

    def get_config(self):
        return {"num_classes": self.num_classes, "name": self.name}


def test_guide_subclassed_model_with_custom_layers(tmp_path):
    model = compiled(MyModel(num_classes=4))
    model.fit(IMAGES, LABELS, batch_size=4, epochs=1, verbose=0)
    model.save(tmp_path / "sub.keras")
    loaded = saving.load_model(tmp_path / "sub.keras")
    assert isinstance(loaded, MyModel) and isinstance(loaded.dense, MyDense)
    # The guide's MyDropout drops even at inference, so compare the deterministic path.
    np.testing.assert_allclose(loaded.dense(loaded.conv_base(IMAGES)).numpy(),
                               model.dense(model.conv_base(IMAGES)).numpy(), atol=1e-6)
    for saved, restored in zip(model.optimizer.variables, loaded.optimizer.variables):
        np.testing.assert_array_equal(saved.numpy(), restored.numpy())
    model.save_weights(tmp_path / "sub.weights.h5")
    import h5py
    with h5py.File(tmp_path / "sub.weights.h5") as file:  # attribute paths, as Keras writes them
        assert file["conv_base/layers/conv2d/vars/0"].shape == (3, 3, 1, 4)
        assert file["dense/vars/0"].shape == (4, 4)
        assert "dp/vars" in file and "optimizer/vars" in file
