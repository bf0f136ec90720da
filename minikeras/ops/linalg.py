"""``minikeras.ops.linalg``: Keras 3's ``keras.ops.linalg`` (also at the top of ``keras.ops``).

Place in the stack: the public namespace above ``minikeras.autodiff``, whose
``matrix_ops.py`` (inv, det, solve, cholesky, lstsq, pinv) and
``decompositions.py`` (eigh, qr, svd, eig, lu_factor) hold the ops and their
gradients; ``linalg.py`` there holds ``norm``. Every function works on the
last two axes of a batch of matrices (..., M, N). Integer inputs are cast to
``floatx()`` first, as in Keras.

``jvp`` (a forward-mode derivative) is built from reverse mode here: one
backward pass per output entry gives the Jacobian, exactly, which is fine for
the small functions it is used on while learning.
"""

import numpy

from minikeras import backend
from minikeras.autodiff import decompositions
from minikeras.autodiff import linalg
from minikeras.autodiff import matrix_ops
from minikeras.autodiff.elementwise import cast
from minikeras.autodiff.matmul import matmul
from minikeras.autodiff.shape import swapaxes
from minikeras.autodiff.tensor import Tensor
from minikeras.autodiff.tensor import as_tensor
from minikeras.backend import get_xp
from minikeras.ops.symbolic import functional_aware


def _float(x):
    x = as_tensor(x)
    return x if backend.is_float_dtype(x.dtype) else cast(x, backend.floatx())


@functional_aware
def cholesky(x, upper=False):
    """Cholesky factor of symmetric positive definite matrices: lower L (or L^T with ``upper``)."""
    return matrix_ops.cholesky(_float(x), upper=upper)


@functional_aware
def cholesky_inverse(x, upper=False):
    """A^-1 from A's Cholesky factor ``x`` (lower L, or upper L^T): (L L^T)^-1."""
    x = _float(x)
    lower = swapaxes(x, -1, -2) if upper else x
    return matrix_ops.inv(matmul(lower, swapaxes(lower, -1, -2)))


@functional_aware
def det(x):
    """Determinants: (..., N, N) -> (...)."""
    return matrix_ops.det(_float(x))


@functional_aware
def eig(x):
    """Eigenvalues and eigenvectors of general square matrices (complex; no gradient)."""
    return decompositions.eig(_float(x))


@functional_aware
def eigh(x):
    """Eigenvalues (ascending) and eigenvectors of symmetric matrices."""
    return decompositions.eigh(_float(x))


@functional_aware
def inv(x):
    """Matrix inverses: (..., N, N) -> (..., N, N)."""
    return matrix_ops.inv(_float(x))


@functional_aware
def lstsq(a, b, rcond=None):
    """Least-squares solution of a x = b: (M, N), (M,) or (M, K) -> (N,) or (N, K)."""
    return matrix_ops.lstsq(_float(a), _float(b), rcond=rcond)


@functional_aware
def lu_factor(x):
    """``(lu, pivots)``, as ``scipy.linalg.lu_factor`` (no gradient)."""
    return decompositions.lu_factor(_float(x))


@functional_aware
def matrix_rank(x, tol=None):
    """Number of singular values above ``tol`` (default: ``max(M, N) * eps * largest``): (...) int32."""
    x = _float(x)
    return Tensor(get_xp(x.data).linalg.matrix_rank(x.data, tol=tol).astype("int32"))


@functional_aware
def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002  (Keras's name)
    """Vector or matrix norm (see ``minikeras.autodiff.linalg.norm``)."""
    return linalg.norm(_float(x), ord=ord, axis=axis, keepdims=keepdims)


@functional_aware
def pinv(x, rcond=None):
    """Moore-Penrose pseudo-inverses: (..., M, N) -> (..., N, M)."""
    return matrix_ops.pinv(_float(x), rcond=rcond)


@functional_aware
def qr(x, mode="reduced"):
    """``(q, r)`` with x = q r."""
    return decompositions.qr(_float(x), mode=mode)


@functional_aware
def solve(a, b):
    """x with a x = b: a (..., N, N), b (..., N, K) or (N,)."""
    return matrix_ops.solve(_float(a), _float(b))


@functional_aware
def solve_triangular(a, b, lower=False):
    """x with T x = b, T the upper (or lower) triangle of a."""
    return matrix_ops.solve_triangular(_float(a), _float(b), lower=lower)


@functional_aware
def svd(x, full_matrices=True, compute_uv=True):
    """``(u, s, vh)`` with x = u diag(s) vh, or ``s`` alone."""
    return decompositions.svd(_float(x), full_matrices=full_matrices, compute_uv=compute_uv)


@functional_aware
def slogdet(x):
    """``(sign, log|det|)``, each (...)."""
    return matrix_ops.slogdet(_float(x))


@functional_aware
def logdet(x):
    """log det of symmetric positive definite matrices (the log of |det|): (..., N, N) -> (...)."""
    return matrix_ops.slogdet(_float(x))[1]


def jvp(fun, primals, tangents, has_aux=False):
    """Jacobian-vector product: ``(fun(*primals), J @ tangents)`` (and ``aux`` with ``has_aux``).

    Args:
        fun: a function of Tensors returning one Tensor (or ``(output, aux)`` with ``has_aux``).
        primals: list/tuple of inputs.
        tangents: list/tuple of directions, shaped like ``primals``.

    Returns:
        ``(output, tangent_out)`` or ``(output, tangent_out, aux)``; ``tangent_out`` has the
        output's shape.
    """
    from minikeras.autodiff.tape import GradientTape  # the tape of this package's own autodiff

    if len(primals) != len(tangents):
        raise ValueError(f"`primals` and `tangents` must have the same length. Received: {len(primals)} and "
                         f"{len(tangents)}")
    inputs = [Tensor(_float(value).data) for value in primals]
    directions = [numpy.asarray(as_tensor(value).numpy(), dtype="float64") for value in tangents]
    # 1. One forward pass on a persistent tape.
    with GradientTape(persistent=True) as tape:
        for tensor in inputs:
            tape.watch(tensor)
        result = fun(*inputs)
        output, aux = result if has_aux else (result, None)
    # 2. One backward pass per output entry (a one-hot upstream gradient): row k of the
    #    Jacobian, dotted with the tangents.
    size = int(numpy.prod(output.shape))
    tangent_out = numpy.zeros(size)
    for k in range(size):
        one_hot = numpy.zeros(size, dtype=output.data.dtype)
        one_hot[k] = 1.0
        grads = tape.gradient(output, inputs, output_gradients=one_hot.reshape(output.shape))
        tangent_out[k] = sum(float(numpy.sum(g.numpy() * d)) for g, d in zip(grads, directions) if g is not None)
    tangent_out = Tensor(get_xp(output.data).asarray(tangent_out.reshape(output.shape), dtype=output.data.dtype))
    return (output, tangent_out, aux) if has_aux else (output, tangent_out)
