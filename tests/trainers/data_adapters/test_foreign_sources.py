"""torch DataLoader, tf.data, pandas: same batches as NumPy; imported only if used."""

import subprocess
import sys

import numpy as np
import pytest

from minikeras.trainers.data_adapters import get_data_adapter
from minikeras.trainers.data_adapters.data_adapter_utils import train_validation_split

pytestmark = pytest.mark.data

X = np.arange(10 * 3, dtype="float64").reshape(10, 3) / 7.0
Y = np.arange(10) % 3


def _numpy_batches():
    return list(get_data_adapter(X, Y, batch_size=4).get_numpy_iterator())


def _assert_same_batches(batches):
    expected = _numpy_batches()
    assert len(batches) == len(expected)
    for got, want in zip(batches, expected):
        assert len(got) == len(want)
        for got_leaf, want_leaf in zip(got, want):
            assert got_leaf.dtype == want_leaf.dtype
            np.testing.assert_array_equal(got_leaf, want_leaf)


def test_import_minikeras_imports_no_framework():
    code = (
        "import sys, minikeras, minikeras.trainers.data_adapters, minikeras.trainers.epoch_iterator\n"
        "print(sorted(m for m in ('torch', 'tensorflow', 'pandas', 'jax', 'scipy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_torch_dataloader_gives_the_numpy_batches_without_copies():
    torch = pytest.importorskip("torch")
    dataset = torch.utils.data.TensorDataset(torch.from_numpy(X.astype("float32")), torch.from_numpy(Y))
    loader = torch.utils.data.DataLoader(dataset, batch_size=4, shuffle=False)
    adapter = get_data_adapter(loader)
    assert adapter.num_batches == 3 and adapter.batch_size == 4 and adapter.partial_batch_size == 2
    _assert_same_batches(list(adapter.get_numpy_iterator()))
    # A float32 CPU tensor reaches NumPy sharing its memory.
    tensor = torch.ones(4, 2)
    (batch,) = list(get_data_adapter([(tensor,)]).get_numpy_iterator())
    assert np.shares_memory(batch[0], tensor.numpy())


def test_torch_tensors_are_arrays_and_dataloader_rules():
    torch = pytest.importorskip("torch")
    _assert_same_batches(list(get_data_adapter(torch.from_numpy(X), torch.from_numpy(Y), batch_size=4).get_numpy_iterator()))
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.ones(4, 1)), batch_size=2)
    with pytest.raises(ValueError, match="When providing `x` as a torch DataLoader, `y` should not be passed"):
        get_data_adapter(loader, y=np.ones(4))
    with pytest.raises(ValueError, match="`class_weight` is not supported for torch DataLoader inputs"):
        get_data_adapter(loader, class_weight={0: 1.0})


def test_tf_dataset_gives_the_numpy_batches_and_decodes_strings():
    tf = pytest.importorskip("tensorflow")
    dataset = tf.data.Dataset.from_tensor_slices((X, Y)).batch(4)
    adapter = get_data_adapter(dataset)
    assert adapter.num_batches == 3
    _assert_same_batches(list(adapter.get_numpy_iterator()))
    texts = tf.data.Dataset.from_tensor_slices((["héllo world", "b"], [1, 0])).batch(2)
    ((words, labels),) = list(get_data_adapter(texts).get_numpy_iterator())
    assert words.tolist() == ["héllo world", "b"] and labels.dtype == np.int32
    assert get_data_adapter(dataset.repeat()).num_batches is None
    with pytest.raises(ValueError, match="When providing `x` as a tf.data.Dataset, `y` should not be passed"):
        get_data_adapter(dataset, y=np.ones(10))
    with pytest.raises(ValueError, match="empty"):
        get_data_adapter(tf.data.Dataset.from_tensor_slices(X[:0]).batch(4))


def test_pandas_dataframe_and_series():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    _assert_same_batches(list(get_data_adapter(frame, pd.Series(Y), batch_size=4).get_numpy_iterator()))
    (x, _), = list(get_data_adapter({"one": frame[["a"]], "two": frame[["b", "c"]]}, Y, batch_size=10).get_numpy_iterator())
    assert x["one"].shape == (10, 1) and x["two"].shape == (10, 2)


def test_pandas_non_numeric_columns_are_named():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"age": [1.0, 2.0], "city": ["Oslo", "Rome"], "kind": pd.Categorical(["a", "b"])})
    with pytest.raises(ValueError, match=r"not numeric: \['city', 'kind'\]"):
        get_data_adapter(frame, np.zeros(2))


def test_validation_split_takes_the_last_samples():
    x = np.arange(10.0)[:, None]
    (train_x, train_y), (val_x, val_y) = train_validation_split((x, np.arange(10)), validation_split=0.25)
    assert train_x[:, 0].tolist() == list(range(7)) and val_y.tolist() == [7, 8, 9]


def test_validation_split_errors_use_keras_messages():
    with pytest.raises(ValueError, match="Argument `validation_split` is only supported for tensors or NumPy arrays.Found incompatible type"):
        train_validation_split(((b for b in []), None), 0.2)
    with pytest.raises(ValueError, match="Training data contains 3 samples, which is not sufficient to split it"):
        train_validation_split((np.zeros((3, 1)),), 0.9)


def test_unrecognized_type_uses_keras_message():
    with pytest.raises(ValueError, match=r"Unrecognized data type: x=3 \(of type <class 'int'>\)"):
        get_data_adapter(3)
