"""FTRL-Proximal (McMahan et al., 2013): "follow the regularized leader", for sparse linear models.

Place in the stack: a concrete optimizer over ``optimizer.py``; read
``rmsprop.py`` (Adagrad) first: FTRL keeps the same per-weight sum of
squared gradients ``n``. It does not move a weight by a step: it keeps a
second slot ``z`` (Keras calls it ``linear``) summarising the past
gradients, and *solves* for the weight each time. With ``p = -learning_rate_power``
(0.5 by default) and ``n_new = n + g**2``:

    z <- z + g' - (n_new**p - n**p) / lr * w          (g' = g + 2 * l2_shrinkage * w)
    w <- (clip(z, -l1, l1) - z) / (n_new**p / lr + 2 * l2)
    n <- n_new

The L1 term makes ``w`` exactly 0 while ``|z| <= l1``: that is how FTRL
gives sparse weights. ``beta`` adds ``beta / (2 lr)`` to ``l2``.
"""

from minikeras import initializers
from minikeras.backend import get_xp
from minikeras.optimizers.optimizer import Optimizer


class Ftrl(Optimizer):
    """The FTRL-Proximal optimizer.

    Args:
        learning_rate: float or schedule; defaults to 0.001.
        learning_rate_power: -p, at most 0 (-0.5); 0 gives a fixed rate.
        initial_accumulator_value: the starting ``n`` (0.1), at least 0.
        l1_regularization_strength: l1 >= 0, sparsity.
        l2_regularization_strength: l2 >= 0, stabilisation.
        l2_shrinkage_regularization_strength: an L2 penalty added to the
            gradient itself (magnitude shrinkage), >= 0.
        beta: see the module docstring (0.0).
        name, **kwargs: the base ``Optimizer`` arguments.
    """

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 l2_shrinkage_regularization_strength=0.0, beta=0.0, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        for argument, value in (("initial_accumulator_value", initial_accumulator_value),
                                ("l1_regularization_strength", l1_regularization_strength),
                                ("l2_regularization_strength", l2_regularization_strength),
                                ("l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength)):
            if value < 0.0:
                raise ValueError(f"`{argument}` needs to be positive or zero. Received: {argument}={value}.")
        if learning_rate_power > 0.0:
            raise ValueError("`learning_rate_power` needs to be negative or zero. Received: "
                             f"learning_rate_power={learning_rate_power}.")
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def build(self, variables):
        """Slots ``w_accumulator`` (starting at ``initial_accumulator_value``) and ``w_linear`` per variable."""
        if self.built:
            return
        super().build(variables)
        start = initializers.Constant(self.initial_accumulator_value)
        self._accumulators, self._linears = [], []
        for variable in variables:  # Keras's order: w0_accumulator, w0_linear, w1_accumulator...
            self._accumulators.append(self.add_variable_from_reference(variable, "accumulator", start))
            self._linears.append(self.add_variable_from_reference(variable, "linear", "zeros"))

    def update_step(self, gradient, variable, learning_rate):
        xp = get_xp(variable.data)
        index = self._get_variable_index(variable)
        accumulator, linear = self._accumulators[index].data, self._linears[index].data
        power = -self.learning_rate_power
        l1 = self.l1_regularization_strength
        l2 = self.l2_regularization_strength + self.beta / (2.0 * learning_rate)
        shrunk_gradient = gradient + 2 * self.l2_shrinkage_regularization_strength * variable.data
        new_accumulator = accumulator + xp.square(gradient)
        sigma = (xp.power(new_accumulator, power) - xp.power(accumulator, power)) / learning_rate
        linear += shrunk_gradient - sigma * variable.data
        quadratic = xp.power(new_accumulator, power) / learning_rate + 2 * l2
        variable.assign((xp.clip(linear, -l1, l1) - linear) / quadratic)
        accumulator[...] = new_accumulator

    def get_config(self):
        config = super().get_config()
        config.update({"learning_rate_power": self.learning_rate_power,
                       "initial_accumulator_value": self.initial_accumulator_value,
                       "l1_regularization_strength": self.l1_regularization_strength,
                       "l2_regularization_strength": self.l2_regularization_strength,
                       "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
                       "beta": self.beta})
        return config
