"""Interoperability with real Keras 3 (15.1): files saved by one library load in the other
and predict the same to 1e-5. Skipped where keras or jax is not installed."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")
pytest.importorskip("jax")

import minikeras  # noqa: E402

pytestmark = pytest.mark.saving
RNG = np.random.default_rng(0)


def keras_guide_convnet(k):
    return k.Sequential([
        k.layers.Input(shape=(28, 28, 1)),
        k.layers.Conv2D(8, kernel_size=(3, 3), activation="relu"),
        k.layers.Conv2D(8, kernel_size=(3, 3), activation="relu"),
        k.layers.MaxPooling2D(pool_size=(2, 2)),
        k.layers.Conv2D(16, kernel_size=(3, 3), activation="relu"),
        k.layers.GlobalAveragePooling2D(),
        k.layers.Dropout(0.5),
        k.layers.Dense(10, activation="softmax"),
    ])


def two_input_functional(k):
    a, b = k.Input((3,), name="a"), k.Input((2,), name="b")
    x = k.layers.Concatenate()([k.layers.Dense(4, activation="relu")(a), b])
    return k.Model([a, b], k.layers.Dense(1)(x))


def embedding_batchnorm(k):
    return k.Sequential([k.Input((5,), dtype="int32"), k.layers.Embedding(10, 3),
                         k.layers.BatchNormalization(), k.layers.Flatten(), k.layers.Dense(2)])


CASES = {
    "guide_convnet": (keras_guide_convnet, lambda: RNG.random((4, 28, 28, 1)).astype("float32")),
    "two_inputs": (two_input_functional,
                   lambda: [RNG.random((4, 3)).astype("float32"), RNG.random((4, 2)).astype("float32")]),
    "embedding_bn": (embedding_batchnorm, lambda: RNG.integers(0, 10, (4, 5)).astype("int32")),
}


def _train_a_little(model, k, x):
    """One fit step so BatchNormalization statistics and Adam slots are not at their initial values."""
    y = np.zeros_like(np.asarray(model.predict(x, verbose=0)))
    model.compile(optimizer=k.optimizers.Adam(1e-2), loss="mse")
    model.fit(x, y, epochs=1, verbose=0)


@pytest.mark.parametrize("case", sorted(CASES))
def test_keras_file_loads_in_minikeras(case, tmp_path):
    build, make_input = CASES[case]
    x = make_input()
    model = build(keras)
    _train_a_little(model, keras, x)
    model.save(tmp_path / "k.keras")
    loaded = minikeras.saving.load_model(tmp_path / "k.keras")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), np.asarray(model.predict(x, verbose=0)), atol=1e-5)
    assert int(loaded.optimizer.iterations.numpy()) == int(model.optimizer.iterations.numpy())


@pytest.mark.parametrize("case", sorted(CASES))
def test_minikeras_file_loads_in_keras(case, tmp_path):
    build, make_input = CASES[case]
    x = make_input()
    model = build(minikeras)
    _train_a_little(model, minikeras, x)
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(np.asarray(loaded.predict(x, verbose=0)), model.predict(x, verbose=0), atol=1e-5)
    assert int(loaded.optimizer.iterations.numpy()) == int(model.optimizer.iterations.numpy())


def test_keras_weights_file_loads_in_minikeras(tmp_path):
    x = CASES["guide_convnet"][1]()
    source = keras_guide_convnet(keras)
    source.save_weights(tmp_path / "k.weights.h5")
    target = keras_guide_convnet(minikeras)
    target.load_weights(tmp_path / "k.weights.h5")
    np.testing.assert_allclose(target.predict(x, verbose=0), np.asarray(source.predict(x, verbose=0)), atol=1e-5)
