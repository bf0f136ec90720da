"""``minikeras.config``: Keras's names for the global settings."""

import pytest

import minikeras as keras
from minikeras.saving import serialization_lib


def test_config_reads_the_backend_settings():
    assert keras.config.floatx() == "float32"
    assert keras.config.epsilon() == pytest.approx(1e-7)
    assert keras.config.image_data_format() == "channels_last"
    assert keras.config.backend() == "numpy"


def test_only_channels_last_is_accepted():
    keras.config.set_image_data_format("channels_last")
    with pytest.raises(ValueError, match="channels_last"):
        keras.config.set_image_data_format("channels_first")


def test_enable_unsafe_deserialization_switches_safe_mode_off(monkeypatch):
    monkeypatch.setattr(serialization_lib, "_SAFE_MODE", [True])
    with serialization_lib.SafeModeScope(True):
        assert serialization_lib.in_safe_mode()
        keras.config.enable_unsafe_deserialization()
        assert not serialization_lib.in_safe_mode()
