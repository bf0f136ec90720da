"""Transposed convolution layers: ``Conv1DTranspose``, ``Conv2DTranspose`` and ``Conv3DTranspose``.

Place in the stack: concrete layers over ``convolutional.py`` (whose
``BaseConv`` holds the arguments and weights) and ``ops.conv_transpose``
(``minikeras/autodiff/conv_transpose.py``). Where ``Conv2D(strides=2)``
halves an image, ``Conv2DTranspose(strides=2)`` doubles it, with learned
weights: the decoder of a convolutional autoencoder is built from them. The
kernel is ``(KH, KW, F, C)``, output channels before input channels, because
the layer is the input gradient of a ``(KH, KW, F, C)`` convolution from
``F`` to ``C`` channels. Read next: ``pooling.py``.
"""

from minikeras import ops
from minikeras.autodiff.conv_transpose import conv_transpose_output_length
from minikeras.layers.convolutional import _FUSED
from minikeras.layers.convolutional import BaseConv
from minikeras.layers.input_spec import InputSpec


class BaseConvTranspose(BaseConv):
    """What the transposed convolutions share.

    Args:
        rank: 1, 2 or 3 spatial axes.
        filters: the number of output channels ``F``.
        kernel_size, strides, padding (``"valid"``/``"same"``), data_format,
        dilation_rate, activation, use_bias, initializers, regularizers,
        constraints: as in ``BaseConv``.
        output_padding: None, int or tuple: extra rows/columns at the end of
            each spatial axis; each must be smaller than its stride.
        **kwargs: ``Layer`` arguments.

    Shapes:
        ``(N, *spatial, C)`` -> ``(N, *out, F)``; along an axis, ``out =
        size * stride`` for ``"same"`` and ``(size - 1) * stride + max(span, stride)``
        for ``"valid"`` (``span = (K - 1) * dilation + 1``), plus ``output_padding``.
    """

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, **kwargs):
        if isinstance(padding, str) and padding.lower() == "causal":
            raise ValueError(f"{type(self).__name__}: `padding` must be 'valid' or 'same'. Received: padding=causal")
        super().__init__(rank, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, **kwargs)
        self.output_padding = None
        if output_padding is not None:
            self.output_padding = (output_padding,) * rank if isinstance(output_padding, int) \
                else tuple(output_padding)
            for axis, (extra, stride) in enumerate(zip(self.output_padding, self.strides)):
                if extra >= stride:
                    raise ValueError(f"{type(self).__name__}: `output_padding` must be strictly less than "
                                     "`strides` for all dimensions. "
                                     f"At dimension {axis}, `output_padding` is {extra} but `strides` is {stride}. "
                                     f"Received: output_padding={self.output_padding}, strides={self.strides}")

    def build(self, input_shape):
        channels = input_shape[self._channel_axis]
        if channels is None:
            raise ValueError(f"{type(self).__name__} ('{self.name}'): the channel dimension of the inputs "
                             f"should be defined. Received input_shape={input_shape}")
        # (KH, KW, F, C): output channels first, the transpose of a convolution's kernel.
        self.kernel = self.add_weight(name="kernel", shape=self.kernel_size + (self.filters, channels),
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self._channel_axis: channels})
        self.built = True

    def call(self, inputs):
        # (N, H, W, C) -> (N, OH, OW, F), the bias added and a ReLU applied by the same op
        # (autodiff/conv_transpose.py, ConvTranspose); other activations follow as their own ops.
        fused = self.activation in _FUSED
        outputs = ops.conv_transpose(inputs, self.kernel, strides=self.strides, padding=self.padding,
                                     output_padding=self.output_padding, data_format=self.data_format,
                                     dilation_rate=self.dilation_rate, bias=self.bias,
                                     activation=_FUSED[self.activation] if fused else None)
        return outputs if fused else self.activation(outputs)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        first = 1 if self.data_format == "channels_last" else 2
        extras = self.output_padding or (None,) * self.rank
        sizes = tuple(conv_transpose_output_length(size, window, stride, dilation, self.padding, extra)
                      for size, window, stride, dilation, extra in
                      zip(input_shape[first:first + self.rank], self.kernel_size, self.strides,
                          self.dilation_rate, extras))
        if self.data_format == "channels_last":
            return (input_shape[0],) + sizes + (self.filters,)
        return (input_shape[0], self.filters) + sizes

    def get_config(self):
        config = super().get_config()
        config.pop("groups")
        ordered = {}
        for key, value in config.items():  # Keras's order: output_padding right after padding
            ordered[key] = value
            if key == "padding":
                ordered["output_padding"] = self.output_padding
        return ordered


class Conv1DTranspose(BaseConvTranspose):
    """``(N, W, C)`` -> ``(N, OW, F)``, kernel ``(KW, F, C)``; see ``BaseConvTranspose``."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None, data_format=None,
                 dilation_rate=1, activation=None, use_bias=True, **kwargs):
        super().__init__(1, filters, kernel_size, strides=strides, padding=padding, output_padding=output_padding,
                         data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, **kwargs)


class Conv2DTranspose(BaseConvTranspose):
    """``(N, H, W, C)`` -> ``(N, OH, OW, F)``, kernel ``(KH, KW, F, C)``; see ``BaseConvTranspose``."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", output_padding=None,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True, **kwargs):
        super().__init__(2, filters, kernel_size, strides=strides, padding=padding, output_padding=output_padding,
                         data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, **kwargs)



class Conv3DTranspose(BaseConvTranspose):
    """``(N, D, H, W, C)`` -> ``(N, OD, OH, OW, F)``, kernel ``(KD, KH, KW, F, C)``; see ``BaseConvTranspose``."""

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid", data_format=None,
                 output_padding=None, dilation_rate=(1, 1, 1), activation=None, use_bias=True, **kwargs):
        super().__init__(3, filters, kernel_size, strides=strides, padding=padding, output_padding=output_padding,
                         data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, **kwargs)
