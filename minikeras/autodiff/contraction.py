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
of matrices (B, M, K), y to (batch, contracted, free y) -> (B, K, P), one
``matmul`` gives (B, M, P), and a reshape and a transpose give the output.
A letter of only one operand that the output drops is summed first.

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
    sizes = [math.prod(size[c] for c in group) for group in (batch, free_x, contracted, free_y)]
    count, rows, inner, columns = sizes
    # 3. (batch, free x, contracted) -> (B, M, K); (batch, contracted, free y) -> (B, K, P).
    x_matrix = x.transpose([x_letters.index(c) for c in batch + free_x + contracted]).reshape(count, rows, inner)
    y_matrix = y.transpose([y_letters.index(c) for c in batch + contracted + free_y]).reshape(count, inner, columns)
    product = kernel_choice.matmul_kernel(x_matrix, y_matrix)(x_matrix, y_matrix)  # (B, M, P)
    # 4. (B, M, P) -> (batch..., free x..., free y...) -> the output's order.
    order = batch + free_x + free_y
    product = product.reshape([size[c] for c in order])
    return product.transpose([order.index(c) for c in output])


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
