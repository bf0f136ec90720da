"""Random blur and sharpening: ``RandomGaussianBlur`` and ``RandomSharpness``.

Place in the stack: augmentation layers over ``base.py`` and the separable
filters of ``ops.image`` (``image_filters.py``). Both mix each pixel with its
neighbours: a blur replaces it by a weighted average, sharpening moves it
*away* from the average of its 3x3 neighbourhood. Read next: ``mixing.py``.
"""

import numpy

from minikeras import ops
from minikeras.layers.augmentation.base import BaseImageAugmentation
from minikeras.layers.augmentation.base import check_factor
from minikeras.layers.augmentation.base import check_value_range
from minikeras.ops.image_filters import separable_filter


def _odd_kernel_size(kernel_size, name="kernel_size"):
    """An odd int or a pair of odd ints -> ``(KW, KH)``, as ``ops.image.gaussian_blur`` takes them."""
    message = f"{name} must be an odd number. Received: {name}={kernel_size}"
    if isinstance(kernel_size, (tuple, list)):
        if len(kernel_size) != 2:
            raise ValueError(f"The `{name}` argument should be a number (or a list of two numbers) "
                             f"Received: {name}={kernel_size}")
        if kernel_size[0] % 2 == 0 or kernel_size[1] % 2 == 0:
            raise ValueError(message)
        return tuple(kernel_size)
    if isinstance(kernel_size, (int, float)) and kernel_size % 2 == 1:
        return kernel_size, kernel_size
    raise ValueError(message)


class RandomGaussianBlur(BaseImageAugmentation):
    """Blurs each image with a random probability, with one random ``sigma`` pair per batch.

    Args:
        factor: the probability range, a number in [0, 1] (``(0, f)``) or a pair; 1.0 by default.
        kernel_size: an odd int or a pair ``(KW, KH)`` (3).
        sigma: the standard deviations' range, a number in [0, 1] (``(0, s)``) or a pair.
        value_range: ``(low, high)`` of the pixels, ``(0, 255)`` by default.
        data_format, seed, **kwargs: see ``BaseImageAugmentation``.
    """

    def __init__(self, factor=1.0, kernel_size=3, sigma=1.0, value_range=(0, 255), data_format=None, seed=None,
                 **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = check_factor(factor, bounds=(0, 1))
        self.kernel_size = _odd_kernel_size(kernel_size)
        self.sigma = check_factor(sigma, bounds=(0, 1), name="sigma")
        self.value_range = value_range

    def get_random_transformation(self, images):
        flags = self.apply_flags(images.shape[0])
        return {"should_apply_blur": flags, "blur_factor": self.uniform((2,), *self.sigma) + numpy.float32(1e-6)}

    def transform_images(self, images, transformation):
        blurred = ops.image.gaussian_blur(images, self.kernel_size, numpy.asarray(transformation["blur_factor"]),
                                          data_format=self.data_format)
        flags = numpy.asarray(transformation["should_apply_blur"])[:, None, None, None]
        return ops.clip(ops.where(flags, blurred, images), self.value_range[0], self.value_range[1])

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "kernel_size": self.kernel_size,
                "sigma": self.sigma, "value_range": self.value_range}


# The 3x3 smoothing kernel of PIL's ImageEnhance.Sharpness: 1/13 around, 5/13 in the middle.
SMOOTH_EDGE, SMOOTH_CENTRE = 1.0 / 13.0, 5.0 / 13.0


class RandomSharpness(BaseImageAugmentation):
    """Sharpens or softens each image by a random amount during training.

    ``output = x + (1 - 2 f) * (smooth(x) - x)``, ``f`` drawn in ``factor``:
    0.5 keeps the image, 0 gives the smoothed image, 1 pushes every pixel
    away from its neighbourhood's average. ``smooth`` is the 3x3 kernel
    ``1/13`` around ``5/13`` (zero padding), clipped to ``value_range``.

    Args:
        factor: a number in [0, 1] (``(0, f)``) or a pair.
        value_range: ``(low, high)`` of the pixels, ``(0, 255)`` by default.
        data_format, seed, **kwargs: see ``BaseImageAugmentation``.
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = check_factor(factor, bounds=(0, 1))
        self.value_range = check_value_range(value_range, "RandomSharpness")

    def get_random_transformation(self, images):
        return {"factor": self.uniform((images.shape[0],), *self.factor)}

    def transform_images(self, images, transformation):
        strength = numpy.asarray(transformation["factor"], dtype=images.dtype).reshape(-1, 1, 1, 1) * 2
        # The kernel is SMOOTH_EDGE everywhere plus the difference at the centre: a 3x3 box sum (separable)
        # plus a multiple of the image itself.
        box = separable_filter(images, (1.0, 1.0, 1.0), (1.0, 1.0, 1.0), self.data_format)
        smooth = ops.add(ops.multiply(box, SMOOTH_EDGE), ops.multiply(images, SMOOTH_CENTRE - SMOOTH_EDGE))
        outputs = ops.add(images, ops.multiply(1.0 - strength, ops.subtract(smooth, images)))
        return ops.clip(outputs, self.value_range[0], self.value_range[1])

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}
