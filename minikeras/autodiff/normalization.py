"""Batch statistics and normalisation: ``moments`` and ``batch_normalization``.

Place in the stack: the last op family of ``minikeras.autodiff`` before
``conv.py`` and ``pool.py``; the ``BatchNormalization`` and
``LayerNormalization`` layers are built from these two functions. Both are
compositions of differentiable ops (``mean``, ``var``, ``rsqrt``, ``*``,
``+``), so their gradients come for free from the ops they use: nothing new to
derive, which is itself the lesson. Read next: ``conv.py``.
"""

from minikeras.autodiff.elementwise import add
from minikeras.autodiff.elementwise import multiply
from minikeras.autodiff.elementwise import negative
from minikeras.autodiff.math import as_float
from minikeras.autodiff.math import rsqrt
from minikeras.autodiff.reduce import mean as reduce_mean
from minikeras.autodiff.reduce import var as reduce_var
from minikeras.autodiff.shape import reshape


def moments(x, axes, keepdims=False, synchronized=False):
    """Mean and (population) variance of ``x`` over ``axes``.

    Args:
        x: any shape, e.g. (N, H, W, C).
        axes: the axes to reduce, e.g. [0, 1, 2] for per-channel statistics.
        keepdims: keep the reduced axes with size 1.
        synchronized: accepted for Keras compatibility (one device: no effect).
    Returns:
        ``(mean, variance)``, e.g. each (C,) for the example above.
    """
    x = as_float(x)
    return reduce_mean(x, axis=axes, keepdims=keepdims), reduce_var(x, axis=axes, keepdims=keepdims)


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    """Normalises ``x`` with given statistics: ``(x - mean) / sqrt(variance + epsilon) * scale + offset``.

    Computed as ``x * inv + (offset - mean * inv)`` with
    ``inv = scale / sqrt(variance + epsilon)``, as Keras does, so the (C,)
    vectors are combined before touching the big tensor.

    Args:
        x: e.g. (N, H, W, C).
        mean, variance, offset, scale: (C,) vectors for the entries of ``axis``.
        axis: the feature axis of ``x`` (-1 for channels_last).
        epsilon: added to the variance to avoid dividing by 0.
    Returns:
        A tensor of x's shape.
    """
    x = as_float(x)
    # 1. (C,) -> (1, 1, 1, C): broadcastable against x along ``axis``.
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]
    inv = rsqrt(add(reshape(variance, shape), epsilon))
    if scale is not None:
        inv = multiply(inv, reshape(scale, shape))
    # 2. The shift: offset - mean * inv.
    shift = negative(multiply(reshape(mean, shape), inv))
    if offset is not None:
        shift = add(shift, reshape(offset, shape))
    # 3. One multiply-add on the big tensor.
    return add(multiply(x, inv), shift)
