"""Depthwise and separable convolution layers: ``DepthwiseConv1D/2D``, ``SeparableConv1D/2D``.

Place in the stack: concrete layers over ``layer.py`` and
``ops.depthwise_conv`` / ``ops.separable_conv``
(``minikeras/autodiff/depthwise_conv.py``, whose loops live in
``kernels/depthwise_reference.py`` and ``kernels/numba_depthwise.py``).
Read ``convolutional.py`` first: same arguments, same output sizes.

A ``Conv2D`` from ``C`` to ``F`` channels has ``KH*KW*C*F`` weights: every
filter looks at every channel. A ``DepthwiseConv2D`` filters each channel on
its own (``KH*KW*C*M`` weights, ``M`` the depth multiplier, ``C*M`` output
channels); a ``SeparableConv2D`` follows that with a 1x1 convolution that
mixes the channels (``KH*KW*C*M + C*M*F`` weights). MobileNet stacks
depthwise and 1x1 convolutions; Xception uses separable ones. Read next:
``convolutional_transpose.py``.
"""

from minikeras import activations
from minikeras import constraints
from minikeras import initializers
from minikeras import ops
from minikeras import regularizers
from minikeras.layers.convolutional import _FUSED
from minikeras.layers.convolutional import conv_output_length
from minikeras.layers.input_spec import InputSpec
from minikeras.layers.layer import Layer
from minikeras.utils.argument_validation import check_data_format
from minikeras.utils.argument_validation import normalize_tuple


def _positive(value, argument, layer_name):
    """Raises Keras's ValueError, led by the layer's name, unless ``value`` is a positive int."""
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{layer_name}: Invalid value for argument `{argument}`. Expected a strictly positive "
                         f"value. Received {argument}={value}.")
    return value


def _padding(padding):
    """``"valid"`` or ``"same"`` (any case), as Keras's depthwise and separable layers accept."""
    mode = padding.lower() if isinstance(padding, str) else padding
    if mode not in ("valid", "same"):
        raise ValueError(f"The `padding` argument must be a list/tuple or one of {{'valid', 'same'}}. "
                         f"Received: {padding}")
    return mode


class BaseDepthwiseConv(Layer):
    """What ``DepthwiseConv1D`` and ``DepthwiseConv2D`` share; ``rank`` is 1 or 2.

    Args:
        rank: the number of spatial axes.
        kernel_size: int or tuple of ``rank`` ints, the window.
        strides: int or tuple (1); padding: ``"valid"`` (default) or ``"same"``.
        depth_multiplier: positive int ``M``, filters per input channel (1).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        dilation_rate: int or tuple (1).
        activation: name or callable (default: none); use_bias: bias per output channel.
        depthwise_initializer, bias_initializer, depthwise_regularizer,
        bias_regularizer, activity_regularizer, depthwise_constraint,
        bias_constraint: as in ``Conv2D``, the ``depthwise_`` ones for the kernel.
        **kwargs: ``Layer`` arguments.

    Shapes: ``(N, *spatial, C)`` -> ``(N, *out, C*M)``, kernel ``(*kernel_size, C, M)``,
    bias ``(C*M,)``; output channel ``c*M + m`` comes from input channel ``c``.
    """

    _numeric_inputs_only = True

    def __init__(self, rank, kernel_size, strides=1, padding="valid", depth_multiplier=1, data_format=None,
                 dilation_rate=1, activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        name = type(self).__name__
        self.rank = rank
        self.depth_multiplier = _positive(depth_multiplier, "depth_multiplier", type(self).__name__)
        self.kernel_size = normalize_tuple(kernel_size, rank, "kernel_size", name)
        self.strides = normalize_tuple(strides, rank, "strides", name)
        self.padding = _padding(padding)
        self.data_format = check_data_format(data_format, name)
        self.dilation_rate = normalize_tuple(dilation_rate, rank, "dilation_rate", name)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=rank + 2)

    @property
    def _channel_axis(self):
        return -1 if self.data_format == "channels_last" else 1

    def _channels(self, input_shape):
        channels = input_shape[self._channel_axis]
        if channels is None:
            raise ValueError(f"{type(self).__name__} ('{self.name}'): the channel dimension of the inputs "
                             f"should be defined. Received input_shape={tuple(input_shape)}")
        self.input_spec = InputSpec(min_ndim=self.rank + 2, axes={self._channel_axis: channels})
        return channels

    def build(self, input_shape):
        channels = self._channels(input_shape)
        # (KH, KW, C, M): M filters for each input channel.
        self.kernel = self.add_weight(name="kernel", shape=self.kernel_size + (channels, self.depth_multiplier),
                                      initializer=self.depthwise_initializer,
                                      regularizer=self.depthwise_regularizer, constraint=self.depthwise_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(channels * self.depth_multiplier,),
                                        initializer=self.bias_initializer, regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.built = True

    def call(self, inputs):
        # (N, H, W, C) -> (N, OH, OW, C*M), bias and ReLU in the same op; other activations after.
        fused = self.activation in _FUSED
        outputs = ops.depthwise_conv(inputs, self.kernel, strides=self.strides, padding=self.padding,
                                     data_format=self.data_format, dilation_rate=self.dilation_rate,
                                     bias=self.bias, activation=_FUSED[self.activation] if fused else None)
        return outputs if fused else self.activation(outputs)

    def _output_shape(self, input_shape, channels):
        input_shape = tuple(input_shape)
        first = 1 if self.data_format == "channels_last" else 2
        sizes = tuple(conv_output_length(size, window, self.padding, stride, dilation)
                      for size, window, stride, dilation in
                      zip(input_shape[first:first + self.rank], self.kernel_size, self.strides, self.dilation_rate))
        if any(size == 0 for size in sizes):
            raise ValueError(f"Computed output size would be zero or negative: {type(self).__name__} "
                             f"('{self.name}') with kernel_size={self.kernel_size} and padding='{self.padding}' "
                             f"received input_shape={input_shape}, whose spatial size is too small.")
        if self.data_format == "channels_last":
            return (input_shape[0],) + sizes + (channels,)
        return (input_shape[0], channels) + sizes

    def compute_output_shape(self, input_shape):
        channels = input_shape[self._channel_axis]
        return self._output_shape(input_shape, None if channels is None else channels * self.depth_multiplier)

    def get_config(self):
        config = super().get_config()
        config.pop("activity_regularizer", None)  # Keras places it after the bias regularizer
        return {
            **config,
            "depth_multiplier": self.depth_multiplier,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "depthwise_regularizer": regularizers.serialize(self.depthwise_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "depthwise_constraint": constraints.serialize(self.depthwise_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }


class DepthwiseConv1D(BaseDepthwiseConv):
    """``(N, W, C)`` -> ``(N, OW, C*M)``, kernel ``(KW, C, M)``; see ``BaseDepthwiseConv``."""

    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1, data_format=None,
                 dilation_rate=1, activation=None, use_bias=True, **kwargs):
        super().__init__(1, kernel_size, strides=strides, padding=padding, depth_multiplier=depth_multiplier,
                         data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, **kwargs)


class DepthwiseConv2D(BaseDepthwiseConv):
    """``(N, H, W, C)`` -> ``(N, OH, OW, C*M)``, kernel ``(KH, KW, C, M)``; see ``BaseDepthwiseConv``."""

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1, data_format=None,
                 dilation_rate=(1, 1), activation=None, use_bias=True, **kwargs):
        super().__init__(2, kernel_size, strides=strides, padding=padding, depth_multiplier=depth_multiplier,
                         data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, **kwargs)


class BaseSeparableConv(BaseDepthwiseConv):
    """A depthwise convolution, then a 1x1 convolution to ``filters`` channels (``SeparableConv1D/2D``).

    Args:
        rank, kernel_size, strides, padding, depth_multiplier, data_format,
        dilation_rate, activation, use_bias, the ``depthwise_`` and ``bias_``
        arguments: as in ``BaseDepthwiseConv`` (the bias now has ``filters`` values).
        filters: positive int ``F``, the output channels.
        pointwise_initializer, pointwise_regularizer, pointwise_constraint: for the 1x1 kernel.
        **kwargs: ``Layer`` arguments.

    Weights, in Keras's order: ``depthwise_kernel (*kernel_size, C, M)``,
    ``pointwise_kernel (1, ..., 1, C*M, F)``, ``bias (F,)``.
    """

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 depth_multiplier=1, activation=None, use_bias=True, pointwise_initializer="glorot_uniform",
                 pointwise_regularizer=None, pointwise_constraint=None, **kwargs):
        super().__init__(rank, kernel_size, strides=strides, padding=padding, depth_multiplier=depth_multiplier,
                         data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, **kwargs)
        self.filters = _positive(filters, "filters", type(self).__name__)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.pointwise_constraint = constraints.get(pointwise_constraint)

    def build(self, input_shape):
        channels = self._channels(input_shape)
        self.depthwise_kernel = self.add_weight(
            name="depthwise_kernel", shape=self.kernel_size + (channels, self.depth_multiplier),
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint)
        # (1, 1, C*M, F): at each position, a Dense layer across the depthwise output's channels.
        self.pointwise_kernel = self.add_weight(
            name="pointwise_kernel", shape=(1,) * self.rank + (channels * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer, regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    def call(self, inputs):
        # (N, H, W, C) -> (N, OH, OW, C*M) -> (N, OH, OW, F); the pointwise step adds the bias and the ReLU.
        fused = self.activation in _FUSED
        outputs = ops.separable_conv(inputs, self.depthwise_kernel, self.pointwise_kernel, strides=self.strides,
                                     padding=self.padding, data_format=self.data_format,
                                     dilation_rate=self.dilation_rate, bias=self.bias,
                                     activation=_FUSED[self.activation] if fused else None)
        return outputs if fused else self.activation(outputs)

    def compute_output_shape(self, input_shape):
        return self._output_shape(input_shape, self.filters)

    def get_config(self):
        config = super().get_config()
        ordered = {}
        for key, value in config.items():  # Keras's order: each pointwise_ entry after its depthwise_ one
            ordered[key] = value
            if key == "depth_multiplier":
                ordered["filters"] = self.filters
            elif key == "depthwise_initializer":
                ordered["pointwise_initializer"] = initializers.serialize(self.pointwise_initializer)
            elif key == "depthwise_regularizer":
                ordered["pointwise_regularizer"] = regularizers.serialize(self.pointwise_regularizer)
            elif key == "depthwise_constraint":
                ordered["pointwise_constraint"] = constraints.serialize(self.pointwise_constraint)
        return ordered


class SeparableConv1D(BaseSeparableConv):
    """``(N, W, C)`` -> ``(N, OW, F)``; see ``BaseSeparableConv``."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 depth_multiplier=1, activation=None, use_bias=True, **kwargs):
        super().__init__(1, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, depth_multiplier=depth_multiplier, activation=activation,
                         use_bias=use_bias, **kwargs)


class SeparableConv2D(BaseSeparableConv):
    """``(N, H, W, C)`` -> ``(N, OH, OW, F)``; see ``BaseSeparableConv``."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), depth_multiplier=1, activation=None, use_bias=True, **kwargs):
        super().__init__(2, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, depth_multiplier=depth_multiplier, activation=activation,
                         use_bias=use_bias, **kwargs)
