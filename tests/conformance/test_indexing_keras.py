"""``slice``, ``slice_update``, ``scatter``, ``scatter_update``, ``segment_sum/max``, ``unstack``,
``select`` and ``searchsorted`` against Keras 3.15.1 (values; gradients against ``jax.grad``)."""

import numpy as np
import pytest

import minikeras
from minikeras import ops
from minikeras.autodiff.tape import GradientTape

keras = pytest.importorskip("keras")
jax = pytest.importorskip("jax")

pytestmark = pytest.mark.engine

X = np.linspace(-1, 1, 12).reshape(4, 3).astype("float32")
IDS = np.array([2, 0, 2, 1])


def _programs(o):
    return {
        "slice": lambda x: o.slice(x, (1, 1), (2, 2)),
        "slice_update": lambda x: o.slice_update(x, (2, 0), x[:2, :2] * 3),
        "scatter": lambda x: o.scatter(np.array([[0, 1], [3, 3], [0, 1]]), x[0], (4, 4)),
        "scatter_update": lambda x: o.scatter_update(x, np.array([[3], [1]]), x[:2] * 2),
        "scatter_update_add": lambda x: o.scatter_update(x, np.array([[3, 2], [0, 0]]), x[0, :2], reduction="add"),
        "segment_sum": lambda x: o.segment_sum(x, IDS, num_segments=3),
        "segment_max": lambda x: o.segment_max(x, IDS, num_segments=3),
        "unstack": lambda x: o.unstack(x, axis=1)[2],
        "select": lambda x: o.select([x > 0.3, x < -0.3], [x * 2, o.sin(x)], default=x * x),
    }


@pytest.mark.parametrize("name", sorted(_programs(ops)))
def test_values_and_gradients_match_keras(name):
    ours_program, their_program = _programs(ops)[name], _programs(keras.ops)[name]
    expected = keras.ops.convert_to_numpy(their_program(X))
    np.testing.assert_allclose(ops.convert_to_numpy(ours_program(X)), expected, rtol=1e-6)
    weights = np.arange(1.0, expected.size + 1.0, dtype="float32").reshape(expected.shape)
    x = minikeras.Variable(X)
    with GradientTape() as tape:
        loss = ops.sum(ours_program(x) * weights)
    theirs = jax.grad(lambda value: keras.ops.sum(their_program(value) * weights))(X)
    np.testing.assert_allclose(ops.convert_to_numpy(tape.gradient(loss, x)), np.asarray(theirs), rtol=1e-6)


def test_searchsorted_matches_keras():
    for side in ("left", "right"):
        ours = ops.searchsorted(np.array([1.0, 2.0, 2.0, 3.0]), np.array([2.0, 0.5, 9.0]), side=side)
        theirs = keras.ops.searchsorted(np.array([1.0, 2.0, 2.0, 3.0]), np.array([2.0, 0.5, 9.0]), side=side)
        np.testing.assert_array_equal(ops.convert_to_numpy(ours), keras.ops.convert_to_numpy(theirs))
