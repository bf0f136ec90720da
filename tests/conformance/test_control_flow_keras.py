"""Control-flow ops (``cond``, ``switch``, ``while_loop``, ``fori_loop``, ``scan``, ``map``,
``associative_scan``, ``vectorized_map``, ``custom_gradient``) against Keras 3.15.1: same values,
same structures, and gradients through the loops equal to ``jax.grad``."""

import numpy as np
import pytest

import minikeras
from minikeras import ops
from minikeras.autodiff.tape import GradientTape

keras = pytest.importorskip("keras")
jax = pytest.importorskip("jax")

pytestmark = pytest.mark.engine

XS = np.linspace(-1, 1, 12).reshape(4, 3).astype("float32")


def _programs(o):
    """The same programs written against a library's ops module ``o``."""
    return {
        "cond": lambda x: o.cond(o.sum(x) > 0, lambda: x * 2, lambda: x - 1),
        "switch": lambda x: o.switch(7, [lambda y: y + 1, lambda y: o.sin(y)], x),
        "while_loop": lambda x: o.while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, y * o.tanh(y) + 1), (0, x))[1],
        "while_loop_max": lambda x: o.while_loop(lambda y: o.sum(y) < 100.0, lambda y: y * 2 + 1, x,
                                                 maximum_iterations=2),
        "fori_loop": lambda x: o.fori_loop(1, 4, lambda i, y: o.cos(y) * i, x),
        "scan_carry": lambda x: o.scan(lambda c, row: (c * o.tanh(row) + 1, None), o.ones((3,)), x)[0],
        "scan_ys": lambda x: o.scan(lambda c, row: (c + row, {"p": c * row}), o.zeros((3,)), x, reverse=True)[1]["p"],
        "map": lambda x: o.map(lambda row: (o.sum(row), row * 2), x)[0],
        "vectorized_map": lambda x: o.vectorized_map(lambda row: o.exp(row), x),
        "associative_scan": lambda x: o.associative_scan(lambda a, b: a * b + a, x, axis=1),
        "associative_scan_reverse": lambda x: o.associative_scan(lambda a, b: a + b, x, reverse=True),
    }


@pytest.mark.parametrize("name", sorted(_programs(ops)))
def test_values_and_gradients_match_keras(name):
    ours_program, their_program = _programs(ops)[name], _programs(keras.ops)[name]
    expected = keras.ops.convert_to_numpy(their_program(XS))
    np.testing.assert_allclose(ops.convert_to_numpy(ours_program(XS)), expected, rtol=1e-5, atol=1e-6)
    if name.startswith("while_loop"):
        return  # JAX cannot differentiate a while_loop; minikeras can (tests/autodiff/op_table.py checks it)
    weights = np.arange(1.0, expected.size + 1.0, dtype="float32").reshape(expected.shape)
    x = minikeras.Variable(XS)
    with GradientTape() as tape:
        loss = ops.sum(ours_program(x) * weights)
    ours = tape.gradient(loss, x)
    theirs = jax.grad(lambda value: keras.ops.sum(their_program(value) * weights))(XS)
    np.testing.assert_allclose(ops.convert_to_numpy(ours), np.asarray(theirs), rtol=1e-4, atol=1e-5)


def test_structures_match_keras():
    for o in (ops, keras.ops):
        assert o.while_loop(lambda i: i < 5, lambda i: i + 1, 0) == 5
        assert len(o.while_loop(lambda i: i < 9, lambda i: (i + 1,), (0,), maximum_iterations=4)) == 1
        carry, ys = o.scan(lambda c, x: (c + 1, None), 0, length=3)
        assert int(carry) == 3 and ys is None
        mapped = o.map(lambda x: {"a": x, "b": x + 1}, XS)
        assert sorted(mapped) == ["a", "b"] and tuple(mapped["b"].shape) == (4, 3)


def test_custom_gradient_is_used_as_keras_uses_it():
    def clipped_identity(o):
        @o.custom_gradient
        def f(x):
            def grad_fn(upstream):
                return o.clip(upstream, -0.5, 0.5)  # a gradient that is not the true one, on purpose
            return x * 1.0, grad_fn
        return f

    x = minikeras.Variable(XS)
    upstream = np.linspace(-2, 2, 12).reshape(4, 3)
    with GradientTape() as tape:
        loss = ops.sum(clipped_identity(ops)(x) * upstream)
    ours = ops.convert_to_numpy(tape.gradient(loss, x))
    theirs = jax.grad(lambda v: keras.ops.sum(clipped_identity(keras.ops)(v) * upstream.astype("float32")))(XS)
    np.testing.assert_allclose(ours, np.asarray(theirs), rtol=1e-6)
    np.testing.assert_allclose(ours, np.clip(upstream, -0.5, 0.5))
