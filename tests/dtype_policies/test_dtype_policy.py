"""Dtype policies and mixed precision, checked with NumPy alone.

A ``"mixed_float16"`` layer keeps float32 weights, computes in float16 (its
weights are read through a recorded cast), and its gradients come back in
float32. Keras's own numbers are compared in
``tests/conformance/test_mixed_precision_keras.py``.
"""

import numpy as np
import pytest

import minikeras
from minikeras import dtype_policies
from minikeras import layers
from minikeras.autodiff import GradientTape


@pytest.fixture
def global_policy():
    """Lets a test change the global policy and puts float32 back afterwards."""
    yield
    minikeras.config.set_dtype_policy("float32")


def test_policy_names_give_compute_and_variable_dtypes():
    assert (dtype_policies.DTypePolicy("mixed_float16").compute_dtype, "float32") == (
        "float16", dtype_policies.DTypePolicy("mixed_float16").variable_dtype)
    policy = dtype_policies.get("float64")
    assert (policy.compute_dtype, policy.variable_dtype, policy.quantization_mode) == ("float64", "float64", None)
    assert dtype_policies.DTypePolicy("mixed_bfloat16").compute_dtype == "bfloat16"
    assert dtype_policies.FloatDTypePolicy("float16") == dtype_policies.DTypePolicy("float16")


def test_serialize_round_trip_and_errors():
    config = dtype_policies.serialize(dtype_policies.DTypePolicy("mixed_float16"))
    assert config == {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "mixed_float16"},
                      "registered_name": None}
    assert dtype_policies.deserialize(config).name == "mixed_float16"
    with pytest.raises(ValueError, match="Cannot convert 'mixed_foo'"):
        dtype_policies.get("mixed_foo")
    with pytest.raises(ValueError, match="Expected a string or an instance of DTypePolicy"):
        dtype_policies.get(3.5)


def test_unknown_policy_on_a_layer_names_the_argument_and_the_layer():
    with pytest.raises(ValueError, match=r"Invalid `dtype` argument of layer 'bad' \(Dense\).*mixed_foo"):
        layers.Dense(2, dtype="mixed_foo", name="bad")
    with pytest.raises(ValueError, match="no bfloat16 arithmetic"):
        layers.Dense(2, dtype="mixed_bfloat16", name="bad_bf16")


def test_mixed_layer_keeps_float32_weights_and_computes_in_float16():
    layer = layers.Dense(3, dtype="mixed_float16", name="mixed_dense")
    x = np.random.default_rng(0).standard_normal((4, 5)).astype("float32")
    y = layer(x)
    assert (layer.dtype, layer.compute_dtype, layer.variable_dtype) == ("float32", "float16", "float32")
    assert y.dtype == "float16" and layer.kernel.dtype == "float32"
    expected = x.astype("float16") @ layer.kernel.numpy().astype("float16")
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-3, atol=1e-3)


def test_gradient_through_the_autocast_reaches_the_float32_weights():
    layer = layers.Dense(2, dtype="mixed_float16", name="grad_dense")
    x = np.ones((3, 4), "float32")
    with GradientTape() as tape:
        loss = minikeras.ops.sum(minikeras.ops.cast(layer(x), "float32"))
    dw, db = tape.gradient(loss, [layer.kernel, layer.bias])
    assert dw.dtype == "float32" and db.dtype == "float32"
    np.testing.assert_allclose(dw.numpy(), np.full((4, 2), 3.0))  # sum over 3 rows of x = 1
    np.testing.assert_allclose(db.numpy(), np.full((2,), 3.0))


def test_a_float32_layer_after_a_mixed_one_casts_its_input_back():
    mixed = layers.Dense(2, dtype="mixed_float16", name="mixed_first")
    last = layers.Activation("linear", dtype="float32", name="float_last")
    assert last(mixed(np.ones((1, 3), "float32"))).dtype == "float32"


def test_weights_with_autocast_false_are_read_in_their_own_dtype():
    class Scale(layers.Layer):
        def build(self, input_shape):
            self.cast_weight = self.add_weight(shape=(), initializer="ones", name="cast_weight")
            self.kept_weight = self.add_weight(shape=(), initializer="ones", name="kept_weight", autocast=False)

        def call(self, inputs):
            return inputs * self.cast_weight, inputs * self.kept_weight

    scaled, kept = Scale(dtype="mixed_float16", name="scale")(np.ones((2,), "float32"))
    assert (scaled.dtype, kept.dtype) == ("float16", "float32")  # float16 * float32 promotes


def test_global_policy_reaches_new_layers_and_compile_wraps_the_optimizer(global_policy):
    minikeras.mixed_precision.set_global_policy("mixed_float16")
    assert minikeras.config.dtype_policy().name == "mixed_float16"
    model = minikeras.Sequential([layers.Input((3,)), layers.Dense(2, name="global_dense")])
    assert model.layers[0].compute_dtype == "float16"
    model.compile(optimizer="sgd", loss="mse")
    assert isinstance(model.optimizer, minikeras.mixed_precision.LossScaleOptimizer)
    model.train_on_batch(np.ones((2, 3), "float32"), np.zeros((2, 2), "float32"))
    assert model.layers[0].kernel.dtype == "float32"
    with pytest.raises(ValueError, match="Invalid `policy` argument"):
        minikeras.config.set_dtype_policy(3)


def test_policy_map_picks_by_exact_key_then_regex():
    policy_map = dtype_policies.DTypePolicyMap(default_policy="float32")
    policy_map["encoder/dense"] = "float64"
    policy_map["decoder/.*"] = "mixed_float16"
    assert policy_map["encoder/dense"].name == "float64"
    assert policy_map["decoder/attention"].name == "mixed_float16"
    assert policy_map["other"].name == "float32" and policy_map.name == "map_float32"
    policy_map["decoder/att.*"] = "float16"
    with pytest.raises(ValueError, match="matches multiple dtype policy"):
        policy_map["decoder/attention"]
    copy = dtype_policies.deserialize(dtype_policies.serialize(policy_map))
    assert copy["encoder/dense"].name == "float64" and len(copy) == 3
    layer = layers.Dense(2, dtype=copy, name="encoder/dense".split("/")[1])
    assert layer.compute_dtype == "float32"  # the layer's own name "dense" is not a key
