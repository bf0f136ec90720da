"""Nadam: Adam with Nesterov momentum (Dozat, 2016).

Place in the stack: a concrete optimizer over ``optimizer.py``; read
``adam.py`` first. Nadam looks one step ahead: its momentum term uses the
momentum coefficient of the *next* step, ``u_{t+1}``, which follows Dozat's
schedule ``u_t = beta_1 * (1 - 0.5 * 0.96**t)``. The running product of
the ``u_t`` (``u_product``, one scalar shared by all weights) corrects the
bias of the momentum, as ``1 - beta_1**t`` does in Adam:

    m <- m + (g - m) * (1 - beta_1);   v <- v + (g**2 - v) * (1 - beta_2)
    m_hat = u_{t+1} * m / (1 - u_product * u_{t+1}) + (1 - u_t) * g / (1 - u_product)
    v_hat = v / (1 - beta_2**t)
    w <- w - lr * m_hat / (sqrt(v_hat) + epsilon)
"""

from minikeras import backend
from minikeras.backend import get_xp
from minikeras.optimizers.optimizer import Optimizer


class Nadam(Optimizer):
    """The Nadam optimizer.

    Args:
        learning_rate: float or schedule; defaults to 0.001.
        beta_1, beta_2, epsilon: as in ``Adam`` (0.9, 0.999, 1e-7).
        **kwargs: the base ``Optimizer`` arguments.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None,
                 name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def build(self, variables):
        """``w_momentum, w_velocity`` per variable, then the scalar ``u_product`` (Keras's order)."""
        if self.built:
            return
        dtype = variables[0].dtype if variables else backend.floatx()
        super().build(variables)
        self._momentums, self._velocities = self.add_optimizer_variables(variables, ["momentum", "velocity"])
        # Keras creates it without a name, so it is saved as "variable".
        self._u_product = self.add_variable((), initializer="ones", dtype=dtype, name="variable")

    def _backend_update_step(self, grads, trainable_variables, learning_rate):
        # u_product advances once per step, before the per-variable updates.
        xp = get_xp(self._u_product.data)
        step = self._u_product.data.dtype.type(int(self.iterations.data) + 1)
        u_t = 1.0 - 0.5 * xp.power(0.96, xp.asarray(step))
        self._u_product.assign(self._u_product.data * self.beta_1 * u_t)
        super()._backend_update_step(grads, trainable_variables, learning_rate)

    def update_step(self, gradient, variable, learning_rate):
        xp = get_xp(variable.data)
        # 1. This step's and the next step's momentum coefficients.
        local_step = self._cast(self.iterations.data + 1, variable)
        next_step = self._cast(self.iterations.data + 2, variable)
        decay = self._cast(0.96, variable)
        beta_1, beta_2 = self._cast(self.beta_1, variable), self._cast(self.beta_2, variable)
        u_t = beta_1 * (1.0 - 0.5 * xp.power(decay, local_step))
        u_t_1 = beta_1 * (1.0 - 0.5 * xp.power(decay, next_step))
        u_product_t = self._cast(self._u_product, variable)
        u_product_t_1 = u_product_t * u_t_1
        beta_2_power = xp.power(beta_2, local_step)
        # 2. The running averages, as in Adam.
        index = self._get_variable_index(variable)
        m, v = self._momentums[index].data, self._velocities[index].data
        m += (gradient - m) * (1 - beta_1)  # in place: only this optimizer holds the slots
        v += (xp.square(gradient) - v) * (1 - beta_2)
        # 3. Nesterov's look-ahead momentum and the step.
        m_hat = u_t_1 * m / (1 - u_product_t_1) + (1 - u_t) * gradient / (1 - u_product_t)
        v_hat = v / (1 - beta_2_power)
        variable.assign(variable.data - (m_hat * learning_rate) / (xp.sqrt(v_hat) + self.epsilon))

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
