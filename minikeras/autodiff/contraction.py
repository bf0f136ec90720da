"""Two-operand einsum as one batched matrix product: how ``Einsum`` stays fast.

Place in the stack: a helper of ``linalg.py`` (the ``Einsum`` op), below
every einsum of the attention layers. ``numpy.einsum`` without ``optimize``
runs its own C loops, not BLAS; for the contractions of multi-head attention
(``"aecd,abcd->acbe"``: 32 x 4 x 128 x 128 x 32 products) that is ten times
slower than a matrix product. Every two-operand einsum is a batched matrix
product once its letters are sorted into four groups:

* batch:      in both operands and in the output   (``a``, ``c`` above)
* contracted: in both operands, not in the output  (``d``)
* free in x:  in x and the output only             (``b``)
* free in y:  in y and the output only             (``e``)

Then x is transposed to (batch, free x, contracted) and reshaped to a stack
of matrices (batch..., M, K), y to (batch, contracted, free y) -> (batch...,
K, P), and one stacked ``matmul`` gives (batch..., M, P). A letter of only
one operand that the output drops is summed first.

No copies where none is needed. The batch letters stay separate axes, so
the stacks are usually *views* of x and y (a transpose moves no data): the
matrix product reads a matrix whose rows are spread out in memory as fast
as a packed one, as long as one of its two axes is contiguous (BLAS's
"leading dimension"). The output is allocated in its own letter order and
the product writes into it through a transposed view: in attention
(``"BNTS,BSNH->BTNH"``) the result is a plain (B, T, N, H) array, not a
transposed view that the next op would copy. A stack that BLAS could not
read as it lies is copied first (``_readable``).

Cases this does not cover (a letter repeated inside one operand, sizes that
differ by broadcasting, three or more operands) go to ``numpy.einsum``. Read
next: ``matmul.py``.
"""

import math

from minikeras.backend import get_xp
from minikeras.backend import kernel_choice


def einsum_pair(x_letters, y_letters, output, x, y):
    """``einsum(f"{x_letters},{y_letters}->{output}", x, y)`` through one matmul.

    Args:
        x_letters, y_letters, output: explicit letters (no "..."), e.g.
            "abcd", "aecd", "acbe".
        x, y: raw arrays with ``len(x_letters)`` and ``len(y_letters)`` axes.
    Returns:
        The raw output array, axes in ``output`` order.
    """
    xp = get_xp(x, y)
    if not _fits_matmul(x_letters, y_letters, x.shape, y.shape):
        return xp.einsum(f"{x_letters},{y_letters}->{output}", x, y)
    # 1. Letters only one operand has and the output drops: sum them now.
    x, x_letters = _sum_lonely(xp, x, x_letters, y_letters + output)
    y, y_letters = _sum_lonely(xp, y, y_letters, x_letters + output)
    size = {**dict(zip(x_letters, x.shape)), **dict(zip(y_letters, y.shape))}
    # 2. The four groups, each in a fixed order.
    batch = [c for c in output if c in x_letters and c in y_letters]
    free_x = [c for c in output if c in x_letters and c not in y_letters]
    free_y = [c for c in output if c in y_letters and c not in x_letters]
    contracted = [c for c in x_letters if c in y_letters and c not in output]
    rows, inner, columns = (math.prod(size[c] for c in group) for group in (free_x, contracted, free_y))
    stacked = [size[c] for c in batch]
    # 3. (batch..., free x, contracted) -> (batch..., M, K); (batch..., contracted, free y) -> (batch..., K, P).
    x_stack = _readable(xp, x.transpose([x_letters.index(c) for c in batch + free_x + contracted])
                        .reshape(stacked + [rows, inner]))
    y_stack = _readable(xp, y.transpose([y_letters.index(c) for c in batch + contracted + free_y])
                        .reshape(stacked + [inner, columns]))
    order = batch + free_x + free_y
    if not batch:  # one matrix product
        product = kernel_choice.matmul_kernel(x_stack, y_stack)(x_stack, y_stack)  # (M, P)
        return product.reshape([size[c] for c in order]).transpose([order.index(c) for c in output])
    # 4. A stack of products, written into the output through a view in (batch..., M, P) order.
    kernel = kernel_choice.batched_matmul_kernel(x_stack, y_stack)
    out = xp.empty([size[c] for c in output], dtype=xp.result_type(x_stack, y_stack))
    out_stack = _output_stack(xp, out, output, batch, free_x, free_y)
    if out_stack is not None:
        kernel(x_stack, y_stack, out=out_stack)
        return out
    product = kernel(x_stack, y_stack)  # (batch..., M, P)
    product = product.reshape([size[c] for c in order])
    return product.transpose([order.index(c) for c in output])


def _readable(xp, stack):
    """``stack`` if BLAS can read its matrices where they lie (one of the last two axes contiguous), else a copy."""
    return stack if _blas_layout(stack) else xp.ascontiguousarray(stack)


def _blas_layout(stack):
    """True when the last two axes of ``stack`` are a row-major or column-major matrix with room for its rows."""
    if stack.ndim < 2 or stack.size == 0:
        return True
    (row_stride, column_stride), (height, width), item = stack.strides[-2:], stack.shape[-2:], stack.itemsize
    return ((column_stride == item or width == 1) and row_stride % item == 0 and row_stride >= width * item) or \
           ((row_stride == item or height == 1) and column_stride % item == 0 and column_stride >= height * item)


def _output_stack(xp, out, output, batch, free_x, free_y):
    """A view of ``out`` (output letter order) as the product's (batch..., M, P), or None.

    Only for at most one free letter per operand (then no axes need merging,
    which a transposed view could not do) and a matrix BLAS can write where it lies.
    """
    if len(free_x) > 1 or len(free_y) > 1:
        return None
    view = out.transpose([output.index(c) for c in batch + free_x + free_y])
    if not free_x:
        view = xp.expand_dims(view, len(batch))  # M = 1
    if not free_y:
        view = xp.expand_dims(view, -1)  # P = 1
    return view if _blas_layout(view) else None


def _fits_matmul(x_letters, y_letters, x_shape, y_shape):
    """True when no letter repeats inside an operand and shared letters agree in size."""
    if len(set(x_letters)) != len(x_letters) or len(set(y_letters)) != len(y_letters):
        return False
    y_size = dict(zip(y_letters, y_shape))
    return all(y_size[c] == n for c, n in zip(x_letters, x_shape) if c in y_size)


def _sum_lonely(xp, x, letters, elsewhere):
    """Sums the axes whose letter appears nowhere in ``elsewhere``."""
    lonely = tuple(axis for axis, c in enumerate(letters) if c not in elsewhere)
    if not lonely:
        return x, letters
    return x.sum(axis=lonely), "".join(c for c in letters if c in elsewhere)
