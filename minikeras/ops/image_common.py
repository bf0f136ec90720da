"""Checks and axis bookkeeping shared by the ``minikeras.ops.image`` files.

Place in the stack: under ``image.py`` (the public ``keras.ops.image``
namespace) and its parts ``image_sampling.py``, ``image_color.py``,
``image_layout.py`` and ``image_filters.py``. Images are ``(N, H, W, C)``
batches or single ``(H, W, C)`` images; with ``data_format="channels_first"``
they are ``(N, C, H, W)`` / ``(C, H, W)``. Read next: ``image_sampling.py``.
"""

from minikeras.autodiff import shape as shape_ops
from minikeras.autodiff.tensor import as_tensor
from minikeras.utils.argument_validation import check_data_format


def standardize_data_format(data_format):
    """``None`` -> the configured default (``"channels_last"``); anything else is checked."""
    return check_data_format(data_format, "keras.ops.image")


def check_images(images, ranks=(3, 4)):
    """``images`` as a Tensor, after Keras's rank check.

    Args:
        images: an array or Tensor.
        ranks: the accepted ranks (3: one image, 4: a batch).
    """
    images = as_tensor(images)
    if images.ndim not in ranks:
        raise ValueError("Invalid images rank: expected rank 3 (single image) or rank 4 (batch of images). "
                         f"Received input with shape: images.shape={images.shape}")
    return images


def channels_axis(data_format):
    """The channel axis counted from the end: -1 (channels last) or -3 (channels first)."""
    return -1 if data_format == "channels_last" else -3


def height_width_axes(data_format):
    """(height axis, width axis), counted from the end."""
    return (-3, -2) if data_format == "channels_last" else (-2, -1)


def as_channels_last_batch(images, data_format):
    """Any image layout -> ``(N, H, W, C)``, plus what ``restore_layout`` needs to undo it."""
    unbatched = images.ndim == 3
    if unbatched:
        images = shape_ops.expand_dims(images, 0)  # (H, W, C) -> (1, H, W, C)
    if data_format == "channels_first":
        images = shape_ops.transpose(images, (0, 2, 3, 1))  # (N, C, H, W) -> (N, H, W, C)
    return images, (unbatched, data_format)


def restore_layout(images, layout):
    """Undoes ``as_channels_last_batch`` on an ``(N, H, W, C)`` result."""
    unbatched, data_format = layout
    if data_format == "channels_first":
        images = shape_ops.transpose(images, (0, 3, 1, 2))  # (N, H, W, C) -> (N, C, H, W)
    if unbatched:
        images = shape_ops.squeeze(images, 0)
    return images
