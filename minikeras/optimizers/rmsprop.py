"""RMSprop and Adagrad: divide each step by a running size of the gradients.

Place in the stack: concrete optimizers over ``optimizer.py``; read
``adam.py`` first (Adam is RMSprop plus momentum plus bias correction).

RMSprop (Hinton's lecture notes):
    v <- rho * v + (1 - rho) * g**2
    w <- w - lr * g / sqrt(v + epsilon)
  ``centered`` divides by an estimate of the variance instead,
  ``sqrt(v - a**2 + epsilon)`` with ``a <- rho * a + (1 - rho) * g``;
  ``momentum`` accumulates the steps: ``m <- momentum * m + step; w <- w - m``.

Adagrad (Duchi et al., 2011) sums instead of averaging, so steps only shrink:
    acc <- acc + g**2
    w <- w - lr * g / sqrt(acc + epsilon)

Read next: ``nadam.py``.
"""

from minikeras import initializers
from minikeras.backend import get_xp
from minikeras.optimizers.optimizer import Optimizer


class RMSprop(Optimizer):
    """The RMSprop optimizer (``compile``'s default optimizer).

    Args:
        learning_rate: float or schedule; defaults to 0.001.
        rho: decay of the squared-gradient average (0.9).
        momentum: 0 (default) or the momentum of the steps.
        epsilon: keeps the divisor away from 0 (1e-7).
        centered: normalise by the gradient's variance rather than its second moment.
        **kwargs: the base ``Optimizer`` arguments.
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered

    def build(self, variables):
        """All ``velocity`` slots, then all ``momentum`` slots, then all ``average_gradient`` slots."""
        if self.built:
            return
        super().build(variables)
        self._velocities = self.add_optimizer_variables(variables, "velocity")
        self._momentums = []
        if self.momentum > 0:
            self._momentums = self.add_optimizer_variables(variables, "momentum")
        self._average_gradients = []
        if self.centered:
            self._average_gradients = self.add_optimizer_variables(variables, "average_gradient")

    def update_step(self, gradient, variable, learning_rate):
        xp = get_xp(variable.data)
        index = self._get_variable_index(variable)
        rho = self.rho
        # 1. The running average of the squared gradient (slots are updated in place).
        velocity = self._velocities[index].data
        velocity *= rho
        velocity += (1 - rho) * xp.square(gradient)
        # 2. The divisor: second moment, or variance when centered.
        if self.centered:
            average_grad = self._average_gradients[index].data
            average_grad *= rho
            average_grad += (1 - rho) * gradient
            denominator = velocity - xp.square(average_grad) + self.epsilon
        else:
            denominator = velocity + self.epsilon
        increment = learning_rate * gradient / xp.sqrt(denominator)
        # 3. The step, through the momentum accumulator if there is one.
        if self.momentum > 0:
            momentum = self._momentums[index].data
            momentum *= self.momentum
            momentum += increment
            variable.assign(variable.data - momentum)
        else:
            variable.assign(variable.data - increment)

    def get_config(self):
        config = super().get_config()
        config.update({"rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon,
                       "centered": self.centered})
        return config


class Adagrad(Optimizer):
    """The Adagrad optimizer.

    Args:
        learning_rate: float or schedule; defaults to 0.001.
        initial_accumulator_value: the starting value of the sums (0.1).
        epsilon: keeps the divisor away from 0 (1e-7).
        **kwargs: the base ``Optimizer`` arguments.
    """

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None,
                 name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def build(self, variables):
        """One ``accumulator`` slot per variable, filled with ``initial_accumulator_value``."""
        if self.built:
            return
        super().build(variables)
        initializer = initializers.Constant(self.initial_accumulator_value)
        self._accumulators = self.add_optimizer_variables(variables, "accumulator", initializer=initializer)

    def update_step(self, gradient, variable, learning_rate):
        xp = get_xp(variable.data)
        accumulator = self._accumulators[self._get_variable_index(variable)].data
        accumulator += xp.square(gradient)  # in place: only this optimizer holds it
        variable.assign(variable.data - learning_rate * gradient / xp.sqrt(accumulator + self.epsilon))

    def get_config(self):
        config = super().get_config()
        config.update({"initial_accumulator_value": self.initial_accumulator_value, "epsilon": self.epsilon})
        return config
