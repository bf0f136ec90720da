"""Rescaling and TextVectorization: hand-worked examples (the vocabulary order,
special tokens, every output mode), adapting on many kinds of input, configs."""

import numpy as np
import pytest

from minikeras import layers
from tests.layers.harness import check_layer
from tests.layers.harness import check_layer_gradients
from tests.layers.harness import random_batch

CORPUS = ["The cat sat.", "the dog sat on the mat!", "A cat"]


def test_rescaling():
    pixels = np.array([[0, 128, 255]], dtype="uint8")
    np.testing.assert_allclose(np.asarray(layers.Rescaling(1 / 255)(pixels)), [[0, 128 / 255, 1]], rtol=1e-6)
    np.testing.assert_allclose(np.asarray(layers.Rescaling(2.0, offset=-1.0)(np.array([[0.5]]))), [[0.0]])
    check_layer(lambda: layers.Rescaling(0.5, offset=1.0), random_batch((2, 3)), (2, 3), 0)
    check_layer_gradients(layers.Rescaling(3.0, dtype="float64"), random_batch((2, 3)))


def test_vocabulary_is_by_frequency_then_reverse_alphabetical_with_special_tokens():
    layer = layers.TextVectorization()
    layer.adapt(CORPUS)
    # the: 3; sat, cat: 2 (ties: reverse order); on, mat, dog, a: 1
    assert layer.get_vocabulary() == ["", "[UNK]", "the", "sat", "cat", "on", "mat", "dog", "a"]
    assert layer.get_vocabulary(include_special_tokens=False)[0] == "the"
    assert layer.vocabulary_size() == 9


def test_int_mode_pads_truncates_and_maps_unknown_tokens_to_1():
    layer = layers.TextVectorization(max_tokens=8, output_sequence_length=5)
    layer.adapt(CORPUS)
    np.testing.assert_array_equal(np.asarray(layer(["the cat sat on a zebra"])), [[2, 4, 3, 5, 1]])
    np.testing.assert_array_equal(np.asarray(layer(["Cat!"])), [[4, 0, 0, 0, 0]])
    ragged = layers.TextVectorization(vocabulary=["x", "y"])
    np.testing.assert_array_equal(np.asarray(ragged(np.array([["y x z"], ["x"]]))), [[3, 2, 1], [2, 0, 0]])


@pytest.mark.parametrize("mode, expected", [
    ("multi_hot", [1, 1, 0, 1, 0, 0]),
    ("count", [1, 2, 0, 1, 0, 0]),
    # idf = log(1 + 3 / (1 + documents with the token)); [UNK] gets their mean
    ("tf_idf", [(3 * np.log(2) + 2 * np.log(2.5)) / 5, 2 * np.log(2), 0, np.log(2), 0, 0]),
])
def test_bag_of_words_modes(mode, expected):
    layer = layers.TextVectorization(max_tokens=6, output_mode=mode)
    layer.adapt(CORPUS)
    assert layer.get_vocabulary() == ["[UNK]", "the", "sat", "cat", "on", "mat"]
    np.testing.assert_allclose(np.asarray(layer(["the cat the zebra"])), [expected], rtol=1e-6)


def test_pad_to_max_tokens_ngrams_and_custom_steps():
    padded = layers.TextVectorization(max_tokens=10, output_mode="multi_hot", pad_to_max_tokens=True)
    padded.adapt(["a b"])
    assert np.asarray(padded(["a c"])).shape == (1, 10)
    bigrams = layers.TextVectorization(ngrams=2)
    bigrams.adapt(["a b c", "a b"])
    assert bigrams.get_vocabulary() == ["", "[UNK]", "b", "a b", "a", "c", "b c"]
    custom = layers.TextVectorization(standardize=str.upper, split=lambda text: text.split(","))
    custom.adapt(["x,y", "y"])
    assert custom.get_vocabulary() == ["", "[UNK]", "Y", "X"]


def test_adapt_accepts_arrays_generators_and_batches():
    from_array = layers.TextVectorization()
    from_array.adapt(np.array([["The cat sat."], ["the dog sat on the mat!"], ["A cat"]]))
    from_batches = layers.TextVectorization()
    from_batches.adapt(batch for batch in [np.array(CORPUS[:2]), [CORPUS[2].encode("utf-8")]])
    assert from_array.get_vocabulary() == from_batches.get_vocabulary()


def test_set_vocabulary_and_idf_weights():
    layer = layers.TextVectorization(output_mode="tf_idf", vocabulary=["x", "y"], idf_weights=[0.5, 2.0])
    np.testing.assert_allclose(np.asarray(layer(["y x z y"])), [[1.25, 0.5, 4.0]])
    layer = layers.TextVectorization()
    layer.set_vocabulary(["", "[UNK]", "q", "r"])
    assert layer.get_vocabulary() == ["", "[UNK]", "q", "r"]


def test_functional_and_config():
    from minikeras.layers import Input
    layer = layers.TextVectorization(output_sequence_length=4)
    output = layer(Input((1,), dtype="string"))
    assert output.shape == (None, 4) and output.dtype == "int64"
    config = layers.TextVectorization(output_mode="tf_idf", vocabulary=["x"], idf_weights=[1.0]).get_config()
    assert config["vocabulary"] == ["x"] and config["vocabulary_size"] == 2
    assert layers.TextVectorization.from_config(config).get_vocabulary() == ["[UNK]", "x"]


def test_assets_round_trip(tmp_path):
    layer = layers.TextVectorization(output_mode="tf_idf")
    layer.adapt(CORPUS)
    layer.save_assets(str(tmp_path))
    loaded = layers.TextVectorization(output_mode="tf_idf")
    loaded.load_assets(str(tmp_path))
    assert loaded.get_vocabulary() == layer.get_vocabulary()
    np.testing.assert_allclose(np.asarray(loaded(["the cat"])), np.asarray(layer(["the cat"])), rtol=1e-6)


def test_bad_arguments():
    with pytest.raises(ValueError, match="Unknown value for `output_mode`"):
        layers.TextVectorization(output_mode="bag")
    with pytest.raises(ValueError, match="Unknown value for `standardize`"):
        layers.TextVectorization(standardize="upper")
    with pytest.raises(ValueError, match="`output_sequence_length` must not be set"):
        layers.TextVectorization(output_mode="count", output_sequence_length=3)
    with pytest.raises(ValueError, match="the `idf_weights` argument must also be provided"):
        layers.TextVectorization(output_mode="tf_idf", vocabulary=["a"])
    with pytest.raises(ValueError, match="at least one repeated term"):
        layers.TextVectorization(vocabulary=["q", "q"])
    with pytest.raises(ValueError, match="larger than the maximum vocab size"):
        layers.TextVectorization(max_tokens=3, vocabulary=["a", "b"])
