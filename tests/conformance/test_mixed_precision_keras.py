"""Dtype policies and mixed precision against Keras 3.15.1: the same policy objects and configs,
the same float16 outputs and dtypes, the same steps with LossScaleOptimizer, .keras files both ways."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")
pytest.importorskip("jax")

import minikeras  # noqa: E402

pytestmark = pytest.mark.layers
RNG = np.random.default_rng(7)
X = RNG.standard_normal((6, 4)).astype("float32")
Y = np.eye(3, dtype="float32")[[0, 1, 2, 0, 1, 2]]


@pytest.fixture
def mixed_global_policy():
    """Both libraries with the global policy "mixed_float16" for one test."""
    keras.config.set_dtype_policy("mixed_float16")
    minikeras.config.set_dtype_policy("mixed_float16")
    yield
    keras.config.set_dtype_policy("float32")
    minikeras.config.set_dtype_policy("float32")


def small_model(k, dtype=None):
    """Two mixed Dense layers and a float32 softmax, as Keras's mixed precision guide advises."""
    inputs = k.Input((4,), name="mp_in")
    hidden = k.layers.Dense(8, activation="relu", dtype=dtype, name="mp_dense_1")(inputs)
    hidden = k.layers.Dense(3, dtype=dtype, name="mp_dense_2")(hidden)
    outputs = k.layers.Activation("softmax", dtype="float32", name="mp_softmax")(hidden)
    return k.Model(inputs, outputs, name="mp_model")


def twin_models(dtype=None):
    ours, theirs = small_model(minikeras, dtype), small_model(keras, dtype)
    theirs.set_weights([np.asarray(w) for w in ours.get_weights()])
    return ours, theirs


@pytest.mark.parametrize("name", ["float32", "float64", "mixed_float16", "mixed_bfloat16"])
def test_policies_match_keras(name):
    ours, theirs = minikeras.dtype_policies.get(name), keras.dtype_policies.get(name)
    assert (ours.name, ours.compute_dtype, ours.variable_dtype) == (
        theirs.name, theirs.compute_dtype, theirs.variable_dtype)
    assert repr(ours) == repr(theirs)
    assert minikeras.dtype_policies.serialize(ours) == keras.dtype_policies.serialize(theirs)
    float_policy = minikeras.dtype_policies.FloatDTypePolicy(name)
    assert minikeras.dtype_policies.serialize(float_policy) == keras.dtype_policies.serialize(
        keras.dtype_policies.FloatDTypePolicy(name))


def test_policy_map_config_matches_keras():
    configs = []
    for k in (minikeras, keras):
        policy_map = k.dtype_policies.DTypePolicyMap(default_policy="mixed_float16")
        policy_map["encoder/.*"] = "float16"
        configs.append(k.dtype_policies.serialize(policy_map))
        assert policy_map["encoder/dense"].name == "float16" and policy_map["x"].name == "mixed_float16"
    assert configs[0] == configs[1]
    assert minikeras.dtype_policies.deserialize(configs[1])["encoder/q"].name == "float16"


def test_errors_match_keras():
    for call in (lambda k: k.dtype_policies.get("mixed_foo"), lambda k: k.config.set_dtype_policy(3)):
        messages = []
        for k in (minikeras, keras):
            with pytest.raises(ValueError) as info:
                call(k)
            messages.append(str(info.value))
        assert messages[0] == messages[1]


def test_mixed_model_outputs_dtypes_and_config_match_keras():
    ours, theirs = twin_models("mixed_float16")
    np.testing.assert_allclose(np.asarray(ours(X)), np.asarray(theirs(X)), rtol=2e-3, atol=2e-3)
    for name in ("mp_dense_1", "mp_dense_2", "mp_softmax"):
        our_layer, their_layer = ours.get_layer(name), theirs.get_layer(name)
        assert (our_layer.dtype, our_layer.compute_dtype, our_layer.variable_dtype) == (
            their_layer.dtype, their_layer.compute_dtype, their_layer.variable_dtype)
        assert our_layer.output.dtype == their_layer.output.dtype
        assert our_layer.get_config()["dtype"] == their_layer.get_config()["dtype"]
    hidden = minikeras.Model(ours.inputs, ours.get_layer("mp_dense_2").output)(X)
    assert hidden.dtype == "float16"
    assert [w.dtype for w in ours.weights] == [keras.backend.standardize_dtype(w.dtype) for w in theirs.weights]


def test_loss_scale_optimizer_steps_match_keras(mixed_global_policy):
    ours, theirs = twin_models()
    assert ours.get_layer("mp_dense_1").compute_dtype == "float16"
    for model, k in ((ours, minikeras), (theirs, keras)):
        model.compile(optimizer=k.optimizers.SGD(0.5), loss="categorical_crossentropy")
        assert type(model.optimizer).__name__ == "LossScaleOptimizer"
        for _ in range(3):
            model.train_on_batch(X, Y)
    for ours_w, theirs_w in zip(ours.get_weights(), theirs.get_weights()):
        assert ours_w.dtype == np.float32
        np.testing.assert_allclose(ours_w, np.asarray(theirs_w), rtol=2e-3, atol=2e-3)
    np.testing.assert_allclose(float(ours.optimizer.dynamic_scale), float(theirs.optimizer.dynamic_scale))


def test_mixed_keras_files_load_both_ways(tmp_path):
    ours, theirs = twin_models("mixed_float16")
    ours.save(tmp_path / "ours.keras")
    theirs.save(tmp_path / "theirs.keras")
    from_ours = keras.saving.load_model(tmp_path / "ours.keras")
    from_theirs = minikeras.saving.load_model(tmp_path / "theirs.keras")
    assert from_ours.get_layer("mp_dense_1").dtype_policy.name == "mixed_float16"
    assert from_theirs.get_layer("mp_dense_1").dtype_policy.name == "mixed_float16"
    assert from_theirs.get_layer("mp_softmax").compute_dtype == "float32"
    np.testing.assert_allclose(np.asarray(from_ours(X)), np.asarray(from_theirs(X)), rtol=2e-3, atol=2e-3)


def bn_model(k):
    """A mixed Dense, then BatchNormalization, which Keras keeps in float32 under a mixed policy."""
    inputs = k.Input((4,), name="bn_in")
    hidden = k.layers.Dense(5, dtype="mixed_float16", name="bn_dense")(inputs)
    outputs = k.layers.BatchNormalization(dtype="mixed_float16", name="bn_norm")(hidden)
    return k.Model(inputs, outputs, name="bn_model")


def test_batch_normalization_under_mixed_float16_matches_keras():
    ours, theirs = bn_model(minikeras), bn_model(keras)
    big = (X * 300.0).astype("float32")             # float16 squares of these overflow
    theirs.set_weights([np.asarray(w) for w in ours.get_weights()])
    for training in (True, False):
        got = ours(big, training=training)
        want = theirs(big, training=training)
        assert str(got.dtype) == str(want.dtype) == "float16"
        assert np.all(np.isfinite(np.asarray(got, dtype="float32")))
        np.testing.assert_allclose(np.asarray(got, "float32"), np.asarray(want, "float32"),
                                   rtol=2e-3, atol=2e-3)
    norm, keras_norm = ours.get_layer("bn_norm"), theirs.get_layer("bn_norm")
    assert [str(w.dtype) for w in norm.weights] == [str(w.dtype) for w in keras_norm.weights]
    for mine, keras_weight in zip(norm.weights, keras_norm.weights):
        np.testing.assert_allclose(np.asarray(mine), np.asarray(keras_weight), rtol=1e-3)
