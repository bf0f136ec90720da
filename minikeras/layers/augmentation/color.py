"""Random changes of brightness and contrast: ``RandomBrightness`` and ``RandomContrast``.

Place in the stack: augmentation layers over ``base.py``. They change what
each pixel holds, never where it is: brightness adds the same amount to every
pixel, contrast scales each pixel's distance from the image's mean. Both need
to know what "black" and "white" are (``value_range``): ``(0, 255)`` by
default, ``(0, 1)`` for rescaled images; results are clipped to that range.
Read next: ``colour_space.py``.
"""

import numpy

from minikeras import ops
from minikeras.layers.augmentation.base import BaseImageAugmentation
from minikeras.layers.augmentation.base import check_factor
from minikeras.layers.augmentation.base import check_value_range


class RandomContrast(BaseImageAugmentation):
    """Scales each image's deviation from its mean by a random factor during training.

    ``output = (x - mean) * c + mean`` per image and channel (the mean over
    height and width), clipped to ``value_range``; ``c`` is drawn in
    ``[1 - lower, 1 + upper]``. As in Keras, a single number ``f`` gives
    ``(lower, upper) = (0, f)``: the contrast then only increases.

    Args:
        factor: a number in [0, 1] or a pair ``(lower, upper)``.
        value_range: ``(low, high)`` of the pixels, ``(0, 255)`` by default.
        seed: int or None.
        **kwargs: ``data_format`` and ``Layer`` arguments.
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.factor = check_factor(factor, bounds=(0, 1))
        self.value_range = value_range

    def get_random_transformation(self, images):
        shape = (images.shape[0], 1, 1, 1)
        return {"contrast_factor": self.uniform(shape, 1.0 - self.factor[0], 1.0 + self.factor[1])}

    def transform_images(self, images, transformation):
        height_axis, width_axis, _ = self.image_axes()
        mean = ops.mean(images, axis=(height_axis, width_axis), keepdims=True)  # (N, 1, 1, C)
        factor = numpy.asarray(transformation["contrast_factor"], dtype=images.dtype)
        outputs = ops.add(ops.multiply(ops.subtract(images, mean), factor), mean)
        return ops.clip(outputs, self.value_range[0], self.value_range[1])

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}


class RandomBrightness(BaseImageAugmentation):
    """Adds a random offset to each image during training.

    ``output = clip(x + delta, *value_range)`` with ``delta`` drawn in
    ``[lower, upper] * (high - low)``: ``factor=0.2`` shifts by up to 20% of
    the value range, darker or brighter.

    Args:
        factor: a number in [-1, 1] or a pair ``(lower, upper)``.
        value_range: ``(low, high)`` of the pixels, ``(0, 255)`` by default.
        seed: int or None.
        **kwargs: ``data_format`` and ``Layer`` arguments.
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.factor = check_factor(factor)
        self.value_range = check_value_range(value_range, "RandomBrightness")

    def get_random_transformation(self, images):
        delta = self.uniform((images.shape[0], 1, 1, 1), self.factor[0], self.factor[1])
        return {"rgb_delta": delta * (self.value_range[1] - self.value_range[0])}

    def transform_images(self, images, transformation):
        delta = numpy.asarray(transformation["rgb_delta"], dtype=images.dtype)
        return ops.clip(ops.add(images, delta), self.value_range[0], self.value_range[1])

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}
