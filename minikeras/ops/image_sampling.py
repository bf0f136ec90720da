"""Reading an image at computed coordinates: ``map_coordinates``, ``affine_transform``,
``perspective_transform`` and ``elastic_transform`` of ``keras.ops.image``.

Place in the stack: part of ``minikeras.ops.image``; the geometric
augmentation layers (``RandomRotation``, ``RandomZoom``, ``RandomTranslation``,
``RandomShear``, ``RandomPerspective``...) all end here.

Every geometric transform is the same two steps:

1. for each output pixel, compute *where in the input* it comes from (a
   real-valued coordinate per axis) -- the only part that differs between
   rotation, zoom, shear or perspective;
2. read the input there: ``nearest`` rounds the coordinate, ``bilinear``
   blends the 2 neighbours along each axis (4 pixels in 2-D) with weights
   ``1 - t`` and ``t``, where ``t`` is the fractional part.

Coordinates that fall outside the image are handled by ``fill_mode``, as in
``scipy.ndimage`` (for a row ``a b c d``):

* ``constant``: ``k k k k | a b c d | k k k k`` (``k = fill_value``)
* ``nearest``:  ``a a a a | a b c d | d d d d``
* ``wrap``:     ``a b c d | a b c d | a b c d``
* ``mirror``:   ``d c b | a b c d | c b a`` (the edge pixel is not repeated)
* ``reflect``:  ``d c b a | a b c d | d c b a`` (it is)

Step 2 is a gather with constant weights, built from differentiable ops
(``take``, ``where``, ``multiply``): the gradient with respect to the image
is the matching scatter-add. Coordinates carry no gradient here. Read next:
``image_color.py``.
"""

import itertools

import numpy

from minikeras import backend
from minikeras import random
from minikeras.autodiff import combine
from minikeras.autodiff import elementwise
from minikeras.autodiff import shape as shape_ops
from minikeras.autodiff.elementwise import cast
from minikeras.autodiff.tensor import as_tensor
from minikeras.ops.image_common import as_channels_last_batch
from minikeras.ops.image_common import check_images
from minikeras.ops.image_common import restore_layout
from minikeras.ops.image_common import standardize_data_format

INTERPOLATION_ORDERS = {"nearest": 0, "bilinear": 1}
FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")


def _round_half_away_from_zero(x):
    """2.5 -> 3, -2.5 -> -3 (``numpy.round`` would give 2 and -2, as JAX's nearest does not)."""
    return numpy.sign(x) * numpy.floor(numpy.abs(x) + 0.5)


def _mirror_index(index, size):
    """Folds any integer index into [0, size) as ``d c b | a b c d | c b a``: a triangle wave."""
    if size == 1:
        return numpy.zeros_like(index)
    period = size - 1
    return numpy.abs((index + period) % (2 * period) - period)


def _fix_index(index, size, fill_mode):
    """Maps integer indices outside [0, size) back inside, according to ``fill_mode``."""
    if fill_mode == "nearest":
        return numpy.clip(index, 0, size - 1)
    if fill_mode == "wrap":
        return index % size
    if fill_mode == "mirror":
        return _mirror_index(index, size)
    if fill_mode == "reflect":  # a mirror on a grid of half-pixels repeats the edge pixel
        return (_mirror_index(2 * index + 1, 2 * size + 1) - 1) // 2
    return numpy.clip(index, 0, size - 1)  # constant: any valid index, `where` replaces the value


def _axis_nodes(coordinate, size, order, fill_mode):
    """The pixels one axis reads: a list of ``(index, weight, valid)``.

    ``order=0``: one node, the rounded coordinate. ``order=1``: two nodes,
    ``floor(c)`` with weight ``1 - t`` and ``floor(c) + 1`` with weight ``t``,
    ``t = c - floor(c)``. ``valid`` is False where a ``constant`` fill applies.
    """
    if order == 0:
        corners = [(_round_half_away_from_zero(coordinate), numpy.ones((), coordinate.dtype))]
    else:
        lower = numpy.floor(coordinate)
        fraction = coordinate - lower
        corners = [(lower, 1 - fraction), (lower + 1, fraction)]
    nodes = []
    for index, weight in corners:
        index = index.astype("int64")
        valid = (index >= 0) & (index < size) if fill_mode == "constant" else None
        nodes.append((_fix_index(index, size, fill_mode), weight, valid))
    return nodes


def sample(inputs, nodes_per_axis, fill_value):
    """Sums ``weight * inputs[index]`` over every combination of the axes' nodes.

    Args:
        inputs: a float Tensor of rank D.
        nodes_per_axis: D lists of ``(index, weight, valid)`` (``_axis_nodes``);
            the arrays of all axes broadcast to the output shape.
        fill_value: the value read where a node is not ``valid``.
    Returns:
        A Tensor of the broadcast output shape.
    """
    flat = shape_ops.reshape(inputs, (-1,))
    strides = numpy.cumprod((inputs.shape[1:] + (1,))[::-1])[::-1]  # row-major strides, in elements
    result = None
    for corner in itertools.product(*nodes_per_axis):  # 2**D corners for bilinear, 1 for nearest
        flat_index = sum(index * stride for (index, _, _), stride in zip(corner, strides))
        values = combine.take(flat, flat_index)
        valids = [valid for _, _, valid in corner if valid is not None]
        if valids:
            values = elementwise.where(numpy.logical_and.reduce(numpy.broadcast_arrays(*valids)),
                                       values, numpy.asarray(fill_value, dtype=inputs.dtype))
        weight = numpy.prod(numpy.broadcast_arrays(*[w for _, w, _ in corner]), axis=0).astype(inputs.dtype)
        term = elementwise.multiply(values, weight)
        result = term if result is None else elementwise.add(result, term)
    return result


def _to_float(inputs):
    """Integer images are interpolated in float32, then rounded back (``_from_float``)."""
    return inputs if backend.is_float_dtype(inputs.dtype) else cast(inputs, "float32")


def _from_float(result, dtype):
    if backend.is_float_dtype(dtype):
        return result
    rounded = _round_half_away_from_zero(numpy.asarray(result.data))
    return as_tensor(rounded.astype(dtype))


def _check_interpolation_and_fill(interpolation, fill_mode):
    if interpolation not in INTERPOLATION_ORDERS:
        raise ValueError("Invalid value for argument `interpolation`. Expected of one "
                         f"{set(INTERPOLATION_ORDERS)}. Received: interpolation={interpolation}")
    if fill_mode not in FILL_MODES:
        raise ValueError(f"Invalid value for argument `fill_mode`. Expected of one {set(FILL_MODES)}. "
                         f"Received: fill_mode={fill_mode}")


def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    """Reads ``inputs`` at real-valued ``coordinates`` (``scipy.ndimage.map_coordinates``).

    Args:
        inputs: an array of any rank D.
        coordinates: ``(D, *S)``: one coordinate array per input axis.
        order: 0 (nearest) or 1 (linear).
        fill_mode: one of ``FILL_MODES`` (see the module docstring).
        fill_value: the value outside the input when ``fill_mode="constant"``.
    Returns:
        ``(*S)``, with ``inputs``' dtype.
    """
    inputs = as_tensor(inputs)
    coordinates = numpy.asarray(coordinates.data if hasattr(coordinates, "data") else coordinates)
    if coordinates.shape[0] != inputs.ndim:
        raise ValueError("First dim of `coordinates` must be the same as the rank of `inputs`. "
                         f"Received inputs with shape: {inputs.shape} and coordinate leading dim of "
                         f"{coordinates.shape[0]}")
    if coordinates.ndim < 2:
        raise ValueError(f"Invalid coordinates rank: expected at least rank 2. Received input with shape: "
                         f"{coordinates.shape}")
    if fill_mode not in FILL_MODES:
        raise ValueError(f"Invalid value for argument `fill_mode`. Expected one of {set(FILL_MODES)}. "
                         f"Received: fill_mode={fill_mode}")
    if order not in (0, 1):
        raise ValueError(f"Invalid value for argument `order`. Expected one of [0, 1]. Received: order={order}")
    if not backend.is_float_dtype(str(coordinates.dtype)):
        coordinates = coordinates.astype("float32")
    nodes = [_axis_nodes(coordinate, size, order, fill_mode) for coordinate, size in zip(coordinates, inputs.shape)]
    return _from_float(sample(_to_float(inputs), nodes, fill_value), inputs.dtype)


def _sample_batch(images, rows, cols, order, fill_mode, fill_value):
    """Reads ``(N, H, W, C)`` images at per-image coordinates ``rows``, ``cols`` of shape ``(N, OH, OW)``.

    The batch and channel axes are read at exact integers (one node each).
    """
    batch, height, width, channels = images.shape
    batch_nodes = [(numpy.arange(batch).reshape(-1, 1, 1, 1), numpy.ones((), rows.dtype), None)]
    channel_nodes = [(numpy.arange(channels).reshape(1, 1, 1, -1), numpy.ones((), rows.dtype), None)]
    row_nodes = _axis_nodes(rows[..., None], height, order, fill_mode)  # (N, OH, OW, 1)
    col_nodes = _axis_nodes(cols[..., None], width, order, fill_mode)
    return sample(images, [batch_nodes, row_nodes, col_nodes, channel_nodes], fill_value)


def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant", fill_value=0,
                     data_format=None):
    """Applies one projective transform per image.

    ``transform = [a0, a1, a2, b0, b1, b2, c0, c1]`` maps the output pixel at
    column ``x``, row ``y`` to the input point
    ``((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)`` with
    ``k = c0 x + c1 y + 1`` (so ``[1, 0, 0, 0, 1, 0, 0, 0]`` is the identity).
    Keras's own layers always pass ``c0 = c1 = 0`` (an affine map).

    Args:
        images: ``(N, H, W, C)`` or ``(H, W, C)`` (channels first: ``(N, C, H, W)``).
        transform: ``(8,)`` or ``(N, 8)``.
        interpolation: ``"bilinear"`` (default) or ``"nearest"``.
        fill_mode: one of ``FILL_MODES``; fill_value: used by ``"constant"``.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
    Returns:
        Images of the input's shape and dtype.
    """
    data_format = standardize_data_format(data_format)
    _check_interpolation_and_fill(interpolation, fill_mode)
    transform = numpy.asarray(getattr(transform, "data", transform), dtype="float32")
    images = check_images(images)
    if transform.ndim not in (1, 2):
        raise ValueError("Invalid transform rank: expected rank 1 (single transform) or rank 2 (batch of "
                         f"transforms). Received input with shape: transform.shape={transform.shape}")
    dtype = images.dtype
    images, layout = as_channels_last_batch(_to_float(images), data_format)
    height, width = images.shape[1:3]
    transform = numpy.broadcast_to(transform.reshape(-1, 8), (images.shape[0], 8))[:, :, None, None]
    y, x = numpy.meshgrid(numpy.arange(height, dtype="float32"), numpy.arange(width, dtype="float32"),
                          indexing="ij")  # (H, W) each
    a0, a1, a2, b0, b1, b2, c0, c1 = transform.transpose(1, 0, 2, 3)  # each (N, 1, 1)
    k = c0 * x + c1 * y + 1
    cols, rows = (a0 * x + a1 * y + a2) / k, (b0 * x + b1 * y + b2) / k  # (N, H, W) input coordinates
    result = _sample_batch(images, rows, cols, INTERPOLATION_ORDERS[interpolation], fill_mode, fill_value)
    return restore_layout(_from_float(result, dtype), layout)


def compute_homography_matrix(start_points, end_points):
    """The 8 coefficients of the projective map taking each end point to its start point.

    Four point pairs give 8 linear equations in the 8 unknowns
    ``[a0, a1, a2, b0, b1, b2, c0, c1]`` of ``affine_transform``'s map.

    Args:
        start_points, end_points: ``(N, 4, 2)`` corners as ``(x, y)``.
    Returns:
        ``(N, 8)``.
    """
    start_x, start_y = start_points[..., 0], start_points[..., 1]
    end_x, end_y = end_points[..., 0], end_points[..., 1]
    zeros, ones = numpy.zeros_like(end_x), numpy.ones_like(end_x)
    x_rows = numpy.stack([end_x, end_y, ones, zeros, zeros, zeros, -start_x * end_x, -start_x * end_y], axis=-1)
    y_rows = numpy.stack([zeros, zeros, zeros, end_x, end_y, ones, -start_y * end_x, -start_y * end_y], axis=-1)
    system = numpy.concatenate([x_rows, y_rows], axis=1)  # (N, 8, 8)
    targets = numpy.concatenate([start_x, start_y], axis=-1)[..., None]  # (N, 8, 1)
    return numpy.linalg.solve(system, targets)[..., 0]


def _check_corner_points(points, name):
    if points.shape[-2:] != (4, 2) or points.ndim not in (2, 3):
        raise ValueError(f"Invalid {name} shape: expected (4,2) for a single image or (N,4,2) for a batch. "
                         f"Received shape: {points.shape}")


def perspective_transform(images, start_points, end_points, interpolation="bilinear", fill_value=0,
                          data_format=None):
    """Warps each image so that its ``start_points`` land on ``end_points``.

    Args:
        images: ``(N, H, W, C)`` or ``(H, W, C)`` (channels first: ``(N, C, H, W)``).
        start_points, end_points: ``(4, 2)`` or ``(N, 4, 2)`` corners as ``(x, y)``.
        interpolation: ``"bilinear"`` or ``"nearest"``; outside points read ``fill_value``.
    Returns:
        Images of the input's shape and dtype.
    """
    data_format = standardize_data_format(data_format)
    _check_interpolation_and_fill(interpolation, "constant")
    images = check_images(images)
    start_points = numpy.asarray(getattr(start_points, "data", start_points), dtype="float32")
    end_points = numpy.asarray(getattr(end_points, "data", end_points), dtype="float32")
    _check_corner_points(start_points, "start_points")
    _check_corner_points(end_points, "end_points")
    if start_points.shape != end_points.shape:
        raise ValueError("start_points and end_points must have the same shape. Received "
                         f"start_points.shape={start_points.shape}, end_points.shape={end_points.shape}")
    coefficients = compute_homography_matrix(start_points.reshape(-1, 4, 2).astype("float64"),
                                             end_points.reshape(-1, 4, 2).astype("float64"))
    return affine_transform(images, coefficients.astype("float32"), interpolation, "constant", fill_value,
                            data_format)


def elastic_transform(images, alpha=20.0, sigma=5.0, interpolation="bilinear", fill_mode="reflect",
                      fill_value=0.0, seed=None, data_format=None):
    """Moves every pixel by a smooth random displacement field.

    The field is white noise ``N(0, sigma**2)`` per pixel, blurred by a
    Gaussian of standard deviation ``sigma`` (kernel ``int(6 sigma) | 1``) and
    scaled by ``alpha``; each image gets its own field, shared by its channels.

    Args:
        images: ``(N, H, W, C)`` or ``(H, W, C)`` (channels first: ``(N, C, H, W)``).
        alpha: displacement scale; sigma: smoothness.
        interpolation, fill_mode, fill_value: as ``affine_transform``.
        seed: an int or ``SeedGenerator``.
    Returns:
        Images of the input's shape and dtype.
    """
    from minikeras.ops.image_filters import gaussian_blur  # the blur lives with the filters

    data_format = standardize_data_format(data_format)
    _check_interpolation_and_fill(interpolation, fill_mode)
    images = check_images(images)
    dtype = images.dtype
    images, layout = as_channels_last_batch(_to_float(images), data_format)
    batch, height, width, _ = images.shape
    kernel_size = int(6 * sigma) | 1
    noise = random.normal((2, batch, height, width, 1), stddev=sigma, dtype="float32", seed=seed)
    noise = shape_ops.reshape(noise, (2 * batch, height, width, 1))
    field = numpy.asarray(gaussian_blur(noise, (kernel_size, kernel_size), (sigma, sigma),
                                        data_format="channels_last").data).reshape(2, batch, height, width)
    y, x = numpy.meshgrid(numpy.arange(height, dtype="float32"), numpy.arange(width, dtype="float32"),
                          indexing="ij")
    rows, cols = y + alpha * field[1], x + alpha * field[0]  # (N, H, W)
    result = _sample_batch(images, rows, cols, INTERPOLATION_ORDERS[interpolation], fill_mode, fill_value)
    return restore_layout(_from_float(result, dtype), layout)
