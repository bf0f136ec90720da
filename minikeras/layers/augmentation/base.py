"""What every image augmentation layer shares: the training switch, the random
draws, argument parsing and the value range of pixels.

Place in the stack: preprocessing layers over ``layer.py``,
``minikeras.ops.image`` and ``minikeras.random``. An augmentation layer
changes images at random *while training* (flips, rotations, colour shifts),
so the model sees a new variant of each image every epoch; at inference it
does nothing but cast the pixels to floats.

Every layer is written in two steps, as Keras writes them:

1. ``get_random_transformation(images)``: draw the random parameters for the
   batch (one angle per image, one flip decision per image...) from the
   layer's own ``SeedGenerator``, so the same ``seed`` gives the same images;
2. ``transform_images(images, transformation)``: apply them, with no
   randomness left. Tests pass the same parameters to Keras's layer and
   compare the images.

Images are ``(N, H, W, C)`` batches or single ``(H, W, C)`` images (channels
first: ``(N, C, H, W)``); a single image is treated as a batch of one.
Read next: ``flip_and_crop.py``, then ``affine.py``, ``color.py`` and the
other files in the order of ``__init__.py``'s docstring.
"""

import numpy

from minikeras import backend
from minikeras import ops
from minikeras import random
from minikeras.layers.layer import Layer
from minikeras.utils.argument_validation import check_data_format


def check_factor(factor, bounds=(-1.0, 1.0), name="factor"):
    """Keras's ``factor`` argument -> ``(lower, upper)``.

    A number ``f`` means ``(max(-|f|, bounds[0]), |f|)``; a pair is sorted.

    Args:
        factor: a number or a pair of numbers.
        bounds: the allowed range.
        name: the argument's name, for the error message.
    """
    message = (f"The `{name}` argument should be a number (or a list of two numbers) in the range "
               f"[{bounds[0]}, {bounds[1]}]. Received: factor={factor}")
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or factor[0] > bounds[1] or factor[1] < bounds[0]:
            raise ValueError(message)
        return tuple(sorted(factor))
    if isinstance(factor, (int, float)) and not isinstance(factor, bool):
        if factor < bounds[0] or factor > bounds[1]:
            raise ValueError(message)
        return max(-abs(factor), bounds[0]), abs(factor)
    raise ValueError(message)


def check_axis_factor(factor, name, open_below=False, low=-1.0, message=None, symmetric=True):
    """``height_factor`` / ``width_factor`` of ``RandomZoom`` / ``RandomTranslation`` -> ``(lower, upper)``.

    Each number lies in [low, 1] (in (low, 1] with ``open_below``: a zoom of
    -100% would shrink the image to nothing); a number ``f`` means
    ``(-|f|, |f|)``, or ``(0, f)`` when not ``symmetric``.
    """
    if message is None:
        message = ("The `height_factor` and `width_factor` arguments should be a number (or a list of two "
                   "numbers) in the range (-1.0, 1.0]. " if open_below else
                   "The `factor` argument should be a number (or a list of two numbers) in the range [-1.0, 1.0]. ")

    def check(number):
        if number > 1.0 or number < low or (open_below and number == low):
            raise ValueError(message + f"Received: input_number={number}")

    if isinstance(factor, (tuple, list)) and len(factor) == 2:
        check(factor[0])
        check(factor[1])
        return tuple(sorted(factor))
    if isinstance(factor, (int, float)) and not isinstance(factor, bool):
        check(factor)
        return (-abs(factor), abs(factor)) if symmetric else (0, factor)
    raise ValueError(message + f"Received: {name}={factor}")


def check_value_range(value_range, layer_name):
    """``(low, high)`` of the pixel values, sorted."""
    if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
        raise ValueError(f"{layer_name}: the `value_range` argument should be a list of two numbers. "
                         f"Received: value_range={value_range}")
    return sorted(value_range)


def rescale(images, source_range, target_range):
    """Maps pixel values linearly from ``source_range`` to ``target_range`` (e.g. [0, 255] -> [0, 1])."""
    if tuple(source_range) == tuple(target_range):
        return images
    low, high = (numpy.asarray(v, dtype=images.dtype) for v in source_range)
    new_low, new_high = (numpy.asarray(v, dtype=images.dtype) for v in target_range)
    unit = ops.divide(ops.subtract(images, low), high - low)  # now in [0, 1]
    return ops.add(ops.multiply(unit, new_high - new_low), new_low)


class BaseImageAugmentation(Layer):
    """An image layer that is random only when ``training`` is true.

    Subclasses write ``get_random_transformation`` and ``transform_images``
    (see the module docstring) and add their arguments to ``get_config``.

    Args:
        seed: int or None: the seed of the layer's ``SeedGenerator``.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        **kwargs: ``Layer`` arguments (``name``, ``dtype``...).
    """

    _config_has_seed = True  # False for the layers Keras gives no `seed` (AutoContrast, Equalization)

    def __init__(self, seed=None, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = check_data_format(data_format, type(self).__name__)
        self.seed = seed
        self.generator = random.SeedGenerator(seed)
        self.built = True

    # ----- the parts a subclass writes -----
    def get_random_transformation(self, images):
        """The random parameters for the batch ``images`` (a dict of NumPy arrays)."""
        raise NotImplementedError(f"{type(self).__name__}: an augmentation layer defines "
                                  "`get_random_transformation(images)`, the random parameters of one batch")

    def transform_images(self, images, transformation):
        """Applies ``transformation`` to a float batch ``(N, H, W, C)`` (channels first: ``(N, C, H, W)``)."""
        raise NotImplementedError(f"{type(self).__name__}: an augmentation layer defines "
                                  "`transform_images(images, transformation)`")

    def transform_labels(self, labels, transformation):
        """The labels that go with the transformed images: unchanged, unless the layer mixes images."""
        return labels

    # ----- shared machinery -----
    def call(self, inputs, training=True):
        """Images, or a dict ``{"images": ..., "labels": ...}`` (labels ``(N, K)``), as in Keras."""
        if isinstance(inputs, dict):
            outputs = dict(inputs)
            outputs["images"], transformation = self._augment(inputs["images"], training)
            if "labels" in inputs and transformation is not None:
                unbatched = ops.convert_to_tensor(inputs["images"]).ndim == 3
                labels = ops.expand_dims(inputs["labels"], 0) if unbatched else inputs["labels"]
                labels = self.transform_labels(labels, transformation)
                outputs["labels"] = ops.squeeze(labels, 0) if unbatched else labels
            return outputs
        return self._augment(inputs, training)[0]

    def _augment(self, inputs, training):
        """(augmented images, the transformation used, or None at inference)."""
        images = self._float_images(inputs)
        if not training:
            return self.inference_images(images), None
        unbatched = images.ndim == 3
        batch = ops.expand_dims(images, 0) if unbatched else images  # (H, W, C) -> (1, H, W, C)
        transformation = self.get_random_transformation(batch)
        outputs = self.transform_images(batch, transformation)
        return (ops.squeeze(outputs, 0) if unbatched else outputs), transformation

    def inference_images(self, images):
        """What ``training=False`` returns: the images, as floats."""
        return images

    def _float_images(self, inputs):
        """Checks the rank and dtype; integer pixels become the layer's float dtype."""
        images = ops.convert_to_tensor(inputs)
        name = type(self).__name__
        if images.ndim not in (3, 4):
            raise ValueError(f"{name}: expected images of rank 3 (H, W, C) or 4 (N, H, W, C). "
                             f"Received: images.shape={images.shape}")
        dtype = str(images.dtype)  # a name such as "float32", or "str32" for text
        if dtype.startswith("str") or not (backend.is_float_dtype(dtype) or backend.is_int_dtype(dtype)):
            raise ValueError(f"{name} works on images of float (or integer) pixels. Received an input of "
                             f"dtype {dtype}, shape {images.shape}.")
        return ops.cast(images, self.compute_dtype)

    def uniform(self, shape, low, high):
        """Draws ``shape`` values in [low, high) from the layer's generator (a NumPy float32 array)."""
        draws = random.uniform(shape, minval=low, maxval=high, dtype="float32", seed=self.generator)
        return numpy.asarray(ops.convert_to_numpy(draws))

    def apply_flags(self, batch_size):
        """Which images to change, ``(N,)`` booleans: each with a probability drawn in ``self.factor``."""
        probability = self.uniform((batch_size,), *self.factor)
        return self.uniform((batch_size,), 0.0, 1.0) < probability

    def image_axes(self):
        """(height axis, width axis, channel axis) of a batch in this layer's data format."""
        return (1, 2, 3) if self.data_format == "channels_last" else (2, 3, 1)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = {**super().get_config(), "data_format": self.data_format}
        if self._config_has_seed:
            config["seed"] = self.seed
        return config
