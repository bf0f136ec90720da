"""Crossentropies: the losses of classification, stable for logits and probabilities.

Place in the stack: an op family of ``minikeras.autodiff``, after ``nn.py``;
``minikeras.losses`` wraps these into Loss objects with reductions. Each
function returns the per-sample loss (the class axis summed away), Keras's
``keras.ops.*_crossentropy``.

Two roads, as in Keras:

* ``from_logits=True``: the loss is computed from the raw scores in one
  stable formula, and its gradient is famously simple: ``softmax(o) - t``
  (``sigmoid(o) - t`` for the binary case). These get their own ops.
* probabilities: clip to ``[epsilon, 1 - epsilon]`` so ``log`` never sees 0,
  then take the log. These are built from existing ops (clip, log, sum).

Read next: ``normalization.py``.
"""

from minikeras import backend
from minikeras.autodiff.elementwise import clip
from minikeras.autodiff.elementwise import divide
from minikeras.autodiff.elementwise import multiply
from minikeras.autodiff.elementwise import negative
from minikeras.autodiff.math import as_float
from minikeras.autodiff.math import log
from minikeras.autodiff.nn import stable_sigmoid
from minikeras.autodiff.op import Op
from minikeras.autodiff.reduce import sum as reduce_sum
from minikeras.autodiff.shape import squeeze
from minikeras.autodiff.tensor import Tensor
from minikeras.autodiff.tensor import as_tensor
from minikeras.backend import get_xp


class SigmoidCrossentropy(Op):
    """loss = -t log(sigmoid(o)) - (1 - t) log(1 - sigmoid(o))
            = max(o, 0) - o t + log(1 + exp(-|o|))     (no exp of a large number);
    do = dy (sigmoid(o) - t),  dt = -dy o.  Elementwise, any shape."""
    def forward(self, t, o):
        xp = get_xp(t, o)
        self.t, self.o = t, o
        return xp.maximum(o, 0) - o * t + xp.log1p(xp.exp(-xp.abs(o)))

    def backward(self, dy):
        return -dy * self.o, dy * (stable_sigmoid(self.o) - self.t)


class SoftmaxCrossentropy(Op):
    """loss = -sum(t * log_softmax(o), axis);
    do = dy (softmax(o) sum(t) - t),  dt = -dy log_softmax(o).  (N, C) -> (N,)."""
    def __init__(self, axis):
        self.axis = axis

    def forward(self, t, o):
        xp = get_xp(t, o)
        shifted = o - xp.max(o, axis=self.axis, keepdims=True)
        self.log_p = shifted - xp.log(xp.sum(xp.exp(shifted), axis=self.axis, keepdims=True))
        self.t = t
        return -xp.sum(t * self.log_p, axis=self.axis)

    def backward(self, dy):
        xp = get_xp(dy)
        dy = xp.expand_dims(dy, self.axis)
        t_total = xp.sum(self.t, axis=self.axis, keepdims=True)
        return -dy * self.log_p, dy * (xp.exp(self.log_p) * t_total - self.t)


def _clip_probabilities(output):
    epsilon = backend.epsilon()
    return clip(output, epsilon, 1.0 - epsilon)


def binary_crossentropy(target, output, from_logits=False):
    """Elementwise binary crossentropy between labels in [0, 1] and predictions.

    Args:
        target: labels, any shape.
        output: probabilities, or logits with ``from_logits=True``; target's shape.
    Returns:
        The loss per entry, target's shape (no reduction).
    """
    target, output = as_float(target), as_float(output)
    if target.shape != output.shape:
        raise ValueError(
            "Arguments `target` and `output` must have the same shape. Received: "
            f"target.shape={target.shape}, output.shape={output.shape}"
        )
    target = as_tensor(target.data.astype(output.data.dtype, copy=False)) if target.dtype != output.dtype else target
    if from_logits:
        return SigmoidCrossentropy()(target, output)
    output = _clip_probabilities(output)
    positive = multiply(target, log(output))
    negative_part = multiply(1.0 - target, log(1.0 - output))
    return negative(positive + negative_part)


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Crossentropy between one-hot (or soft) labels and class scores.

    Args:
        target: (..., C) label distributions.
        output: (..., C) probabilities (renormalised to sum to 1), or logits.
        axis: the class axis.
    Returns:
        (...,) the loss per sample.
    """
    target, output = as_float(target), as_float(output)
    if target.shape != output.shape:
        raise ValueError(
            "Arguments `target` and `output` must have the same shape. Received: "
            f"target.shape={target.shape}, output.shape={output.shape}"
        )
    if output.ndim < 1:
        raise ValueError(f"Arguments `target` and `output` must be at least rank 1. Received: "
                         f"target.shape={target.shape}, output.shape={output.shape}")
    target = as_tensor(target.data.astype(output.data.dtype, copy=False)) if target.dtype != output.dtype else target
    if from_logits:
        return SoftmaxCrossentropy(axis % output.ndim)(target, output)
    output = divide(output, reduce_sum(output, axis=axis, keepdims=True))
    output = _clip_probabilities(output)
    return negative(reduce_sum(multiply(target, log(output)), axis=axis))


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Crossentropy between integer class labels and class scores.

    Args:
        target: (...,) int class indices (a trailing size-1 axis is allowed).
        output: (..., C) probabilities or logits.
    Returns:
        (...,) the loss per sample.
    """
    target, output = as_tensor(target), as_float(output)
    if target.ndim == output.ndim and target.ndim and target.shape[-1] == 1:
        target = squeeze(target, axis=-1)
    if output.ndim < 1:
        raise ValueError(f"Argument `output` must be at least rank 1. Received: output.shape={output.shape}")
    if target.shape != output.shape[:-1]:
        raise ValueError(
            "Arguments `target` and `output` must have the same shape up until the last dimension: "
            f"target.shape={target.shape}, output.shape={output.shape}"
        )
    target_one_hot = one_hot(target, output.shape[axis], axis=axis, dtype=output.dtype)
    return categorical_crossentropy(target_one_hot, output, from_logits=from_logits, axis=axis)


def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    """Turns integer labels into one-hot vectors (no gradient).

    Args:
        x: (...,) integer class indices; out-of-range indices give all zeros.
        num_classes: C.
        axis: where the new class axis goes (-1: last).
        dtype: defaults to ``floatx()``.
    Returns:
        (..., C) with ``axis=-1``.
    """
    if sparse:
        raise ValueError("`one_hot`: sparse=True is not supported by minikeras (no sparse tensors).")
    x = as_tensor(x)
    xp = get_xp(x.data)
    classes = xp.arange(num_classes)
    encoded = (x.data[..., None] == classes).astype(dtype or backend.floatx())  # (...) -> (..., C)
    if axis != -1:
        encoded = xp.moveaxis(encoded, -1, axis)
    return Tensor(encoded)
