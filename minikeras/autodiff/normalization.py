"""Batch statistics and normalisation: ``moments``, ``batch_normalization``, ``layer_normalization``.

Place in the stack: the last op family of ``minikeras.autodiff`` before
``conv.py`` and ``pool.py``; the ``BatchNormalization`` and
``LayerNormalization`` layers are built from these functions. The first two
are compositions of differentiable ops (``mean``, ``var``, ``rsqrt``, ``*``,
``+``), so their gradients come for free from the ops they use: nothing new to
derive, which is itself the lesson.

``layer_normalization`` over the last axis alone (a transformer's case) is
one op, ``LayerNorm``, with its gradient derived by hand
(``kernels/rowwise_reference.py`` shows the derivation's result): the
composition makes seven passes over the activations forward and more
backward, the kernel one or two. Over other axes it is the composition again.
Read next: ``conv.py``.
"""

from minikeras.autodiff.elementwise import add
from minikeras.autodiff.elementwise import multiply
from minikeras.autodiff.elementwise import negative
from minikeras.autodiff.math import as_float
from minikeras.autodiff.math import rsqrt
from minikeras.autodiff.op import Op
from minikeras.autodiff.reduce import mean as reduce_mean
from minikeras.autodiff.reduce import var as reduce_var
from minikeras.autodiff.shape import reshape
from minikeras.autodiff.tensor import as_tensor
from minikeras.backend import config
from minikeras.backend import kernel_choice


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


class LayerNorm(Op):
    """y = (x - mean) / sqrt(var + epsilon) * gamma + beta over the last axis C.

    Shapes: x (..., C), gamma and beta (C,) when present -> y (..., C). The
    rows (all axes but the last) are normalised independently. With
    xhat = (x - mean) * inverse_std and g = dy * gamma, per row:
        dx = inverse_std * (g - mean_C(g) - xhat * mean_C(g * xhat))
        dgamma = sum over rows of dy * xhat,   dbeta = sum over rows of dy
    The loops are the ``layer_norm`` kernels (``kernels/rowwise_reference.py``).
    """
    def __init__(self, epsilon, has_gamma, has_beta):
        self.epsilon, self.has_gamma, self.has_beta = epsilon, has_gamma, has_beta

    def forward(self, x, *parameters):
        self.kernels = kernel_choice.rowwise_kernels(x)
        self.gamma = parameters[0] if self.has_gamma else None
        beta = parameters[-1] if self.has_beta else None
        self.x = x.reshape(-1, x.shape[-1])  # (..., C) -> (R, C)
        y, self.mean, self.inverse_std = self.kernels.layer_norm_forward(self.x, self.gamma, beta, self.epsilon)
        return y.reshape(x.shape)

    def backward(self, dy):
        dx, dgamma, dbeta = self.kernels.layer_norm_backward(self.x, dy.reshape(self.x.shape), self.mean,
                                                            self.inverse_std, self.gamma)
        gradients = (dx.reshape(dy.shape),) + ((dgamma,) if self.has_gamma else ()) + ((dbeta,) if self.has_beta else ())
        return gradients


def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None):
    """Normalises ``x`` over ``axis`` to mean 0, variance 1, then ``* gamma + beta``; Keras's ``ops.layer_normalization``.

    Args:
        x: any shape, e.g. (B, T, C).
        gamma, beta: None or the sizes of the normalised axes, e.g. (C,).
        axis: an int or a list of ints, the normalised axes (default the last).
        epsilon: added to the variance; default ``backend.epsilon()``.
    Returns:
        A tensor of x's shape.
    """
    x = as_float(x)
    epsilon = config.epsilon() if epsilon is None else float(epsilon)
    axes = sorted(a % x.ndim for a in ([axis] if isinstance(axis, int) else axis))
    if axes == [x.ndim - 1]:
        parameters = [as_tensor(p) for p in (gamma, beta) if p is not None]
        return LayerNorm(epsilon, gamma is not None, beta is not None)(x, *parameters)
    # 1. Several axes: the composition, (x - mean) * inv + beta as x * inv + (beta - mean * inv).
    shape = [size if axis in axes else 1 for axis, size in enumerate(x.shape)]
    mean, variance = moments(x, axes=axes, keepdims=True)
    inverse = rsqrt(add(variance, epsilon))
    if gamma is not None:
        inverse = multiply(inverse, reshape(gamma, shape))
    shift = negative(multiply(mean, inverse))
    if beta is not None:
        shift = add(shift, reshape(beta, shape))
    return add(multiply(x, inverse), shift)
