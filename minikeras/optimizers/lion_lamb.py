"""Lion and Lamb: a sign-based optimizer and a layer-wise rescaled Adam.

Place in the stack: concrete optimizers over ``optimizer.py``; read
``adam.py`` first.

Lion (Chen et al., 2023, found by program search) moves every weight by the
same amount, ``lr``, in the direction of the sign of an interpolation
between the momentum and the gradient; it keeps one slot, not two:

    w <- w - lr * sign(beta_1 * m + (1 - beta_1) * g)
    m <- beta_2 * m + (1 - beta_2) * g

Lamb (You et al., 2019) computes Adam's bias-corrected step ``r``, then
rescales it per variable by the trust ratio ``||w|| / ||r||``, so that each
layer moves by a fixed fraction of its own size (large-batch training):

    r = m_hat / (sqrt(v_hat) + epsilon)
    w <- w - lr * (||w|| / ||r||) * r        (ratio 1 when either norm is 0)

Read next: ``ftrl.py``.
"""

from minikeras.backend import get_xp
from minikeras.optimizers.optimizer import Optimizer


class Lion(Optimizer):
    """The Lion optimizer (EvoLved Sign Momentum).

    Args:
        learning_rate: float or schedule; defaults to 0.001 (Lion usually
            wants a 3-10x smaller rate than Adam).
        beta_1: the interpolation used for the step (0.9), in (0, 1].
        beta_2: the decay of the momentum (0.99).
        name, **kwargs: the base ``Optimizer`` arguments.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError("Argument `beta_1` must be in the [0, 1] range. Otherwise, the optimizer "
                             f"degenerates to SignSGD. Received: beta_1={beta_1}.")
        self.beta_1, self.beta_2 = beta_1, beta_2

    def build(self, variables):
        """Slot ``w_momentum`` per variable."""
        if self.built:
            return
        super().build(variables)
        self._momentums = self.add_optimizer_variables(variables, "momentum")

    def update_step(self, gradient, variable, learning_rate):
        xp = get_xp(variable.data)
        m = self._momentums[self._get_variable_index(variable)].data
        direction = xp.sign(m * self.beta_1 + gradient * (1.0 - self.beta_1))
        variable.assign(variable.data - learning_rate * direction)
        m[...] = m * self.beta_2 + gradient * (1.0 - self.beta_2)

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2})
        return config


class Lamb(Optimizer):
    """Adam's step rescaled by the trust ratio ``||w|| / ||step||`` of each variable.

    Args:
        learning_rate: float or schedule; defaults to 0.001.
        beta_1, beta_2, epsilon: as in ``Adam`` (0.9, 0.999, 1e-7).
        name, **kwargs: the base ``Optimizer`` arguments.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def build(self, variables):
        """Slots ``w_momentum, w_velocity`` per variable."""
        if self.built:
            return
        super().build(variables)
        self._momentums, self._velocities = self.add_optimizer_variables(variables, ["momentum", "velocity"])

    def update_step(self, gradient, variable, learning_rate):
        xp = get_xp(variable.data)
        # 1. Adam's running averages and bias-corrected step.
        local_step = self._cast(self.iterations.data + 1, variable)
        beta_1_power = xp.power(self._cast(self.beta_1, variable), local_step)
        beta_2_power = xp.power(self._cast(self.beta_2, variable), local_step)
        index = self._get_variable_index(variable)
        m, v = self._momentums[index].data, self._velocities[index].data
        m += (gradient - m) * (1 - self.beta_1)
        v += (xp.square(gradient) - v) * (1 - self.beta_2)
        step = (m / (1.0 - beta_1_power)) / (xp.sqrt(v / (1.0 - beta_2_power)) + self.epsilon)
        # 2. The trust ratio: this variable moves by lr times its own norm.
        weight_norm = xp.sqrt(xp.sum(xp.square(variable.data)))
        step_norm = xp.sqrt(xp.sum(xp.square(step)))
        ratio = weight_norm / step_norm if weight_norm > 0 and step_norm > 0 else 1.0
        variable.assign(variable.data - ratio * learning_rate * step)

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
