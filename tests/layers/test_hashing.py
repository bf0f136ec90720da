"""Hashing and HashedCrossing: the FarmHash fingerprint by known values, bins, masks, errors."""

import numpy as np
import pytest

from minikeras import layers
from minikeras.layers.hashing import fingerprint64


def test_fingerprint_of_short_and_long_strings_is_deterministic_and_spread():
    # FarmHash of the empty string is its constant k2
    assert fingerprint64(b"") == 0x9AE16A3B2F90404F
    lengths = [1, 5, 12, 20, 40, 100, 300]  # every code path: 0-16, 17-32, 33-64 and long
    values = {fingerprint64(b"x" * length) for length in lengths}
    assert len(values) == len(lengths)
    assert all(0 <= value < 2 ** 64 for value in values)


def test_hashing_bins_and_mask():
    layer = layers.Hashing(num_bins=4, mask_value="")
    bins = np.asarray(layer(np.array([["a", "", "b", "a"]])))
    assert bins[0, 1] == 0 and bins[0, 0] == bins[0, 3]
    assert set(bins[0].tolist()) <= {0, 1, 2, 3}


def test_integers_hash_as_their_decimal_text():
    strings = np.asarray(layers.Hashing(num_bins=97)(np.array(["12", "-3"])))
    integers = np.asarray(layers.Hashing(num_bins=97)(np.array([12, -3])))
    np.testing.assert_array_equal(strings, integers)


def test_hashed_crossing_depends_on_the_pair_and_its_order():
    layer = layers.HashedCrossing(num_bins=1000)
    ab = np.asarray(layer((np.array(["a"]), np.array(["b"]))))
    ba = np.asarray(layer((np.array(["b"]), np.array(["a"]))))
    assert ab.shape == (1,) and ab[0] != ba[0]


def test_errors():
    with pytest.raises(ValueError, match="num_bins"):
        layers.Hashing(num_bins=0)
    with pytest.raises(ValueError, match="salt"):
        layers.Hashing(num_bins=3, salt=1)
    with pytest.raises(ValueError, match="Input shapes must match"):
        layers.HashedCrossing(3)((np.array(["a", "b"]), np.array(["c"])))
