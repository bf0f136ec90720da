"""``Lambda``: eager, Sequential and functional use; Keras's config; no bytecode, ever."""

import json
import zipfile

import numpy
import pytest

import minikeras as keras
from minikeras.saving import serialization_lib

L = keras.layers


@pytest.fixture(autouse=True)
def fresh_names():
    keras.utils.clear_session()


@keras.saving.register_keras_serializable(package="lambda_tests")
def scale(x, factor=2.0):
    return x * factor


def test_eager_call_passes_arguments():
    layer = L.Lambda(scale, arguments={"factor": 3.0})
    out = layer(numpy.ones((2, 3), "float32"))
    numpy.testing.assert_allclose(numpy.asarray(out), numpy.full((2, 3), 3.0))


def test_sequential_and_functional_shapes():
    model = keras.Sequential([keras.Input((4,)), L.Lambda(lambda x: x[:, :2] * 2.0), L.Dense(1)])
    assert model(numpy.ones((5, 4), "float32")).shape == (5, 1)
    inputs = keras.Input((4,))
    flags = L.Lambda(lambda x: x > 0)(inputs)
    assert flags.shape == (None, 4) and flags.dtype == "bool"  # the trial call finds the dtype
    given = L.Lambda(scale, output_shape=(4,))(inputs)
    assert given.shape == (None, 4)
    assert L.Lambda(scale, output_shape=lambda shape: shape).compute_output_shape((None, 7)) == (None, 7)


def test_mask_and_training_reach_functions_that_name_them():
    seen = {}

    def record(x, training=None):
        seen["training"] = training
        return x

    L.Lambda(record)(numpy.ones((1, 2), "float32"), training=True)
    assert seen["training"] is True
    layer = L.Lambda(scale, mask=lambda inputs, previous: inputs > 1)
    out = layer(numpy.array([[0.0, 2.0]], "float32"))
    numpy.testing.assert_array_equal(numpy.asarray(out._keras_mask), [[False, True]])


def test_config_names_functions_as_keras_does():
    layer = L.Lambda(scale, output_shape=(4,), arguments={"factor": 3.0})
    config = layer.get_config()
    assert config["function"] == {"module": "builtins", "class_name": "function",
                                  "config": "lambda_tests>scale", "registered_name": "function"}
    assert config["output_shape"] == [4] and config["arguments"] == {"factor": 3.0}
    rebuilt = L.Lambda.from_config(json.loads(json.dumps(config)))
    assert rebuilt.function is scale and rebuilt._output_shape == (4,)


def test_saving_a_python_lambda_is_a_clear_error(tmp_path):
    inputs = keras.Input((4,))
    model = keras.Model(inputs, L.Lambda(lambda x: x * 2)(inputs))
    with pytest.raises(ValueError, match="register_keras_serializable"):
        model.save(tmp_path / "lambda.keras")


def test_named_function_model_round_trip(tmp_path):
    inputs = keras.Input((4,))
    model = keras.Model(inputs, L.Dense(2)(L.Lambda(scale)(inputs)))
    model.save(tmp_path / "named.keras")
    loaded = keras.saving.load_model(tmp_path / "named.keras")
    data = numpy.ones((3, 4), "float32")
    numpy.testing.assert_allclose(numpy.asarray(loaded(data)), numpy.asarray(model(data)))


def _archive_with_bytecode(path, tmp_path):
    """Our saved model with its Lambda's function replaced by a ``__lambda__`` entry."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(members["config.json"])
    lambda_config = next(layer for layer in config["config"]["layers"] if layer["class_name"] == "Lambda")
    lambda_config["config"]["function"] = {"class_name": "__lambda__", "config": {
        "code": "4wEAAAAAAAAAAAAAAAEAAAACAAAAQwAAAHMIAAAAdABkAYMBUwApAk7aAXgpAdoDc3lzKQHaAXipAHIDAAAA",
        "defaults": None, "closure": None}}
    members["config.json"] = json.dumps(config).encode()
    hostile = tmp_path / "bytecode.keras"
    with zipfile.ZipFile(hostile, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return hostile


@pytest.mark.parametrize("safe_mode", [True, False])
def test_lambda_bytecode_is_never_loaded(tmp_path, safe_mode):
    inputs = keras.Input((4,))
    keras.Model(inputs, L.Lambda(scale)(inputs)).save(tmp_path / "named.keras")
    hostile = _archive_with_bytecode(tmp_path / "named.keras", tmp_path)
    with pytest.raises(ValueError) as error:
        keras.saving.load_model(hostile, safe_mode=safe_mode)
    assert "register_keras_serializable" in str(error.value) and "custom_objects" in str(error.value)
    with pytest.raises(ValueError, match="never loads Python bytecode"):
        L.Lambda.from_config({"function": {"class_name": "__lambda__", "config": {}}})
    assert "safe_mode=False" in serialization_lib.LAMBDA_ERROR
