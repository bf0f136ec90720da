"""Shape ops: indexing, reshape, transpose, and friends, with gradients.

Place in the stack: an op family of ``minikeras.autodiff``. These ops move
values around without arithmetic, so each backward pass moves the gradient
back to where the value came from. Read next: ``matmul.py``.
"""

from minikeras.autodiff.op import Op
from minikeras.autodiff.tensor import Tensor
from minikeras.backend import get_xp


def _raw_key(key):
    """Index keys may hold Tensors (``x[idx]``): use their raw arrays."""
    if isinstance(key, tuple):
        return tuple(_raw_key(part) for part in key)
    if isinstance(key, Tensor):
        return key.data
    return key


class GetItem(Op):
    """y = x[key] (any NumPy index);  dx = zeros with dy added at ``key``.

    ``add.at`` rather than ``dx[key] += dy`` so that an index repeated in
    ``key`` (``x[[0, 0]]``) receives both gradients.
    """
    def __init__(self, key):
        self.key = key

    def forward(self, x):
        self.x_shape, self.x_dtype = x.shape, x.dtype
        return x[self.key]

    def backward(self, dy):
        xp = get_xp(dy)
        dx = xp.zeros(self.x_shape, dtype=dy.dtype)
        xp.add.at(dx, self.key, dy)
        return dx


class Reshape(Op):
    """y = x.reshape(new_shape);  dx = dy.reshape(x.shape)."""
    def __init__(self, new_shape):
        self.new_shape = new_shape

    def forward(self, x):
        self.x_shape = x.shape
        return x.reshape(self.new_shape)

    def backward(self, dy):
        return dy.reshape(self.x_shape)


class Transpose(Op):
    """y = x.transpose(axes);  dx = dy.transpose(inverse permutation)."""
    def __init__(self, axes):
        self.axes = axes

    def forward(self, x):
        self.axes = tuple(range(x.ndim))[::-1] if self.axes is None else tuple(self.axes)
        return x.transpose(self.axes)

    def backward(self, dy):
        return dy.transpose(get_xp(dy).argsort(self.axes))


def get_item(x, key):
    return GetItem(_raw_key(key))(x)


def reshape(x, newshape):
    newshape = (newshape,) if isinstance(newshape, int) else tuple(-1 if size is None else size for size in newshape)
    return Reshape(newshape)(x)


def transpose(x, axes=None):
    return Transpose(axes)(x)
