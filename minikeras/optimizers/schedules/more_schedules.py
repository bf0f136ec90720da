"""Polynomial, inverse-time and cosine-with-restarts schedules.

Place in the stack: beside ``learning_rate_schedule.py`` (read it first: the
base class and why the arithmetic runs in ``floatx()``). With ``s`` the step:

* ``PolynomialDecay``: from ``initial`` to ``end`` over ``decay_steps`` along
  ``(1 - s / decay_steps)**power``, then flat (or, with ``cycle``, again over
  the next multiple of ``decay_steps``);
* ``InverseTimeDecay``: ``initial / (1 + decay_rate * s / decay_steps)``;
* ``CosineDecayRestarts`` (SGDR, Loshchilov and Hutter, 2017): a cosine from
  ``initial`` down to ``alpha * initial`` over ``first_decay_steps``, then a
  restart; each period is ``t_mul`` times longer and starts ``m_mul`` times lower.
"""

import math

from minikeras import backend
from minikeras.optimizers.schedules.learning_rate_schedule import LearningRateSchedule
from minikeras.optimizers.schedules.learning_rate_schedule import _float


def _check_steps(name, value):
    if value <= 0:
        raise ValueError(f"Argument `{name}` must be > 0. Received: {name}={value}")


class PolynomialDecay(LearningRateSchedule):
    """``(initial - end) * (1 - min(s, decay_steps) / decay_steps)**power + end``.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: the steps to reach ``end_learning_rate``.
        end_learning_rate: the final rate (0.0001).
        power: the polynomial's power (1.0: linear).
        cycle: restart the decay over ``ceil(s / decay_steps) * decay_steps`` steps.
        name: kept for the config.
    """

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0, cycle=False,
                 name="PolynomialDecay"):
        _check_steps("decay_steps", decay_steps)
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.end_learning_rate, self.power, self.cycle, self.name = end_learning_rate, power, cycle, name

    def __call__(self, step):
        xp = backend.get_xp()
        step, decay_steps = _float(step), _float(self.decay_steps)
        if self.cycle:
            # The first multiple of decay_steps at or after the step (1 at step 0).
            multiplier = _float(1.0) if step == 0 else xp.ceil(step / decay_steps)
            decay_steps = decay_steps * multiplier
        else:
            step = xp.minimum(step, decay_steps)
        initial, end = _float(self.initial_learning_rate), _float(self.end_learning_rate)
        return (initial - end) * xp.power(1 - step / decay_steps, _float(self.power)) + end

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "end_learning_rate": self.end_learning_rate, "power": self.power, "cycle": self.cycle,
                "name": self.name}


class InverseTimeDecay(LearningRateSchedule):
    """``initial / (1 + decay_rate * s / decay_steps)`` (``floor`` of the ratio with ``staircase``).

    Args:
        initial_learning_rate, decay_steps, decay_rate, staircase, name: as in ``ExponentialDecay``.
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="InverseTimeDecay"):
        _check_steps("decay_steps", decay_steps)
        self.initial_learning_rate, self.decay_steps, self.decay_rate = initial_learning_rate, decay_steps, decay_rate
        self.staircase, self.name = staircase, name

    def __call__(self, step):
        ratio = _float(step) / _float(self.decay_steps)
        if self.staircase:
            ratio = backend.get_xp().floor(ratio)
        return _float(self.initial_learning_rate) / (_float(1) + _float(self.decay_rate) * ratio)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR).

    Args:
        initial_learning_rate: the rate at step 0.
        first_decay_steps: the length of the first period.
        t_mul: each period is this many times longer than the one before (2.0).
        m_mul: each period starts this many times lower (1.0).
        alpha: the floor, as a fraction of the period's starting rate (0.0).
        name: kept for the config (Keras's default: ``"SGDRDecay"``).
    """

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0,
                 name="SGDRDecay"):
        _check_steps("first_decay_steps", first_decay_steps)
        self.initial_learning_rate, self.first_decay_steps = initial_learning_rate, first_decay_steps
        self._t_mul, self._m_mul, self.alpha, self.name = t_mul, m_mul, alpha, name

    def _period_and_fraction(self, completed):
        """``(i, f)``: the index of the current period and the fraction of it done.

        Periods of lengths 1, t, t**2... (in units of ``first_decay_steps``)
        end at ``(1 - t**i) / (1 - t)``, so ``i = floor(log(1 - c (1 - t)) / log t)``.
        """
        xp = backend.get_xp()
        t_mul = _float(self._t_mul)
        if self._t_mul == 1.0:
            period = xp.floor(completed)
            return period, completed - period
        period = xp.floor(xp.log(_float(1.0 - completed * (1.0 - t_mul))) / xp.log(t_mul))
        periods_done = (1.0 - xp.power(t_mul, period)) / (1.0 - t_mul)
        return period, (completed - periods_done) / xp.power(t_mul, period)

    def __call__(self, step):
        xp = backend.get_xp()
        period, fraction = self._period_and_fraction(_float(step) / _float(self.first_decay_steps))
        start = xp.power(_float(self._m_mul), period)
        cosine = 0.5 * start * (1.0 + xp.cos(_float(math.pi) * fraction))
        alpha = _float(self.alpha)
        return _float(self.initial_learning_rate) * ((1 - alpha) * cosine + alpha)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "first_decay_steps": self.first_decay_steps,
                "t_mul": self._t_mul, "m_mul": self._m_mul, "alpha": self.alpha, "name": self.name}
