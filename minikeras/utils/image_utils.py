"""Pictures in and out: ``load_img``, ``img_to_array``, ``array_to_img``, ``save_img``, ``smart_resize``.

Place in the stack: the top (``keras.utils`` and ``keras.preprocessing.image``).
Files are decoded and encoded by Pillow (``PIL``), the library Keras uses
too; pixels then live in NumPy arrays of shape (H, W, C), channels last
unless ``image_data_format()`` (or ``data_format``) says channels first.
``smart_resize`` resizes with ``ops.image.resize`` (imported when called:
``ops`` is above ``utils``). Read ``image_dataset.py`` next: it loads whole
folders of pictures batch by batch with these functions.

A PIL image has a *mode*: ``"L"`` (one 8-bit gray channel), ``"RGB"``,
``"RGBA"``, ``"I"`` (one 32-bit integer channel)... ``color_mode`` converts
to one of the first three.
"""

import io
import pathlib
import warnings

import numpy as np

from minikeras.backend.config import floatx
from minikeras.backend.config import image_data_format

try:
    from PIL import Image as pil_image
except ImportError:  # Pillow is a dependency of minikeras, but a broken install should still say so clearly
    pil_image = None

# Keras's interpolation names for load_img, to Pillow's resampling filters.
PIL_INTERPOLATION_METHODS = {} if pil_image is None else {
    "nearest": pil_image.Resampling.NEAREST,
    "bilinear": pil_image.Resampling.BILINEAR,
    "bicubic": pil_image.Resampling.BICUBIC,
    "hamming": pil_image.Resampling.HAMMING,
    "box": pil_image.Resampling.BOX,
    "lanczos": pil_image.Resampling.LANCZOS,
}
COLOR_MODES = {"grayscale": "L", "rgb": "RGB", "rgba": "RGBA"}


def _require_pil(function_name):
    if pil_image is None:
        raise ImportError(f"Could not import PIL.Image. The use of `{function_name}` requires PIL "
                          "(pip install Pillow).")


def _data_format(data_format):
    data_format = image_data_format() if data_format is None else str(data_format).lower()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError("The `data_format` argument must be one of {'channels_first', 'channels_last'}. "
                         f"Received: data_format={data_format}")
    return data_format


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """Turns an array of shape (H, W, C) (or (C, H, W)) into a PIL image.

    Args:
        x: array-like of rank 3 with 1, 3 or 4 channels.
        data_format: ``"channels_last"`` or ``"channels_first"``; None: ``image_data_format()``.
        scale: stretch the values linearly so that they span 0..255.
        dtype: dtype of the intermediate array; None: ``floatx()``.

    Returns:
        A PIL image of mode ``"L"`` (``"I"`` when one channel exceeds 255), ``"RGB"`` or ``"RGBA"``.
    """
    data_format = _data_format(data_format)
    _require_pil("array_to_img")
    x = np.asarray(x, dtype=dtype or floatx())
    if x.ndim != 3:
        raise ValueError(f"Expected image array to have rank 3 (single image). Got array with shape: {x.shape}")
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)  # (C, H, W) -> (H, W, C)
    if scale:
        x = x - np.min(x)
        if np.max(x) != 0:
            x /= np.max(x)
        x *= 255
    channels = x.shape[2]
    if channels in (3, 4):
        return pil_image.fromarray(x.astype("uint8"), "RGB" if channels == 3 else "RGBA")
    if channels == 1:
        if np.max(x) > 255:  # keep 16/32-bit gray values instead of wrapping them around
            return pil_image.fromarray(x[:, :, 0].astype("int32"), "I")
        return pil_image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(f"Unsupported channel number: {channels}")


def img_to_array(img, data_format=None, dtype=None):
    """Turns a PIL image (or anything array-like) into an array of rank 3.

    Args:
        img: a PIL image, or an array of shape (H, W) or (H, W, C).
        data_format: ``"channels_last"`` or ``"channels_first"``; None: ``image_data_format()``.
        dtype: None: ``floatx()``.

    Returns:
        Array of shape (H, W, C) (channels first: (C, H, W)); a gray image gets C = 1.
    """
    data_format = _data_format(data_format)
    x = np.asarray(img, dtype=dtype or floatx())
    if x.ndim == 3:
        return x.transpose(2, 0, 1) if data_format == "channels_first" else x  # (H, W, C) -> (C, H, W)
    if x.ndim == 2:
        return x[None] if data_format == "channels_first" else x[:, :, None]  # (H, W) -> (1, H, W) / (H, W, 1)
    raise ValueError(f"Unsupported image shape: {x.shape}")


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Writes an array of shape (H, W, C) as a picture file.

    Args:
        path: file path or file object.
        x: array of rank 3 (see ``array_to_img``).
        data_format: ``"channels_last"`` or ``"channels_first"``; None: ``image_data_format()``.
        file_format: ``"png"``, ``"jpeg"``...; None: from the path's extension
            (required for a file object).
        scale: stretch the values to 0..255 first.
        **kwargs: passed to ``PIL.Image.save`` (``quality=95``...).
    """
    data_format = _data_format(data_format)
    if file_format is None and isinstance(path, (str, pathlib.Path)):
        file_format = pathlib.Path(path).suffix[1:].lower()
    if file_format and file_format.lower() == "jpg":
        file_format = "jpeg"
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and file_format == "jpeg":
        warnings.warn("The JPEG format does not support RGBA images, converting to RGB.", stacklevel=2)
        img = img.convert("RGB")
    img.save(path, format=file_format, **kwargs)


def load_img(path, color_mode="rgb", target_size=None, interpolation="nearest", keep_aspect_ratio=False):
    """Reads a picture file into a PIL image.

    Args:
        path: file path (str, bytes, ``pathlib.Path``) or ``io.BytesIO``.
        color_mode: ``"rgb"``, ``"rgba"`` or ``"grayscale"`` (16/32-bit gray stays as it is).
        target_size: None (keep the size) or ``(height, width)``.
        interpolation: Pillow filter for the resize: ``"nearest"``, ``"bilinear"``,
            ``"bicubic"``, ``"hamming"``, ``"box"`` or ``"lanczos"``.
        keep_aspect_ratio: crop the centre to the target's aspect ratio before resizing.

    Returns:
        A PIL image (``img_to_array`` turns it into an array).
    """
    _require_pil("load_img")
    if isinstance(path, io.BytesIO):
        img = pil_image.open(path)
    elif isinstance(path, (pathlib.Path, bytes, str)):
        with open(path, "rb") as file:  # read it all, so no file handle stays open behind the image
            img = pil_image.open(io.BytesIO(file.read()))
    else:
        raise TypeError(f"path should be path-like or io.BytesIO, not {type(path)}")
    if color_mode not in COLOR_MODES:
        raise ValueError('color_mode must be "grayscale", "rgb", or "rgba"')
    if color_mode == "grayscale" and img.mode in ("L", "I;16", "I"):
        pass
    elif img.mode != COLOR_MODES[color_mode]:
        img = img.convert(COLOR_MODES[color_mode])
    if target_size is None:
        return img
    width_height = (target_size[1], target_size[0])  # PIL speaks (width, height)
    if img.size == width_height:
        return img
    if interpolation not in PIL_INTERPOLATION_METHODS:
        raise ValueError(f"Invalid interpolation method {interpolation} specified. Supported methods are "
                         f"{', '.join(PIL_INTERPOLATION_METHODS)}")
    resample = PIL_INTERPOLATION_METHODS[interpolation]
    if not keep_aspect_ratio:
        return img.resize(width_height, resample)
    return img.resize(width_height, resample, box=_centre_crop_box(img.size, width_height))


def _centre_crop_box(size, target):
    """The largest centred (left, top, right, bottom) box of ``size`` with ``target``'s aspect ratio."""
    (width, height), (target_width, target_height) = size, target
    crop_height = min(height, width * target_height // target_width)
    crop_width = min(width, height * target_width // target_height)
    top, left = (height - crop_height) // 2, (width - crop_width) // 2
    return [left, top, left + crop_width, top + crop_height]


def smart_resize(x, size, interpolation="bilinear", data_format="channels_last", **kwargs):
    """Resizes images to ``size`` without distorting them: centre crop to the aspect ratio, then resize.

    Args:
        x: one image (H, W, C) or a batch (N, H, W, C) (channels first: (C, H, W) / (N, C, H, W)).
        size: ``(OH, OW)``.
        interpolation: ``"bilinear"``, ``"nearest"``, ``"bicubic"``, ``"lanczos3"`` or ``"lanczos5"``.
        data_format: ``"channels_last"`` or ``"channels_first"``.

    Returns:
        Images of shape (OH, OW, C) or (N, OH, OW, C): a NumPy array for a
        NumPy input, else a minikeras Tensor.
    """
    from minikeras import ops  # ops is above utils in the stack

    if kwargs:
        raise TypeError(f"smart_resize() got unexpected keyword arguments: {list(kwargs.keys())}")
    if len(size) != 2:
        raise ValueError(f"Expected `size` to be a tuple of 2 integers, but got: {size}.")
    rank = len(np.shape(x))
    if rank not in (3, 4):
        raise ValueError("Expected an image array with shape `(height, width, channels)`, or "
                         "`(batch_size, height, width, channels)`, but got input with incorrect rank, "
                         f"of shape {tuple(np.shape(x))}.")
    images = ops.image.resize(x, size, interpolation=interpolation, crop_to_aspect_ratio=True,
                              data_format=data_format)
    return ops.convert_to_numpy(images) if isinstance(x, np.ndarray) else images
