"""``SimpleRNNCell`` and ``SimpleRNN``: the plain (Elman) recurrent network.

Place in the stack: the first cell to read, over ``rnn.py``. One step is

    h_t = activation(x_t @ kernel + bias + h_{t-1} @ recurrent_kernel)

with ``x_t`` ``(N, D)``, ``h`` ``(N, units)``, ``kernel`` ``(D, units)``,
``recurrent_kernel`` ``(units, units)``. The output of the step is ``h_t``
itself, and it is also the only state. ``SimpleRNN`` is ``RNN(SimpleRNNCell)``
with the cell's arguments spelled out, as in Keras; its ``inner_loop`` takes
the fused sequence op (``autodiff/recurrent.py``) when it can. Read next:
``lstm.py``.
"""

from minikeras import activations
from minikeras import constraints
from minikeras import initializers
from minikeras import ops
from minikeras import random
from minikeras import regularizers
from minikeras.layers.input_spec import InputSpec
from minikeras.layers.layer import Layer
from minikeras.layers.rnn import fused
from minikeras.layers.rnn.dropout_rnn_cell import DropoutRNNCell
from minikeras.layers.rnn.rnn import RNN


def check_units(units):
    if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
        raise ValueError("Received an invalid value for argument `units`, expected a positive "
                         f"integer, got {units}.")


class RecurrentWeights:
    """The arguments every built-in cell shares (initializers, regularizers,
    constraints of ``kernel``, ``recurrent_kernel``, ``bias``), and their config."""

    def _set_weight_arguments(self, kernel_initializer, recurrent_initializer, bias_initializer,
                              kernel_regularizer, recurrent_regularizer, bias_regularizer,
                              kernel_constraint, recurrent_constraint, bias_constraint):
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def _add_kernels(self, input_dim, gates):
        """``kernel (input_dim, gates*units)`` and ``recurrent_kernel (units, gates*units)``."""
        self.kernel = self.add_weight(shape=(input_dim, gates * self.units), name="kernel",
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(shape=(self.units, gates * self.units),
                                                name="recurrent_kernel",
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)

    def _add_bias(self, shape, initializer=None):
        self.bias = self.add_weight(shape=shape, name="bias",
                                    initializer=initializer or self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint)

    def _weight_config(self):
        return {
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }

    def _set_dropout(self, dropout, recurrent_dropout, seed):
        self.dropout = min(1.0, max(0.0, dropout))
        self.recurrent_dropout = min(1.0, max(0.0, recurrent_dropout))
        self.seed = seed
        self.seed_generator = random.SeedGenerator(seed)

    def get_initial_state(self, batch_size=None):
        """Zeros, ``(batch_size, size)`` for each state."""
        sizes = self.state_size if isinstance(self.state_size, list) else [self.state_size]
        return [ops.zeros((batch_size, size), dtype=self.compute_dtype) for size in sizes]


class SimpleRNNCell(Layer, DropoutRNNCell, RecurrentWeights):
    """One step of a fully connected RNN: ``h = activation(x W + b + h_prev U)``.

    Args:
        units: positive int, the size of the state and of the output.
        activation: default ``"tanh"``.
        use_bias: whether to add ``bias``.
        kernel_initializer, recurrent_initializer, bias_initializer:
            ``"glorot_uniform"``, ``"orthogonal"``, ``"zeros"`` by default.
        kernel_regularizer, recurrent_regularizer, bias_regularizer,
        kernel_constraint, recurrent_constraint, bias_constraint: optional.
        dropout: fraction of the inputs dropped (one mask per sequence).
        recurrent_dropout: fraction of the previous state dropped.
        seed: seed of the dropout masks.

    Shapes:
        ``inputs (N, D)``, ``states [(N, units)]`` -> ``(N, units), [(N, units)]``.
    """

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, **kwargs):
        check_units(units)
        super().__init__(**kwargs)
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self._set_weight_arguments(kernel_initializer, recurrent_initializer, bias_initializer,
                                   kernel_regularizer, recurrent_regularizer, bias_regularizer,
                                   kernel_constraint, recurrent_constraint, bias_constraint)
        self._set_dropout(dropout, recurrent_dropout, seed)
        self.state_size = units
        self.output_size = units

    def build(self, input_shape):
        self._add_kernels(input_shape[-1], gates=1)
        self.bias = None
        if self.use_bias:
            self._add_bias((self.units,))
        self.built = True

    def call(self, sequence, states, training=False):
        previous = states[0] if isinstance(states, (list, tuple)) else states
        if training and self.dropout > 0:
            sequence = sequence * self.get_dropout_mask(sequence)
        h = ops.matmul(sequence, self.kernel)  # (N, D) -> (N, units)
        if self.bias is not None:
            h = ops.add(h, self.bias)
        if training and self.recurrent_dropout > 0:
            previous = previous * self.get_recurrent_dropout_mask(previous)
        output = self.activation(h + ops.matmul(previous, self.recurrent_kernel))
        return output, ([output] if isinstance(states, (list, tuple)) else output)

    def get_config(self):
        config = {"units": self.units, "activation": activations.serialize(self.activation),
                  "use_bias": self.use_bias, **self._weight_config(), "dropout": self.dropout,
                  "recurrent_dropout": self.recurrent_dropout, "seed": self.seed}
        return {**super().get_config(), **config}


class SimpleRNN(RNN):
    """Fully connected RNN whose output is fed back as the next step's state.

    Args:
        units and the cell arguments: see ``SimpleRNNCell``.
        activity_regularizer: optional, on the output.
        return_sequences, return_state, go_backwards, stateful, unroll: see ``RNN``.
        **kwargs: ``Layer`` arguments.

    Shapes:
        ``(N, T, D)`` -> ``(N, units)``, or ``(N, T, units)`` with ``return_sequences``.
    """

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False, seed=None,
                 **kwargs):
        cell = SimpleRNNCell(
            units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
            dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed,
            dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True),
            name="simple_rnn_cell")
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.input_spec = InputSpec(ndim=3)

    def inner_loop(self, sequences, initial_state, mask, training=False):
        result = fused.try_fused(self, sequences, initial_state, mask, training)
        if result is not None:
            return result
        return super().inner_loop(sequences, initial_state, mask, training)

    def get_config(self):
        cell = self.cell
        config = {"units": cell.units, "activation": activations.serialize(cell.activation),
                  "use_bias": cell.use_bias, **cell._weight_config(),
                  "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                  "dropout": cell.dropout, "recurrent_dropout": cell.recurrent_dropout}
        base = super().get_config()
        del base["cell"]
        return {**base, **config}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)
