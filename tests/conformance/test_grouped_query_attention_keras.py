"""GroupQueryAttention and the flash-attention switches against Keras 3.15.1.

Same weights -> same outputs (float32, 1e-5) across the arguments and masks;
configs equal and rebuilt by either library; ``.keras`` files of a model
with the layer load both ways; ``keras.config.*_flash_attention`` and
``flash_attention=`` behave as Keras's JAX backend on a machine without
cuDNN. Skips when Keras is not installed.
"""

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")
keras = pytest.importorskip("keras")

import minikeras  # noqa: E402

pytestmark = pytest.mark.layers
RNG = np.random.default_rng(16)


def _batch(*shape):
    return RNG.normal(size=shape).astype("float32")


Q, V, K = _batch(2, 4, 8), _batch(2, 5, 8), _batch(2, 5, 3)
HEADS = {"head_dim": 3, "num_query_heads": 4, "num_key_value_heads": 2}

# (constructor kwargs beyond HEADS, positional inputs, call kwargs)
CASES = [
    ({}, (Q, V, V), {"value_mask": RNG.random((2, 5)) > 0.3, "key_mask": RNG.random((2, 5)) > 0.2}),
    ({"num_key_value_heads": 1, "use_bias": False}, (Q, V, K), {"return_attention_scores": True}),
    ({"num_key_value_heads": 4, "use_gate": True}, (Q, Q), {"use_causal_mask": True}),
    ({}, (Q, V), {"attention_mask": RNG.random((2, 4, 5)) > 0.3, "return_attention_scores": True}),
    ({"sliding_window": 2}, (Q, Q), {"query_mask": RNG.random((2, 4)) > 0.3, "use_causal_mask": True}),
]


def _outputs(value):
    return [np.asarray(item) for item in (value if isinstance(value, tuple) else (value,))]


@pytest.mark.parametrize("kwargs, inputs, call_kwargs", CASES, ids=[str(i) for i in range(len(CASES))])
def test_same_weights_same_outputs_and_configs(kwargs, inputs, call_kwargs):
    arguments = {**HEADS, **kwargs, "name": "gqa"}
    ours = minikeras.layers.GroupQueryAttention(**arguments)
    theirs = keras.layers.GroupQueryAttention(**arguments)
    ours(*inputs, **call_kwargs)
    theirs(*inputs, **call_kwargs)
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    weights = [_batch(*w.shape) for w in theirs.weights]
    ours.set_weights(weights)
    theirs.set_weights(weights)
    got, expected = _outputs(ours(*inputs, **call_kwargs)), _outputs(theirs(*inputs, **call_kwargs))
    assert len(got) == len(expected)
    for mine, reference in zip(got, expected):
        np.testing.assert_allclose(mine, reference, rtol=1e-5, atol=1e-5)
    config = ours.get_config()
    assert config == theirs.get_config()
    assert type(ours).from_config(config).get_config() == config
    assert type(theirs).from_config(config).get_config() == config


def _model(library):
    """Embedding(mask_zero=True) -> GroupQueryAttention (padding masks flow in) -> pooled classifier."""
    L = library.layers
    ids = library.Input((6,), dtype="int32", name="ids")
    x = L.Embedding(7, 8, mask_zero=True, name="embed")(ids)
    x = L.GroupQueryAttention(name="gqa", dropout=0.1, **HEADS)(x, x)
    return library.Model(ids, L.Dense(2, name="classes")(L.GlobalAveragePooling1D(name="pool")(x)), name="gqa_model")


def test_keras_file_loads_in_minikeras_and_back(tmp_path):
    ids = np.array([[3, 1, 0, 0, 0, 0], [2, 2, 4, 6, 5, 0], [1, 0, 0, 0, 0, 0]], dtype="int32")
    theirs, ours = _model(keras), _model(minikeras)
    weights = [_batch(*w.shape) for w in theirs.weights]
    theirs.set_weights(weights)
    ours.set_weights(weights)  # the padding masks reach the attention in both
    np.testing.assert_allclose(ours.predict(ids, verbose=0), theirs.predict(ids, verbose=0), rtol=1e-5, atol=1e-5)
    theirs.save(tmp_path / "keras.keras")
    loaded = minikeras.saving.load_model(tmp_path / "keras.keras")
    np.testing.assert_allclose(loaded.predict(ids, verbose=0), theirs.predict(ids, verbose=0), rtol=1e-5, atol=1e-5)
    loaded.save(tmp_path / "minikeras.keras")
    back = keras.saving.load_model(tmp_path / "minikeras.keras")
    np.testing.assert_allclose(back.predict(ids, verbose=0), theirs.predict(ids, verbose=0), rtol=1e-5, atol=1e-5)
    assert back.get_layer("gqa").get_config() == theirs.get_layer("gqa").get_config()


def test_dot_product_attention_with_fewer_key_heads():
    query, key, value = _batch(2, 4, 4, 3), _batch(2, 5, 2, 3), _batch(2, 5, 2, 3)
    mask = RNG.random((2, 1, 4, 5)) > 0.3
    got = minikeras.ops.dot_product_attention(query, key, value, mask=mask)
    expected = keras.ops.dot_product_attention(query, key, value, mask=mask)
    np.testing.assert_allclose(got.numpy(), np.asarray(expected), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("library", [minikeras, keras], ids=["minikeras", "keras"])
def test_flash_attention_switches_and_requests(library):
    # The global switch: None by default and after enable, False after disable.
    assert library.config.is_flash_attention_enabled() is None
    library.config.disable_flash_attention()
    try:
        assert library.config.is_flash_attention_enabled() is False
        assert library.layers.GroupQueryAttention(name="switched_off", **HEADS)._flash_attention is False
    finally:
        library.config.enable_flash_attention()
    assert library.config.is_flash_attention_enabled() is None
    # Requested on this CPU: the op fails for want of cuDNN, as do layers that ask for it when called.
    q = _batch(1, 2, 2, 4)
    with pytest.raises(RuntimeError, match="cuDNN is not detected"):
        library.ops.dot_product_attention(q, q, q, flash_attention=True)
    np.testing.assert_allclose(np.asarray(library.ops.dot_product_attention(q, q, q, flash_attention=False)),
                               np.asarray(library.ops.dot_product_attention(q, q, q)), rtol=1e-6)
    for layer_class, arguments in ((library.layers.GroupQueryAttention, HEADS),
                                   (library.layers.MultiHeadAttention, {"num_heads": 2, "key_dim": 3})):
        with pytest.raises(ValueError, match="Dropout is not supported when flash attention is enabled"):
            layer_class(flash_attention=True, dropout=0.1, name="flash_with_dropout", **arguments)
        assert layer_class(flash_attention=False, name="no_flash", **arguments)._flash_attention is None  # `or`


@pytest.mark.parametrize("layer_class, arguments", [("GroupQueryAttention", HEADS),
                                                    ("MultiHeadAttention", {"num_heads": 2, "key_dim": 3})])
def test_layers_asking_for_flash_attention_fail_when_called(layer_class, arguments):
    """Keras 3.15.1 (JAX, no cuDNN) raises these two when called; run on minikeras only, since a
    Keras call costs a JAX compilation (the messages were read from Keras's run)."""
    layer = getattr(minikeras.layers, layer_class)(flash_attention=True, name="flash", **arguments)
    with pytest.raises(ValueError, match="Returning attention scores is not supported"):
        layer(Q, Q, return_attention_scores=True)
    with pytest.raises(RuntimeError, match="cuDNN is not detected"):
        layer(Q, Q)


@pytest.mark.parametrize("library", [minikeras, keras], ids=["minikeras", "keras"])
def test_bad_arguments_are_refused_by_both(library):
    with pytest.raises(ValueError, match="`num_query_heads` must be divisible by `num_key_value_heads`"):
        library.layers.GroupQueryAttention(head_dim=2, num_query_heads=3, num_key_value_heads=2, name="bad")
    with pytest.raises(ValueError, match="`sliding_window` must be `None` or a positive integer"):
        library.layers.GroupQueryAttention(sliding_window=0, name="bad", **HEADS)
    layer = library.layers.GroupQueryAttention(name="good", **HEADS)
    with pytest.raises(ValueError, match="The last dimension of `query_shape` and `value_shape` must be equal"):
        layer.compute_output_shape((2, 4, 8), (2, 5, 6))
