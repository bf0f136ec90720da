"""Convolution layers: ``Conv1D``, ``Conv2D`` and ``Conv3D``.

Place in the stack: concrete layers over ``layer.py`` and ``ops.conv``
(``minikeras/autodiff/conv.py``, whose kernels live in ``kernels/``). A
convolution is a Dense layer applied to every window of the input with the
same weights: the kernel ``(KH, KW, C, F)`` maps each ``KH x KW x C`` patch to
``F`` numbers. Sharing the weights across positions is what makes a convnet
small and translation-aware. With ``groups=G`` the channels are cut into
``G`` groups convolved separately (kernel ``(KH, KW, C/G, F)``), as in
ResNeXt. Read next: ``depthwise_separable.py``.

Output sizes along each spatial axis (``span = (K - 1) * dilation + 1`` is the
width the dilated kernel covers):

* ``"valid"``: ``floor((size - span) / stride) + 1`` (no padding);
* ``"same"``: ``ceil(size / stride)`` (zeros added around the input);
* ``"causal"`` (``Conv1D`` only): zeros added on the left only, so that the
  output at step ``t`` sees no input after ``t``; size ``ceil(size / stride)``.
"""

from minikeras import activations
from minikeras import constraints
from minikeras import initializers
from minikeras import ops
from minikeras import regularizers
from minikeras.kernels.geometry import conv_output_length
from minikeras.layers.input_spec import InputSpec
from minikeras.layers.layer import Layer
from minikeras.utils.argument_validation import check_data_format
from minikeras.utils.argument_validation import normalize_tuple

# Activations that ``ops.conv`` computes itself, in the pass that adds the bias.
_FUSED = {activations.linear: None, activations.relu: "relu"}


def normalize_padding(padding, allowed, layer_name):
    """Lower-cases ``padding`` and checks it is one of ``allowed``."""
    padding = padding.lower() if isinstance(padding, str) else padding
    if padding not in allowed:
        raise ValueError(f"{layer_name}: the `padding` argument must be one of {allowed}. "
                         f"Received: padding={padding}")
    return padding


class BaseConv(Layer):
    """What ``Conv1D``, ``Conv2D`` and ``Conv3D`` share; ``rank`` is 1, 2 or 3.

    Args:
        rank: the number of spatial axes.
        filters: positive int, the number of output channels ``F``.
        kernel_size: int or tuple of ``rank`` ints, the window.
        strides: int or tuple, the step between windows (1).
        padding: ``"valid"`` (default), ``"same"`` or, in 1-D, ``"causal"``.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        dilation_rate: int or tuple, the step between kernel taps (1).
        groups: positive int dividing ``filters`` and the input channels: the
            channels are convolved in that many independent groups (1).
        activation: name or callable applied to the output (default: none).
        use_bias: whether to add a bias per filter.
        kernel_initializer, bias_initializer, kernel_regularizer,
        bias_regularizer, kernel_constraint, bias_constraint: as in ``Dense``.
        **kwargs: ``Layer`` arguments.
    """

    _numeric_inputs_only = True  # strings are refused with a clear error (layer.py)

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        name = type(self).__name__
        if not isinstance(filters, int) or isinstance(filters, bool) or filters <= 0:
            raise ValueError(f"Invalid value for argument `filters`. Expected a strictly positive "
                             f"value. Received filters={filters}.")
        if not isinstance(groups, int) or isinstance(groups, bool) or groups <= 0:
            raise ValueError(f"The number of groups must be a positive integer. Received: groups={groups}.")
        if filters % groups != 0:
            raise ValueError(f"{type(self).__name__}: The number of filters must be evenly divisible by the number "
                             f"of groups. Received: groups={groups}, filters={filters}.")
        self.rank = rank
        self.filters = filters
        self.kernel_size = normalize_tuple(kernel_size, rank, "kernel_size", name)
        self.strides = normalize_tuple(strides, rank, "strides", name)
        self.dilation_rate = normalize_tuple(dilation_rate, rank, "dilation_rate", name)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"`strides > 1` not supported in conjunction with `dilation_rate > 1`. "
                             f"Received: strides={self.strides} and dilation_rate={self.dilation_rate}")
        allowed = ("valid", "same", "causal") if rank == 1 else ("valid", "same")
        self.padding = normalize_padding(padding, allowed, name)
        self.data_format = check_data_format(data_format, name)
        self.groups = groups
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=rank + 2)

    @property
    def _channel_axis(self):
        return -1 if self.data_format == "channels_last" else 1

    def build(self, input_shape):
        channels = input_shape[self._channel_axis]
        if channels is None:
            raise ValueError(f"{type(self).__name__} ('{self.name}'): the channel dimension of "
                             f"the inputs should be defined. Received input_shape={input_shape}")
        if channels % self.groups != 0:
            raise ValueError(f"{type(self).__name__} ('{self.name}'): The number of input channels must be evenly "
                             f"divisible by the number of groups. Received groups={self.groups}, but the input has "
                             f"{channels} channels (full input shape is {tuple(input_shape)}).")
        # (KH, KW, C/G, F): one KH x KW x C/G filter per output channel, C/G the channels of its group.
        self.kernel = self.add_weight(name="kernel", shape=self.kernel_size + (channels // self.groups, self.filters),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.filters,),
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.input_spec = InputSpec(min_ndim=self.rank + 2, axes={self._channel_axis: channels})
        self.built = True

    def call(self, inputs):
        padding = self.padding
        if padding == "causal":
            # Zeros only before the sequence: (N, W, C) -> (N, W + span - 1, C).
            span = (self.kernel_size[0] - 1) * self.dilation_rate[0] + 1
            time_axis = 1 if self.data_format == "channels_last" else 2
            pad_width = [[0, 0], [0, 0], [0, 0]]
            pad_width[time_axis] = [span - 1, 0]
            inputs = ops.pad(inputs, pad_width)
            padding = "valid"
        # (N, H, W, C) -> (N, OH, OW, F), the bias added and a ReLU applied by the same op; the groups
        # are read from the kernel's shape (C / its in_channels)
        # (autodiff/conv.py, Conv); other activations follow as their own ops.
        fused = self.activation in _FUSED
        outputs = ops.conv(inputs, self.kernel, strides=self.strides, padding=padding,
                           data_format=self.data_format, dilation_rate=self.dilation_rate, bias=self.bias,
                           activation=_FUSED[self.activation] if fused else None)
        return outputs if fused else self.activation(outputs)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        first = 1 if self.data_format == "channels_last" else 2
        spatial = input_shape[first:first + self.rank]
        sizes = tuple(conv_output_length(size, window, self.padding, stride, dilation)
                      for size, window, stride, dilation in
                      zip(spatial, self.kernel_size, self.strides, self.dilation_rate))
        if any(size == 0 for size in sizes):
            raise ValueError(
                f"Computed output size would be zero or negative: {type(self).__name__} "
                f"('{self.name}') with kernel_size={self.kernel_size} and padding='{self.padding}' "
                f"received input_shape={input_shape}, whose spatial size is too small.")
        if self.data_format == "channels_last":
            return (input_shape[0],) + sizes + (self.filters,)
        return (input_shape[0], self.filters) + sizes

    def get_config(self):
        config = super().get_config()
        config.pop("activity_regularizer", None)  # Keras places it after the bias regularizer
        return {
            **config,
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "groups": self.groups,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }


class Conv1D(BaseConv):
    """1-D convolution over sequences: ``(N, W, C)`` -> ``(N, OW, F)``, kernel ``(KW, C, F)``.

    Takes the arguments of ``BaseConv`` except ``rank``; ``padding`` may also be
    ``"causal"``.
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True, **kwargs):
        super().__init__(1, filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, groups=groups,
                         activation=activation, use_bias=use_bias, **kwargs)


class Conv2D(BaseConv):
    """2-D convolution over images: ``(N, H, W, C)`` -> ``(N, OH, OW, F)``, kernel ``(KH, KW, C, F)``.

    Takes the arguments of ``BaseConv`` except ``rank``.
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), groups=1, activation=None, use_bias=True, **kwargs):
        super().__init__(2, filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, groups=groups,
                         activation=activation, use_bias=use_bias, **kwargs)


class Conv3D(BaseConv):
    """3-D convolution over volumes (video, scans): ``(N, D, H, W, C)`` -> ``(N, OD, OH, OW, F)``.

    Kernel ``(KD, KH, KW, C/G, F)``; takes the arguments of ``BaseConv``
    except ``rank``. ``ops.conv`` computes it as ``KD`` 2-D convolutions, one
    per depth tap of the kernel, summed (``autodiff/conv.py``).
    """

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1, 1), groups=1, activation=None, use_bias=True, **kwargs):
        super().__init__(3, filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, groups=groups,
                         activation=activation, use_bias=use_bias, **kwargs)
