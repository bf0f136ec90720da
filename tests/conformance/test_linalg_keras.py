"""``ops.linalg`` against Keras 3.15.1 (JAX backend): the same values, and the same gradients (``jax.grad``).

Decompositions are compared where they are unique: eigenvectors and singular
vectors up to sign (by their squares, or by rebuilding the matrix).
"""

import numpy as np
import pytest

import minikeras
from minikeras import ops
from minikeras.autodiff.tape import GradientTape

keras = pytest.importorskip("keras")
jax = pytest.importorskip("jax")

pytestmark = pytest.mark.engine

RNG = np.random.default_rng(5)
SQUARE = (RNG.uniform(-1, 1, (2, 3, 3)) + 3 * np.eye(3)).astype("float32")
SPD = (SQUARE @ SQUARE.swapaxes(-1, -2)).astype("float32")
TALL = RNG.uniform(-1, 1, (5, 3)).astype("float32")
RHS = RNG.uniform(-1, 1, (2, 3, 2)).astype("float32")

# name -> (function of a linalg module, inputs)
CASES = {
    "inv": (lambda m, x: m.inv(x), (SQUARE,)),
    "det": (lambda m, x: m.det(x), (SQUARE,)),
    "logdet": (lambda m, x: (m if hasattr(m, "logdet") else keras.ops).logdet(x), (SPD,)),
    "slogdet": (lambda m, x: (m if hasattr(m, "slogdet") else keras.ops).slogdet(x)[1], (SQUARE,)),
    "solve": (lambda m, a, b: m.solve(a, b), (SQUARE, RHS)),
    "solve_triangular": (lambda m, a, b: m.solve_triangular(a, b, lower=True), (SQUARE, RHS)),
    "solve_triangular_upper": (lambda m, a, b: m.solve_triangular(a, b), (SQUARE, RHS)),
    "cholesky": (lambda m, x: m.cholesky(x), (SPD,)),
    "cholesky_upper": (lambda m, x: m.cholesky(x, upper=True), (SPD,)),
    "cholesky_inverse": (lambda m, x: m.cholesky_inverse(x), (np.linalg.cholesky(SPD[0]),)),  # Keras: no batch
    "lstsq": (lambda m, a, b: m.lstsq(a, b), (TALL, RNG.uniform(-1, 1, (5, 2)).astype("float32"))),
    "pinv": (lambda m, x: m.pinv(x), (TALL,)),
    "eigh_values": (lambda m, x: m.eigh(x)[0], (SQUARE,)),
    "eigh_vectors_squared": (lambda m, x: m.eigh(x)[1] ** 2, (SQUARE,)),
    "qr_r_abs": (lambda m, x: abs(m.qr(x)[1]), (TALL,)),
    "svd_values": (lambda m, x: m.svd(x, compute_uv=False), (TALL,)),
    "norm_fro": (lambda m, x: m.norm(x, axis=(-2, -1)), (SQUARE,)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_values_match_keras(name):
    function, inputs = CASES[name]
    ours = ops.convert_to_numpy(function(ops.linalg, *inputs))
    theirs = keras.ops.convert_to_numpy(function(keras.ops.linalg, *inputs))
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", ["inv", "det", "logdet", "solve", "solve_triangular", "cholesky", "lstsq",
                                  "pinv", "eigh_values", "eigh_vectors_squared", "qr_r_abs", "svd_values"])
def test_gradients_match_jax(name):
    function, inputs = CASES[name]
    weights = None

    def keras_loss(*xs):
        out = function(keras.ops.linalg, *xs)
        return keras.ops.sum(out * weights)

    tensors = [minikeras.Variable(x.astype("float64")) for x in inputs]
    with GradientTape() as tape:
        out = function(ops.linalg, *tensors)
        weights = np.linspace(0.5, 1.5, out.size).reshape(out.shape)
        loss = ops.sum(out * weights)
    ours = tape.gradient(loss, tensors)
    weights = weights.astype("float32")
    theirs = jax.grad(keras_loss, argnums=tuple(range(len(inputs))))(*[jax.numpy.asarray(x) for x in inputs])
    for mine, reference in zip(ours, theirs):  # ours in float64, JAX's in float32
        np.testing.assert_allclose(ops.convert_to_numpy(mine), np.asarray(reference), rtol=2e-3, atol=2e-4)


def test_decompositions_rebuild_the_matrix_as_keras():
    q, r = ops.linalg.qr(TALL)
    np.testing.assert_allclose(ops.convert_to_numpy(ops.matmul(q, r)), TALL, atol=1e-5)
    u, s, vh = ops.linalg.svd(TALL, full_matrices=False)
    their_u, their_s, their_vh = keras.ops.linalg.svd(TALL, full_matrices=False)
    assert u.shape == tuple(their_u.shape) and vh.shape == tuple(their_vh.shape)
    np.testing.assert_allclose(ops.convert_to_numpy(u) * ops.convert_to_numpy(s) @ ops.convert_to_numpy(vh), TALL,
                               atol=1e-5)
    assert [tuple(t.shape) for t in ops.linalg.svd(TALL)] == [tuple(t.shape) for t in keras.ops.linalg.svd(TALL)]
    assert int(ops.linalg.matrix_rank(TALL)) == int(keras.ops.linalg.matrix_rank(TALL))
    lu, pivots = ops.linalg.lu_factor(SQUARE[0])
    their_lu, their_pivots = keras.ops.linalg.lu_factor(SQUARE[0])
    np.testing.assert_allclose(ops.convert_to_numpy(lu), np.asarray(their_lu), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(ops.convert_to_numpy(pivots), np.asarray(their_pivots))
    w = np.sort_complex(ops.convert_to_numpy(ops.linalg.eig(SQUARE[0])[0]))
    np.testing.assert_allclose(w, np.sort_complex(np.asarray(keras.ops.linalg.eig(SQUARE[0])[0])), rtol=1e-4)


def test_jvp_matches_keras():
    def f(x):
        return x ** 3

    primal, tangent = np.array([1.0, 2.0], "float32"), np.array([0.5, -1.0], "float32")
    ours = ops.linalg.jvp(f, (primal,), (tangent,))
    theirs = keras.ops.linalg.jvp(f, (primal,), (tangent,))
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(ops.convert_to_numpy(mine), np.asarray(reference), rtol=1e-6)
