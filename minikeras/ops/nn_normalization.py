"""Normalizing and scoring functions of ``keras.ops.nn``: ``normalize``, ``rms_normalization``,
``sparsemax``, ``psnr``, ``multi_hot`` (``layer_normalization`` is one fused op: autodiff/normalization.py).

Place in the stack: in ``minikeras.ops`` beside ``nn.py`` (read it first).
Each function is a composition of differentiable ops, so its gradient comes
from theirs. With ``x`` of any shape and the statistics taken over ``axis``:

    normalize(x)          = x / max(||x||_order, epsilon)
    rms_normalization(x)  = x / sqrt(mean(x**2) + epsilon) * scale
    sparsemax(x)          = max(x - tau, 0), tau chosen so that the outputs sum to 1
    psnr(a, b)            = 20 log10(max_val) - 10 log10(mean((a - b)**2))
    multi_hot(labels)     = 1 at every class a row's labels name (no gradient)

Sparsemax is softmax's sparse cousin: it projects ``x`` onto the probability
simplex, so small logits get exactly 0. Sort x decreasing (z_1 >= z_2 ...);
the support is the k largest, k the largest j with 1 + j z_j > z_1 + ... + z_j,
and tau = (z_1 + ... + z_k - 1) / k. On a fixed support the output is
``x - tau`` there, which the engine differentiates through the sums.
"""

from minikeras import backend
from minikeras.autodiff import elementwise
from minikeras.autodiff import linalg
from minikeras.autodiff import reduce
from minikeras.autodiff import shape
from minikeras.autodiff.crossentropy import one_hot
from minikeras.autodiff.math import as_float
from minikeras.autodiff.math import rsqrt
from minikeras.autodiff.special import log10
from minikeras.autodiff.tensor import Tensor
from minikeras.autodiff.tensor import as_tensor
from minikeras.backend import get_xp
from minikeras.ops.symbolic import functional_aware


@functional_aware
def normalize(x, axis=-1, order=2, epsilon=None):
    """``x`` divided by its ``order``-norm along ``axis`` (at least ``epsilon``, default ``backend.epsilon()``)."""
    if not isinstance(order, int) or order < 1:
        raise ValueError(f"Argument `order` must be an int >= 1. Received: order={order}")
    x = as_float(x)
    if x.ndim == 0:
        x = shape.reshape(x, (1,))
    epsilon = backend.epsilon() if epsilon is None else epsilon
    if order == 2:  # x * rsqrt(sum of squares), as Keras: no square root of 0 in the gradient's way
        inverse_norm = rsqrt(reduce.sum(elementwise.multiply(x, x), axis=axis, keepdims=True))
        return elementwise.multiply(x, elementwise.minimum(inverse_norm, 1.0 / epsilon))
    norm = linalg.norm(x, ord=order, axis=axis, keepdims=True)
    return elementwise.divide(x, elementwise.maximum(norm, epsilon))


def _feature_view(vector, x, axes):
    """A (D,) parameter for the feature axes, reshaped to broadcast against ``x``."""
    if vector is None:
        return None
    vector = elementwise.cast(as_tensor(vector), x.dtype)
    if axes == (x.ndim - 1,) or vector.ndim == x.ndim:
        return vector
    return shape.reshape(vector, tuple(x.shape[i] if i in axes else 1 for i in range(x.ndim)))


@functional_aware
def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    """``x / sqrt(mean(x**2 over axis) + epsilon) * scale``: layer normalization without the centring."""
    x = as_float(x)
    if x.ndim == 0:
        x = shape.reshape(x, (1,))
    axes = tuple(sorted(a % x.ndim for a in ([axis] if isinstance(axis, int) else axis)))
    epsilon = backend.epsilon() if epsilon is None else epsilon
    mean_square = reduce.mean(elementwise.multiply(x, x), axis=axes, keepdims=True)
    outputs = elementwise.multiply(x, rsqrt(elementwise.add(mean_square, epsilon)))
    scale = _feature_view(scale, x, axes)
    return outputs if scale is None else elementwise.multiply(outputs, scale)


@functional_aware
def sparsemax(x, axis=-1):
    """Sparse probabilities along ``axis``: like softmax, they sum to 1, but small logits get exactly 0.

    Shape: any, unchanged. The gradient on the support is ``dy - mean(dy over the support)``, 0 elsewhere.
    """
    x = as_float(x)
    xp = get_xp(x.data)
    # 1. Sort decreasing and find the support size k of each lane (no gradient: a count).
    order = xp.flip(xp.argsort(x.data, axis=axis, kind="stable"), axis=axis)
    z = xp.take_along_axis(x.data, order, axis=axis)
    ranks = xp.arange(1, x.shape[axis] + 1).reshape([-1 if i == axis % x.ndim else 1 for i in range(x.ndim)])
    support = 1 + ranks * z > xp.cumsum(z, axis=axis)
    k = support.sum(axis=axis, keepdims=True)
    # 2. tau = (sum of the k largest - 1) / k, with the gradient flowing through that sum.
    in_support = Tensor(xp.take_along_axis(support, xp.argsort(order, axis=axis), axis=axis))
    top_sum = reduce.sum(elementwise.where(in_support, x, 0.0), axis=axis, keepdims=True)
    tau = elementwise.divide(elementwise.subtract(top_sum, 1.0), Tensor(k.astype(x.data.dtype)))
    return elementwise.maximum(elementwise.subtract(x, tau), 0.0)


@functional_aware
def psnr(x1, x2, max_val):
    """Peak signal-to-noise ratio in dB of two same-shape images with pixel range ``max_val``: a scalar."""
    x1, x2 = as_float(x1), as_float(x2)
    if x1.shape != x2.shape:
        raise ValueError(f"Input shapes {x1.shape} and {x2.shape} must match for PSNR calculation. ")
    difference = elementwise.subtract(x1, x2)
    mse = reduce.mean(elementwise.multiply(difference, difference))
    peak = Tensor(get_xp(x2.data).asarray(as_tensor(max_val).data, dtype=x2.data.dtype))
    return elementwise.subtract(elementwise.multiply(log10(peak), 20.0), elementwise.multiply(log10(mse), 10.0))


@functional_aware
def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False, **kwargs):
    """Multi-hot vectors: for (N, L) integer labels, (N, num_classes) with 1 at each class a row names.

    A 1-D input is one row: (L,) -> (num_classes,). Keras 2's ``num_tokens`` is accepted too.
    """
    num_classes = kwargs.pop("num_tokens", num_classes)
    if num_classes is None:
        raise ValueError("Argument `num_classes` must be specified.")
    if sparse:
        raise ValueError("`multi_hot`: sparse=True is not supported by minikeras (no sparse tensors).")
    labels = as_tensor(inputs)
    reduction_axis = 1 if labels.ndim > 1 else 0
    hot = one_hot(Tensor(labels.data.astype("int32")), num_classes, axis=axis, dtype=dtype)
    return Tensor(hot.data.max(axis=reduction_axis))  # (N, L, C) -> (N, C)
