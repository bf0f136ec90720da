"""Adam and AdamW (Kingma and Ba, 2014; Loshchilov and Hutter, 2019).

Place in the stack: a concrete optimizer over ``optimizer.py``; read
``sgd.py`` first. Adam keeps two running averages per weight, of the
gradient (``momentum``, m) and of its square (``velocity``, v), and divides
one by the square root of the other, so each weight gets its own step size:

    m <- m + (g - m) * (1 - beta_1)
    v <- v + (g**2 - v) * (1 - beta_2)
    alpha = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)    (bias correction, t = step + 1)
    w <- w - m * alpha / (sqrt(v) + epsilon)

With ``amsgrad``, ``v`` is replaced by its running maximum ``velocity_hat``.
AdamW is Adam with the decoupled weight decay of the base class switched on.
Read next: ``rmsprop.py``.
"""

from minikeras.backend import get_xp
from minikeras.backend import kernel_choice
from minikeras.optimizers.optimizer import Optimizer


class Adam(Optimizer):
    """The Adam optimizer, with Keras 3's defaults.

    Args:
        learning_rate: float or schedule; defaults to 0.001.
        beta_1: decay of the gradient average (0.9).
        beta_2: decay of the squared-gradient average (0.999).
        epsilon: added to ``sqrt(v)`` to avoid dividing by 0 (1e-7).
        amsgrad: use the running maximum of ``v`` (Reddi et al., 2018).
        **kwargs: the base ``Optimizer`` arguments.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.amsgrad = amsgrad
        self._step_sizes = {}  # the last step size computed, and what it was computed from (_step_size)

    def build(self, variables):
        """Slots ``w_momentum, w_velocity`` per variable, then the ``velocity_hat``s."""
        if self.built:
            return
        super().build(variables)
        self._momentums, self._velocities = self.add_optimizer_variables(variables, ["momentum", "velocity"])
        if self.amsgrad:
            self._velocity_hats = self.add_optimizer_variables(variables, "velocity_hat")

    def update_step(self, gradient, variable, learning_rate):
        # 1. Bias correction folded into the step size.
        alpha = self._step_size(variable, learning_rate)
        # 2. The two running averages and the step, the formulas of the module
        #    docstring: ``kernels/reference.py: adam_update`` writes them in NumPy,
        #    ``kernels/numba_optimizer.py`` in one pass. Only this optimizer holds
        #    the slot arrays, so they are updated in place; the weights get a new
        #    array (a backward pass may still hold the old ones).
        index = self._get_variable_index(variable)
        m, v = self._momentums[index].data, self._velocities[index].data
        v_hat = self._velocity_hats[index].data if self.amsgrad else None
        adam_update = kernel_choice.adam_kernel(variable.data)
        variable.assign(adam_update(variable.data, gradient, m, v, v_hat, alpha, self.beta_1, self.beta_2,
                                    self.epsilon))

    def _step_size(self, variable, learning_rate):
        """``lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)`` in the variable's dtype, ``t = iterations + 1``.

        The same for every variable of a dtype in a step: kept for the step's
        other variables (a model has a few dtypes, and many variables).
        """
        key = (variable.data.dtype, int(self.iterations.data), float(learning_rate), self.beta_1, self.beta_2)
        if self._step_sizes.get("key") != key:
            xp = get_xp(variable.data)
            local_step = self._cast(self.iterations.data + 1, variable)
            beta_1_power = xp.power(self._cast(self.beta_1, variable), local_step)
            beta_2_power = xp.power(self._cast(self.beta_2, variable), local_step)
            self._step_sizes = {"key": key, "alpha": learning_rate * xp.sqrt(1 - beta_2_power) / (1 - beta_1_power)}
        return self._step_sizes["alpha"]

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                       "amsgrad": self.amsgrad})
        return config


class AdamW(Adam):
    """Adam with decoupled weight decay (``weight_decay`` defaults to 0.004).

    Args:
        learning_rate: float or schedule; defaults to 0.001.
        weight_decay: each step multiplies the weights by ``1 - weight_decay * lr``
            before the Adam update.
        beta_1, beta_2, epsilon, amsgrad: as in ``Adam``.
        **kwargs: the base ``Optimizer`` arguments.
    """

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon,
                         amsgrad=amsgrad, name=name, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        if self.weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: weight_decay=None")
