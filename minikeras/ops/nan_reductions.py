"""Reductions that skip NaN: ``nansum``, ``nanmean``, ``nanmax``, ``nanvar``, ``nancumsum``, ``nanargmax``...

Place in the stack: public ``keras.ops`` functions written with the engine's
ops, so each gradient comes from them. The one idea: replace every NaN by
the value that leaves the reduction unchanged (0 for sums, 1 for products,
-inf for a maximum) with ``where``, then reduce as usual. ``where`` passes
no gradient to the replaced entries, so a NaN gets a zero gradient. Counts
for the means come from the NaN mask. A lane of NaN only gives NaN for
``nanmax``/``nanmin``/``nanmean``/``nanvar``, 0 for ``nansum``, 1 for
``nanprod`` and -1 for ``nanargmax``/``nanargmin``, as Keras. Integers hold
no NaN and reduce as usual. The order statistics (``nanmedian``...) are in
``quantiles.py``. Read next: ``quantiles.py``.
"""

from minikeras import backend
from minikeras.autodiff import elementwise
from minikeras.autodiff import products
from minikeras.autodiff import reduce
from minikeras.autodiff.math import as_float
from minikeras.autodiff.math import sqrt
from minikeras.autodiff.tensor import Tensor
from minikeras.autodiff.tensor import as_tensor
from minikeras.backend import get_xp
from minikeras.ops.symbolic import functional_aware


def _replace_nan(x, value):
    """``x`` with its NaN replaced by ``value``, and the NaN mask (None for integers)."""
    x = as_tensor(x)
    if not backend.is_float_dtype(x.dtype):
        return x, None
    nan = get_xp(x.data).isnan(x.data)
    return elementwise.where(Tensor(nan), value, x), nan


def _nan_where_all_nan(result, nan, axis, keepdims):
    """NaN in the lanes that held only NaN."""
    if nan is None:
        return result
    all_nan = get_xp(nan).all(nan, axis=axis, keepdims=keepdims)
    return elementwise.where(Tensor(all_nan), float("nan"), result)


@functional_aware
def nansum(x, axis=None, keepdims=False):
    """Sum over ``axis`` of the non-NaN entries (0 for a lane of NaN)."""
    return reduce.sum(_replace_nan(x, 0.0)[0], axis, keepdims)


@functional_aware
def nanprod(x, axis=None, keepdims=False):
    """Product over ``axis`` of the non-NaN entries (1 for a lane of NaN)."""
    return products.prod(_replace_nan(x, 1.0)[0], axis, keepdims)


@functional_aware
def nanmax(x, axis=None, keepdims=False):
    """Largest non-NaN entry over ``axis`` (NaN for a lane of NaN)."""
    x, nan = _replace_nan(x, float("-inf"))
    return _nan_where_all_nan(reduce.max(x, axis, keepdims), nan, axis, keepdims)


@functional_aware
def nanmin(x, axis=None, keepdims=False):
    """Smallest non-NaN entry over ``axis`` (NaN for a lane of NaN)."""
    x, nan = _replace_nan(x, float("inf"))
    return _nan_where_all_nan(reduce.min(x, axis, keepdims), nan, axis, keepdims)


def _count(x, nan, axis, keepdims):
    """How many numbers each lane holds, as floats of x's dtype."""
    xp = get_xp(x.data)
    present = xp.ones(x.shape, bool) if nan is None else ~nan
    return Tensor(present.sum(axis=axis, keepdims=keepdims).astype(x.data.dtype))


@functional_aware
def nanmean(x, axis=None, keepdims=False):
    """Mean over ``axis`` of the non-NaN entries; integers average into ``floatx()``."""
    x, nan = _replace_nan(as_float(x), 0.0)
    return elementwise.divide(reduce.sum(x, axis, keepdims), _count(x, nan, axis, keepdims))


@functional_aware
def nanvar(x, axis=None, keepdims=False):
    """Population variance over ``axis`` of the non-NaN entries."""
    x, nan = _replace_nan(as_float(x), 0.0)
    count = _count(x, nan, axis, keepdims)
    mean = elementwise.divide(reduce.sum(x, axis, True), _count(x, nan, axis, True))
    deviation = elementwise.subtract(x, mean)
    if nan is not None:  # the NaN places must add nothing to the sum of squares
        deviation = elementwise.where(Tensor(nan), 0.0, deviation)
    return elementwise.divide(reduce.sum(elementwise.multiply(deviation, deviation), axis, keepdims), count)


@functional_aware
def nanstd(x, axis=None, keepdims=False):
    """``sqrt(nanvar(x))``."""
    return sqrt(nanvar(x, axis, keepdims))


@functional_aware
def nancumsum(x, axis=None, dtype=None):
    """Running sum along ``axis`` with NaN counted as 0 (None: over the flattened tensor)."""
    x = as_tensor(x, dtype=dtype) if dtype is not None else as_tensor(x)
    if x.dtype == "bool":
        x = as_tensor(x.data.astype("int32"))
    return reduce.cumsum(_replace_nan(x, 0.0)[0], axis)


@functional_aware
def nancumprod(x, axis=None, dtype=None):
    """Running product along ``axis`` with NaN counted as 1."""
    x = as_tensor(x, dtype=dtype) if dtype is not None else as_tensor(x)
    return products.cumprod(_replace_nan(x, 1.0)[0], axis)


def _nanarg(x, axis, keepdims, fill, function_name):
    x, nan = _replace_nan(x, fill)
    picked = getattr(reduce, function_name)(x, axis, keepdims).data
    if nan is not None:
        picked = get_xp(picked).where(get_xp(nan).all(nan, axis=axis, keepdims=keepdims), -1, picked)
    return Tensor(picked.astype("int32"))


@functional_aware
def nanargmax(x, axis=None, keepdims=False):
    """Index of the largest non-NaN entry (int32; -1 for a lane of NaN)."""
    return _nanarg(x, axis, keepdims, float("-inf"), "argmax")


@functional_aware
def nanargmin(x, axis=None, keepdims=False):
    """Index of the smallest non-NaN entry (int32; -1 for a lane of NaN)."""
    return _nanarg(x, axis, keepdims, float("inf"), "argmin")
