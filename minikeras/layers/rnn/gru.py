"""``GRUCell`` and ``GRU``: the gated recurrent unit (Cho et al., 2014).

Place in the stack: a cell over ``simple_rnn.py``'s shared weight code, and
its layer over ``rnn.py``. A GRU keeps one state ``h (N, units)`` and mixes
the old state with a candidate through an update gate ``z``:

    z = sigmoid(x W_z + b_z + h U_z + b'_z)          update gate
    r = sigmoid(x W_r + b_r + h U_r + b'_r)          reset gate
    reset_after=True  (default, cuDNN's form):  g = tanh(x W_g + b_g + r * (h U_g + b'_g))
    reset_after=False (the 2014 paper's form):  g = tanh(x W_g + b_g + (r * h) U_g)
    h_t = z * h + (1 - z) * g

``kernel`` is ``(D, 3*units)`` and ``recurrent_kernel`` ``(units, 3*units)``,
columns in Keras's gate order (z, r, g). With ``reset_after=True`` the bias
is ``(2, 3*units)``: row 0 is added to the input projection, row 1 to the
recurrent one (``b'``); with ``reset_after=False`` it is one ``(3*units,)``
row. Read next: ``fused.py``, then ``bidirectional.py``.
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


class GRUCell(Layer, DropoutRNNCell, RecurrentWeights):
    """One GRU step (see the module docstring for the equations).

    Args:
        units: positive int, size of ``h``.
        activation: default ``"tanh"``; recurrent_activation: default ``"sigmoid"``.
        use_bias: whether to add the biases.
        kernel_initializer, recurrent_initializer, bias_initializer: default
            ``"glorot_uniform"``, ``"orthogonal"``, ``"zeros"``.
        kernel_regularizer, recurrent_regularizer, bias_regularizer,
        kernel_constraint, recurrent_constraint, bias_constraint: optional.
        dropout, recurrent_dropout: fractions dropped from ``x_t`` and ``h``.
        reset_after: apply the reset gate after the recurrent product (default True).
        seed: seed of the dropout masks.

    Shapes:
        ``inputs (N, D)``, ``states [h (N, units)]`` -> ``h, [h]``.
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, reset_after=True,
                 seed=None, **kwargs):
        check_units(units)
        implementation = kwargs.pop("implementation", 2)
        super().__init__(**kwargs)
        self.units = units
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = use_bias
        self.reset_after = reset_after
        self._set_weight_arguments(kernel_initializer, recurrent_initializer, bias_initializer,
                                   kernel_regularizer, recurrent_regularizer, bias_regularizer,
                                   kernel_constraint, recurrent_constraint, bias_constraint)
        self._set_dropout(dropout, recurrent_dropout, seed)
        self.implementation = 1 if self.recurrent_dropout else implementation
        if self.implementation == 1:
            self.dropout_mask_count = 3
        self.state_size = units
        self.output_size = units

    def build(self, input_shape):
        self._add_kernels(input_shape[-1], gates=3)
        self.bias = None
        if self.use_bias:
            self._add_bias((2, 3 * self.units) if self.reset_after else (3 * self.units,))
        self.built = True

    def _biases(self):
        """``(input bias (3U,) or None, recurrent bias (3U,) or None)``."""
        if not self.use_bias:
            return None, None
        if not self.reset_after:
            return self.bias, None
        return self.bias[0], self.bias[1]

    def call(self, inputs, states, training=False):
        h_previous = states[0] if isinstance(states, (list, tuple)) else states
        input_bias, recurrent_bias = self._biases()
        # 1. Masked copies of x and h: one per gate (implementation 1) or one.
        count = 3 if self.implementation == 1 else 1
        xs, hs = [inputs] * count, [h_previous] * count
        if training and self.dropout > 0:
            masks = self.get_dropout_mask(inputs)
            xs = [x * mask for x, mask in zip(xs, masks if count == 3 else [masks])]
        if training and self.recurrent_dropout > 0:
            masks = self.get_recurrent_dropout_mask(h_previous)
            hs = [h * mask for h, mask in zip(hs, masks if count == 3 else [masks])]
        # 2. Input projections of the three gates, each (N, units).
        units = self.units
        if count == 1:
            projected = ops.matmul(xs[0], self.kernel)  # (N, D) -> (N, 3*units)
            if input_bias is not None:
                projected = ops.add(projected, input_bias)
            x_z, x_r, x_g = ops.split(projected, 3, axis=-1)
        else:
            x_z, x_r, x_g = [self._project(x, self.kernel, input_bias, gate)
                             for gate, x in enumerate(xs)]
        h_z, h_r, h_g = hs[0], hs[1 % count], hs[2 % count]
        # 3. Recurrent projections of z and r; the candidate's depends on reset_after.
        recurrent_z = self._project(h_z, self.recurrent_kernel, recurrent_bias, 0)
        recurrent_r = self._project(h_r, self.recurrent_kernel, recurrent_bias, 1)
        z = self.recurrent_activation(x_z + recurrent_z)
        r = self.recurrent_activation(x_r + recurrent_r)
        if self.reset_after:
            recurrent_g = r * self._project(h_g, self.recurrent_kernel, recurrent_bias, 2)
        else:
            recurrent_g = ops.matmul(r * h_g, self.recurrent_kernel[:, 2 * units:])
        candidate = self.activation(x_g + recurrent_g)
        # 4. Mix the old state and the candidate.
        h = z * h_previous + (1 - z) * candidate
        return h, ([h] if isinstance(states, (list, tuple)) else h)

    def _project(self, x, kernel, bias, gate):
        """``x @ kernel[:, gate's columns] (+ bias[gate's columns])``: ``(N, ·) -> (N, units)``."""
        columns = slice(gate * self.units, (gate + 1) * self.units)
        result = ops.matmul(x, kernel[:, columns])
        return result if bias is None else result + bias[columns]

    def get_config(self):
        config = {"units": self.units, "activation": activations.serialize(self.activation),
                  "recurrent_activation": activations.serialize(self.recurrent_activation),
                  "use_bias": self.use_bias, **self._weight_config(), "dropout": self.dropout,
                  "recurrent_dropout": self.recurrent_dropout, "reset_after": self.reset_after,
                  "seed": self.seed}
        return {**super().get_config(), **config}


class GRU(RNN):
    """Gated recurrent unit layer: ``RNN(GRUCell(units, ...))``.

    Args:
        units and the cell arguments: see ``GRUCell`` (``reset_after=True`` by default).
        activity_regularizer: optional, on the output.
        return_sequences, return_state, go_backwards, stateful, unroll: see ``RNN``.
        use_cudnn: ``"auto"``, ``False`` or ``True``, as for ``LSTM``.
        **kwargs: ``Layer`` arguments.

    Shapes:
        ``(N, T, D)`` -> ``(N, units)`` or ``(N, T, units)``; with
        ``return_state``, also ``h (N, units)``.
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, reset_after=True,
                 use_cudnn="auto", **kwargs):
        cell = GRUCell(
            units, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
            dropout=dropout, recurrent_dropout=recurrent_dropout, reset_after=reset_after,
            dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True),
            name="gru_cell", seed=seed, implementation=kwargs.pop("implementation", 2))
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
                  "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                  "dropout": cell.dropout, "recurrent_dropout": cell.recurrent_dropout,
                  "reset_after": cell.reset_after, "seed": cell.seed}
        base = super().get_config()
        del base["cell"]
        return {**base, **config}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)
