"""Ops that join, cut, gather and repeat tensors: concatenate, split, take, pad, tile.

Place in the stack: an op family of ``minikeras.autodiff``, after
``shape.py``. Like the shape ops they do no arithmetic; the lesson of their
backward passes is *where each output entry came from*. When an input entry
feeds several outputs (``take`` with a repeated index, ``tile``, ``repeat``)
its gradient is the sum of theirs, which ``add.at`` computes without losing
repeated indices. Read next: ``products.py``.
"""

import builtins
import itertools

import numpy

from minikeras.autodiff.op import Op
from minikeras.autodiff.shape import expand_dims
from minikeras.autodiff.shape import get_item
from minikeras.autodiff.shape import reshape
from minikeras.autodiff.tensor import as_tensor
from minikeras.autodiff.tensor import raw
from minikeras.backend import get_xp


class Concatenate(Op):
    """y = [x_1, x_2, ...] joined along ``axis``;  dx_i = the slice of dy that x_i filled."""
    def __init__(self, axis):
        self.axis = axis

    def forward(self, *xs):
        self.ends = list(itertools.accumulate(x.shape[self.axis] for x in xs))[:-1]  # where to cut dy
        return get_xp(*xs).concatenate(xs, axis=self.axis)

    def backward(self, dy):
        return tuple(get_xp(dy).split(dy, self.ends, axis=self.axis))


class Take(Op):
    """y = x gathered at ``indices`` along ``axis``: output shape
    x.shape[:axis] + indices.shape + x.shape[axis+1:];
    dx = zeros with each dy slice added back at its index."""
    def __init__(self, indices, axis):
        self.indices, self.axis = indices, axis

    def forward(self, x):
        self.x_shape = x.shape
        return get_xp(x).take(x, self.indices, axis=self.axis)

    def backward(self, dy):
        xp = get_xp(dy)
        dx = xp.zeros(self.x_shape, dtype=dy.dtype)
        index_axes = list(range(self.axis, self.axis + self.indices.ndim))
        # bring the gathered axis of dx, and the index axes of dy, to the front
        dy_front = xp.moveaxis(dy, index_axes, list(range(self.indices.ndim)))
        xp.add.at(xp.moveaxis(dx, self.axis, 0), self.indices, dy_front)
        return dx


class TakeAlongAxis(Op):
    """y[..., j, ...] = x[..., indices[..., j, ...], ...] along ``axis``;
    dx = zeros with dy added at the gathered positions."""
    def __init__(self, indices, axis):
        self.indices, self.axis = indices, axis

    def forward(self, x):
        self.x_shape = x.shape
        y = get_xp(x).take_along_axis(x, self.indices, axis=self.axis)
        return y

    def backward(self, dy):
        xp = get_xp(dy)
        # 1. One index array per axis, all of dy's shape: a grid for the
        #    ordinary axes (0 where x had size 1), ``indices`` for ``axis``.
        key = []
        for axis, size in enumerate(dy.shape):
            grid_shape = [1] * dy.ndim
            grid_shape[axis] = size
            grid = xp.arange(size).reshape(grid_shape) if self.x_shape[axis] != 1 else xp.zeros(grid_shape, int)
            key.append(xp.broadcast_to(self.indices if axis == self.axis else grid, dy.shape))
        # 2. Scatter-add dy at those positions.
        dx = xp.zeros(self.x_shape, dtype=dy.dtype)
        xp.add.at(dx, tuple(key), dy)
        return dx


class Pad(Op):
    """y = x with ``pad_width`` entries added before/after each axis.

    Constant padding: dx = the middle of dy. Other modes (``reflect``,
    ``symmetric``, ``edge``...) copy input entries into the border, so the
    border's gradient is added back to the entries it copied: padding an array
    of entry numbers with the same mode tells which entry each output is.
    """
    def __init__(self, pad_width, mode, constant_values):
        self.pad_width, self.mode, self.constant_values = pad_width, mode, constant_values

    def forward(self, x):
        xp = get_xp(x)
        self.x_shape = x.shape
        if self.mode == "constant":
            return xp.pad(x, self.pad_width, mode="constant", constant_values=self.constant_values or 0)
        return xp.pad(x, self.pad_width, mode=self.mode)

    def backward(self, dy):
        xp = get_xp(dy)
        if self.mode == "constant":
            middle = tuple(slice(before, before + size) for (before, _), size in zip(self.pad_width, self.x_shape))
            return dy[middle]
        source = xp.pad(xp.arange(_size(self.x_shape)).reshape(self.x_shape),
                        self.pad_width, mode=self.mode)
        dx = xp.zeros(_size(self.x_shape), dtype=dy.dtype)
        xp.add.at(dx, source.ravel(), dy.ravel())
        return dx.reshape(self.x_shape)


def _size(shape):
    count = 1
    for size in shape:
        count *= size
    return count


class Tile(Op):
    """y = x repeated ``repeats[i]`` times along axis i;
    dx = the sum of the copies: view dy as (r0, s0, r1, s1, ...) and sum the r axes."""
    def __init__(self, repeats):
        self.repeats = repeats

    def forward(self, x):
        self.x_shape = x.shape
        return get_xp(x).tile(x, self.repeats)

    def backward(self, dy):
        # 1. Match lengths: tile prepends size-1 axes to x, or 1s to repeats.
        repeats = (1,) * (dy.ndim - len(self.repeats)) + tuple(self.repeats)
        sizes = [dy_size // r for dy_size, r in zip(dy.shape, repeats)]
        # 2. (r0*s0, r1*s1, ...) -> (r0, s0, r1, s1, ...), then sum the r axes.
        interleaved = [n for pair in zip(repeats, sizes) for n in pair]
        dx = dy.reshape(interleaved).sum(axis=tuple(range(0, 2 * dy.ndim, 2)))
        return dx.reshape(self.x_shape)


class Repeat(Op):
    """y = each entry of x repeated ``repeats`` times along ``axis``;
    dx_i = the sum of the dy entries that copied x_i."""
    def __init__(self, repeats, axis):
        self.repeats, self.axis = repeats, axis

    def forward(self, x):
        self.x_shape = x.shape
        return get_xp(x).repeat(x, self.repeats, axis=self.axis)

    def backward(self, dy):
        xp = get_xp(dy)
        source = xp.repeat(xp.arange(self.x_shape[self.axis]), self.repeats)  # which x entry made each y entry
        dx = xp.zeros(self.x_shape, dtype=dy.dtype)
        xp.add.at(xp.moveaxis(dx, self.axis, 0), source, xp.moveaxis(dy, self.axis, 0))
        return dx


def concatenate(xs, axis=0):
    """Joins tensors along an existing axis; other axes must match."""
    xs = [as_tensor(x) for x in xs]
    _check_same_shapes(xs, axis, "concatenate")
    return Concatenate(axis)(*xs)


def stack(x, axis=0):
    """Joins same-shape tensors along a new axis: k tensors (N, C), axis 0 -> (k, N, C)."""
    xs = [as_tensor(item) for item in x]
    _check_same_shapes(xs, None, "stack")
    return concatenate([expand_dims(item, axis) for item in xs], axis=axis)


def _check_same_shapes(xs, axis, function_name):
    if not xs:
        raise ValueError(f"`{function_name}` needs at least one tensor.")
    ndim = xs[0].ndim
    axis = None if axis is None else axis % builtins.max(ndim, 1)
    def strip(shape):
        return tuple(size for i, size in enumerate(shape) if i != axis)
    for x in xs[1:]:
        if x.ndim != ndim or strip(x.shape) != strip(xs[0].shape):
            raise ValueError(
                f"`{function_name}`: all input shapes must match"
                f"{'' if axis is None else f' except on axis {axis}'}. Received shapes: "
                f"{[item.shape for item in xs]}"
            )


def split(x, indices_or_sections, axis=0):
    """Cuts ``x`` along ``axis`` into equal sections, or at the given indices.

    Returns:
        A list of tensors, each made by slicing (so each has a gradient).
    """
    x = as_tensor(x)
    size = x.shape[axis]
    if isinstance(indices_or_sections, int):
        if size % indices_or_sections:
            raise ValueError(
                f"`split`: axis {axis} of shape {x.shape} (size {size}) does not divide into "
                f"{indices_or_sections} equal sections."
            )
        step = size // indices_or_sections
        cuts = list(range(step, size, step))[: indices_or_sections - 1]
    else:
        cuts = [int(i) for i in indices_or_sections]
    bounds = zip([0] + cuts, cuts + [size])
    prefix = (slice(None),) * (axis % x.ndim)
    return [get_item(x, prefix + (slice(start, stop),)) for start, stop in bounds]


def take(x, indices, axis=None):
    """Gathers entries at integer ``indices`` along ``axis`` (None: flattened x)."""
    x = as_tensor(x)
    if axis is None:
        x, axis = reshape(x, (-1,)), 0
    return Take(raw(indices), axis % x.ndim)(x)


def take_along_axis(x, indices, axis=None):
    """Gathers along ``axis`` with an index array of x's rank (NumPy semantics)."""
    x = as_tensor(x)
    indices = raw(indices)
    if axis is None:
        x, indices, axis = reshape(x, (-1,)), indices.reshape(-1), 0
    if indices.ndim != x.ndim:
        raise ValueError(
            f"`take_along_axis`: `indices` must have the rank of `x`. Received: "
            f"indices.shape={tuple(indices.shape)}, x.shape={x.shape}"
        )
    return TakeAlongAxis(indices, axis % x.ndim)(x)


def pad(x, pad_width, mode="constant", constant_values=None):
    """Pads each axis; ``pad_width`` is ((before, after), ...) or one pair for all axes."""
    x = as_tensor(x)
    pad_width = _normalize_pad_width(pad_width, x.ndim)
    if constant_values is not None and mode != "constant":
        raise ValueError(f"`pad`: `constant_values` can only be used with mode 'constant'. Received: mode={mode}")
    return Pad(pad_width, mode, constant_values)(x)


def _normalize_pad_width(pad_width, ndim):
    # plain numbers describing the layout, so NumPy whatever the device
    width = numpy.asarray(pad_width.numpy() if hasattr(pad_width, "numpy") else pad_width, dtype=int)
    if width.size in (1, 2):
        width = numpy.broadcast_to(width.reshape(-1)[-2:] if width.size == 2 else width.reshape(1), (ndim, 2))
    if width.shape != (ndim, 2):
        raise ValueError(f"`pad`: `pad_width` must give (before, after) for each of the {ndim} axes. "
                         f"Received: pad_width={pad_width}")
    return tuple((int(before), int(after)) for before, after in width.tolist())


def tile(x, repeats):
    """Repeats the whole tensor ``repeats[i]`` times along axis i."""
    repeats = (repeats,) if isinstance(repeats, int) else tuple(int(r) for r in repeats)
    return Tile(repeats)(x)


def repeat(x, repeats, axis=None):
    """Repeats each entry ``repeats`` times along ``axis`` (None: flattened x)."""
    x = as_tensor(x)
    if axis is None:
        x, axis = reshape(x, (-1,)), 0
    repeats = repeats if isinstance(repeats, int) else raw(repeats)
    return Repeat(repeats, axis % x.ndim)(x)


def append(x1, x2, axis=None):
    """Appends ``x2`` after ``x1`` along ``axis`` (None: both flattened)."""
    if axis is None:
        return concatenate([reshape(x1, (-1,)), reshape(x2, (-1,))], axis=0)
    return concatenate([x1, x2], axis=axis)


def hstack(xs):
    """Joins along axis 1 (axis 0 for 1-D tensors), as NumPy."""
    xs = [as_tensor(x) for x in xs]
    return concatenate(xs, axis=0 if xs[0].ndim == 1 else 1)


def vstack(xs):
    """Joins along axis 0, turning 1-D tensors into rows first."""
    xs = [as_tensor(x) for x in xs]
    return concatenate([reshape(x, (1, -1)) if x.ndim == 1 else x for x in xs], axis=0)

