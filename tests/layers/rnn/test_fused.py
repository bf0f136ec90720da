"""The two BPTT paths agree: the step loop on the tape and the whole-sequence op.

``LSTM``/``GRU``/``SimpleRNN`` take the fused op by default; ``use_cudnn=False``
(or ``RNN(cell)``) runs the readable loop. In float64, outputs, final states
and every gradient (input, initial states, weights) must agree to 1e-10.
"""

import numpy as np
import pytest

from minikeras import GradientTape
from minikeras import layers
from minikeras import ops
from minikeras.autodiff.recurrent import LSTMSequence
from minikeras.autodiff.tensor import Tensor
from minikeras.layers.rnn import fused

RNG = np.random.default_rng(1)


def _make(class_name, use_cudnn, **kwargs):
    layer_class = getattr(layers, class_name)
    if class_name == "SimpleRNN":
        layer = layer_class(3, dtype="float64", **kwargs)
        if not use_cudnn:
            layer = layers.RNN(layer.cell, dtype="float64", **kwargs)
        return layer
    return layer_class(3, dtype="float64", use_cudnn=use_cudnn, bias_initializer="glorot_uniform",
                       **kwargs)


def _run(layer, x, states, weights):
    """Outputs and the gradients of a weighted sum of them, with respect to everything."""
    layer(x, initial_state=states)
    layer.set_weights(weights)
    x, states = Tensor(x), [Tensor(s) for s in states]
    with GradientTape() as tape:
        tape.watch([x] + states)
        outputs = layer(x, initial_state=states)
        outputs = outputs if isinstance(outputs, list) else [outputs]
        loss = sum(ops.sum(ops.sin(output)) for output in outputs)
    grads = tape.gradient(loss, [x] + states + layer.trainable_weights)
    return [np.asarray(o) for o in outputs], [np.asarray(g) for g in grads]


@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("class_name", ["SimpleRNN", "LSTM", "GRU"])
def test_fused_and_loop_paths_agree_in_float64(class_name, go_backwards):
    x = RNG.uniform(-1, 1, (2, 5, 4))
    count = 2 if class_name == "LSTM" else 1
    states = [RNG.uniform(-1, 1, (2, 3)) for _ in range(count)]
    kwargs = dict(return_sequences=True, return_state=True, go_backwards=go_backwards)
    fast, slow = _make(class_name, "auto", **kwargs), _make(class_name, False, **kwargs)
    fast(x)
    weights = [RNG.uniform(-0.7, 0.7, w.shape) for w in fast.get_weights()]
    fast_outputs, fast_grads = _run(fast, x, states, weights)
    slow_outputs, slow_grads = _run(slow, x, states, weights)
    for a, b in zip(fast_outputs + fast_grads, slow_outputs + slow_grads):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_the_fast_path_is_one_op_on_the_tape():
    layer = layers.LSTM(3)
    x = RNG.uniform(-1, 1, (2, 6, 4)).astype("float32")
    layer(x)
    with GradientTape() as tape:
        layer(x)
    assert sum(isinstance(op, LSTMSequence) for op, _, _ in tape.nodes) == 1
    assert len(tape.nodes) < 6  # the op and a few slices, whatever the length


def test_fallbacks_and_use_cudnn_true():
    x = RNG.uniform(-1, 1, (2, 3, 4)).astype("float32")
    layer = layers.GRU(2, reset_after=False)
    layer(x)
    assert fused.why_not_fused(layer, ops.convert_to_tensor(x), None, False) == "reset_after=False"
    masked = layers.LSTM(2)
    masked(x)  # a mask no longer sends the layer to the step loop
    assert fused.why_not_fused(masked, ops.convert_to_tensor(x), ops.ones((2, 3), "bool"), False) is None
    strict = layers.LSTM(2, use_cudnn=True, activation="relu")
    with pytest.raises(ValueError, match="use_cudnn=True.*activation is not tanh"):
        strict(x)


def test_input_dropout_takes_the_fast_path_with_one_mask_for_all_steps():
    x = RNG.uniform(-1, 1, (3, 4, 5)).astype("float32")
    fast = layers.LSTM(2, dropout=0.5, seed=3, return_sequences=True)
    slow = layers.LSTM(2, dropout=0.5, seed=3, return_sequences=True, use_cudnn=False)
    fast(x)
    slow(x)
    slow.set_weights(fast.get_weights())
    np.testing.assert_allclose(np.asarray(fast(x, training=True)), np.asarray(slow(x, training=True)),
                               atol=1e-6)


@pytest.mark.parametrize("class_name, kwargs", [
    ("LSTM", {}), ("GRU", {"go_backwards": True}), ("SimpleRNN", {}),
    ("LSTM", {"zero_output_for_mask": True, "go_backwards": True})])
def test_masked_fused_and_loop_paths_agree_in_float64(class_name, kwargs):
    """A mask goes into the fused op: same outputs, states and gradients as the step loop."""
    x = RNG.uniform(-1, 1, (3, 5, 2))
    mask = np.array([[False, True, True, False, True], [True, True, False, False, False],
                     [True] * 5])
    states = [RNG.uniform(-1, 1, (3, 3)) for _ in range(2 if class_name == "LSTM" else 1)]
    zero_output = kwargs.pop("zero_output_for_mask", False)  # Bidirectional's setting
    kwargs = dict(return_sequences=True, return_state=True, **kwargs)
    fast, slow = _make(class_name, "auto", **kwargs), _make(class_name, False, **kwargs)
    fast(x)
    weights = [RNG.uniform(-0.7, 0.7, w.shape) for w in fast.get_weights()]
    results = []
    for layer in (fast, slow):
        layer.zero_output_for_mask = zero_output
        layer(x, initial_state=states)
        layer.set_weights(weights)
        tensors = [Tensor(x)] + [Tensor(s) for s in states]
        with GradientTape() as tape:
            tape.watch(tensors)
            outputs = layer(tensors[0], initial_state=tensors[1:], mask=ops.convert_to_tensor(mask))
            loss = sum(ops.sum(ops.sin(output)) for output in outputs)
        grads = tape.gradient(loss, tensors + layer.trainable_weights)
        results.append([np.asarray(v) for v in outputs + grads])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
