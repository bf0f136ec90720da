"""``minikeras.ops.image``: Keras's ``keras.ops.image`` functions for batches of images.

Place in the stack: the public namespace above ``minikeras.autodiff``; the
``Resizing``, ``CenterCrop``, ``UpSampling2D`` and the augmentation layers
call these. Resizing is written here; the other families have a file each:
``image_sampling.py`` (``affine_transform``, ``map_coordinates``...),
``image_color.py``, ``image_layout.py`` (crops, pads, patches) and
``image_filters.py`` (``gaussian_blur``, ``sobel_edges``). Images
are ``(N, H, W, C)`` batches or single ``(H, W, C)`` images (channels first:
``(N, C, H, W)`` / ``(C, H, W)``).

Every resize here is *linear in the pixels and separable*: resizing the
height is multiplying each column by an ``(OH, H)`` matrix, then the width
by an ``(OW, W)`` matrix. The matrices come from one recipe, the one of
``jax.image.resize`` that Keras's JAX backend uses:

* output pixel ``o`` is centred at input coordinate ``(o + 0.5) * H / OH - 0.5``;
* its weights over the input pixels are a kernel of the distance (a
  triangle for bilinear, Keys' cubic with ``a = -0.5`` for bicubic, a
  windowed sinc for Lanczos), normalised to sum to one;
* with ``antialias=True`` and downsampling, the kernel is stretched by the
  scale factor, so it averages every input pixel instead of skipping some.

The op is ``along_axis`` (``minikeras/autodiff/resample.py``): its gradient is
the transposed matrix. ``nearest`` picks pixel ``floor((o + 0.5) * H / OH)``,
a gather with the same gradient rule.
"""

import numpy

from minikeras import backend
from minikeras.autodiff import combine
from minikeras.autodiff import shape as shape_ops
from minikeras.autodiff.elementwise import cast
from minikeras.autodiff.resample import along_axis
from minikeras.autodiff.tensor import as_tensor
from minikeras.ops import image_color
from minikeras.ops import image_filters
from minikeras.ops import image_layout
from minikeras.ops import image_sampling
from minikeras.ops.symbolic import functional_aware

RESIZE_INTERPOLATIONS = ("bilinear", "nearest", "lanczos3", "lanczos5", "bicubic")


def _triangle(x):
    return numpy.maximum(0.0, 1.0 - x)


def _keys_cubic(x):
    """Keys (1981) cubic convolution with a = -0.5 (TensorFlow's, Pillow's and JAX's bicubic)."""
    inner = ((1.5 * x - 2.5) * x) * x + 1.0
    outer = ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0
    return numpy.where(x >= 2.0, 0.0, numpy.where(x >= 1.0, outer, inner))


def _lanczos(radius):
    def kernel(x):
        safe = numpy.where(x > 1e-3, x, 1.0)  # sin(pi x) / (pi x) -> 1 at 0
        value = radius * numpy.sin(numpy.pi * safe) * numpy.sin(numpy.pi * safe / radius) / (numpy.pi * safe) ** 2
        return numpy.where(x > radius, 0.0, numpy.where(x > 1e-3, value, 1.0))
    return kernel


KERNELS = {"bilinear": _triangle, "bicubic": _keys_cubic, "lanczos3": _lanczos(3.0), "lanczos5": _lanczos(5.0)}


def resize_matrix(input_size, output_size, interpolation, antialias=False, scale=None, translation=0.0):
    """The ``(output_size, input_size)`` matrix of a 1-D resize.

    Args:
        input_size, output_size: lengths of the axis before and after.
        interpolation: one of ``RESIZE_INTERPOLATIONS``.
        antialias: stretch the kernel when downsampling.
        scale, translation: output coordinate = input coordinate * scale +
            translation (``scale_and_translate``); by default
            ``output_size / input_size`` and 0, a plain resize.
    Returns:
        A float64 NumPy array; each row holds one output pixel's weights.
    """
    if interpolation == "nearest":
        # float32, as JAX computes it, so halfway cases round the same way
        source = numpy.floor(((numpy.arange(output_size) + 0.5) * input_size / output_size).astype("float32"))
        return (source.astype(int)[:, None] == numpy.arange(input_size)[None, :]).astype("float64")
    scale = output_size / input_size if scale is None else float(scale)
    kernel_scale = max(1.0 / scale, 1.0) if antialias else 1.0
    centres = (numpy.arange(output_size) + 0.5 - translation) / scale - 0.5  # input coordinate of each output pixel
    distance = numpy.abs(centres[:, None] - numpy.arange(input_size)[None, :]) / kernel_scale  # (O, L)
    weights = KERNELS[interpolation](distance)
    total = weights.sum(axis=1, keepdims=True)
    weights = numpy.where(numpy.abs(total) > 1000 * numpy.finfo("float32").eps,
                          weights / numpy.where(total != 0, total, 1), 0.0)
    inside = (centres >= -0.5) & (centres <= input_size - 0.5)
    return weights * inside[:, None]


def _spatial_axes(images, data_format, function_name):
    """(height axis, width axis) of a rank 3 or 4 image tensor."""
    if images.ndim not in (3, 4):
        raise ValueError(f"`{function_name}`: invalid images rank: expected rank 3 (single image) or rank 4 "
                         f"(batch of images). Received input with shape: images.shape={images.shape}")
    first = images.ndim - 3 if data_format == "channels_last" else images.ndim - 2
    return first, first + 1


def _crop_box(height, width, target_height, target_width):
    """Keras's centred crop with the target's aspect ratio: (top, left, crop height, crop width)."""
    crop_height = max(min(height, int(float(width * target_height) / target_width)), 1)
    crop_width = max(min(width, int(float(height * target_width) / target_height)), 1)
    return int(float(height - crop_height) / 2), int(float(width - crop_width) / 2), crop_height, crop_width


def _pad_to_aspect_ratio(images, axes, target_height, target_width, fill_value):
    """Pads equally on both sides of the height or the width to the target's aspect ratio."""
    height, width = images.shape[axes[0]], images.shape[axes[1]]
    pad_height = max(height, int(float(width * target_height) / target_width))
    pad_width = max(width, int(float(height * target_width) / target_height))
    top, left = int(float(pad_height - height) / 2), int(float(pad_width - width) / 2)
    pads = [(0, 0)] * images.ndim
    if top > 0:
        pads[axes[0]] = (top, top)
    elif left > 0:
        pads[axes[1]] = (left, left)
    else:
        return images
    return combine.pad(images, pads, constant_values=fill_value)


def resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
            pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format=None):
    """Resizes images to ``size = (OH, OW)``.

    Args:
        images: ``(N, H, W, C)`` or ``(H, W, C)`` (channels first: ``(N, C, H, W)``).
        size: ``(OH, OW)``.
        interpolation: ``"bilinear"`` (default), ``"nearest"``, ``"bicubic"``,
            ``"lanczos3"`` or ``"lanczos5"``.
        antialias: low-pass filter when downsampling (not for ``"nearest"``).
        crop_to_aspect_ratio: first crop the centre to the aspect ratio of ``size``.
        pad_to_aspect_ratio: first pad (with ``fill_value``) to that aspect ratio.
        fill_mode: only ``"constant"``.
        fill_value: the padding value.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
    Returns:
        ``(N, OH, OW, C)``; float images keep their dtype, integer images
        become float32 unless the interpolation is ``"nearest"``.
    """
    # 1. Check the arguments as Keras does.
    data_format = backend.image_data_format() if data_format is None else data_format
    if interpolation not in RESIZE_INTERPOLATIONS:
        raise ValueError(f"Invalid value for argument `interpolation`. Expected of one {RESIZE_INTERPOLATIONS}. "
                         f"Received: interpolation={interpolation}")
    if fill_mode != "constant":
        raise ValueError("Invalid value for argument `fill_mode`. Only `'constant'` is supported. "
                         f"Received: fill_mode={fill_mode}")
    if pad_to_aspect_ratio and crop_to_aspect_ratio:
        raise ValueError("Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be `True`.")
    if len(size) != 2 or size[0] <= 0 or size[1] <= 0:
        raise ValueError(f"Expected `size` to be a tuple of 2 positive integers. Received: size={size}")
    images = as_tensor(images)
    axes = _spatial_axes(images, data_format, "resize")
    target_height, target_width = int(size[0]), int(size[1])
    # 2. Optional centre crop or padding to the target's aspect ratio.
    if crop_to_aspect_ratio:
        top, left, crop_height, crop_width = _crop_box(images.shape[axes[0]], images.shape[axes[1]],
                                                       target_height, target_width)
        index = [slice(None)] * images.ndim
        index[axes[0]], index[axes[1]] = slice(top, top + crop_height), slice(left, left + crop_width)
        images = shape_ops.get_item(images, tuple(index))
    elif pad_to_aspect_ratio:
        images = _pad_to_aspect_ratio(images, axes, target_height, target_width, fill_value)
    # 3. One matrix per axis; nearest keeps integer dtypes, the others compute in float.
    if interpolation != "nearest" and not backend.is_float_dtype(images.dtype):
        images = cast(images, "float32")
    for axis, target in zip(axes, (target_height, target_width)):
        if images.shape[axis] != target:  # an equal size is the identity, as in JAX
            matrix = resize_matrix(images.shape[axis], target, interpolation, antialias)
            if interpolation == "nearest":
                images = combine.take(images, matrix.argmax(axis=1), axis=axis)
            else:
                images = along_axis(images, matrix, axis)
    return images


resize = functional_aware(resize)  # records a graph node when given KerasTensors

# jax.image.scale_and_translate's method names -> the resize kernels.
SCALE_AND_TRANSLATE_METHODS = {"linear": "bilinear", "bilinear": "bilinear", "trilinear": "bilinear",
                               "cubic": "bicubic", "bicubic": "bicubic", "tricubic": "bicubic",
                               "lanczos3": "lanczos3", "lanczos5": "lanczos5"}


def scale_and_translate(images, output_shape, scale, translation, spatial_dims, method, antialias=True):
    """Resamples ``spatial_dims`` so that input coordinate ``x`` lands at ``x * scale + translation``.

    The general form of ``resize`` (which is ``scale = out / in``,
    ``translation = 0``): one matrix per axis from the same kernels.

    Args:
        images: any shape.
        output_shape: the full output shape.
        scale, translation: one value per axis of ``spatial_dims``.
        spatial_dims: the axes to resample.
        method: ``"linear"``, ``"cubic"``, ``"lanczos3"``, ``"lanczos5"`` (or their
            ``bi``/``tri`` names).
        antialias: stretch the kernel when downsampling (True).
    """
    if method not in SCALE_AND_TRANSLATE_METHODS:
        raise ValueError(f"Invalid value for argument `method`. Expected of one "
                         f"{set(SCALE_AND_TRANSLATE_METHODS)}. Received: method={method}")
    images = as_tensor(images)
    if not backend.is_float_dtype(images.dtype):
        images = cast(images, "float32")
    scale = numpy.asarray(getattr(scale, "data", scale), dtype="float64").reshape(-1)
    translation = numpy.asarray(getattr(translation, "data", translation), dtype="float64").reshape(-1)
    for index, axis in enumerate(spatial_dims):
        matrix = resize_matrix(images.shape[axis], output_shape[axis], SCALE_AND_TRANSLATE_METHODS[method],
                               antialias, scale=scale[index], translation=translation[index])
        images = along_axis(images, matrix, axis)
    return images


scale_and_translate = functional_aware(scale_and_translate)

# The other functions live in one file per family; each records a graph node when given KerasTensors.
affine_transform = functional_aware(image_sampling.affine_transform)
map_coordinates = functional_aware(image_sampling.map_coordinates)
perspective_transform = functional_aware(image_sampling.perspective_transform)
elastic_transform = functional_aware(image_sampling.elastic_transform)
rgb_to_grayscale = functional_aware(image_color.rgb_to_grayscale)
rgb_to_hsv = functional_aware(image_color.rgb_to_hsv)
hsv_to_rgb = functional_aware(image_color.hsv_to_rgb)
crop_images = functional_aware(image_layout.crop_images)
pad_images = functional_aware(image_layout.pad_images)
extract_patches = functional_aware(image_layout.extract_patches)
extract_patches_3d = functional_aware(image_layout.extract_patches_3d)
gaussian_blur = functional_aware(image_filters.gaussian_blur)
sobel_edges = functional_aware(image_filters.sobel_edges)
ssim = functional_aware(image_filters.ssim)

