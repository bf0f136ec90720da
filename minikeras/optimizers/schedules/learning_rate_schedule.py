"""Learning-rate schedules: the learning rate as a function of the step.

Place in the stack: used by ``minikeras/optimizers/optimizer.py``. An
optimizer created with ``learning_rate=ExponentialDecay(...)`` asks the
schedule for the rate at every step, passing its ``iterations`` counter
(0 for the first step), and keeps no ``learning_rate`` variable.

A schedule is a callable ``schedule(step) -> rate``. As in Keras, the
arithmetic runs in the dtype of ``initial_learning_rate`` converted by the
backend, so ``floatx()`` (float32): the rates match Keras's to the last bit.
"""

import math

from minikeras import backend


def _float(value):
    """``value`` as a 0-d array of ``floatx()`` (Keras computes schedules in it)."""
    return backend.convert_to_tensor(value, dtype=backend.floatx())


class LearningRateSchedule:
    """Base class: subclasses define ``__call__(step)`` and ``get_config()``."""

    def __call__(self, step):
        raise NotImplementedError(f"abstract: schedule '{type(self).__name__}' must override `__call__(self, step)`.")

    def get_config(self):
        raise NotImplementedError(f"abstract: schedule '{type(self).__name__}' must override `get_config()`.")

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class ExponentialDecay(LearningRateSchedule):
    """``rate = initial_learning_rate * decay_rate ** (step / decay_steps)``.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: the number of steps over which the rate is multiplied
            by ``decay_rate`` once.
        decay_rate: the factor per ``decay_steps``.
        staircase: decay in whole steps (``floor(step / decay_steps)``).
        name: kept for the config.
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="ExponentialDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name
        if self.decay_steps <= 0:
            raise ValueError(f"Argument `decay_steps` must be > 0. Received: decay_steps={self.decay_steps}")

    def __call__(self, step):
        xp = backend.get_xp()
        exponent = _float(step) / _float(self.decay_steps)
        if self.staircase:
            exponent = xp.floor(exponent)
        return _float(self.initial_learning_rate) * xp.power(_float(self.decay_rate), exponent)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


class PiecewiseConstantDecay(LearningRateSchedule):
    """A constant rate per interval of steps.

    ``values[0]`` while ``step <= boundaries[0]``, ``values[i]`` while
    ``boundaries[i-1] < step <= boundaries[i]``, ``values[-1]`` after the last
    boundary.

    Args:
        boundaries: increasing step counts, one fewer than ``values``.
        values: the rates.
        name: kept for the config.
    """

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. "
                f"Received: boundaries={boundaries} of length {len(boundaries)}, and values={values} "
                f"of length {len(values)}."
            )
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        step = float(step)
        for boundary, value in zip(self.boundaries, self.values):
            if step <= boundary:
                return _float(value)
        return _float(self.values[-1])

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Cosine decay (Loshchilov and Hutter's SGDR without restarts), with optional warmup.

    Without warmup: ``rate = initial * ((1 - alpha) * 0.5 * (1 + cos(pi * t / decay_steps)) + alpha)``
    with ``t = min(step, decay_steps)``. With ``warmup_target``, the rate first
    grows linearly from ``initial_learning_rate`` to ``warmup_target`` over
    ``warmup_steps``, then decays from ``warmup_target``.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: the number of steps of the decay.
        alpha: the final rate, as a fraction of the decayed-from rate.
        name: kept for the config.
        warmup_target: the rate at the end of the warmup (None: no warmup).
        warmup_steps: the number of warmup steps.
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_steps = warmup_steps
        self.warmup_target = warmup_target
        if self.decay_steps <= 0:
            raise ValueError(f"Argument `decay_steps` must be > 0. Received: decay_steps={self.decay_steps}")

    def _decay(self, step, decay_from):
        xp = backend.get_xp()
        completed_fraction = step / _float(self.decay_steps)
        cosine_decayed = 0.5 * (1.0 + xp.cos(_float(math.pi) * completed_fraction))
        decayed = (1 - self.alpha) * cosine_decayed + self.alpha
        return (decay_from * decayed).astype(backend.floatx())

    def __call__(self, step):
        xp = backend.get_xp()
        initial = _float(self.initial_learning_rate)
        step = _float(step)
        if self.warmup_target is None:
            return self._decay(xp.minimum(step, _float(self.decay_steps)), initial)
        warmup_target, warmup_steps = _float(self.warmup_target), _float(self.warmup_steps)
        step = xp.minimum(step, _float(self.decay_steps) + warmup_steps)
        if step < warmup_steps:
            # Linear warmup from the initial rate to the target.
            return (warmup_target - initial) * (step / warmup_steps) + initial
        return self._decay(step - warmup_steps, warmup_target)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "name": self.name,
            "warmup_target": self.warmup_target,
            "warmup_steps": self.warmup_steps,
        }
