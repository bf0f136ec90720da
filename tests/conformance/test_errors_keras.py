"""Bad inputs that Keras 3 refuses are refused by minikeras too (issue 14).

Skips when Keras is not installed. Where Keras has a check, the wording is
compared; where Keras fails deep inside (``IndexError`` for a
``BatchNormalization`` axis, "could not convert string to float" for string
inputs) we only check that both refuse, minikeras with a message naming the
layer. Where Keras has no check at all (``validation_split=1.5`` trains on
a split nobody asked for), the difference is stated here.
"""

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")
keras = pytest.importorskip("keras")

import minikeras  # noqa: E402

pytestmark = pytest.mark.layers


@pytest.mark.parametrize("arguments, phrase", [
    ({"shape": (-1,)}, "Negative dimensions are not allowed"),
    ({"shape": (2,), "batch_size": -1}, "Negative dimensions are not allowed"),
    ({"shape": (2.5,)}, "Found invalid dimension '2.5' of type '<class 'float'>'"),
])
def test_input_refuses_the_shapes_keras_refuses_with_its_words(arguments, phrase):
    with pytest.raises(ValueError, match=phrase):
        keras.Input(**arguments)
    with pytest.raises(ValueError, match=phrase):
        minikeras.Input(**arguments)


def test_both_refuse_strings_in_a_dense_layer():
    strings = np.array([["a", "b"]])
    with pytest.raises(ValueError):
        keras.layers.Dense(1)(strings)
    with pytest.raises(ValueError, match="Layer 'dense.*' \\(Dense\\) computes with numbers"):
        minikeras.layers.Dense(1)(strings)


def test_both_refuse_a_batch_normalization_axis_the_input_lacks():
    x = np.ones((2, 3), "float32")
    with pytest.raises(IndexError):  # Keras: a bare "tuple index out of range"
        keras.layers.BatchNormalization(axis=5)(x)
    with pytest.raises(ValueError, match="`axis=5` is out of range for an input of rank 2"):
        minikeras.layers.BatchNormalization(axis=5)(x)


def test_validation_split_of_one_and_a_half_keras_trains_minikeras_refuses():
    x, y = np.ones((10, 2), "float32"), np.ones((10, 1), "float32")
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(x, y, validation_split=1.5, verbose=0)
    # Keras splits at floor(10 * (1 - 1.5)) = -5, an index from the end: it
    # trains on 5 samples and validates on 5, without a word.
    assert "val_loss" in history.history
    mini = minikeras.Sequential([minikeras.Input((2,)), minikeras.layers.Dense(1)])
    mini.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="`validation_split` must be a float in"):
        mini.fit(x, y, validation_split=1.5, verbose=0)
