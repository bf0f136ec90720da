"""Matrix products: ``matmul`` (the ``@`` operator), with its gradient.

Place in the stack: an op family of ``minikeras.autodiff``. The product itself
is delegated to ``minikeras.kernels`` through the backend (BLAS by default, a
readable tiled Numba version for teaching with ``MINIKERAS_MATMUL=numba`` or
``minikeras.config.kernels(matmul="numba")``).
Read next: ``nn.py``.
"""

import math

from minikeras.autodiff.op import Op
from minikeras.autodiff.op import unbroadcast
from minikeras.backend import get_xp
from minikeras.backend import kernel_choice


def _product(a, b):
    """a @ b by the kernel ``backend/kernel_choice.py`` chooses (BLAS unless told otherwise)."""
    return kernel_choice.matmul_kernel(a, b)(a, b)


class MatMul(Op):
    """z = a @ b, NumPy's matmul rules (1-D operands, batched leading axes).

    For 2-D operands, a (M, K) and b (K, P) give z (M, P) and
        da = dy @ b.T   (M, P) @ (P, K) -> (M, K)
        db = a.T @ dy   (K, M) @ (M, P) -> (K, P)
    Batched operands broadcast their leading axes; those are summed back.

    A Dense layer on a sequence, a (N, T, K) @ b (K, P), is one product of
    (N*T, K) rows by b, not N products of (T, K) by b (what ``numpy.matmul``
    does with the stack): the folded form is one BLAS call, which threads
    well, and ``db = a.T @ dy`` sums over all N*T rows inside that call
    instead of making an (N, K, P) stack of products to add up afterwards.
    """

    def forward(self, a, b):
        self.a, self.b = a, b
        if _folds(a, b):  # (..., K) @ (K, P): the leading axes become rows
            return _product(_rows(a), b).reshape(a.shape[:-1] + b.shape[-1:])
        return _product(a, b)

    def backward(self, dy):
        xp = get_xp(dy)
        if _folds(self.a, self.b):  # the 2-D formulas on the folded rows (N*T, K), (N*T, P)
            a, dy = _rows(self.a), _rows(dy)
            da = _product(dy, self.b.T).reshape(self.a.shape) if self.needs_gradient(0) else None
            db = _product(a.T, dy) if self.needs_gradient(1) else None
            return da, db
        # 1. Promote 1-D operands to matrices, as matmul did implicitly.
        a = self.a[None, :] if self.a.ndim == 1 else self.a
        b = self.b[:, None] if self.b.ndim == 1 else self.b
        if self.a.ndim == 1:
            dy = xp.expand_dims(dy, -2)
        if self.b.ndim == 1:
            dy = xp.expand_dims(dy, -1)
        # 2. The two products of the docstring, on the last two axes, each summed
        #    back to its operand's shape (undo promotion and broadcasting). A
        #    product no tape needs (da for a batch of input data) is skipped.
        da = db = None
        if self.needs_gradient(0):
            da = unbroadcast(_product(dy, xp.swapaxes(b, -1, -2)), a.shape).reshape(self.a.shape)
        if self.needs_gradient(1):
            db = unbroadcast(_product(xp.swapaxes(a, -1, -2), dy), b.shape).reshape(self.b.shape)
        return da, db


def _folds(a, b):
    """True for a stack of rows times one matrix: a (..., K) with 3+ axes, b (K, P)."""
    return a.ndim > 2 and b.ndim == 2


def _rows(x):
    """(..., K) -> (rows, K), the leading axes folded (explicit sizes: K may be 0)."""
    return x.reshape(math.prod(x.shape[:-1]), x.shape[-1])


def matmul(x1, x2):
    """Matrix product of two tensors (``x1 @ x2``), NumPy semantics."""
    return MatMul()(x1, x2)


class Dense(Op):
    """z = x @ w + b, then max(z, 0) if ``relu``: a Dense layer's three ops as one.

    The layer could run ``matmul``, ``add`` and ``relu`` (three ops, three
    arrays the size of the output, three records on the tape); here the
    ``dense`` kernel adds the bias and applies the ReLU to each row of the
    product as soon as it is complete (``kernels/numba_simd_matmul.py``), or they are applied
    in place on the product's own array (other kernels), and the backward
    pass reads the output itself instead of three ops' worth of state:
        dz = dy where z > 0 (all of dy without the ReLU)
        dx = dz @ w.T,   dw = x.T @ dz,   db = sum of dz over the rows
    For an MLP the saving is most of the step's time outside BLAS
    (``bench/RESULTS.md``, issue 20). ``x`` may have leading axes (a sequence):
    they are folded into rows, as in :class:`MatMul`.
    """

    def __init__(self, relu=False):
        self.relu = relu

    def forward(self, x, w, b):
        self.x, self.w = x, w
        rows = _rows(x) if x.ndim > 2 else x
        fused = kernel_choice.dense_kernel(rows, w)
        if fused is not None:  # the bias and the ReLU inside the product kernel (kernels/numba_simd_matmul.py)
            z = fused(rows, w, b, self.relu)
        else:
            z = _product(rows, w)  # a new array: changed in place below
            xp = get_xp(x)
            xp.add(z, b, out=z, casting="unsafe")  # b in z's dtype (mixed precision casts before)
            if self.relu:
                xp.maximum(z, 0, out=z)
        self.z = z  # the backward pass's mask is z > 0: after the ReLU as before it (a NaN gives False)
        return z.reshape(x.shape[:-1] + w.shape[-1:])

    def backward(self, dy):
        dz = _rows(dy) if dy.ndim > 2 else dy
        if self.relu:
            dz = dz * (self.z > 0)
        rows = _rows(self.x) if self.x.ndim > 2 else self.x
        dx = _product(dz, self.w.T).reshape(self.x.shape) if self.needs_gradient(0) else None
        dw = _product(rows.T, dz) if self.needs_gradient(1) else None
        db = dz.sum(axis=0) if self.needs_gradient(2) else None
        return dx, dw, db


def dense(x, w, b, activation=None):
    """``x @ w + b``, then a ReLU if ``activation == "relu"``: the Dense layer's op (x has 2+ axes, w 2)."""
    if activation not in (None, "relu"):
        raise ValueError(f"`dense` applies no activation or 'relu' itself. Received: activation={activation!r}")
    return Dense(relu=activation == "relu")(x, w, b)
