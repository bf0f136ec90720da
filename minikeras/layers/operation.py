"""``Operation``: an op node of a functional graph (``keras.ops.relu(x)`` on a KerasTensor).

Place in the stack: beside ``layer.py``; made by ``minikeras/ops/symbolic.py``
when an op is called on KerasTensors. Keras 3 records such a call as a node
whose "layer" is the op itself (class ``Relu``, name ``relu``). In minikeras
that node's layer is an ``Operation``: a ``Layer`` with no weights whose
``call`` applies the op function. Being a layer, it gets everything the
functional API gives layers, with no new code: output shape and dtype from
trial calls on zeros (``layer_symbolic.py``), a ``Node`` that
``Model(inputs, outputs)`` finds, a row in ``summary()``. One exception: when
inputs or output are big, the shape comes from the op's rule
(``operation_rules.py``) instead of a trial call, so that a saved config
cannot make loading allocate a huge array.

As in Keras, an op node splits its arguments in two (``operation_table.py``):
the static ones (``axis=-1`` of ``concatenate``) belong to the node and are
its ``config``; the others (the tensors, ``2.0`` in ``x * 2.0``) are the call's
arguments and are stored in the node's ``inbound_nodes``. And as in Keras,
``model.layers`` leaves op nodes out; ``model.operations`` lists them.
Read next: ``minikeras/models/functional.py`` (saving op nodes).
"""

from minikeras.backend import context
from minikeras.backend.keras_tensor import KerasTensor
from minikeras.layers import operation_rules
from minikeras.layers import operation_shapes
from minikeras.layers.layer import Layer
from minikeras.layers.operation_table import KERAS_MODULES
from minikeras.layers.operation_table import OPERATIONS
from minikeras.layers.operation_table import REQUIRED
from minikeras.layers.operation_table import spec_by_keras_name
from minikeras.utils import nest
from minikeras.utils.naming import to_snake_case


class Operation(Layer):
    """A weightless layer that applies one op function (``minikeras.Operation``, Keras's ``keras.Operation``).

    Args:
        function: the op, e.g. ``minikeras.ops.concatenate``; None for a
            subclass that defines ``call`` (and, ideally, ``compute_output_spec``)
            itself, as one subclasses ``keras.Operation`` to write a new op.
        spec: its row of ``operation_table.OPERATIONS``, or None for an op the
            table does not list (it then takes every argument at call time and
            cannot be saved).
        arguments: the static arguments, e.g. ``{"axis": -1}``.
        name: defaults to the Keras name, ``concatenate``, ``concatenate_1``...

    Unlike Keras, where ``Operation`` is also the base class of ``Layer``,
    here it is a kind of layer: ``isinstance(Dense(2), minikeras.Operation)``
    is False. Subclassing it and calling it work as in Keras.
    """

    def __init__(self, function=None, spec=None, arguments=None, name=None):
        if spec is not None:
            class_name = spec.class_name
        elif function is not None:
            class_name = _camel_case(function.__name__)
        else:
            class_name = type(self).__name__
        super().__init__(name=name or context.unique_name(to_snake_case(class_name)), autocast=False)
        self.function = function
        self.spec = spec
        self.class_name = class_name
        self.arguments = dict(arguments or {})

    @classmethod
    def from_function_call(cls, function, args, kwargs):
        """Splits ``function(*args, **kwargs)`` into a node and its call arguments.

        Returns:
            ``(operation, call_args, call_kwargs)``.
        """
        spec = OPERATIONS.get(function.__name__)
        if spec is None:
            return cls(function), tuple(args), dict(kwargs)
        named = _name_arguments(function.__name__, spec.parameters, args, kwargs)
        # 1. Static arguments: given, else Keras's default.
        arguments = {}
        for parameter, default in spec.config.items():
            value = named.get(parameter, default)
            if value is REQUIRED:
                raise TypeError(f"{function.__name__}() missing required argument: '{parameter}'")
            arguments[parameter] = value
        # 2. Call arguments: positional while none is missing, then by keyword.
        call_args, call_kwargs = [], {}
        for parameter in spec.call_parameters():
            if parameter not in named:
                continue
            if call_kwargs or len(call_args) < spec.call_parameters().index(parameter):
                call_kwargs[parameter] = named[parameter]
            else:
                call_args.append(named[parameter])
        return cls(function, spec, arguments), tuple(call_args), call_kwargs

    def compute_output_spec(self, *args, **kwargs):
        """The symbolic output, from the op's shape rule when running it on zeros would be big.

        The trial call (``layer_symbolic.py``) gives the exact dtype and Python's
        errors for bad arguments, so it is used whenever inputs and output are
        small; a saved config asking for a huge output (``ops.tile(x, [1, 10**9])``)
        is then answered from the rule, without allocating it.
        """
        if self.spec is None or self.function is None:
            return super().compute_output_spec(*args, **kwargs)
        function_name = self.function.__name__
        named = {**dict(zip(self.spec.call_parameters(), args)), **kwargs, **self.arguments}
        inputs = [leaf for leaf in nest.flatten([list(args), dict(kwargs)]) if isinstance(leaf, KerasTensor)]
        size = sum(operation_shapes.num_elements(tensor.shape) for tensor in inputs)
        try:
            spec = operation_rules.output_spec(function_name, named)
        except operation_shapes.ShapeRuleError as error:
            if function_name in operation_rules.AMPLIFYING or size > operation_shapes.TRIAL_LIMIT:
                raise ValueError(f"Op node '{self.name}' ({self.class_name}): {error}. Inputs: "
                                 f"{[tensor.shape for tensor in inputs]}, arguments: {self.arguments}") from None
            return super().compute_output_spec(*args, **kwargs)  # Python's own error, or a form the rule lacks
        size += sum(operation_shapes.num_elements(tensor.shape) for tensor in nest.flatten(spec))
        if size <= operation_shapes.TRIAL_LIMIT:
            return super().compute_output_spec(*args, **kwargs)
        return spec

    def call(self, *args, **kwargs):
        if self.function is None:
            raise NotImplementedError(f"{type(self).__name__}: an Operation subclass without a `function` "
                                      "must define `call`.")
        if self.spec is None:
            return self.function(*args, **kwargs)
        named = dict(zip(self.spec.call_parameters(), args), **kwargs)
        return self.function(**named, **self.arguments)

    # ----- saving: Keras's op-node format -----
    def get_config(self):
        """``{"name": "concatenate", "axis": -1}``: Keras's config of an op node."""
        return {"name": self.name, **self.arguments}

    def keras_config(self):
        """The serialized node as Keras writes it in ``config.json``.

        Raises:
            ValueError: for an op that ``operation_table.py`` does not list.
        """
        if self.spec is None:
            supported = ", ".join(sorted(OPERATIONS))
            what = self.function.__name__ if self.function is not None else type(self).__name__
            raise ValueError(
                f"Cannot save the op node '{self.name}' ({what}): minikeras can "
                f"save op nodes of these ops only: {supported}. Wrap the computation in a layer "
                "(a `Layer` subclass, or a `Lambda` with a registered function) instead."
            )
        return {"module": KERAS_MODULES[self.spec.module], "class_name": self.class_name,
                "config": self.get_config(), "registered_name": self.class_name}

    @classmethod
    def from_keras_config(cls, layer_config):
        """Rebuilds an op node from its saved dict, through the literal table only."""
        from minikeras import ops
        module, class_name = layer_config.get("module"), layer_config.get("class_name")
        found = spec_by_keras_name(module, class_name)
        if found is None:
            raise ValueError(
                f"minikeras cannot rebuild the op node '{layer_config.get('name')}' of class "
                f"`{module}.{class_name}`: it is not among the ops minikeras saves and loads "
                "(see minikeras/layers/operation_table.py)."
            )
        function_name, spec = found
        config = dict(layer_config.get("config") or {})
        name = config.pop("name", None)
        unknown = [key for key in config if key not in spec.config]
        if unknown:
            raise ValueError(f"Unknown argument {unknown[0]!r} in the saved config of op node "
                             f"'{name}' ({class_name}). Config: {layer_config.get('config')}")
        arguments = {key: config.get(key, default) for key, default in spec.config.items()}
        # The name was checked against the table above; it never comes from the file alone.
        return cls(getattr(ops, function_name), spec, arguments, name=name)


def is_keras_operation_config(layer_config):
    """True for a saved op node: Keras writes them under ``keras.src.ops.*``."""
    module = layer_config.get("module")
    return isinstance(module, str) and module.startswith("keras.src.ops.")


def _name_arguments(function_name, parameters, args, kwargs):
    """``{parameter: value}`` for a call, with Python's errors for bad calls."""
    if len(args) > len(parameters):
        raise TypeError(f"{function_name}() takes {len(parameters)} positional arguments but "
                        f"{len(args)} were given")
    named = dict(zip(parameters, args))
    for key, value in kwargs.items():
        if key not in parameters:
            raise TypeError(f"{function_name}() got an unexpected keyword argument '{key}'")
        if key in named:
            raise TypeError(f"{function_name}() got multiple values for argument '{key}'")
        named[key] = value
    return named


def _camel_case(name):
    """``"batch_normalization"`` -> ``"BatchNormalization"`` (Keras's op class names)."""
    return "".join(part.capitalize() for part in name.split("_"))
