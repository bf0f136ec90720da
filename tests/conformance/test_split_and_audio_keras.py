"""split_dataset and audio_dataset_from_directory against Keras 3 (which returns tf.data: contents are compared)."""

import numpy as np
import pytest

from minikeras import utils

keras = pytest.importorskip("keras")

pytestmark = pytest.mark.data


def _rows(dataset):
    return list(dataset.as_numpy_iterator())


@pytest.mark.parametrize("kwargs", [dict(left_size=0.6), dict(right_size=2, shuffle=True, seed=7),
                                    dict(left_size=3, right_size=1, shuffle=True, seed=1)])
def test_split_of_a_tuple_holds_keras_samples(kwargs):
    x, y = np.arange(14).reshape(7, 2), np.arange(7)
    ours = utils.split_dataset((x, y), **kwargs)
    theirs = keras.utils.split_dataset((x, y), **kwargs)
    for (our_x, our_y), their_part in zip(ours, theirs):
        their_rows = _rows(their_part)
        np.testing.assert_array_equal(our_x, [row[0] for row in their_rows])
        np.testing.assert_array_equal(our_y, [row[1] for row in their_rows])


def test_split_of_an_array_and_of_a_torch_dataset_match_keras():
    x = np.arange(8, dtype="float32").reshape(4, 2)
    for ours, theirs in zip(utils.split_dataset(x, left_size=0.5, shuffle=True, seed=2),
                            keras.utils.split_dataset(x, left_size=0.5, shuffle=True, seed=2)):
        np.testing.assert_array_equal(ours, _rows(theirs))
    for ours, theirs in zip(utils.split_dataset(x, left_size=3, shuffle=True, seed=5, preferred_backend="torch"),
                            keras.utils.split_dataset(x, left_size=3, shuffle=True, seed=5,
                                                      preferred_backend="torch")):
        assert ours.indices == theirs.indices


@pytest.mark.parametrize("kwargs", [dict(left_size=9), dict(left_size=0.6, right_size=0.6),
                                    dict(left_size="a"), dict(), dict(left_size=0.01)])
def test_split_refuses_what_keras_refuses(kwargs):
    x = np.zeros((5, 1))
    with pytest.raises(Exception) as theirs:
        keras.utils.split_dataset(x, **kwargs)
    with pytest.raises(type(theirs.value)):
        utils.split_dataset(x, **kwargs)


def test_split_of_a_batched_tf_dataset_is_rebatched_like_keras():
    tf = pytest.importorskip("tensorflow")
    x, y = np.arange(10).reshape(5, 2), np.arange(5)
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(2)
    for ours, theirs in zip(utils.split_dataset(dataset, left_size=3, shuffle=True, seed=4),
                            keras.utils.split_dataset(dataset, left_size=3, shuffle=True, seed=4)):
        for (our_x, our_y), (their_x, their_y) in zip(_rows(ours), _rows(theirs), strict=True):
            np.testing.assert_array_equal(our_x, their_x)
            np.testing.assert_array_equal(our_y, their_y)


def _audio_batches(dataset):
    return [(np.asarray(audio), np.asarray(labels)) for audio, labels in dataset]


@pytest.mark.parametrize("kwargs", [dict(batch_size=2), dict(batch_size=5, output_sequence_length=4,
                                                             label_mode="categorical")])
def test_audio_batches_equal_keras_in_order(tmp_path, kwargs):
    from tests.utils.wav_folder import make_folder

    folder = make_folder(tmp_path)
    ours = utils.audio_dataset_from_directory(folder, shuffle=False, verbose=False, **kwargs)
    theirs = keras.utils.audio_dataset_from_directory(folder, shuffle=False, verbose=False, **kwargs)
    assert ours.class_names == theirs.class_names
    for (our_audio, our_labels), (their_audio, their_labels) in zip(_audio_batches(ours), _audio_batches(theirs),
                                                                    strict=True):
        np.testing.assert_array_equal(our_audio, their_audio)
        np.testing.assert_array_equal(our_labels, their_labels)
        assert our_audio.dtype == their_audio.dtype and our_labels.dtype == their_labels.dtype


def test_audio_split_holds_the_same_files_as_keras(tmp_path):
    from tests.utils.wav_folder import make_folder

    folder = make_folder(tmp_path)
    ours = utils.audio_dataset_from_directory(folder, batch_size=None, validation_split=0.4, subset="both",
                                              seed=11, output_sequence_length=6, verbose=False)
    theirs = keras.utils.audio_dataset_from_directory(folder, batch_size=None, validation_split=0.4,
                                                      subset="both", seed=11, output_sequence_length=6,
                                                      verbose=False)
    for our_part, their_part in zip(ours, theirs, strict=True):
        ours_sorted = sorted((audio.tobytes(), int(label)) for audio, label in _audio_batches(our_part))
        theirs_sorted = sorted((audio.tobytes(), int(label)) for audio, label in _audio_batches(their_part))
        assert ours_sorted == theirs_sorted
