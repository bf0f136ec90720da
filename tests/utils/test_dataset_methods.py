"""The tf.data-style methods of minikeras's datasets: what each element is, laziness, errors, ``fit``."""

import numpy as np
import pytest

import minikeras as keras
from minikeras.utils.dataset_methods import INFINITE_CARDINALITY
from minikeras.utils.py_dataset import PyDataset


def series(batch_size=4):
    """20 windows of length 3 over 0..21, targets = the window's start: 5 batches of 4."""
    data = np.arange(22, dtype="float32")
    return keras.utils.timeseries_dataset_from_array(data, data, sequence_length=3, batch_size=batch_size)


def starts(dataset):
    return [int(y) for _, targets in dataset for y in np.atleast_1d(targets)]


def test_take_skip_and_cardinality_count_elements():
    ds = series()
    assert ds.cardinality() == 5 and len(ds.take(2)) == 2 and ds.take(-1).cardinality() == 5
    assert starts(ds.take(2)) == list(range(8))
    assert starts(ds.skip(3)) == list(range(12, 20))
    assert starts(ds.skip(1).take(1)) == [4, 5, 6, 7]
    assert len(ds.take(9)) == 5 and len(ds.skip(9)) == 0 and len(ds.skip(-1)) == 0
    one_by_one = series(batch_size=None)  # an element is one window
    assert len(one_by_one.take(3)) == 3 and np.asarray(one_by_one.take(1)[0][0]).shape == (3,)


def test_map_spreads_tuples_and_reads_lazily():
    calls = []

    def double_inputs(x, y):
        calls.append(1)
        return x * 2, y

    mapped = series().map(double_inputs)
    assert not calls  # nothing read yet
    x, y = next(iter(mapped))
    np.testing.assert_array_equal(x[1], [2.0, 4.0, 6.0])
    assert len(calls) == 1 and len(mapped) == 5
    unlabeled = keras.utils.timeseries_dataset_from_array(np.arange(6.0), None, 2, batch_size=2)
    assert np.asarray(unlabeled.map(lambda x: x + 1)[0]).tolist() == [[1.0, 2.0], [2.0, 3.0]]
    with pytest.raises(TypeError, match="map_func"):
        series().map(3)


def test_shuffle_draws_from_a_buffer_as_tf_data_does():
    ds = series(batch_size=1)  # 20 elements
    assert starts(ds.shuffle(1)) == list(range(20))  # a buffer of one changes nothing
    order = starts(ds.shuffle(3, seed=0))
    assert sorted(order) == list(range(20))
    # With a buffer of 3 an element can move at most... forward by 2; backward without limit.
    assert all(position >= element - 2 for position, element in enumerate(order))
    full = ds.shuffle(100, seed=1)
    first, second = starts(full), starts(full)  # iterating ends an epoch: reshuffled
    assert sorted(first) == sorted(second) == list(range(20)) and first != second
    again = keras.utils.timeseries_dataset_from_array(np.arange(22.0), np.arange(22.0), 3, batch_size=1)
    assert starts(again.shuffle(100, seed=1)) == first  # same seed, same order
    fixed = ds.shuffle(100, seed=2, reshuffle_each_iteration=False)
    assert starts(fixed) == starts(fixed)
    with pytest.raises(ValueError, match="buffer_size"):
        ds.shuffle(0)


def test_repeat_cache_prefetch_and_infinite_datasets():
    ds = series()
    assert starts(ds.repeat(2)) == list(range(20)) * 2
    forever = ds.repeat()
    assert forever.cardinality() == INFINITE_CARDINALITY
    assert starts(forever.take(6)) == list(range(20)) + list(range(4))
    with pytest.raises(TypeError, match="infinite"):
        len(forever)
    assert starts(forever.skip(3).take(2)) == list(range(12, 20))  # skipping into an infinite dataset
    with pytest.raises(TypeError, match="infinite"):
        forever.skip(-1)  # there is no end to skip to
    assert ds.prefetch(2) is ds

    reads = []

    class Counting(PyDataset):
        def __len__(self):
            return 2

        def __getitem__(self, index):
            reads.append(index)
            return np.full((1, 1), index, "float32")

    cached = keras.utils.timeseries_dataset_from_array(np.arange(4.0), None, 1, batch_size=2).map(
        lambda x: Counting()[int(x[0, 0]) // 2]).cache()
    list(cached), list(cached)
    assert reads == [0, 1]
    with pytest.raises(ValueError, match="in memory"):
        ds.cache("/tmp/somewhere")
    with pytest.raises(ValueError, match="count"):
        ds.take(1.5)


def test_fit_streams_a_mapped_shuffled_taken_dataset():
    rng = np.random.default_rng(0)
    data = rng.normal(size=(60, 2)).astype("float32")
    ds = keras.utils.timeseries_dataset_from_array(data, data[:, 0], sequence_length=4, batch_size=8)
    train = ds.map(lambda x, y: (x * 0.5, y)).shuffle(8, seed=0).take(5).prefetch(1)
    model = keras.Sequential([keras.Input((4, 2)), keras.layers.Flatten(), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    history = model.fit(train, epochs=2, validation_data=ds.skip(5), verbose=0)
    assert len(history.history["loss"]) == 2 and np.isfinite(history.history["val_loss"]).all()
    assert model.predict(ds.take(1).map(lambda x, y: x), verbose=0).shape == (8, 1)


def test_directory_datasets_have_the_methods(tmp_path):
    for label in ("a", "b"):
        (tmp_path / label).mkdir()
        for index in range(3):
            (tmp_path / label / f"{index}.txt").write_text(f"{label} {index}")
    ds = keras.utils.text_dataset_from_directory(tmp_path, batch_size=2, shuffle=False)
    texts = [text for batch, _ in ds.take(2) for text in batch]
    assert len(texts) == 4 and ds.take(1).class_names == ["a", "b"]
    lengths = ds.map(lambda text, label: (np.array([len(t) for t in text]), label))
    assert [len(x) for x, _ in lengths] == [2, 2, 2]
