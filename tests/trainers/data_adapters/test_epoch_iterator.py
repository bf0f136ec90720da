"""EpochIterator: one pass per epoch, steps_per_epoch carrying over, exhaustion."""

import warnings

import numpy as np
import pytest

from minikeras.trainers.epoch_iterator import RAN_OUT_OF_DATA
from minikeras.trainers.epoch_iterator import EpochIterator

pytestmark = pytest.mark.data


def _first_values(iterator):
    """The first x value of each batch of one epoch."""
    return [int(batch[0][0, 0]) for _, batch in iterator.enumerate_epoch()]


def test_one_pass_per_epoch_with_steps_counted_from_zero():
    iterator = EpochIterator(np.arange(10.0)[:, None], np.arange(10), batch_size=4)
    steps = [step for step, _ in iterator.enumerate_epoch()]
    assert steps == [0, 1, 2] and iterator.num_batches == 3
    assert _first_values(iterator) == [0, 4, 8]


def test_steps_per_epoch_on_arrays_carries_over_epochs():
    iterator = EpochIterator(np.arange(16.0)[:, None], batch_size=2, steps_per_epoch=3)
    assert iterator.num_batches == 3
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        epochs = [_first_values(iterator) for _ in range(4)]
    # 8 batches: 3 + 3 + 2 (ran out, warned), then a new pass.
    assert epochs == [[0, 2, 4], [6, 8, 10], [12, 14], [0, 2, 4]]
    assert [str(w.message) for w in caught] == [RAN_OUT_OF_DATA]
    assert not iterator.exhausted


def test_pass_ending_exactly_at_an_epoch_restarts_quietly():
    iterator = EpochIterator(np.arange(8.0)[:, None], batch_size=2, steps_per_epoch=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        epochs = [_first_values(iterator) for _ in range(3)]
    assert epochs == [[0, 2], [4, 6], [0, 2]]


def _generator(num_batches):
    for index in range(num_batches):
        yield np.full((2, 1), float(index)), np.zeros(2)


def test_exhausted_generator_warns_and_signals_stop():
    iterator = EpochIterator(_generator(5), steps_per_epoch=2)
    with pytest.warns(UserWarning, match="Your input ran out of data; interrupting training"):
        epochs = [_first_values(iterator) for _ in range(3)]
    assert epochs == [[0, 1], [2, 3], [4]]
    assert iterator.exhausted
    assert _first_values(iterator) == []


def test_generator_without_steps_is_one_pass_then_exhausted():
    iterator = EpochIterator(_generator(3))
    assert iterator.num_batches is None
    assert _first_values(iterator) == [0, 1, 2] and not iterator.exhausted
    with pytest.warns(UserWarning, match="ran out of data"):
        assert _first_values(iterator) == []
    assert iterator.exhausted


def test_reset_starts_from_the_first_batch():
    iterator = EpochIterator(np.arange(8.0)[:, None], batch_size=2, steps_per_epoch=1)
    assert _first_values(iterator) == [0] and _first_values(iterator) == [2]
    iterator.reset()
    assert _first_values(iterator) == [0]


def test_bad_steps_per_epoch():
    with pytest.raises(ValueError, match="steps_per_epoch"):
        EpochIterator(np.zeros((4, 1)), steps_per_epoch=0)
