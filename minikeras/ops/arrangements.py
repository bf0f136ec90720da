"""Cutting, stacking, turning and diagonals: ``array_split``, ``dstack``, ``rot90``, ``diag``, ``meshgrid``...

Place in the stack: public ``keras.ops`` functions written with the engine's
shape ops (``split``, ``concatenate``, ``flip``, ``transpose``, ``take``,
``reshape``), so each one's gradient is theirs: these ops only move
entries, and the gradient of moving is moving back. Read next: ``creation.py``.

    array_split  like split, but the first ``size % n`` sections get one entry more
    hsplit/vsplit/dsplit  split along axis 1/0/2 (axis 0 for a 1-D hsplit)
    dstack       stack along a third axis (1-D and 2-D inputs are raised to 3-D first)
    rot90        k quarter turns from the first of ``axes`` toward the second
    diag         a 1-D input becomes a matrix with it on diagonal k; a 2-D one gives diagonal k
    rearrange    einops: "b h w c -> b (h w) c" is a reshape, a transpose and a reshape
"""

import numpy

from minikeras.autodiff import combine
from minikeras.autodiff import shape
from minikeras.autodiff.scatter import Scatter
from minikeras.autodiff.tensor import as_tensor
from minikeras.backend import get_xp
from minikeras.ops.symbolic import functional_aware


@functional_aware
def array_split(x, indices_or_sections, axis=0):
    """Cuts ``x`` into ``n`` nearly equal sections along ``axis`` (or at the given indices).

    Returns:
        A list of tensors: for a size-L axis and n sections, the first ``L % n``
        have ``L // n + 1`` entries along ``axis`` and the others ``L // n``.
    """
    x = as_tensor(x)
    if not isinstance(indices_or_sections, int):
        return combine.split(x, indices_or_sections, axis)
    if indices_or_sections <= 0:
        raise ValueError(f"`array_split`: the number of sections must be > 0. Received: {indices_or_sections}")
    size = x.shape[axis]
    small, extra = divmod(size, indices_or_sections)
    lengths = [small + 1] * extra + [small] * (indices_or_sections - extra)
    cuts = [sum(lengths[:i + 1]) for i in range(indices_or_sections - 1)]
    return combine.split(x, cuts, axis)


def _split_along(x, indices_or_sections, axis, function_name, min_ndim):
    x = as_tensor(x)
    if x.ndim < min_ndim:
        raise ValueError(f"`{function_name}` needs a tensor of rank >= {min_ndim}. Received: x.shape={x.shape}")
    return combine.split(x, indices_or_sections, axis)


@functional_aware
def hsplit(x, indices_or_sections):
    """``split`` along axis 1 (axis 0 for a 1-D tensor): the columns."""
    x = as_tensor(x)
    return _split_along(x, indices_or_sections, 1 if x.ndim > 1 else 0, "hsplit", 1)


@functional_aware
def vsplit(x, indices_or_sections):
    """``split`` along axis 0: the rows (rank >= 2)."""
    return _split_along(x, indices_or_sections, 0, "vsplit", 2)


@functional_aware
def dsplit(x, indices_or_sections):
    """``split`` along axis 2: the depth (rank >= 3)."""
    return _split_along(x, indices_or_sections, 2, "dsplit", 3)


@functional_aware
def dstack(xs):
    """Joins tensors along a third axis: (N,) -> (1, N, 1), (M, N) -> (M, N, 1), then concatenate on axis 2."""
    raised = []
    for x in xs:
        x = as_tensor(x)
        if x.ndim == 0:
            x = shape.reshape(x, (1, 1, 1))
        elif x.ndim == 1:
            x = shape.reshape(x, (1, x.shape[0], 1))  # (N,) -> (1, N, 1)
        elif x.ndim == 2:
            x = shape.expand_dims(x, -1)  # (M, N) -> (M, N, 1)
        raised.append(x)
    return combine.concatenate(raised, axis=2)


@functional_aware
def fliplr(x):
    """Reverses the columns (axis 1)."""
    return shape.flip(x, 1)


@functional_aware
def flipud(x):
    """Reverses the rows (axis 0)."""
    return shape.flip(x, 0)


@functional_aware
def rot90(array, k=1, axes=(0, 1)):
    """Turns ``array`` by ``k`` quarter turns in the plane of ``axes`` (counter-clockwise for k > 0).

    One quarter turn is ``transpose`` of the two axes then ``flip`` of the first:
    a (H, W) image becomes (W, H).
    """
    array = as_tensor(array)
    first, second = (axis % array.ndim for axis in axes)
    if array.ndim < 2 or first == second:
        raise ValueError(f"`rot90`: `axes` must name two different axes of a rank >= 2 tensor. "
                         f"Received: axes={tuple(axes)}, array.shape={array.shape}")
    k = k % 4
    if k == 2:
        return shape.flip(shape.flip(array, first), second)
    order = list(range(array.ndim))
    order[first], order[second] = order[second], order[first]
    if k == 1:
        return shape.flip(shape.transpose(array, order), first)
    if k == 3:
        return shape.transpose(shape.flip(array, first), order)
    return array


@functional_aware
def diag(x, k=0):
    """A 1-D ``x`` (N,): the (N+|k|, N+|k|) matrix with x on diagonal k. A 2-D ``x``: its diagonal k (1-D)."""
    x = as_tensor(x)
    if x.ndim == 2:
        rows, columns = x.shape
        start_row, start_column = (0, k) if k >= 0 else (-k, 0)
        length = max(min(rows - start_row, columns - start_column), 0)
        xp = get_xp(x.data)
        return x[xp.arange(length) + start_row, xp.arange(length) + start_column]
    if x.ndim != 1:
        raise ValueError(f"`diag` takes a 1-D or 2-D tensor. Received: x.shape={x.shape}")
    size = x.shape[0] + abs(k)
    # entry i of x goes to row i + max(-k, 0), column i + max(k, 0): a scatter, whose gradient is a gather
    index = get_xp(x.data).arange(x.shape[0])
    positions = get_xp(x.data).stack([index + max(-k, 0), index + max(k, 0)], axis=1)  # (N, 2)
    return Scatter(positions, (size, size))(x)


@functional_aware
def diagflat(x, k=0):
    """``diag`` of the flattened ``x``: a square matrix with all of x's entries on diagonal k."""
    return diag(shape.ravel(as_tensor(x)), k)


@functional_aware
def meshgrid(*x, indexing="xy"):
    """Coordinate grids from 1-D tensors: with ``"xy"`` (default) and inputs of sizes (M,), (N,),
    two (N, M) grids; with ``"ij"``, two (M, N) grids. Gradients sum back over the repeats."""
    if indexing not in ("xy", "ij"):
        raise ValueError(f"`meshgrid`: `indexing` must be 'xy' or 'ij'. Received: indexing={indexing!r}")
    vectors = [shape.ravel(as_tensor(v)) for v in x]
    sizes = [v.shape[0] for v in vectors]
    if indexing == "xy" and len(vectors) >= 2:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    grids = []
    for position, vector in enumerate(vectors):
        axis = position
        if indexing == "xy" and len(vectors) >= 2 and position < 2:
            axis = 1 - position
        view = [1] * len(vectors)
        view[axis] = vector.shape[0]
        grids.append(shape.broadcast_to(shape.reshape(vector, tuple(view)), tuple(sizes)))
    return grids


def _groups(side):
    """``"b (h w) c"`` -> ``[["b"], ["h", "w"], ["c"]]``."""
    groups, current = [], None
    for token in side.replace("(", " ( ").replace(")", " ) ").split():
        if token == "(":
            current = []
        elif token == ")":
            groups.append(current)
            current = None
        elif current is not None:
            current.append(token)
        else:
            groups.append([token])
    return groups


@functional_aware
def rearrange(tensor, pattern, **axes_lengths):
    """Reorders, merges and splits axes as an einops pattern says: ``"b (h w) c -> b h w c"`` with ``h=4``.

    The input is reshaped to its elementary axes (those named on the left,
    their sizes read from the shape or from ``axes_lengths``), transposed to
    the order of the right side, and reshaped to the right side's groups.
    """
    tensor = as_tensor(tensor)
    left, right = (_groups(side) for side in pattern.split("->"))
    if len(left) != tensor.ndim:
        raise ValueError(f"`rearrange`: the pattern {pattern!r} names {len(left)} axes on the left; "
                         f"the tensor has {tensor.ndim} (shape {tensor.shape})")
    # 1. The size of every elementary axis (one unknown per group is inferred).
    sizes = dict(axes_lengths)
    for group, size in zip(left, tensor.shape):
        known = [sizes[name] for name in group if name in sizes]
        unknown = [name for name in group if name not in sizes]
        product = int(numpy.prod(known)) if known else 1
        if len(unknown) > 1 or (not unknown and product != size) or (unknown and size % product):
            raise ValueError(f"`rearrange`: cannot split an axis of size {size} into {group} with {axes_lengths}")
        if unknown:
            sizes[unknown[0]] = size // product
    names = [name for group in left for name in group]
    order = [name for group in right for name in group]
    if sorted(names) != sorted(order):
        raise ValueError(f"`rearrange`: both sides of {pattern!r} must name the same axes.")
    # 2. Split, reorder, merge.
    x = shape.reshape(tensor, tuple(sizes[name] for name in names))  # -> one axis per name
    x = shape.transpose(x, [names.index(name) for name in order])
    return shape.reshape(x, tuple(int(numpy.prod([sizes[name] for name in group])) for group in right))
