"""Pooling layers: windowed (``MaxPooling2D``...) and global (``GlobalAveragePooling2D``...).

Place in the stack: concrete layers over ``layer.py`` and the pooling ops
(``minikeras/autodiff/pool.py``). A pooling layer has no weights: it
summarises each window of each channel by its maximum or its mean, which
shrinks the image (fewer numbers for the next layers) and makes the features
tolerant to small shifts. Global pooling summarises the whole sequence or
image into one value per channel. Read next: ``normalization.py``.

Shapes (channels last): ``(N, W, C)`` -> ``(N, OW, C)`` in 1-D,
``(N, H, W, C)`` -> ``(N, OH, OW, C)`` in 2-D; global pooling gives ``(N, C)``,
or ``(N, 1, C)`` / ``(N, 1, 1, C)`` with ``keepdims=True``.
"""

from minikeras import ops
from minikeras.kernels.geometry import conv_output_length
from minikeras.layers.convolutional import normalize_padding
from minikeras.layers.input_spec import InputSpec
from minikeras.layers.layer import Layer
from minikeras.utils.argument_validation import check_data_format
from minikeras.utils.argument_validation import normalize_tuple


class BasePooling(Layer):
    """What the windowed pooling layers share.

    Args:
        rank: 1, 2 or 3, the number of spatial axes.
        pool_function: ``ops.max_pool`` or ``ops.average_pool``.
        pool_size: int or tuple of ``rank`` ints, the window.
        strides: int or tuple; None (default) means ``pool_size``, so windows
            sit side by side without overlap.
        padding: ``"valid"`` (default) or ``"same"``.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        **kwargs: ``Layer`` arguments.
    """

    _numeric_inputs_only = True  # strings are refused with a clear error (layer.py)

    def __init__(self, rank, pool_function, pool_size, strides=None, padding="valid",
                 data_format=None, **kwargs):
        super().__init__(**kwargs)
        name = type(self).__name__
        self.rank = rank
        self.pool_function = pool_function
        self.pool_size = normalize_tuple(pool_size, rank, "pool_size", name)
        self.strides = normalize_tuple(strides if strides is not None else self.pool_size,
                                       rank, "strides", name)
        self.padding = normalize_padding(padding, ("valid", "same"), name)
        self.data_format = check_data_format(data_format, name)
        self.input_spec = InputSpec(ndim=rank + 2)

    def call(self, inputs):
        return self.pool_function(inputs, self.pool_size, strides=self.strides,
                                  padding=self.padding, data_format=self.data_format)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        first = 1 if self.data_format == "channels_last" else 2
        sizes = tuple(conv_output_length(size, window, self.padding, stride)
                      for size, window, stride in
                      zip(input_shape[first:first + self.rank], self.pool_size, self.strides))
        if any(size == 0 for size in sizes):
            raise ValueError(
                f"Computed output size would be zero or negative: {type(self).__name__} "
                f"('{self.name}') with pool_size={self.pool_size} received input_shape={input_shape}.")
        if self.data_format == "channels_last":
            return (input_shape[0],) + sizes + (input_shape[-1],)
        return input_shape[:2] + sizes

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size, "padding": self.padding,
                "strides": self.strides, "data_format": self.data_format}


class MaxPooling1D(BasePooling):
    """The maximum of each window of ``pool_size`` steps (default 2)."""

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(1, ops.max_pool, pool_size, strides, padding, data_format, **kwargs)


class MaxPooling2D(BasePooling):
    """The maximum of each ``pool_size`` window (default 2 x 2)."""

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(2, ops.max_pool, pool_size, strides, padding, data_format, **kwargs)


class AveragePooling1D(BasePooling):
    """The mean of each window of ``pool_size`` steps (no default, as in Keras 3)."""

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(1, ops.average_pool, pool_size, strides, padding, data_format, **kwargs)


class AveragePooling2D(BasePooling):
    """The mean of each ``pool_size`` window; with ``"same"`` padding the padded
    cells are not counted."""

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(2, ops.average_pool, pool_size, strides, padding, data_format, **kwargs)


class MaxPooling3D(BasePooling):
    """The maximum of each ``pool_size`` box of a volume (default 2 x 2 x 2):
    ``(N, D, H, W, C)`` -> ``(N, OD, OH, OW, C)``."""

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(3, ops.max_pool, pool_size, strides, padding, data_format, **kwargs)


class AveragePooling3D(BasePooling):
    """The mean of each ``pool_size`` box of a volume (no default, as in Keras 3)."""

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(3, ops.average_pool, pool_size, strides, padding, data_format, **kwargs)


class BaseGlobalPooling(Layer):
    """What the global pooling layers share: reduce every spatial axis.

    Args:
        rank: 1, 2 or 3, the number of spatial axes.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        keepdims: keep the reduced axes with size 1.
        **kwargs: ``Layer`` arguments.
    """

    _numeric_inputs_only = True  # strings are refused with a clear error (layer.py)

    def __init__(self, rank, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.rank = rank
        self.data_format = check_data_format(data_format, type(self).__name__)
        self.keepdims = keepdims
        self.input_spec = InputSpec(ndim=rank + 2)

    @property
    def _spatial_axes(self):
        first = 1 if self.data_format == "channels_last" else 2
        return tuple(range(first, first + self.rank))

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.keepdims:
            return tuple(1 if axis in self._spatial_axes else size
                         for axis, size in enumerate(input_shape))
        return tuple(size for axis, size in enumerate(input_shape) if axis not in self._spatial_axes)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}


class GlobalAveragePooling1D(BaseGlobalPooling):
    """The mean over the steps: ``(N, W, C)`` -> ``(N, C)``.

    With a mask (from ``Embedding(mask_zero=True)``), masked steps are left
    out of the mean. The output carries no mask.
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(1, data_format, keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        axis = self._spatial_axes[0]
        if mask is None:
            return ops.mean(inputs, axis=axis, keepdims=self.keepdims)
        # mask (N, W) -> weights (N, W, 1): 1 for a real step, 0 for padding.
        weights = ops.expand_dims(ops.cast(mask, inputs.dtype), 2 if axis == 1 else 1)
        total = ops.sum(ops.multiply(inputs, weights), axis=axis, keepdims=self.keepdims)
        count = ops.sum(weights, axis=axis, keepdims=self.keepdims)
        return ops.divide(total, count)

    def compute_mask(self, inputs, previous_mask=None):
        return None


class GlobalAveragePooling2D(BaseGlobalPooling):
    """The mean over height and width: ``(N, H, W, C)`` -> ``(N, C)``."""

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(2, data_format, keepdims, **kwargs)

    def call(self, inputs):
        return ops.mean(inputs, axis=self._spatial_axes, keepdims=self.keepdims)


class GlobalMaxPooling1D(BaseGlobalPooling):
    """The maximum over the steps: ``(N, W, C)`` -> ``(N, C)``."""

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(1, data_format, keepdims, **kwargs)

    def call(self, inputs):
        return ops.max(inputs, axis=self._spatial_axes, keepdims=self.keepdims)


class GlobalMaxPooling2D(BaseGlobalPooling):
    """The maximum over height and width: ``(N, H, W, C)`` -> ``(N, C)``."""

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(2, data_format, keepdims, **kwargs)

    def call(self, inputs):
        return ops.max(inputs, axis=self._spatial_axes, keepdims=self.keepdims)


class GlobalAveragePooling3D(BaseGlobalPooling):
    """The mean over depth, height and width: ``(N, D, H, W, C)`` -> ``(N, C)``."""

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(3, data_format, keepdims, **kwargs)

    def call(self, inputs):
        return ops.mean(inputs, axis=self._spatial_axes, keepdims=self.keepdims)


class GlobalMaxPooling3D(BaseGlobalPooling):
    """The maximum over depth, height and width: ``(N, D, H, W, C)`` -> ``(N, C)``."""

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(3, data_format, keepdims, **kwargs)

    def call(self, inputs):
        return ops.max(inputs, axis=self._spatial_axes, keepdims=self.keepdims)
