"""``LSTMCell`` and ``LSTM``: long short-term memory (Hochreiter and Schmidhuber, 1997).

Place in the stack: a cell over ``simple_rnn.py``'s shared weight code, and
its layer over ``rnn.py``. An LSTM carries two states, the output ``h`` and
the cell memory ``c``, both ``(N, units)``. One step:

    z = x_t @ kernel + h_{t-1} @ recurrent_kernel + bias      (N, 4*units)
    i, f, g, o = split(z, 4)           input, forget, candidate, output
    c_t = sigmoid(f) * c_{t-1} + sigmoid(i) * tanh(g)
    h_t = sigmoid(o) * tanh(c_t)

(``sigmoid`` is ``recurrent_activation``, ``tanh`` is ``activation``.) The
memory is updated by a sum, not squeezed through a matrix product at every
step, so gradients survive many steps. ``unit_forget_bias=True`` starts the
forget gate's bias at 1: remember by default. The gate order (i, f, c, o)
of the columns of ``kernel`` is Keras's, so weights move between the two
libraries unchanged. Read next: ``gru.py``.
"""

from minikeras import activations
from minikeras import ops
from minikeras import regularizers
from minikeras.layers.input_spec import InputSpec
from minikeras.layers.layer import Layer
from minikeras.layers.rnn import fused
from minikeras.layers.rnn.dropout_rnn_cell import DropoutRNNCell
from minikeras.layers.rnn.rnn import RNN
from minikeras.layers.rnn.simple_rnn import RecurrentWeights
from minikeras.layers.rnn.simple_rnn import check_units


def _unit_forget_bias(units, bias_initializer):
    """Initializer of a (4*units,) bias: the forget quarter ones, the rest ``bias_initializer``."""
    def initialize(shape, dtype=None):
        return ops.concatenate([
            ops.convert_to_tensor(bias_initializer((units,), dtype=dtype), dtype=dtype),
            ops.ones((units,), dtype=dtype),
            ops.convert_to_tensor(bias_initializer((2 * units,), dtype=dtype), dtype=dtype),
        ]).data
    return initialize


class LSTMCell(Layer, DropoutRNNCell, RecurrentWeights):
    """One LSTM step (see the module docstring for the equations).

    Args:
        units: positive int, size of ``h`` and ``c``.
        activation: default ``"tanh"``; recurrent_activation: default ``"sigmoid"``.
        use_bias: whether to add ``bias (4*units,)``.
        kernel_initializer, recurrent_initializer, bias_initializer: default
            ``"glorot_uniform"``, ``"orthogonal"``, ``"zeros"``.
        unit_forget_bias: start the forget gate's bias at 1 (default True).
        kernel_regularizer, recurrent_regularizer, bias_regularizer,
        kernel_constraint, recurrent_constraint, bias_constraint: optional.
        dropout, recurrent_dropout: fractions dropped from ``x_t`` and ``h``.
        seed: seed of the dropout masks.

    Shapes:
        ``inputs (N, D)``, ``states [h (N, units), c (N, units)]`` -> ``h, [h, c]``.
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, **kwargs):
        check_units(units)
        implementation = kwargs.pop("implementation", 2)
        super().__init__(**kwargs)
        self.units = units
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = use_bias
        self.unit_forget_bias = unit_forget_bias
        self._set_weight_arguments(kernel_initializer, recurrent_initializer, bias_initializer,
                                   kernel_regularizer, recurrent_regularizer, bias_regularizer,
                                   kernel_constraint, recurrent_constraint, bias_constraint)
        self._set_dropout(dropout, recurrent_dropout, seed)
        # Implementation 1 computes each gate apart, so that each gate gets
        # its own dropout masks (Keras's choice with recurrent dropout).
        self.implementation = 1 if self.recurrent_dropout else implementation
        if self.implementation == 1:
            self.dropout_mask_count = 4
        self.state_size = [units, units]
        self.output_size = units

    def build(self, input_shape):
        self._add_kernels(input_shape[-1], gates=4)
        self.bias = None
        if self.use_bias:
            initializer = self.bias_initializer
            if self.unit_forget_bias:
                initializer = _unit_forget_bias(self.units, self.bias_initializer)
            self._add_bias((4 * self.units,), initializer)
        self.built = True

    def call(self, inputs, states, training=False):
        h_previous, c_previous = states[0], states[1]
        # 1. The four gates' pre-activations, each (N, units).
        if self.implementation == 1:
            z = self._gate_inputs_one_by_one(inputs, h_previous, training)
        else:
            if training and self.dropout > 0:
                inputs = inputs * self.get_dropout_mask(inputs)
            z = ops.matmul(inputs, self.kernel)  # (N, D) -> (N, 4*units)
            z = ops.add(z, ops.matmul(h_previous, self.recurrent_kernel))
            if self.use_bias:
                z = ops.add(z, self.bias)
            z = ops.split(z, 4, axis=1)
        # 2. Gates, new memory, new output.
        i = self.recurrent_activation(z[0])
        f = self.recurrent_activation(z[1])
        c = f * c_previous + i * self.activation(z[2])
        o = self.recurrent_activation(z[3])
        h = o * self.activation(c)
        return h, [h, c]

    def _gate_inputs_one_by_one(self, inputs, h_previous, training):
        """The gates' pre-activations with one dropout mask per gate (implementation 1)."""
        input_masks = self.get_dropout_mask(inputs) if training and self.dropout > 0 else None
        state_masks = (self.get_recurrent_dropout_mask(h_previous)
                       if training and self.recurrent_dropout > 0 else None)
        kernels = ops.split(self.kernel, 4, axis=1)
        recurrent_kernels = ops.split(self.recurrent_kernel, 4, axis=1)
        biases = ops.split(self.bias, 4, axis=0) if self.use_bias else [None] * 4
        z = []
        for gate in range(4):
            x = inputs if input_masks is None else inputs * input_masks[gate]
            h = h_previous if state_masks is None else h_previous * state_masks[gate]
            x = ops.matmul(x, kernels[gate])
            if biases[gate] is not None:
                x = x + biases[gate]
            z.append(x + ops.matmul(h, recurrent_kernels[gate]))
        return z

    def get_config(self):
        config = {"units": self.units, "activation": activations.serialize(self.activation),
                  "recurrent_activation": activations.serialize(self.recurrent_activation),
                  "use_bias": self.use_bias, "unit_forget_bias": self.unit_forget_bias,
                  **self._weight_config(), "dropout": self.dropout,
                  "recurrent_dropout": self.recurrent_dropout, "seed": self.seed}
        return {**super().get_config(), **config}


class LSTM(RNN):
    """Long short-term memory layer: ``RNN(LSTMCell(units, ...))``.

    Args:
        units and the cell arguments: see ``LSTMCell``.
        activity_regularizer: optional, on the output.
        return_sequences, return_state, go_backwards, stateful, unroll: see ``RNN``.
        use_cudnn: ``"auto"`` (default) takes the fused sequence op when it
            applies, as Keras takes cuDNN; ``False`` always runs the readable
            step-by-step loop; ``True`` raises if the fused op cannot be used.
        **kwargs: ``Layer`` arguments.

    Shapes:
        ``(N, T, D)`` -> ``(N, units)`` or ``(N, T, units)``; with
        ``return_state``, also ``h (N, units)`` and ``c (N, units)``.
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False,
                 use_cudnn="auto", **kwargs):
        cell = LSTMCell(
            units, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            unit_forget_bias=unit_forget_bias, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout,
            dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True),
            name="lstm_cell", seed=seed, implementation=kwargs.pop("implementation", 2))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.input_spec = InputSpec(ndim=3)
        self.use_cudnn = fused.check_use_cudnn(use_cudnn)

    def inner_loop(self, sequences, initial_state, mask, training=False):
        result = fused.try_fused(self, sequences, initial_state, mask, training)
        if result is not None:
            return result
        return super().inner_loop(sequences, initial_state, mask, training)

    def get_config(self):
        cell = self.cell
        config = {"units": cell.units, "activation": activations.serialize(cell.activation),
                  "recurrent_activation": activations.serialize(cell.recurrent_activation),
                  "use_bias": cell.use_bias, **cell._weight_config(),
                  "unit_forget_bias": cell.unit_forget_bias,
                  "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                  "dropout": cell.dropout, "recurrent_dropout": cell.recurrent_dropout,
                  "seed": cell.seed}
        base = super().get_config()
        del base["cell"]
        return {**base, **config}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)
