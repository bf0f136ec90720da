"""Cutting and framing images: ``crop_images``, ``pad_images``, ``extract_patches``
and ``extract_patches_3d`` of ``keras.ops.image``.

Place in the stack: part of ``minikeras.ops.image``. All four only move
pixels (slices, padding, a stack of shifted slices), so their gradients are
those of ``get_item``, ``pad`` and ``stack``. Read next: ``image_filters.py``.
"""

import math

from minikeras.autodiff import combine
from minikeras.autodiff import shape as shape_ops
from minikeras.autodiff.tensor import as_tensor
from minikeras.ops.image_common import check_images
from minikeras.ops.image_common import height_width_axes
from minikeras.ops.image_common import standardize_data_format


def _two_of_three(first, second, target, names):
    """Keras's rule for each side: exactly two of (top, bottom, target height) are given, none negative."""
    if [first, second, target].count(None) != 1:
        raise ValueError(f"Must specify exactly two of {names[0]}, {names[1]}, {names[2]}. Received: "
                         f"{names[0]}={first}, {names[1]}={second}, {names[2]}={target}")
    for value, name in zip((first, second, target), names):
        if value is not None and value < 0:
            raise ValueError(f"{name} must be >= 0. Received: {name}={value}")


def _non_negative(**values):
    for name, value in values.items():
        if value < 0:
            raise ValueError(f"{name} must be >= 0. Received: {name}={value}")


def pad_images(images, top_padding=None, left_padding=None, bottom_padding=None, right_padding=None,
               target_height=None, target_width=None, data_format=None):
    """Pads images with zeros to a size; per side give two of (padding, padding, target size).

    Args:
        images: ``(N, H, W, C)`` or ``(H, W, C)`` (channels first: ``(N, C, H, W)``).
        top_padding, bottom_padding, target_height: exactly two of them.
        left_padding, right_padding, target_width: exactly two of them.
    Returns:
        ``(N, target_height, target_width, C)``.
    """
    data_format = standardize_data_format(data_format)
    images = check_images(images)
    _two_of_three(top_padding, bottom_padding, target_height,
                  ("top_padding", "bottom_padding", "target_height"))
    _two_of_three(left_padding, right_padding, target_width,
                  ("left_padding", "right_padding", "target_width"))
    height_axis, width_axis = height_width_axes(data_format)
    height, width = images.shape[height_axis], images.shape[width_axis]
    top = target_height - bottom_padding - height if top_padding is None else top_padding
    bottom = target_height - top - height if bottom_padding is None else bottom_padding
    left = target_width - right_padding - width if left_padding is None else left_padding
    right = target_width - left - width if right_padding is None else right_padding
    _non_negative(top_padding=top, left_padding=left, right_padding=right, bottom_padding=bottom)
    pads = [(0, 0)] * images.ndim
    pads[height_axis], pads[width_axis] = (top, bottom), (left, right)
    return combine.pad(images, pads)


def crop_images(images, top_cropping=None, left_cropping=None, bottom_cropping=None, right_cropping=None,
                target_height=None, target_width=None, data_format=None):
    """Cuts a window out of images; per side give two of (cropping, cropping, target size).

    Args:
        images: ``(N, H, W, C)`` or ``(H, W, C)`` (channels first: ``(N, C, H, W)``).
        top_cropping, bottom_cropping, target_height: exactly two of them.
        left_cropping, right_cropping, target_width: exactly two of them.
    Returns:
        ``(N, target_height, target_width, C)``.
    """
    data_format = standardize_data_format(data_format)
    images = check_images(images)
    _two_of_three(top_cropping, bottom_cropping, target_height,
                  ("top_cropping", "bottom_cropping", "target_height"))
    _two_of_three(left_cropping, right_cropping, target_width,
                  ("left_cropping", "right_cropping", "target_width"))
    height_axis, width_axis = height_width_axes(data_format)
    height, width = images.shape[height_axis], images.shape[width_axis]
    top = height - target_height - bottom_cropping if top_cropping is None else top_cropping
    target_height = height - bottom_cropping - top if target_height is None else target_height
    left = width - target_width - right_cropping if left_cropping is None else left_cropping
    target_width = width - right_cropping - left if target_width is None else target_width
    _non_negative(top_cropping=top, target_height=target_height, left_cropping=left, target_width=target_width)
    index = [slice(None)] * images.ndim
    index[height_axis] = slice(top, top + target_height)
    index[width_axis] = slice(left, left + target_width)
    return shape_ops.get_item(images, tuple(index))


def _patch_arguments(size, strides, dilation_rate, spatial_rank):
    """``size``, ``strides`` and ``dilation_rate`` as tuples of ``spatial_rank`` ints."""
    def as_tuple(value):
        return (int(value),) * spatial_rank if isinstance(value, int) else tuple(int(v) for v in value)
    size = as_tuple(size)
    strides = size if not strides else as_tuple(strides)
    if len(strides) != spatial_rank:
        raise ValueError(f"Invalid `strides` argument. Got: {strides}")
    return size, strides, as_tuple(dilation_rate)


def _patches(inputs, size, strides, dilation, padding):
    """Every window of a channels-last batch ``(N, *S, C)``, flattened: ``(N, *OS, prod(size) * C)``.

    The window's taps ``k`` (one offset per spatial axis) each read one strided
    slice; stacking the slices in row-major order of ``k`` and then the channels
    gives Keras's order (the one of a convolution with an identity kernel).
    """
    spatial = inputs.shape[1:-1]
    if padding == "same":
        pads = [(0, 0)]
        for length, window, stride, rate in zip(spatial, size, strides, dilation):
            out = math.ceil(length / stride)
            total = max((out - 1) * stride + (window - 1) * rate + 1 - length, 0)
            pads.append((total // 2, total - total // 2))
        inputs = combine.pad(inputs, pads + [(0, 0)])
        spatial = inputs.shape[1:-1]
    outs = [(length - (window - 1) * rate - 1) // stride + 1
            for length, window, stride, rate in zip(spatial, size, strides, dilation)]
    taps = []
    for offsets in _row_major(size):
        index = (slice(None),) + tuple(slice(o * rate, o * rate + (out - 1) * stride + 1, stride)
                                       for o, rate, out, stride in zip(offsets, dilation, outs, strides))
        taps.append(shape_ops.get_item(inputs, index))  # (N, *OS, C) per tap
    stacked = combine.stack(taps, axis=-2)  # (N, *OS, taps, C)
    return shape_ops.reshape(stacked, stacked.shape[:-2] + (stacked.shape[-2] * stacked.shape[-1],))


def _row_major(size):
    """All offsets ``(k1, k2, ...)`` with ``0 <= ki < size[i]``, last axis fastest."""
    offsets = [()]
    for window in size:
        offsets = [prefix + (k,) for prefix in offsets for k in range(window)]
    return offsets


def _extract(images, size, strides, dilation_rate, padding, data_format, spatial_rank):
    size, strides, dilation = _patch_arguments(size, strides, dilation_rate, spatial_rank)
    unbatched = images.ndim == spatial_rank + 1
    if unbatched:
        images = shape_ops.expand_dims(images, 0)
    if data_format == "channels_first":
        images = shape_ops.moveaxis(images, 1, -1)
    patches = _patches(images, size, strides, dilation, str(padding).lower())
    if data_format == "channels_first":
        patches = shape_ops.moveaxis(patches, -1, 1)
    return shape_ops.squeeze(patches, 0) if unbatched else patches


def extract_patches(images, size, strides=None, dilation_rate=1, padding="valid", data_format=None):
    """Cuts images into (possibly overlapping) patches, each flattened into the channel axis.

    Args:
        images: ``(N, H, W, C)`` or ``(H, W, C)``; with a 3-tuple ``size``,
            volumes ``(N, D, H, W, C)`` (see ``extract_patches_3d``).
        size: an int or ``(PH, PW)``.
        strides: step between patches (``size`` by default: no overlap).
        dilation_rate: step between the pixels of one patch.
        padding: ``"valid"`` or ``"same"``.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
    Returns:
        ``(N, OH, OW, PH * PW * C)``, each patch in (row, column, channel) order.
    """
    if not isinstance(size, int):
        if not isinstance(size, (tuple, list)):
            raise TypeError("Invalid `size` argument. Expected an int or a tuple. "
                            f"Received: size={size} of type {type(size).__name__}")
        if len(size) not in (2, 3):
            raise ValueError("Invalid `size` argument. Expected a tuple of length 2 or 3. "
                             f"Received: size={size} with length {len(size)}")
        if len(size) == 3:
            return extract_patches_3d(images, size, strides, dilation_rate, padding, data_format)
    data_format = standardize_data_format(data_format)
    return _extract(check_images(images), size, strides, dilation_rate, padding, data_format, 2)


def extract_patches_3d(volumes, size, strides=None, dilation_rate=1, padding="valid", data_format=None):
    """``extract_patches`` for volumes ``(N, D, H, W, C)`` or ``(D, H, W, C)``.

    Returns:
        ``(N, OD, OH, OW, PD * PH * PW * C)``.
    """
    data_format = standardize_data_format(data_format)
    volumes = as_tensor(volumes)
    if volumes.ndim not in (4, 5):
        raise ValueError("Invalid volumes rank: expected rank 4 (single volume) or rank 5 (batch of volumes). "
                         f"Received input with shape: volumes.shape={volumes.shape}")
    if not isinstance(size, int) and len(size) != 3:
        raise TypeError(f"Invalid `size` argument. Expected an int or a tuple of length 3. Received: size={size}")
    return _extract(volumes, size, strides, dilation_rate, padding, data_format, 3)
