"""Products and distances of vectors: ``inner``, ``vdot``, ``cross``, ``cdist``, ``correlate``, ``corrcoef``, ``trapezoid``.

Place in the stack: public ``keras.ops`` functions written with the engine's
ops (``multiply``, ``sum``, ``take``, ``tensordot``, ``sqrt``), so each
gradient is theirs. Read next: ``quantiles.py``.

    inner(a, b)      sums a's last axis against b's last:  (..., K), (..., K) -> (a's axes..., b's axes...)
    vdot(a, b)       sum of a * b over all entries, both flattened
    cross(a, b)      (a_y b_z - a_z b_y, a_z b_x - a_x b_z, a_x b_y - a_y b_x); 2-vectors have z = 0
    cdist(x, y)      Euclidean distances (..., P, M), (..., R, M) -> (..., P, R)
    correlate(a, v)  c[k] = sum_n a[n + k] v[n] (NumPy's sliding product, no flip of v)
    corrcoef(x)      Pearson correlations of the rows of x (variables) over its columns (observations)
    trapezoid(y)     the area under y by the trapezoid rule: sum of (y[i] + y[i+1]) / 2 * dx_i

Integer inputs of the ones that divide or take roots become ``floatx()``, as in Keras.
"""

from minikeras.autodiff import combine
from minikeras.autodiff import elementwise
from minikeras.autodiff import linalg
from minikeras.autodiff import reduce
from minikeras.autodiff import shape
from minikeras.autodiff.math import as_float
from minikeras.autodiff.math import sqrt
from minikeras.autodiff.special import same_dtype
from minikeras.autodiff.tensor import as_tensor
from minikeras.backend import get_xp
from minikeras.ops.symbolic import functional_aware


@functional_aware
def inner(x1, x2):
    """Inner product over the last axes; a scalar multiplies instead."""
    x1, x2 = same_dtype(x1, x2)
    if x1.ndim == 0 or x2.ndim == 0:
        return elementwise.multiply(x1, x2)
    return linalg.tensordot(x1, x2, axes=([x1.ndim - 1], [x2.ndim - 1]))


@functional_aware
def vdot(x1, x2):
    """The dot product of the flattened tensors (a scalar)."""
    x1, x2 = same_dtype(x1, x2)
    return reduce.sum(elementwise.multiply(shape.ravel(x1), shape.ravel(x2)))


def _components(x, axis):
    """The x, y, z components of the vectors along ``axis`` (z = 0 for 2-vectors)."""
    x = shape.moveaxis(as_tensor(x), axis, -1)
    if x.shape[-1] not in (2, 3):
        raise ValueError(f"`cross`: the vectors must have 2 or 3 components. Received a size of {x.shape[-1]}")
    parts = [x[..., i] for i in range(x.shape[-1])]
    return parts + [elementwise.multiply(parts[0], 0)] if len(parts) == 2 else parts


@functional_aware
def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Cross products of the 3-vectors (or 2-vectors) along ``axisa`` of x1 and ``axisb`` of x2 (broadcast).

    Returns:
        The vectors along ``axisc``; for two 2-vectors, only the z component (that axis is dropped).
    """
    if axis is not None:
        axisa = axisb = axisc = axis
    x1, x2 = same_dtype(x1, x2)
    both_planar = x1.shape[axisa] == 2 and x2.shape[axisb] == 2
    (ax, ay, az), (bx, by, bz) = _components(x1, axisa), _components(x2, axisb)

    def difference(p, q, r, s):
        return elementwise.subtract(elementwise.multiply(p, q), elementwise.multiply(r, s))

    z = difference(ax, by, ay, bx)
    if both_planar:
        return z
    vectors = combine.stack([difference(ay, bz, az, by), difference(az, bx, ax, bz), z], axis=-1)
    return shape.moveaxis(vectors, -1, axisc)


@functional_aware
def cdist(x, y):
    """Euclidean distances between the rows of ``x`` (..., P, M) and of ``y`` (..., R, M): (..., P, R)."""
    x, y = same_dtype(x, y, floats=True)
    difference = elementwise.subtract(shape.expand_dims(x, -2), shape.expand_dims(y, -3))  # (..., P, R, M)
    return sqrt(reduce.sum(elementwise.multiply(difference, difference), axis=-1))


@functional_aware
def correlate(x1, x2, mode="valid"):
    """Cross-correlation of two 1-D tensors, as ``numpy.correlate``.

    Args:
        mode: ``"full"`` (every overlap, length La + Lv - 1), ``"same"``
            (length max(La, Lv), centred) or ``"valid"`` (full overlaps only,
            length |La - Lv| + 1).
    """
    a, v = same_dtype(x1, x2, floats=True)
    if a.ndim != 1 or v.ndim != 1:
        raise ValueError(f"`correlate` takes two 1-D tensors. Received shapes {a.shape} and {v.shape}")
    if mode not in ("full", "same", "valid"):
        raise ValueError(f"`correlate`: `mode` must be 'full', 'same' or 'valid'. Received: mode={mode!r}")
    length_a, length_v = a.shape[0], v.shape[0]
    # 1. Every overlap: pad a with Lv - 1 zeros on both sides, then read windows of Lv entries.
    padded = combine.pad(a, [(length_v - 1, length_v - 1)])
    xp = get_xp(a.data)
    windows = combine.take(padded, xp.arange(length_a + length_v - 1)[:, None] + xp.arange(length_v), axis=0)
    full = reduce.sum(elementwise.multiply(windows, v), axis=-1)  # (La + Lv - 1, Lv) -> (La + Lv - 1,)
    # 2. Keep the part the mode asks for.
    shortest = min(length_a, length_v)
    # "same" centres the window; an odd excess goes to the end when a is the longer, to the start otherwise (NumPy)
    same_start = (shortest - 1) // 2 if length_a >= length_v else shortest // 2
    start, length = {"full": (0, length_a + length_v - 1),
                     "same": (same_start, max(length_a, length_v)),
                     "valid": (shortest - 1, abs(length_a - length_v) + 1)}[mode]
    return full[start:start + length]


@functional_aware
def corrcoef(x):
    """Pearson correlation coefficients of the rows (variables) of ``x`` (V, O): (V, V); a scalar for 1-D x."""
    x = as_float(x)
    centred = elementwise.subtract(x, reduce.mean(x, axis=-1, keepdims=True))
    if x.ndim == 1:
        centred = shape.expand_dims(centred, 0)  # (O,) -> (1, O)
    covariance = linalg.tensordot(centred, centred, axes=([1], [1]))  # (V, O) (V, O) -> (V, V)
    scale = sqrt(reduce.sum(elementwise.multiply(centred, centred), axis=-1))  # sqrt of the diagonal: (V,)
    result = elementwise.divide(elementwise.divide(covariance, shape.expand_dims(scale, 1)), scale)
    return shape.reshape(result, ()) if x.ndim == 1 else result


@functional_aware
def trapezoid(y, x=None, dx=1.0, axis=-1):
    """The integral of ``y`` along ``axis`` by the trapezoid rule, with sample points ``x`` (1-D or
    y's shape) or a constant spacing ``dx``. Removes ``axis``."""
    y = as_float(y)
    size = y.shape[axis]
    right = combine.take(y, list(range(1, size)), axis=axis)
    left = combine.take(y, list(range(size - 1)), axis=axis)
    heights = elementwise.multiply(elementwise.add(left, right), 0.5)
    if x is None:
        return elementwise.multiply(reduce.sum(heights, axis=axis), dx)
    x = as_float(x)
    x_axis = 0 if x.ndim == 1 else axis
    widths = elementwise.subtract(combine.take(x, list(range(1, x.shape[x_axis])), axis=x_axis),
                                  combine.take(x, list(range(x.shape[x_axis] - 1)), axis=x_axis))
    if x.ndim == 1 and y.ndim > 1:
        view = [1] * y.ndim
        view[axis] = size - 1
        widths = shape.reshape(widths, tuple(view))
    return reduce.sum(elementwise.multiply(heights, widths), axis=axis)
