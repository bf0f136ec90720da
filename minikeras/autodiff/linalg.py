"""Products that sum over shared axes: ``einsum``, and ``dot`` / ``tensordot`` on top of it.

Place in the stack: an op family of ``minikeras.autodiff``, after
``combine.py`` and beside ``matmul.py`` (``@``, which has its own fast
kernel). One op, ``Einsum``, covers every contraction: ``tensordot`` and
``dot`` only spell their axes as einsum letters. Its gradient is itself an
einsum: for ``z = einsum("ij,jk->ik", a, b)``,

    da = einsum("ik,jk->ij", dz, b)      db = einsum("ik,ij->jk", dz, a)

i.e. swap the operand's letters with the output's. Read next: ``contraction.py`` (how
``Einsum`` runs as one matrix product).
"""

import string

from minikeras.autodiff.contraction import einsum_pair
from minikeras.autodiff.elementwise import absolute
from minikeras.autodiff.elementwise import multiply
from minikeras.autodiff.math import sqrt
from minikeras.autodiff.op import Op
from minikeras.autodiff.reduce import count_nonzero
from minikeras.autodiff.reduce import max as reduce_max
from minikeras.autodiff.reduce import min as reduce_min
from minikeras.autodiff.reduce import sum as reduce_sum
from minikeras.autodiff.shape import reshape
from minikeras.autodiff.tensor import as_tensor
from minikeras.backend import get_xp


class Einsum(Op):
    """z = einsum("<in_1>,<in_2>,...-><out>", x_1, x_2, ...) with explicit letters.

    dx_i = einsum("<out>,<the other inputs>-><in_i>", dz, the other x's). A
    letter that appears only in operand i was summed away: its gradient is the
    same for every value of that letter, so it is broadcast back.
    """
    def __init__(self, inputs, output):
        self.inputs, self.output = inputs, output  # ["ij", "jk"], "ik"

    def forward(self, *xs):
        self.xs = xs
        return _contract(self.inputs, self.output, xs)

    def backward(self, dy):
        return tuple(self._operand_gradient(dy, i) for i in range(len(self.xs)))

    def _operand_gradient(self, dy, i):
        xp = get_xp(dy)
        letters, x = self.inputs[i], self.xs[i]
        if len(set(letters)) != len(letters):
            raise ValueError(f"einsum: no gradient for a letter repeated within one operand ({letters!r}).")
        # 1. Contract dy with every other operand, keeping the letters we can.
        others = [j for j in range(len(self.xs)) if j != i]
        available = set(self.output).union(*[self.inputs[j] for j in others])
        kept = "".join(c for c in letters if c in available)
        dx = _contract([self.output] + [self.inputs[j] for j in others], kept,
                       [dy] + [self.xs[j] for j in others])
        # 2. Letters summed away inside operand i: broadcast back (size-1 axis first).
        for axis, c in enumerate(letters):
            if c not in available:
                dx = xp.expand_dims(dx, axis)
        dx = xp.broadcast_to(dx, tuple(max(a, b) for a, b in zip(dx.shape, x.shape)))
        # 3. Axes of size 1 in x that einsum broadcast: sum them back.
        ones = tuple(axis for axis, size in enumerate(x.shape) if size == 1 and dx.shape[axis] != 1)
        return dx.sum(axis=ones, keepdims=True) if ones else dx


def _contract(inputs, output, arrays):
    """Raw einsum: two operands through one batched matmul (``contraction.py``),
    one operand or three and more through ``numpy.einsum``."""
    if len(arrays) == 2:
        return einsum_pair(inputs[0], inputs[1], output, arrays[0], arrays[1])
    return get_xp(*arrays).einsum(",".join(inputs) + "->" + output, *arrays, optimize=len(arrays) > 2)


def _parse_subscripts(subscripts, shapes):
    """Turns NumPy einsum subscripts into explicit letters, without "..." or
    an implicit output: ("...i,i", [(2, 3), (3,)]) -> (["Ai", "i"], "A")."""
    subscripts = subscripts.replace(" ", "")
    inputs_text, arrow, output = subscripts.partition("->")
    inputs = inputs_text.split(",")
    if len(inputs) != len(shapes):
        raise ValueError(f"einsum: subscripts {subscripts!r} name {len(inputs)} operands, got {len(shapes)}.")
    # 1. "..." stands for the leading axes each operand has beyond its letters.
    unused = [c for c in string.ascii_letters if c not in subscripts]
    widths = [len(shape) - (len(text) - 3) if "..." in text else 0 for text, shape in zip(inputs, shapes)]
    ellipsis = "".join(unused[: max(widths + [0])])
    inputs = [text.replace("...", ellipsis[len(ellipsis) - width:]) if "..." in text else text
              for text, width in zip(inputs, widths)]
    for text, shape in zip(inputs, shapes):
        if len(text) != len(shape):
            raise ValueError(f"einsum: operand of shape {shape} does not match subscripts {text!r}.")
    # 2. Implicit output: letters used once, in alphabetical order (NumPy's rule).
    if not arrow:
        letters = "".join(inputs)
        once = sorted(c for c in set(letters) if letters.count(c) == 1 and c not in ellipsis)
        output = ellipsis + "".join(once)
    return inputs, output.replace("...", ellipsis)


def einsum(subscripts, *operands, **kwargs):
    """Einstein summation, NumPy's ``einsum`` (with "..." and implicit output).

    Example: ``einsum("nij,njk->nik", a, b)`` is a batched matmul.
    """
    operands = [as_tensor(x) for x in operands]
    inputs, output = _parse_subscripts(subscripts, [x.shape for x in operands])
    return Einsum(inputs, output)(*operands)


def tensordot(x1, x2, axes=2):
    """Sums the products over ``axes``: an int n (last n of x1 with first n of
    x2) or a pair of axis lists. Output: x1's free axes, then x2's."""
    x1, x2 = as_tensor(x1), as_tensor(x2)
    if isinstance(axes, int):
        axes = (list(range(x1.ndim - axes, x1.ndim)), list(range(axes)))
    axes_1, axes_2 = ([a] if isinstance(a, int) else list(a) for a in axes)
    axes_1, axes_2 = [a % x1.ndim for a in axes_1], [a % x2.ndim for a in axes_2]
    for a, b in zip(axes_1, axes_2):
        if x1.shape[a] != x2.shape[b]:
            raise ValueError(f"tensordot: shape {x1.shape} axis {a} does not match shape {x2.shape} axis {b}.")
    # x1 gets letters a, b, c...; x2 reuses x1's letter on each contracted axis.
    letters = iter(string.ascii_letters)
    in_1 = [next(letters) for _ in range(x1.ndim)]
    in_2 = [in_1[axes_1[axes_2.index(b)]] if b in axes_2 else next(letters) for b in range(x2.ndim)]
    output = [c for a, c in enumerate(in_1) if a not in axes_1] + [c for b, c in enumerate(in_2) if b not in axes_2]
    return Einsum(["".join(in_1), "".join(in_2)], "".join(output))(x1, x2)


def dot(x1, x2):
    """NumPy's ``dot``: the last axis of x1 against the second-to-last of x2
    (its only axis if x2 is 1-D); scalars multiply."""
    x1, x2 = as_tensor(x1), as_tensor(x2)
    if x1.ndim == 0 or x2.ndim == 0:
        return multiply(x1, x2)
    return tensordot(x1, x2, axes=([x1.ndim - 1], [max(x2.ndim - 2, 0)]))


def outer(x1, x2):
    """All products x1[i] * x2[j] of the flattened inputs: (M,), (P,) -> (M, P)."""
    return multiply(reshape(x1, (-1, 1)), reshape(x2, (1, -1)))


def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002  (Keras's name)
    """Vector norms (``axis`` an int, or None for all entries) and the
    Frobenius / 1 / inf matrix norms (``axis`` a pair).

    Built from differentiable ops, so it needs no gradient of its own.
    """
    x = as_tensor(x)
    if isinstance(axis, (tuple, list)) and len(axis) == 2:
        return _matrix_norm(x, ord, tuple(axis), keepdims)
    magnitude = absolute(x)
    if ord is None or ord == 2:
        return sqrt(reduce_sum(magnitude * magnitude, axis=axis, keepdims=keepdims))
    if ord == float("inf"):
        return reduce_max(magnitude, axis=axis, keepdims=keepdims)
    if ord == float("-inf"):
        return reduce_min(magnitude, axis=axis, keepdims=keepdims)
    if ord == 0:
        return count_nonzero(x, axis=axis)
    return reduce_sum(magnitude ** ord, axis=axis, keepdims=keepdims) ** (1.0 / ord)


def _matrix_norm(x, ord, axis, keepdims):
    rows, columns = axis
    magnitude = absolute(x)
    if ord in (None, "fro"):
        return sqrt(reduce_sum(magnitude * magnitude, axis=axis, keepdims=keepdims))
    if ord == 1:  # largest column sum
        return reduce_max(reduce_sum(magnitude, axis=rows, keepdims=True), axis=axis, keepdims=keepdims)
    if ord == float("inf"):  # largest row sum
        return reduce_max(reduce_sum(magnitude, axis=columns, keepdims=True), axis=axis, keepdims=keepdims)
    raise ValueError(f"norm: matrix ord={ord!r} is not supported; use None, 'fro', 1 or inf.")
