"""Adamax and Adadelta: two relatives of Adam and RMSprop.

Place in the stack: concrete optimizers over ``optimizer.py``; read
``adam.py`` first. Per weight, with gradient g and step t = iterations + 1:

Adamax (Kingma and Ba, 2014, section 7) replaces Adam's squared average by
a decaying maximum of ``|g|`` (the infinity norm), which needs no square root:

    m <- m + (g - m) * (1 - beta_1)
    u <- maximum(beta_2 * u, |g|)
    w <- w - lr * m / ((1 - beta_1**t) * (u + epsilon))

Adadelta (Zeiler, 2012) scales each step by the ratio of two running RMS
values, of past *updates* and of past gradients, so the step has the units
of the weight:

    a_g <- rho * a_g + (1 - rho) * g**2
    delta = -sqrt(a_d + epsilon) / sqrt(a_g + epsilon) * g
    a_d <- rho * a_d + (1 - rho) * delta**2
    w <- w + lr * delta

Read next: ``lion_lamb.py``.
"""

from minikeras.backend import get_xp
from minikeras.optimizers.optimizer import Optimizer


class Adamax(Optimizer):
    """Adam with the infinity norm.

    Args:
        learning_rate: float or schedule; defaults to 0.001.
        beta_1: decay of the gradient average (0.9).
        beta_2: decay of the running maximum of ``|g|`` (0.999).
        epsilon: keeps the division finite (1e-7).
        name, **kwargs: the base ``Optimizer`` arguments (``weight_decay``, ``clipnorm``...).
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def build(self, variables):
        """Slots ``w_momentum, w_norm`` per variable."""
        if self.built:
            return
        super().build(variables)
        self._m, self._u = self.add_optimizer_variables(variables, ["momentum", "norm"])

    def update_step(self, gradient, variable, learning_rate):
        xp = get_xp(variable.data)
        local_step = self._cast(self.iterations.data + 1, variable)
        beta_1_power = xp.power(self._cast(self.beta_1, variable), local_step)
        index = self._get_variable_index(variable)
        m, u = self._m[index].data, self._u[index].data
        m += (gradient - m) * (1 - self.beta_1)
        xp.maximum(self.beta_2 * u, xp.abs(gradient), out=u)
        variable.assign(variable.data - learning_rate * m / ((1 - beta_1_power) * (u + self.epsilon)))

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config


class Adadelta(Optimizer):
    """Steps scaled by the RMS of past updates over the RMS of past gradients.

    Args:
        learning_rate: float or schedule; defaults to 0.001 (Keras's default;
            the paper's method corresponds to 1.0).
        rho: decay of both running averages (0.95).
        epsilon: inside both square roots (1e-7).
        name, **kwargs: the base ``Optimizer`` arguments.
    """

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.rho, self.epsilon = rho, epsilon

    def build(self, variables):
        """Slots ``w_accumulated_grad, w_accumulated_delta_var`` per variable."""
        if self.built:
            return
        super().build(variables)
        self._accumulated_grads, self._accumulated_delta_vars = self.add_optimizer_variables(
            variables, ["accumulated_grad", "accumulated_delta_var"])

    def update_step(self, gradient, variable, learning_rate):
        xp = get_xp(variable.data)
        index = self._get_variable_index(variable)
        grads, deltas = self._accumulated_grads[index].data, self._accumulated_delta_vars[index].data
        grads[...] = self.rho * grads + (1 - self.rho) * xp.square(gradient)
        delta = -xp.sqrt(deltas + self.epsilon) * gradient / xp.sqrt(grads + self.epsilon)
        deltas[...] = self.rho * deltas + (1 - self.rho) * xp.square(delta)
        variable.assign(variable.data + learning_rate * delta)

    def get_config(self):
        config = super().get_config()
        config.update({"rho": self.rho, "epsilon": self.epsilon})
        return config
