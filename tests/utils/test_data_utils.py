"""to_categorical, normalize, pad_sequences and timeseries_dataset_from_array, on tiny hand-checked examples."""

import numpy as np
import pytest

import minikeras as keras
from minikeras import ops
from minikeras.utils import normalize
from minikeras.utils import pad_sequences
from minikeras.utils import timeseries_dataset_from_array
from minikeras.utils import to_categorical


def test_to_categorical_one_hot_rows():
    np.testing.assert_array_equal(to_categorical([0, 2, 1], 3), [[1, 0, 0], [0, 0, 1], [0, 1, 0]])
    assert to_categorical([0, 2, 1]).shape == (3, 3)  # num_classes = max + 1
    assert to_categorical(np.zeros((2, 5, 1), "int32"), 4).shape == (2, 5, 4)  # trailing 1 dropped
    assert to_categorical([1, 0], 2).dtype == np.float64


def test_to_categorical_of_a_tensor_is_a_tensor():
    result = to_categorical(ops.convert_to_tensor(np.array([1, 0])), 3)
    np.testing.assert_array_equal(ops.convert_to_numpy(result), [[0, 1, 0], [1, 0, 0]])


@pytest.mark.parametrize("labels", [[0, 3, 1], [0, -1]])
def test_to_categorical_names_a_label_out_of_range(labels):
    with pytest.raises(ValueError, match=r"to_categorical: every label must be in \[0, num_classes\) = \[0, 3\)"):
        to_categorical(labels, num_classes=3)


def test_normalize_gives_unit_rows_and_keeps_zero_rows():
    x = np.array([[3.0, 4.0], [0.0, 0.0]])
    np.testing.assert_allclose(normalize(x), [[0.6, 0.8], [0.0, 0.0]])
    np.testing.assert_allclose(normalize(x, axis=0), [[1.0, 1.0], [0.0, 0.0]])
    np.testing.assert_allclose(normalize(x, order=1), [[3 / 7, 4 / 7], [0.0, 0.0]])
    np.testing.assert_allclose(ops.convert_to_numpy(normalize(ops.convert_to_tensor(x))), normalize(x))


def test_pad_sequences_pre_and_post():
    np.testing.assert_array_equal(pad_sequences([[1, 2, 3], [4, 5], [6]]), [[1, 2, 3], [0, 4, 5], [0, 0, 6]])
    padded = pad_sequences([[1, 2, 3], [4, 5], [6]], maxlen=2, padding="post", truncating="post", value=-1)
    np.testing.assert_array_equal(padded, [[1, 2], [4, 5], [6, -1]])
    np.testing.assert_array_equal(pad_sequences([[1, 2, 3]], maxlen=2), [[2, 3]])  # truncating="pre"
    assert pad_sequences([[1, 2], []]).dtype == np.int32
    assert pad_sequences([[[1, 2]], [[3, 4], [5, 6]]]).shape == (2, 2, 2)
    assert pad_sequences([], maxlen=3).shape == (0, 3)


@pytest.mark.parametrize("argument", ["padding", "truncating"])
def test_pad_sequences_names_a_bad_place(argument):
    with pytest.raises(ValueError, match=f"`{argument}` must be \"pre\" or \"post\". Received: {argument}='middle'"):
        pad_sequences([[1, 2, 3], [4]], **{argument: "middle"})


def test_pad_sequences_refuses_a_non_sequence_and_a_text_value_for_numbers():
    with pytest.raises(ValueError, match="Found non-iterable: 1 at index 0"):
        pad_sequences([1, 2])
    with pytest.raises(ValueError, match="dtype=object"):
        pad_sequences([[1]], value="x")
    text = pad_sequences([["a", "bc"], ["d"]], dtype=object, value="")
    assert text.tolist() == [["a", "bc"], ["", "d"]]


def test_timeseries_windows_and_targets():
    data = np.arange(20.0)
    dataset = timeseries_dataset_from_array(data, data * 10, sequence_length=3, sequence_stride=2,
                                            sampling_rate=2, batch_size=4)
    # Windows start at 0, 2, ..., 14 (a window reaches start + 4 <= 19): 8 windows, 2 batches.
    assert len(dataset) == 2
    windows, targets = dataset[0]
    np.testing.assert_array_equal(windows[1], [2.0, 4.0, 6.0])
    np.testing.assert_array_equal(targets, [0.0, 20.0, 40.0, 60.0])
    assert dataset[1][0][-1].tolist() == [14.0, 16.0, 18.0]


def test_timeseries_start_end_batchless_and_shuffle():
    data = np.arange(10)
    dataset = timeseries_dataset_from_array(data, None, 3, start_index=2, end_index=8, batch_size=None)
    assert [window.tolist() for window in dataset] == [[2, 3, 4], [3, 4, 5], [4, 5, 6], [5, 6, 7]]
    shuffled = timeseries_dataset_from_array(data, None, 3, shuffle=True, seed=1, batch_size=100)[0]
    again = timeseries_dataset_from_array(data, None, 3, shuffle=True, seed=1, batch_size=100)[0]
    np.testing.assert_array_equal(shuffled, again)
    assert sorted(shuffled[:, 0].tolist()) == list(range(8))


def test_timeseries_argument_errors_name_the_argument():
    with pytest.raises(ValueError, match="`sampling_rate` must be higher than 0"):
        timeseries_dataset_from_array(np.arange(10), None, 3, sampling_rate=0)
    with pytest.raises(ValueError, match="`end_index` must be higher than `start_index`"):
        timeseries_dataset_from_array(np.arange(10), None, 3, start_index=5, end_index=4)


def test_fit_streams_a_timeseries_dataset():
    keras.utils.set_random_seed(0)
    series = np.sin(np.arange(60) / 3.0).astype("float32")[:, None]
    dataset = timeseries_dataset_from_array(series[:-4], series[4:, 0], sequence_length=4, batch_size=16)
    model = keras.Sequential([keras.layers.Input((4, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    model.compile(loss="mse", optimizer="adam")
    history = model.fit(dataset, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


def test_sequence_is_py_dataset_and_preprocessing_keeps_old_paths():
    assert keras.utils.Sequence is keras.utils.PyDataset
    assert keras.preprocessing.sequence.pad_sequences is pad_sequences
    assert keras.preprocessing.timeseries_dataset_from_array is timeseries_dataset_from_array
