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


def _flat(weights_dict, prefix=""):
    """``{"layers/dense/0": array}`` from an editor's nested ``weights_dict``."""
    flat = {}
    for key, value in weights_dict.items():
        if isinstance(value, dict):
            flat.update(_flat(value, f"{prefix}{key}/"))
        else:
            flat[f"{prefix}{key}"] = np.asarray(value)
    return flat


def test_keras_file_editor_reads_and_compares_as_keras(tmp_path):
    """Both editors see the same tree in both libraries' files, and agree on `compare`; an edited file
    written by minikeras's editor loads in Keras."""
    files = {}
    for library in (keras, minikeras):
        model = two_input_functional(library)
        files[library.__name__] = (model, tmp_path / f"{library.__name__}.keras")
        model.save(files[library.__name__][1])
    for model, path in files.values():
        ours, theirs = minikeras.saving.KerasFileEditor(path), keras.saving.KerasFileEditor(str(path))
        our_flat, their_flat = _flat(ours.weights_dict), _flat(theirs.weights_dict)
        assert our_flat.keys() == their_flat.keys()
        for key in our_flat:
            np.testing.assert_array_equal(our_flat[key], their_flat[key])
        assert ours.object_metadata == {key: dict(value) for key, value in theirs.object_metadata.items()}
    ours = minikeras.saving.KerasFileEditor(files["keras"][1])
    theirs = keras.saving.KerasFileEditor(str(files["keras"][1]))
    bigger = [library.Model(*_bigger_head(library)) for library in (minikeras, keras)]
    # Keras adds a sub-object's running count twice (its recursive call is given the count so far and its
    # result is added to it): 4 "matches" here for the 2 matching weights. minikeras counts each once.
    our_result, their_result = ours.compare(bigger[0]), theirs.compare(bigger[1])
    assert our_result == {"status": "error", "error_count": 3, "match_count": 2}
    assert (their_result["status"], their_result["error_count"]) == ("error", 3)
    assert ours.compare(files["minikeras"][0])["status"] == "success"
    ours.rename_object("dense_1", "old_head")  # kept under another name: the model ignores it
    ours.add_object("layers/dense_1", {"0": np.ones((6, 3), "float32"), "1": np.zeros(3, "float32")})
    ours.add_object("layers/dense_2", {"0": np.ones((3, 4), "float32"), "1": np.zeros(4, "float32")})
    ours.save(tmp_path / "edited.weights.h5")
    loaded = keras.Model(*_bigger_head(keras))
    loaded.load_weights(tmp_path / "edited.weights.h5")
    first_dense = [[layer for layer in model.layers if isinstance(layer, keras.layers.Dense)][0]
                   for model in (loaded, files["keras"][0])]
    np.testing.assert_array_equal(np.asarray(first_dense[0].kernel), np.asarray(first_dense[1].kernel))
    np.testing.assert_array_equal(np.asarray(loaded.layers[-1].kernel), np.ones((3, 4)))


def _bigger_head(library):
    """The two-input model with one more Dense layer on `a` (a third Dense: dense_2 in the file)."""
    a, b = library.Input((3,), name="a"), library.Input((2,), name="b")
    x = library.layers.Concatenate()([library.layers.Dense(4, activation="relu")(a), b])
    x = library.layers.Dense(4)(library.layers.Dense(3)(x))
    return [a, b], x
