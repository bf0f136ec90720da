"""Configs that ask for local files or for far more memory than they spell out.

* A ``vocabulary`` given as a path in a config is refused while loading in
  safe mode; no error message ever quotes a vocabulary file's lines.
* A ``__numpy__`` entry may only have a plain numeric, bool or string dtype,
  and a string array may not outgrow its JSON (``U250000000`` once made one
  1 GB element out of 20 bytes).
"""

import os

import numpy as np
import pytest

from minikeras import saving
from minikeras.layers import TextVectorization
from tests.saving.helpers import rewrite_config

pytestmark = pytest.mark.saving

SECRET_LINES = ["hunter2", "hunter2", "api-key-1234"]


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("\n".join(SECRET_LINES) + "\n")
    return str(path)


@pytest.fixture
def saved_vectorizer(tmp_path):
    path = str(tmp_path / "text.keras")
    saving.save_model(TextVectorization(vocabulary=["cat", "dog"]), path)
    return path


def _assert_quotes_no_secret(error):
    for line in SECRET_LINES:
        assert line not in str(error), f"the error message shows a line of the file: {error}"


def test_vocabulary_path_in_a_config_is_refused_in_safe_mode(saved_vectorizer, secret_file):
    rewrite_config(saved_vectorizer, lambda config: config["config"].update(vocabulary=secret_file))
    with pytest.raises(ValueError, match="outside of the model archive") as error:
        saving.load_model(saved_vectorizer)
    assert secret_file in str(error.value)
    _assert_quotes_no_secret(error.value)


def test_nested_loads_keep_the_callers_safe_mode(secret_file):
    config = saving.serialize_keras_object(TextVectorization(vocabulary=["cat"]))
    config["config"]["vocabulary"] = secret_file
    with pytest.raises(ValueError, match="outside of the model archive"):
        saving.deserialize_keras_object(config)
    with pytest.raises(ValueError, match="1 repeated terms") as error:  # read, as asked
        saving.deserialize_keras_object(config, safe_mode=False)
    _assert_quotes_no_secret(error.value)


def test_vocabulary_file_errors_never_quote_the_file(secret_file):
    with pytest.raises(ValueError, match="secret.txt' has 1 repeated terms") as error:
        TextVectorization(vocabulary=secret_file)
    _assert_quotes_no_secret(error.value)
    with open(secret_file, "wb") as file:
        file.write("hunter2\n".encode() + b"\xff\xfe api-key-1234\n")
    with pytest.raises(ValueError, match=r"not valid utf-8 text \(byte offset 8\)") as error:
        TextVectorization(vocabulary=secret_file)
    _assert_quotes_no_secret(error.value)


def test_vocabulary_path_outside_a_load_is_read(tmp_path):
    path = tmp_path / "vocabulary.txt"
    path.write_text("cat\ndog\n")
    layer = TextVectorization(vocabulary=str(path))
    assert layer.get_vocabulary() == ["", "[UNK]", "cat", "dog"]
    with pytest.raises(ValueError, match="does not exist"):
        TextVectorization(vocabulary=str(tmp_path / "absent.txt"))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX only")
def test_vocabulary_fifo_is_refused_without_blocking(tmp_path):
    path = tmp_path / "vocabulary.txt"
    os.mkfifo(path)
    with pytest.raises(ValueError, match="not a regular file"):
        TextVectorization(vocabulary=str(path))


def test_a_model_built_from_a_vocabulary_file_loads_in_safe_mode(tmp_path):
    vocabulary = tmp_path / "vocabulary.txt"
    vocabulary.write_text("cat\ndog\n")
    path = str(tmp_path / "text.keras")
    saving.save_model(TextVectorization(vocabulary=str(vocabulary)), path)
    vocabulary.unlink()  # the tokens travel in the archive, not as a path
    loaded = saving.load_model(path)
    assert loaded.get_vocabulary() == ["", "[UNK]", "cat", "dog"]


def _numpy_entry(value, dtype):
    return {"class_name": "__numpy__", "config": {"value": value, "dtype": dtype}}


@pytest.mark.parametrize("dtype", ["U25000000", "S5", "object", "(3,)f4", "V8", "datetime64[s]", "complex64"])
def test_array_dtypes_outside_the_allow_list_are_refused(dtype):
    with pytest.raises(ValueError, match="Refusing to load an array of dtype"):
        saving.deserialize_keras_object(_numpy_entry([""], dtype))


def test_string_arrays_round_trip_and_are_bounded():
    array = np.array([["ab", "c"], ["", "xyz"]])
    config = saving.serialize_keras_object(array)
    assert config["config"]["dtype"] == "string"  # Keras's name
    np.testing.assert_array_equal(saving.deserialize_keras_object(config), array)
    with pytest.raises(ValueError, match="over the 67108864 byte limit"):
        saving.deserialize_keras_object(_numpy_entry(["x" * 70_000] * 300, "string"))
    with pytest.raises(ValueError, match="only strings"):
        saving.deserialize_keras_object(_numpy_entry(["a", 1], "string"))


@pytest.mark.parametrize("dtype", ["float32", "int8", "uint16", "bool", "float64"])
def test_numeric_arrays_round_trip(dtype):
    array = np.arange(6).reshape(2, 3).astype(dtype)
    loaded = saving.deserialize_keras_object(saving.serialize_keras_object(array))
    assert loaded.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(loaded, array)


@pytest.mark.parametrize("edit, shape", [
    (lambda config: config.update(repeats=[1, 200_000_000]), (None, 800_000_000)),
    (lambda config: config.update(repeats=[300_000, 1, 1_000]), (300_000, None, 4_000)),
])
def test_a_huge_op_node_output_loads_without_being_allocated(tmp_path, edit, shape):
    import time

    import minikeras as keras
    from minikeras import ops
    path = str(tmp_path / "tile.keras")
    x = keras.Input((4,))
    saving.save_model(keras.Model(x, ops.tile(x, [1, 3])), path)
    rewrite_config(path, lambda config: edit(config["config"]["layers"][1]["config"]))
    assert os.path.getsize(path) < 20_000
    start = time.perf_counter()
    model = saving.load_model(path)
    assert time.perf_counter() - start < 10
    assert tuple(model.output.shape) == shape
