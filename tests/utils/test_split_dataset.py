"""split_dataset on tiny arrays: which rows go left and right, the shuffle, and the errors naming the argument."""

import random

import numpy as np
import pytest

from minikeras.utils import split_dataset


def test_an_array_is_cut_after_the_left_rows():
    x = np.arange(10).reshape(5, 2)
    left, right = split_dataset(x, left_size=0.6)  # round(0.6 * 5) = 3 rows on the left
    np.testing.assert_array_equal(left, x[:3])
    np.testing.assert_array_equal(right, x[3:])
    left, right = split_dataset(x, left_size=1, right_size=2)  # the middle rows are left out
    np.testing.assert_array_equal(left, x[:1])
    np.testing.assert_array_equal(right, x[3:])


def test_a_tuple_keeps_rows_together_and_a_list_becomes_a_tuple():
    x, y = np.arange(10).reshape(5, 2), np.arange(5) * 10
    (x_left, y_left), (x_right, y_right) = split_dataset((x, y), right_size=2)
    np.testing.assert_array_equal(x_left, x[:3])
    np.testing.assert_array_equal(y_right, y[3:])
    left, _ = split_dataset([x, y], left_size=4)
    assert isinstance(left, tuple) and left[0].shape == (4, 2) and left[1].shape == (4,)


def test_shuffle_is_pythons_random_with_the_seed_and_repeats():
    x = np.arange(6)
    left, right = split_dataset(x, left_size=4, shuffle=True, seed=3)
    order = list(range(6))
    random.Random(3).shuffle(order)  # the permutation Keras draws with random.seed(3)
    np.testing.assert_array_equal(np.concatenate([left, right]), order)
    again, _ = split_dataset(x, left_size=4, shuffle=True, seed=3)
    np.testing.assert_array_equal(left, again)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(dataset={"a": np.zeros(3)}, left_size=1), TypeError, "`dataset` argument must be"),
    (dict(dataset=np.zeros(3)), ValueError, "At least one of the `left_size` or `right_size`"),
    (dict(dataset=np.zeros(5), left_size=7), ValueError, "`left_size` should be either a positive integer"),
    (dict(dataset=np.zeros(5), right_size=1.5), ValueError, "`right_size` should be either"),
    (dict(dataset=np.zeros(5), left_size="a"), TypeError, r"Invalid `left_size` Type"),
    (dict(dataset=np.zeros(5), left_size=0.6, right_size=0.6), ValueError, "greater than 1"),
    (dict(dataset=np.zeros(5), left_size=3, right_size=3), ValueError, "should be smaller than the 5"),
    (dict(dataset=(np.zeros(5), np.zeros(3)), left_size=2), ValueError, "different lengths"),
    (dict(dataset=[], left_size=1), ValueError, "empty list"),
    (dict(dataset=np.zeros(5), left_size=0.05), ValueError, "left side dataset split will be empty"),
])
def test_bad_arguments_are_named(kwargs, error, message):
    with pytest.raises(error, match=message):
        split_dataset(**kwargs)
