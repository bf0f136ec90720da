"""Keras's sequence examples run unchanged with ``import minikeras as keras``.

Each function below is the model code of a keras.io example (or guide), as a
Keras user writes it; only the data is synthetic and small, so that the test
runs in seconds. Each test checks that the model learns something a model
without memory could not (the loss falls well below its first value) and
that it saves and loads:

* "Bidirectional LSTM on IMDB": Embedding -> two Bidirectional LSTMs -> sigmoid;
* "Character-level recurrent sequence-to-sequence model": an encoder LSTM
  with ``return_state=True`` whose states start the decoder LSTM
  (``initial_state``), trained with teacher forcing, then used step by step;
* "Timeseries forecasting for weather prediction": Input -> LSTM(32) -> Dense(1);
* "Working with RNNs" guide: a custom cell through ``keras.layers.RNN``.
"""

import numpy as np
import pytest

import minikeras as keras
from minikeras import layers
from minikeras import ops

RNG = np.random.default_rng(0)


@pytest.fixture(autouse=True)
def seeded():
    """Same initial weights whatever ran before (the examples train for a few epochs only)."""
    keras.utils.set_random_seed(1)


def fit_losses(model, x, y, epochs, batch_size=16):
    history = model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0)
    return history.history["loss"]


def check_save_and_load(model, x, tmp_path):
    model.save(tmp_path / "model.keras")
    reloaded = keras.saving.load_model(tmp_path / "model.keras", custom_objects=CUSTOM_OBJECTS)
    np.testing.assert_allclose(reloaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)


# ----- bidirectional LSTM on integer sequences (keras.io: bidirectional_lstm_imdb) -----
def bidirectional_lstm_classifier(max_features, maxlen):
    inputs = keras.Input(shape=(maxlen,), dtype="int32")
    x = layers.Embedding(max_features, 16, mask_zero=True)(inputs)
    x = layers.Bidirectional(layers.LSTM(8, return_sequences=True))(x)
    x = layers.Bidirectional(layers.LSTM(8))(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    return keras.Model(inputs, outputs)


def test_bidirectional_lstm_learns_which_token_came_first(tmp_path):
    # Label: does token 1 appear before token 2? Order matters, not counts.
    maxlen, count = 8, 128
    lengths = RNG.integers(maxlen - 2, maxlen + 1, count)  # the rest is padding (0), masked
    x = RNG.integers(3, 20, (count, maxlen)).astype("int32")
    x[np.arange(maxlen)[None, :] >= lengths[:, None]] = 0
    first = (RNG.random(count) * lengths).astype(int)
    second = (first + 1 + (RNG.random(count) * (lengths - 1)).astype(int)) % lengths
    x[np.arange(count), first], x[np.arange(count), second] = 1, 2
    y = (first < second).astype("float32")
    model = bidirectional_lstm_classifier(20, maxlen)
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="binary_crossentropy",
                  metrics=["accuracy"])
    losses = fit_losses(model, x, y, epochs=10, batch_size=32)
    assert losses[-1] < 0.7 * losses[0]
    check_save_and_load(model, x[:4], tmp_path)


# ----- sequence to sequence with states (keras.io: lstm_seq2seq) -----
def seq2seq_models(num_tokens, latent_dim):
    encoder_inputs = keras.Input(shape=(None, num_tokens))
    encoder = keras.layers.LSTM(latent_dim, return_state=True)
    encoder_outputs, state_h, state_c = encoder(encoder_inputs)
    encoder_states = [state_h, state_c]
    decoder_inputs = keras.Input(shape=(None, num_tokens))
    decoder_lstm = keras.layers.LSTM(latent_dim, return_sequences=True, return_state=True)
    decoder_outputs, _, _ = decoder_lstm(decoder_inputs, initial_state=encoder_states)
    decoder_dense = keras.layers.Dense(num_tokens, activation="softmax")
    decoder_outputs = decoder_dense(decoder_outputs)
    model = keras.Model([encoder_inputs, decoder_inputs], decoder_outputs)
    # Inference: the encoder gives the states, the decoder runs one step at a time.
    encoder_model = keras.Model(encoder_inputs, encoder_states)
    state_h_input, state_c_input = keras.Input(shape=(latent_dim,)), keras.Input(shape=(latent_dim,))
    states_inputs = [state_h_input, state_c_input]
    step_outputs, step_h, step_c = decoder_lstm(decoder_inputs, initial_state=states_inputs)
    decoder_model = keras.Model([decoder_inputs] + states_inputs,
                                [decoder_dense(step_outputs)] + [step_h, step_c])
    return model, encoder_model, decoder_model


def test_lstm_seq2seq_learns_to_reverse_and_decodes_step_by_step():
    # Task: output the input tokens in reverse order. Token 0 starts the decoder.
    tokens, length, count = 5, 4, 320
    sequences = RNG.integers(1, tokens, (count, length))
    one_hot = np.eye(tokens, dtype="float32")
    encoder_x = one_hot[sequences]
    targets = one_hot[sequences[:, ::-1]]
    decoder_x = np.concatenate([np.repeat(one_hot[None, None, 0], count, axis=0), targets[:, :-1]], axis=1)
    model, encoder_model, decoder_model = seq2seq_models(tokens, 24)
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    losses = fit_losses(model, [encoder_x, decoder_x], targets, epochs=12, batch_size=32)
    assert losses[-1] < 0.5 * losses[0]
    # Greedy decoding, one step at a time, from the encoder's states.
    states = encoder_model.predict(encoder_x[:8], verbose=0)
    token = np.repeat(one_hot[None, None, 0], 8, axis=0)
    decoded = []
    for _ in range(length):
        probabilities, h, c = decoder_model.predict([token] + list(states), verbose=0)
        choice = probabilities[:, -1].argmax(axis=-1)
        decoded.append(choice)
        token, states = one_hot[choice][:, None], [h, c]
    teacher_forced = model.predict([encoder_x[:8], decoder_x[:8]], verbose=0).argmax(axis=-1)
    accuracy = np.mean(np.stack(decoded, axis=1) == sequences[:8, ::-1])
    assert accuracy > 0.5
    # Step by step with its own predictions equals teacher forcing where they agree.
    np.testing.assert_array_equal(np.stack(decoded, axis=1)[:, 0], teacher_forced[:, 0])


# ----- time-series forecaster (keras.io: timeseries_weather_forecasting) -----
def forecaster(sequence_length, features):
    inputs = keras.layers.Input(shape=(sequence_length, features))
    lstm_out = keras.layers.LSTM(32)(inputs)
    outputs = keras.layers.Dense(1)(lstm_out)
    return keras.Model(inputs=inputs, outputs=outputs)


def test_lstm_forecaster_predicts_the_next_value_of_a_noisy_wave(tmp_path):
    length, count = 16, 256
    phase = RNG.uniform(0, 2 * np.pi, count)
    t = np.arange(length + 1)
    wave = np.sin(0.6 * t[None, :] + phase[:, None])
    signal = np.stack([wave, np.cos(0.6 * t[None, :] + phase[:, None])], axis=-1)
    x = (signal[:, :length] + 0.05 * RNG.standard_normal((count, length, 2))).astype("float32")
    y = wave[:, length:].astype("float32")
    model = forecaster(length, 2)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="mse")
    losses = fit_losses(model, x, y, epochs=8, batch_size=32)
    assert losses[-1] < 0.2 * losses[0]
    check_save_and_load(model, x[:4], tmp_path)


# ----- custom cell through keras.layers.RNN (guide: working_with_rnns) -----
@keras.saving.register_keras_serializable(package="examples")
class MinimalRNNCell(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units),
                                      initializer="uniform", name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                initializer="uniform", name="recurrent_kernel")

    def call(self, inputs, states):
        prev_output = states[0]
        h = ops.matmul(inputs, self.kernel)
        output = h + ops.matmul(prev_output, self.recurrent_kernel)
        return output, [output]

    def get_config(self):
        return {**super().get_config(), "units": self.units}


CUSTOM_OBJECTS = {"MinimalRNNCell": MinimalRNNCell}


def test_custom_cell_through_keras_layers_rnn_learns_a_running_sum(tmp_path):
    x = RNG.uniform(-1, 1, (256, 6, 1)).astype("float32")
    y = x.sum(axis=1)
    cell = MinimalRNNCell(8)
    inputs = keras.Input((None, 1))
    outputs = keras.layers.Dense(1)(keras.layers.RNN(cell)(inputs))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="mse")
    losses = fit_losses(model, x, y, epochs=10, batch_size=32)
    assert losses[-1] < 0.1 * losses[0]
    check_save_and_load(model, x[:4], tmp_path)
