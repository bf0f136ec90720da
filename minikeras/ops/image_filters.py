"""Small convolution filters of ``keras.ops.image``: ``gaussian_blur`` and ``sobel_edges``.

Place in the stack: part of ``minikeras.ops.image``; ``RandomGaussianBlur``
and ``elastic_transform`` use the blur. Both filters are *separable*: the 2-D
kernel is the outer product of a column kernel and a row kernel, so filtering
is one 1-D filter down the columns and one along the rows. A 1-D filter with
zero ("same") padding is a banded ``(L, L)`` matrix, applied with
``along_axis`` -- the op ``resize`` uses too, with its gradient ``W^T dy``.
Read next: ``image.py``.
"""

import numpy

from minikeras import backend
from minikeras.autodiff import combine
from minikeras.autodiff.resample import along_axis
from minikeras.ops.image_common import check_images
from minikeras.ops.image_common import height_width_axes
from minikeras.ops.image_common import standardize_data_format


def filter_matrix(kernel, length):
    """The ``(L, L)`` matrix of a "same" correlation with a 1-D ``kernel``, zero padded.

    Output ``o`` reads inputs ``o - before ... o - before + K - 1`` with
    ``before = (K - 1) // 2`` (XLA's "same" split: an even kernel pads one
    more after than before).
    """
    size = len(kernel)
    before = (size - 1) // 2
    tap = numpy.arange(length)[None, :] - numpy.arange(length)[:, None] + before  # (O, L): kernel tap of l for o
    inside = (tap >= 0) & (tap < size)
    return numpy.where(inside, numpy.asarray(kernel)[numpy.clip(tap, 0, size - 1)], 0.0)


def separable_filter(images, column_kernel, row_kernel, data_format):
    """Filters the height axis with ``column_kernel`` and the width axis with ``row_kernel``."""
    height_axis, width_axis = (axis % images.ndim for axis in height_width_axes(data_format))
    images = along_axis(images, filter_matrix(column_kernel, images.shape[height_axis]), height_axis)
    return along_axis(images, filter_matrix(row_kernel, images.shape[width_axis]), width_axis)


def gaussian_kernel(size, sigma, dtype="float64"):
    """``exp(-x**2 / (2 sigma**2))`` at ``x = -(size - 1) / 2 ... (size - 1) / 2``, normalised to sum 1."""
    x = numpy.arange(size, dtype=dtype) - numpy.asarray((size - 1) / 2, dtype=dtype)
    kernel = numpy.exp(-0.5 * (x / numpy.asarray(sigma, dtype=dtype)) ** 2)
    return kernel / kernel.sum()


def gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format=None):
    """Blurs each channel with a Gaussian kernel ("same" zero padding).

    As in Keras, the *first* entries of ``kernel_size`` and ``sigma`` set the
    horizontal (width) kernel and the second the vertical one.

    Args:
        images: ``(N, H, W, C)`` or ``(H, W, C)`` (channels first: ``(N, C, H, W)``).
        kernel_size: ``(KW, KH)``.
        sigma: ``(sigma_w, sigma_h)``.
    Returns:
        Images of the input's shape and dtype.
    """
    data_format = standardize_data_format(data_format)
    images = check_images(images)
    dtype = images.dtype if backend.is_float_dtype(images.dtype) else "float32"
    row_kernel = gaussian_kernel(kernel_size[0], sigma[0], dtype)
    column_kernel = gaussian_kernel(kernel_size[1], sigma[1], dtype)
    return separable_filter(images, column_kernel, row_kernel, data_format)


SOBEL_SMOOTH = (1.0, 2.0, 1.0)  # the Sobel kernel is smooth x derivative
SOBEL_DERIVATIVE = (-1.0, 0.0, 1.0)


def sobel_edges(images, data_format=None):
    """The vertical and horizontal Sobel derivatives of each channel.

    ``dy`` filters with ``[-1, 0, 1]`` down the columns and ``[1, 2, 1]``
    along the rows; ``dx`` the other way round ("same" zero padding).

    Args:
        images: ``(N, H, W, C)`` (channels first: ``(N, C, H, W)``).
    Returns:
        ``(N, H, W, C, 2)`` holding ``[dy, dx]`` (channels first: ``(N, C, H, W, 2)``).
    """
    data_format = standardize_data_format(data_format)
    images = check_images(images, ranks=(4,))
    vertical = separable_filter(images, SOBEL_DERIVATIVE, SOBEL_SMOOTH, data_format)
    horizontal = separable_filter(images, SOBEL_SMOOTH, SOBEL_DERIVATIVE, data_format)
    return combine.stack([vertical, horizontal], axis=-1)
