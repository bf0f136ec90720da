"""Functions of square matrices and linear systems: inv, det, slogdet, solve, cholesky, lstsq, pinv.

Place in the stack: an op family of ``minikeras.autodiff``, beside
``linalg.py`` (products and norms). Every op takes a batch of matrices
(..., M, N) and runs ``xp.linalg`` on the last two axes. Read next:
``decompositions.py`` (eigh, qr, svd: several outputs per op).

The gradients, with ``A^-T`` the inverse transposed and ``dY`` the upstream gradient:

    Y = inv(A)              dA = -Y^T dY Y^T
    y = det(A)              dA = dy * y * A^-T
    l = log|det(A)|         dA = dl * A^-T                (slogdet's second output)
    X = solve(A, B)         dB = solve(A^T, dX);   dA = -dB X^T
    L = cholesky(A)         dA = sym(L^-T Phi(L^T dL) L^-1)   (Phi: lower triangle, half diagonal)
    X = lstsq(A, B)         z = (A^T A)^-1 dX;   dB = A z;   dA = (B - A X) z^T - A z X^T
    Y = pinv(A)             see ``Pinv`` (Golub & Pereyra's formula, constant rank)

Like JAX (and so Keras), ``cholesky`` reads its input as symmetric:
``(A + A^T) / 2``, so the gradient is symmetric too.
"""

from minikeras.autodiff.elementwise import multiply
from minikeras.autodiff.op import Op
from minikeras.autodiff.shape import expand_dims
from minikeras.autodiff.shape import squeeze
from minikeras.autodiff.shape import swapaxes
from minikeras.autodiff.tensor import Tensor
from minikeras.autodiff.tensor import as_tensor
from minikeras.backend import get_xp


def transpose(x):
    """Swaps the last two axes: (..., M, N) -> (..., N, M)."""
    return x.swapaxes(-1, -2)


def symmetric_part(x):
    return (x + transpose(x)) / 2


def _check_square(x, name):
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise ValueError(f"`{name}` expects square matrices of shape (..., N, N). Received: shape={tuple(x.shape)}")


class Inv(Op):
    """Y = A^-1 of (..., N, N);  dA = -Y^T dY Y^T."""
    def forward(self, a):
        self.y = get_xp(a).linalg.inv(a)
        return self.y

    def backward(self, dy):
        return -transpose(self.y) @ dy @ transpose(self.y)


class Det(Op):
    """y = det(A), (..., N, N) -> (...);  dA = dy * y * A^-T."""
    def forward(self, a):
        xp = get_xp(a)
        self.y, self.inverse = xp.linalg.det(a), xp.linalg.inv(a)
        return self.y

    def backward(self, dy):
        return (dy * self.y)[..., None, None] * transpose(self.inverse)


class LogAbsDet(Op):
    """l = log|det(A)|, (..., N, N) -> (...);  dA = dl * A^-T."""
    def forward(self, a):
        xp = get_xp(a)
        _, logabsdet = xp.linalg.slogdet(a)
        self.inverse = xp.linalg.inv(a)
        return logabsdet

    def backward(self, dy):
        return dy[..., None, None] * transpose(self.inverse)


class Solve(Op):
    """X = A^-1 B, A (..., N, N), B (..., N, K);  dB = A^-T dX, dA = -dB X^T."""
    def forward(self, a, b):
        xp = get_xp(a)
        self.a, self.x = a, xp.linalg.solve(a, b)
        return self.x

    def backward(self, dy):
        db = get_xp(dy).linalg.solve(transpose(self.a), dy)
        return -db @ transpose(self.x), db


class Cholesky(Op):
    """L = cholesky((A + A^T) / 2), lower triangular (..., N, N).

    dA = sym(L^-T Phi(L^T dL) L^-1), Phi keeping the lower triangle with the
    diagonal halved (Murray, 2016).
    """
    def forward(self, a):
        self.lower = get_xp(a).linalg.cholesky(symmetric_part(a))
        return self.lower

    def backward(self, dy):
        xp = get_xp(dy)
        phi = xp.tril(transpose(self.lower) @ dy)
        phi = phi - xp.eye(phi.shape[-1]) * phi / 2  # half the diagonal
        inverse = xp.linalg.inv(self.lower)
        return symmetric_part(transpose(inverse) @ phi @ inverse)


class Lstsq(Op):
    """X = argmin ||A X - B||, A (M, N) of full column rank, B (M, K) -> (N, K).

    With z = (A^T A)^-1 dX:  dB = A z,  dA = (B - A X) z^T - A z X^T.
    """
    def __init__(self, rcond):
        self.rcond = rcond

    def forward(self, a, b):
        xp = get_xp(a)
        self.a, self.b = a, b
        self.x = xp.linalg.lstsq(a, b, rcond=self.rcond)[0]
        return self.x

    def backward(self, dy):
        xp = get_xp(dy)
        vector = dy.ndim == 1
        x, b, z = self.x, self.b, xp.linalg.solve(self.a.T @ self.a, dy)
        if vector:  # (N,) solutions: treat as one column
            x, b, z = x[:, None], b[:, None], z[:, None]
        da = (b - self.a @ x) @ z.T - self.a @ z @ x.T
        db = self.a @ z
        return da, (db[:, 0] if vector else db)


class Pinv(Op):
    """Y = A^+ (Moore-Penrose), (..., M, N) -> (..., N, M).

    dA = -Y^T dY Y^T + (I - A Y) dY^T Y Y^T + Y^T Y dY^T (I - Y A) (Golub & Pereyra, 1973),
    valid where the rank of A does not change.
    """
    def __init__(self, rcond):
        self.rcond = rcond

    def forward(self, a):
        self.a = a
        self.y = get_xp(a).linalg.pinv(a, rcond=self.rcond)
        return self.y

    def backward(self, dy):
        xp = get_xp(dy)
        a, y = self.a, self.y
        rows, cols = xp.eye(a.shape[-2]), xp.eye(a.shape[-1])
        yt = transpose(y)
        return (-yt @ dy @ yt
                + (rows - a @ y) @ transpose(dy) @ y @ yt    # from Y Y^T dA^T (I - A Y)
                + yt @ y @ transpose(dy) @ (cols - y @ a))   # from (I - Y A) dA^T Y^T Y


def inv(x):
    """Inverse of each matrix of x (..., N, N)."""
    x = as_tensor(x)
    _check_square(x, "inv")
    return Inv()(x)


def det(x):
    """Determinant of each matrix: (..., N, N) -> (...)."""
    x = as_tensor(x)
    _check_square(x, "det")
    return Det()(x)


def slogdet(x):
    """``(sign, log|det|)`` of each matrix, each (...); only the second carries a gradient."""
    x = as_tensor(x)
    _check_square(x, "slogdet")
    sign, _ = get_xp(x.data).linalg.slogdet(x.data)
    return Tensor(sign), LogAbsDet()(x)


def solve(a, b):
    """X with A X = B: A (..., N, N), B (..., N, K), or B (N,) for one vector."""
    a, b = as_tensor(a), as_tensor(b)
    _check_square(a, "solve")
    if b.ndim == 1:  # NumPy 2's rule: only a 1-D b is a vector
        return squeeze(Solve()(a, expand_dims(b, -1)), -1)
    return Solve()(a, b)


def solve_triangular(a, b, lower=False):
    """X with T X = B, T the lower (or upper) triangle of A; other entries of A are ignored."""
    a = as_tensor(a)
    _check_square(a, "solve_triangular")
    # Zero the other triangle, then a general solve: the same X as a triangular solver (only
    # slower for big N), and the mask keeps the gradient inside the triangle.
    size = a.shape[-1]
    mask = get_xp(a.data).tri(size, size, 0 if lower else -1, dtype=a.data.dtype)
    return solve(multiply(a, Tensor(mask if lower else 1 - mask)), b)


def cholesky(x, upper=False):
    """Lower Cholesky factor L of each symmetric positive definite matrix (L^T with ``upper=True``)."""
    x = as_tensor(x)
    _check_square(x, "cholesky")
    lower = Cholesky()(x)
    return swapaxes(lower, -1, -2) if upper else lower


def lstsq(a, b, rcond=None):
    """Least-squares solution X of A X = B: A (M, N), B (M,) or (M, K) -> (N,) or (N, K)."""
    a, b = as_tensor(a), as_tensor(b)
    if a.ndim != 2 or b.ndim not in (1, 2) or b.shape[0] != a.shape[0]:
        raise ValueError(f"`lstsq` expects a of shape (M, N) and b of shape (M,) or (M, K). "
                         f"Received: a.shape={tuple(a.shape)}, b.shape={tuple(b.shape)}")
    return Lstsq(rcond)(a, b)


def pinv(x, rcond=None):
    """Moore-Penrose pseudo-inverse: (..., M, N) -> (..., N, M)."""
    x = as_tensor(x)
    return Pinv(1e-15 if rcond is None else rcond)(x)
