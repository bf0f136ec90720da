"""The ``Initializer`` base class and the constant initializers.

Place in the stack: beside the layers, above ``minikeras.backend``. An
initializer answers one question: "what is the first value of a weight of
this shape?". ``Layer.add_weight`` (``minikeras/layers/layer.py``) asks it
once, when the layer is built, and stores the answer in a ``Variable``. Read
next: ``random_initializers.py``, where the answers are random draws whose
spread depends on the weight's shape (Glorot, He, LeCun).

An initializer is called as ``initializer(shape, dtype=None)`` and returns a
raw array of the configured backend (``numpy.ndarray`` or ``cupy.ndarray``).
"""

from minikeras import backend


class Initializer:
    """Base class: a callable ``(shape, dtype=None) -> array`` with a config.

    Subclasses define ``__call__`` and, when they take arguments,
    ``get_config`` returning those arguments as a dict, so that
    ``cls.from_config(obj.get_config())`` rebuilds an equal initializer.
    """

    def __call__(self, shape, dtype=None):
        raise NotImplementedError("abstract: every Initializer subclass defines __call__")

    def get_config(self):
        """Returns the constructor arguments as a JSON-friendly dict."""
        return {}

    @classmethod
    def from_config(cls, config):
        """Rebuilds the initializer from the dict of ``get_config``."""
        return cls(**config)

    def clone(self):
        """Returns a fresh initializer with the same configuration."""
        return self.__class__.from_config(self.get_config())

    def __repr__(self):
        return f"<{type(self).__name__} {self.get_config()}>"


def _dtype(dtype):
    """The dtype of a new weight: the one asked for, else ``floatx()``."""
    return backend.standardize_dtype(dtype) or backend.floatx()


class Zeros(Initializer):
    """Fills the weight with 0 (Keras's default for biases and ``beta``).

    Example:
        >>> Zeros()((2, 3))  # a (2, 3) array of 0.0
    """

    def __call__(self, shape, dtype=None):
        return backend.get_xp().zeros(tuple(shape), dtype=_dtype(dtype))


class Ones(Initializer):
    """Fills the weight with 1 (Keras's default for ``gamma`` and variances)."""

    def __call__(self, shape, dtype=None):
        return backend.get_xp().ones(tuple(shape), dtype=_dtype(dtype))


class Constant(Initializer):
    """Fills the weight with one scalar value.

    Args:
        value: the Python number every entry gets.
    """

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        return backend.get_xp().full(tuple(shape), self.value, dtype=_dtype(dtype))

    def get_config(self):
        return {"value": self.value}


class Identity(Initializer):
    """``gain`` times the identity matrix; only for 2D weights.

    Args:
        gain: the value on the diagonal.
    """

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        if len(shape) != 2:
            raise ValueError(
                "Identity matrix initializer can only be used for 2D matrices. "
                f"Received: shape={tuple(shape)} of rank {len(shape)}."
            )
        return self.gain * backend.get_xp().eye(*shape, dtype=_dtype(dtype))

    def get_config(self):
        return {"gain": self.gain}
