"""Non-affine geometric augmentations: ``RandomPerspective`` and ``RandomElasticTransform``.

Place in the stack: augmentation layers over ``base.py`` and
``ops.image.perspective_transform`` / ``elastic_transform``. A perspective
warp moves the four corners independently (as if the picture were seen at an
angle); an elastic warp moves every pixel by a smooth random field. Both are
applied to each image with a random probability. Read next: ``policies.py``.
"""

import numpy

from minikeras import ops
from minikeras.layers.augmentation.affine import INTERPOLATIONS
from minikeras.layers.augmentation.base import BaseImageAugmentation
from minikeras.layers.augmentation.base import check_factor


def _check_interpolation(interpolation):
    if interpolation not in INTERPOLATIONS:
        raise NotImplementedError(f"Unknown `interpolation` {interpolation}. Expected of one {INTERPOLATIONS}.")


class RandomPerspective(BaseImageAugmentation):
    """Moves the corners of each image by random fractions of their coordinates, with a random probability.

    Corner ``p`` goes to ``p + p * d``, ``d`` drawn in ``[-scale / 2, scale / 2]``
    per coordinate; the picture follows by a projective map. Outside points
    read ``fill_value``.

    Args:
        factor: the probability range, a number in [0, 1] (``(0, f)``) or a pair; 1.0 by default.
        scale: in [0, 1], how far the corners may move (1.0).
        interpolation: ``"bilinear"`` (default) or ``"nearest"``.
        fill_value: the value outside the warped picture (0.0).
        seed, data_format, **kwargs: see ``BaseImageAugmentation``.
    """

    def __init__(self, factor=1.0, scale=1.0, interpolation="bilinear", fill_value=0.0, seed=None,
                 data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = check_factor(factor, bounds=(0, 1))
        if scale < 0.0 or scale > 1.0:
            raise ValueError(f"The `scale` argument should be a number in the range [0,1]. Received: scale={scale}")
        _check_interpolation(interpolation)
        self.scale, self.interpolation, self.fill_value = scale, interpolation, fill_value

    def get_random_transformation(self, images):
        height_axis, width_axis, _ = self.image_axes()
        batch, height, width = images.shape[0], images.shape[height_axis], images.shape[width_axis]
        flags = self.apply_flags(batch)
        moves = self.uniform((batch, 4, 2), -0.5 * self.scale, 0.5 * self.scale)
        corners = numpy.array([[0.0, 0.0], [width - 1, 0.0], [0.0, height - 1], [width - 1, height - 1]],
                              dtype="float32")
        start = numpy.repeat(corners[None], batch, axis=0)  # (N, 4, 2) as (x, y)
        return {"apply_perspective": flags, "start_points": start, "end_points": start + start * moves}

    def transform_images(self, images, transformation):
        warped = ops.image.perspective_transform(images, transformation["start_points"],
                                                 transformation["end_points"], interpolation=self.interpolation,
                                                 fill_value=self.fill_value, data_format=self.data_format)
        flags = numpy.asarray(transformation["apply_perspective"])[:, None, None, None]
        return ops.where(flags, warped, images)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "scale": self.scale,
                "interpolation": self.interpolation, "fill_value": self.fill_value}


FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")


class RandomElasticTransform(BaseImageAugmentation):
    """Distorts each image by a smooth random displacement field, with a random probability.

    One distortion ``s`` is drawn in ``scale`` per batch; the field has
    strength ``alpha = 0.1 s max(H, W)`` pixels and smoothness
    ``sigma = 0.05 s min(H, W)`` (see ``ops.image.elastic_transform``).

    Args:
        factor: the probability range, a number in [0, 1] (``(0, f)``) or a pair; 1.0 by default.
        scale: the range of ``s``, a number in [0, 1] (``(0, s)``) or a pair.
        interpolation: ``"bilinear"`` (default) or ``"nearest"``.
        fill_mode: ``"reflect"`` (default), ``"constant"``, ``"nearest"``, ``"wrap"`` or ``"mirror"``.
        fill_value: used by ``"constant"``.
        value_range: ``(low, high)`` of the pixels, ``(0, 255)`` by default.
        seed, data_format, **kwargs: see ``BaseImageAugmentation``.
    """

    def __init__(self, factor=1.0, scale=1.0, interpolation="bilinear", fill_mode="reflect", fill_value=0.0,
                 value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = check_factor(factor, bounds=(0, 1))
        self.scale = check_factor(scale, bounds=(0, 1), name="scale")
        _check_interpolation(interpolation)
        if fill_mode not in FILL_MODES:
            raise NotImplementedError(f"Unknown `fill_mode` {fill_mode}. Expected of one {set(FILL_MODES)}.")
        self.interpolation, self.fill_mode, self.fill_value = interpolation, fill_mode, fill_value
        self.value_range = value_range

    def get_random_transformation(self, images):
        if self.scale[1] == 0 or self.factor[1] == 0:
            return None
        flags = self.apply_flags(images.shape[0])
        return {"apply_transform": flags, "distortion_factor": float(self.uniform((), *self.scale))}

    def transform_images(self, images, transformation):
        if transformation is None:
            return images
        height_axis, width_axis, _ = self.image_axes()
        height, width = images.shape[height_axis], images.shape[width_axis]
        distortion = transformation["distortion_factor"]
        warped = ops.image.elastic_transform(images, alpha=max(height, width) * 0.1 * distortion,
                                             sigma=min(height, width) * 0.05 * distortion,
                                             interpolation=self.interpolation, fill_mode=self.fill_mode,
                                             fill_value=self.fill_value, seed=self.generator,
                                             data_format=self.data_format)
        flags = numpy.asarray(transformation["apply_transform"])[:, None, None, None]
        return ops.clip(ops.where(flags, warped, images), self.value_range[0], self.value_range[1])

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "scale": self.scale,
                "interpolation": self.interpolation, "fill_mode": self.fill_mode, "fill_value": self.fill_value,
                "value_range": self.value_range}
