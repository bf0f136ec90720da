"""``minikeras.optimizers.schedules``: learning rates that change with the step.

Place in the stack: below ``minikeras.optimizers`` (an optimizer calls its
schedule once per step). Read ``learning_rate_schedule.py``.
"""

from minikeras.optimizers.schedules.learning_rate_schedule import CosineDecay
from minikeras.optimizers.schedules.learning_rate_schedule import ExponentialDecay
from minikeras.optimizers.schedules.learning_rate_schedule import LearningRateSchedule
from minikeras.optimizers.schedules.learning_rate_schedule import PiecewiseConstantDecay
from minikeras.optimizers.schedules.more_schedules import CosineDecayRestarts
from minikeras.optimizers.schedules.more_schedules import InverseTimeDecay
from minikeras.optimizers.schedules.more_schedules import PolynomialDecay

# The only place a schedule's class name is resolved (for configs).
ALL_SCHEDULES = {
    "ExponentialDecay": ExponentialDecay,
    "PiecewiseConstantDecay": PiecewiseConstantDecay,
    "CosineDecay": CosineDecay,
    "CosineDecayRestarts": CosineDecayRestarts,
    "InverseTimeDecay": InverseTimeDecay,
    "PolynomialDecay": PolynomialDecay,
}


def serialize(schedule):
    """A schedule as Keras writes it: ``{module, class_name, config, registered_name}``."""
    name = type(schedule).__name__
    if ALL_SCHEDULES.get(name) is type(schedule):
        module, registered_name = "keras.optimizers.schedules", None
    else:
        module, registered_name = type(schedule).__module__, name
    return {"module": module, "class_name": name, "config": schedule.get_config(),
            "registered_name": registered_name}


def deserialize(config, custom_objects=None):
    """Rebuilds a schedule from ``serialize``'s dict (custom classes via ``custom_objects``)."""
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or ALL_SCHEDULES.get(name)
    if cls is None:
        raise ValueError(
            f"Could not interpret learning rate schedule {name!r}. Known schedules: {sorted(ALL_SCHEDULES)}; "
            "pass custom ones in `custom_objects`."
        )
    return cls.from_config(config["config"])
