"""keras.backend's small helpers and the initializers' lower-case aliases."""

import pytest

import minikeras as keras
from minikeras import backend


def test_get_uid_counts_per_prefix_and_shares_the_name_counters():
    backend.clear_session()
    assert [backend.get_uid("probe"), backend.get_uid("probe"), backend.get_uid("other")] == [1, 2, 1]
    keras.layers.Dense(2)  # named "dense": the counter of "dense" is now 1
    assert backend.get_uid("dense") == 2


def test_dtype_and_tensor_predicates():
    assert backend.is_int_dtype("int8") and backend.is_int_dtype("uint16")
    assert not backend.is_int_dtype("float32") and not backend.is_int_dtype("bool")
    assert backend.is_keras_tensor(keras.Input((2,)))
    assert not backend.is_keras_tensor(keras.ops.ones((2,)))


def test_set_image_data_format_accepts_only_channels_last():
    backend.set_image_data_format("channels_last")
    with pytest.raises(ValueError, match="only data_format='channels_last'"):
        keras.config.set_image_data_format("channels_first")


def test_initializer_aliases_are_the_classes():
    assert keras.initializers.glorot_uniform is keras.initializers.GlorotUniform
    assert keras.initializers.zeros()((2,)).tolist() == [0.0, 0.0]
    assert keras.initializers.IdentityInitializer is keras.initializers.Identity
