"""Generators and re-iterable iterables of batches, and their bad inputs."""

import numpy as np
import pytest

from minikeras.trainers.data_adapters import get_data_adapter
from minikeras.trainers.epoch_iterator import EpochIterator

pytestmark = pytest.mark.data


def _batch(value, n=2):
    return np.full((n, 3), value, dtype="float64"), np.arange(n)


def test_generator_batches_are_numpy_in_floatx_and_first_batch_is_not_lost():
    def generator():
        for value in range(3):
            yield _batch(value)

    batches = list(get_data_adapter(generator()).get_numpy_iterator())
    assert [b[0][0, 0] for b in batches] == [0.0, 1.0, 2.0]
    assert batches[0][0].dtype == np.float32 and batches[0][1].dtype == np.int64


def test_bare_x_and_lists_become_tuples():
    def generator():
        yield np.ones((2, 1))
        yield np.zeros((2, 1))

    batches = list(get_data_adapter(generator()).get_numpy_iterator())
    assert all(isinstance(b, tuple) and len(b) == 1 for b in batches)
    listed = list(get_data_adapter(iter([[np.ones((2, 1)), np.ones(2)]])).get_numpy_iterator())
    assert isinstance(listed[0], tuple) and len(listed[0]) == 2


def test_list_of_tuples_restarts_every_epoch():
    data = [_batch(value) for value in range(3)]
    iterator = EpochIterator(data)
    assert iterator.num_batches == 3
    for _ in range(2):
        assert [batch[0][0, 0] for _, batch in iterator.enumerate_epoch()] == [0.0, 1.0, 2.0]
    assert not iterator.exhausted


def test_class_with_iter_restarts_every_epoch_and_learns_its_length():
    class Batches:
        def __iter__(self):
            for value in range(4):
                yield _batch(value)

    iterator = EpochIterator(Batches())
    assert iterator.num_batches is None
    first = [s for s, _ in iterator.enumerate_epoch()]
    second = [s for s, _ in iterator.enumerate_epoch()]
    assert first == second == [0, 1, 2, 3] and iterator.num_batches == 4


def test_empty_generator_uses_keras_message():
    with pytest.raises(ValueError, match="must yield at least one batch. Received an empty generator."):
        get_data_adapter(b for b in [])


def test_bad_tuple_uses_keras_message():
    def generator():
        yield (np.ones(2), np.ones(2), np.ones(2), np.ones(2))

    with pytest.raises(ValueError, match=r"Data is expected to be in format `x`, `\(x,\)`, `\(x, y\)`, or `\(x, y, sample_weight\)`, found:"):
        get_data_adapter(generator())


def test_inconsistent_structures_raise_a_clear_error():
    def generator():
        yield _batch(0)
        yield (np.ones((2, 3)),)

    adapter = get_data_adapter(generator())
    with pytest.raises(ValueError, match="yielded batches of different structures.*batch 1"):
        list(adapter.get_numpy_iterator())


def test_y_beside_a_generator_uses_keras_message():
    with pytest.raises(ValueError, match="When providing `x` as a generator, `y` should not be passed. Instead, "
                                         "the targets should be included as part of the generator."):
        get_data_adapter((b for b in [_batch(0)]), y=np.zeros(2))


def test_class_weight_with_a_generator_is_refused():
    with pytest.raises(ValueError, match="`class_weight` is not supported for Python generator inputs"):
        get_data_adapter((b for b in [_batch(0)]), class_weight={0: 1.0})


def test_shuffle_is_ignored_with_a_warning():
    with pytest.warns(UserWarning, match="`shuffle=True` was passed, but will be ignored"):
        get_data_adapter((b for b in [_batch(0)]), shuffle=True)
