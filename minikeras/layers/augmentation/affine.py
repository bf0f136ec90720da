"""Random affine maps: ``RandomRotation``, ``RandomZoom``, ``RandomTranslation``, ``RandomShear``.

Place in the stack: augmentation layers over ``base.py`` and
``ops.image.affine_transform``. Each layer only draws numbers and writes
them as the 8 coefficients ``[a0, a1, a2, b0, b1, b2, 0, 0]`` of the map
from an output pixel ``(x, y)`` to the input point
``(a0 x + a1 y + a2, b0 x + b1 y + b2)``; ``affine_transform`` then reads
the input there (``interpolation``) and fills what falls outside
(``fill_mode``, ``fill_value``).

* rotation by ``theta`` about the centre ``(cx, cy) = ((W - 1) / 2, (H - 1) / 2)``:
  ``[cos, -sin, cx - cx cos + cy sin, sin, cos, cy - cx sin - cy cos]``;
* zoom by ``(zx, zy)`` about the centre: ``[zx, 0, cx (1 - zx), 0, zy, cy (1 - zy)]``
  (``z > 1`` reads a larger area: the picture shrinks);
* translation by ``(tx, ty)`` pixels: ``[1, 0, -tx, 0, 1, -ty]``;
* shear: ``[1, sx, 0, sy, 1, 0]``.

The coefficients are float32 as in Keras, so fixed factors give Keras's
images to float32 rounding. Read next: ``color.py``.
"""

import numpy

from minikeras import ops
from minikeras.layers.augmentation.base import BaseImageAugmentation
from minikeras.layers.augmentation.base import check_axis_factor
from minikeras.layers.augmentation.base import check_factor

FILL_MODES = ("reflect", "wrap", "constant", "nearest")
INTERPOLATIONS = ("nearest", "bilinear")


def check_fill_and_interpolation(fill_mode, interpolation):
    """Keras's affine layers accept four fill modes (not ``mirror``) and two interpolations."""
    if fill_mode not in FILL_MODES:
        raise NotImplementedError(f"Unknown `fill_mode` {fill_mode}. Expected of one {FILL_MODES}.")
    if interpolation not in INTERPOLATIONS:
        raise NotImplementedError(f"Unknown `interpolation` {interpolation}. Expected of one {INTERPOLATIONS}.")


def rotation_matrix(degrees, height, width):
    """``(N, 8)`` coefficients rotating each image by ``degrees[n]`` about its centre (float32)."""
    theta = degrees.astype("float32") * numpy.float32(numpy.pi / 180.0)
    cos, sin = numpy.cos(theta), numpy.sin(theta)
    cx, cy = numpy.float32(0.5 * (width - 1)), numpy.float32(0.5 * (height - 1))
    zeros = numpy.zeros_like(theta)
    a2 = cx - cx * cos - cy * -sin
    b2 = cy - cx * sin - cy * cos
    return numpy.stack([cos, -sin, a2, sin, cos, b2, zeros, zeros], axis=1)


class _AffineAugmentation(BaseImageAugmentation):
    """The arguments and the last step shared by the four layers: ``affine_transform`` with the
    layer's fill and interpolation. Subclasses write ``matrix(transformation, height, width)``."""

    def __init__(self, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0,
                 data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        check_fill_and_interpolation(fill_mode, interpolation)
        self.fill_mode, self.interpolation, self.fill_value = fill_mode, interpolation, fill_value

    def transform_images(self, images, transformation):
        height_axis, width_axis, _ = self.image_axes()
        matrix = self.matrix(transformation, images.shape[height_axis], images.shape[width_axis])
        return ops.image.affine_transform(images, matrix, interpolation=self.interpolation,
                                          fill_mode=self.fill_mode, fill_value=self.fill_value,
                                          data_format=self.data_format)

    def get_config(self):
        return {**super().get_config(), "fill_mode": self.fill_mode, "fill_value": self.fill_value,
                "interpolation": self.interpolation}


class RandomRotation(_AffineAugmentation):
    """Rotates each image by a random angle during training.

    Args:
        factor: a fraction of a full turn: ``0.1`` draws angles in
            [-36, 36] degrees; ``(a, b)`` in [a * 360, b * 360]. Positive
            angles turn the picture counter-clockwise.
        fill_mode: ``"reflect"`` (default), ``"wrap"``, ``"constant"`` or ``"nearest"``.
        interpolation: ``"bilinear"`` (default) or ``"nearest"``.
        seed, fill_value, data_format, **kwargs: see ``BaseImageAugmentation``.
    """

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0,
                 data_format=None, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.factor = check_factor(factor)

    def get_random_transformation(self, images):
        return {"angle": self.uniform((images.shape[0],), self.factor[0] * 360.0, self.factor[1] * 360.0)}

    def matrix(self, transformation, height, width):
        return rotation_matrix(numpy.asarray(transformation["angle"]), height, width)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class RandomZoom(_AffineAugmentation):
    """Zooms each image in or out by a random amount during training.

    Args:
        height_factor: ``0.2`` draws vertical zooms in [-20%, +20%];
            ``(a, b)`` in [a, b], each in (-1, 1]. A positive value zooms
            *out* (the picture gets smaller), a negative one zooms in.
        width_factor: the same for the width; None (default) zooms both
            axes by the same amount, keeping the aspect ratio.
        fill_mode, interpolation, seed, fill_value, data_format, **kwargs: as ``RandomRotation``.
    """

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect", interpolation="bilinear",
                 seed=None, fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self.height_range = check_axis_factor(height_factor, "height_factor", open_below=True)
        self.width_range = None if width_factor is None else check_axis_factor(width_factor, "width_factor",
                                                                               open_below=True)

    def get_random_transformation(self, images):
        shape = (images.shape[0], 1)
        height_zoom = self.uniform(shape, 1.0 + self.height_range[0], 1.0 + self.height_range[1])
        if self.width_range is None:
            return {"height_zoom": height_zoom, "width_zoom": height_zoom}
        return {"height_zoom": height_zoom,
                "width_zoom": self.uniform(shape, 1.0 + self.width_range[0], 1.0 + self.width_range[1])}

    def matrix(self, transformation, height, width):
        zoom_x = numpy.asarray(transformation["width_zoom"], dtype="float32")[:, 0]  # (N,)
        zoom_y = numpy.asarray(transformation["height_zoom"], dtype="float32")[:, 0]
        zeros = numpy.zeros_like(zoom_x)
        offset_x = (numpy.float32(width) - 1) / 2 * (1 - zoom_x)
        offset_y = (numpy.float32(height) - 1) / 2 * (1 - zoom_y)
        return numpy.stack([zoom_x, zeros, offset_x, zeros, zoom_y, offset_y, zeros, zeros], axis=1)

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor, "width_factor": self.width_factor}


class RandomTranslation(_AffineAugmentation):
    """Shifts each image by a random fraction of its size during training.

    Args:
        height_factor: ``0.2`` shifts up or down by up to 20% of the height;
            ``(a, b)`` by a fraction in [a, b] (negative: up), each in [-1, 1].
        width_factor: the same for left (negative) and right shifts.
        fill_mode, interpolation, seed, fill_value, data_format, **kwargs: as ``RandomRotation``.
    """

    def __init__(self, height_factor, width_factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self.height_range = check_axis_factor(height_factor, "height_factor")
        self.width_range = check_axis_factor(width_factor, "width_factor")

    def get_random_transformation(self, images):
        height_axis, width_axis, _ = self.image_axes()
        shape = (images.shape[0], 1)
        shift_y = self.uniform(shape, *self.height_range) * images.shape[height_axis]
        shift_x = self.uniform(shape, *self.width_range) * images.shape[width_axis]
        return {"translations": numpy.concatenate([shift_x, shift_y], axis=1).astype("float32")}  # (N, 2) pixels

    def matrix(self, transformation, height, width):
        shift = numpy.asarray(transformation["translations"], dtype="float32")
        ones, zeros = numpy.ones(len(shift), "float32"), numpy.zeros(len(shift), "float32")
        return numpy.stack([ones, zeros, -shift[:, 0], zeros, ones, -shift[:, 1], zeros, zeros], axis=1)

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor, "width_factor": self.width_factor}


def _shear_range(factor, name):
    """A shear factor in [0, 1] -> ``(-f, f)``; a pair ``(a, b)`` in [0, 1] is kept.

    ``get_config`` stores the parsed pair, which is ``(-f, f)`` for a number.
    Keras 3.15.1 then refuses its own config (``-f < 0``); minikeras reads
    such a symmetric pair back as the number ``f``, so configs round-trip.
    """
    if isinstance(factor, (tuple, list)) and len(factor) == 2 and factor[0] == -factor[1]:
        factor = abs(factor[1])
    message = "The `factor` argument should be a number (or a list of two numbers) in the range [0, 1.0]. "
    return check_axis_factor(factor, name, low=0.0, message=message)


class RandomShear(_AffineAugmentation):
    """Shears each image by a random amount along x and/or y during training.

    Args:
        x_factor: ``0.3`` draws horizontal shear factors in [0, 0.3] with a
            random sign; ``(a, b)`` in [a, b], each in [0, 1].
        y_factor: the same for vertical shear.
        interpolation, fill_mode, fill_value, data_format, seed, **kwargs: as ``RandomRotation``.
    """

    def __init__(self, x_factor=0.0, y_factor=0.0, interpolation="bilinear", fill_mode="reflect", fill_value=0.0,
                 data_format=None, seed=None, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.x_factor = _shear_range(x_factor, "x_factor")
        self.y_factor = _shear_range(y_factor, "y_factor")

    def get_random_transformation(self, images):
        shape = (images.shape[0], 1)
        sign = numpy.where(self.uniform(shape, 0.0, 1.0) > 0.5, -1.0, 1.0).astype("float32")
        shear_y = self.uniform(shape, *self.y_factor)
        shear_x = self.uniform(shape, *self.x_factor)
        return {"shear_factor": numpy.concatenate([shear_x, shear_y], axis=1) * sign}  # (N, 2)

    def matrix(self, transformation, height, width):
        shear = numpy.asarray(transformation["shear_factor"], dtype="float32")
        ones, zeros = numpy.ones(len(shear), "float32"), numpy.zeros(len(shear), "float32")
        return numpy.stack([ones, shear[:, 0], zeros, shear[:, 1], ones, zeros, zeros, zeros], axis=1)

    def get_config(self):
        return {**super().get_config(), "x_factor": self.x_factor, "y_factor": self.y_factor}
