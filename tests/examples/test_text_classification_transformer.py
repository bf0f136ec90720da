"""Keras's example "Text classification with Transformer", unchanged but for the import.

The model code below is the example's (keras.io/examples/nlp/text_classification_with_transformer,
Keras 3 version), with ``import minikeras as keras``. Only the data differ: instead of
IMDB (a download, and ``keras.utils.pad_sequences``), a synthetic task of the same
form: integer sequences of length ``maxlen``, label 1 when the sequence holds
token 7. Attention plus average pooling learns that in a few epochs.
"""

import numpy as np
import pytest

import minikeras as keras
from minikeras import layers
from minikeras import ops

pytestmark = pytest.mark.training


class TransformerBlock(layers.Layer):
    def __init__(self, embed_dim, num_heads, ff_dim, rate=0.1):
        super().__init__()
        self.att = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
        self.ffn = keras.Sequential(
            [layers.Dense(ff_dim, activation="relu"), layers.Dense(embed_dim),]
        )
        self.layernorm1 = layers.LayerNormalization(epsilon=1e-6)
        self.layernorm2 = layers.LayerNormalization(epsilon=1e-6)
        self.dropout1 = layers.Dropout(rate)
        self.dropout2 = layers.Dropout(rate)

    def call(self, inputs):
        attn_output = self.att(inputs, inputs)
        attn_output = self.dropout1(attn_output)
        out1 = self.layernorm1(inputs + attn_output)
        ffn_output = self.ffn(out1)
        ffn_output = self.dropout2(ffn_output)
        return self.layernorm2(out1 + ffn_output)


class TokenAndPositionEmbedding(layers.Layer):
    def __init__(self, maxlen, vocab_size, embed_dim):
        super().__init__()
        self.token_emb = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
        self.pos_emb = layers.Embedding(input_dim=maxlen, output_dim=embed_dim)

    def call(self, x):
        maxlen = ops.shape(x)[-1]
        positions = ops.arange(start=0, stop=maxlen, step=1)
        positions = self.pos_emb(positions)
        x = self.token_emb(x)
        return x + positions


def synthetic_reviews(count, maxlen, vocab_size, seed):
    """Integer "reviews" of length maxlen; label 1 when token 7 occurs."""
    rng = np.random.default_rng(seed)
    x = rng.integers(8, vocab_size, size=(count, maxlen))
    y = rng.integers(0, 2, size=count)
    for row in np.flatnonzero(y):
        x[row, rng.integers(0, maxlen, size=2)] = 7
    return x, y


def test_example_trains_and_classifies():
    keras.utils.set_random_seed(0)
    vocab_size, maxlen = 50, 16
    x_train, y_train = synthetic_reviews(256, maxlen, vocab_size, seed=0)
    x_val, y_val = synthetic_reviews(64, maxlen, vocab_size, seed=1)

    embed_dim = 32  # Embedding size for each token
    num_heads = 2  # Number of attention heads
    ff_dim = 32  # Hidden layer size in feed forward network inside transformer

    inputs = layers.Input(shape=(maxlen,))
    embedding_layer = TokenAndPositionEmbedding(maxlen, vocab_size, embed_dim)
    x = embedding_layer(inputs)
    transformer_block = TransformerBlock(embed_dim, num_heads, ff_dim)
    x = transformer_block(x)
    x = layers.GlobalAveragePooling1D()(x)
    x = layers.Dropout(0.1)(x)
    x = layers.Dense(20, activation="relu")(x)
    x = layers.Dropout(0.1)(x)
    outputs = layers.Dense(2, activation="softmax")(x)

    model = keras.Model(inputs=inputs, outputs=outputs)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=32, epochs=6, validation_data=(x_val, y_val), verbose=0)

    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.history["val_accuracy"][-1] >= 0.9
    # embedding 50*32 + 16*32 = 2112; attention 3*(32*2*32 + 2*32) + (2*32*32 + 32) = 8416; ffn 32*32+32 twice;
    # two LayerNorms 2*64; head 32*20+20 and 20*2+2
    assert model.count_params() == 2112 + 8416 + 2112 + 128 + 660 + 42
