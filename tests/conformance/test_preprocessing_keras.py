"""Preprocessing layers of issue 17 against Keras 3.15.1: the same adapt results, outputs and configs.

Skips when Keras is not installed. Float outputs: atol = rtol = 1e-5.
"""

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")
keras = pytest.importorskip("keras")

from minikeras import layers  # noqa: E402

pytestmark = pytest.mark.layers

RNG = np.random.default_rng(4)
DATA = RNG.normal(3.0, 2.0, size=(40, 3, 4)).astype("float32")
IMAGES = RNG.uniform(0, 255, size=(2, 7, 9, 3)).astype("float32")


def _both(class_name, **kwargs):
    return getattr(layers, class_name)(**kwargs), getattr(keras.layers, class_name)(**kwargs)


def _close(ours, theirs):
    np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kwargs", [{}, {"axis": None}, {"axis": (1, 2)}, {"invert": True}])
def test_normalization_adapt_on_an_array(kwargs):
    ours, theirs = _both("Normalization", **kwargs)
    ours.adapt(DATA)
    theirs.adapt(DATA)
    for our_weight, their_weight in zip(ours.get_weights(), theirs.get_weights()):
        _close(our_weight, their_weight)
    _close(ours(DATA[:5]), theirs(DATA[:5]))


def test_normalization_adapt_on_batches_matches_the_whole_array():
    batches = [DATA[:16], DATA[16:30], DATA[30:]]
    ours, theirs = _both("Normalization", axis=-1)
    ours.adapt(iter(batches))
    theirs.adapt(batches)
    _close(ours.adapt_mean.numpy(), DATA.mean(axis=(0, 1)))
    _close(ours(DATA[:4]), theirs(DATA[:4]))


def test_normalization_adapt_on_a_tf_dataset():
    tf = pytest.importorskip("tensorflow")
    dataset = tf.data.Dataset.from_tensor_slices((DATA, np.zeros(len(DATA)))).batch(8)
    ours, theirs = _both("Normalization")
    ours.adapt(dataset)
    theirs.adapt(dataset)
    _close(ours(DATA[:4]), theirs(DATA[:4]))


@pytest.mark.parametrize("kwargs", [{"mean": 2.0, "variance": 4.0},
                                    {"mean": [1.0, 2.0, 3.0, 4.0], "variance": [1.0, 2.0, 0.5, 3.0]},
                                    {"mean": [1.0, 2.0, 3.0, 4.0], "variance": [1.0, 2.0, 0.5, 3.0], "invert": True}])
def test_normalization_given_statistics(kwargs):
    ours, theirs = _both("Normalization", **kwargs)
    _close(ours(DATA[:3]), theirs(DATA[:3]))
    assert ours.get_config() == theirs.get_config() | {"name": ours.name}


@pytest.mark.parametrize("kwargs, data", [
    ({"bin_boundaries": [0.0, 1.0, 2.5]}, RNG.normal(1, 2, (4, 5))),
    ({"bin_boundaries": [0.0, 1.0], "output_mode": "one_hot"}, RNG.normal(1, 2, (6,))),
    ({"bin_boundaries": [0.0, 1.0], "output_mode": "multi_hot"}, RNG.normal(1, 2, (3, 4))),
    ({"bin_boundaries": [0.0, 1.0], "output_mode": "count"}, RNG.normal(1, 2, (3, 4))),
])
def test_discretization(kwargs, data):
    ours, theirs = _both("Discretization", **kwargs)
    data = data.astype("float32")
    _close(ours(data), theirs(data))
    assert ours.get_config() == theirs.get_config() | {"name": ours.name}


@pytest.mark.parametrize("size", [30, 1000])
def test_discretization_adapt_finds_the_same_quantiles(size):
    data = RNG.exponential(2.0, size).astype("float32")
    ours, theirs = _both("Discretization", num_bins=5)
    ours.adapt(data)
    theirs.adapt(data)
    _close(ours.bin_boundaries, theirs.bin_boundaries)
    assert type(theirs).from_config(ours.get_config()).bin_boundaries == pytest.approx(ours.bin_boundaries)


@pytest.mark.parametrize("kwargs, ids", [
    ({"num_tokens": 5}, np.array([[0, 3, 3], [1, 4, 0]])),
    ({"num_tokens": 5, "output_mode": "count"}, np.array([[0, 3, 3], [1, 4, 0]])),
    ({"num_tokens": 5, "output_mode": "one_hot"}, np.array([[1], [4], [0]])),
    ({"num_tokens": 5, "output_mode": "one_hot"}, np.array([1, 4, 0])),
    ({"num_tokens": 4, "output_mode": "multi_hot"}, np.array([1, 3])),
])
def test_category_encoding(kwargs, ids):
    ours, theirs = _both("CategoryEncoding", **kwargs)
    _close(ours(ids), theirs(ids))
    assert list(ours.get_config()) == list(theirs.get_config())
    assert tuple(ours.compute_output_shape(ids.shape)) == tuple(theirs.compute_output_shape(ids.shape))


def test_category_encoding_count_weights():
    ids, weights = np.array([[0, 2, 2], [1, 1, 3]]), np.array([[0.5, 1.0, 2.0], [1.0, 1.0, 0.25]], "float32")
    ours, theirs = _both("CategoryEncoding", num_tokens=4, output_mode="count")
    _close(ours(ids, count_weights=weights), theirs(ids, count_weights=weights))


@pytest.mark.parametrize("kwargs", [
    {"height": 4, "width": 5},
    {"height": 10, "width": 6, "interpolation": "bicubic", "crop_to_aspect_ratio": True},
    {"height": 5, "width": 5, "pad_to_aspect_ratio": True, "fill_value": 1.0, "interpolation": "nearest"},
    {"height": 3, "width": 4, "antialias": True, "interpolation": "lanczos3"},
])
def test_resizing(kwargs):
    ours, theirs = _both("Resizing", **kwargs)
    _close(ours(IMAGES), theirs(IMAGES))
    pixels = IMAGES.astype("uint8")
    ours_pixels, theirs_pixels = np.asarray(ours(pixels)), np.asarray(theirs(pixels))
    assert ours_pixels.dtype == theirs_pixels.dtype == np.uint8
    assert np.abs(ours_pixels.astype(int) - theirs_pixels.astype(int)).max() <= 1  # rounding at .5
    assert list(ours.get_config()) == list(theirs.get_config())


@pytest.mark.parametrize("kwargs, images", [
    ({"height": 4, "width": 5}, IMAGES),
    ({"height": 9, "width": 6}, IMAGES),  # taller than the image: crop to the ratio, then resize
    ({"height": 3, "width": 3, "data_format": "channels_first"}, IMAGES.transpose(0, 3, 1, 2)),
    ({"height": 4, "width": 4}, IMAGES[0]),
])
def test_center_crop(kwargs, images):
    ours, theirs = _both("CenterCrop", **kwargs)
    _close(ours(images), theirs(images))
    assert ours.get_config() == theirs.get_config() | {"name": ours.name}


def test_pipeline_outputs_and_config_cross_load():
    ours = layers.Pipeline([layers.Rescaling(1 / 255), layers.CenterCrop(5, 5), layers.Resizing(3, 3)])
    config = ours.get_config()
    theirs = keras.layers.Pipeline.from_config(config)
    _close(ours(IMAGES), theirs(IMAGES))
    again = layers.Pipeline.from_config(theirs.get_config())
    assert [type(layer).__name__ for layer in again.layers] == ["Rescaling", "CenterCrop", "Resizing"]
    _close(again(IMAGES), theirs(IMAGES))


def test_structured_model_with_normalization_and_discretization_round_trips(tmp_path):
    import minikeras
    numbers = minikeras.Input((4,), name="numbers")
    normalizer = layers.Normalization()
    normalizer.adapt(DATA[:, 0])
    age = layers.Discretization(bin_boundaries=[0.0, 2.0, 4.0], output_mode="one_hot")(numbers[:, 0])
    features = layers.Concatenate()([normalizer(numbers), age])
    model = minikeras.Model(numbers, layers.Dense(1, name="prediction")(features))
    x = DATA[:6, 0]
    path = str(tmp_path / "structured.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    _close(loaded(x), model(x))
    back = str(tmp_path / "back.keras")
    loaded.save(back)
    _close(minikeras.saving.load_model(back)(x), model(x))


WORDS = np.array([["a", "b", "a"], ["c", "a", "d"], ["b", "b", "e"]])
NUMBERS = np.array([[3, 3, 5], [7, 7, 7], [0, 12, 5]])


@pytest.mark.parametrize("kwargs, inputs", [
    ({}, np.array([["a", "z", "b"], ["e", "a", "d"]])),
    ({"mask_token": ""}, np.array([["a", "", "q"]])),
    ({"num_oov_indices": 0, "max_tokens": 3}, np.array([["a", "b"]])),
    ({"output_mode": "one_hot"}, np.array(["a", "z", "b"])),
    ({"output_mode": "multi_hot", "pad_to_max_tokens": True, "max_tokens": 8}, np.array([["a", "z", "b"]])),
    ({"output_mode": "count"}, np.array([["a", "a", "z"], ["e", "b", "b"]])),
    ({"output_mode": "tf_idf"}, np.array([["a", "a", "z"], ["e", "b", "b"]])),
    ({"max_tokens": 4}, np.array([["e", "b", "a"]])),
    ({"num_oov_indices": 3}, np.array([["zebra", "a", "owl", "cow", "yak"]])),
])
def test_string_lookup_adapt_and_call(kwargs, inputs):
    ours, theirs = _both("StringLookup", **kwargs)
    ours.adapt(WORDS)
    theirs.adapt(WORDS)
    assert ours.get_vocabulary() == theirs.get_vocabulary()
    _close(ours(inputs), theirs(inputs))
    assert list(ours.get_config()) == list(theirs.get_config())


@pytest.mark.parametrize("kwargs", [{}, {"mask_token": 0}, {"num_oov_indices": 3},
                                    {"output_mode": "count", "num_oov_indices": 2},
                                    {"vocabulary": [12, 7, 3], "output_mode": "multi_hot"}])
def test_integer_lookup(kwargs):
    ours, theirs = _both("IntegerLookup", **kwargs)
    if "vocabulary" not in kwargs:
        ours.adapt(NUMBERS)
        theirs.adapt(NUMBERS)
    assert ours.get_vocabulary() == [int(value) for value in theirs.get_vocabulary()]
    inputs = np.array([[3, 4, 0], [-5, 12, 7]])
    _close(ours(inputs), theirs(inputs))
    assert ours.get_config() == theirs.get_config() | {"name": ours.name}


def test_integer_lookup_invert():
    ours, theirs = _both("IntegerLookup", vocabulary=[12, 7, 3], invert=True)
    indices = np.array([[0, 1, 2, 3, 9]])
    _close(ours(indices), theirs(indices))


def test_structured_data_model_with_lookups_loads_both_ways(tmp_path):
    """Vocabularies learned by adapt travel in assets/ of the .keras file, both ways."""
    import minikeras
    city = minikeras.Input((1,), dtype="string", name="city")
    code = minikeras.Input((1,), dtype="int64", name="code")
    amount = minikeras.Input((1,), name="amount")
    city_lookup = layers.StringLookup(output_mode="one_hot")
    city_lookup.adapt(np.array(["paris", "lyon", "paris", "nice"]))
    code_lookup = layers.IntegerLookup()
    code_lookup.adapt(np.array([75, 69, 75, 6, 6, 6]))
    normalizer = layers.Normalization()
    normalizer.adapt(np.array([[1.0], [5.0], [9.0]], "float32"))
    encoded_code = layers.CategoryEncoding(num_tokens=4, output_mode="one_hot")(code_lookup(code))
    features = layers.Concatenate()([city_lookup(city), encoded_code, normalizer(amount)])
    model = minikeras.Model([city, code, amount], layers.Dense(1, name="prediction")(features))
    inputs = [np.array([["nice"], ["rome"]]), np.array([[6], [75]]), np.array([[2.0], [3.0]], "float32")]
    expected = np.asarray(model(inputs))
    model.save(tmp_path / "structured.keras")
    loaded = keras.saving.load_model(tmp_path / "structured.keras")
    # Keras's JAX backend cannot feed strings through a functional model, so
    # the Keras side checks what it restored: vocabularies, statistics, weights.
    for name in (city_lookup.name, code_lookup.name):
        ours, theirs = model.get_layer(name).get_vocabulary(), loaded.get_layer(name).get_vocabulary()
        assert [str(value) for value in ours] == [str(value) for value in theirs]
    np.testing.assert_array_equal(np.asarray(loaded.get_layer(code_lookup.name)(inputs[1])),
                                  np.asarray(code_lookup(inputs[1])))
    for ours, theirs in zip(model.get_weights(), loaded.get_weights()):
        _close(ours, theirs)
    loaded.save(tmp_path / "back.keras")
    again = minikeras.saving.load_model(tmp_path / "back.keras")
    assert again.get_layer(city_lookup.name).get_vocabulary() == city_lookup.get_vocabulary()
    _close(again(inputs), expected)


@pytest.mark.parametrize("kwargs, inputs", [
    ({"num_bins": 7}, np.array([["cat", "dog", "a"], ["", "zebra", "dog"]])),
    ({"num_bins": 5, "mask_value": ""}, np.array([["cat", ""], ["", "owl"]])),
    ({"num_bins": 9}, np.array([[1, 2, 3], [-4, 0, 123456789]])),
    ({"num_bins": 4, "mask_value": 0}, np.array([[1, 0, 3]])),
    ({"num_bins": 6, "output_mode": "multi_hot"}, np.array([["a", "b"], ["c", "a"]])),
    ({"num_bins": 6, "output_mode": "count"}, np.array([[5, 5, 7]])),
    ({"num_bins": 6, "output_mode": "one_hot"}, np.array([["a"], ["b"]])),
    ({"num_bins": 1000}, np.array(["x" * 70, "a long string of more than sixty-four bytes, to use the long path"])),
])
def test_hashing_bins_equal_keras(kwargs, inputs):
    ours, theirs = _both("Hashing", **kwargs)
    np.testing.assert_array_equal(np.asarray(ours(inputs)), np.asarray(theirs(inputs)))
    assert list(ours.get_config()) == list(theirs.get_config())


@pytest.mark.parametrize("kwargs, inputs", [
    ({"num_bins": 10}, (np.array(["a", "b", "c"]), np.array(["x", "y", "x"]))),
    ({"num_bins": 7}, (np.array([[4], [5]]), np.array([[6], [-7]]))),
    ({"num_bins": 5, "output_mode": "one_hot"}, (np.array([["x"], ["y"]]), np.array([["u"], ["v"]]))),
])
def test_hashed_crossing_bins_equal_keras(kwargs, inputs):
    ours, theirs = _both("HashedCrossing", **kwargs)
    np.testing.assert_array_equal(np.asarray(ours(inputs)), np.asarray(theirs(inputs)))
    assert ours.get_config() == theirs.get_config() | {"name": ours.name}
