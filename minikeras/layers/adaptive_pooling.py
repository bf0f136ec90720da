"""Adaptive pooling layers: ``AdaptiveAveragePooling1D/2D/3D``, ``AdaptiveMaxPooling1D/2D/3D``.

Place in the stack: concrete layers over the ``adaptive_average_pool`` /
``adaptive_max_pool`` ops (``minikeras/autodiff/resample.py``). Ordinary
pooling fixes the window and lets the output size follow the input;
adaptive pooling fixes the *output* size (``output_size=7``: always 7 x 7)
and chooses the windows: output ``i`` of an axis of length ``L`` pooled to
``O`` covers cells ``floor(i L / O)`` to ``ceil((i + 1) L / O)``. A network
ending in one accepts images of any size. Read next: ``resampling.py``.
"""

from minikeras import ops
from minikeras.layers.input_spec import InputSpec
from minikeras.layers.layer import Layer
from minikeras.layers.reshaping import check_data_format


class BaseAdaptivePooling(Layer):
    """What the adaptive pooling layers share.

    Args:
        rank: 1, 2 or 3 spatial axes.
        pool_function: ``ops.adaptive_average_pool`` or ``ops.adaptive_max_pool``.
        output_size: int or tuple of ``rank`` positive ints.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        **kwargs: ``Layer`` arguments.

    Shapes:
        ``(N, *spatial, C)`` -> ``(N, *output_size, C)`` (channels first:
        ``(N, C, *spatial)`` -> ``(N, C, *output_size)``).
    """

    def __init__(self, rank, pool_function, output_size, data_format=None, **kwargs):
        super().__init__(**kwargs)
        name = type(self).__name__
        sizes = (output_size,) * rank if isinstance(output_size, int) else tuple(output_size)
        if len(sizes) != rank or not all(isinstance(size, int) and size > 0 for size in sizes):
            raise ValueError(f"{name}: `output_size` must be a positive integer or a tuple of {rank} positive "
                             f"integers. Received: output_size={output_size!r}")
        self.rank = rank
        self.pool_function = pool_function
        self.output_size = sizes
        self.data_format = check_data_format(data_format, name)
        self.input_spec = InputSpec(ndim=rank + 2)

    def call(self, inputs):
        return self.pool_function(inputs, self.output_size, data_format=self.data_format)

    def compute_output_shape(self, input_shape):
        if self.data_format == "channels_last":
            return (input_shape[0], *self.output_size, input_shape[-1])
        return (input_shape[0], input_shape[1], *self.output_size)

    def get_config(self):
        return {**super().get_config(), "output_size": self.output_size, "data_format": self.data_format}


class AdaptiveAveragePooling1D(BaseAdaptivePooling):
    """The mean of ``output_size`` adaptive windows: ``(N, T, C)`` -> ``(N, output_size, C)``."""

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(1, ops.adaptive_average_pool, output_size, data_format, **kwargs)


class AdaptiveAveragePooling2D(BaseAdaptivePooling):
    """The mean of adaptive windows: ``(N, H, W, C)`` -> ``(N, OH, OW, C)``."""

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(2, ops.adaptive_average_pool, output_size, data_format, **kwargs)


class AdaptiveAveragePooling3D(BaseAdaptivePooling):
    """The mean of adaptive boxes: ``(N, D, H, W, C)`` -> ``(N, OD, OH, OW, C)``."""

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(3, ops.adaptive_average_pool, output_size, data_format, **kwargs)


class AdaptiveMaxPooling1D(BaseAdaptivePooling):
    """The maximum of ``output_size`` adaptive windows: ``(N, T, C)`` -> ``(N, output_size, C)``."""

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(1, ops.adaptive_max_pool, output_size, data_format, **kwargs)


class AdaptiveMaxPooling2D(BaseAdaptivePooling):
    """The maximum of adaptive windows: ``(N, H, W, C)`` -> ``(N, OH, OW, C)``."""

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(2, ops.adaptive_max_pool, output_size, data_format, **kwargs)


class AdaptiveMaxPooling3D(BaseAdaptivePooling):
    """The maximum of adaptive boxes: ``(N, D, H, W, C)`` -> ``(N, OD, OH, OW, C)``."""

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(3, ops.adaptive_max_pool, output_size, data_format, **kwargs)
