"""``minikeras.activations``: activation functions by name (Keras's ``keras.activations``).

Place in the stack: above ``minikeras.ops``, below ``minikeras.layers``.
``Dense(10, activation="softmax")`` calls ``get("softmax")`` here and gets
back the plain function of ``activations.py``. The table below is the only
place activation names are resolved.
"""

from minikeras.activations.activations import elu
from minikeras.activations.activations import exponential
from minikeras.activations.activations import gelu
from minikeras.activations.activations import hard_sigmoid
from minikeras.activations.activations import hard_silu
from minikeras.activations.activations import leaky_relu
from minikeras.activations.activations import linear
from minikeras.activations.activations import log_sigmoid
from minikeras.activations.activations import log_softmax
from minikeras.activations.activations import mish
from minikeras.activations.activations import relu
from minikeras.activations.activations import relu6
from minikeras.activations.activations import selu
from minikeras.activations.activations import sigmoid
from minikeras.activations.activations import silu
from minikeras.activations.activations import softmax
from minikeras.activations.activations import softplus
from minikeras.activations.activations import softsign
from minikeras.activations.activations import tanh

from minikeras.ops.activation_ops import celu  # noqa: E402  (issue 18: ops that are activations)
from minikeras.ops.activation_ops import glu  # noqa: E402  (issue 18: ops that are activations)
from minikeras.ops.activation_ops import hard_shrink  # noqa: E402  (issue 18: ops that are activations)
from minikeras.ops.activation_ops import hard_tanh  # noqa: E402  (issue 18: ops that are activations)
from minikeras.ops.activation_ops import soft_shrink  # noqa: E402  (issue 18: ops that are activations)
from minikeras.ops.activation_ops import sparse_plus  # noqa: E402  (issue 18: ops that are activations)
from minikeras.ops.activation_ops import sparse_sigmoid  # noqa: E402  (issue 18: ops that are activations)
from minikeras.ops.activation_ops import squareplus  # noqa: E402  (issue 18: ops that are activations)
from minikeras.ops.activation_ops import tanh_shrink  # noqa: E402  (issue 18: ops that are activations)
from minikeras.ops.activation_ops import threshold  # noqa: E402  (issue 18: ops that are activations)
from minikeras.ops.nn_normalization import sparsemax  # noqa: E402  (issue 18: ops that are activations)

swish = silu  # Keras's other names for the same functions
hard_swish = hard_silu

# Name -> function. "swish" and "hard_swish" are Keras's aliases.
ALL_OBJECTS = {
    "elu": elu,
    "exponential": exponential,
    "gelu": gelu,
    "hard_sigmoid": hard_sigmoid,
    "hard_silu": hard_silu,
    "hard_swish": hard_silu,
    "leaky_relu": leaky_relu,
    "linear": linear,
    "log_sigmoid": log_sigmoid,
    "log_softmax": log_softmax,
    "mish": mish,
    "relu": relu,
    "relu6": relu6,
    "selu": selu,
    "sigmoid": sigmoid,
    "silu": silu,
    "softmax": softmax,
    "softplus": softplus,
    "softsign": softsign,
    "swish": silu,
    "tanh": tanh,
    "celu": celu,
    "glu": glu,
    "hard_shrink": hard_shrink,
    "hard_tanh": hard_tanh,
    "soft_shrink": soft_shrink,
    "sparse_plus": sparse_plus,
    "sparse_sigmoid": sparse_sigmoid,
    "squareplus": squareplus,
    "tanh_shrink": tanh_shrink,
    "threshold": threshold,
    "sparsemax": sparsemax,
}


def get(identifier):
    """Returns the activation function for ``identifier``.

    Args:
        identifier: None (the identity, ``linear``), a name such as
            ``"relu"``, a serialized dict, or any callable (returned as is).
    Returns:
        A callable ``f(x)``.
    """
    if identifier is None:
        return linear
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        if identifier not in ALL_OBJECTS:
            raise ValueError(
                f"Could not interpret activation function identifier: {identifier}. "
                f"Known names: {sorted(ALL_OBJECTS)}"
            )
        return ALL_OBJECTS[identifier]
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret activation function identifier: {identifier}")


def serialize(activation):
    """Returns what a layer config stores for an activation.

    A built-in function becomes its name (``"relu"``), as in Keras; any other
    function becomes Keras's function dict, and an object its class dict.
    """
    for name, function in ALL_OBJECTS.items():
        if activation is function and name not in ("swish", "hard_swish"):
            return name
    if hasattr(activation, "get_config"):
        return {"module": type(activation).__module__, "class_name": type(activation).__name__,
                "config": activation.get_config(), "registered_name": type(activation).__name__}
    name = getattr(activation, "__name__", None)
    if name is None:
        raise ValueError(f"Unknown activation function '{activation}' cannot be serialized.")
    return {"module": "builtins", "class_name": "function", "config": name,
            "registered_name": "function"}


def deserialize(config, custom_objects=None):
    """Rebuilds an activation from ``serialize``'s output (a name or a dict)."""
    custom_objects = custom_objects or {}
    if isinstance(config, str):
        return custom_objects.get(config) or get(config)
    if config.get("class_name") == "function":
        name = config["config"]
        return custom_objects.get(name) or get(name)
    cls = custom_objects.get(config.get("class_name"))
    if cls is None:
        raise ValueError(
            f"Could not interpret activation function identifier: {config}. A custom activation "
            "object needs `custom_objects={name: cls}`."
        )
    return cls.from_config(config.get("config") or {})


__all__ = ["ALL_OBJECTS", "deserialize", "get", "serialize", *sorted(ALL_OBJECTS)]
