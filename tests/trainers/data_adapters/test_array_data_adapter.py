"""The array adapter: batch sizes, dtypes, shuffle modes, weights, nests."""

import numpy as np
import pytest

from minikeras.trainers.data_adapters import get_data_adapter
from minikeras.trainers.data_adapters.array_data_adapter import ArrayDataAdapter

pytestmark = pytest.mark.data


def _batches(adapter):
    return list(adapter.get_numpy_iterator())


def test_default_batch_size_is_32_and_partial_batch_is_kept():
    x = np.arange(70 * 3, dtype="float64").reshape(70, 3)
    adapter = ArrayDataAdapter(x, np.arange(70))
    sizes = [batch[0].shape[0] for batch in _batches(adapter)]
    assert sizes == [32, 32, 6]
    assert adapter.num_batches == 3 and adapter.batch_size == 32
    assert adapter.has_partial_batch and adapter.partial_batch_size == 6


def test_batch_size_from_steps():
    adapter = ArrayDataAdapter(np.zeros((10, 2)), steps=3)
    assert adapter.batch_size == 4 and adapter.num_batches == 3
    assert not ArrayDataAdapter(np.zeros((8, 2)), batch_size=4).has_partial_batch


def test_floats_cast_to_floatx_ints_kept_strings_pass():
    x = np.ones((4, 2), dtype="float64")
    y = np.arange(4, dtype="int32")
    (bx, by), = _batches(ArrayDataAdapter(x, y, batch_size=4))
    assert bx.dtype == np.float32 and by.dtype == np.int32
    texts = np.array(["a b", "c", "d e f", "g"])
    (bt,), = _batches(ArrayDataAdapter(texts, batch_size=4))
    assert bt.tolist() == texts.tolist()


def test_no_shuffle_keeps_order_and_shuffle_true_permutes_all_samples():
    x = np.arange(20, dtype="float32")[:, None]
    ordered = np.concatenate([b[0] for b in _batches(ArrayDataAdapter(x, batch_size=6))])
    np.testing.assert_array_equal(ordered, x)
    np.random.seed(0)
    adapter = ArrayDataAdapter(x, batch_size=6, shuffle=True)
    first = np.concatenate([b[0] for b in _batches(adapter)])[:, 0]
    second = np.concatenate([b[0] for b in _batches(adapter)])[:, 0]
    assert sorted(first) == list(range(20)) and not np.array_equal(first, x[:, 0])
    assert not np.array_equal(first, second), "a new permutation each epoch"


def test_shuffle_batch_only_mixes_within_chunks():
    x = np.arange(20, dtype="float32")[:, None]
    np.random.seed(1)
    batches = _batches(ArrayDataAdapter(x, batch_size=6, shuffle="batch"))
    for index, (batch,) in enumerate(batches):
        assert sorted(batch[:, 0]) == list(range(6 * index, min(6 * index + 6, 20)))


def test_nested_inputs_dicts_and_lists():
    x = {"a": np.ones((5, 2)), "b": np.zeros((5, 3, 1))}
    y = [np.arange(5), np.ones((5, 1))]
    (bx, by), = _batches(ArrayDataAdapter(x, y, batch_size=5))
    assert set(bx) == {"a", "b"} and bx["b"].shape == (5, 3, 1)
    assert isinstance(by, list) and by[0].dtype == np.int64


def test_class_weight_becomes_sample_weight_with_argmax_for_one_hot():
    y = np.array([0, 1, 2, 1])
    (_, _, weights), = _batches(ArrayDataAdapter(np.ones((4, 1)), y, class_weight={1: 3.0, 2: 0.5}))
    np.testing.assert_array_equal(weights, [1.0, 3.0, 0.5, 3.0])
    one_hot = np.eye(3)[y]
    (_, _, weights), = _batches(ArrayDataAdapter(np.ones((4, 1)), one_hot, class_weight={1: 3.0, 2: 0.5}))
    np.testing.assert_array_equal(weights, [1.0, 3.0, 0.5, 3.0])
    assert weights.dtype == np.float32


def test_sample_weight_with_class_weight_is_refused():
    with pytest.raises(ValueError, match="You cannot `class_weight` and `sample_weight` at the same time."):
        ArrayDataAdapter(np.ones((4, 1)), np.zeros(4), sample_weight=np.ones(4), class_weight={0: 1.0})


def test_single_sample_weight_is_repeated_for_each_output():
    y = [np.zeros(4), np.ones(4)]
    (_, _, weights), = _batches(ArrayDataAdapter(np.ones((4, 1)), y, sample_weight=np.arange(4.0)))
    assert isinstance(weights, list) and len(weights) == 2
    np.testing.assert_array_equal(weights[1], np.arange(4.0))


def test_cardinality_mismatch_uses_keras_message():
    with pytest.raises(ValueError) as error:
        get_data_adapter(np.zeros((100, 2)), np.zeros(50))
    assert str(error.value) == (
        "Data cardinality is ambiguous. Make sure all arrays contain the same number of "
        "samples.'x' sizes: 100\n'y' sizes: 50\n"
    )


def test_plain_list_of_numbers_is_unrecognized():
    with pytest.raises(ValueError, match=r"Unrecognized data type: x=\[1, 2, 3\] \(of type <class 'list'>\)"):
        get_data_adapter([1, 2, 3])


def test_empty_arrays_are_refused():
    with pytest.raises(ValueError, match="at least one sample"):
        get_data_adapter(np.zeros((0, 3)), np.zeros(0))


def test_objects_with_dunder_array_are_arrays():
    class Wrapped:
        def __init__(self, values):
            self.values = values

        def __array__(self, dtype=None, copy=None):
            return self.values

    (bx,), = _batches(get_data_adapter(Wrapped(np.ones((3, 2), "float64")), batch_size=3))
    assert bx.shape == (3, 2) and bx.dtype == np.float32
