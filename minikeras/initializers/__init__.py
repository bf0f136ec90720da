"""``minikeras.initializers``: the first values of the weights (Keras's ``keras.initializers``).

Place in the stack: above ``minikeras.backend``, below ``minikeras.layers``
(``Layer.add_weight(initializer=...)`` calls ``get`` here). Read
``initializer.py`` (the base class and constants), then
``random_initializers.py`` (why Glorot, He and LeCun scale by the fans).

``get`` turns what a user writes (``"he_normal"``, ``"HeNormal"``, an object,
a ``{"class_name": ..., "config": ...}`` dict or any callable) into an
initializer. The name table below is the only place names are resolved.
"""

import numpy

from minikeras import backend
from minikeras.backend.object_lookup import deserialize_object
from minikeras.backend.object_lookup import get_object
from minikeras.backend.object_lookup import serialize_object
from minikeras.initializers.initializer import Constant
from minikeras.initializers.initializer import Identity
from minikeras.initializers.initializer import Initializer
from minikeras.initializers.initializer import Ones
from minikeras.initializers.initializer import Zeros
from minikeras.initializers.random_initializers import GlorotNormal
from minikeras.initializers.random_initializers import GlorotUniform
from minikeras.initializers.random_initializers import HeNormal
from minikeras.initializers.random_initializers import HeUniform
from minikeras.initializers.random_initializers import LecunNormal
from minikeras.initializers.random_initializers import LecunUniform
from minikeras.initializers.random_initializers import Orthogonal
from minikeras.initializers.random_initializers import RandomInitializer
from minikeras.initializers.random_initializers import RandomNormal
from minikeras.initializers.random_initializers import RandomUniform
from minikeras.initializers.random_initializers import TruncatedNormal
from minikeras.initializers.random_initializers import VarianceScaling
from minikeras.initializers.random_initializers import compute_fans
from minikeras.initializers.stft_initializer import STFT

# Every name Keras 3 accepts, class names and snake_case aliases alike.
ALL_OBJECTS = {
    "Constant": Constant, "constant": Constant,
    "GlorotNormal": GlorotNormal, "glorot_normal": GlorotNormal,
    "GlorotUniform": GlorotUniform, "glorot_uniform": GlorotUniform,
    "HeNormal": HeNormal, "he_normal": HeNormal,
    "HeUniform": HeUniform, "he_uniform": HeUniform,
    "Identity": Identity, "identity": Identity, "IdentityInitializer": Identity,
    "LecunNormal": LecunNormal, "lecun_normal": LecunNormal,
    "LecunUniform": LecunUniform, "lecun_uniform": LecunUniform,
    "Ones": Ones, "ones": Ones, "one": Ones,
    "Orthogonal": Orthogonal, "orthogonal": Orthogonal, "OrthogonalInitializer": Orthogonal,
    "RandomNormal": RandomNormal, "random_normal": RandomNormal, "normal": RandomNormal,
    "RandomUniform": RandomUniform, "random_uniform": RandomUniform, "uniform": RandomUniform,
    "STFT": STFT, "stft": STFT, "STFTInitializer": STFT,
    "TruncatedNormal": TruncatedNormal, "truncated_normal": TruncatedNormal,
    "VarianceScaling": VarianceScaling, "variance_scaling": VarianceScaling,
    "Zeros": Zeros, "zeros": Zeros, "zero": Zeros,
}


def serialize(initializer):
    """Returns the Keras config dict of an initializer (as saved in ``.keras`` files).

    Returns:
        ``{"module": "keras.initializers", "class_name": ..., "config": ...,
        "registered_name": None}``, or None for None.
    """
    return serialize_object(initializer, "keras.initializers")


def deserialize(config, custom_objects=None):
    """Rebuilds an initializer from ``serialize``'s dict (or a bare name)."""
    return deserialize_object(config, ALL_OBJECTS, "initializer", custom_objects)


def get(identifier):
    """Returns an initializer for ``identifier``.

    Args:
        identifier: None, a name (``"glorot_uniform"``, ``"GlorotUniform"``),
            a config dict, an ``Initializer`` instance or class, a callable
            ``(shape, dtype=None) -> array``, or an array whose value is used
            as is (the shape asked for must match).
    Returns:
        A callable ``(shape, dtype=None)``, or None for None.
    """
    if isinstance(identifier, numpy.ndarray) or hasattr(identifier, "__minikeras_array__"):
        return _from_array(identifier)
    return get_object(identifier, ALL_OBJECTS, Initializer, "initializer")


def _from_array(value):
    """An initializer that returns a given array (checking the shape)."""
    def initialize(shape, dtype=None):
        if tuple(shape) != tuple(value.shape):
            raise ValueError(
                f"Expected `shape` to be {tuple(value.shape)} for direct tensor as initializer. "
                f"Received shape={tuple(shape)}"
            )
        return backend.convert_to_tensor(value, dtype=dtype or backend.floatx())
    return initialize


__all__ = [
    "ALL_OBJECTS", "Constant", "GlorotNormal", "GlorotUniform", "HeNormal", "HeUniform",
    "Identity", "Initializer", "LecunNormal", "LecunUniform", "Ones", "Orthogonal",
    "RandomInitializer", "RandomNormal", "RandomUniform", "STFT", "TruncatedNormal", "VarianceScaling",
    "Zeros", "compute_fans", "deserialize", "get", "serialize",
]

# ----- issue 18: Keras's module-level aliases of the classes (keras.initializers.glorot_uniform...) -----
constant = Constant
glorot_normal = GlorotNormal
glorot_uniform = GlorotUniform
he_normal = HeNormal
he_uniform = HeUniform
identity = IdentityInitializer = Identity
lecun_normal = LecunNormal
lecun_uniform = LecunUniform
ones = Ones
orthogonal = OrthogonalInitializer = Orthogonal
random_normal = RandomNormal
random_uniform = RandomUniform
stft = STFTInitializer = STFT
truncated_normal = TruncatedNormal
variance_scaling = VarianceScaling
zeros = Zeros
