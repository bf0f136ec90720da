"""MultiOptimizer and OptimizerMap: different optimizers for different weights.

Place in the stack: a wrapper over the optimizers of this package, like
``loss_scale_optimizer.py``; read ``optimizer.py`` first.

Fine-tuning often wants, say, SGD with a small rate for a pretrained encoder
and Adam for a new head. ``OptimizerMap`` answers "which optimizer moves this
variable?" from the variable's path (``"encoder/dense/kernel"``): an exact key
first, then the keys read as regular expressions that must match the whole
path (``"encoder/.*"``), else its ``default_optimizer``. ``MultiOptimizer``
asks it (or any callable ``variable -> optimizer``) once per variable when
built, builds each inner optimizer on its own variables, and then splits
every ``apply`` among them.

State: its own ``iteration`` and ``learning_rate`` (fixed at 0, never used;
every inner optimizer has its own rate), then each inner optimizer's
variables. Saving writes that whole list at ``optimizer/vars`` and, as
Keras does, each inner optimizer again at ``optimizer/optimizers/<class
name>/vars`` (the ``optimizers`` list is an attribute the saving walk
visits).
"""

import re

from minikeras.optimizers.loss_scale_optimizer import LossScaleOptimizer
from minikeras.optimizers.optimizer import Optimizer


def _check_inner(optimizer, where):
    """Only plain optimizers may sit inside a MultiOptimizer."""
    if not isinstance(optimizer, Optimizer):
        raise ValueError(f"{where} must be a Keras Optimizer instance. Received: {optimizer}")
    if isinstance(optimizer, LossScaleOptimizer):
        raise ValueError("LossScaleOptimizer cannot be used inside an MultiOptimizer.")
    if isinstance(optimizer, MultiOptimizer):
        raise ValueError("MultiOptimizer cannot be used inside an MultiOptimizer.")


class OptimizerMap:
    """A dict-like ``{path or regular expression: optimizer}`` with a default.

    Args:
        default_optimizer: the optimizer of every variable no key matches.
        optimizer_map: optional initial ``{key: optimizer}`` dict.

    ``optimizer_map["encoder/.*"] = SGD()`` adds a key (a key may be set only
    once); ``optimizer_map["encoder/dense/kernel"]`` returns the optimizer of
    that path; ``optimizer_map(variable)`` looks up ``variable.path``.
    """

    def __init__(self, default_optimizer, optimizer_map=None):
        if not isinstance(default_optimizer, Optimizer):
            raise TypeError(f"default_optimizer must be a Keras Optimizer instance. Received: {default_optimizer}")
        if optimizer_map is not None and not isinstance(optimizer_map, dict):
            raise TypeError(f"optimizer_map must be a dictionary. Received: {optimizer_map}")
        self._default_optimizer = default_optimizer
        self._optimizer_map = optimizer_map or {}

    @property
    def default_optimizer(self):
        return self._default_optimizer

    def __getitem__(self, key):
        """The optimizer of ``key``: exact key, else the one key that fully matches it, else the default.

        Raises:
            ValueError: if two keys, read as regular expressions, both match.
        """
        if key in self._optimizer_map:
            return self._optimizer_map[key]
        matching_keys = [pattern for pattern in self._optimizer_map if re.fullmatch(pattern, key)]
        if len(matching_keys) > 1:
            raise ValueError(f"Multiple optimizers assigned to variable {key}.")
        if matching_keys:
            return self._optimizer_map[matching_keys[0]]
        return self.default_optimizer

    def __setitem__(self, key, optimizer):
        if key in self._optimizer_map:
            raise ValueError(f"'{key}' already exists in the OptimizerMap with value {self._optimizer_map[key]}. "
                             "Please make sure to not use duplicated keys.")
        if not isinstance(key, str):
            raise ValueError(f"key must be a string. Received: {key}")
        if not isinstance(optimizer, Optimizer):
            raise ValueError(f"optimizer must be a Keras Optimizer instance. Received: {optimizer}")
        if isinstance(optimizer, LossScaleOptimizer):
            raise ValueError("optimizer cannot be LossScaleOptimizer.")
        if isinstance(optimizer, MultiOptimizer):
            raise ValueError("optimizer cannot be MultiOptimizer.")
        self._optimizer_map[key] = optimizer

    def __delitem__(self, key):
        del self._optimizer_map[key]

    def __len__(self):
        return len(self._optimizer_map)

    def __iter__(self):
        return iter(self._optimizer_map)

    def __contains__(self, key):
        return key in self._optimizer_map

    def keys(self):
        return self._optimizer_map.keys()

    def values(self):
        return self._optimizer_map.values()

    def items(self):
        return self._optimizer_map.items()

    def get(self, key, default=None):
        return self._optimizer_map.get(key, default)

    def __call__(self, variable):
        return self[variable.path]

    def get_config(self):
        from minikeras.optimizers import serialize
        return {"default_optimizer": serialize(self._default_optimizer),
                "optimizer_map": {key: serialize(value) for key, value in self._optimizer_map.items()}}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from minikeras.optimizers import deserialize
        default_optimizer = deserialize(config["default_optimizer"], custom_objects=custom_objects)
        optimizer_map = {key: deserialize(value, custom_objects=custom_objects)
                         for key, value in (config.get("optimizer_map") or {}).items()}
        return cls(default_optimizer, optimizer_map)


class MultiOptimizer(Optimizer):
    """Delegates each variable to the optimizer ``optimizer_map`` picks for it.

    Args:
        optimizer_map: an ``OptimizerMap``, or a callable ``variable -> optimizer``.
        loss_scale_factor: set on every inner optimizer too.
        name: defaults to ``"multi_optimizer"``.

    It has no learning rate of its own: reading or setting ``learning_rate``
    raises; use ``optimizer.optimizers[i].learning_rate``.
    """

    def __init__(self, optimizer_map, loss_scale_factor=None, name=None):
        super().__init__(learning_rate=0.0, loss_scale_factor=loss_scale_factor, name=name)
        self._optimizer_map = optimizer_map
        self.optimizers = []  # the inner optimizers, in the order they were met (also the saving order)
        inner = list(optimizer_map.values()) if isinstance(optimizer_map, OptimizerMap) else []
        default_optimizer = getattr(optimizer_map, "default_optimizer", None)
        for optimizer in inner + ([default_optimizer] if default_optimizer is not None else []):
            if not any(optimizer is known for known in self.optimizers):
                optimizer.loss_scale_factor = loss_scale_factor
                self.optimizers.append(optimizer)

    def _index_of(self, optimizer):
        return next(index for index, known in enumerate(self.optimizers) if known is optimizer)

    def build(self, variables):
        """Asks the map for each variable's optimizer, then builds each inner one on its variables."""
        if self.built:
            return
        self._optimizer_of = {}  # id(variable) -> index in self.optimizers
        for variable in variables:
            optimizer = self._optimizer_map(variable)
            _check_inner(optimizer, f"Optimizer for variable {variable.path}")
            if not any(optimizer is known for known in self.optimizers):
                optimizer.loss_scale_factor = self.loss_scale_factor
                self.optimizers.append(optimizer)
            self._optimizer_of[id(variable)] = self._index_of(optimizer)
        for index, optimizer in enumerate(self.optimizers):
            own = [variable for variable in variables if self._optimizer_of[id(variable)] == index]
            if own:
                optimizer.build(own)
        super().build(variables)

    @property
    def variables(self):
        """``iteration``, ``learning_rate``, then every inner optimizer's variables."""
        variables = self._variables[:]
        for optimizer in self.optimizers:
            variables.extend(optimizer.variables)
        return variables

    @property
    def learning_rate(self):
        raise AttributeError("Learning rate cannot be accessed on a MultiOptimizer. "
                             "Access the learning rate on the individual sub-optimizers instead.")

    @learning_rate.setter
    def learning_rate(self, value):
        raise AttributeError("Learning rate cannot be set on a MultiOptimizer. "
                             "Set the learning rate on the individual sub-optimizers instead.")

    @property
    def loss_scale_factor(self):
        return getattr(self, "_loss_scale_factor", None)

    @loss_scale_factor.setter
    def loss_scale_factor(self, value):
        self._loss_scale_factor = value
        for optimizer in getattr(self, "optimizers", []):
            optimizer.loss_scale_factor = value

    @property
    def iterations(self):
        return self._iterations

    def apply(self, grads, trainable_variables=None):
        """Hands each inner optimizer its own ``(gradient, variable)`` pairs, then counts the step."""
        if len(grads) == 0:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError("When passing `grads` without `variables`, the optimizer must already be built "
                                 "on a list of variables. Call `optimizer.build(trainable_variables)` first.")
            trainable_variables = self._trainable_variables
        trainable_variables = list(trainable_variables)
        if not self.built:
            self.build(trainable_variables)
        if len(grads) != len(self._optimizer_of):
            raise ValueError("Gradients must match trainable variables one-to-one. "
                             f"Received {len(grads)} gradients and {len(self._optimizer_of)} variables.")
        pairs = [[] for _ in self.optimizers]
        for grad, variable in zip(grads, trainable_variables):
            pairs[self._optimizer_of[id(variable)]].append((grad, variable))
        for optimizer, own_pairs in zip(self.optimizers, pairs):
            if own_pairs:
                optimizer.apply([grad for grad, _ in own_pairs], [variable for _, variable in own_pairs])
        self._iterations.assign(self._iterations.data + 1)

    def finalize_variable_values(self, var_list):
        for index, optimizer in enumerate(self.optimizers):
            own = [variable for variable in var_list if self._optimizer_of[id(variable)] == index]
            if own:
                optimizer.finalize_variable_values(own)

    def set_weights(self, weights):
        """Its own two variables, then each inner optimizer's, in ``variables`` order."""
        if not self.built:
            raise ValueError(
                "You are calling `set_weights()` on an optimizer that has not yet been built. "
                "Please call `optimizer.build(trainable_variables)` to create the optimizer weights "
                "before calling `set_weights()`.")
        own_count = len(self._variables)
        for variable, weight in zip(self._variables, weights[:own_count]):
            variable.assign(weight)
        start = own_count
        for optimizer in self.optimizers:
            count = len(optimizer.variables)
            if count:
                optimizer.set_weights(weights[start:start + count])
                start += count

    def get_config(self):
        """An ``OptimizerMap`` is written in full; a selector function by name, as Keras does."""
        optimizer_map = self._optimizer_map
        if isinstance(optimizer_map, OptimizerMap):
            serialized = {"module": "keras.optimizers", "class_name": "OptimizerMap",
                          "config": optimizer_map.get_config(), "registered_name": None}
        else:
            name = getattr(optimizer_map, "__name__", type(optimizer_map).__name__)
            serialized = {"module": getattr(optimizer_map, "__module__", None), "class_name": "function",
                          "config": name, "registered_name": name}
        return {"optimizer_map": serialized, "loss_scale_factor": self.loss_scale_factor, "name": self.name}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Rebuilds the map; a selector function must be registered or in ``custom_objects`` (nothing is imported)."""
        config = dict(config)
        serialized = config["optimizer_map"]
        if isinstance(serialized, dict) and serialized.get("class_name") == "OptimizerMap":
            config["optimizer_map"] = OptimizerMap.from_config(serialized["config"], custom_objects)
        elif isinstance(serialized, dict):
            from minikeras.utils.object_registration import get_registered_object
            name = serialized.get("registered_name") or serialized.get("config")
            selector = get_registered_object(name, custom_objects)
            if selector is None:
                raise ValueError(f"MultiOptimizer: the selector function '{name}' of `optimizer_map` is not "
                                 f"known; register it or pass it in `custom_objects={{'{name}': function}}`.")
            config["optimizer_map"] = selector
        return cls(**config)
