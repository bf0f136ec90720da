"""SGD: gradient descent, optionally with momentum (Keras's ``keras.optimizers.SGD``).

Place in the stack: the simplest concrete optimizer; read
``optimizer.py`` first for what happens around ``update_step``. Read next:
``adam.py``.

Plain SGD:          w <- w - lr * g
With momentum:      m <- momentum * m - lr * g;  w <- w + m
Nesterov momentum:  m <- momentum * m - lr * g;  w <- w + momentum * m - lr * g
"""

from minikeras.optimizers.optimizer import Optimizer


class SGD(Optimizer):
    """Stochastic gradient descent.

    Args:
        learning_rate: float or schedule; defaults to 0.01.
        momentum: float in [0, 1]; 0 (the default) is plain SGD.
        nesterov: use Nesterov momentum.
        **kwargs: the base ``Optimizer`` arguments (``weight_decay``,
            ``clipnorm``, ``name``...).
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None,
                 name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        if not isinstance(momentum, float) or momentum < 0 or momentum > 1:
            raise ValueError("`momentum` must be a float between [0, 1].")
        self.momentum = momentum
        self.nesterov = nesterov

    def build(self, variables):
        """One ``momentum`` slot per variable, only when momentum is used."""
        if self.built:
            return
        super().build(variables)
        self.momentums = []
        if self.momentum != 0:
            self.momentums = self.add_optimizer_variables(variables, "momentum")

    def update_step(self, gradient, variable, learning_rate):
        if self.momentum == 0:
            variable.assign(variable.data - gradient * learning_rate)
            return
        # The slot is only ever held here, so it is updated in place.
        m = self.momentums[self._get_variable_index(variable)].data
        momentum = self._cast(self.momentum, variable)
        m *= momentum
        m -= gradient * learning_rate
        if self.nesterov:
            variable.assign(variable.data + (m * momentum - gradient * learning_rate))
        else:
            variable.assign(variable.data + m)

    def get_config(self):
        config = super().get_config()
        config.update({"momentum": self.momentum, "nesterov": self.nesterov})
        return config
