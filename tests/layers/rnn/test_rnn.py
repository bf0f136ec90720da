"""RNN and its cells: hand-computed steps, BPTT on the tape, masks, states, dropout, errors.

The oracle is NumPy: each test writes the recurrence out by hand.
"""

import numpy as np
import pytest

import minikeras
from minikeras import GradientTape
from minikeras import layers
from minikeras import ops
from tests.layers.harness import check_layer

RNG = np.random.default_rng(0)


def batch(*shape, dtype="float32"):
    return RNG.uniform(-1, 1, shape).astype(dtype)


def np_simple_rnn(x, kernel, recurrent_kernel, bias, h=None):
    h = np.zeros((x.shape[0], kernel.shape[1])) if h is None else h
    outputs = []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ kernel + bias + h @ recurrent_kernel)
        outputs.append(h)
    return np.stack(outputs, axis=1)


def test_simple_rnn_is_the_elman_recurrence():
    x = batch(2, 4, 3)
    layer = layers.RNN(layers.SimpleRNNCell(5), return_sequences=True)
    y = layer(x)
    kernel, recurrent_kernel, bias = layer.get_weights()
    np.testing.assert_allclose(np.asarray(y), np_simple_rnn(x, kernel, recurrent_kernel, bias), atol=1e-6)


def test_lstm_cell_one_step_by_hand():
    cell = layers.LSTMCell(2)
    x = batch(3, 4)
    h, c = batch(3, 2), batch(3, 2)
    output, (new_h, new_c) = cell(x, [h, c])
    kernel, recurrent_kernel, bias = cell.get_weights()
    z = x @ kernel + h @ recurrent_kernel + bias
    sigmoid = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    i, f, g, o = sigmoid(z[:, :2]), sigmoid(z[:, 2:4]), np.tanh(z[:, 4:6]), sigmoid(z[:, 6:])
    expected_c = f * c + i * g
    np.testing.assert_allclose(np.asarray(new_c), expected_c, atol=1e-6)
    np.testing.assert_allclose(np.asarray(output), o * np.tanh(expected_c), atol=1e-6)
    np.testing.assert_array_equal(np.asarray(output), np.asarray(new_h))
    # unit_forget_bias: the forget quarter of the bias starts at one.
    np.testing.assert_array_equal(bias, [0, 0, 1, 1, 0, 0, 0, 0])


def test_gru_reset_after_and_before_differ_only_in_the_candidate():
    x = batch(2, 3)
    h = batch(2, 2)
    sigmoid = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    for reset_after in (True, False):
        cell = layers.GRUCell(2, reset_after=reset_after, bias_initializer="glorot_uniform")
        output, _ = cell(x, [h])
        kernel, recurrent_kernel, bias = cell.get_weights()
        input_bias, recurrent_bias = (bias[0], bias[1]) if reset_after else (bias, np.zeros(6))
        xz = x @ kernel + input_bias
        hz = h @ recurrent_kernel + recurrent_bias
        z, r = sigmoid(xz[:, :2] + hz[:, :2]), sigmoid(xz[:, 2:4] + hz[:, 2:4])
        if reset_after:
            g = np.tanh(xz[:, 4:] + r * hz[:, 4:])
        else:
            g = np.tanh(xz[:, 4:] + (r * h) @ recurrent_kernel[:, 4:])
        assert bias.shape == ((2, 6) if reset_after else (6,))
        np.testing.assert_allclose(np.asarray(output), z * h + (1 - z) * g, atol=1e-6)


def test_bptt_is_the_tape_one_op_list_per_step():
    """The readable path records the same ops at every step: the tape grows
    linearly with the number of steps, and its backward walk is BPTT."""
    def tape_length(steps):
        layer = layers.RNN(layers.SimpleRNNCell(3))
        x = minikeras.ops.convert_to_tensor(batch(2, steps, 4))
        layer(x)
        with GradientTape() as tape:
            loss = ops.sum(layer(x))
        length = len(tape.nodes)
        tape.gradient(loss, layer.trainable_weights)
        return length
    one, two, ten = tape_length(1), tape_length(2), tape_length(10)
    per_step = two - one
    assert per_step >= 4  # slice, two matmuls, add (bias), add, tanh...
    assert ten == one + 9 * per_step


def test_bptt_gradient_matches_finite_differences():
    x = batch(2, 4, 3, dtype="float64")
    layer = layers.RNN(layers.LSTMCell(2, dtype="float64"), return_sequences=True, dtype="float64")
    layer(x)
    kernel = layer.cell.recurrent_kernel
    weights = kernel.numpy().copy()
    direction = RNG.normal(size=weights.shape)
    with GradientTape() as tape:
        loss = ops.sum(ops.square(layer(x)))
    analytic = float(np.sum(np.asarray(tape.gradient(loss, kernel)) * direction))
    eps = 1e-6

    def loss_at(values):
        kernel.assign(values)
        return float(np.sum(np.asarray(layer(x)) ** 2))
    numeric = (loss_at(weights + eps * direction) - loss_at(weights - eps * direction)) / (2 * eps)
    kernel.assign(weights)
    assert abs(analytic - numeric) < 1e-6 * max(1.0, abs(numeric))


@pytest.mark.parametrize("zero_output", [False, True])
def test_masked_steps_keep_the_state_and_emit_the_previous_output_or_zeros(zero_output):
    x = batch(2, 4, 3)
    mask = np.array([[True, True, False, True], [False, True, True, False]])
    layer = layers.RNN(layers.SimpleRNNCell(2), return_sequences=True, return_state=True,
                       zero_output_for_mask=zero_output)
    y, h = layer(x, mask=mask)
    kernel, recurrent_kernel, bias = layer.get_weights()
    state, expected = np.zeros((2, 2)), []
    for t in range(4):
        new = np.tanh(x[:, t] @ kernel + bias + state @ recurrent_kernel)
        keep = mask[:, t:t + 1]
        fallback = np.zeros_like(state) if zero_output else state
        expected.append(np.where(keep, new, fallback))
        state = np.where(keep, new, state)
    np.testing.assert_allclose(np.asarray(y), np.stack(expected, axis=1), atol=1e-6)
    np.testing.assert_allclose(np.asarray(h), state, atol=1e-6)


def test_go_backwards_reads_the_reversed_sequence():
    x = batch(2, 5, 3)
    forward = layers.SimpleRNN(4, return_sequences=True)
    backward = layers.SimpleRNN(4, return_sequences=True, go_backwards=True)
    forward(x)
    backward(x)
    backward.set_weights(forward.get_weights())
    np.testing.assert_allclose(np.asarray(backward(x)), np.asarray(forward(x[:, ::-1])), atol=1e-6)


def test_masks_travel_through_sequential_and_functional_models():
    ids = np.array([[4, 2, 0, 0], [1, 3, 3, 2]])
    sequential = minikeras.Sequential([layers.Input((4,), dtype="int32"),
                                       layers.Embedding(5, 3, mask_zero=True),
                                       layers.LSTM(2, return_sequences=True)])
    output = sequential(ids)
    np.testing.assert_array_equal(np.asarray(output._keras_mask), ids != 0)
    # Padded steps repeat the last real output.
    np.testing.assert_array_equal(np.asarray(output)[0, 2], np.asarray(output)[0, 1])
    inputs = layers.Input((4,), dtype="int32")
    embedded = sequential.layers[0](inputs)
    functional = minikeras.Model(inputs, sequential.layers[1](embedded))
    np.testing.assert_array_equal(np.asarray(functional(ids)), np.asarray(output))


def test_masking_layer_zeroes_and_masks_padded_steps():
    x = batch(2, 3, 2)
    x[0, 1] = 0.0
    y = layers.Masking()(x)
    np.testing.assert_array_equal(np.asarray(y._keras_mask), [[True, False, True], [True, True, True]])
    np.testing.assert_array_equal(np.asarray(y), x)


def test_repeat_vector_and_time_distributed():
    check_layer(lambda: layers.RepeatVector(3), batch(2, 4), (2, 3, 4), 0)
    layer = check_layer(lambda: layers.TimeDistributed(layers.Dense(2)), batch(2, 3, 4), (2, 3, 2), 2)
    kernel, bias = layer.get_weights()
    x = batch(2, 3, 4)
    np.testing.assert_allclose(np.asarray(layer(x)), x @ kernel + bias, atol=1e-6)


@pytest.mark.parametrize("make, weights", [
    (lambda: layers.SimpleRNN(3), 3),
    (lambda: layers.LSTM(3, return_sequences=True), 3),
    (lambda: layers.GRU(3, reset_after=False), 3),
    (lambda: layers.Bidirectional(layers.LSTM(2, return_sequences=True)), 6),
    (lambda: layers.RNN([layers.LSTMCell(3), layers.GRUCell(3)]), 6),
])
def test_recurrent_layers_pass_the_layer_harness(make, weights):
    layer = make()
    shape = layer.compute_output_shape((2, 5, 4))
    check_layer(make, batch(2, 5, 4), shape, weights)


def test_stateful_layer_carries_states_between_batches():
    x = batch(2, 3, 4)
    stateful = layers.LSTM(3, stateful=True)
    stateless = layers.LSTM(3, return_state=True)
    stateful(x)
    stateless(x)
    stateful.reset_state()
    stateless.set_weights(stateful.get_weights())
    assert len(stateful.weights) == 3  # the states are not weights
    first = stateful(x)
    second = stateful(x)
    _, h, c = stateless(x)
    np.testing.assert_allclose(np.asarray(first), np.asarray(h), atol=1e-6)
    np.testing.assert_allclose(np.asarray(second), np.asarray(stateless(x, initial_state=[h, c])[0]),
                               atol=1e-6)
    stateful.reset_states()
    np.testing.assert_allclose(np.asarray(stateful(x)), np.asarray(first), atol=1e-6)


def test_dropout_masks_are_seeded_and_shared_by_all_steps():
    x = batch(4, 6, 5)

    def run(seed):
        layer = layers.LSTM(3, dropout=0.5, recurrent_dropout=0.3, seed=seed, return_sequences=True)
        layer(x)
        layer.set_weights([np.full(w.shape, 0.1, "float32") for w in layer.get_weights()])
        return np.asarray(layer(x, training=True)), np.asarray(layer(x, training=False))
    a_train, a_test = run(7)
    b_train, _ = run(7)
    c_train, _ = run(8)
    np.testing.assert_array_equal(a_train, b_train)
    assert not np.allclose(a_train, c_train)
    assert not np.allclose(a_train, a_test)


def test_custom_cell_with_two_states_and_no_layer_base():
    class Accumulator:
        """Not a Layer: a plain object with state_size and call (Keras accepts those)."""
        state_size = [2, 2]
        output_size = 2

        def call(self, inputs, states):
            total = states[0] + inputs
            return total * 2, [total, states[1] + 1]

    x = batch(2, 3, 2)
    y, total, count = layers.RNN(Accumulator(), return_state=True)(x)
    np.testing.assert_allclose(np.asarray(total), x.sum(axis=1), atol=1e-6)
    np.testing.assert_allclose(np.asarray(count), np.full((2, 2), 3.0))
    np.testing.assert_allclose(np.asarray(y), 2 * x.sum(axis=1), atol=1e-6)


def test_errors_name_the_layer_and_the_shapes():
    with pytest.raises(ValueError, match=r"lstm.*expected ndim=3, found ndim=2. Full shape received: \(2, 5\)"):
        layers.LSTM(3, name="lstm")(batch(2, 5))
    with pytest.raises(ValueError, match=r"RNN layer 'rnn_x' expects a 3-D input.*\(2, 5\)"):
        layers.RNN(layers.SimpleRNNCell(2), name="rnn_x")(batch(2, 5))
    with pytest.raises(ValueError, match=r"'gru_x': the mask must have shape.*\(2, 3\).*\(2, 4\)"):
        layers.GRU(2, name="gru_x")(batch(2, 3, 4), mask=np.ones((2, 4), bool))
    with pytest.raises(ValueError, match=r"'lstm_y': the initial state must be 2 tensor\(s\) of shapes "
                                         r"\[\(2, 3\), \(2, 3\)\].*received 1 of shapes \[\(2, 4\)\]"):
        layers.LSTM(3, name="lstm_y")(batch(2, 3, 4), initial_state=[np.zeros((2, 4), "float32")])

    class NoStateSize(layers.Layer):
        def call(self, inputs, states):
            return inputs, states
    with pytest.raises(ValueError, match=r"RNN layer 'my_rnn'.*NoStateSize should have a `state_size`"):
        layers.RNN(NoStateSize(), name="my_rnn")
    with pytest.raises(ValueError, match="merge mode"):
        layers.Bidirectional(layers.LSTM(2), merge_mode="max")
    with pytest.raises(ValueError, match="TimeDistributed.*at least 3 dimensions"):
        layers.TimeDistributed(layers.Dense(2))(batch(2, 3))
    with pytest.raises(ValueError, match=r"Layer 'text_lstm' \(LSTM\) computes with numbers"):
        layers.LSTM(2, name="text_lstm")(np.array([[["a"]]]))
