"""Config (attribute-style settings, freezing) and the Keras 2 serialization format of utils.legacy."""

import json

import pytest

from minikeras import layers
from minikeras.utils import Config
from minikeras.utils import legacy


def test_config_reads_and_writes_settings_as_attributes_and_items():
    config = Config(learning_rate=0.1, momentum=0.9)
    config.seed = 123
    config["batch_size"] = 32
    assert config.learning_rate == 0.1 and config["seed"] == 123 and "batch_size" in config
    assert list(config) == ["batch_size", "learning_rate", "momentum", "seed"]  # keys, sorted
    assert json.loads(config.to_json()) == config.as_dict() and len(config) == 4
    with pytest.raises(AttributeError, match="Unknown attribute: 'learnig_rate'. Did you mean 'learning_rate'?"):
        config.learnig_rate


def test_a_frozen_config_refuses_every_change():
    config = Config(optimizer="adam")
    config.freeze()
    assert config.frozen
    for change in (lambda: setattr(config, "seed", 1), lambda: config.update(seed=1), lambda: config.pop("optimizer"),
                   lambda: config.__setitem__("seed", 1), lambda: config.__delitem__("optimizer")):
        with pytest.raises(ValueError, match="the config is frozen"):
            change()
    config.unfreeze()
    config.seed = 1
    assert config.get("seed") == 1


def test_legacy_format_round_trips_a_layer_with_a_function_inside():
    dense = layers.Dense(3, activation="relu", name="d")
    config = legacy.serialize_keras_object(dense)
    assert config["class_name"] == "Dense" and "module" not in config
    assert config["config"]["units"] == 3 and config["config"]["name"] == "d"
    rebuilt = legacy.deserialize_keras_object(config, module_objects={"Dense": layers.Dense})
    assert isinstance(rebuilt, layers.Dense) and rebuilt.units == 3 and rebuilt.name == "d"


def test_legacy_names_are_looked_up_never_imported():
    def relu(x):
        return x

    assert legacy.deserialize_keras_object("relu", module_objects={"relu": relu}) is relu  # a function, as it is
    assert isinstance(legacy.deserialize_keras_object("Flatten", module_objects={"Flatten": layers.Flatten}),
                      layers.Flatten)  # a class, built with no arguments
    with pytest.raises(ValueError, match="Unknown layer: 'os.system'"):
        legacy.deserialize_keras_object("os.system", printable_module_name="layer")
    with pytest.raises(ValueError, match="Improper config format"):
        legacy.deserialize_keras_object({"config": {}})
    with pytest.raises(ValueError, match="Could not interpret serialized object: 3"):
        legacy.deserialize_keras_object(3)
