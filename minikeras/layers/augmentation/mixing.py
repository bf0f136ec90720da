"""Augmentations that mix images of a batch or cut boxes out of them:
``MixUp``, ``CutMix`` and ``RandomErasing``.

Place in the stack: augmentation layers over ``base.py``. ``MixUp`` and
``CutMix`` pair each image with another one of the same batch (a random
permutation) and blend them -- the whole picture (MixUp) or a box pasted in
(CutMix). Given ``{"images": ..., "labels": ...}``, they blend the labels
with the same weights, which is the point of both methods. ``RandomErasing``
fills a random box with noise or a constant. Read next: ``warps.py``.
"""

import numpy

from minikeras import ops
from minikeras import random
from minikeras.layers.augmentation.base import BaseImageAugmentation
from minikeras.layers.augmentation.base import check_factor


def random_boxes(layer, batch, height, width, width_ratio, height_ratio):
    """Per-image boxes covering ``width_ratio`` x ``height_ratio`` of the image at a random place.

    Returns:
        ``(x0, x1, y0, y1)``, each ``(N,)`` float32: the box is ``x0 <= x < x1``, ``y0 <= y < y1``.
    """
    def bounds(length, ratio):
        size = (ratio * length).astype("float32")
        start = layer.uniform((batch,), 0.0, 1.0) * (length - size)
        return start, start + size
    x0, x1 = bounds(width, width_ratio)
    y0, y1 = bounds(height, height_ratio)
    return x0, x1, y0, y1


def box_masks(layer, images_shape, boxes):
    """Boolean masks ``(N, H, W, C)`` (channels first: ``(N, C, H, W)``), true inside each image's box."""
    height_axis, width_axis, channel_axis = layer.image_axes()
    rows = numpy.arange(images_shape[height_axis], dtype="float32")[:, None]  # (H, 1)
    cols = numpy.arange(images_shape[width_axis], dtype="float32")[None, :]  # (1, W)
    x0, x1, y0, y1 = (value[:, None, None] for value in boxes)  # (N, 1, 1)
    inside = (cols >= x0) & (cols < x1) & (rows >= y0) & (rows < y1)  # (N, H, W)
    inside = numpy.expand_dims(inside, channel_axis)
    return numpy.repeat(inside, images_shape[channel_axis], axis=channel_axis)


def permutation(layer, batch):
    """A random order of the batch: image ``n`` is mixed with image ``order[n]``."""
    return ops.convert_to_numpy(random.shuffle(numpy.arange(batch), seed=layer.generator))


def mix_labels(labels, transformation):
    """``w * labels + (1 - w) * labels[order]``, the weights of the images' mix."""
    weight = numpy.asarray(transformation["mix_weight"], dtype="float32").reshape(-1, 1)
    labels = ops.cast(labels, "float32")
    partner = ops.take(labels, numpy.asarray(transformation["permutation_order"]), axis=0)
    return ops.add(ops.multiply(weight, labels), ops.multiply(1.0 - weight, partner))


class MixUp(BaseImageAugmentation):
    """Blends each image with another image of the batch during training (Zhang et al., 2017).

    ``output = w x + (1 - w) x[order]``, ``w ~ Beta(alpha, alpha)`` per image.

    Args:
        alpha: the Beta distribution's parameter (0.2: most weights near 0 or 1).
        data_format, seed, **kwargs: see ``BaseImageAugmentation``.
    """

    def __init__(self, alpha=0.2, data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.alpha = alpha

    def get_random_transformation(self, images):
        batch = images.shape[0]
        order = permutation(self, batch)
        weight = ops.convert_to_numpy(random.beta((batch,), self.alpha, self.alpha, seed=self.generator))
        return {"mix_weight": weight, "permutation_order": order}

    def transform_images(self, images, transformation):
        weight = numpy.asarray(transformation["mix_weight"], dtype=images.dtype).reshape(-1, 1, 1, 1)
        partner = ops.take(images, numpy.asarray(transformation["permutation_order"]), axis=0)
        return ops.add(ops.multiply(weight, images), ops.multiply(1.0 - weight, partner))

    def transform_labels(self, labels, transformation):
        return mix_labels(labels, transformation)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


class CutMix(BaseImageAugmentation):
    """Pastes a random box of another image of the batch into each image during training (Yun et al., 2019).

    The box covers a fraction ``1 - w`` of the image, ``w ~ Beta(a, a)`` with
    ``a`` drawn in ``factor`` once per batch; the labels are mixed by the
    box's actual area. A single image is its own partner: it comes back unchanged.

    Args:
        factor: the range of ``a``, a number in [0, 1] (``(0, f)``) or a pair; 1.0 by default.
        seed, data_format, **kwargs: see ``BaseImageAugmentation``.
    """

    def __init__(self, factor=1.0, seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = check_factor(factor, bounds=(0, 1))

    def get_random_transformation(self, images):
        height_axis, width_axis, _ = self.image_axes()
        batch, height, width = images.shape[0], images.shape[height_axis], images.shape[width_axis]
        alpha = float(self.uniform((), *self.factor)) + 1e-6
        weight = ops.convert_to_numpy(random.beta((batch,), alpha, alpha, dtype="float32", seed=self.generator))
        ratio = numpy.sqrt(1.0 - weight)
        boxes = random_boxes(self, batch, height, width, ratio, ratio)
        x0, x1, y0, y1 = boxes
        return {"permutation_order": permutation(self, batch), "batch_masks": box_masks(self, images.shape, boxes),
                "mix_weight": 1.0 - (x1 - x0) * (y1 - y0) / (width * height)}

    def transform_images(self, images, transformation):
        partner = ops.take(images, numpy.asarray(transformation["permutation_order"]), axis=0)
        return ops.where(numpy.asarray(transformation["batch_masks"]), partner, images)

    def transform_labels(self, labels, transformation):
        return mix_labels(labels, transformation)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class RandomErasing(BaseImageAugmentation):
    """Fills a random box of each image with noise or a constant, with a random probability.

    The box's sides are ``sqrt(s)`` of the image's, ``s`` drawn in ``scale``
    per side (Zhong et al., 2017).

    Args:
        factor: the probability range, a number in [0, 1] (``(0, f)``) or a pair; 1.0 by default.
        scale: the range of ``s``, in [0, 1]; ``(0.02, 0.33)`` by default.
        fill_value: None (Gaussian noise ``N(0, 1) * high``), a number, or one per channel (3);
            clipped to ``value_range``.
        value_range: ``(low, high)`` of the pixels, ``(0, 255)`` by default.
        seed, data_format, **kwargs: see ``BaseImageAugmentation``.
    """

    def __init__(self, factor=1.0, scale=(0.02, 0.33), fill_value=None, value_range=(0, 255), seed=None,
                 data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = check_factor(factor, bounds=(0, 1))
        self.scale = check_factor(scale, bounds=(0, 1), name="scale")
        if fill_value is not None and not isinstance(fill_value, (int, float)) and len(fill_value) != 3:
            raise ValueError("The `fill_value` argument should be a number (or a list of three numbers) "
                             f"Received: fill_value={fill_value}")
        self.fill_value, self.value_range = fill_value, value_range

    def get_random_transformation(self, images):
        height_axis, width_axis, _ = self.image_axes()
        batch = images.shape[0]
        sides = numpy.sqrt(self.uniform((batch, 2), *self.scale))
        boxes = random_boxes(self, batch, images.shape[height_axis], images.shape[width_axis], sides[:, 0],
                             sides[:, 1])
        masks = box_masks(self, images.shape, boxes)
        flags = self.apply_flags(batch)
        if self.fill_value is None:
            fill = ops.convert_to_numpy(random.normal(images.shape, dtype="float32", seed=self.generator))
            fill = fill * self.value_range[1]
        else:
            fill = numpy.broadcast_to(numpy.asarray(self.fill_value, dtype="float32"), images.shape)
        fill = numpy.clip(fill, self.value_range[0], self.value_range[1])
        return {"apply_erasing": flags, "batch_masks": masks, "fill_value": fill}

    def transform_images(self, images, transformation):
        fill = numpy.asarray(transformation["fill_value"], dtype=images.dtype)
        erased = ops.where(numpy.asarray(transformation["batch_masks"]), fill, images)
        flags = numpy.asarray(transformation["apply_erasing"])[:, None, None, None]
        return ops.where(flags, erased, images)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "scale": self.scale,
                "fill_value": self.fill_value, "value_range": self.value_range}
