"""ConvLSTM1D/2D/3D: a 1x1 ConvLSTM is an LSTM per pixel, BPTT by finite differences, masks, states, errors."""

import numpy as np
import pytest

from minikeras import layers
from tests.layers.harness import check_layer
from tests.layers.harness import check_layer_gradients

RNG = np.random.default_rng(0)


def _frames(*shape):
    return RNG.normal(size=shape).astype("float32")


def test_a_one_by_one_conv_lstm_is_an_lstm_at_every_pixel():
    # With 1x1 kernels no position sees its neighbours: each pixel's sequence of
    # C channels goes through the same LSTM, whose kernel is the 1x1 kernel.
    x = _frames(2, 3, 4, 4, 3)  # (N, T, H, W, C)
    conv_lstm = layers.ConvLSTM2D(2, 1, return_sequences=True)
    conv_lstm(x)
    lstm = layers.LSTM(2, return_sequences=True, use_cudnn=False)
    lstm(x[:, :, 0, 0])
    kernel, recurrent_kernel, bias = conv_lstm.get_weights()
    lstm.set_weights([kernel[0, 0], recurrent_kernel[0, 0], bias])  # (1, 1, C, 4F) -> (C, 4F)
    pixels = x.transpose(0, 2, 3, 1, 4).reshape(2 * 16, 3, 3)  # (N, T, H, W, C) -> (N*H*W, T, C)
    expected = lstm(pixels).numpy().reshape(2, 4, 4, 3, 2).transpose(0, 3, 1, 2, 4)
    np.testing.assert_allclose(conv_lstm(x).numpy(), expected, rtol=1e-5, atol=1e-6)


def test_weights_shapes_and_the_forget_bias():
    layer = layers.ConvLSTM2D(3, (2, 3), name="clstm")
    layer(_frames(1, 2, 5, 5, 4))
    assert [(w.path, tuple(w.shape)) for w in layer.weights] == [
        ("clstm/conv_lstm_cell/kernel", (2, 3, 4, 12)),
        ("clstm/conv_lstm_cell/recurrent_kernel", (2, 3, 3, 12)),
        ("clstm/conv_lstm_cell/bias", (12,)),
    ]
    np.testing.assert_array_equal(layer.cell.bias.numpy(), [0] * 3 + [1] * 3 + [0] * 6)  # gates i, f, c, o
    assert layer.filters == 3 and layer.kernel_size == (2, 3) and layer.padding == "valid"


@pytest.mark.parametrize("rank, kwargs, output_shape", [
    (1, {"return_sequences": True}, (2, 3, 3, 2)),
    (2, {"padding": "same", "strides": 2}, (2, 3, 3, 2)),
    (3, {"data_format": "channels_first"}, (2, 2, 1, 1, 1)),
])
def test_harness_build_shapes_training_step_and_config(rank, kwargs, output_shape):
    shape = {1: (2, 3, 5, 1), 2: (2, 3, 5, 5, 1), 3: (2, 3, 1, 3, 3, 3)}[rank]
    layer_class = getattr(layers, f"ConvLSTM{rank}D")
    check_layer(lambda: layer_class(2, 3, **kwargs), _frames(*shape), output_shape, 3)


def test_backpropagation_through_time_matches_finite_differences():
    layer = layers.ConvLSTM2D(1, 2, padding="same", return_sequences=True, dtype="float64")
    check_layer_gradients(layer, RNG.normal(size=(1, 3, 3, 3, 1)))


def test_a_masked_step_keeps_the_states_and_repeats_the_output():
    x = _frames(2, 3, 4, 4, 1)
    layer = layers.ConvLSTM2D(2, 3, padding="same", return_sequences=True, return_state=True)
    mask = np.array([[True, False, True], [True, True, False]])
    outputs, h, c = [t.numpy() for t in layer(x, mask=mask)]
    np.testing.assert_array_equal(outputs[0, 1], outputs[0, 0])
    np.testing.assert_array_equal(outputs[1, 2], outputs[1, 1])
    np.testing.assert_array_equal(h[1], outputs[1, 1])
    # The first sequence without its masked step gives the same final output.
    np.testing.assert_allclose(layer(x[:1, [0, 2]])[1].numpy(), h[:1], rtol=1e-5, atol=1e-7)


def test_stateful_calls_continue_and_go_backwards_reverses():
    x = _frames(1, 4, 3, 3, 1)
    layer = layers.ConvLSTM2D(2, 3, padding="same", stateful=True)
    whole = layers.ConvLSTM2D(2, 3, padding="same")
    layer(x[:, :2])
    whole(x)
    whole.set_weights(layer.get_weights())
    layer.reset_state()
    layer(x[:, :2])
    np.testing.assert_allclose(layer(x[:, 2:]).numpy(), whole(x).numpy(), rtol=1e-5, atol=1e-6)
    backwards = layers.ConvLSTM2D(2, 3, padding="same", go_backwards=True)
    backwards(x)
    backwards.set_weights(layer.get_weights())
    np.testing.assert_allclose(backwards(x).numpy(), whole(x[:, ::-1]).numpy(), rtol=1e-5, atol=1e-6)


def test_dropout_only_in_training_and_the_same_with_the_same_seed():
    x = _frames(2, 3, 4, 4, 1)
    first = layers.ConvLSTM1D(2, 3, dropout=0.5, recurrent_dropout=0.5, seed=3)
    second = layers.ConvLSTM1D(2, 3, dropout=0.5, recurrent_dropout=0.5, seed=3)
    first(x[..., 0, :])
    second(x[..., 0, :])
    second.set_weights(first.get_weights())
    inference = first(x[..., 0, :]).numpy()
    training = first(x[..., 0, :], training=True).numpy()
    assert not np.allclose(inference, training)
    np.testing.assert_array_equal(second(x[..., 0, :], training=True).numpy(), training)


def test_bad_inputs_name_the_layer_and_the_shapes():
    layer = layers.ConvLSTM2D(2, 3, name="clstm")
    with pytest.raises(ValueError, match=r"ConvLSTM2D layer 'clstm' expects a 5-D input \(batch, time, rows, cols, "
                                         r"channels\); received an input of shape \(2, 5, 5, 1\)"):
        layer(np.zeros((2, 5, 5, 1), "float32"))
    with pytest.raises(ValueError, match=r"initial state must be 2 tensors \[h, c\] of shapes \[\(2, 3, 3, 2\)"):
        layer(np.zeros((2, 3, 5, 5, 1), "float32"), initial_state=[np.zeros((2, 5, 5, 2), "float32")] * 2)
    with pytest.raises(ValueError, match="padding"):
        layers.ConvLSTM1D(2, 3, padding="causal")
    with pytest.raises(ValueError, match="strides > 1.*dilation_rate > 1"):
        layers.ConvLSTM3D(2, 3, strides=2, dilation_rate=2)
