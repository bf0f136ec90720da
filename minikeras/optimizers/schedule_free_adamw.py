"""ScheduleFreeAdamW: AdamW that needs no learning-rate schedule (Defazio et al., 2024).

Place in the stack: a concrete optimizer over ``optimizer.py``; read
``adam.py`` first.

A decaying schedule (cosine, linear) must know the total number of steps in
advance. Schedule-Free keeps three sequences per weight instead, and the
average does the decaying:

* ``z`` (the ``momentum`` slot, starts at the weight): plain Adam-normalised
  SGD steps, ``z <- z - lr * g / (sqrt(v / (1 - beta_2**t)) + epsilon)``;
* ``x``: the running uniform average of the ``z``'s, ``x <- (1 - 1/t) x + (1/t) z``;
* ``y``: the weight itself, where gradients are taken, ``y = (1 - beta_1) z + beta_1 x``.

``x`` is not stored: it is recovered from the weight and the previous ``z``
as ``x = (y - (1 - beta_1) z_old) / beta_1``. ``v`` is Adam's ``velocity``.
``warmup_steps`` ramps the rate linearly from 0 over the first steps. Read
next: ``multi_optimizer.py``.
"""

from minikeras.backend import get_xp
from minikeras.optimizers.optimizer import Optimizer


class ScheduleFreeAdamW(Optimizer):
    """Schedule-Free AdamW, with Keras 3's defaults.

    Args:
        learning_rate: float or schedule (0.0025).
        beta_1: interpolation between ``z`` and the average ``x`` (0.9).
        beta_2: decay of the squared-gradient average (0.999).
        epsilon: added to the denominator (1e-8).
        warmup_steps: steps over which the rate rises linearly from 0 (0: none).
        name, **kwargs: the base ``Optimizer`` arguments.
    """

    def __init__(self, learning_rate=0.0025, beta_1=0.9, beta_2=0.999, epsilon=1e-8, warmup_steps=0,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        self.beta_1, self.beta_2, self.epsilon, self.warmup_steps = beta_1, beta_2, epsilon, warmup_steps

    def build(self, variables):
        """Slots ``w_momentum`` (``z``, a copy of the weight) and ``w_velocity`` per variable."""
        if self.built:
            return
        super().build(variables)
        self._momentums, self._velocities = self.add_optimizer_variables(variables, ["momentum", "velocity"])
        for momentum, variable in zip(self._momentums, variables):
            momentum.assign(get_xp(variable.data).array(variable.data, copy=True))

    def update_step(self, gradient, variable, learning_rate):
        xp = get_xp(variable.data)
        local_step = self._cast(self.iterations.data + 1, variable)
        beta_1, beta_2 = self._cast(self.beta_1, variable), self._cast(self.beta_2, variable)
        if self.warmup_steps > 0:
            learning_rate = learning_rate * xp.minimum(local_step / self._cast(self.warmup_steps, variable), 1.0)
        index = self._get_variable_index(variable)
        z, v = self._momentums[index].data, self._velocities[index].data
        z_old = z.copy()
        # 1. Adam's second moment and the normalised SGD step on z.
        v += (xp.square(gradient) - v) * (1 - beta_2)
        denominator = xp.sqrt(v / (1 - xp.power(beta_2, local_step))) + self._cast(self.epsilon, variable)
        z -= learning_rate * gradient / denominator
        # 2. Recover the average x from the weight y, move it towards z by 1/t, and interpolate.
        weight = 1.0 / local_step
        x_old = (variable.data - (1 - beta_1) * z_old) / beta_1
        x_new = (1 - weight) * x_old + weight * z
        variable.assign((1 - beta_1) * z + beta_1 * x_new)

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                       "warmup_steps": self.warmup_steps})
        return config
