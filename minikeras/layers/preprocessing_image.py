"""Image preprocessing layers: ``Resizing`` and ``CenterCrop``.

Place in the stack: preprocessing layers over ``layer.py`` and
``minikeras.ops.image``. Put in a model, they let it take images of any
size: ``Resizing`` resizes (optionally cropping or padding to the target's
aspect ratio first), ``CenterCrop`` cuts the centre out, resizing only when
the image is smaller than the crop. Both work on ``(N, H, W, C)`` batches and
single ``(H, W, C)`` images (channels first: ``(N, C, H, W)``). Read next:
``pipeline.py``.
"""

import numpy

from minikeras import backend
from minikeras import ops
from minikeras.layers.layer import Layer
from minikeras.layers.reshaping import check_data_format


def _spatial_axes(ndim, data_format, layer_name):
    if ndim not in (3, 4):
        raise ValueError(f"{layer_name}: expected images of rank 3 (H, W, C) or 4 (N, H, W, C). "
                         f"Received an input of rank {ndim}.")
    return (ndim - 3, ndim - 2) if data_format == "channels_last" else (ndim - 2, ndim - 1)


def _with_size(input_shape, data_format, height, width, layer_name):
    """``input_shape`` with its height and width replaced."""
    output_shape = list(input_shape)
    height_axis, width_axis = _spatial_axes(len(output_shape), data_format, layer_name)
    output_shape[height_axis], output_shape[width_axis] = height, width
    return tuple(output_shape)


class Resizing(Layer):
    """Resizes images to ``(height, width)`` with ``ops.image.resize``.

    Args:
        height, width: the output size.
        interpolation: ``"bilinear"`` (default), ``"nearest"``, ``"bicubic"``,
            ``"lanczos3"`` or ``"lanczos5"``.
        crop_to_aspect_ratio: crop the centre to the target's aspect ratio first.
        pad_to_aspect_ratio: pad with ``fill_value`` to it first.
        fill_mode: only ``"constant"``.
        fill_value: the padding value.
        antialias: low-pass filter when downsampling.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        **kwargs: ``Layer`` arguments.

    Integer images stay integer (rounded, clipped to the dtype's range), as in Keras.
    """

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
                 pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, antialias=False,
                 data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.height, self.width = height, width
        self.interpolation = interpolation
        self.data_format = check_data_format(data_format, "Resizing")
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self.pad_to_aspect_ratio = pad_to_aspect_ratio
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.antialias = bool(antialias)
        self.built = True

    def call(self, inputs):
        resized = ops.image.resize(inputs, (self.height, self.width), interpolation=self.interpolation,
                                   antialias=self.antialias, crop_to_aspect_ratio=self.crop_to_aspect_ratio,
                                   pad_to_aspect_ratio=self.pad_to_aspect_ratio, fill_mode=self.fill_mode,
                                   fill_value=self.fill_value, data_format=self.data_format)
        if resized.dtype == inputs.dtype or backend.is_float_dtype(inputs.dtype):
            return resized
        # Integer pixels: round, then clip to the dtype's range ("saturate cast").
        limits = numpy.iinfo(inputs.dtype)
        return ops.cast(ops.clip(ops.round(resized), limits.min, limits.max), inputs.dtype)

    def compute_output_shape(self, input_shape):
        return _with_size(input_shape, self.data_format, self.height, self.width, "Resizing")

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format, "height": self.height,
                "width": self.width, "interpolation": self.interpolation,
                "crop_to_aspect_ratio": self.crop_to_aspect_ratio, "pad_to_aspect_ratio": self.pad_to_aspect_ratio,
                "fill_mode": self.fill_mode, "fill_value": self.fill_value, "antialias": self.antialias}


class CenterCrop(Layer):
    """Cuts the central ``(height, width)`` window out of each image.

    An image smaller than the window on some side is instead cropped to the
    window's aspect ratio and resized (bilinear) to it, as Keras's
    ``smart_resize``. Outputs have the layer's float dtype.

    Args:
        height, width: the output size.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        **kwargs: ``Layer`` arguments.
    """

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.height, self.width = height, width
        self.data_format = check_data_format(data_format, "CenterCrop")
        self.built = True

    def call(self, inputs):
        inputs = ops.cast(inputs, self.compute_dtype)
        height_axis, width_axis = _spatial_axes(inputs.ndim, self.data_format, "CenterCrop")
        height, width = inputs.shape[height_axis], inputs.shape[width_axis]
        if height >= self.height and width >= self.width:
            top, left = (height - self.height) // 2, (width - self.width) // 2
            index = [slice(None)] * inputs.ndim
            index[height_axis] = slice(top, top + self.height)
            index[width_axis] = slice(left, left + self.width)
            return ops.get_item(inputs, tuple(index))
        return ops.image.resize(inputs, (self.height, self.width), crop_to_aspect_ratio=True,
                                data_format=self.data_format)

    def compute_output_shape(self, input_shape):
        return _with_size(input_shape, self.data_format, self.height, self.width, "CenterCrop")

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format, "height": self.height,
                "width": self.width}
