"""StringLookup and IntegerLookup: indices by hand, adapt's order, invert, vocabulary files, errors."""

import numpy as np
import pytest

import minikeras
from minikeras import layers
from minikeras.saving import serialization_lib


def test_indices_by_hand_mask_and_oov():
    lookup = layers.StringLookup(vocabulary=["cat", "dog"], mask_token="")
    # 0: mask "", 1: OOV "[UNK]", 2: cat, 3: dog
    assert lookup.get_vocabulary() == ["", "[UNK]", "cat", "dog"]
    np.testing.assert_array_equal(np.asarray(lookup(np.array([["dog", "", "cow", "cat"]]))), [[3, 0, 1, 2]])


def test_adapt_puts_the_most_frequent_first_ties_larger_first():
    lookup = layers.IntegerLookup()
    lookup.adapt(np.array([3, 3, 5, 7, 7, 7, 0]))
    assert lookup.get_vocabulary() == [-1, 7, 3, 5, 0]


def test_several_oov_indices_spread_by_floormod():
    lookup = layers.IntegerLookup(vocabulary=[10, 20], num_oov_indices=3)
    # unknown v -> v mod 3 (floored: -5 mod 3 = 1); known values after the 3 OOV slots
    np.testing.assert_array_equal(np.asarray(lookup(np.array([4, -5, 10, 20]))), [1, 1, 3, 4])


def test_invert_maps_back():
    lookup = layers.StringLookup(vocabulary=["cat", "dog"], invert=True)
    assert lookup(np.array([[2, 1, 0, 9]])).tolist() == [["dog", "cat", "[UNK]", "[UNK]"]]


@pytest.mark.parametrize("output_mode, expected", [
    ("one_hot", [[0, 0, 1], [1, 0, 0]]),
    ("multi_hot", [1, 0, 1]),
    ("count", [1, 0, 1]),
])
def test_vector_output_modes(output_mode, expected):
    lookup = layers.StringLookup(vocabulary=["cat", "dog"], output_mode=output_mode)
    inputs = np.array(["dog", "cow"])
    np.testing.assert_array_equal(np.asarray(lookup(inputs)), expected)


def test_tf_idf_weights_counts():
    lookup = layers.StringLookup(vocabulary=["cat", "dog"], output_mode="tf_idf", idf_weights=[0.5, 2.0])
    # the OOV slot's weight is the mean of the others: 1.25
    np.testing.assert_allclose(np.asarray(lookup(np.array([["dog", "dog", "cow"]]))), [[1.25, 0.0, 4.0]])


def test_vocabulary_file(tmp_path):
    path = tmp_path / "vocabulary.txt"
    path.write_text("cat\ndog\n")
    lookup = layers.StringLookup(vocabulary=str(path))  # built in code, outside any load: allowed
    assert lookup.get_vocabulary() == ["[UNK]", "cat", "dog"]


def test_vocabulary_path_in_a_config_is_refused_in_safe_mode(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("a\nb\n")
    config = {"module": "keras.layers", "class_name": "StringLookup", "registered_name": None,
              "config": {"name": "lookup", "vocabulary": str(path)}}
    with pytest.raises(ValueError, match="outside of the model archive"):
        serialization_lib.deserialize_keras_object(config, safe_mode=True)


def test_adapted_vocabulary_is_saved_as_an_asset(tmp_path):
    lookup = layers.StringLookup()
    lookup.adapt(np.array(["b", "a", "b"]))
    model = minikeras.Sequential([minikeras.Input((2,), dtype="string"), lookup])
    model.save(tmp_path / "lookup.keras")
    loaded = minikeras.saving.load_model(tmp_path / "lookup.keras")
    assert loaded.layers[0].get_vocabulary() == ["[UNK]", "b", "a"]
    np.testing.assert_array_equal(np.asarray(loaded(np.array([["a", "z"]]))), [[2, 0]])


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="called before its vocabulary was set"):
        layers.StringLookup()(np.array(["a"]))
    with pytest.raises(ValueError, match="repeated term"):
        layers.StringLookup(vocabulary=["a", "a"])
    with pytest.raises(ValueError, match="num_oov_indices=0"):
        layers.IntegerLookup(vocabulary=[1, 2], num_oov_indices=0)(np.array([3]))
    with pytest.raises(ValueError, match="must be `'int'` when `invert`"):
        layers.StringLookup(invert=True, output_mode="count")
    with pytest.raises(ValueError, match="salt"):
        layers.StringLookup(num_oov_indices=2, salt=3)
