"""minikeras.utils against Keras 3's keras.utils: the same arrays, batches and errors."""

import numpy as np
import pytest

import minikeras
from minikeras import utils

keras = pytest.importorskip("keras")

pytestmark = pytest.mark.data

RNG = np.random.default_rng(0)


@pytest.mark.parametrize("labels, num_classes", [([0, 2, 1, 2], None), ([[1], [0], [3]], 5),
                                                 (np.array([[0, 1], [2, 1]]), 3), ([], 2)])
def test_to_categorical_matches_keras(labels, num_classes):
    ours = utils.to_categorical(labels, num_classes)
    theirs = keras.utils.to_categorical(labels, num_classes)
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    np.testing.assert_array_equal(ours, theirs)


def test_to_categorical_both_refuse_a_label_too_large():
    with pytest.raises(IndexError):
        keras.utils.to_categorical([0, 3], num_classes=3)
    with pytest.raises(ValueError, match="Received: a label 3"):
        utils.to_categorical([0, 3], num_classes=3)


@pytest.mark.parametrize("axis, order", [(-1, 2), (1, 1), (-1, 3)])
def test_normalize_matches_keras(axis, order):
    x = RNG.standard_normal((4, 5))
    x[1] = 0.0
    np.testing.assert_allclose(utils.normalize(x, axis, order), keras.utils.normalize(x, axis, order), rtol=1e-12)


SEQUENCES = [[1, 2, 3, 4], [5], [], [6, 7]]
PAD_CASES = [
    {}, {"maxlen": 3}, {"maxlen": 3, "padding": "post"}, {"maxlen": 2, "truncating": "post"},
    {"maxlen": 6, "value": -1.0, "dtype": "float32"}, {"dtype": "int64", "padding": "post"},
]


@pytest.mark.parametrize("kwargs", PAD_CASES, ids=[str(case) for case in PAD_CASES])
def test_pad_sequences_matches_keras(kwargs):
    ours = utils.pad_sequences(SEQUENCES, **kwargs)
    theirs = keras.utils.pad_sequences(SEQUENCES, **kwargs)
    assert ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)


def test_pad_sequences_of_vectors_and_text_match_keras():
    vectors = [RNG.standard_normal((3, 2)), RNG.standard_normal((1, 2))]
    np.testing.assert_array_equal(utils.pad_sequences(vectors, dtype="float64"),
                                  keras.utils.pad_sequences(vectors, dtype="float64"))
    text = [["a", "b"], ["c"]]
    np.testing.assert_array_equal(utils.pad_sequences(text, dtype=object, value="?"),
                                  keras.utils.pad_sequences(text, dtype=object, value="?"))


@pytest.mark.parametrize("kwargs", [{"padding": "middle"}, {"truncating": "both"}])
def test_pad_sequences_bad_place_is_a_value_error_in_both(kwargs):
    with pytest.raises(ValueError, match="not understood"):
        keras.utils.pad_sequences(SEQUENCES, **kwargs)
    with pytest.raises(ValueError, match="not understood"):
        utils.pad_sequences(SEQUENCES, **kwargs)


TIMESERIES_CASES = [
    {"sequence_length": 4},
    {"sequence_length": 3, "sequence_stride": 2, "sampling_rate": 2, "batch_size": 4},
    {"sequence_length": 5, "start_index": 3, "end_index": 25, "batch_size": 7},
    {"sequence_length": 2, "batch_size": None},
]


def _as_list(dataset):
    return [tuple(np.asarray(part) for part in item) if isinstance(item, tuple) else (np.asarray(item),)
            for item in dataset]


@pytest.mark.parametrize("with_targets", [True, False])
@pytest.mark.parametrize("kwargs", TIMESERIES_CASES, ids=[str(case) for case in TIMESERIES_CASES])
def test_timeseries_batches_match_keras(kwargs, with_targets):
    data = RNG.standard_normal((30, 2)).astype("float32")
    targets = np.arange(30) if with_targets else None
    ours = _as_list(utils.timeseries_dataset_from_array(data, targets, **kwargs))
    theirs = _as_list(keras.utils.timeseries_dataset_from_array(data, targets, **kwargs))
    assert len(ours) == len(theirs)
    for our_item, their_item in zip(ours, theirs):
        for mine, keras_part in zip(our_item, their_item):
            assert mine.shape == keras_part.shape
            np.testing.assert_array_equal(mine, keras_part)


def test_timeseries_shuffle_draws_the_same_windows_as_keras():
    data = np.arange(40)
    kwargs = {"sequence_length": 3, "shuffle": True, "seed": 3, "batch_size": 8}
    ours = np.concatenate([batch for batch in utils.timeseries_dataset_from_array(data, None, **kwargs)])
    theirs = np.concatenate([np.asarray(batch) for batch in keras.utils.timeseries_dataset_from_array(
        data, None, **kwargs)])
    assert sorted(map(tuple, ours)) == sorted(map(tuple, theirs))


def test_get_source_inputs_finds_the_same_inputs_as_keras():
    def sources(library):
        a, b, c = (library.Input((3,), name=name) for name in "abc")
        hidden = library.layers.Dense(3)(library.layers.Add()([c, a]))
        y = library.layers.Concatenate()([library.layers.Dense(2)(hidden), b, hidden])
        return [tensor.name for tensor in library.utils.get_source_inputs(y)]

    assert sources(minikeras) == sources(keras)
