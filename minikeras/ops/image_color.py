"""Colour conversions of ``keras.ops.image``: ``rgb_to_grayscale``, ``rgb_to_hsv``, ``hsv_to_rgb``.

Place in the stack: part of ``minikeras.ops.image``; the colour augmentation
layers (``RandomGrayscale``, ``RandomHue``, ``RandomSaturation``...) use them.
All three are built from differentiable ops (``where`` picks a formula per
pixel, so the gradient follows the branch that was taken).

HSV describes a colour by its hue (the angle on the colour wheel, as a
fraction of a turn in [0, 1)), its saturation (how far from grey) and its
value (the brightest channel). Read next: ``image_layout.py``.
"""

import numpy

from minikeras import backend
from minikeras.autodiff import combine
from minikeras.autodiff import elementwise
from minikeras.autodiff import math
from minikeras.autodiff import reduce
from minikeras.autodiff.elementwise import cast
from minikeras.ops.image_common import channels_axis
from minikeras.ops.image_common import check_images
from minikeras.ops.image_common import standardize_data_format

# ITU-R 601 luma weights, as tf.image.rgb_to_grayscale uses them.
GRAYSCALE_WEIGHTS = (0.2989, 0.5870, 0.1140)


def _check_float(images):
    if not backend.is_float_dtype(images.dtype):
        raise ValueError(f"Invalid images dtype: expected float dtype. Received: images.dtype={images.dtype}")


def _check_three_channels(images, axis):
    if images.shape[axis] != 3:
        raise ValueError(f"Input images must have 3 channels, but received images with {images.shape[axis]} "
                         "channels.")


def _planes(images, axis):
    """Splits ``(..., 3)`` along ``axis`` into three planes without the channel axis."""
    return [reduce.sum(plane, axis=axis) for plane in combine.split(images, 3, axis=axis)]


def rgb_to_grayscale(images, data_format=None):
    """``0.2989 R + 0.5870 G + 0.1140 B``, keeping a channel axis of size 1.

    Args:
        images: ``(N, H, W, 3)`` or ``(H, W, 3)`` (channels first: ``(N, 3, H, W)``);
            one-channel images are returned unchanged.
    Returns:
        ``(N, H, W, 1)`` with the input's dtype (integers are truncated).
    """
    data_format = standardize_data_format(data_format)
    images = check_images(images)
    axis = channels_axis(data_format)
    if images.shape[axis] not in (1, 3):
        raise ValueError("Invalid channel size: expected 3 (RGB) or 1 (Grayscale). "
                         f"Received input with shape: images.shape={images.shape}")
    if images.shape[axis] == 1:
        return images
    dtype = images.dtype
    compute_dtype = dtype if backend.is_float_dtype(dtype) else "float32"
    weights_shape = [1] * images.ndim
    weights_shape[axis] = 3
    weights = numpy.asarray(GRAYSCALE_WEIGHTS, dtype=compute_dtype).reshape(weights_shape)
    gray = reduce.sum(elementwise.multiply(cast(images, compute_dtype), weights), axis=axis, keepdims=True)
    return cast(gray, dtype)


def rgb_to_hsv(images, data_format=None):
    """RGB in [0, 1] -> HSV in [0, 1] per pixel.

    ``value = max(r, g, b)``, ``saturation = (max - min) / max``; the hue
    depends on which channel is the largest: with ``range = max - min``,
    ``(g - b) / (6 range)`` when red is, ``(b - r) / (6 range) + 1/3`` for
    green, ``(r - g) / (6 range) + 2/3`` for blue, then wrapped into [0, 1).
    Greys (``range = 0``) get hue 0 and black gets saturation 0.

    Args:
        images: float ``(N, H, W, 3)`` or ``(H, W, 3)`` (channels first: ``(N, 3, H, W)``).
    Returns:
        The same shape: hue, saturation, value.
    """
    data_format = standardize_data_format(data_format)
    images = check_images(images)
    _check_float(images)
    axis = channels_axis(data_format)
    _check_three_channels(images, axis)
    eps = float(numpy.finfo(images.dtype).eps)
    images = elementwise.where(elementwise.abs(images).data < eps, numpy.zeros((), images.dtype), images)
    red, green, blue = _planes(images, axis)
    value = elementwise.maximum(elementwise.maximum(red, green), blue)
    minimum = elementwise.minimum(elementwise.minimum(red, green), blue)
    spread = elementwise.subtract(value, minimum)
    one = numpy.ones((), images.dtype)
    safe_value = elementwise.where(value.data > 0, value, one)
    safe_spread = elementwise.where(spread.data > 0, spread, one)
    saturation = elementwise.where(value.data > 0, elementwise.divide(spread, safe_value), 0 * one)
    norm = elementwise.divide(one, elementwise.multiply(safe_spread, 6.0))
    hue = elementwise.where(value.data == green.data,
                            elementwise.add(elementwise.multiply(norm, elementwise.subtract(blue, red)), 2.0 / 6.0),
                            elementwise.add(elementwise.multiply(norm, elementwise.subtract(red, green)), 4.0 / 6.0))
    hue = elementwise.where(value.data == red.data, elementwise.multiply(norm, elementwise.subtract(green, blue)), hue)
    wrap = (hue.data < 0).astype(images.dtype)  # negative hues go once around the wheel
    hue = elementwise.add(elementwise.where(spread.data > 0, hue, 0 * one), wrap)
    return combine.stack([hue, saturation, value], axis=axis)


def hsv_to_rgb(images, data_format=None):
    """HSV in [0, 1] -> RGB, the inverse of ``rgb_to_hsv``.

    Each channel is ``value * (1 - s + s * f(hue))`` where ``f`` is a
    trapezoid of the hue (``dh = 6 * (hue mod 1)``): red ``clip(|dh - 3| - 1)``,
    green ``clip(2 - |dh - 2|)``, blue ``clip(2 - |dh - 4|)``, clipped to [0, 1].

    Args:
        images: float ``(N, H, W, 3)`` or ``(H, W, 3)`` (channels first: ``(N, 3, H, W)``).
    Returns:
        The same shape: red, green, blue.
    """
    data_format = standardize_data_format(data_format)
    images = check_images(images)
    _check_float(images)
    axis = channels_axis(data_format)
    _check_three_channels(images, axis)
    hue, saturation, value = _planes(images, axis)
    # hue mod 1, written hue - floor(hue) so that the hue keeps its gradient (floor has none; ops.mod has none)
    dh = elementwise.multiply(elementwise.subtract(hue, math.floor(hue)), 6.0)
    dr = elementwise.clip(elementwise.subtract(elementwise.abs(elementwise.subtract(dh, 3.0)), 1.0), 0.0, 1.0)
    dg = elementwise.clip(elementwise.subtract(2.0, elementwise.abs(elementwise.subtract(dh, 2.0))), 0.0, 1.0)
    db = elementwise.clip(elementwise.subtract(2.0, elementwise.abs(elementwise.subtract(dh, 4.0))), 0.0, 1.0)
    one_minus_s = elementwise.subtract(1.0, saturation)
    channels = [elementwise.multiply(value, elementwise.add(one_minus_s, elementwise.multiply(saturation, d)))
                for d in (dr, dg, db)]
    return combine.stack(channels, axis=axis)
