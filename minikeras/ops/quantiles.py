"""Order statistics: ``quantile``, ``percentile``, ``median`` (and their NaN-ignoring twins), ``ptp``.

Place in the stack: public ``keras.ops`` functions written with the engine's
ops (``sort``, ``take_along_axis``, ``where``...), so their gradients come
from those ops: a quantile is one sorted value, or a blend of two
neighbours, and the gradient returns to the entries it was read from.

How a quantile ``q`` of K values is found (NumPy's ``method="linear"``):
sort them, go to the real position ``q (K - 1)``, and blend the two sorted
values around it by the fractional part. The other methods pick ``lower``,
``higher``, ``nearest`` (a tie goes to the lower one, as Keras on JAX) or the ``midpoint`` of the
two. The NaN-ignoring versions use the same steps with K the count of
non-NaN values: NumPy's sort puts NaN last, so the first K sorted values are
exactly the numbers. Read next: ``nan_reductions.py``.
"""

from minikeras.autodiff import combine
from minikeras.autodiff import elementwise
from minikeras.autodiff import reduce
from minikeras.autodiff import shape
from minikeras.autodiff.math import as_float
from minikeras.autodiff.reduce import normalize_axis
from minikeras.autodiff.tensor import Tensor
from minikeras.autodiff.tensor import as_tensor
from minikeras.backend import get_xp
from minikeras.ops.symbolic import functional_aware

METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


def _lanes(x, axis):
    """``x`` with the reduced axes moved last and merged: (..., K); and the kept axes."""
    axes = normalize_axis(axis, x.ndim)
    kept = [i for i in range(x.ndim) if i not in axes]
    x = shape.transpose(x, kept + list(axes))
    lanes = shape.reshape(x, tuple(x.shape[:len(kept)]) + (-1,))  # (kept..., reduced...) -> (kept..., K)
    return lanes, axes


def _pick(sorted_lanes, position, method):
    """The value at real position ``position`` (one per lane) of the sorted lanes."""
    xp = get_xp(position)
    lower, upper = xp.floor(position), xp.ceil(position)
    nearest = xp.where(position - lower <= 0.5, lower, upper)  # a tie goes to the lower one (Keras, JAX)
    index = {"lower": lower, "higher": upper, "nearest": nearest}.get(method)

    def at(index):
        index = xp.clip(index, 0, None).astype("int64")[..., None]  # (kept...) -> (kept..., 1)
        return shape.squeeze(combine.take_along_axis(sorted_lanes, Tensor(index), axis=-1), -1)

    if index is not None:
        return at(index)
    low, high = at(lower), at(upper)
    weight = 0.5 if method == "midpoint" else (position - lower).astype(sorted_lanes.data.dtype)
    return elementwise.add(low, elementwise.multiply(elementwise.subtract(high, low), weight))


def _quantile(x, q, axis, method, keepdims, ignore_nan, function_name):
    # 1. Check the arguments; integers become floatx() (Keras).
    if method not in METHODS:
        raise ValueError(f"`{function_name}`: `method` must be one of {METHODS}. Received: method={method!r}")
    x = as_float(x)
    q_values = as_tensor(q).data.astype("float64")
    if q_values.ndim > 1 or not bool(((q_values >= 0) & (q_values <= 1)).all()):
        raise ValueError(f"`{function_name}`: `q` must be a scalar or 1-D, with values in [0, 1] "
                         f"([0, 100] for percentiles). Received: q={q_values.tolist()}")
    # 2. Sort each lane (NaN last) and count its numbers.
    lanes, axes = _lanes(x, axis)
    xp = get_xp(lanes.data)
    sorted_lanes = combine.take_along_axis(lanes, Tensor(xp.argsort(lanes.data, axis=-1, kind="stable")), axis=-1)
    if ignore_nan:
        count = (~xp.isnan(lanes.data)).sum(axis=-1)
    else:
        count = xp.full(lanes.shape[:-1], lanes.shape[-1])
    # 3. One result per q, NaN for lanes with no numbers (or with a NaN, without ignore_nan).
    empty = count == 0 if ignore_nan else xp.isnan(lanes.data).any(axis=-1)
    results = []
    for value in q_values.reshape(-1):
        picked = _pick(sorted_lanes, value * (count - 1), method)
        results.append(elementwise.where(Tensor(empty), float("nan"), picked))
    # 4. Keep the reduced axes as size 1 if asked; a 1-D q adds a leading axis.
    if keepdims:
        results = [shape.reshape(r, tuple(1 if i in axes else size for i, size in enumerate(x.shape)))
                   for r in results]
    return combine.stack(results, axis=0) if q_values.ndim == 1 else results[0]


@functional_aware
def quantile(x, q, axis=None, method="linear", keepdims=False):
    """The ``q``-th quantiles of ``x`` over ``axis`` (None: all entries).

    Args:
        x: tensor of any shape; integers are read as ``floatx()``.
        q: a number or a 1-D tensor of numbers in [0, 1].
        axis: int, tuple of ints, or None.
        method: ``"linear"``, ``"lower"``, ``"higher"``, ``"midpoint"`` or ``"nearest"``.
        keepdims: keep the reduced axes with size 1.
    Returns:
        A tensor of x's shape without ``axis`` (size 1 with ``keepdims``),
        with a leading axis of ``len(q)`` when ``q`` is 1-D. A lane holding a
        NaN gives NaN.
    """
    return _quantile(x, q, axis, method, keepdims, False, "quantile")


@functional_aware
def percentile(x, q, axis=None, method="linear", keepdims=False):
    """:func:`quantile` with ``q`` in [0, 100]."""
    return _quantile(x, as_tensor(q).data / 100.0, axis, method, keepdims, False, "percentile")


@functional_aware
def median(x, axis=None, keepdims=False):
    """The middle value over ``axis`` (the mean of the two middle ones for an even count)."""
    return _quantile(x, 0.5, axis, "linear", keepdims, False, "median")


@functional_aware
def nanquantile(x, q, axis=None, method="linear", keepdims=False):
    """:func:`quantile` of the non-NaN entries (NaN where a lane has none)."""
    return _quantile(x, q, axis, method, keepdims, True, "nanquantile")


@functional_aware
def nanpercentile(x, q, axis=None, method="linear", keepdims=False):
    """:func:`percentile` of the non-NaN entries."""
    return _quantile(x, as_tensor(q).data / 100.0, axis, method, keepdims, True, "nanpercentile")


@functional_aware
def nanmedian(x, axis=None, keepdims=False):
    """:func:`median` of the non-NaN entries."""
    return _quantile(x, 0.5, axis, "linear", keepdims, True, "nanmedian")


@functional_aware
def ptp(x, axis=None, keepdims=False):
    """Peak to peak: ``max - min`` over ``axis``; the gradient goes to both extremes."""
    x = as_tensor(x)
    if x.dtype == "bool":
        raise TypeError("`ptp` does not accept boolean tensors (max - min of booleans is undefined).")
    return elementwise.subtract(reduce.max(x, axis, keepdims), reduce.min(x, axis, keepdims))


@functional_aware
def amax(x, axis=None, keepdims=False):
    """Same as ``max``."""
    return reduce.max(x, axis, keepdims)


@functional_aware
def amin(x, axis=None, keepdims=False):
    """Same as ``min``."""
    return reduce.min(x, axis, keepdims)

