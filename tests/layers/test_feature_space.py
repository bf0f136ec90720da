"""FeatureSpace on a four-row table: hand-computed vectors, the functional graph, saving, and the errors."""

import numpy as np
import pytest

import minikeras as keras
from minikeras.utils import FeatureSpace

TABLE = {"color": ["red", "blue", "red", "green"], "size": [2.0, 4.0, 6.0, 8.0], "rooms": [1, 2, 1, 3]}


def _space(**kwargs):
    features = {"color": FeatureSpace.string_categorical(name="c"),
                "size": FeatureSpace.float_rescaled(scale=0.5, name="s"),
                "rooms": FeatureSpace.integer_categorical(num_oov_indices=0, name="r")}
    space = FeatureSpace(features=features, **kwargs)
    space.adapt(TABLE)
    return space


def test_concat_is_one_hots_and_floats_in_sorted_column_order():
    vectors = np.asarray(_space()({"color": ["green", "pink"], "size": [2.0, 3.0], "rooms": [3, 1]}))
    # color: [UNK], red, green, blue | rooms: 1, 3, 2 | size * 0.5  (vocabularies: most frequent first,
    # ties in reverse order of the values, as Keras's lookups sort them)
    np.testing.assert_array_equal(vectors, [[0, 0, 1, 0, 0, 1, 0, 1.0],
                                            [1, 0, 0, 0, 1, 0, 0, 1.5]])


def test_one_row_of_scalars_gives_one_vector():
    assert np.asarray(_space()({"color": "red", "size": 2.0, "rooms": 2})).shape == (8,)


def test_dict_mode_keeps_int_ids_and_crosses():
    space = FeatureSpace(features={"color": FeatureSpace.string_categorical(output_mode="int", name="c2"),
                                   "rooms": FeatureSpace.integer_categorical(output_mode="int", name="r2")},
                         crosses=[FeatureSpace.cross(("color", "rooms"), crossing_dim=5, output_mode="int")],
                         output_mode="dict")
    space.adapt(TABLE)
    result = space({"color": ["red", "blue"], "rooms": [1, 9]})
    assert sorted(result) == ["color", "color_X_rooms", "rooms"]
    np.testing.assert_array_equal(np.asarray(result["color"]), [[1], [3]])  # [UNK], red, green, blue
    np.testing.assert_array_equal(np.asarray(result["rooms"]), [[1], [0]])  # 9 is out of vocabulary
    assert 0 <= np.asarray(result["color_X_rooms"]).min() and np.asarray(result["color_X_rooms"]).max() < 5


def test_functional_model_on_the_encoded_features_matches_a_call():
    space = _space()
    encoded = space.get_encoded_features()
    assert tuple(encoded.shape) == (None, 8)
    model = keras.Model(space.get_inputs(), encoded)
    columns = {"color": np.array(["blue", "red"]), "size": np.array([4.0, 8.0], "float32"), "rooms": np.array([2, 2])}
    np.testing.assert_array_equal(np.asarray(model(columns)), np.asarray(space(columns)))  # (N,) fed to (None, 1)


def test_save_and_load_gives_the_same_vectors(tmp_path):
    space = FeatureSpace(features={"size": "float_normalized", "color": "string_hashed"}, hashing_dim=4)
    space.adapt(TABLE)
    space.save(tmp_path / "space.keras")
    reloaded = keras.models.load_model(tmp_path / "space.keras")
    columns = {"size": TABLE["size"], "color": TABLE["color"]}
    np.testing.assert_allclose(np.asarray(reloaded(columns)), np.asarray(space(columns)))
    np.testing.assert_allclose(np.asarray(space(columns))[:, -1], (np.array(TABLE["size"]) - 5) / np.sqrt(5),
                               rtol=1e-6)
    with pytest.raises(ValueError, match=r"Missing: \['size'\], unknown: \['rooms'\]"):
        space({"color": ["red"], "rooms": [1]})


@pytest.mark.parametrize("kwargs, message", [
    (dict(features={}), "The `features` argument cannot be None or empty"),
    (dict(features={"a": "floaty"}), "Invalid feature type: floaty"),
    (dict(features={"a": "float"}, crosses=[("a", "b")]), "Received unknown features"),
    (dict(features={"a": "float"}, output_mode="list"), "Expected one of {'dict', 'concat'}"),
    (dict(features={"a": FeatureSpace.integer_hashed(4, output_mode="int", name="h")}),
     "Cannot concatenate features because feature 'a' has not been encoded"),
])
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        FeatureSpace(**kwargs).get_encoded_features()


def test_use_before_adapt_and_bad_data_are_refused():
    space = FeatureSpace(features={"a": "float_normalized"})
    with pytest.raises(ValueError, match="You need to call `.adapt"):
        space({"a": [1.0]})
    with pytest.raises(ValueError, match="can only be called on a tf.data.Dataset or a dict"):
        space.adapt([1.0, 2.0])
    space.adapt({"a": [1.0, 3.0]})
    with pytest.raises(ValueError, match="can only be called with a dict"):
        space([1.0])
