"""Counting, sets and positions: ``unique``, ``bincount``, ``histogram``, ``digitize``, ``argpartition``, ``unravel_index``.

Place in the stack: public ``keras.ops`` functions over raw ``xp`` calls.
Their results are integer positions or counts, or a set of values chosen by
comparing (``unique``), so nothing is recorded on the tape and no gradient
flows through them, as with ``argsort``. The one exception is
``bincount(x, weights)``: it is a segment sum of the weights (each weight
added into the bin of its ``x``), so the weights get a gradient through the
``SegmentSum`` op of ``autodiff/scatter.py``. Integer results are int32,
counts of ``histogram`` are ``floatx()``, as in Keras. Read next: ``predicates.py``.
"""

from minikeras import backend
from minikeras.autodiff import combine
from minikeras.autodiff.scatter import SegmentSum
from minikeras.autodiff.tensor import Tensor
from minikeras.autodiff.tensor import as_tensor
from minikeras.backend import get_xp
from minikeras.ops.symbolic import functional_aware


def _int32(array):
    return Tensor(array.astype("int32"))


@functional_aware
def unique(x, sorted=True, return_index=False, return_inverse=False, return_counts=False,  # noqa: A002
           axis=None, size=None, fill_value=None):
    """The distinct values of ``x`` in increasing order (rows or slices along ``axis`` if given).

    Args:
        x: tensor; with ``axis=None`` it is flattened.
        return_index / return_inverse / return_counts: also return, as int32,
            where each distinct value first appears, the distinct value's
            index for every entry of x, and how often each appears.
        size: pad (with ``fill_value``, default the smallest value) or cut the
            result to exactly ``size`` entries: a fixed shape, as JAX needs.
    Returns:
        The values tensor, or a tuple of it and the requested extras, in that order.
    """
    data = as_tensor(x).data
    values, index, inverse, counts = get_xp(data).unique(
        data, return_index=True, return_inverse=True, return_counts=True, axis=axis)
    if size is not None:
        values, index, counts = _fit(values, size, fill_value), _fit(index, size, 0), _fit(counts, size, 0)
    results = [Tensor(values)]
    results += [_int32(index)] if return_index else []
    results += [_int32(inverse.reshape(-1) if axis is None else inverse)] if return_inverse else []
    results += [_int32(counts)] if return_counts else []
    return results[0] if len(results) == 1 else tuple(results)


def _fit(values, size, fill_value):
    """``values`` cut or padded on axis 0 to ``size`` entries."""
    xp = get_xp(values)
    if len(values) >= size:
        return values[:size]
    fill = values.min() if fill_value is None and len(values) else (fill_value or 0)
    padding = xp.full((size - len(values),) + values.shape[1:], fill, dtype=values.dtype)
    return xp.concatenate([values, padding])


@functional_aware
def bincount(x, weights=None, minlength=0, sparse=False):
    """How often each value 0, 1, ... appears in the non-negative integers ``x``.

    Args:
        x: (N,) integers, or (B, N) for one count per row.
        weights: same shape as x: sum these instead of counting ones (differentiable).
        minlength: at least this many bins.
    Returns:
        (max(x) + 1,) or (minlength,) counts, int32 (weights' dtype with weights); (B, bins) for a 2-D x.
    """
    if sparse:
        raise ValueError("`bincount`: minikeras has no sparse tensors; use sparse=False.")
    data = as_tensor(x).data.astype("int64")
    if data.size and data.min() < 0:
        raise ValueError(f"`bincount`: `x` must hold non-negative integers. Received a minimum of {data.min()}")
    bins = max(int(data.max()) + 1 if data.size else 0, int(minlength))
    if data.ndim == 2:
        rows = [bincount(row, None if weights is None else as_tensor(weights)[i], bins) for i, row in
                enumerate(data)]
        return combine.stack(rows, axis=0)  # B times (bins,) -> (B, bins)
    if weights is None:
        return _int32(get_xp(data).bincount(data, minlength=bins))
    return SegmentSum(data, bins)(as_tensor(weights))


@functional_aware
def histogram(x, bins=10, range=None):  # noqa: A002  (Keras's argument name)
    """Counts of a 1-D ``x`` in ``bins`` equal bins over ``range`` (default: x's min to max).

    Returns:
        ``(counts, bin_edges)``: (bins,) counts and (bins + 1,) edges, both ``floatx()``.
    """
    data = as_tensor(x).data
    if data.ndim != 1:
        raise ValueError(f"Input tensor must be 1-dimensional. Received: input.shape={data.shape}")
    counts, edges = get_xp(data).histogram(data, bins=bins, range=range)
    return Tensor(counts.astype(backend.floatx())), Tensor(edges.astype(backend.floatx()))


@functional_aware
def digitize(x, bins):
    """For each entry of ``x``, the index i of the increasing ``bins`` with ``bins[i-1] <= x < bins[i]`` (int32)."""
    data, bins = as_tensor(x).data, as_tensor(bins).data
    return _int32(get_xp(data).digitize(data, bins))


@functional_aware
def argpartition(x, kth, axis=-1):
    """Indices that put the ``kth`` smallest entry of each lane in place, smaller ones before it,
    larger ones after (in no particular order): int32, x's shape."""
    data = as_tensor(x).data
    return _int32(get_xp(data).argpartition(data, kth, axis=axis))


@functional_aware
def unravel_index(indices, shape):
    """Flat ``indices`` into a tensor of ``shape`` -> a tuple of ``len(shape)`` int32 coordinate tensors."""
    data = as_tensor(indices).data
    return tuple(_int32(get_xp(data).asarray(part)) for part in get_xp(data).unravel_index(data, tuple(shape)))
