"""``minikeras.regularizers``: weight penalties added to the loss (Keras's ``keras.regularizers``).

Place in the stack: above ``minikeras.ops``, below ``minikeras.layers``.
``Dense(4, kernel_regularizer="l2")`` makes the layer hand its kernel to the
regularizer on every call; the penalty lands in ``layer.losses`` and the
trainer adds it to the loss, so its gradient pulls the weights toward 0.

* L1: ``l1 * sum(|w|)`` pushes weights to exactly 0 (sparse weights);
* L2: ``l2 * sum(w**2)`` shrinks every weight in proportion to its size
  ("weight decay").
"""

import math

import numpy

from minikeras import backend
from minikeras import ops
from minikeras.backend.object_lookup import deserialize_object
from minikeras.backend.object_lookup import get_object
from minikeras.backend.object_lookup import serialize_object


def _check_factor(value, name):
    """Keras's check of a penalty factor: a non-negative number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError(f"Invalid value for argument {name}: expected a non-negative float. "
                         f"Received: {name}={value}")
    return float(value)


class Regularizer:
    """Base class: ``regularizer(weight) -> scalar penalty`` with a config."""

    def __call__(self, x):
        return 0.0

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} {self.get_config()}>"


class L1(Regularizer):
    """``l1 * sum(|x|)``.

    Args:
        l1: the factor (0.01, Keras's default).
    """

    def __init__(self, l1=0.01):
        self.l1 = _check_factor(0.01 if l1 is None else l1, "l1")

    def __call__(self, x):
        return ops.multiply(self.l1, ops.sum(ops.absolute(x)))

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    """``l2 * sum(x ** 2)``.

    Args:
        l2: the factor (0.01, Keras's default).
    """

    def __init__(self, l2=0.01):
        self.l2 = _check_factor(0.01 if l2 is None else l2, "l2")

    def __call__(self, x):
        return ops.multiply(self.l2, ops.sum(ops.square(x)))

    def get_config(self):
        return {"l2": self.l2}


class L1L2(Regularizer):
    """``l1 * sum(|x|) + l2 * sum(x ** 2)``.

    Args:
        l1, l2: the factors. Both default to 0.0, as in Keras (so that
            ``L1L2(l2=0.1)`` has no L1 part).
    """

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _check_factor(0.0 if l1 is None else l1, "l1")
        self.l2 = _check_factor(0.0 if l2 is None else l2, "l2")

    def __call__(self, x):
        penalty = ops.multiply(0.0, ops.sum(x))  # a zero of x's dtype, on the tape
        if self.l1:
            penalty = ops.add(penalty, ops.multiply(self.l1, ops.sum(ops.absolute(x))))
        if self.l2:
            penalty = ops.add(penalty, ops.multiply(self.l2, ops.sum(ops.square(x))))
        return penalty

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """Pushes the rows (or the columns) of a 2-D weight to be orthogonal to each other.

    Penalty: ``factor * 0.5 * sum(|cos(v_i, v_j)|, i != j) / (K * (K - 1) / 2)``,
    the mean absolute cosine similarity over the K*(K-1)/2 pairs of rows
    ("rows") or columns ("columns"), times ``factor``. A ``Dense`` kernel of
    shape ``(input_dim, units)`` in rows mode makes the input features'
    weight vectors point in different directions.

    Args:
        factor: the weight of the penalty (0.01), a non-negative number.
        mode: ``"rows"`` or ``"columns"``.
    """

    def __init__(self, factor=0.01, mode="rows"):
        if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not math.isfinite(factor) \
                or factor < 0:
            raise ValueError(f"Invalid value for argument factor: expected a non-negative float."
                             f"Received: factor={factor}")
        if mode not in ("rows", "columns"):
            raise ValueError(f'Invalid value for argument `mode`. Expected one of {{"rows", "columns"}}. '
                             f"Received: mode={mode}")
        self.factor, self.mode = float(factor), mode

    def __call__(self, x):
        if len(x.shape) != 2:
            raise ValueError(f"Inputs to OrthogonalRegularizer must have rank 2. Received: inputs.shape={x.shape}")
        x = ops.convert_to_tensor(x)
        axis = 1 if self.mode == "rows" else 0
        # Unit vectors; a zero vector stays zero (Keras's x * min(1/|x|, 1/epsilon)).
        unit = x * ops.rsqrt(ops.maximum(ops.sum(ops.square(x), axis=axis, keepdims=True), backend.epsilon() ** 2))
        # Cosine similarities of all pairs: (K, D) x (D, K) -> (K, K).
        product = ops.matmul(unit, ops.transpose(unit)) if axis == 1 else ops.matmul(ops.transpose(unit), unit)
        size = product.shape[0]
        off_diagonal = product * (1.0 - ops.eye(size, dtype=product.dtype))
        pairs = size * (size - 1.0) / 2.0
        return self.factor * 0.5 * ops.sum(ops.absolute(off_diagonal)) / pairs

    def get_config(self):
        # Keras keeps the factor as a float32 tensor, so its config says 0.30000001192092896 for 0.3.
        return {"factor": float(numpy.float32(self.factor)), "mode": self.mode}


l1 = L1  # Keras's lower-case names of the same classes
l2 = L2
l1_l2 = L1L2
orthogonal_regularizer = OrthogonalRegularizer

# Name -> class: class names and Keras's snake_case names.
ALL_OBJECTS = {"L1": L1, "l1": L1, "L2": L2, "l2": L2, "L1L2": L1L2, "l1l2": L1L2,
               "Regularizer": Regularizer, "regularizer": Regularizer,
               "OrthogonalRegularizer": OrthogonalRegularizer, "orthogonal_regularizer": OrthogonalRegularizer}


def serialize(regularizer):
    """Returns the Keras config dict of a regularizer (None for None)."""
    return serialize_object(regularizer, "keras.regularizers")


def deserialize(config, custom_objects=None):
    """Rebuilds a regularizer from ``serialize``'s dict (or a bare name)."""
    return deserialize_object(config, ALL_OBJECTS, "regularizer", custom_objects)


def get(identifier):
    """Returns a regularizer for a name (``"l2"``), dict, object, class or callable.

    Returns:
        A callable ``(weight) -> scalar``, or None for None.
    """
    return get_object(identifier, ALL_OBJECTS, Regularizer, "regularizer")


__all__ = ["ALL_OBJECTS", "L1", "L1L2", "L2", "OrthogonalRegularizer", "Regularizer", "deserialize", "get", "l1",
           "l1_l2", "l2", "orthogonal_regularizer", "serialize"]
