"""``Layer``: the unit of every model, Keras 3's build/call contract.

Place in the stack: the first file of ``minikeras.layers``, right above the
engine (``minikeras.autodiff``) and the ops. A layer is state (variables) plus
a computation (``call``). The contract, as in Keras 3:

* ``__init__`` stores the configuration (``units=64``) and creates nothing
  that depends on the input;
* ``build(input_shape)`` creates the weights with ``add_weight``; it runs once,
  on the first call, when the input's shape is finally known ("lazy build");
* ``call(inputs, training=None, mask=None)`` computes the output with ops.

``__call__`` (this file) wraps ``call``: it converts NumPy inputs to tensors,
checks them against ``input_spec``, builds, passes the training flag and the
mask, and, when the inputs are symbolic ``KerasTensor``s of the functional API,
records a graph node instead of computing (``layer_symbolic.py``).

Layers, variables and ``SeedGenerator``s assigned as attributes, also inside
lists and dicts, are found automatically: that is how ``model.weights`` can
list every weight of every nested layer. Read next: ``layer_symbolic.py``,
then ``input_layer.py`` and the concrete layers (``core.py``...).
"""

import warnings

import numpy

from minikeras import backend
from minikeras import dtype_policies
from minikeras.autodiff import Tensor
from minikeras.autodiff import Variable
from minikeras.autodiff import remat
from minikeras.backend import context
from minikeras.backend import scopes
from minikeras.layers import layer_symbolic
from minikeras.layers import layer_utils
from minikeras.layers.input_spec import assert_input_compatibility
from minikeras.layers.keras_tensor import any_symbolic
from minikeras.random import SeedGenerator
from minikeras.utils import nest
from minikeras.utils.naming import to_snake_case
from minikeras.utils.traceback_utils import filter_traceback

# Most attribute values are names, sizes and flags: the walk below leaves them
# at once (a training step walks the layer tree a few times, for the trainable
# variables and the losses).
_LEAVES = (str, int, float, bool, type(None))
# The layer's own bookkeeping, which never holds a sublayer: its variables, seed
# generators and losses (``_track``, ``add_loss``) and the nodes of the functional
# graph (which lead to other layers, not to sublayers).
_NOT_SUBLAYERS = frozenset({"_inbound_nodes", "_trainable_variables", "_non_trainable_variables",
                            "_seed_generators", "_losses"})



def _walk_attribute(value, found, seen):
    """Appends the Layers, Variables and SeedGenerators inside ``value``
    (itself, or inside nested lists, tuples and dicts) to ``found``."""
    if type(value) in _LEAVES:
        return
    if isinstance(value, (Layer, Variable, SeedGenerator)):
        if id(value) not in seen:
            seen.add(id(value))
            found.append(value)
    elif isinstance(value, dict):
        for item in value.values():
            _walk_attribute(item, found, seen)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _walk_attribute(item, found, seen)


def _holds_strings(array):
    """True for a NumPy array of ``str`` / ``bytes`` (dtype ``<U``, ``S``, or
    ``object`` holding Python strings)."""
    if array.dtype.kind in "US":
        return True
    return array.size > 0 and isinstance(array.flat[0], (str, bytes))


class Layer:
    """Base class of all layers (and, through ``Model``, of all models).

    Args:
        name: unique name; defaults to the snake_case class name plus a
            counter (``dense``, ``dense_1``).
        trainable: whether the weights are updated by training.
        dtype: dtype of the weights and computations (default ``floatx()``);
            a serialized ``DTypePolicy`` dict is accepted too.
        activity_regularizer: optional regularizer applied to the outputs.
        input_shape, input_dim, batch_size: legacy ``tf.keras`` keywords for a
            first layer of a ``Sequential`` (prefer ``keras.Input``).
    """

    # Built-in layers that compute with numbers set this to True, so that a
    # string array reaching them is refused with a clear error. Layers you
    # write yourself may take strings (and turn them into numbers), so the
    # default is False: their inputs pass through as they are.
    _numeric_inputs_only = False

    def __init__(self, name=None, trainable=True, dtype=None, autocast=True,
                 activity_regularizer=None, **kwargs):
        # 1. Legacy keywords of first layers: remembered for Sequential.
        self._input_shape_arg = self._pop_legacy_input_shape(kwargs)
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments passed to "
                             f"{type(self).__name__}: {kwargs}")
        if not isinstance(trainable, bool):
            raise ValueError(f"Expected `trainable` to be a boolean. Received: "
                             f"trainable={trainable} (of type {type(trainable)})")
        if name is not None and (not isinstance(name, str) or "/" in name):
            raise ValueError(f"Argument `name` must be a string without '/'. Received: name={name}")
        # 2. State: the tracking lists must exist before any attribute is set.
        self._trainable_variables = []
        self._non_trainable_variables = []
        self._seed_generators = []
        self._losses = []
        self._inbound_nodes = []
        self.name = name or context.unique_name(to_snake_case(type(self).__name__))
        self._trainable = trainable
        self._dtype_policy = layer_utils.layer_dtype_policy(dtype, self.name, type(self).__name__)
        self.autocast = autocast
        self.built = False
        self._called = False
        self._build_input_shape = None
        self.input_spec = None
        # Keras's rule: a layer that defines its own `compute_mask` supports
        # masking unless it says otherwise; the others drop the mask.
        self.supports_masking = type(self).compute_mask is not Layer.compute_mask
        self.activity_regularizer = None
        # A layer made inside a RematScope recomputes its call in the backward pass (autodiff/remat.py).
        self._remat_mode = remat.get_current_remat_mode()
        if activity_regularizer is not None:
            from minikeras import regularizers  # regularizers import layers' users, not layers
            self.activity_regularizer = regularizers.get(activity_regularizer)

    def _pop_legacy_input_shape(self, kwargs):
        """Removes ``input_shape`` / ``input_dim`` / ``batch_size`` from kwargs."""
        input_dim = kwargs.pop("input_dim", None)
        input_shape = (input_dim,) if input_dim is not None else kwargs.pop("input_shape", None)
        self._batch_size_arg = kwargs.pop("batch_size", None)
        if input_shape is None:
            return None
        warnings.warn("Do not pass an `input_shape`/`input_dim` argument to a layer. When using "
                      "Sequential models, prefer using an `Input(shape)` object as the first "
                      "layer in the model instead.", stacklevel=3)
        return tuple(input_shape)

    # ----- attribute tracking -----
    def __setattr__(self, name, value):
        # Variables and SeedGenerators are registered when assigned (also in
        # lists and dicts); sublayers are found later by walking attributes.
        found = []
        if layer_utils.sublayers_memo and type(value) not in _LEAVES:
            layer_utils.sublayers_memo.clear()  # the value may hold layers: the tree may have changed
        if not name.startswith("_trainable_") and not name.startswith("_non_trainable_"):
            _walk_attribute(value, found, set())
        for item in found:
            if isinstance(item, (Variable, SeedGenerator)):
                self._check_super_called()
                self._track(item)
        object.__setattr__(self, name, value)

    def _check_super_called(self):
        if "_trainable_variables" not in self.__dict__:
            raise RuntimeError(
                f"In layer '{type(self).__name__}', you forgot to call `super().__init__()` "
                "as the first statement in the `__init__()` method. Go add it!"
            )

    def _track(self, item):
        if isinstance(item, SeedGenerator):
            target = self._seed_generators
        elif item.trainable:
            target = self._trainable_variables
        else:
            target = self._non_trainable_variables
        if not any(existing is item for existing in target):
            target.append(item)

    def _sublayers(self):
        """The layers held in attributes (also in lists/dicts), in assignment order."""
        memo = layer_utils.sublayers_memo  # a dict during a step (layer_utils.layer_tree_fixed)
        if memo is not None:
            remembered = memo.get(id(self))
            if remembered is None:
                remembered = memo[id(self)] = self._find_sublayers()
            return list(remembered)
        return self._find_sublayers()

    def _find_sublayers(self):
        """The walk of :meth:`_sublayers`, through every attribute."""
        found = []
        seen = {id(self)}
        for key, value in self.__dict__.items():
            if key not in _NOT_SUBLAYERS:
                _walk_attribute(value, found, seen)
        return [item for item in found if isinstance(item, Layer)]

    def _flatten_layers(self, include_self=True):
        """This layer (optionally) and every nested layer, depth first."""
        layers = [self] if include_self else []
        seen = {id(self)}
        stack = list(reversed(self._sublayers()))
        while stack:
            layer = stack.pop()
            if id(layer) not in seen:
                seen.add(id(layer))
                layers.append(layer)
                stack.extend(reversed(layer._sublayers()))
        return layers

    # ----- the functional graph: the tensors of this layer's first call -----
    @property
    def input(self):
        """The symbolic input(s) of this layer's first call in a functional graph.

        ``keras.Model(model.inputs, model.get_layer("x").output)`` uses the
        twin ``output`` for feature extraction. A list for several inputs.
        """
        return self._first_call_tensors("input_tensors", "input")

    @property
    def output(self):
        """The symbolic output(s) of this layer's first call in a functional graph."""
        return self._first_call_tensors("output_tensors", "output")

    def _first_call_tensors(self, attribute, description):
        if not self._inbound_nodes:
            raise AttributeError(f"The layer {self.name} has never been called and thus has no defined "
                                 f"{description}.")
        tensors = getattr(self._inbound_nodes[0], attribute)
        return tensors[0] if len(tensors) == 1 else list(tensors)

    # ----- dtype and trainable -----
    @property
    def dtype_policy(self):
        """The ``DTypePolicy`` (``minikeras/dtype_policies/``) that gives the two dtypes below."""
        return self._dtype_policy

    @dtype_policy.setter
    def dtype_policy(self, value):
        self._dtype_policy = layer_utils.layer_dtype_policy(value, self.name, type(self).__name__)

    @property
    def dtype(self):
        """The dtype of the weights (``"float32"``), as ``layer.dtype`` in Keras."""
        return self.variable_dtype

    @property
    def compute_dtype(self):
        """The dtype of inputs, outputs and computations (float16 under ``"mixed_float16"``)."""
        return layer_utils.policy_for(self).compute_dtype

    @property
    def variable_dtype(self):
        """The dtype of the weights (float32 under ``"mixed_float16"``)."""
        return layer_utils.policy_for(self).variable_dtype

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        """Freezes (False) or unfreezes this layer and every nested layer."""
        value = bool(value)
        self._trainable = value
        for variable in self._trainable_variables:
            variable.trainable = value
        for layer in self._sublayers():
            layer.trainable = value

    # ----- weights -----
    def add_weight(self, shape=None, initializer=None, dtype=None, trainable=True,
                   autocast=True, regularizer=None, constraint=None, aggregation="none",
                   overwrite_with_gradient=False, name=None):
        """Creates a weight variable owned by this layer (call it in ``build``).

        Args:
            shape: the variable's shape, e.g. ``(input_dim, units)``; ``()`` if None.
            initializer: an initializer, its name (``"zeros"``) or a callable
                ``(shape, dtype)``; default ``"glorot_uniform"`` for floats,
                ``"zeros"`` otherwise.
            dtype: default: the layer's dtype.
            trainable: whether optimizers update it (False for moving statistics).
            regularizer: adds ``regularizer(variable)`` to ``layer.losses``.
            constraint: projection the optimizer applies after each update.
            name: short name; the variable's ``path`` is ``"<layer name>/<name>"``
                (under ``"<scope>/"`` inside ``minikeras.name_scope``).
            autocast: False keeps a float weight in its own dtype inside a
                mixed-precision call (moving statistics).
            aggregation: passed to ``Variable``, which ignores it.
            overwrite_with_gradient: Keras's FP8 switch; minikeras has no FP8
                training, so only ``False`` is accepted.
        Returns:
            The new ``Variable``.
        """
        from minikeras import initializers  # above the engine, beside layers
        self._check_super_called()
        if overwrite_with_gradient:
            raise ValueError(f"{self.name}: `overwrite_with_gradient=True` (Keras's FP8 training) is not "
                             "supported by minikeras. Received: overwrite_with_gradient=True")
        shape = () if shape is None else tuple(shape)
        dtype = layer_utils.standardize_weight_dtype(dtype or self.variable_dtype)
        if initializer is None:
            initializer = "glorot_uniform" if backend.is_float_dtype(dtype) else "zeros"
        variable = Variable(initializers.get(initializer), shape=shape, dtype=dtype,
                            trainable=trainable, name=name, autocast=autocast,
                            aggregation=aggregation)
        variable.path = scopes.prefixed(f"{self.name}/{variable.name}")  # under any open name_scope
        variable.regularizer = None
        variable.constraint = None
        if regularizer is not None:
            from minikeras import regularizers
            variable.regularizer = regularizers.get(regularizer)
        if constraint is not None:
            from minikeras import constraints
            variable.constraint = constraints.get(constraint)
        self._track(variable)
        return variable

    @property
    def weights(self):
        """Own trainable, own non-trainable, then the sublayers' weights."""
        weights = []
        seen = set()
        own = self._trainable_variables + self._non_trainable_variables
        sublayer_weights = [w for layer in self._sublayers() for w in layer.weights]
        for weight in own + sublayer_weights:
            if id(weight) not in seen:
                seen.add(id(weight))
                weights.append(weight)
        return weights

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        return [weight for weight in self.weights if weight.trainable]

    @property
    def non_trainable_weights(self):
        if not self.trainable:
            return self.weights
        return [weight for weight in self.weights if not weight.trainable]

    @property
    def variables(self):
        """Like ``weights``, plus the state of ``SeedGenerator``s."""
        variables = []
        seen = set()
        own = self._trainable_variables + self._non_trainable_variables
        seeds = [generator.state for generator in self._seed_generators]
        sublayer_variables = [v for layer in self._sublayers() for v in layer.variables]
        for variable in own + seeds + sublayer_variables:
            if id(variable) not in seen:
                seen.add(id(variable))
                variables.append(variable)
        return variables

    @property
    def trainable_variables(self):
        return self.trainable_weights

    @property
    def non_trainable_variables(self):
        trainable = {id(v) for v in self.trainable_weights}
        return [v for v in self.variables if id(v) not in trainable]

    def get_weights(self):
        """The weights' values as NumPy arrays, in ``weights`` order."""
        return [weight.numpy() for weight in self.weights]

    def set_weights(self, weights):
        """Sets the weights from NumPy arrays, in ``weights`` order."""
        layer_weights = self.weights
        if len(layer_weights) != len(weights):
            raise ValueError(
                f"You called `set_weights(weights)` on layer '{self.name}' with a weight list "
                f"of length {len(weights)}, but the layer was expecting {len(layer_weights)} weights."
            )
        for variable, value in zip(layer_weights, weights):
            value = numpy.asarray(value)
            if tuple(variable.shape) != tuple(value.shape):
                raise ValueError(f"Layer {self.name} weight shape {tuple(variable.shape)} is not "
                                 f"compatible with provided weight shape {tuple(value.shape)}.")
            variable.assign(value)

    def count_params(self):
        """The number of scalars in ``weights``."""
        if not self.built:
            raise ValueError(f"You tried to call `count_params` on layer '{self.name}', but the "
                             "layer isn't built. You can build it manually via: "
                             "`layer.build(input_shape)`.")
        return int(sum(numpy.prod(weight.shape, dtype=numpy.int64) for weight in self.weights))

    # ----- losses -----
    def add_loss(self, loss):
        """Adds a scalar loss (a tensor) that training will minimise too.

        Inside a ``StatelessScope`` the layer keeps nothing: the loss goes to
        ``scope.losses`` if the scope collects losses, else it is dropped (Keras's rule).
        """
        stateless_scope = scopes.get_stateless_scope()
        if stateless_scope is None:
            self._losses.append(loss)
        elif stateless_scope.collect_losses:
            stateless_scope.add_loss(loss)

    @property
    def losses(self):
        """``add_loss`` losses of this layer and its sublayers, then the weight
        regularization losses, computed now (so a tape sees them)."""
        losses = [loss for layer in self._flatten_layers() for loss in layer._losses]
        for variable in self.trainable_weights:
            regularizer = getattr(variable, "regularizer", None)
            if regularizer is not None:
                losses.append(regularizer(variable))
        return losses

    def _clear_losses(self):
        for layer in self._flatten_layers():
            layer._losses.clear()  # the same list emptied: the tree is unchanged (see layer_utils.layer_tree_fixed)

    # ----- build -----
    def build(self, input_shape):
        """Creates the weights; the default creates none."""
        self.built = True

    def _maybe_build(self, first_input):
        """Builds on the first call, from the shape of the first argument."""
        if self.built:
            return
        input_shape = None
        if first_input is not None:
            input_shape = nest.map_structure(layer_utils.shape_of, first_input)
        with context.no_grad():  # creating weights is not part of any gradient
            self.build(input_shape)
        self.built = True
        if type(self).build is not Layer.build:  # as Keras: only a real build is recorded
            self._build_input_shape = input_shape

    def get_build_config(self):
        """``{"input_shape": ...}`` once built by a call (saved in ``.keras`` files)."""
        if self._build_input_shape is None:
            return None
        return {"input_shape": self._build_input_shape}

    def build_from_config(self, config):
        """Rebuilds from ``get_build_config()`` when loading a saved model."""
        if config and config.get("input_shape") is not None:
            input_shape = layer_utils.as_shape_structure(config["input_shape"])
            with context.no_grad():
                self.build(input_shape)
            self.built = True
            self._build_input_shape = input_shape

    # ----- call -----
    def call(self, inputs, *args, **kwargs):
        """The computation; subclasses override it. The default returns ``inputs``."""
        return inputs

    @filter_traceback  # an error in `call` shows the user's frames, not ours (traceback_utils.py)
    def __call__(self, *args, **kwargs):
        # 1. Symbolic inputs (functional API): record a node, compute nothing.
        if any_symbolic(args, kwargs):
            return layer_symbolic.symbolic_call(self, args, kwargs)
        # 2. NumPy arrays become tensors of the layer's dtype.
        if args:
            args = (self._convert_inputs(args[0]),) + tuple(args[1:])
        first_input = args[0] if args else kwargs.get("inputs")
        # 3. Check the input, build on the first call.
        assert_input_compatibility(self.input_spec, first_input, self.name)
        self._maybe_build(first_input)
        # 4. The training flag: explicit, else the outer call's, else the
        #    signature's default, else False. The outermost call clears losses.
        has_training, has_mask, training_default = layer_utils.call_arguments(type(self))
        if context.in_training() is None:
            self._clear_losses()
        training = kwargs.pop("training", None)
        if training is None:
            training = context.in_training()
        if training is None:
            training = training_default if training_default is not None else False
        if has_training:
            kwargs["training"] = training
        # 5. The mask attached to the input by an earlier layer (Embedding).
        previous_mask = layer_utils.mask_of(first_input)
        if has_mask and kwargs.get("mask") is None and previous_mask is not None:
            kwargs["mask"] = previous_mask
        # 6. Run `call` with the flag visible to every nested layer.
        with context.training_scope(training), context.autocast_scope(self._autocast_dtype()):
            call = self.call
            if getattr(self, "_remat_mode", None) is not None:
                call = remat.rematerialized_call(self, call, args, kwargs)
            outputs = call(*args, **kwargs)
        self._called = True
        self._after_call(first_input, outputs, previous_mask)
        return outputs

    def _after_call(self, first_input, outputs, previous_mask):
        """Attaches the output mask and adds the activity regularization loss.

        As in Keras, a mask that ``call`` attached itself is kept.
        """
        if self.supports_masking and isinstance(outputs, Tensor) and getattr(outputs, "_keras_mask", None) is None:
            outputs._keras_mask = self.compute_mask(first_input, previous_mask)
        elif self.supports_masking and isinstance(outputs, (list, tuple)):
            # Several outputs (an RNN's [output, *states]): one mask each, or None.
            masks = self.compute_mask(first_input, previous_mask)
            if isinstance(masks, (list, tuple)) and len(masks) == len(outputs):
                for output, mask in zip(outputs, masks):
                    if isinstance(output, Tensor):
                        output._keras_mask = mask
        elif not self.supports_masking:
            layer_utils.warn_if_mask_dropped(self, previous_mask)
        if self.activity_regularizer is not None:
            for output in nest.flatten(outputs):
                loss = self.activity_regularizer(output)
                if output.ndim > 0:
                    loss = loss / output.shape[0]  # per sample, as in Keras
                self.add_loss(loss)

    def _autocast_dtype(self):
        """The dtype ops read float Variables as during ``call`` (Keras's AutocastScope):
        the compute dtype of a mixed layer, an outer mixed layer's, or None."""
        outer = context.autocast_dtype()
        if not self.autocast or not layer_utils.is_float_dtype_name(self.compute_dtype):
            return None
        if outer is not None or self.compute_dtype != self.variable_dtype:
            return self.compute_dtype
        return None

    def _convert_inputs(self, inputs):
        """Arrays in the first argument become Tensors (floats in the layer's dtype);
        string arrays stay NumPy arrays (they carry no gradient)."""
        def convert(leaf):
            if isinstance(leaf, Tensor):  # a float Tensor is cast (on the tape) to the compute dtype
                return layer_utils.autocast_tensor(leaf, self.compute_dtype if self.autocast else None)
            if not (isinstance(leaf, numpy.ndarray) or backend.is_cupy_array(leaf)):
                return leaf
            if leaf.dtype.kind in "OUS":
                if self._numeric_inputs_only and _holds_strings(leaf):
                    raise ValueError(
                        f"Layer '{self.name}' ({type(self).__name__}) computes with numbers, but it "
                        f"received an array of strings: dtype {leaf.dtype}, shape {leaf.shape}. Turn "
                        "the strings into numbers first (for example with a `TextVectorization` "
                        "layer), or cast the array to a numeric dtype.")
                return leaf
            dtype = self.compute_dtype if leaf.dtype.kind == "f" and self.autocast else None
            if dtype == "string":
                dtype = None
            return Tensor(backend.convert_to_tensor(leaf, dtype=dtype))
        return nest.map_structure(convert, inputs)

    def compute_output_shape(self, input_shape):
        """The output shape for this input shape (``None`` = unknown size).

        The default calls the layer on zeros of that shape, without side
        effects (``layer_symbolic.py``); concrete layers override it with the
        formula, which is faster and exact for unknown sizes.
        """
        return layer_symbolic.output_shape_by_trial(self, input_shape)

    def compute_output_spec(self, *args, **kwargs):
        """The symbolic output (``KerasTensor``) for symbolic inputs.

        Uses ``compute_output_shape`` when the layer defines it (outputs get
        the layer's dtype), else trial calls (``layer_symbolic.py``).
        """
        if type(self).compute_output_shape is Layer.compute_output_shape:
            return layer_symbolic.output_spec_by_trial(self, args, kwargs)
        first_input = args[0] if args else kwargs.get("inputs")
        input_shape = nest.map_structure(layer_utils.shape_of, first_input)
        output_shape = self.compute_output_shape(input_shape)
        return layer_symbolic.specs_from_shapes(output_shape, self.compute_dtype)

    def compute_mask(self, inputs, previous_mask=None):
        """The output mask; by default the input's mask passes through."""
        return previous_mask

    # ----- configuration -----
    def get_config(self):
        """The constructor arguments that recreate this layer (``from_config``)."""
        config = {"name": self.name, "trainable": self.trainable,
                  "dtype": dtype_policies.serialize(self.dtype_policy)}
        if self.activity_regularizer is not None:
            from minikeras import regularizers
            config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"
