"""``minikeras.constraints``: projections applied to weights after each update.

Place in the stack: above ``minikeras.ops``, below ``minikeras.layers`` and
``minikeras.optimizers``. ``Dense(4, kernel_constraint=MaxNorm(2))`` stores
the constraint on the kernel Variable (``variable.constraint``); after the
optimizer changes the variable it assigns ``constraint(variable)`` back, so
the weight never leaves the allowed set.
"""

from minikeras import backend
from minikeras import ops
from minikeras.backend.object_lookup import deserialize_object
from minikeras.backend.object_lookup import get_object
from minikeras.backend.object_lookup import serialize_object


class Constraint:
    """Base class: ``constraint(w) -> projected w`` (the identity here)."""

    def __call__(self, w):
        return w

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} {self.get_config()}>"


def _norms(w, axis):
    """Euclidean norms along ``axis``, kept as size-1 axes for broadcasting."""
    return ops.sqrt(ops.sum(ops.square(w), axis=axis, keepdims=True))


class MaxNorm(Constraint):
    """Rescales each weight vector whose norm exceeds ``max_value`` down to it.

    Args:
        max_value: the largest allowed norm (2).
        axis: the axis (or axes) the norm runs over. For a Dense kernel
            ``(in, out)``, ``axis=0`` bounds each unit's incoming weights; for
            a Conv2D kernel ``(KH, KW, C, F)`` use ``axis=[0, 1, 2]``.
    """

    def __init__(self, max_value=2, axis=0):
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = ops.clip(norms, 0, self.max_value)
        # epsilon keeps an all-zero vector at zero instead of 0 / 0.
        return ops.multiply(w, ops.divide(desired, ops.add(norms, backend.epsilon())))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Replaces negative weights with 0."""

    def __call__(self, w):
        return ops.maximum(w, 0.0)


class UnitNorm(Constraint):
    """Divides each weight vector by its norm along ``axis`` (0)."""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        return ops.divide(w, ops.add(_norms(w, self.axis), backend.epsilon()))

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Moves each norm toward ``[min_value, max_value]`` by the fraction ``rate``.

    Args:
        min_value, max_value: the allowed range of norms (0.0, 1.0).
        rate: 1.0 projects at once; smaller values move part of the way.
        axis: as in ``MaxNorm``.
    """

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        clipped = ops.clip(norms, self.min_value, self.max_value)
        desired = ops.add(ops.multiply(self.rate, clipped), ops.multiply(1.0 - self.rate, norms))
        return ops.multiply(w, ops.divide(desired, ops.add(norms, backend.epsilon())))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


max_norm = MaxNorm  # Keras's lower-case names of the same classes
non_neg = NonNeg
unit_norm = UnitNorm
min_max_norm = MinMaxNorm

# Name -> class: class names and Keras's snake_case names.
ALL_OBJECTS = {"Constraint": Constraint, "constraint": Constraint, "MaxNorm": MaxNorm,
               "max_norm": MaxNorm, "MinMaxNorm": MinMaxNorm, "min_max_norm": MinMaxNorm,
               "NonNeg": NonNeg, "non_neg": NonNeg, "UnitNorm": UnitNorm, "unit_norm": UnitNorm}


def serialize(constraint):
    """Returns the Keras config dict of a constraint (None for None)."""
    return serialize_object(constraint, "keras.constraints")


def deserialize(config, custom_objects=None):
    """Rebuilds a constraint from ``serialize``'s dict (or a bare name)."""
    return deserialize_object(config, ALL_OBJECTS, "constraint", custom_objects)


def get(identifier):
    """Returns a constraint for a name (``"non_neg"``), dict, object, class or callable."""
    return get_object(identifier, ALL_OBJECTS, Constraint, "constraint")


__all__ = ["ALL_OBJECTS", "Constraint", "MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm",
           "deserialize", "get", "max_norm", "min_max_norm", "non_neg", "serialize", "unit_norm"]
