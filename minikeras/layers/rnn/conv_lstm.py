"""``ConvLSTMCell`` and ``ConvLSTM1D/2D/3D``: an LSTM whose matrix products are convolutions.

Place in the stack: a cell over ``ops.conv`` (``autodiff/conv.py``) and the
``RNN`` loop of ``rnn.py``; read ``lstm.py`` first. An LSTM's state is a
vector; a ConvLSTM's state is an image (Shi et al., 2015): ``h`` and ``c`` are
``(N, H', W', F)`` feature maps, and every ``@`` of the LSTM equations becomes
a convolution (``*``), so that each position of the state looks only at its
neighbours. One step, for a 2-D input ``x_t (N, H, W, C)``:

    z = x_t * kernel + bias + h_{t-1} * recurrent_kernel    (N, H', W', 4F)
    i, f, g, o = split(z, 4, channels)    input, forget, candidate, output
    c_t = sigmoid(f) * c_{t-1} + sigmoid(i) * tanh(g)
    h_t = sigmoid(o) * tanh(c_t)

``kernel (KH, KW, C, 4F)`` convolves the input with the layer's ``strides``,
``padding`` and ``dilation_rate``, which set the state's size ``(H', W')``;
``recurrent_kernel (KH, KW, F, 4F)`` convolves the state with stride 1 and
``"same"`` padding, so the state keeps its size from step to step. The gate
order (i, f, c, o) along the last axis of both kernels is Keras's, so weights
move between the two libraries unchanged. Backpropagation through time comes
from the tape, as for every ``RNN``: each step's convolutions are ops like any
other. ``ConvLSTM1D`` and ``ConvLSTM3D`` are the same cell with one or three
spatial axes. Read next: ``stacked_rnn_cells.py``.
"""

from minikeras import activations
from minikeras import ops
from minikeras import regularizers
from minikeras.kernels.geometry import conv_output_length
from minikeras.layers.convolutional import normalize_padding
from minikeras.layers.input_spec import InputSpec
from minikeras.layers.layer import Layer
from minikeras.layers.rnn.dropout_rnn_cell import DropoutRNNCell
from minikeras.layers.rnn.lstm import _unit_forget_bias
from minikeras.layers.rnn.rnn import RNN
from minikeras.layers.rnn.simple_rnn import RecurrentWeights
from minikeras.utils.argument_validation import check_data_format
from minikeras.utils.argument_validation import normalize_tuple

# The cell's arguments, in Keras's order (the layer's config lists them after the RNN's).
CELL_ARGUMENTS = (
    "filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "activation",
    "recurrent_activation", "use_bias", "kernel_initializer", "recurrent_initializer",
    "bias_initializer", "unit_forget_bias", "kernel_regularizer", "recurrent_regularizer",
    "bias_regularizer", "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout",
    "recurrent_dropout", "seed",
)


class ConvLSTMCell(Layer, DropoutRNNCell, RecurrentWeights):
    """One ConvLSTM step (see the module docstring for the equations).

    Args:
        rank: the number of spatial axes (1, 2 or 3).
        filters: positive int, the channels ``F`` of ``h`` and ``c``.
        kernel_size, strides, dilation_rate: int or tuple of ``rank`` ints, for
            the input convolution (the recurrent one has stride 1).
        padding: ``"valid"`` (default) or ``"same"``, for the input convolution.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        activation, recurrent_activation, use_bias, initializers,
        regularizers, constraints, unit_forget_bias: as in ``LSTMCell``.
        dropout, recurrent_dropout: fractions of ``x_t`` and ``h`` dropped,
            with one mask per gate, the same at every step.
        seed: seed of the dropout masks.

    Shapes (2-D, channels last):
        ``inputs (N, H, W, C)``, ``states [h, c]`` each ``(N, H', W', F)`` ->
        ``h, [h, c]``.
    """

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        owner = f"ConvLSTM{rank}D"
        if rank not in (1, 2, 3):
            raise ValueError(f"Rank {rank} convolutions are not currently implemented. Received: rank={rank}")
        if not isinstance(filters, int) or isinstance(filters, bool) or filters <= 0:
            raise ValueError(f"{owner}: `filters` must be a positive integer. Received: filters={filters}")
        self.rank = rank
        self.filters = filters
        self.kernel_size = normalize_tuple(kernel_size, rank, "kernel_size", owner)
        self.strides = normalize_tuple(strides, rank, "strides", owner)
        self.padding = normalize_padding(padding, ("valid", "same"), owner)
        self.data_format = check_data_format(data_format, owner)
        self.dilation_rate = normalize_tuple(dilation_rate, rank, "dilation_rate", owner)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError("Specifying `strides > 1` is not compatible with `dilation_rate > 1`. Please "
                             "provide `strides=1` or `dilation_rate=1`. Received: "
                             f"strides={self.strides} and dilation_rate={self.dilation_rate}")
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = use_bias
        self.unit_forget_bias = unit_forget_bias
        self._set_weight_arguments(kernel_initializer, recurrent_initializer, bias_initializer,
                                   kernel_regularizer, recurrent_regularizer, bias_regularizer,
                                   kernel_constraint, recurrent_constraint, bias_constraint)
        self._set_dropout(dropout, recurrent_dropout, seed)
        self.dropout_mask_count = 4  # one mask per gate, as Keras
        # h and c have `filters` channels; their spatial size is known once built.
        self.state_size = [filters, filters]
        self.input_spec = InputSpec(ndim=rank + 2)

    @property
    def _channel_axis(self):
        return -1 if self.data_format == "channels_last" else 1

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        spatial = input_shape[1:-1] if self.data_format == "channels_last" else input_shape[2:]
        if None in spatial:
            raise ValueError("ConvLSTM layers only support static input shapes for the spatial dimension. "
                             f"Received invalid input shape: input_shape={input_shape}")
        channels = input_shape[self._channel_axis]
        if channels is None:
            raise ValueError("The channel dimension of the inputs (last axis) should be defined. Found None. "
                             f"Full input shape received: input_shape={input_shape}")
        self.spatial_dims, self.input_dim = spatial, channels
        gates = 4 * self.filters
        self.kernel = self.add_weight(shape=self.kernel_size + (channels, gates), name="kernel",
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(shape=self.kernel_size + (self.filters, gates),
                                                name="recurrent_kernel",
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        self.bias = None
        if self.use_bias:
            initializer = self.bias_initializer
            if self.unit_forget_bias:
                initializer = _unit_forget_bias(self.filters, self.bias_initializer)
            self._add_bias((gates,), initializer)
        self.built = True

    def call(self, inputs, states, training=False):
        h_previous, c_previous = states[0], states[1]
        # 1. The four gates' pre-activations, each (N, H', W', F).
        input_masks = self.get_dropout_mask(inputs) if training and 0 < self.dropout < 1 else None
        state_masks = (self.get_recurrent_dropout_mask(h_previous)
                       if training and 0 < self.recurrent_dropout < 1 else None)
        if input_masks is None and state_masks is None:
            # Without dropout one convolution per kernel computes all four gates at once.
            z = ops.add(self._input_conv(inputs, self.kernel, self.bias),  # -> (N, H', W', 4F)
                        self._recurrent_conv(h_previous, self.recurrent_kernel))
            z = ops.split(z, 4, axis=self._channel_axis)
        else:
            z = self._gate_inputs_one_by_one(inputs, h_previous, input_masks, state_masks)
        # 2. Gates, new memory, new output: the LSTM equations, position by position.
        i = self.recurrent_activation(z[0])
        f = self.recurrent_activation(z[1])
        c = f * c_previous + i * self.activation(z[2])
        o = self.recurrent_activation(z[3])
        h = o * self.activation(c)
        return h, [h, c]

    def _gate_inputs_one_by_one(self, inputs, h_previous, input_masks, state_masks):
        """Each gate's pre-activation from its own masked input and state (dropout)."""
        kernels = ops.split(self.kernel, 4, axis=self.rank + 1)  # 4 x (KH, KW, C, F)
        recurrent_kernels = ops.split(self.recurrent_kernel, 4, axis=self.rank + 1)
        biases = ops.split(self.bias, 4) if self.use_bias else [None] * 4
        z = []
        for gate in range(4):
            x = inputs if input_masks is None else inputs * input_masks[gate]
            h = h_previous if state_masks is None else h_previous * state_masks[gate]
            z.append(ops.add(self._input_conv(x, kernels[gate], biases[gate]),
                             self._recurrent_conv(h, recurrent_kernels[gate])))
        return z

    def _input_conv(self, x, kernel, bias):
        return ops.conv(x, kernel, strides=self.strides, padding=self.padding,
                        data_format=self.data_format, dilation_rate=self.dilation_rate, bias=bias)

    def _recurrent_conv(self, h, kernel):
        # Stride 1 and "same" padding: the state keeps its spatial size.
        return ops.conv(h, kernel, strides=1, padding="same", data_format=self.data_format)

    def compute_output_shape(self, input_shape):
        """``(N, H, W, C)`` -> ``(N, H', W', F)`` (channels first: ``(N, F, H', W')``)."""
        input_shape = tuple(input_shape)
        first = 1 if self.data_format == "channels_last" else 2
        sizes = tuple(conv_output_length(size, window, self.padding, stride, dilation)
                      for size, window, stride, dilation in
                      zip(input_shape[first:first + self.rank], self.kernel_size, self.strides,
                          self.dilation_rate))
        if self.data_format == "channels_last":
            return (input_shape[0],) + sizes + (self.filters,)
        return (input_shape[0], self.filters) + sizes

    def get_initial_state(self, batch_size=None):
        """Zero ``h`` and ``c``, each of the output shape of one step."""
        if self.data_format == "channels_last":
            step_shape = (batch_size,) + tuple(self.spatial_dims) + (self.input_dim,)
        else:
            step_shape = (batch_size, self.input_dim) + tuple(self.spatial_dims)
        state_shape = self.compute_output_shape(step_shape)
        return [ops.zeros(state_shape, dtype=self.compute_dtype) for _ in range(2)]

    def get_config(self):
        config = {
            "filters": self.filters, "kernel_size": self.kernel_size, "strides": self.strides,
            "padding": self.padding, "data_format": self.data_format,
            "dilation_rate": self.dilation_rate, "activation": activations.serialize(self.activation),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "use_bias": self.use_bias, **self._weight_config(),
            "unit_forget_bias": self.unit_forget_bias, "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout, "seed": self.seed,
        }
        return {**super().get_config(), **{key: config[key] for key in CELL_ARGUMENTS}}


class ConvLSTM(RNN):
    """What ``ConvLSTM1D``, ``ConvLSTM2D`` and ``ConvLSTM3D`` share: ``RNN(ConvLSTMCell(rank, ...))``.

    Args:
        rank: the number of spatial axes (1, 2 or 3).
        filters, kernel_size and the other cell arguments: see ``ConvLSTMCell``.
        activity_regularizer: optional, on the output.
        return_sequences, return_state, go_backwards, stateful: see ``RNN``.
        **kwargs: ``Layer`` arguments.

    Shapes (2-D, channels last):
        ``(N, T, H, W, C)`` -> ``(N, H', W', F)``, or ``(N, T, H', W', F)``
        with ``return_sequences``; with ``return_state``, also ``h`` and ``c``,
        ``(N, H', W', F)`` each. A mask ``(N, T)`` keeps the states at padded steps.
    """

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, **kwargs):
        cell = ConvLSTMCell(
            rank, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
            dilation_rate=dilation_rate, activation=activation,
            recurrent_activation=recurrent_activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
            dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed,
            name="conv_lstm_cell", dtype=kwargs.get("dtype"))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful,
                         activity_regularizer=activity_regularizer, **kwargs)
        # No InputSpec(ndim=rank + 3): _check_sequence_shape says more (which axes are expected).

    def _check_sequence_shape(self, shape):
        rank = self.cell.rank
        if shape is None or len(shape) != rank + 3:
            axes = {1: "steps", 2: "rows, cols", 3: "conv_dim1, conv_dim2, conv_dim3"}[rank]
            axes = f"channels, {axes}" if self.cell.data_format == "channels_first" else f"{axes}, channels"
            raise ValueError(
                f"{type(self).__name__} layer '{self.name}' expects a {rank + 3}-D input (batch, time, "
                f"{axes}); received an input of shape {None if shape is None else tuple(shape)}. A single "
                "sequence needs a batch axis (`x[None]`); a single step needs a time axis (`x[:, None]`).")

    def _standardize_initial_state(self, initial_state, sequences):
        """Two tensors ``[h, c]`` of one step's output shape; a clear error otherwise."""
        initial_state = [self._as_state_tensor(state) for state in list(initial_state)]
        step_shape = (sequences.shape[0],) + tuple(sequences.shape[2:])
        expected = [tuple(self.cell.compute_output_shape(step_shape))] * 2
        received = [tuple(state.shape) for state in initial_state]
        if received != expected:
            raise ValueError(
                f"{type(self).__name__} layer '{self.name}': the initial state must be 2 tensors [h, c] "
                f"of shapes {expected} for inputs of shape {tuple(sequences.shape)}; received "
                f"{len(received)} of shapes {received}.")
        return initial_state

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        self._check_sequence_shape(sequences_shape)
        batch, steps = sequences_shape[0], sequences_shape[1]
        state_shape = tuple(self.cell.compute_output_shape((batch,) + tuple(sequences_shape[2:])))
        output_shape = (batch, steps) + state_shape[1:] if self.return_sequences else state_shape
        if self.return_state:
            return [output_shape, state_shape, state_shape]
        return output_shape

    def get_config(self):
        base = super().get_config()
        del base["cell"]
        cell_config = self.cell.get_config()
        config = {key: cell_config[key] for key in CELL_ARGUMENTS}
        # Keras lists activity_regularizer among the cell's arguments, after bias_regularizer.
        items = list(config.items())
        position = CELL_ARGUMENTS.index("bias_regularizer") + 1
        base.pop("activity_regularizer", None)
        items.insert(position, ("activity_regularizer", regularizers.serialize(self.activity_regularizer)))
        return {**base, **dict(items)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)

    # The cell's arguments read through the layer (``layer.filters``), as in Keras.
    filters = property(lambda self: self.cell.filters)
    kernel_size = property(lambda self: self.cell.kernel_size)
    strides = property(lambda self: self.cell.strides)
    padding = property(lambda self: self.cell.padding)
    data_format = property(lambda self: self.cell.data_format)
    dilation_rate = property(lambda self: self.cell.dilation_rate)
    activation = property(lambda self: self.cell.activation)
    recurrent_activation = property(lambda self: self.cell.recurrent_activation)
    use_bias = property(lambda self: self.cell.use_bias)
    kernel_initializer = property(lambda self: self.cell.kernel_initializer)
    recurrent_initializer = property(lambda self: self.cell.recurrent_initializer)
    bias_initializer = property(lambda self: self.cell.bias_initializer)
    unit_forget_bias = property(lambda self: self.cell.unit_forget_bias)
    kernel_regularizer = property(lambda self: self.cell.kernel_regularizer)
    recurrent_regularizer = property(lambda self: self.cell.recurrent_regularizer)
    bias_regularizer = property(lambda self: self.cell.bias_regularizer)
    kernel_constraint = property(lambda self: self.cell.kernel_constraint)
    recurrent_constraint = property(lambda self: self.cell.recurrent_constraint)
    bias_constraint = property(lambda self: self.cell.bias_constraint)
    dropout = property(lambda self: self.cell.dropout)
    recurrent_dropout = property(lambda self: self.cell.recurrent_dropout)


class ConvLSTM1D(ConvLSTM):
    """1-D convolutional LSTM: ``(N, T, steps, C)`` -> ``(N, steps', F)``.

    The arguments, in Keras's order and with its defaults, are ``ConvLSTM``'s
    after ``rank``: ``ConvLSTM1D(filters, kernel_size, strides=1, padding="valid", ...)``.
    """

    def __init__(self, filters, kernel_size, *args, **kwargs):
        super().__init__(1, filters, kernel_size, *args, **kwargs)


class ConvLSTM2D(ConvLSTM):
    """2-D convolutional LSTM: ``(N, T, H, W, C)`` -> ``(N, H', W', F)``.

    The arguments, in Keras's order and with its defaults, are ``ConvLSTM``'s
    after ``rank``: ``ConvLSTM2D(filters, kernel_size, strides=1, padding="valid", ...)``.
    """

    def __init__(self, filters, kernel_size, *args, **kwargs):
        super().__init__(2, filters, kernel_size, *args, **kwargs)


class ConvLSTM3D(ConvLSTM):
    """3-D convolutional LSTM: ``(N, T, D, H, W, C)`` -> ``(N, D', H', W', F)``.

    The arguments, in Keras's order and with its defaults, are ``ConvLSTM``'s
    after ``rank``: ``ConvLSTM3D(filters, kernel_size, strides=1, padding="valid", ...)``.
    """

    def __init__(self, filters, kernel_size, *args, **kwargs):
        super().__init__(3, filters, kernel_size, *args, **kwargs)
