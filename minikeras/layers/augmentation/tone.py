"""Curves on pixel values: ``RandomInvert``, ``RandomPosterization``, ``Solarization``,
``AutoContrast``, ``Equalization`` and ``ContrastLimitedAdaptiveHistogramEqualization``.

Place in the stack: augmentation layers over ``base.py``. Each maps every
pixel value through a function of the value alone (a *tone curve*): invert
``v -> high - v``, posterize (keep the top bits), solarize (invert what lies
above a threshold), stretch the range to [0, 255] (auto-contrast) or
flatten the histogram (equalize; CLAHE does it per tile of the image, with
a capped histogram). They compute on the 0..255 scale, so
images in another ``value_range`` are rescaled there and back. Read next:
``filters.py``.
"""

import numpy

from minikeras import ops
from minikeras import random
from minikeras.layers.augmentation.base import BaseImageAugmentation
from minikeras.layers.augmentation.base import check_axis_factor
from minikeras.layers.augmentation.base import check_factor
from minikeras.layers.augmentation.base import check_value_range
from minikeras.layers.augmentation.base import rescale

BYTE_RANGE = (0, 255)


class RandomInvert(BaseImageAugmentation):
    """Inverts each image (``high - v``) with a random probability drawn in ``factor``, during training.

    Args:
        factor: the probability range, a number in [0, 1] (``(0, f)``) or a pair; 1.0 by default.
        value_range: ``(low, high)`` of the pixels, ``(0, 255)`` by default.
        seed, data_format, **kwargs: see ``BaseImageAugmentation``.
    """

    def __init__(self, factor=1.0, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = check_factor(factor, bounds=(0, 1))
        self.value_range = value_range

    def get_random_transformation(self, images):
        return {"apply_inversion": self.apply_flags(images.shape[0])}

    def transform_images(self, images, transformation):
        flags = numpy.asarray(transformation["apply_inversion"])[:, None, None, None]
        return ops.where(flags, ops.subtract(self.value_range[1], images), images)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}


class RandomPosterization(BaseImageAugmentation):
    """Keeps only the top ``b`` bits of each 0..255 value, ``b`` drawn per image during training.

    ``b`` is an integer in ``[lower, upper)`` (or exactly ``lower`` when both
    are equal); fewer bits mean fewer distinct tones.

    Args:
        factor: a number in [1, 8] (``(1, f)``) or a pair.
        value_range: ``(low, high)`` of the pixels, ``(0, 255)`` by default.
        data_format, seed, **kwargs: see ``BaseImageAugmentation``.
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = check_factor(factor, bounds=(1, 8))
        self.value_range = check_value_range(value_range, "RandomPosterization")

    def get_random_transformation(self, images):
        batch = images.shape[0]
        if self.factor[0] != self.factor[1]:
            bits = ops.convert_to_numpy(random.randint((batch,), self.factor[0], self.factor[1], dtype="uint8",
                                                       seed=self.generator))
        else:
            bits = numpy.full((batch,), self.factor[0], dtype="uint8")
        return {"shift_factor": 8 - bits}  # bits to drop

    def transform_images(self, images, transformation):
        shift = numpy.asarray(transformation["shift_factor"], dtype="uint8")[:, None, None, None]
        values = ops.convert_to_numpy(rescale(images, self.value_range, BYTE_RANGE)).astype("uint8")
        posterized = ops.cast((values >> shift) << shift, images.dtype)
        return rescale(posterized, BYTE_RANGE, self.value_range)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}


class Solarization(BaseImageAugmentation):
    """Adds a random amount, then inverts the values above a random threshold, during training.

    On the 0..255 scale: ``v = clip(x + addition, 0, 255)``, then
    ``v if v < threshold else 255 - v``. As in Keras, ``addition`` is drawn
    in ``[lower, upper * 255]`` (and so is ``threshold``).

    Args:
        addition_factor, threshold_factor: a number in [0, 1] (``(0, f)``) or a pair.
        value_range: ``(low, high)`` of the pixels, ``(0, 255)`` by default.
        seed, **kwargs: ``data_format`` and ``Layer`` arguments.
    """

    def __init__(self, addition_factor=0.0, threshold_factor=0.0, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        message = ("The `addition_factor` and `threshold_factor` arguments should be a number (or a list of two "
                   "numbers) in the range [0, 1]. ")
        self.addition_factor = check_axis_factor(addition_factor, "addition_factor", low=0.0, message=message,
                                                 symmetric=False)
        self.threshold_factor = check_axis_factor(threshold_factor, "threshold_factor", low=0.0, message=message,
                                                  symmetric=False)
        self.value_range = check_value_range(value_range, "Solarization")

    def get_random_transformation(self, images):
        shape = (images.shape[0], 1, 1, 1)
        return {"additions": self.uniform(shape, self.addition_factor[0], self.addition_factor[1] * 255),
                "thresholds": self.uniform(shape, self.threshold_factor[0], self.threshold_factor[1] * 255)}

    def transform_images(self, images, transformation):
        additions = numpy.asarray(transformation["additions"], dtype=images.dtype)
        thresholds = numpy.asarray(transformation["thresholds"], dtype=images.dtype)
        values = ops.clip(ops.add(rescale(images, self.value_range, BYTE_RANGE), additions), 0, 255)
        values = ops.where(ops.less(values, thresholds), values, ops.subtract(255.0, values))
        return rescale(values, BYTE_RANGE, self.value_range)

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range, "addition_factor": self.addition_factor,
                "threshold_factor": self.threshold_factor}


class AutoContrast(BaseImageAugmentation):
    """Stretches each image and channel so that its darkest value becomes 0 and its brightest 255.

    Not random, and applied at inference too (as in Keras). A channel with a
    single value is left as it is.

    Args:
        value_range: ``(low, high)`` of the pixels, ``(0, 255)`` by default.
        **kwargs: ``data_format`` and ``Layer`` arguments.
    """

    _config_has_seed = False

    def __init__(self, value_range=(0, 255), **kwargs):
        super().__init__(**kwargs)
        self.value_range = check_value_range(value_range, "AutoContrast")

    def get_random_transformation(self, images):
        return None

    def transform_images(self, images, transformation):
        height_axis, width_axis, _ = self.image_axes()
        values = rescale(images, self.value_range, BYTE_RANGE)
        low = ops.min(values, axis=(height_axis, width_axis), keepdims=True)  # (N, 1, 1, C)
        spread = ops.subtract(ops.max(values, axis=(height_axis, width_axis), keepdims=True), low)
        flat = ops.less_equal(spread, 0.0)
        scale = ops.divide(255.0, ops.where(flat, 1.0, spread))
        stretched = ops.clip(ops.subtract(ops.multiply(values, scale), ops.multiply(low, scale)), 0.0, 255.0)
        return ops.where(flat, images, rescale(stretched, BYTE_RANGE, self.value_range))

    def inference_images(self, images):
        return self.call(images, training=True)

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range}


def to_range(values, source, target):
    """``values * scale + offset`` from ``source`` to ``target`` range (Keras's exact float32 arithmetic)."""
    scale = numpy.float32((target[1] - target[0]) / (source[1] - source[0]))
    return values * scale + numpy.float32(target[0] - source[0] * scale)


class Equalization(BaseImageAugmentation):
    """Spreads each channel's values so that its histogram becomes flat, during training.

    Each value ``v`` becomes ``255 * (cdf(v) - cdf_min) / (count - cdf_min)``
    (rounded), where ``cdf`` counts the values in the bins up to ``v``'s.
    As in Keras 3.15.1, a batch's histogram is counted over all its images
    at once, channel by channel.

    Args:
        value_range: ``(low, high)`` of the pixels, ``(0, 255)`` by default.
        bins: the number of histogram bins (256).
        data_format, **kwargs: see ``BaseImageAugmentation``.
    """

    _config_has_seed = False

    def __init__(self, value_range=(0, 255), bins=256, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.bins = bins
        self.value_range = check_value_range(value_range, "Equalization")

    def get_random_transformation(self, images):
        return None

    def _equalize(self, channel):
        """One channel of the whole batch, float32 values in 0..255 (a NumPy array) -> equalized."""
        bins = self.bins
        top = numpy.float32(bins - 1)
        bin_of = numpy.clip((channel * top / numpy.float32(255)).astype("int32"), 0, bins - 1)
        histogram = numpy.bincount(bin_of.ravel(), minlength=bins)
        if numpy.count_nonzero(histogram) <= 1:
            return channel
        cdf = numpy.cumsum(histogram)
        cdf_min = cdf[numpy.flatnonzero(cdf)[0]]
        denominator = cdf[-1] - cdf_min if cdf[-1] != cdf_min else 1
        table = numpy.clip(numpy.round((cdf - cdf_min) * 255 / denominator), 0, 255).astype("float32")
        return table[numpy.clip(channel / numpy.float32(255) * top, 0, top).astype("int32")]

    def transform_images(self, images, transformation):
        channel_axis = self.image_axes()[2]
        values = to_range(ops.convert_to_numpy(images).astype("float32"), self.value_range, BYTE_RANGE)
        equalized = numpy.stack([self._equalize(numpy.take(values, i, axis=channel_axis))
                                 for i in range(values.shape[channel_axis])], axis=channel_axis)
        equalized = to_range(equalized, BYTE_RANGE, self.value_range)
        return ops.convert_to_tensor(equalized.astype(images.dtype))

    def get_config(self):
        return {**super().get_config(), "bins": self.bins, "value_range": self.value_range}


class ContrastLimitedAdaptiveHistogramEqualization(BaseImageAugmentation):
    """CLAHE: equalizes each tile of the image on its own, with a cap on the histogram; always on.

    The image is cut into a ``tile_grid_size`` grid of tiles (padded by
    mirroring to a whole number of tiles). Each tile and channel gets the
    equalization table of ``Equalization``, from its own histogram, after
    two changes: a bin may hold at most ``clip_limit * tile_pixels / 256``
    counts (the excess is shared by all 256 bins), which keeps a flat region
    from turning into noise; and the table maps ``cdf - cdf[0]`` to 0..255.
    A pixel's value is then the bilinear blend of the tables of the four
    tiles whose centres surround it, so no seams show at tile borders.
    As in Keras 3.15.1 it runs at inference too, and integer images keep their dtype.

    Args:
        value_range: ``(low, high)`` of the pixels, ``(0, 255)`` by default.
        clip_limit: the histogram cap, in multiples of a flat histogram's height (4.0).
        tile_grid_size: ``(rows, columns)`` of tiles, ``(8, 8)`` by default.
        data_format, **kwargs: see ``BaseImageAugmentation``.
    """

    _config_has_seed = False

    def __init__(self, value_range=(0, 255), clip_limit=4.0, tile_grid_size=(8, 8), data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        check_value_range(value_range, "ContrastLimitedAdaptiveHistogramEqualization")
        self.value_range, self.clip_limit, self.tile_grid_size = value_range, clip_limit, tile_grid_size

    def call(self, inputs, training=True):
        if isinstance(inputs, dict):
            return {**inputs, "images": self.call(inputs["images"])}
        images = ops.convert_to_tensor(inputs)
        dtype = images.dtype
        values = ops.convert_to_numpy(self._float_images(images)).astype("float32")
        if self.data_format == "channels_first":
            values = numpy.moveaxis(values, -3, -1)  # (..., C, H, W) -> (..., H, W, C)
        batch = values[None] if values.ndim == 3 else values
        result = to_range(self._clahe(to_range(batch, self.value_range, BYTE_RANGE)), BYTE_RANGE, self.value_range)
        result = result[0] if values.ndim == 3 else result
        if self.data_format == "channels_first":
            result = numpy.moveaxis(result, -1, -3)
        return ops.convert_to_tensor(result.astype(dtype))

    def _tile_tables(self, padded, tile):
        """The equalization table of each tile and channel: ``(N, rows, cols, C, 256)`` float32 in 0..255."""
        N, C = padded.shape[0], padded.shape[3]
        (rows, cols), (tile_h, tile_w) = self.tile_grid_size, tile
        tiles = padded.reshape(N, rows, tile_h, cols, tile_w, C).transpose(0, 1, 3, 5, 2, 4)
        counts = numpy.clip(tiles.reshape(N, rows, cols, C, tile_h * tile_w).astype("int32"), 0, 255)
        histograms = numpy.zeros((N, rows, cols, C, 256), dtype="float32")
        for index in numpy.ndindex(histograms.shape[:4]):  # one histogram per (image, tile, channel)
            histograms[index] = numpy.bincount(counts[index], minlength=256)
        if self.clip_limit > 0:  # cap each bin, share the excess equally
            limit = numpy.float32(self.clip_limit * (tile_h * tile_w) / 256.0)
            clipped = numpy.clip(histograms, 0, limit)
            histograms = clipped + (histograms - clipped).sum(axis=-1, keepdims=True) / numpy.float32(256.0)
        cdf = numpy.cumsum(histograms, axis=-1, dtype="float32")
        cdf_min = cdf.min(axis=-1, keepdims=True)
        denominator = numpy.float32(tile_h * tile_w) - cdf_min
        denominator = numpy.where(denominator == 0, numpy.float32(1), denominator)
        return numpy.clip((cdf - cdf_min) * numpy.float32(255.0) / denominator, 0, 255)

    def _clahe(self, images):
        """``(N, H, W, C)`` float32 in 0..255 -> the same shape, each pixel through its tiles' tables."""
        # 1. Mirror-pad to whole tiles, and one table per tile; edge tiles repeated around the grid.
        N, H, W, C = images.shape
        rows, cols = self.tile_grid_size
        tile_h, tile_w = -(-H // rows), -(-W // cols)
        padded = numpy.pad(images, ((0, 0), (0, tile_h * rows - H), (0, tile_w * cols - W), (0, 0)), "symmetric")
        tables = numpy.pad(self._tile_tables(padded, (tile_h, tile_w)), ((0, 0), (1, 1), (1, 1), (0, 0), (0, 0)),
                           "edge")  # (N, rows + 2, cols + 2, C, 256)
        # 2. Each pixel row/column between the centres of two tiles, with its blending weight.
        y = (numpy.arange(tile_h * rows, dtype="float32") - numpy.float32(tile_h / 2.0)) / numpy.float32(tile_h) + 1
        x = (numpy.arange(tile_w * cols, dtype="float32") - numpy.float32(tile_w / 2.0)) / numpy.float32(tile_w) + 1
        y0, x0 = numpy.floor(y), numpy.floor(x)
        wy, wx = (y - y0)[None, :, None, None], (x - x0)[None, None, :, None]
        y0, y1 = (numpy.clip(v, 0, rows + 1).astype("int32")[None, :, None, None] for v in (y0, y0 + 1))
        x0, x1 = (numpy.clip(v, 0, cols + 1).astype("int32")[None, None, :, None] for v in (x0, x0 + 1))
        # 3. Look the pixel up in the four tables and blend.
        pixels = numpy.clip(padded, 0, 255).astype("int32")
        n, c = numpy.arange(N)[:, None, None, None], numpy.arange(C)[None, None, None, :]
        top = tables[n, y0, x0, c, pixels] * (1 - wx) + tables[n, y0, x1, c, pixels] * wx
        bottom = tables[n, y1, x0, c, pixels] * (1 - wx) + tables[n, y1, x1, c, pixels] * wx
        return (top * (1 - wy) + bottom * wy)[:, :H, :W, :]

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range, "clip_limit": self.clip_limit,
                "tile_grid_size": self.tile_grid_size}
