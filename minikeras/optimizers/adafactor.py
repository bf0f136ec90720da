"""Adafactor: Adam's per-weight scaling with a factored second moment (much less memory).

Place in the stack: a concrete optimizer over ``optimizer.py``; read
``adam.py`` first. Shazeer & Stern (2018), "Adafactor: Adaptive Learning
Rates with Sublinear Memory Cost".

Adam keeps ``v``, a running mean of ``g**2``, as big as the weight. For a
matrix (R, C) Adafactor keeps only its row means ``r`` (R,) and column
means ``c`` (C,) and rebuilds ``v`` as their outer product, ``r c / mean(r)``
(the best rank-1 fit in the KL sense): R + C numbers instead of R * C.
For a weight of rank < 2 it keeps the full ``v``. Each step, at step t:

    rho   = min(lr, 1 / sqrt(t))                     (relative step size)
    alpha = max(epsilon_2, rms(w)) * rho             (step proportional to the weight's size)
    g2    = g**2 + epsilon_1
    beta  = 1 - t ** beta_2_decay                    (0 at t = 1, -> 1: a mean over more and more steps)
    rank >= 2:  r <- beta r + (1 - beta) mean(g2, axis=-1)     (..., R)
                c <- beta c + (1 - beta) mean(g2, axis=-2)     (..., C)
                v  = (r / mean(r, axis=-1))[..., None] * c[..., None, :]
    rank < 2:   v <- beta v + (1 - beta) g2
    u = g / sqrt(v);   u <- u / max(1, rms(u) / clip_threshold)   (update clipping)
    w <- w - alpha * u

No first moment (no momentum): that is the other half of the memory saved.
Keras's implementation (whose state layout this one keeps, so that saved
files match) still stores the rebuilt ``v`` in a full-size slot; the
running statistics are the factored ``r`` and ``c``.
Read next: ``lion_lamb.py``.
"""

from minikeras.backend import get_xp
from minikeras.optimizers.optimizer import Optimizer


class Adafactor(Optimizer):
    """The Adafactor optimizer.

    Args:
        learning_rate: float or schedule (0.001); with ``relative_step`` a float
            rate is capped at ``1 / sqrt(step)``.
        beta_2_decay: exponent of the second-moment decay schedule (-0.8).
        epsilon_1: added to ``g**2`` (1e-30).
        epsilon_2: floor of the weight's RMS in the step size (0.001).
        clip_threshold: update clipping threshold on ``rms(u)`` (1.0).
        relative_step: cap a float learning rate at ``1 / sqrt(step)``.
        name, **kwargs: the base ``Optimizer`` arguments.
    """

    def __init__(self, learning_rate=0.001, beta_2_decay=-0.8, epsilon_1=1e-30, epsilon_2=1e-3, clip_threshold=1.0,
                 relative_step=True, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_2_decay, self.epsilon_1, self.epsilon_2 = beta_2_decay, epsilon_1, epsilon_2
        self.clip_threshold, self.relative_step = clip_threshold, relative_step

    def build(self, variables):
        """Per variable: ``r`` (..., R) and ``c`` (..., C) for rank >= 2 (unused scalars else), then ``v``."""
        if self.built:
            return
        super().build(variables)
        self._r, self._c, self._v = [], [], []
        for variable in variables:
            shape = tuple(variable.shape)
            if len(shape) < 2:  # Keras keeps two placeholder scalars here, so the state list has its layout
                self._r.append(self.add_variable((), name=variable.name))
                self._c.append(self.add_variable((), name=variable.name))
            else:
                self._r.append(self.add_variable(shape[:-1], dtype=variable.dtype, name=variable.name))
                self._c.append(self.add_variable(shape[:-2] + shape[-1:], dtype=variable.dtype, name=variable.name))
            self._v.append(self.add_variable_from_reference(variable, "velocity"))

    def update_step(self, gradient, variable, learning_rate):
        xp = get_xp(variable.data)
        index = self._get_variable_index(variable)
        r, c, v = self._r[index].data, self._c[index].data, self._v[index].data
        w = variable.data
        step = self._cast(self.iterations.data + 1, variable)
        if self.relative_step and not callable(self._learning_rate):
            learning_rate = xp.minimum(learning_rate, 1 / xp.sqrt(step))
        rho = xp.minimum(learning_rate, 1 / xp.sqrt(step))
        alpha = xp.maximum(self._cast(self.epsilon_2, variable), _rms(xp, w)) * rho
        gradient_squared = gradient ** 2 + self._cast(self.epsilon_1, variable)
        beta = 1 - xp.power(step, self._cast(self.beta_2_decay, variable))
        if w.ndim >= 2:
            r[...] = beta * r + (1 - beta) * gradient_squared.mean(axis=-1)
            c[...] = beta * c + (1 - beta) * gradient_squared.mean(axis=-2)
            v[...] = (r / r.mean(axis=-1, keepdims=True))[..., None] * c[..., None, :]  # (..., R, 1) * (..., 1, C)
        else:
            v[...] = beta * v + (1 - beta) * gradient_squared
        update = gradient / xp.sqrt(v)
        update = update / xp.maximum(1.0, _rms(xp, update) / self.clip_threshold)
        variable.assign(w - (alpha * update).astype(w.dtype))

    def get_config(self):
        config = super().get_config()
        config.update({"beta_2_decay": self.beta_2_decay, "epsilon_1": self.epsilon_1,
                       "epsilon_2": self.epsilon_2, "clip_threshold": self.clip_threshold,
                       "relative_step": self.relative_step})
        return config


def _rms(xp, x):
    """Root mean square of all the entries of ``x``."""
    return xp.sqrt(xp.mean(x ** 2))
