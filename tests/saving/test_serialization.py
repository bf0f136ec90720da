"""serialize_keras_object / deserialize_keras_object: Keras 3's dict format and the safe lookup."""

import numpy as np
import pytest

from minikeras import saving
from minikeras.saving import keras_compat
from minikeras.saving import serialization_lib
from tests.saving.helpers import Linear
from tests.saving.helpers import built

pytestmark = pytest.mark.saving


def test_registered_layer_round_trip_keeps_config_and_build():
    layer = built(Linear(4, name="lin"))
    config = saving.serialize_keras_object(layer)
    assert config["class_name"] == "Linear"
    assert config["registered_name"] == "SavingTests>Linear"
    assert config["module"] == "tests.saving.helpers"
    assert config["config"]["units"] == 4 and config["build_config"]["input_shape"][-1] == 3
    rebuilt = saving.deserialize_keras_object(config)
    assert isinstance(rebuilt, Linear) and rebuilt.built and rebuilt.units == 4
    assert [tuple(v.shape) for v in rebuilt.weights] == [(3, 4), (4,)]


def test_plain_values_numpy_bytes_slices():
    value = {"a": (1, 2), "b": np.arange(3, dtype="int32"), "c": b"xy", "d": slice(1, None, 2), "e": np.float32(2.5)}
    config = saving.serialize_keras_object(value)
    assert config["a"] == [1, 2] and config["e"] == 2.5
    assert config["b"] == {"class_name": "__numpy__", "config": {"value": [0, 1, 2], "dtype": "int32"}}
    back = saving.deserialize_keras_object(config)
    np.testing.assert_array_equal(back["b"], [0, 1, 2])
    assert back["c"] == b"xy" and back["d"] == slice(1, None, 2)


def my_activation(x):
    return x


def test_functions_are_saved_by_name_and_need_custom_objects():
    config = saving.serialize_keras_object(my_activation)
    assert config["class_name"] == "function" and config["config"] == "my_activation"
    with pytest.raises(TypeError, match="Could not locate function 'my_activation'"):
        saving.deserialize_keras_object(config)
    assert saving.deserialize_keras_object(config, custom_objects={"my_activation": my_activation}) is my_activation
    with saving.custom_object_scope({"my_activation": my_activation}):
        assert saving.deserialize_keras_object(config) is my_activation


def test_lambdas_cannot_be_saved():
    with pytest.raises(ValueError, match="lambda"):
        saving.serialize_keras_object(lambda x: x)


def test_registration_names():
    assert saving.get_registered_name(Linear) == "SavingTests>Linear"
    assert saving.get_registered_object("SavingTests>Linear") is Linear
    assert saving.get_registered_object("Nope>Nothing") is None
    with pytest.raises(ValueError, match="'>'"):
        saving.register_keras_serializable(package="a>b")


def test_unregistered_class_needs_custom_objects():
    config = {"module": "my_package.layers", "class_name": "Secret", "config": {}, "registered_name": "Secret"}
    with pytest.raises(TypeError, match="Could not locate class 'Secret'.*register_keras_serializable"):
        saving.deserialize_keras_object(config)
    rebuilt = saving.deserialize_keras_object(
        {**config, "config": {"units": 5}}, custom_objects={"Secret": Linear})
    assert isinstance(rebuilt, Linear) and rebuilt.units == 5


@pytest.mark.parametrize("module, name", [("os", "system"), ("builtins", "eval"), ("subprocess", "Popen"),
                                          ("keras.src.utils.file_utils", "get_file"), ("posix", "system")])
def test_code_injection_names_are_refused(module, name):
    as_function = {"module": module, "class_name": "function", "config": name, "registered_name": name}
    as_class = {"module": module, "class_name": name, "config": {"command": "echo pwned"}, "registered_name": None}
    for config in (as_function, as_class):
        with pytest.raises(ValueError, match="never imports modules"):
            saving.deserialize_keras_object(config)


def test_non_modeling_keras_apis_are_refused():
    config = {"module": "keras.saving", "class_name": "function", "config": "load_model", "registered_name": None}
    with pytest.raises(ValueError, match="not a modeling function"):
        saving.deserialize_keras_object(config)


@pytest.mark.parametrize("safe_mode", [True, False])
def test_lambda_bytecode_is_never_loaded(safe_mode):
    config = {"class_name": "__lambda__", "config": {"value": ["4wEAAAAAAAAA", None, None]}}
    with pytest.raises(ValueError, match="never loads Python bytecode.*custom_objects"):
        saving.deserialize_keras_object(config, safe_mode=safe_mode)


def test_object_arrays_are_refused():
    config = {"class_name": "__numpy__", "config": {"value": [1], "dtype": "object"}}
    with pytest.raises(ValueError, match="dtype object"):
        saving.deserialize_keras_object(config)


def test_shared_objects_are_rebuilt_once():
    layer = built(Linear(2))
    with serialization_lib.ObjectSharingScope():
        config = saving.serialize_keras_object([layer, layer])
    assert config[0]["shared_object_id"] == config[1]["shared_object_id"]
    with serialization_lib.ObjectSharingScope():
        first, second = saving.deserialize_keras_object(config)
    assert first is second


def test_keras_only_keys_accept_defaults_and_name_others():
    config = {"axis": -1, "renorm": False, "synchronized": False, "renorm_momentum": 0.99}
    assert keras_compat.strip_unsupported_keys("BatchNormalization", config) == {"axis": -1}
    with pytest.raises(ValueError, match="`renorm=True`"):
        keras_compat.strip_unsupported_keys("BatchNormalization", {"renorm": True})
    with pytest.raises(ValueError, match="quantization_config"):
        keras_compat.strip_unsupported_keys("Dense", {"quantization_config": {"mode": "int8"}})
