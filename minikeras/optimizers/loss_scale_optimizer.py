"""LossScaleOptimizer: dynamic loss scaling, so float16 gradients neither vanish nor overflow.

Place in the stack: a wrapper over any optimizer of this package (read
``optimizer.py`` first); ``Trainer.train_step`` asks it to ``scale_loss``
before the backward pass. ``keras.mixed_precision`` exports it too.

Why: in float16 the smallest positive number is about 6e-8, so small
gradients round to zero. Multiplying the loss by a large ``scale`` (2**15)
multiplies every gradient by it too (the chain rule is linear), lifting
them into float16's range; dividing the gradients by ``scale`` before the
update gives back the true step. Too large a scale overflows to inf, so the
scale adapts:

- gradients all finite: unscale, let the inner optimizer step; after
  ``dynamic_growth_steps`` such steps in a row, double the scale;
- any gradient inf or NaN: skip the step (weights and the inner
  optimizer's state untouched) and halve the scale.
"""

from minikeras.backend import get_xp
from minikeras.optimizers.optimizer import Optimizer
from minikeras.optimizers.optimizer import _raw

# The base arguments Keras refuses on the wrapper: they belong on the inner optimizer.
_BASE_DEFAULTS = {"weight_decay": None, "clipnorm": None, "global_clipnorm": None, "clipvalue": None,
                  "use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None,
                  "loss_scale_factor": None, "gradient_accumulation_steps": None}


class LossScaleOptimizer(Optimizer):
    """Wraps ``inner_optimizer`` with a loss scale that adapts to overflows.

    Args:
        inner_optimizer: the optimizer that makes the steps.
        initial_scale: the first scale (2**15).
        dynamic_growth_steps: finite steps in a row before the scale doubles (2000).
        name: defaults to ``"loss_scale_optimizer"``.
    """

    def __init__(self, inner_optimizer, initial_scale=2.0 ** 15, dynamic_growth_steps=2000, name=None, **kwargs):
        if not kwargs.pop("dynamic", True):
            raise ValueError("LossScaleOptimizer no longer supports `dynamic=False`. Instead, simply set "
                             "`loss_scale_factor` directly on the `inner_optimizer`.")
        for argument, default in _BASE_DEFAULTS.items():
            if argument in kwargs and kwargs.pop(argument) != default:
                raise ValueError(f"LossScaleOptimizer does not support `{argument}`. Instead, set `{argument}` "
                                 "on the `inner_optimizer`.")
        if kwargs:
            raise ValueError(f"LossScaleOptimizer does not support arguments: `{'`, `'.join(kwargs)}`.")
        super().__init__(learning_rate=0.0, name=name)
        self.inner_optimizer = inner_optimizer
        self.initial_scale, self.dynamic_growth_steps = initial_scale, dynamic_growth_steps
        self.inner_optimizer.loss_scale_factor = None

    def build(self, variables):
        """Own state ``step_counter`` (int32) and ``dynamic_scale`` (float32), then the inner optimizer's."""
        self.step_counter = self.add_variable((), initializer="zeros", dtype="int32", name="step_counter")
        self.dynamic_scale = self.add_variable((), initializer=lambda shape, dtype: self.initial_scale,
                                               dtype="float32", name="dynamic_scale")
        self.inner_optimizer.build(variables)
        super().build(variables)

    @property
    def variables(self):
        return self._variables[:] + self.inner_optimizer.variables

    def apply(self, grads, trainable_variables=None):
        """One step of the inner optimizer on the unscaled gradients, or none if any is not finite."""
        if not self.built:
            self.build(list(trainable_variables))
        grads = [None if grad is None else _raw(grad) for grad in grads]
        scale = self.dynamic_scale.data
        if not all(get_xp(grad).isfinite(grad).all() for grad in grads if grad is not None):
            self.step_counter.assign(self.step_counter.data * 0)
            self.dynamic_scale.assign(scale * 0.5)
            return
        self.inner_optimizer.apply([None if grad is None else grad / scale.astype(grad.dtype) for grad in grads],
                                   trainable_variables)
        if int(self.step_counter.data) == self.dynamic_growth_steps - 1:
            self.step_counter.assign(self.step_counter.data * 0)
            self.dynamic_scale.assign(scale * 2.0)
        else:
            self.step_counter.assign(self.step_counter.data + 1)

    @property
    def learning_rate(self):
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, learning_rate):
        self.inner_optimizer.learning_rate = learning_rate

    @property
    def iterations(self):
        return self.inner_optimizer.iterations

    def scale_loss(self, loss):
        """``loss * scale``: the current dynamic scale once built, else ``initial_scale``."""
        return loss * (float(self.dynamic_scale.numpy()) if self.built else self.initial_scale)

    def finalize_variable_values(self, var_list):
        self.inner_optimizer.finalize_variable_values(var_list)

    def get_config(self):
        from minikeras.optimizers import serialize  # the package's table of optimizers (its __init__)

        return {"name": self.name, "inner_optimizer": serialize(self.inner_optimizer),
                "initial_scale": self.initial_scale, "dynamic_growth_steps": self.dynamic_growth_steps}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from minikeras.optimizers import deserialize

        config = dict(config)
        inner_optimizer = deserialize(config.pop("inner_optimizer"), custom_objects=custom_objects)
        return cls(inner_optimizer, **config)
