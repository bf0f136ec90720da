"""``Optimizer``: turns gradients into weight updates (Keras 3's ``keras.optimizers.Optimizer``).

Place in the stack: beside the trainer (``minikeras/trainers/``), above the
autodiff engine. The trainer computes gradients with a ``GradientTape`` and
hands them over with ``optimizer.apply(grads, model.trainable_variables)``.
Everything here works on raw arrays through ``xp``: updating weights is not
part of the graph, so nothing is recorded.

One ``apply`` call does, in this order (as Keras 3 does):

1. ``build(variables)`` the first time: create the slot variables (Adam's
   momentum and velocity...) in Keras's order, which is the order the
   ``.keras`` file stores them in;
2. drop variables without a gradient (with Keras's warning);
3. clip the gradients (``clipnorm``, ``global_clipnorm`` or ``clipvalue``,
   see ``clipping.py``);
4. decoupled weight decay: ``w -= w * weight_decay * learning_rate``;
5. ``update_step(gradient, variable, learning_rate)`` for each variable: the
   one method a concrete optimizer (``sgd.py``, ``adam.py``...) defines;
6. ``iterations += 1``.

State lives in ``Variable``s: ``iterations`` (int64), ``learning_rate``
(float32, absent when a schedule gives the rate), then the slots. Read next:
``sgd.py`` (the simplest update), then ``adam.py``.
"""

import re
import warnings

from minikeras import backend
from minikeras import initializers
from minikeras.autodiff.tensor import Tensor
from minikeras.autodiff.variable import Variable
from minikeras.backend import context
from minikeras.optimizers.clipping import clip_by_global_norm
from minikeras.optimizers.clipping import clip_by_norm
from minikeras.optimizers.clipping import clip_by_value
from minikeras.optimizers.schedules.learning_rate_schedule import LearningRateSchedule
from minikeras.utils.naming import to_snake_case


def _raw(value):
    """The raw array behind a gradient (a Tensor, an array or a number)."""
    if isinstance(value, Tensor):
        return value.data
    return backend.convert_to_tensor(value)


class Optimizer:
    """Base class of the optimizers.

    Args:
        learning_rate: a float, a ``LearningRateSchedule``, or a callable
            taking no argument.
        weight_decay: if set, each step first shrinks every weight by
            ``weight * weight_decay * learning_rate`` (decoupled decay).
        clipnorm: clip each gradient to this L2 norm.
        clipvalue: clip each gradient entry to ``[-clipvalue, clipvalue]``.
        global_clipnorm: clip all gradients together to this global L2 norm.
        use_ema: keep an exponential moving average of the weights.
        ema_momentum: the average's momentum.
        ema_overwrite_frequency: copy the average into the weights every N steps.
        loss_scale_factor: gradients are divided by it (the loss was multiplied).
        gradient_accumulation_steps: update only every N steps, with the mean
            of the N gradients.
        name: defaults to the snake_case class name (``"adam"``, ``"adam_1"``).

    Subclasses define ``build(variables)`` (call ``super().build`` then add
    slots with ``add_variable_from_reference``) and ``update_step``.
    """

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs):
        if kwargs.pop("decay", None) is not None:
            warnings.warn("Argument `decay` is no longer supported and will be ignored.")
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        self._check_arguments(clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
                              ema_overwrite_frequency, gradient_accumulation_steps)
        self.name = name or context.unique_name(to_snake_case(type(self).__name__))
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.use_ema = use_ema
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.built = False
        self._variables = []  # every optimizer Variable, in creation (= saving) order
        self._trainable_variables = []
        self._variable_index = {}  # id(model variable) -> its position
        self._exclude_from_weight_decay_ids = set()
        self._exclude_from_weight_decay_pattern = None
        self._iterations = self.add_variable((), initializer="zeros", dtype="int64", name="iteration")
        self._learning_rate = self._make_learning_rate(learning_rate)

    @staticmethod
    def _check_arguments(clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
                         ema_overwrite_frequency, gradient_accumulation_steps):
        """Keras's argument checks, with Keras's messages."""
        if gradient_accumulation_steps and not gradient_accumulation_steps >= 2:
            raise ValueError(
                "`gradient_accumulation_steps` must be an integer >= 2. "
                f"Received: gradient_accumulation_steps={gradient_accumulation_steps}"
            )
        if use_ema and not 0 <= ema_momentum <= 1:
            raise ValueError(f"`ema_momentum` must be in the range [0, 1]. Received: ema_momentum={ema_momentum}")
        if use_ema and ema_overwrite_frequency and (
                not isinstance(ema_overwrite_frequency, int) or ema_overwrite_frequency < 1):
            raise ValueError(
                "`ema_overwrite_frequency` must be an integer >= 1 or None. "
                f"Received: ema_overwrite_frequency={ema_overwrite_frequency}"
            )
        if sum(arg is not None for arg in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
                f"Received: clipnorm={clipnorm}, clipvalue={clipvalue}, global_clipnorm={global_clipnorm}"
            )

    def _make_learning_rate(self, learning_rate):
        """A schedule or a callable is kept as is; a float becomes a Variable."""
        if isinstance(learning_rate, LearningRateSchedule) or callable(learning_rate):
            return learning_rate
        if isinstance(learning_rate, int) and not isinstance(learning_rate, bool):
            learning_rate = float(learning_rate)
        if not isinstance(learning_rate, float):
            raise ValueError(
                "Argument `learning_rate` should be float, or an instance of LearningRateSchedule, "
                "or a callable (that takes in the current iteration value and returns the "
                f"corresponding learning rate value). Received instead: learning_rate={learning_rate}"
            )
        return self.add_variable((), initializer=initializers.Constant(learning_rate),
                                 dtype=backend.floatx(), name="learning_rate")

    # ----- state -----
    @property
    def iterations(self):
        """The number of steps so far: the int64 Variable counting ``apply`` calls, or,
        with gradient accumulation, the number of actual updates (calls // steps)."""
        if self.gradient_accumulation_steps:
            return Tensor(self._iterations.data // self.gradient_accumulation_steps)
        return self._iterations

    @property
    def variables(self):
        """All optimizer Variables, in Keras's (and the saved file's) order."""
        return self._variables[:]

    @property
    def learning_rate(self):
        """The current learning rate (a Variable, or the schedule's value now)."""
        if isinstance(self._learning_rate, LearningRateSchedule):
            return self._learning_rate(int(self._iterations.data))
        if isinstance(self._learning_rate, Variable):
            return self._learning_rate
        return self._learning_rate()

    @learning_rate.setter
    def learning_rate(self, learning_rate):
        if isinstance(learning_rate, LearningRateSchedule) or callable(learning_rate):
            if isinstance(self._learning_rate, Variable):
                self._variables.remove(self._learning_rate)
            self._learning_rate = learning_rate
        elif isinstance(self._learning_rate, Variable):
            self._learning_rate.assign(learning_rate)
        else:
            raise TypeError(
                "This optimizer was created with a `LearningRateSchedule` object as its "
                "`learning_rate` constructor argument, hence its learning rate is not settable. "
                "If you need the learning rate to be settable, you should instantiate the "
                "optimizer with a float `learning_rate` argument."
            )

    def add_variable(self, shape, initializer="zeros", dtype=None, aggregation="none", name=None):
        """Creates a non-trainable Variable owned by this optimizer.

        Args:
            shape: the variable's shape.
            initializer: an initializer or its name.
            dtype: defaults to ``floatx()``.
            name: short name; the path becomes ``"<optimizer name>/<name>"``.
        Returns:
            The new ``Variable`` (also appended to ``self.variables``).
        """
        variable = Variable(initializers.get(initializer), shape=tuple(shape), dtype=dtype or backend.floatx(),
                            trainable=False, name=name, aggregation=aggregation)
        variable.path = f"{self.name}/{variable.name}"
        self._variables.append(variable)
        return variable

    def add_variable_from_reference(self, reference_variable, name=None, initializer="zeros"):
        """A slot shaped like ``reference_variable``, named ``"<its path>_<name>"``.

        ``dense/kernel`` with ``name="momentum"`` gives ``dense_kernel_momentum``.
        """
        name = name or "var"
        reference_name = getattr(reference_variable, "path", None) or str(reference_variable.name)
        name = f"{reference_name.replace('/', '_').replace(':', '_')}_{name}"
        return self.add_variable(reference_variable.shape, initializer=initializer,
                                 dtype=reference_variable.dtype, name=name)

    def add_optimizer_variables(self, trainable_variables, name, initializer="zeros"):
        """One slot per trainable variable for each name, created variable by variable.

        With ``name=["momentum", "velocity"]`` the order is ``w0_momentum,
        w0_velocity, w1_momentum...`` (Keras's order) and the result is a
        tuple of two lists; with a single string, one list.
        """
        names = [name] if isinstance(name, str) else list(name)
        slots = tuple([] for _ in names)
        for variable in trainable_variables:
            for position, slot_name in enumerate(names):
                slots[position].append(self.add_variable_from_reference(variable, slot_name, initializer))
        return slots[0] if isinstance(name, str) else slots

    def build(self, variables):
        """Remembers the trainable variables; subclasses add their slots after this."""
        if self.use_ema:
            self._average_variables = self.add_optimizer_variables(variables, "average")
        if self.gradient_accumulation_steps:
            self._accumulated_gradients = self.add_optimizer_variables(variables, "gradient_accumulator")
        self._trainable_variables = list(variables)
        self._variable_index = {id(variable): index for index, variable in enumerate(variables)}
        self.built = True

    @staticmethod
    def _cast(value, variable):
        """``value`` (a number, array, Tensor or Variable) as a raw array of ``variable``'s dtype."""
        return backend.get_xp(variable.data).asarray(_raw(value), dtype=variable.data.dtype)

    def _get_variable_index(self, variable):
        """The position of a model variable in the list the optimizer was built with."""
        return self._variable_index[id(variable)]

    # ----- one optimization step -----
    def update_step(self, gradient, variable, learning_rate):
        """Moves one variable; ``gradient`` and ``learning_rate`` are raw arrays of its dtype."""
        raise NotImplementedError("abstract: every Optimizer subclass defines update_step")

    def apply_gradients(self, grads_and_vars):
        """``apply`` for a list of ``(gradient, variable)`` pairs; returns ``iterations``."""
        grads, trainable_variables = zip(*grads_and_vars)
        self.apply(grads, trainable_variables)
        return self._iterations

    def apply(self, grads, trainable_variables=None):
        """Updates ``trainable_variables`` from ``grads`` (one step).

        Args:
            grads: list of gradients (Tensors, arrays, or None), one per variable.
            trainable_variables: the Variables, in the same order; may be
                omitted once the optimizer is built.
        """
        if len(grads) == 0:
            return
        # 1. Build on first use, and check the variables are the known ones.
        trainable_variables = self._resolve_variables(grads, trainable_variables)
        # 2. Drop the variables that received no gradient.
        grads, trainable_variables = self._filter_empty_gradients(grads, trainable_variables)
        grads = [_raw(grad) for grad in grads]
        if self.loss_scale_factor is not None:
            grads = [grad / self.loss_scale_factor for grad in grads]
        # 3. to 5. clip, decay, update (or accumulate).
        if self.gradient_accumulation_steps:
            self._accumulate_or_update(grads, trainable_variables)
        else:
            self._update(grads, trainable_variables)
        for variable in trainable_variables:
            if getattr(variable, "constraint", None) is not None:
                variable.assign(variable.constraint(variable))
        if self.use_ema:
            self._update_moving_average()
        # 6. Count the step.
        self._iterations.assign(self._iterations.data + 1)

    def _resolve_variables(self, grads, trainable_variables):
        if trainable_variables is None:
            if not self.built:
                raise ValueError(
                    "When passing `grads` without `variables`, the optimizer must already be built "
                    "on a list of variables. Call `optimizer.build(trainable_variables)` first. "
                )
            if len(grads) != len(self._trainable_variables):
                raise ValueError(
                    "When passing `grads` as a list of gradient tensors, the gradients must match "
                    f"`optimizer.variables` one-to-on. Received a list of {len(grads)} gradients, but "
                    f"the optimizer is tracking {len(self._trainable_variables)} trainable variables."
                )
            return self._trainable_variables
        trainable_variables = list(trainable_variables)
        if not self.built:
            self.build(trainable_variables)
            self.built = True
        for variable in trainable_variables:
            if id(variable) not in self._variable_index:
                raise ValueError(
                    f"Unknown variable: {variable}. This optimizer can only be called for the "
                    "variables it was originally built with. When working with a new set of "
                    "variables, you should recreate a new optimizer instance."
                )
        return trainable_variables

    @staticmethod
    def _filter_empty_gradients(grads, trainable_variables):
        kept = [(grad, variable) for grad, variable in zip(grads, trainable_variables) if grad is not None]
        if not kept:
            raise ValueError("No gradients provided for any variable.")
        missing = [getattr(variable, "path", variable.name)
                   for grad, variable in zip(grads, trainable_variables) if grad is None]
        if missing:
            warnings.warn(
                f"Gradients do not exist for variables {missing} when minimizing the loss. "
                "If using `model.compile()`, did you forget to provide a `loss` argument?"
            )
        return [grad for grad, _ in kept], [variable for _, variable in kept]

    def _update(self, grads, trainable_variables):
        """Clip, decay, then ``update_step`` each variable."""
        grads = self._clip_gradients(grads)
        self._apply_weight_decay(trainable_variables)
        learning_rate = self.learning_rate
        self._backend_update_step(grads, trainable_variables, learning_rate)

    def _backend_update_step(self, grads, trainable_variables, learning_rate):
        """Calls ``update_step`` per variable (Nadam adds a shared step before).

        The gradient and the rate are cast here, once, to the variable's dtype,
        so that a float16 weight steps in float16 and ``update_step`` is only
        its formula.
        """
        for grad, variable in zip(grads, trainable_variables):
            self.update_step(self._cast(grad, variable), variable, self._cast(learning_rate, variable))

    def _accumulate_or_update(self, grads, trainable_variables):
        """Every N-th step updates with the mean gradient; the others only add up."""
        steps = self.gradient_accumulation_steps
        accumulators = [self._accumulated_gradients[self._get_variable_index(v)] for v in trainable_variables]
        if (int(self._iterations.data) + 1) % steps == 0:
            mean_grads = [(grad + accumulator.data) / steps for grad, accumulator in zip(grads, accumulators)]
            self._update(mean_grads, trainable_variables)
            for accumulator in accumulators:
                accumulator.assign(accumulator.data * 0)
        else:
            for grad, accumulator in zip(grads, accumulators):
                accumulator.assign(accumulator.data + grad)

    # ----- clipping and weight decay -----
    def _clip_gradients(self, grads):
        if self.clipnorm and self.clipnorm > 0:
            return [clip_by_norm(grad, self.clipnorm) for grad in grads]
        if self.global_clipnorm and self.global_clipnorm > 0:
            return clip_by_global_norm(grads, self.global_clipnorm)
        if self.clipvalue and self.clipvalue > 0:
            return [clip_by_value(grad, self.clipvalue) for grad in grads]
        return grads

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Variables (or name patterns) that weight decay must leave alone."""
        if self.built:
            raise ValueError("`exclude_from_weight_decay()` can only be configured before the optimizer is built.")
        self._exclude_from_weight_decay_ids = {id(variable) for variable in var_list or []}
        self._exclude_from_weight_decay_pattern = re.compile("|".join(set(var_names))) if var_names else None

    def _use_weight_decay(self, variable):
        if id(variable) in self._exclude_from_weight_decay_ids:
            return False
        pattern = self._exclude_from_weight_decay_pattern
        return pattern is None or pattern.search(variable.name) is None

    def _apply_weight_decay(self, variables):
        """Decoupled weight decay (Loshchilov and Hutter): ``w -= w * wd * lr``."""
        if self.weight_decay is None:
            return
        for variable in variables:
            if self._use_weight_decay(variable):
                learning_rate = self._cast(self.learning_rate, variable)
                weight_decay = self._cast(self.weight_decay, variable)
                variable.assign(variable.data - variable.data * weight_decay * learning_rate)

    # ----- exponential moving average of the weights -----
    def _update_moving_average(self):
        # The first step copies the weights (momentum 0), as in Keras.
        step = int(self.iterations.data)
        momentum = self.ema_momentum if step != 0 else 0.0
        for variable, average in zip(self._trainable_variables, self._average_variables):
            average.assign(momentum * average.data + (1 - momentum) * variable.data)
        frequency = self.ema_overwrite_frequency
        if frequency and (step + 1) % frequency == 0:
            self.finalize_variable_values(self._trainable_variables)

    def finalize_variable_values(self, var_list):
        """With ``use_ema``, writes the averaged values into the weights."""
        if self.use_ema:
            for variable, average in zip(var_list, self._average_variables):
                variable.assign(average.data)

    # ----- loss scaling, weights and config -----
    def scale_loss(self, loss):
        """Multiplies the loss by ``loss_scale_factor`` when one is set."""
        return loss if self.loss_scale_factor is None else loss * self.loss_scale_factor

    def set_weights(self, weights):
        """Assigns a list of arrays to ``self.variables``, in order."""
        if not self.built:
            raise ValueError(
                "You are calling `set_weights()` on an optimizer that has not yet been built. "
                "Please call `optimizer.build(trainable_variables)` to create the optimizer weights "
                "before calling `set_weights()`."
            )
        for variable, weight in zip(self._variables, weights):
            if tuple(variable.shape) != tuple(weight.shape):
                raise ValueError(
                    f"Optimizer variable {variable.path} has shape {variable.shape} not compatible "
                    f"with provided weight shape {tuple(weight.shape)}."
                )
            variable.assign(backend.get_xp(variable.data).array(_raw(weight), copy=True))

    def save_own_variables(self, store):
        """Writes ``store["0"], store["1"], ...`` in variable order (the H5 layout)."""
        for index, variable in enumerate(self.variables):
            store[str(index)] = variable.numpy()

    def load_own_variables(self, store):
        """Reads what ``save_own_variables`` wrote (warns if the counts differ)."""
        if len(store.keys()) != len(self.variables):
            message = (f"Skipping variable loading for optimizer '{self.name}', because it has "
                       f"{len(self.variables)} variables whereas the saved optimizer has "
                       f"{len(store.keys())} variables. ")
            if len(self.variables) == 0:
                message += "This is likely because the optimizer has not been called/built yet."
            warnings.warn(message, stacklevel=2)
            return
        for index, variable in enumerate(self.variables):
            # A copy: slots are updated in place, and must not alias the caller's arrays.
            variable.assign(backend.get_xp(variable.data).array(_raw(store[str(index)]), copy=True))

    def get_config(self):
        """The constructor arguments, under Keras's keys and in Keras's order."""
        if isinstance(self._learning_rate, LearningRateSchedule):
            learning_rate = serialize_schedule(self._learning_rate)
        elif isinstance(self._learning_rate, Variable):
            learning_rate = float(self._learning_rate.numpy())
        else:
            learning_rate = self._learning_rate
        return {
            "name": self.name,
            "learning_rate": learning_rate,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Rebuilds the optimizer; a serialized schedule is rebuilt first."""
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            from minikeras.optimizers import schedules
            config["learning_rate"] = schedules.deserialize(config["learning_rate"], custom_objects)
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


def serialize_schedule(schedule):
    """A schedule as Keras writes it inside an optimizer config."""
    from minikeras.optimizers import schedules
    return schedules.serialize(schedule)
