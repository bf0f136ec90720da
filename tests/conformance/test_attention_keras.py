"""Attention, EinsumDense and the per-sample normalizations against Keras 3.15.1.

Same weights -> same outputs (float32, 1e-5) across the arguments; configs
equal and round-tripping; five training steps of a transformer block -> the
same weights (1e-4); ``.keras`` files of that block load both ways; summary()
text and parameter counts; the errors for bad arguments and masks.
Skips when Keras is not installed.
"""

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")
keras = pytest.importorskip("keras")

import minikeras  # noqa: E402
from minikeras import layers  # noqa: E402

pytestmark = pytest.mark.layers
RNG = np.random.default_rng(0)


def _batch(*shape):
    return RNG.normal(size=shape).astype("float32")


def _mask(*shape):
    return RNG.random(shape) > 0.3


Q, V, K3 = _batch(2, 4, 6), _batch(2, 5, 6), _batch(2, 5, 3)
IMAGE = _batch(2, 3, 3, 8)
X4 = _batch(2, 3, 4, 6)

# (class name, constructor kwargs, positional inputs, call kwargs)
CASES = [
    ("EinsumDense", {"equation": "abc,cde->abde", "output_shape": (None, 2, 3), "bias_axes": "de"}, (Q,), {}),
    ("EinsumDense", {"equation": "...b,bc->...c", "output_shape": 5, "bias_axes": "c", "activation": "relu"},
     (Q,), {}),
    ("EinsumDense", {"equation": "ab...,bc->ac...", "output_shape": (5,), "bias_axes": "c"}, (_batch(2, 4, 3),),
     {}),
    ("EinsumDense", {"equation": "abcd,cde->abe", "output_shape": (None, 7)}, (X4,), {}),
    ("MultiHeadAttention", {"num_heads": 2, "key_dim": 3}, (Q, V), {}),
    ("MultiHeadAttention", {"num_heads": 2, "key_dim": 3, "output_shape": 7}, (Q, V, K3), {}),
    ("MultiHeadAttention", {"num_heads": 2, "key_dim": 3, "value_dim": 4, "use_bias": False}, (Q, V, K3),
     {"return_attention_scores": True}),
    ("MultiHeadAttention", {"num_heads": 2, "key_dim": 3}, (Q, Q), {"use_causal_mask": True}),
    ("MultiHeadAttention", {"num_heads": 2, "key_dim": 3}, (Q, V), {"attention_mask": _mask(2, 4, 5)}),
    ("MultiHeadAttention", {"num_heads": 2, "key_dim": 3}, (Q, V),
     {"query_mask": _mask(2, 4), "value_mask": _mask(2, 5), "return_attention_scores": True}),
    ("MultiHeadAttention", {"num_heads": 2, "key_dim": 3}, (Q, V, V), {"value_mask": _mask(2, 5), "key_mask": _mask(2, 5)}),
    ("MultiHeadAttention", {"num_heads": 2, "key_dim": 3}, (Q, Q),
     {"attention_mask": _mask(2, 4, 4), "use_causal_mask": True}),
    ("MultiHeadAttention", {"num_heads": 2, "key_dim": 3, "use_gate": True, "sliding_window": 2}, (Q, Q),
     {"return_attention_scores": True}),
    ("MultiHeadAttention", {"num_heads": 2, "key_dim": 3, "attention_axes": (1, 2)}, (X4, X4), {}),
    ("MultiHeadAttention", {"num_heads": 2, "key_dim": 3, "attention_axes": 2}, (X4, X4), {}),
    ("Attention", {}, ([Q, V],), {}),
    ("Attention", {"use_scale": True}, ([Q, V, V],), {"mask": [_mask(2, 4), _mask(2, 5)]}),
    ("Attention", {"use_scale": True, "score_mode": "concat"}, ([Q, V],), {"return_attention_scores": True}),
    ("Attention", {}, ([Q, Q],), {"use_causal_mask": True}),
    ("AdditiveAttention", {}, ([Q, V],), {"mask": [None, _mask(2, 5)], "return_attention_scores": True}),
    ("AdditiveAttention", {"use_scale": False}, ([Q, V, V],), {}),
    ("GroupNormalization", {"groups": 4}, (IMAGE,), {}),
    ("GroupNormalization", {"groups": -1, "axis": 1, "epsilon": 1e-5}, (Q,), {}),
    ("GroupNormalization", {"groups": 2, "center": False}, (Q,), {}),
    ("RMSNormalization", {}, (Q,), {}),
    ("RMSNormalization", {"axis": [1, 2], "epsilon": 1e-3}, (Q,), {}),
    ("UnitNormalization", {}, (Q,), {}),
    ("UnitNormalization", {"axis": [1, 2]}, (Q,), {}),
    ("LayerNormalization", {"axis": [2, 1]}, (Q,), {}),
]
IDS = [f"{case[0]}-{index}" for index, case in enumerate(CASES)]


def _outputs(value):
    return [np.asarray(item) for item in (value if isinstance(value, tuple) else (value,))]


def _pair(class_name, kwargs, inputs, call_kwargs):
    """Both layers built on ``inputs``, with the same random weights."""
    ours = getattr(layers, class_name)(**kwargs)
    theirs = getattr(keras.layers, class_name)(**kwargs)
    ours(*inputs, **call_kwargs)
    theirs(*inputs, **call_kwargs)
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    weights = [_batch(*w.shape) for w in theirs.weights]
    ours.set_weights(weights)
    theirs.set_weights(weights)
    return ours, theirs


@pytest.mark.parametrize("class_name, kwargs, inputs, call_kwargs", CASES, ids=IDS)
def test_same_weights_same_outputs_and_configs(class_name, kwargs, inputs, call_kwargs):
    ours, theirs = _pair(class_name, kwargs, inputs, call_kwargs)
    got, expected = _outputs(ours(*inputs, **call_kwargs)), _outputs(theirs(*inputs, **call_kwargs))
    assert len(got) == len(expected)
    for mine, reference in zip(got, expected):
        np.testing.assert_allclose(mine, reference, rtol=1e-5, atol=1e-5)
    # The configs are equal, and each library rebuilds the layer from the other's.
    config = ours.get_config()
    assert config == theirs.get_config()
    assert type(ours).from_config(config).get_config() == config
    assert type(theirs).from_config(config).get_config() == config


def test_masks_flow_from_embedding_through_attention():
    """Embedding(mask_zero=True) masks the keys and queries of MultiHeadAttention, as in Keras."""
    ids = np.array([[3, 1, 0, 0], [2, 2, 4, 0]], dtype="int32")
    outputs = []
    for library in (minikeras, keras):
        embedding = library.layers.Embedding(5, 6, mask_zero=True)
        attention = library.layers.MultiHeadAttention(2, 3, dropout=0.0)
        x = embedding(ids)
        attention(x, x)
        embedding.set_weights([np.linspace(-1, 1, 30, dtype="float32").reshape(5, 6)])
        attention.set_weights([np.cos(np.arange(np.prod(w.shape))).reshape(w.shape).astype("float32")
                               for w in attention.weights])
        x = embedding(ids)
        outputs.append(np.asarray(attention(x, x, return_attention_scores=True)[1]))
    np.testing.assert_allclose(outputs[0], outputs[1], rtol=1e-5, atol=1e-5)


# ----- a transformer block: training, files, summary -----
def transformer_block(library, dropout=0.0):
    """Functional: self-attention + residual + LayerNorm, feed-forward + residual + LayerNorm, classifier."""
    L = library.layers
    inputs = library.Input((6, 8), name="tokens")
    attended = L.MultiHeadAttention(num_heads=2, key_dim=4, dropout=dropout, name="mha")(inputs, inputs)
    x = L.LayerNormalization(epsilon=1e-6, name="norm_1")(L.Add(name="residual_1")([inputs, attended]))
    hidden = L.Dense(16, activation="relu", name="ffn_1")(x)
    x = L.LayerNormalization(epsilon=1e-6, name="norm_2")(L.Add(name="residual_2")([x, L.Dense(8, name="ffn_2")(hidden)]))
    x = L.GlobalAveragePooling1D(name="pool")(x)
    return library.Model(inputs, L.Dense(3, activation="softmax", name="classes")(x), name="transformer_block")


def _same_start(ours, theirs):
    weights = [np.asarray(RNG.normal(scale=0.3, size=w.shape), dtype="float32") for w in theirs.weights]
    ours.set_weights(weights)
    theirs.set_weights(weights)


def test_five_training_steps_give_keras_weights():
    x, y = _batch(8, 6, 8), RNG.integers(0, 3, 8)
    ours, theirs = transformer_block(minikeras), transformer_block(keras)
    _same_start(ours, theirs)
    for model, library in ((ours, minikeras), (theirs, keras)):
        model.compile(optimizer=library.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy")
        model.fit(x, y, batch_size=4, epochs=5, shuffle=False, verbose=0)  # 2 steps per epoch: 10 steps
    for mine, reference in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(mine, np.asarray(reference), rtol=1e-4, atol=1e-4)


def test_keras_file_loads_in_minikeras_and_back(tmp_path):
    x = _batch(4, 6, 8)
    theirs = transformer_block(keras, dropout=0.1)
    _same_start(transformer_block(minikeras, dropout=0.1), theirs)
    theirs.save(tmp_path / "keras.keras")
    loaded = minikeras.saving.load_model(tmp_path / "keras.keras")
    np.testing.assert_allclose(np.asarray(loaded.predict(x, verbose=0)),
                               np.asarray(theirs.predict(x, verbose=0)), rtol=1e-5, atol=1e-5)
    loaded.save(tmp_path / "minikeras.keras")
    back = keras.saving.load_model(tmp_path / "minikeras.keras")
    np.testing.assert_allclose(np.asarray(back.predict(x, verbose=0)),
                               np.asarray(theirs.predict(x, verbose=0)), rtol=1e-5, atol=1e-5)
    assert back.get_layer("mha").get_config() == theirs.get_layer("mha").get_config()


def _summary(model):
    texts = []
    model.summary(print_fn=texts.append, line_length=100)
    return texts[0]


def test_summary_matches_keras(monkeypatch):
    monkeypatch.setitem(os.environ, "COLUMNS", "200")
    ours, theirs = transformer_block(minikeras), transformer_block(keras)
    assert _summary(ours) == _summary(theirs)
    # Pinned: MHA 3 x (8*2*4 + 2*4) + (2*4*8 + 8) = 288; two LayerNorms 2 x 16;
    # Dense 8*16+16 = 144 and 16*8+8 = 136; classes 8*3+3 = 27.
    assert ours.get_layer("mha").count_params() == 288
    assert ours.count_params() == 288 + 32 + 144 + 136 + 27 == theirs.count_params()
    assert ours.get_layer("mha").compute_output_shape((None, 6, 8), (None, 6, 8)) == (None, 6, 8)


# ----- errors that name the layer and the shapes -----
def test_missing_key_dim_is_a_clear_error():
    with pytest.raises(ValueError, match="key_dim"):
        layers.MultiHeadAttention(num_heads=2)


def test_mask_of_the_wrong_shape_names_layer_and_shapes():
    attention = layers.MultiHeadAttention(2, 3, name="self_attention")
    with pytest.raises(ValueError, match=r"self_attention.*value_mask.*\(2, 5\).*\(2, 4\)"):
        attention(Q, V, value_mask=_mask(2, 4))
    with pytest.raises(ValueError, match=r"self_attention.*attention_mask.*\(2, 4, 5\).*\(2, 5, 4\)"):
        attention(Q, V, attention_mask=_mask(2, 5, 4))
    with pytest.raises(ValueError, match=r"Attention layer 'dot'.*value mask.*\(2, 5\).*\(2, 4\)"):
        layers.Attention(name="dot")([Q, V], mask=[None, _mask(2, 4)])


def test_keras_rejects_what_we_reject():
    """The cases above are errors in Keras too (not only in minikeras)."""
    with pytest.raises(TypeError):
        keras.layers.MultiHeadAttention(num_heads=2)
    with pytest.raises(Exception):
        keras.layers.MultiHeadAttention(2, 3)(Q, V, attention_mask=_mask(2, 5, 4))
