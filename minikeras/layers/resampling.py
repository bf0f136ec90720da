"""Resampling layers: ``UpSampling1D/2D/3D``, ``ZeroPadding1D/2D/3D``, ``Cropping1D/2D/3D``.

Place in the stack: concrete layers over ``layer.py`` and ``minikeras.ops``,
beside ``reshaping.py``. None has weights; each changes the size of the
spatial axes only:

* ``UpSampling``: repeats every row/column ``size`` times (``"nearest"``),
  or, in 2-D, resizes with ``ops.image.resize`` (``"bilinear"``...). The
  decoder half of a convolutional autoencoder grows its images this way;
* ``ZeroPadding``: adds zeros around the image (``ops.pad``);
* ``Cropping``: cuts rows/columns off the borders (a slice).

The gradients come from ``repeat``, ``pad``, ``get_item`` and the resize
matrices: a pad's gradient is a crop and a crop's gradient is a pad. Shapes
are channels-last ``(N, *spatial, C)`` unless ``data_format="channels_first"``
(``(N, C, *spatial)``). Read next: ``pooling.py``.
"""

from minikeras import ops
from minikeras.layers.convolutional import normalize_tuple
from minikeras.layers.input_spec import InputSpec
from minikeras.layers.layer import Layer
from minikeras.layers.reshaping import check_data_format
from minikeras.ops.image import RESIZE_INTERPOLATIONS


def _pair(value, argument, layer_name):
    """An int ``p`` -> ``(p, p)``; a pair of non-negative ints stays as it is."""
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, int) and v >= 0 for v in pair):
        raise ValueError(f"{layer_name}: `{argument}` entries must be a non-negative int or a pair of them. "
                         f"Received: {argument}={value!r}")
    return pair


def normalize_pairs(value, rank, argument, layer_name):
    """Keras's padding/cropping argument -> one ``(before, after)`` pair per spatial axis.

    Accepts an int (the same on every side), ``rank`` ints (symmetric per
    axis) or ``rank`` pairs.
    """
    if isinstance(value, int):
        return (_pair(value, argument, layer_name),) * rank
    if not hasattr(value, "__len__") or len(value) != rank:
        raise ValueError(f"{layer_name}: `{argument}` should have {rank} elements (one per spatial axis). "
                         f"Received: {argument}={value!r}")
    return tuple(_pair(entry, argument, layer_name) for entry in value)


def _spatial_axes(data_format, rank):
    first = 1 if data_format == "channels_last" else 2
    return tuple(range(first, first + rank))


class _Resampling(Layer):
    """What the resampling layers share: the output shape rule, axis by axis.

    Subclasses set ``rank`` and ``data_format`` and define
    ``_output_size(axis_index, size)``.
    """

    def compute_output_shape(self, input_shape):
        output_shape = list(input_shape)
        for index, axis in enumerate(_spatial_axes(self.data_format, self.rank)):
            if input_shape[axis] is not None:
                output_shape[axis] = self._output_size(index, input_shape[axis])
        return tuple(output_shape)


class _UpSampling(_Resampling):
    """Repeats each spatial cell ``size`` times along every spatial axis."""

    def __init__(self, rank, size, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.rank = rank
        self.data_format = check_data_format(data_format, type(self).__name__)
        self.size = normalize_tuple(size, rank, "size", type(self).__name__)
        self.input_spec = InputSpec(ndim=rank + 2)

    def _output_size(self, axis_index, size):
        return size * self.size[axis_index]

    def call(self, inputs):
        for factor, axis in zip(self.size, _spatial_axes(self.data_format, self.rank)):
            inputs = ops.repeat(inputs, factor, axis=axis)  # (..., L, ...) -> (..., L * factor, ...)
        return inputs

    def get_config(self):
        return {**super().get_config(), "size": self.size, "data_format": self.data_format}


class UpSampling1D(_UpSampling):
    """``(N, T, C)`` -> ``(N, T * size, C)``: each step repeated ``size`` times (2)."""

    def __init__(self, size=2, **kwargs):
        if not isinstance(size, int) or isinstance(size, bool):
            raise TypeError(f"Expected an integer value for `size`, got {type(size)}.")
        if size <= 0:
            raise ValueError(f"Argument `size` should be a positive integer. Received: size={size}")
        super().__init__(1, size, **kwargs)

    def get_config(self):
        config = super().get_config()
        config.pop("data_format")
        return {**config, "size": self.size[0]}


class UpSampling2D(_UpSampling):
    """``(N, H, W, C)`` -> ``(N, H * sh, W * sw, C)``.

    Args:
        size: int or pair, the factors (2, 2).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        interpolation: ``"nearest"`` (repeat; default) or any interpolation
            of ``ops.image.resize`` (``"bilinear"``, ``"bicubic"``, ``"lanczos3"``...).
        **kwargs: ``Layer`` arguments.
    """

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(2, size, data_format, **kwargs)
        self.interpolation = interpolation.lower()
        if self.interpolation not in RESIZE_INTERPOLATIONS:
            raise ValueError(f"UpSampling2D: `interpolation` must be one of {RESIZE_INTERPOLATIONS}. "
                             f"Received: interpolation={interpolation!r}")

    def call(self, inputs):
        if self.interpolation == "nearest":
            return super().call(inputs)
        height, width = (inputs.shape[axis] for axis in _spatial_axes(self.data_format, 2))
        return ops.image.resize(inputs, (height * self.size[0], width * self.size[1]),
                                interpolation=self.interpolation, data_format=self.data_format)

    def get_config(self):
        return {**super().get_config(), "interpolation": self.interpolation}


class UpSampling3D(_UpSampling):
    """``(N, D, H, W, C)`` -> ``(N, D * sd, H * sh, W * sw, C)`` by repetition."""

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(3, size, data_format, **kwargs)


class _ZeroPadding(_Resampling):
    """Adds ``(before, after)`` zeros on each spatial axis."""

    def __init__(self, rank, padding, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.rank = rank
        self.data_format = check_data_format(data_format, type(self).__name__)
        self.padding = normalize_pairs(padding, rank, "padding", type(self).__name__)
        self.input_spec = InputSpec(ndim=rank + 2)

    def _output_size(self, axis_index, size):
        return size + sum(self.padding[axis_index])

    def call(self, inputs):
        pads = [(0, 0)] * (self.rank + 2)
        for pair, axis in zip(self.padding, _spatial_axes(self.data_format, self.rank)):
            pads[axis] = pair
        return ops.pad(inputs, pads)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}


class ZeroPadding1D(_ZeroPadding):
    """``(N, T, C)`` -> ``(N, left + T + right, C)``; ``padding``: int or ``(left, right)`` (1)."""

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(1, [padding], data_format, **kwargs)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding[0]}


class ZeroPadding2D(_ZeroPadding):
    """``(N, H, W, C)`` -> ``(N, top + H + bottom, left + W + right, C)``.

    ``padding``: int, ``(symmetric_height, symmetric_width)`` or
    ``((top, bottom), (left, right))`` (default 1 on every side).
    """

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(2, padding, data_format, **kwargs)


class ZeroPadding3D(_ZeroPadding):
    """``(N, D, H, W, C)`` padded on each of the three spatial axes (default 1 per side)."""

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(3, padding, data_format, **kwargs)


class _Cropping(_Resampling):
    """Removes ``(before, after)`` cells from each spatial axis."""

    def __init__(self, rank, cropping, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.rank = rank
        self.data_format = check_data_format(data_format, type(self).__name__)
        self.cropping = normalize_pairs(cropping, rank, "cropping", type(self).__name__)
        self.input_spec = InputSpec(ndim=rank + 2)

    def _output_size(self, axis_index, size):
        remaining = size - sum(self.cropping[axis_index])
        if remaining <= 0:
            raise ValueError(f"{type(self).__name__} ('{self.name}'): values in `cropping` argument should be "
                             "smaller than the corresponding spatial dimension of the input. Received: "
                             f"spatial size {size}, cropping={self.cropping}")
        return remaining

    def call(self, inputs):
        index = [slice(None)] * inputs.ndim
        for axis_index, axis in enumerate(_spatial_axes(self.data_format, self.rank)):
            before, after = self.cropping[axis_index]
            self._output_size(axis_index, inputs.shape[axis])  # checks the crop leaves something
            index[axis] = slice(before, inputs.shape[axis] - after)
        return ops.get_item(inputs, tuple(index))

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping, "data_format": self.data_format}


class Cropping1D(_Cropping):
    """``(N, T, C)`` -> ``(N, T - start - end, C)``; ``cropping``: int or ``(start, end)`` (1)."""

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(1, [cropping], "channels_last", **kwargs)

    def get_config(self):
        config = super().get_config()
        config.pop("data_format")  # Cropping1D is channels-last only in Keras
        return {**config, "cropping": self.cropping[0]}


class Cropping2D(_Cropping):
    """``(N, H, W, C)`` -> ``(N, H - top - bottom, W - left - right, C)``.

    ``cropping``: int, ``(symmetric_height, symmetric_width)`` or
    ``((top, bottom), (left, right))`` (default: nothing).
    """

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(2, cropping, data_format, **kwargs)


class Cropping3D(_Cropping):
    """``(N, D, H, W, C)`` cropped on each of the three spatial axes (default 1 per side)."""

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(3, cropping, data_format, **kwargs)
