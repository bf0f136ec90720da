"""Rematerialization (``minikeras.remat``, ``minikeras.RematScope``): the same gradients as without it,
with fewer ops kept on the tape."""

import numpy as np
import pytest

import minikeras
from minikeras import ops

rng = np.random.default_rng(5)
X = rng.standard_normal((4, 3)).astype("float64")
W = rng.standard_normal((3, 5)).astype("float64")


def block(x, w):
    """Six ops: matmul, tanh, multiply, add, relu, multiply (and a sum)."""
    hidden = ops.relu(ops.tanh(ops.matmul(x, w)) * 2.0 + 0.5)
    return ops.sum(hidden * hidden, axis=-1)


def _gradients(function):
    """``(number of nodes the tape kept, loss, d loss / d x, d loss / d w)``."""
    x, w = minikeras.ops.convert_to_tensor(X), minikeras.Variable(W, name="w")
    with minikeras.GradientTape() as tape:
        tape.watch(x)
        loss = ops.sum(function(x, w))
        kept = len(tape.nodes)
    dx, dw = tape.gradient(loss, [x, w])
    return kept, float(loss), dx.numpy(), dw.numpy()


def test_remat_gives_the_same_gradients_and_keeps_fewer_nodes():
    plain_kept, plain_loss, plain_dx, plain_dw = _gradients(block)
    kept, loss, dx, dw = _gradients(minikeras.remat(block))
    assert loss == plain_loss
    np.testing.assert_allclose(dx, plain_dx, rtol=1e-12)
    np.testing.assert_allclose(dw, plain_dw, rtol=1e-12)
    assert kept == 2 < plain_kept  # one Rematerialize node and the final sum, instead of seven


def test_remat_gradient_matches_finite_differences_through_a_captured_tensor():
    """A tensor the function captures (not an argument) still receives its gradient."""
    scale = minikeras.ops.convert_to_tensor(np.array([1.5, -0.5, 2.0]))
    rematerialized = minikeras.remat(lambda x: ops.sum(ops.sin(x * scale)))
    with minikeras.GradientTape() as tape:
        tape.watch(scale)
        value = rematerialized(minikeras.ops.convert_to_tensor(X))
    d_scale = tape.gradient(value, scale).numpy()
    numeric = np.zeros(3)
    for i in range(3):
        step = np.zeros(3)
        step[i] = 1e-6
        numeric[i] = (np.sin(X * (scale.numpy() + step)).sum() - np.sin(X * (scale.numpy() - step)).sum()) / 2e-6
    np.testing.assert_allclose(d_scale, numeric, rtol=1e-6)


def _model(seed):
    minikeras.utils.set_random_seed(seed)
    return minikeras.Sequential([minikeras.Input((3,)), minikeras.layers.Dense(8, activation="tanh", name="a"),
                                 minikeras.layers.Dropout(0.5, seed=1, name="drop"),
                                 minikeras.layers.Dense(2, name="b")])


def _model_gradients(model):
    """``(the tape's nodes: (op class name, ...), gradients of the trainable variables)``."""
    with minikeras.GradientTape() as tape:
        loss = ops.mean(ops.square(model(X.astype("float32"), training=True)))
        kept = [type(op).__name__ for op, _, _ in tape.nodes]
    return kept, [g.numpy() for g in tape.gradient(loss, model.trainable_variables)]


@pytest.mark.parametrize("scope", [
    {"mode": "full"}, {"mode": "activations"}, {"mode": "list_of_layers", "layer_names": ["a"]},
    {"mode": "larger_than", "output_size_threshold": 10}])
def test_layers_made_in_a_remat_scope_replay_dropout_exactly(scope):
    """Dropout draws its mask again in the backward pass: the replay must draw the same one."""
    plain_kept, plain = _model_gradients(_model(0))
    with minikeras.RematScope(**scope):
        model = _model(0)
    kept, grads = _model_gradients(model)
    for mine, reference in zip(grads, plain):
        np.testing.assert_allclose(mine, reference, rtol=1e-6, atol=1e-7)
    assert "Rematerialize" in kept and "Rematerialize" not in plain_kept
    # "activations" swaps tanh's node for one that keeps its input: no fewer nodes, but no fewer arrays either.
    assert len(kept) < len(plain_kept) or scope["mode"] == "activations"


def test_remat_scope_outside_and_bad_mode():
    with minikeras.RematScope(mode=None):
        layer = minikeras.layers.Dense(2)
    assert layer._remat_mode.mode is None
    assert minikeras.layers.Dense(2)._remat_mode is None
    with pytest.raises(ValueError, match="Invalid mode 'everything'"):
        minikeras.RematScope(mode="everything")


def test_remat_without_a_tape_is_the_plain_call():
    np.testing.assert_array_equal(minikeras.remat(block)(X, W).numpy(), block(X, W).numpy())
