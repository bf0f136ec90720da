"""FeatureSpace against Keras 3: the same table gives the same vectors, and .keras files load both ways."""

import numpy as np
import pytest

import minikeras

keras = pytest.importorskip("keras")

pytestmark = pytest.mark.layers

TABLE = {"f": np.array([0.0, 1.0, 2.0, 5.0], "float32"), "s": np.array(["a", "b", "a", "c"]),
         "i": np.array([1, 2, 3, 1]), "h": np.array(["x", "y", "z", "x"]), "r": np.array([1.0, 2.0, 3.0, 4.0], "float32"),
         "d": np.array([0.0, 1.0, 2.0, 5.0], "float32"), "p": np.array([1.0, 2.0, 3.0, 4.0], "float32")}


def _every_type(library):
    space = library.utils.FeatureSpace
    features = {"f": "float_normalized", "s": "string_categorical", "p": "float", "r": space.float_rescaled(2.0, 1.0),
                "i": space.integer_categorical(num_oov_indices=0), "h": space.string_hashed(num_bins=4),
                "d": space.float_discretized(num_bins=3)}
    return space(features=features, crosses=[("s", "i"), ("h", "d")], crossing_dim=8)


def _ids(library):
    space = library.utils.FeatureSpace
    features = {"s": space.string_categorical(output_mode="int"), "i": space.integer_hashed(5, output_mode="int")}
    return space(features=features, crosses=[space.cross(("s", "i"), crossing_dim=7, output_mode="int")],
                 output_mode="dict")


def test_every_feature_type_and_crosses_give_keras_vectors(tmp_path):
    ours, theirs = _every_type(minikeras), _every_type(keras)
    ours.adapt(TABLE)
    theirs.adapt(TABLE)
    batch = {name: column[1:3] for name, column in TABLE.items()}
    np.testing.assert_allclose(np.asarray(ours(batch)), np.asarray(theirs(batch)), atol=1e-5)
    one_row = {name: column[3] for name, column in TABLE.items()}
    np.testing.assert_allclose(np.asarray(ours(one_row)), np.asarray(theirs(one_row)), atol=1e-5)
    # Each library reads the other's file and gives the same vectors.
    ours.save(tmp_path / "ours.keras")
    theirs.save(tmp_path / "theirs.keras")
    expected = np.asarray(theirs(TABLE))
    np.testing.assert_allclose(np.asarray(minikeras.models.load_model(tmp_path / "theirs.keras")(TABLE)), expected,
                               atol=1e-5)
    np.testing.assert_allclose(np.asarray(keras.models.load_model(tmp_path / "ours.keras")(TABLE)), expected,
                               atol=1e-5)


def test_dict_mode_integer_ids_equal_keras():
    ours, theirs = _ids(minikeras), _ids(keras)
    columns = {"s": TABLE["s"], "i": TABLE["i"]}
    ours.adapt(columns)
    theirs.adapt(columns)
    batch = {"s": np.array(["b", "zz"]), "i": np.array([7, 1])}
    our_result, their_result = ours(batch), theirs(batch)
    assert sorted(our_result) == sorted(their_result)
    for name in their_result:
        np.testing.assert_array_equal(np.asarray(our_result[name]), np.asarray(their_result[name]))


def test_adapt_on_tf_data_and_map_inside_tf_data_match_keras():
    tf = pytest.importorskip("tensorflow")
    dataset = tf.data.Dataset.from_tensor_slices(TABLE).batch(3)
    ours, theirs = _every_type(minikeras), _every_type(keras)
    ours.adapt(dataset)
    theirs.adapt(dataset)
    our_batches = [batch for batch in dataset.map(ours).as_numpy_iterator()]
    their_batches = [batch for batch in dataset.map(theirs).as_numpy_iterator()]
    for our_batch, their_batch in zip(our_batches, their_batches, strict=True):
        np.testing.assert_allclose(our_batch, their_batch, atol=1e-5)


@pytest.mark.parametrize("kwargs", [dict(features={}), dict(features={"a": "floaty"}),
                                    dict(features={"a": "float"}, output_mode="list"),
                                    dict(features={"a": "float"}, crosses=[("a", "b")])])
def test_both_refuse_the_same_arguments(kwargs):
    with pytest.raises(ValueError):
        keras.utils.FeatureSpace(**kwargs)
    with pytest.raises(ValueError):
        minikeras.utils.FeatureSpace(**kwargs)
