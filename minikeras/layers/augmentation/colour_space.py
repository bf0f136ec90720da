"""Augmentations through another colour space: ``RandomGrayscale``,
``RandomColorDegeneration``, ``RandomHue``, ``RandomSaturation`` and
``RandomColorJitter``.

Place in the stack: augmentation layers over ``base.py`` and
``ops.image.rgb_to_grayscale`` / ``rgb_to_hsv`` / ``hsv_to_rgb``. Hue and
saturation are easy to change in HSV (a shift of the hue channel, a scale
of the saturation channel) and hard in RGB, so these layers go to HSV and
back. Images have 3 channels (RGB). Read next: ``tone.py``.
"""

import numpy

from minikeras import backend
from minikeras import ops
from minikeras.layers.augmentation.base import BaseImageAugmentation
from minikeras.layers.augmentation.base import check_factor
from minikeras.layers.augmentation.base import check_value_range
from minikeras.layers.augmentation.base import rescale
from minikeras.layers.augmentation.color import RandomBrightness
from minikeras.layers.augmentation.color import RandomContrast


class RandomGrayscale(BaseImageAugmentation):
    """Turns each image grey with probability ``factor`` during training (3 channels kept).

    Args:
        factor: the probability, in [0, 1] (0.5 by default).
        data_format, seed, **kwargs: see ``BaseImageAugmentation``.
    """

    def __init__(self, factor=0.5, data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if factor < 0 or factor > 1:
            raise ValueError(f"`factor` should be between 0 and 1. Received: factor={factor}")
        self.factor = factor

    def get_random_transformation(self, images):
        return (self.uniform((images.shape[0],), 0.0, 1.0) < self.factor)[:, None, None, None]  # (N, 1, 1, 1)

    def transform_images(self, images, transformation):
        gray = ops.image.rgb_to_grayscale(images, data_format=self.data_format)  # one channel, broadcast back
        return ops.where(numpy.asarray(transformation), gray, images)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class RandomColorDegeneration(BaseImageAugmentation):
    """Blends each image towards its grey version by a random amount during training.

    ``output = x + f * (gray(x) - x)``, ``f`` drawn in ``factor``: 0 keeps the
    colours, 1 is fully grey. Clipped to ``value_range``.

    Args:
        factor: a number in [0, 1] (``(0, f)``) or a pair.
        value_range: ``(low, high)`` of the pixels, ``(0, 255)`` by default.
        data_format, seed, **kwargs: see ``BaseImageAugmentation``.
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = check_factor(factor)
        self.value_range = check_value_range(value_range, "RandomColorDegeneration")

    def get_random_transformation(self, images):
        return {"factor": self.uniform((images.shape[0], 1, 1, 1), *self.factor)}

    def transform_images(self, images, transformation):
        factor = numpy.asarray(transformation["factor"], dtype=images.dtype)
        gray = ops.image.rgb_to_grayscale(images, data_format=self.data_format)
        outputs = ops.add(images, ops.multiply(factor, ops.subtract(gray, images)))
        return ops.clip(outputs, self.value_range[0], self.value_range[1])

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}


def _replace_hsv_channel(layer, images, index, change):
    """RGB -> HSV, ``change`` one channel (``(N, H, W)`` -> ``(N, H, W)``), -> RGB."""
    hsv = ops.image.rgb_to_hsv(images, data_format=layer.data_format)
    axis = layer.image_axes()[2]
    channels = [ops.take(hsv, i, axis=axis) for i in range(3)]  # three (N, H, W) planes
    channels[index] = change(channels[index])
    return ops.image.hsv_to_rgb(ops.stack(channels, axis=axis), data_format=layer.data_format)


class RandomHue(BaseImageAugmentation):
    """Turns each image's colours around the colour wheel by a random amount during training.

    The hue moves by ``+-f / 2`` of a full turn (random sign), ``f`` drawn in
    ``factor``; grey pixels stay grey.

    Args:
        factor: a number in [0, 1] (``(0, f)``) or a pair.
        value_range: ``(low, high)`` of the pixels, ``(0, 255)`` by default.
        data_format, seed, **kwargs: see ``BaseImageAugmentation``.
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = check_factor(factor, bounds=(0, 1))
        self.value_range = value_range

    def get_random_transformation(self, images):
        batch = images.shape[0]
        sign = numpy.where(self.uniform((batch,), 0.0, 1.0) > 0.5, -1.0, 1.0).astype("float32")
        return {"factor": sign * self.uniform((batch,), *self.factor) * 0.5}

    def transform_images(self, images, transformation):
        shift = numpy.asarray(transformation["factor"], dtype=images.dtype)[:, None, None]  # (N, 1, 1)

        def turn(hue):
            hue = ops.add(hue, shift)
            hue = ops.where(ops.greater(hue, 1.0), ops.subtract(hue, 1.0), hue)
            return ops.where(ops.less(hue, 0.0), ops.add(hue, 1.0), hue)

        unit = rescale(images, self.value_range, (0, 1))
        outputs = ops.clip(_replace_hsv_channel(self, unit, 0, turn), 0.0, 1.0)
        return rescale(outputs, (0, 1), self.value_range)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}


class RandomSaturation(BaseImageAugmentation):
    """Scales each image's colour saturation by a random amount during training.

    The saturation is multiplied by ``f / (1 - f)``, ``f`` drawn in
    ``factor``: 0.5 keeps it, 0 makes the image grey, values near 1 make
    colours vivid. As in Keras, the HSV conversion reads the pixels as they
    are and the new saturation is clipped to ``value_range``.

    Args:
        factor: a number or a pair in [-1, 1] (a number ``f`` means ``(-f, f)``).
        value_range: ``(low, high)`` of the pixels, ``(0, 255)`` by default.
        data_format, seed, **kwargs: see ``BaseImageAugmentation``.
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = check_factor(factor)
        self.value_range = check_value_range(value_range, "RandomSaturation")

    def get_random_transformation(self, images):
        factor = self.uniform((images.shape[0],), *self.factor)
        return {"factor": factor / (1 - factor + backend.epsilon())}

    def transform_images(self, images, transformation):
        scale = numpy.asarray(transformation["factor"], dtype=images.dtype)[:, None, None]  # (N, 1, 1)

        def saturate(saturation):
            return ops.clip(ops.multiply(saturation, scale), self.value_range[0], self.value_range[1])

        return _replace_hsv_channel(self, images, 1, saturate)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}


class RandomColorJitter(BaseImageAugmentation):
    """Brightness, contrast, saturation and hue changes in a row, each only if its factor is given.

    Each step is the layer of the same name (``RandomBrightness``...) with
    this layer's ``value_range``, drawing from this layer's generator.

    Args:
        value_range: ``(low, high)`` of the pixels, ``(0, 255)`` by default.
        brightness_factor, contrast_factor, saturation_factor, hue_factor:
            the ``factor`` of each step, or None to skip it.
        seed, data_format, **kwargs: see ``BaseImageAugmentation``.
    """

    def __init__(self, value_range=(0, 255), brightness_factor=None, contrast_factor=None,
                 saturation_factor=None, hue_factor=None, seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.value_range = value_range
        self.brightness_factor, self.contrast_factor = brightness_factor, contrast_factor
        self.saturation_factor, self.hue_factor = saturation_factor, hue_factor
        steps = ((RandomBrightness, brightness_factor), (RandomContrast, contrast_factor),
                 (RandomSaturation, saturation_factor), (RandomHue, hue_factor))
        self.steps = [step(factor, value_range=value_range, data_format=self.data_format)
                      for step, factor in steps if factor is not None]
        for step in self.steps:
            step.generator = self.generator  # one stream of draws: the same seed, the same images

    def get_random_transformation(self, images):
        return None  # each step draws its own parameters, on the images the previous step made

    def transform_images(self, images, transformation):
        for step in self.steps:
            images = step.transform_images(images, step.get_random_transformation(images))
        return images

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range,
                "brightness_factor": self.brightness_factor, "contrast_factor": self.contrast_factor,
                "saturation_factor": self.saturation_factor, "hue_factor": self.hue_factor}
