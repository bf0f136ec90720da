"""``take`` / ``skip`` / ``map`` / ``repeat`` / ``cardinality`` give the elements Keras's tf.data datasets give."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")
pytest.importorskip("tensorflow")

import minikeras  # noqa: E402

pytestmark = pytest.mark.data

DATA = np.arange(40, dtype="float32").reshape(20, 2)
TARGETS = np.arange(20, dtype="float32")


def elements(dataset):
    return [tuple(np.asarray(part) for part in element) for element in dataset]


@pytest.mark.parametrize("batch_size", [3, None])
def test_chained_methods_give_keras_elements(batch_size):
    def build(k):
        return k.utils.timeseries_dataset_from_array(DATA, TARGETS, sequence_length=4, sampling_rate=2,
                                                     batch_size=batch_size)

    ours, theirs = build(minikeras), build(keras)
    assert ours.cardinality() == int(theirs.cardinality())
    for chain in (lambda d: d.take(2), lambda d: d.skip(2).take(3), lambda d: d.skip(-1), lambda d: d.repeat(2),
                  lambda d: d.map(lambda x, y: (x * 2 + 1, y - 1)).prefetch(2).take(4),
                  lambda d: d.cache().skip(1), lambda d: d.repeat().take(9)):
        mine, expected = elements(chain(ours)), elements(chain(theirs))
        assert len(mine) == len(expected) and int(chain(theirs).cardinality()) == chain(ours).cardinality()
        for got, want in zip(mine, expected):
            for a, b in zip(got, want):
                np.testing.assert_array_equal(a, b)
    assert int(theirs.repeat().cardinality()) == ours.repeat().cardinality() == -1
