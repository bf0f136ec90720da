"""``minikeras.optimizers``: how weights move given their gradients (Keras's ``keras.optimizers``).

Place in the stack: beside ``minikeras.trainers``, which calls
``optimizer.apply(grads, model.trainable_variables)`` once per batch. Read
``optimizer.py`` (the base class: clipping, weight decay, the state
variables), then ``sgd.py``, ``adam.py``, ``rmsprop.py``, ``nadam.py``, and
``schedules/`` for learning rates that change with the step.

``get`` turns what ``compile(optimizer=...)`` receives (``"adam"``, an
optimizer, a config dict) into an optimizer. The name table below is the
only place names are resolved.
"""

from minikeras.backend.object_lookup import serialize_object
from minikeras.optimizers import schedules
from minikeras.optimizers.adam import Adam
from minikeras.optimizers.adam import AdamW
from minikeras.optimizers.nadam import Nadam
from minikeras.optimizers.optimizer import Optimizer
from minikeras.optimizers.rmsprop import Adagrad
from minikeras.optimizers.rmsprop import RMSprop
from minikeras.optimizers.sgd import SGD
# ----- issue 18: more optimizers -----
from minikeras.optimizers.adafactor import Adafactor  # noqa: E402
from minikeras.optimizers.loss_scale_optimizer import LossScaleOptimizer  # noqa: E402
from minikeras.optimizers.adamax_adadelta import Adadelta  # noqa: E402
from minikeras.optimizers.adamax_adadelta import Adamax  # noqa: E402
from minikeras.optimizers.ftrl import Ftrl  # noqa: E402
from minikeras.optimizers.lion_lamb import Lamb  # noqa: E402
from minikeras.optimizers.lion_lamb import Lion  # noqa: E402
from minikeras.optimizers.multi_optimizer import MultiOptimizer  # noqa: E402
from minikeras.optimizers.multi_optimizer import OptimizerMap  # noqa: E402
from minikeras.optimizers.muon import Muon  # noqa: E402
from minikeras.optimizers.schedule_free_adamw import ScheduleFreeAdamW  # noqa: E402

# Lower-case name or class name -> class. Keras's own table, in one place.
ALL_OPTIMIZERS = {
    "sgd": SGD,
    "adam": Adam,
    "adamw": AdamW,
    "rmsprop": RMSprop,
    "adagrad": Adagrad,
    "nadam": Nadam,
    # issue 18
    "adamax": Adamax,
    "adadelta": Adadelta,
    "ftrl": Ftrl,
    "lion": Lion,
    "lamb": Lamb,
    "adafactor": Adafactor,
    "lossscaleoptimizer": LossScaleOptimizer,
    "muon": Muon,
    "schedulefreeadamw": ScheduleFreeAdamW,
    "multioptimizer": MultiOptimizer,
}


def serialize(optimizer):
    """An optimizer as the ``.keras`` format writes it."""
    builtin = ALL_OPTIMIZERS.get(type(optimizer).__name__.lower()) is type(optimizer)
    return serialize_object(optimizer, "keras.optimizers", builtin)


def deserialize(config, custom_objects=None):
    """Rebuilds an optimizer from ``serialize``'s dict."""
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or ALL_OPTIMIZERS.get(name.lower())
    if cls is None:
        raise ValueError(f"Could not interpret optimizer identifier: {config}")
    return cls.from_config(config["config"], custom_objects=custom_objects)


def get(identifier):
    """Returns an optimizer for ``identifier``.

    Args:
        identifier: an ``Optimizer`` (returned as is), a name such as
            ``"adam"`` or ``"RMSprop"`` (a new optimizer with the defaults),
            or a ``{"class_name": ..., "config": ...}`` dict.
    Returns:
        An ``Optimizer``.
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str) and identifier.lower() in ALL_OPTIMIZERS:
        return ALL_OPTIMIZERS[identifier.lower()]()
    raise ValueError(f"Could not interpret optimizer identifier: {identifier}")
