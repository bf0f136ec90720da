"""``Model``: a layer that can be trained, saved and summarised.

Place in the stack: above ``functional_graph.py``; ``Sequential`` and
``Functional`` derive from it. A model is a ``Layer`` (it has weights, a
``call``, nested layers) plus the training methods of ``Trainer``
(``compile``, ``fit``, ``evaluate``, ``predict``, from
``minikeras/trainers/trainer.py``). Keras offers three ways to make one, all
handled here:

* **subclassing**: ``class MyModel(keras.Model)`` with layers assigned in
  ``__init__`` and a ``call(x)``; the layers are found through the attributes;
* **functional**: ``Model(inputs, outputs)``; the model then holds a
  ``FunctionalGraph`` and its ``call`` runs that graph;
* **Sequential**: a list of layers (``sequential.py``).

Read next: ``sequential.py``, then ``summary.py``.
"""

from minikeras.backend import context
from minikeras.layers.keras_tensor import KerasTensor
from minikeras.layers.layer import Layer
from minikeras.layers.operation import Operation
from minikeras.models import summary as summary_module
from minikeras.models.functional_graph import FunctionalGraph
from minikeras.trainers.trainer import Trainer
from minikeras.utils import nest
from minikeras.utils.traceback_utils import filter_traceback


class Model(Trainer, Layer):
    """A trainable group of layers.

    ``Model(inputs, outputs, name=None)`` builds a functional model;
    ``Model()`` with no graph is the base of a subclassed model.

    Args:
        inputs: for a functional model, the ``keras.Input`` tensor(s)
            (one, a list, or a dict by name).
        outputs: for a functional model, the KerasTensor(s) computed from them.
        name: default ``functional`` for a functional model, else the
            snake_case class name (``my_model``).
        trainable, dtype: as for ``Layer``.
    """

    def __init__(self, *args, **kwargs):
        # 1. Functional arguments, positional or by keyword.
        inputs, outputs, kwargs = _split_functional_arguments(args, kwargs)
        if inputs is not None and kwargs.get("name") is None:
            kwargs["name"] = context.unique_name("functional")
        # 2. The Layer part (names, tracking); Trainer keeps class-level defaults.
        Layer.__init__(self, **kwargs)
        self._graph = None
        if inputs is not None:
            self._init_graph(inputs, outputs)

    def _init_graph(self, inputs, outputs):
        """Makes this model run the graph from ``inputs`` to ``outputs``."""
        self._graph = FunctionalGraph(inputs, outputs, model_name=self.name)
        # A list attribute, so that weights and nested layers are tracked.
        self._graph_layers = list(self._graph.layers)
        self.built = True
        shapes = nest.map_structure(lambda tensor: tuple(tensor.shape), self._graph.inputs_structure)
        self._build_input_shape = shapes

    # ----- structure -----
    @property
    def layers(self):
        """The model's layers: graph order for a functional model, attribute
        order for a subclassed one. As in Keras, op nodes (``x + y``,
        ``ops.relu(x)``) are not layers: ``operations`` lists them too."""
        if self._graph is not None:
            return [layer for layer in self._graph.layers if not isinstance(layer, Operation)]
        return self._sublayers()

    @property
    def operations(self):
        """Every node's layer or op of a functional model, in graph order."""
        if self._graph is not None:
            return list(self._graph.layers)
        return self._sublayers()

    @property
    def inputs(self):
        """The symbolic inputs of a functional model (a flat list), else None."""
        return None if self._graph is None else list(self._graph.inputs)

    @property
    def outputs(self):
        return None if self._graph is None else list(self._graph.outputs)

    @property
    def input(self):
        """The symbolic input(s), in the structure given to ``Model``."""
        self._require_graph("input")
        return _single_or_structure(self._graph.inputs_structure)

    @property
    def output(self):
        self._require_graph("output")
        return _single_or_structure(self._graph.outputs_structure)

    @property
    def input_shape(self):
        """The input shape(s) with ``None`` for the batch, e.g. ``(None, 784)``."""
        return nest.map_structure(lambda tensor: tuple(tensor.shape), self.input)

    @property
    def output_shape(self):
        return nest.map_structure(lambda tensor: tuple(tensor.shape), self.output)

    @property
    def input_names(self):
        return None if self._graph is None else self._graph.input_names

    @property
    def output_names(self):
        return None if self._graph is None else self._graph.output_names

    def _require_graph(self, attribute):
        if self._graph is None:
            raise AttributeError(f"Model '{self.name}' has no `{attribute}`: only a functional or "
                                 "built Sequential model has symbolic inputs and outputs.")

    @filter_traceback
    def get_layer(self, name=None, index=None):
        """Returns a layer by ``name`` or by ``index`` (in ``model.layers``)."""
        if index is not None and name is not None:
            raise ValueError(f"Provide only a layer name or a layer index. Received: "
                             f"index={index}, name={name}.")
        layers = self.layers
        if index is not None:
            if len(layers) <= index:
                raise ValueError(f"Was asked to retrieve layer at index {index} but model only "
                                 f"has {len(layers)} layers.")
            return layers[index]
        if name is not None:
            for layer in layers:
                if layer.name == name:
                    return layer
            raise ValueError(f"No such layer: {name}. Existing layers are: "
                             f"{[layer.name for layer in layers]}.")
        raise ValueError("Provide either a layer name or layer index at `get_layer`.")

    # ----- calling -----
    def call(self, inputs, training=None, mask=None):
        """Runs the graph of a functional model. A subclassed model overrides it."""
        if self._graph is None:
            raise TypeError(
                f"Model '{self.name}' has no graph and no `call` method. Either subclass "
                "`keras.Model` and define `call(self, inputs)`, or create it with "
                "`keras.Model(inputs, outputs)`."
            )
        return self._graph.run(inputs)

    def build(self, input_shape):
        """A subclassed model builds its layers by calling them; nothing to do here."""
        self.built = True

    def compute_output_spec(self, *args, **kwargs):
        """A functional model's outputs are known from its graph (no trial call)."""
        if self._graph is None:
            return Layer.compute_output_spec(self, *args, **kwargs)
        return nest.map_structure(lambda tensor: KerasTensor(tensor.shape, dtype=tensor.dtype),
                                  self._graph.outputs_structure)

    # ----- reporting -----
    @filter_traceback
    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None):
        """Prints the table of layers, output shapes and parameter counts.

        Args:
            line_length: total width of the table (default 88, or 108 with a
                "Connected to" column; at most the terminal width - 4).
            positions: relative column ends, e.g. ``[0.45, 0.80, 1.0]``.
            print_fn: called once with the whole text instead of printing.
            expand_nested: also list the layers inside nested models.
            show_trainable: add a "Trainable" column.
            layer_range: ``(first_name, last_name)`` regexes of the rows to show.
        """
        summary_module.print_summary(self, line_length=line_length, positions=positions,
                                     print_fn=print_fn, expand_nested=expand_nested,
                                     show_trainable=show_trainable, layer_range=layer_range)

    # ----- saving: the work is done by minikeras.saving (above models) -----
    @filter_traceback
    def save(self, filepath, overwrite=True, **kwargs):
        """Saves the model to a ``.keras`` file (architecture, weights, optimizer)."""
        from minikeras import saving
        return saving.save_model(self, filepath, overwrite=overwrite, **kwargs)

    @filter_traceback
    def save_weights(self, filepath, overwrite=True):
        """Saves the weights to a ``.weights.h5`` file."""
        from minikeras import saving
        return saving.save_weights(self, filepath, overwrite=overwrite)

    @filter_traceback
    def load_weights(self, filepath, skip_mismatch=False, **kwargs):
        """Loads weights saved by ``save_weights`` (or from a ``.keras`` file)."""
        from minikeras import saving
        return saving.load_weights(self, filepath, skip_mismatch=skip_mismatch, **kwargs)

    def get_compile_config(self):
        """What ``compile`` received, serialised (the ``.keras`` file's ``compile_config``)."""
        if not self.compiled or self._compile_config is None:
            return {}
        from minikeras import saving
        config = dict(self._compile_config)
        config["optimizer"] = saving.serialize_keras_object(self.optimizer)
        for key in ("loss", "loss_weights", "metrics", "weighted_metrics"):
            config[key] = saving.serialize_keras_object(config[key])
        return config

    def compile_from_config(self, config):
        """Compiles the model again from ``get_compile_config()``'s output."""
        from minikeras import saving
        config = saving.deserialize_keras_object(config)
        self.compile(**config)
        if self.optimizer is not None and getattr(self, "built", False):
            self.optimizer.build(self.trainable_variables)  # so its variables can be loaded

    def to_json(self, **kwargs):
        """The model's architecture as a JSON string."""
        import json

        from minikeras import saving
        return json.dumps(saving.serialize_keras_object(self), **kwargs)

    def get_config(self):
        """A functional model's config lists its layers and their connections;
        a subclassed model's is the Layer config (override it to add arguments)."""
        if self._graph is None:
            return Layer.get_config(self)
        from minikeras.models import functional
        return functional.graph_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        if "layers" in config and "input_layers" in config:
            from minikeras.models import functional
            return functional.model_from_config(cls, config, custom_objects)
        return cls(**config)


def _split_functional_arguments(args, kwargs):
    """Returns ``(inputs, outputs, other_kwargs)`` from ``Model(...)``'s arguments."""
    kwargs = dict(kwargs)
    args = list(args)
    inputs = kwargs.pop("inputs", args.pop(0) if args else None)
    outputs = kwargs.pop("outputs", args.pop(0) if args else None)
    if args:
        raise TypeError(f"Model() takes at most 2 positional arguments (inputs, outputs); "
                        f"received {len(args) + 2}.")
    if (inputs is None) != (outputs is None):
        raise ValueError("A functional model needs both `inputs` and `outputs`. "
                         f"Received: inputs={inputs}, outputs={outputs}")
    return inputs, outputs, kwargs


def _single_or_structure(structure):
    if isinstance(structure, list) and len(structure) == 1:
        return structure[0]
    return structure
