"""Reading and writing by position: ``slice``, ``slice_update``, ``scatter``, ``scatter_update``,
``segment_sum`` / ``segment_max``, ``unstack``, ``select``, ``searchsorted``.

Place in the stack: the public namespace (``keras.ops``) above
``minikeras.autodiff``; ``autodiff/scatter.py`` holds the writing ops and
their gradients (read its docstring first), ``autodiff/shape.py`` the slices.
"""

import builtins

from minikeras.autodiff import elementwise
from minikeras.autodiff import scatter as scatter_ops
from minikeras.autodiff.shape import get_item
from minikeras.autodiff.tensor import Tensor
from minikeras.autodiff.tensor import as_tensor
from minikeras.backend import get_xp
from minikeras.ops.symbolic import functional_aware


def _indices(indices, name):
    """Integer index rows as a (K, D) array (a (K,) array is K rows of one coordinate)."""
    indices = as_tensor(indices).data
    if indices.dtype.kind not in "iu":
        raise ValueError(f"`{name}`: `indices` must be integers. Received dtype={indices.dtype}")
    return indices.reshape(-1, 1) if indices.ndim == 1 else indices.reshape(-1, indices.shape[-1])


@functional_aware
def slice(inputs, start_indices, shape):  # noqa: A001  (Keras's name)
    """The block of ``inputs`` of size ``shape`` starting at ``start_indices`` (one start per axis)."""
    inputs = as_tensor(inputs)
    starts = [int(start) for start in as_tensor(start_indices).numpy().reshape(-1)]
    return get_item(inputs, tuple(builtins.slice(start, start + int(size)) for start, size in zip(starts, shape)))


@functional_aware
def slice_update(inputs, start_indices, updates):
    """``inputs`` with the block at ``start_indices`` replaced by ``updates`` (gradient to both)."""
    inputs, updates = as_tensor(inputs), as_tensor(updates)
    starts = [int(start) for start in as_tensor(start_indices).numpy().reshape(-1)]
    return scatter_ops.SliceUpdate(starts, updates.shape)(inputs, elementwise.cast(updates, inputs.dtype))


@functional_aware
def scatter(indices, values, shape):
    """A zero tensor of ``shape`` with ``values[k]`` added at position ``indices[k]`` (duplicates add up).

    Args:
        indices: (K, D) ints, each row the first D coordinates of a position.
        values: (K, *shape[D:]).
        shape: the output shape.
    """
    values = as_tensor(values)
    return scatter_ops.Scatter(_indices(indices, "scatter"), shape)(values)


@functional_aware
def scatter_update(inputs, indices, updates, reduction=None):
    """``inputs`` with ``updates[k]`` written at ``indices[k]``, or combined with ``reduction="add"``."""
    inputs, updates = as_tensor(inputs), elementwise.cast(as_tensor(updates), as_tensor(inputs).dtype)
    rows = _indices(indices, "scatter_update")
    if reduction is None:
        return scatter_ops.ScatterUpdate(rows)(inputs, updates)
    if reduction == "add":
        return elementwise.add(inputs, scatter_ops.Scatter(rows, inputs.shape)(updates))
    raise ValueError(f"Unsupported reduction: {reduction} (minikeras supports None and 'add')")


def _segments(data, segment_ids, num_segments, name):
    data = as_tensor(data)
    ids = as_tensor(segment_ids).data.astype("int64")
    if ids.ndim != 1 or len(ids) != data.shape[0]:
        raise ValueError(f"`{name}`: `segment_ids` must be 1-D with one id per row of `data`. Received "
                         f"segment_ids.shape={tuple(ids.shape)}, data.shape={tuple(data.shape)}")
    count = int(ids.max()) + 1 if num_segments is None else int(num_segments)
    return data, ids, count


@functional_aware
def segment_sum(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002  (Keras's name)
    """Sums of the rows of ``data`` (N, ...) per segment id: (num_segments, ...).

    ``num_segments`` defaults to the largest id + 1 (Keras's JAX backend requires it);
    ``sorted`` is accepted for Keras compatibility.
    """
    data, ids, count = _segments(data, segment_ids, num_segments, "segment_sum")
    return scatter_ops.SegmentSum(ids, count)(data)


@functional_aware
def segment_max(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002  (Keras's name)
    """Maxima of the rows of ``data`` per segment id (an empty segment holds -inf)."""
    data, ids, count = _segments(data, segment_ids, num_segments, "segment_max")
    return scatter_ops.SegmentExtreme(ids, count, "max")(data)


@functional_aware
def segment_min(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002  (Keras's name)
    """Minima of the rows of ``data`` per segment id (an empty segment holds +inf)."""
    data, ids, count = _segments(data, segment_ids, num_segments, "segment_min")
    return scatter_ops.SegmentExtreme(ids, count, "min")(data)


@functional_aware
def segment_prod(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002  (Keras's name)
    """Products of the rows of ``data`` per segment id (an empty segment holds 1)."""
    data, ids, count = _segments(data, segment_ids, num_segments, "segment_prod")
    return scatter_ops.SegmentProd(ids, count)(data)


def unstack(x, num=None, axis=0):
    """The slices of ``x`` along ``axis``, as a list (each keeps its gradient)."""
    x = as_tensor(x)
    size = x.shape[axis]
    if num is not None and num != size:
        raise ValueError(f"`unstack`: num={num} does not match the size {size} of axis {axis}.")
    index = [builtins.slice(None)] * x.ndim
    pieces = []
    for i in range(size):
        index[axis] = i
        pieces.append(get_item(x, tuple(index)))
    return pieces


@functional_aware
def select(condlist, choicelist, default=0):
    """``choicelist[k]`` where ``condlist[k]`` is the first true condition, else ``default`` (NumPy's select)."""
    if len(condlist) != len(choicelist):
        raise ValueError(f"condlist and choicelist must have the same length. Received: {len(condlist)} and "
                         f"{len(choicelist)}")
    if not condlist:
        raise ValueError("select() needs at least one condition.")
    result = as_tensor(default)
    for condition, choice in reversed(list(zip(condlist, choicelist))):  # the first true one wins
        result = elementwise.where(as_tensor(condition), as_tensor(choice), result)
    return result


@functional_aware
def searchsorted(sorted_sequence, values, side="left"):
    """Where to insert ``values`` into the 1-D ``sorted_sequence`` to keep it sorted (int32)."""
    if side not in ("left", "right"):
        raise ValueError(f"`side` must be either 'left' or 'right'. Received: side={side}")
    sorted_sequence, values = as_tensor(sorted_sequence), as_tensor(values)
    if sorted_sequence.ndim != 1:
        raise ValueError(f"`searchsorted` only supports 1-D sorted sequences. Received: "
                         f"shape={tuple(sorted_sequence.shape)}")
    xp = get_xp(sorted_sequence.data)
    return Tensor(xp.searchsorted(sorted_sequence.data, values.data, side=side).astype("int32"))
