"""Every layer of the catalog against Keras 3: same weights (set_weights), same outputs.

Skips when Keras is not installed. Tolerances: atol = rtol = 1e-5 in float32.
"""

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")
keras = pytest.importorskip("keras")

from minikeras import layers  # noqa: E402

pytestmark = pytest.mark.layers

RNG = np.random.default_rng(0)


def _batch(*shape):
    return RNG.uniform(-1.0, 1.0, size=shape).astype("float32")


def _ints(high, *shape):
    return RNG.integers(0, high, size=shape).astype("int32")


# (class name, constructor kwargs, input(s), call kwargs)
CASES = [
    ("Dense", {"units": 4, "activation": "relu"}, _batch(3, 5), {}),
    ("Dense", {"units": 3}, _batch(2, 4, 5), {}),
    ("Activation", {"activation": "gelu"}, _batch(3, 5), {}),
    ("Activation", {"activation": "softmax"}, _batch(3, 5), {}),
    ("Dropout", {"rate": 0.5}, _batch(3, 5), {}),
    ("Flatten", {}, _batch(2, 3, 4, 2), {}),
    ("Reshape", {"target_shape": (4, -1)}, _batch(2, 3, 4, 2), {}),
    ("Permute", {"dims": (3, 1, 2)}, _batch(2, 3, 4, 2), {}),
    ("Conv1D", {"filters": 3, "kernel_size": 3, "padding": "causal", "dilation_rate": 2}, _batch(2, 9, 2), {}),
    ("Conv1D", {"filters": 3, "kernel_size": 2, "strides": 2}, _batch(2, 9, 2), {}),
    ("Conv2D", {"filters": 4, "kernel_size": 3, "activation": "relu"}, _batch(2, 7, 7, 3), {}),
    ("Conv2D", {"filters": 4, "kernel_size": (3, 2), "strides": 2, "padding": "same"}, _batch(2, 7, 6, 3), {}),
    ("Conv2D", {"filters": 2, "kernel_size": 2, "dilation_rate": 2, "padding": "same"}, _batch(2, 6, 6, 3), {}),
    ("MaxPooling1D", {"pool_size": 3, "padding": "same"}, _batch(2, 7, 3), {}),
    ("AveragePooling1D", {"pool_size": 2, "strides": 1}, _batch(2, 7, 3), {}),
    ("MaxPooling2D", {}, _batch(2, 7, 7, 3), {}),
    ("MaxPooling2D", {"pool_size": 3, "strides": 2, "padding": "same"}, _batch(2, 7, 7, 3), {}),
    ("AveragePooling2D", {"pool_size": 3, "strides": 2, "padding": "same"}, _batch(2, 7, 7, 3), {}),
    ("GlobalAveragePooling1D", {}, _batch(2, 5, 3), {}),
    ("GlobalMaxPooling1D", {"keepdims": True}, _batch(2, 5, 3), {}),
    ("GlobalAveragePooling2D", {}, _batch(2, 4, 4, 3), {}),
    ("GlobalMaxPooling2D", {}, _batch(2, 4, 4, 3), {}),
    ("BatchNormalization", {}, _batch(6, 4), {}),
    ("BatchNormalization", {"momentum": 0.8}, _batch(4, 3, 3, 2), {"training": True}),
    ("LayerNormalization", {}, _batch(3, 6), {}),
    ("LayerNormalization", {"axis": [1, 2]}, _batch(2, 3, 4), {}),
    ("Embedding", {"input_dim": 7, "output_dim": 3}, _ints(7, 2, 5), {}),
    ("Rescaling", {"scale": 1 / 255, "offset": -0.5}, _batch(2, 3), {}),
    ("Add", {}, [_batch(2, 3), _batch(2, 3)], {}),
    ("Subtract", {}, [_batch(2, 3), _batch(2, 3)], {}),
    ("Multiply", {}, [_batch(2, 3), _batch(2, 3), _batch(2, 3)], {}),
    ("Average", {}, [_batch(2, 3), _batch(2, 3)], {}),
    ("Concatenate", {"axis": -1}, [_batch(2, 3), _batch(2, 5)], {}),
]


def _random_weights(layer):
    """Random values for every weight; variances kept positive."""
    return [RNG.uniform(0.5, 2.0, size=w.shape).astype("float32") if "variance" in w.path
            else RNG.normal(size=w.shape).astype("float32")
            for w in layer.weights]


@pytest.mark.parametrize("class_name, kwargs, inputs, call_kwargs", CASES,
                         ids=[f"{case[0]}-{index}" for index, case in enumerate(CASES)])
def test_same_weights_same_outputs(class_name, kwargs, inputs, call_kwargs):
    ours = getattr(layers, class_name)(**kwargs)
    theirs = getattr(keras.layers, class_name)(**kwargs)
    ours(inputs)
    theirs(inputs)
    weights = _random_weights(ours)
    ours.set_weights(weights)
    theirs.set_weights(weights)
    expected = np.asarray(theirs(inputs, **call_kwargs))
    np.testing.assert_allclose(np.asarray(ours(inputs, **call_kwargs)), expected, rtol=1e-5, atol=1e-5)
    # Updated state (BatchNormalization's moving statistics) agrees too.
    for our_weight, their_weight in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(our_weight, np.asarray(their_weight), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("class_name, kwargs, inputs, call_kwargs", CASES,
                         ids=[f"{case[0]}-{index}" for index, case in enumerate(CASES)])
def test_same_config_keys_and_output_shape(class_name, kwargs, inputs, call_kwargs):
    ours = getattr(layers, class_name)(**kwargs)
    theirs = getattr(keras.layers, class_name)(**kwargs)
    assert list(ours.get_config()) == list(theirs.get_config())
    shapes = ([(None,) + item.shape[1:] for item in inputs] if isinstance(inputs, list)
              else (None,) + inputs.shape[1:])
    assert tuple(ours.compute_output_shape(shapes)) == tuple(theirs.compute_output_shape(shapes))


def test_embedding_mask_matches_keras():
    ids = np.array([[1, 0, 3], [0, 0, 2]], dtype="int32")
    ours, theirs = layers.Embedding(4, 2, mask_zero=True), keras.layers.Embedding(4, 2, mask_zero=True)
    np.testing.assert_array_equal(np.asarray(ours.compute_mask(ids)), np.asarray(theirs.compute_mask(ids)))


def test_frozen_batch_normalization_matches_keras():
    x = _batch(4, 3)
    ours, theirs = layers.BatchNormalization(), keras.layers.BatchNormalization()
    ours(x)
    theirs(x)
    weights = _random_weights(ours)
    ours.set_weights(weights)
    theirs.set_weights(weights)
    ours.trainable = theirs.trainable = False
    np.testing.assert_allclose(np.asarray(ours(x, training=True)), np.asarray(theirs(x, training=True)),
                               rtol=1e-5, atol=1e-5)


CORPUS = ["The cat sat.", "the dog sat on the mat!", "A cat, a DOG; a bird?", "birds sing"]


@pytest.mark.parametrize("kwargs", [
    {"max_tokens": 8, "output_sequence_length": 6},
    {"ngrams": 2},
    {"output_mode": "multi_hot", "max_tokens": 6},
    {"output_mode": "count", "max_tokens": 10, "pad_to_max_tokens": True},
    {"output_mode": "tf_idf"},
])
def test_text_vectorization_matches_keras(kwargs):
    ours, theirs = layers.TextVectorization(**kwargs), keras.layers.TextVectorization(**kwargs)
    ours.adapt(CORPUS)
    theirs.adapt(CORPUS)
    assert ours.get_vocabulary() == [str(token) for token in theirs.get_vocabulary()]
    texts = ["the bird sat on a cat", "zebra!"]
    np.testing.assert_allclose(np.asarray(ours(texts)), np.asarray(theirs(texts)), rtol=1e-5, atol=1e-5)
