"""keras.utils.Config, keras.utils.legacy (and bounding_boxes, model_to_dot) against Keras 3."""

import numpy as np
import pytest

import minikeras
from minikeras import utils

keras = pytest.importorskip("keras")


def test_config_behaves_like_keras():
    ours, theirs = utils.Config(b=1, a=2), keras.utils.Config(b=1, a=2)
    for config in (ours, theirs):
        config.c = 3
        config["d"] = 4
    assert list(ours) == list(theirs) and ours.as_dict() == theirs.as_dict() and ours.to_json() == theirs.to_json()
    assert repr(ours) == repr(theirs)
    for config in (ours, theirs):
        config.freeze()
    for config in (ours, theirs):
        with pytest.raises(ValueError, match="frozen"):
            config.e = 5
        with pytest.raises(AttributeError) as error:
            config.aa
        assert "Unknown attribute: 'aa'." in str(error.value)


def test_legacy_dicts_are_the_same_and_read_by_the_other_library():
    ours = utils.legacy.serialize_keras_object(minikeras.layers.Dense(2, activation="relu", name="d"))
    theirs = keras.utils.legacy.serialize_keras_object(keras.layers.Dense(2, activation="relu", name="d"))
    assert ours["class_name"] == theirs["class_name"] == "Dense"
    for key in ("units", "activation", "use_bias", "name"):
        assert ours["config"][key] == theirs["config"][key]
    rebuilt = utils.legacy.deserialize_keras_object(theirs, module_objects={"Dense": minikeras.layers.Dense})
    assert rebuilt.units == 2 and rebuilt.name == "d"
    rebuilt = keras.utils.legacy.deserialize_keras_object(ours, module_objects={"Dense": keras.layers.Dense})
    assert rebuilt.units == 2
