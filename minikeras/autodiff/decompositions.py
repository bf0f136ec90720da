"""Matrix decompositions with several outputs: eigh, qr, svd (and eig, lu_factor without gradients).

Place in the stack: an op family of ``minikeras.autodiff``, after
``matrix_ops.py``. An ``Op`` has one output, so a decomposition is computed
once and each of its outputs is its own small op holding that result: its
``backward`` is the part of the gradient that flows through that output.
The tape adds the parts, which is right because a VJP is linear in the
upstream gradients. With ``F[i, j] = 1 / (w[j] - w[i])`` off the diagonal
(0 on it), ``copyltu(M) = tril(M) + tril(M, -1)^T``:

    w, V = eigh(A)     dA = sym(V diag(dw) V^T)  +  sym(V (F * (V^T dV)) V^T)
    Q, R = qr(A)       M = R dR^T - dQ^T Q;   dA = (dQ + Q copyltu(M)) R^-T     (M >= N, full rank)
    s = svd(A, compute_uv=False)              dA = U diag(ds) V^T

Like JAX, ``eigh`` reads its input as symmetric, ``(A + A^T) / 2``. The
eigenvector gradient needs distinct eigenvalues. Gradients through svd's U
and V (which jax only defines for ``full_matrices=False``) are not
implemented here and say so when asked for. Read next: ``scatter.py``.
"""

from minikeras.autodiff.matrix_ops import symmetric_part
from minikeras.autodiff.matrix_ops import transpose
from minikeras.autodiff.op import Op
from minikeras.autodiff.tensor import Tensor
from minikeras.autodiff.tensor import as_tensor
from minikeras.backend import get_xp


class EighValues(Op):
    """w of eigh(A), (..., N);  dA = sym(V diag(dw) V^T)."""
    def __init__(self, w, v):
        self.w, self.v = w, v

    def forward(self, a):
        return self.w

    def backward(self, dy):
        return symmetric_part((self.v * dy[..., None, :]) @ transpose(self.v))  # V diag(dw) V^T


class EighVectors(Op):
    """V of eigh(A), (..., N, N), columns the eigenvectors;  dA = sym(V (F * (V^T dV)) V^T)."""
    def __init__(self, w, v):
        self.w, self.v = w, v

    def forward(self, a):
        return self.v

    def backward(self, dy):
        xp = get_xp(dy)
        gaps = self.w[..., None, :] - self.w[..., :, None]  # (..., N, N): w[j] - w[i]
        size = gaps.shape[-1]
        f = xp.where(xp.eye(size, dtype=bool), 0.0, 1.0 / xp.where(xp.eye(size, dtype=bool), 1.0, gaps))
        return symmetric_part(self.v @ (f * (transpose(self.v) @ dy)) @ transpose(self.v))


def _copyltu(m):
    xp = get_xp(m)
    lower = xp.tril(m, -1)
    return lower + transpose(lower) + xp.tril(xp.triu(m))  # the strict lower part mirrored, and the diagonal


class QrPart(Op):
    """Q or R of the reduced qr(A), A (..., M, N) with M >= N; dA = (dQ + Q copyltu(M)) R^-T."""
    def __init__(self, q, r, which):
        self.q, self.r, self.which = q, r, which

    def forward(self, a):
        return self.q if self.which == "q" else self.r

    def backward(self, dy):
        xp = get_xp(dy)
        if self.which == "q":
            m, direct = -transpose(dy) @ self.q, dy
        else:
            m, direct = self.r @ transpose(dy), 0.0
        left = direct + self.q @ _copyltu(m)  # (..., M, N)
        # left @ R^-T, as a solve: R^T is lower triangular and invertible for a full-rank A.
        return transpose(xp.linalg.solve(self.r, transpose(left)))


class SingularValues(Op):
    """s of svd(A), (..., K) with K = min(M, N);  dA = U diag(ds) V^T."""
    def __init__(self, u, s, vh):
        self.u, self.s, self.vh = u, s, vh

    def forward(self, a):
        return self.s

    def backward(self, dy):
        return (self.u * dy[..., None, :]) @ self.vh


class WithoutGradient(Op):
    """An output computed from A through which minikeras has no gradient: asking for one is an error."""
    def __init__(self, value, message):
        self.value, self.message = value, message

    def forward(self, a):
        return self.value

    def backward(self, dy):
        raise NotImplementedError(self.message)


_SVD_VECTORS = ("minikeras does not differentiate through the singular vectors of `svd` (U, V^T); only the "
                "singular values `svd(x, compute_uv=False)` have a gradient.")
_QR_WIDE = ("minikeras differentiates `qr` only in mode='reduced' for matrices with at least as many rows as "
            "columns.")
_LU = "minikeras does not differentiate `lu_factor`."


def eigh(x):
    """Eigenvalues (ascending) and eigenvectors of symmetric matrices: (..., N, N) -> (..., N), (..., N, N)."""
    x = as_tensor(x)
    w, v = get_xp(x.data).linalg.eigh(symmetric_part(x.data))
    return EighValues(w, v)(x), EighVectors(w, v)(x)


def qr(x, mode="reduced"):
    """``(Q, R)`` with A = Q R: ``"reduced"`` (..., M, K), (..., K, N), K = min(M, N); or ``"complete"``."""
    if mode not in ("reduced", "complete"):
        raise ValueError(f"`mode` argument value not supported. Expected one of {{'reduced', 'complete'}}. "
                         f"Received: mode={mode}")
    x = as_tensor(x)
    q, r = get_xp(x.data).linalg.qr(x.data, mode=mode)
    if mode == "complete" or x.shape[-2] < x.shape[-1]:  # gradients only for the reduced, tall case
        return WithoutGradient(q, _QR_WIDE)(x), WithoutGradient(r, _QR_WIDE)(x)
    return QrPart(q, r, "q")(x), QrPart(q, r, "r")(x)


def svd(x, full_matrices=True, compute_uv=True):
    """Singular value decomposition A = U diag(s) V^T: ``(u, s, vh)``, or ``s`` alone.

    Returns:
        u (..., M, M) (or (..., M, K) when not ``full_matrices``), s (..., K)
        descending, vh (..., N, N) (or (..., K, N)), K = min(M, N).
    """
    x = as_tensor(x)
    u, s, vh = get_xp(x.data).linalg.svd(x.data, full_matrices=False)
    values = SingularValues(u, s, vh)(x)
    if not compute_uv:
        return values
    if full_matrices:
        u, _, vh = get_xp(x.data).linalg.svd(x.data, full_matrices=True)
    return WithoutGradient(u, _SVD_VECTORS)(x), values, WithoutGradient(vh, _SVD_VECTORS)(x)


def eig(x):
    """Eigenvalues and eigenvectors of general square matrices (complex in general; no gradient)."""
    x = as_tensor(x)
    w, v = get_xp(x.data).linalg.eig(x.data)
    return Tensor(w), Tensor(v)


def lu_factor(x):
    """``(lu, pivots)`` of the LU factorization with partial pivoting, as ``scipy.linalg.lu_factor``.

    Returns:
        lu (..., N, N): U in the upper triangle, L's multipliers below its unit diagonal;
        pivots (..., N) int32: row i was swapped with row ``pivots[i]``.
    """
    import numpy
    import scipy.linalg

    x = as_tensor(x)
    data = x.numpy()  # on the CPU: SciPy has no GPU version
    flat = data.reshape((-1,) + data.shape[-2:])  # (..., N, N) -> (B, N, N): SciPy factors one at a time
    results = [scipy.linalg.lu_factor(matrix) for matrix in flat]
    lu = numpy.stack([lu for lu, _ in results]).reshape(data.shape)
    pivots = numpy.stack([p for _, p in results]).astype("int32").reshape(data.shape[:-1])
    xp = get_xp(x.data)
    return WithoutGradient(xp.asarray(lu), _LU)(x), Tensor(xp.asarray(pivots))
