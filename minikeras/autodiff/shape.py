"""Shape ops: indexing, reshape, transpose, squeeze, broadcast, flip.

Place in the stack: an op family of ``minikeras.autodiff``, after
``reduce.py``. These ops move values around without arithmetic, so each
backward pass moves the gradient back to where the value came from: a reshape
is undone by reshaping back, a transpose by the inverse permutation, an index
by scattering into zeros. Read next: ``combine.py`` (ops that join, split and
gather tensors).
"""

from minikeras.autodiff.op import Op
from minikeras.autodiff.op import unbroadcast
from minikeras.autodiff.tensor import Tensor
from minikeras.autodiff.tensor import as_tensor
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
    ``key`` (``x[[0, 0]]``) receives both gradients. A basic index (ints,
    slices, None, ``...``) names each cell at most once, so plain assignment
    does, many times faster than ``add.at`` (the slices of a transposed or
    grouped convolution).
    """
    def __init__(self, key):
        self.key = key
        parts = key if isinstance(key, tuple) else (key,)
        self.basic = all(part is None or part is Ellipsis or isinstance(part, (int, slice)) for part in parts)

    def forward(self, x):
        self.x_shape = x.shape
        return x[self.key]

    def backward(self, dy):
        xp = get_xp(dy)
        dx = xp.zeros(self.x_shape, dtype=dy.dtype)
        if self.basic:
            dx[self.key] = dy
        else:
            xp.add.at(dx, self.key, dy)
        return dx


class Reshape(Op):
    """y = x.reshape(new_shape);  dx = dy.reshape(x.shape)."""
    def __init__(self, new_shape):
        self.new_shape = new_shape

    def forward(self, x):
        self.x_shape = x.shape
        try:
            return x.reshape(self.new_shape)
        except ValueError:
            raise ValueError(
                f"`reshape`: cannot reshape a tensor of shape {tuple(x.shape)} ({x.size} entries) "
                f"into shape {tuple(self.new_shape)}."
            ) from None

    def backward(self, dy):
        return dy.reshape(self.x_shape)


class Transpose(Op):
    """y = x.transpose(axes);  dx = dy.transpose(inverse permutation)."""
    def __init__(self, axes):
        self.axes = axes

    def forward(self, x):
        self.axes = tuple(range(x.ndim))[::-1] if self.axes is None else tuple(a % x.ndim for a in self.axes)
        if sorted(self.axes) != list(range(x.ndim)):
            raise ValueError(f"`transpose`: axes {self.axes} are not a permutation of the axes of shape {x.shape}.")
        return x.transpose(self.axes)

    def backward(self, dy):
        return dy.transpose(get_xp(dy).argsort(self.axes))


class BroadcastTo(Op):
    """y = x broadcast to ``shape``;  dx = dy summed back to x's shape."""
    def __init__(self, shape):
        self.shape = tuple(shape)

    def forward(self, x):
        self.x_shape = x.shape
        try:
            return get_xp(x).broadcast_to(x, self.shape)
        except ValueError:
            raise ValueError(f"`broadcast_to`: cannot broadcast shape {tuple(x.shape)} to {self.shape}.") from None

    def backward(self, dy):
        return unbroadcast(dy, self.x_shape)


class Flip(Op):
    """y = x reversed along ``axis``;  dx = dy reversed the same way."""
    def __init__(self, axis):
        self.axis = axis

    def forward(self, x):
        return get_xp(x).flip(x, self.axis)

    def backward(self, dy):
        return get_xp(dy).flip(dy, self.axis)


def get_item(x, key):
    """``x[key]`` with NumPy indexing; used by ``Tensor.__getitem__``."""
    return GetItem(_raw_key(key))(x)


def reshape(x, newshape):
    """Gives ``x`` the shape ``newshape`` (one entry may be -1 or None: inferred)."""
    if isinstance(newshape, int):
        newshape = (newshape,)
    newshape = tuple(-1 if size is None else int(size) for size in newshape)
    return Reshape(newshape)(x)


def transpose(x, axes=None):
    """Permutes the axes (reverses them when ``axes`` is None)."""
    return Transpose(axes)(x)


def swapaxes(x, axis1, axis2):
    """Exchanges two axes."""
    x = as_tensor(x)
    axes = list(range(x.ndim))
    axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
    return Transpose(axes)(x)


def moveaxis(x, source, destination):
    """Moves axes ``source`` to positions ``destination`` (ints or tuples)."""
    x = as_tensor(x)
    source = [source] if isinstance(source, int) else list(source)
    destination = [destination] if isinstance(destination, int) else list(destination)
    source = [a % x.ndim for a in source]
    destination = [a % x.ndim for a in destination]
    order = [a for a in range(x.ndim) if a not in source]
    for position, axis in sorted(zip(destination, source)):
        order.insert(position, axis)
    return Transpose(order)(x)


def expand_dims(x, axis):
    """Inserts size-1 axes at ``axis`` (int or tuple): (3,), axis 0 -> (1, 3)."""
    x = as_tensor(x)
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    ndim = x.ndim + len(axes)
    axes = sorted(a % ndim for a in axes)
    shape = list(x.shape)
    for a in axes:
        shape.insert(a, 1)
    return Reshape(tuple(shape))(x)


def squeeze(x, axis=None):
    """Removes size-1 axes (all of them, or those in ``axis``)."""
    x = as_tensor(x)
    if axis is None:
        axes = [a for a, size in enumerate(x.shape) if size == 1]
    else:
        axes = [a % x.ndim for a in ((axis,) if isinstance(axis, int) else axis)]
    for a in axes:
        if x.shape[a] != 1:
            raise ValueError(f"`squeeze`: cannot squeeze axis {a} of shape {x.shape}: its size is not 1.")
    return Reshape(tuple(size for a, size in enumerate(x.shape) if a not in axes))(x)


def ravel(x):
    """Flattens to one axis."""
    return reshape(x, (-1,))


def broadcast_to(x, shape):
    """Repeats ``x`` along its broadcast axes to reach ``shape``."""
    return BroadcastTo(shape)(x)


def flip(x, axis=None):
    """Reverses the order of entries along ``axis`` (all axes if None)."""
    return Flip(axis)(x)
