"""``RandomFlip`` and ``RandomCrop``: augmentations that move pixels without blending them.

Place in the stack: augmentation layers over ``base.py``. A flip reverses
the width axis (a mirror image) and/or the height axis; a crop cuts a window
at a random position. Neither interpolates, so every output pixel is an input
pixel. Read next: ``affine.py``.
"""

import numpy

from minikeras import ops
from minikeras.layers.augmentation.base import BaseImageAugmentation
from minikeras.random import seed_generator

FLIP_MODES = ("horizontal", "vertical", "horizontal_and_vertical")


class RandomFlip(BaseImageAugmentation):
    """Flips each image with probability 1/2 during training.

    Args:
        mode: ``"horizontal"`` (left-right), ``"vertical"`` (up-down) or
            ``"horizontal_and_vertical"`` (default: as in Keras, one coin per
            image decides both flips, so an image is flipped both ways or not at all).
        seed: int or None.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        **kwargs: ``Layer`` arguments.

    Shapes:
        output shape = input shape; outputs have the layer's float dtype.
    """

    def __init__(self, mode="horizontal_and_vertical", seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if mode not in FLIP_MODES:
            raise ValueError(f"RandomFlip: `mode` must be one of {FLIP_MODES}. Received: mode={mode}")
        self.mode = mode

    def get_random_transformation(self, images):
        return {"flips": self.uniform((images.shape[0], 1, 1, 1), 0.0, 1.0) <= 0.5}  # (N, 1, 1, 1) coins

    def transform_images(self, images, transformation):
        flips = numpy.asarray(transformation["flips"])
        height_axis, width_axis, _ = self.image_axes()
        if self.mode in ("horizontal", "horizontal_and_vertical"):
            images = ops.where(flips, ops.flip(images, axis=width_axis), images)
        if self.mode in ("vertical", "horizontal_and_vertical"):
            images = ops.where(flips, ops.flip(images, axis=height_axis), images)
        return images

    def get_config(self):
        return {**super().get_config(), "mode": self.mode}


class RandomCrop(BaseImageAugmentation):
    """Cuts a random ``(height, width)`` window out of the images during training.

    One window position is drawn per call and used for the whole batch (as in
    Keras). At inference, or when an image is not larger than the window on
    both sides, the centre is cropped to the window's aspect ratio and
    resized to it (bilinear), as ``CenterCrop`` does.

    Note: Keras 3.15.1's ``call(..., training=False)`` returns the images
    uncropped, unlike its docstring and its ``compute_output_shape``;
    minikeras follows the docstring, so a model's output shape holds at inference.

    Args:
        height, width: the output size.
        seed: int or None (Keras then draws one, which ``get_config`` records).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        **kwargs: ``Layer`` arguments.
    """

    def __init__(self, height, width, seed=None, data_format=None, **kwargs):
        if seed is None:
            seed = seed_generator.make_default_seed()
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.height, self.width = height, width

    def _input_size(self, images):
        height_axis, width_axis, _ = self.image_axes()
        return images.shape[height_axis], images.shape[width_axis]

    def get_random_transformation(self, images):
        height, width = self._input_size(images)
        if height > self.height and width > self.width:
            top = int(self.uniform((), 0.0, float(height - self.height + 1)))
            left = int(self.uniform((), 0.0, float(width - self.width + 1)))
            return top, left
        return self._centre(height, width)

    def _centre(self, height, width):
        """The top-left corner of the centred window with the target's aspect ratio."""
        crop_height = max(min(height, int(float(width * self.height) / self.width)), 1)
        crop_width = max(min(width, int(float(height * self.width) / self.height)), 1)
        return int(float(height - crop_height) / 2), int(float(width - crop_width) / 2)

    def transform_images(self, images, transformation):
        top, left = (int(value) for value in transformation)
        height_axis, width_axis, _ = self.image_axes()
        index = [slice(None)] * images.ndim
        index[height_axis] = slice(top, top + self.height)
        index[width_axis] = slice(left, left + self.width)
        cropped = ops.get_item(images, tuple(index))
        if self._input_size(cropped) == (self.height, self.width):
            return cropped
        # The image was not larger than the window: resize what was cut (as Keras does).
        return ops.image.resize(cropped, (self.height, self.width), data_format=self.data_format)

    def inference_images(self, images):
        unbatched = images.ndim == 3
        batch = ops.expand_dims(images, 0) if unbatched else images
        outputs = self.transform_images(batch, self._centre(*self._input_size(batch)))
        return ops.squeeze(outputs, 0) if unbatched else outputs

    def compute_output_shape(self, input_shape):
        output_shape = list(input_shape)
        height_axis, width_axis, _ = self.image_axes()
        offset = len(output_shape) - 4  # -1 for a single image
        output_shape[height_axis + offset], output_shape[width_axis + offset] = self.height, self.width
        return tuple(output_shape)

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width}
