"""Small convolution filters of ``keras.ops.image``: ``gaussian_blur``, ``sobel_edges`` and ``ssim``.

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
from minikeras.autodiff import elementwise
from minikeras.autodiff import reduce
from minikeras.autodiff.elementwise import cast
from minikeras.autodiff.resample import along_axis
from minikeras.autodiff.tensor import as_tensor
from minikeras.ops.image_common import check_images
from minikeras.ops.image_common import height_width_axes
from minikeras.ops.image_common import standardize_data_format


def filter_matrix(kernel, length, padding="same"):
    """The matrix of a correlation with a 1-D ``kernel``: ``(L, L)`` "same" (zero padded) or
    ``(L - K + 1, L)`` "valid".

    Output ``o`` reads inputs ``o - before ... o - before + K - 1`` with
    ``before = (K - 1) // 2`` for "same" (XLA's split: an even kernel pads
    one more after than before) and ``before = 0`` for "valid".
    """
    size = len(kernel)
    before = (size - 1) // 2 if padding == "same" else 0
    outputs = length if padding == "same" else length - size + 1
    tap = numpy.arange(length)[None, :] - numpy.arange(outputs)[:, None] + before  # (O, L): kernel tap of l for o
    inside = (tap >= 0) & (tap < size)
    return numpy.where(inside, numpy.asarray(kernel)[numpy.clip(tap, 0, size - 1)], 0.0)


def separable_filter(images, column_kernel, row_kernel, data_format, padding="same"):
    """Filters the height axis with ``column_kernel`` and the width axis with ``row_kernel``."""
    height_axis, width_axis = (axis % images.ndim for axis in height_width_axes(data_format))
    images = along_axis(images, filter_matrix(column_kernel, images.shape[height_axis], padding), height_axis)
    return along_axis(images, filter_matrix(row_kernel, images.shape[width_axis], padding), width_axis)


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


def ssim(image1, image2, max_val=1.0, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03, data_format=None):
    """The structural similarity of two images (Wang et al., 2004): 1 for equal images.

    Local means ``mu``, variances ``s`` and covariance ``s12`` come from a
    ``filter_size`` Gaussian window ("valid": only windows inside the image);
    each window scores ``(2 mu1 mu2 + c1)(2 s12 + c2) / ((mu1^2 + mu2^2 + c1)(s1 + s2 + c2))``
    with ``c1 = (k1 max_val)^2``, ``c2 = (k2 max_val)^2``; the scores are
    averaged over windows and channels.

    Args:
        image1, image2: ``(N, H, W, C)`` or ``(H, W, C)`` (channels first: ``(N, C, H, W)``).
        max_val: the pixels' dynamic range (1.0 for [0, 1] images, 255 for bytes).
    Returns:
        ``(N,)``, or a scalar for single images.
    """
    data_format = standardize_data_format(data_format)
    for name, image in (("image1", image1), ("image2", image2)):
        if as_tensor(image).ndim not in (3, 4):
            raise ValueError(f"Invalid {name} rank: expected rank 3 (single image) or rank 4 (batch of images). "
                             f"Received input with shape: {name}.shape={as_tensor(image).shape}")
    dtype = as_tensor(image1).dtype
    compute_dtype = dtype if backend.is_float_dtype(dtype) else "float32"
    image1, image2 = cast(as_tensor(image1), compute_dtype), cast(as_tensor(image2), compute_dtype)
    kernel = gaussian_kernel(filter_size, filter_sigma, compute_dtype)

    def window_mean(x):
        return separable_filter(x, kernel, kernel, data_format, padding="valid")

    mu1, mu2 = window_mean(image1), window_mean(image2)
    mu1_mu2 = elementwise.multiply(mu1, mu2)
    mu_squares = elementwise.add(elementwise.multiply(mu1, mu1), elementwise.multiply(mu2, mu2))
    variances = elementwise.subtract(window_mean(elementwise.add(elementwise.multiply(image1, image1),
                                                                 elementwise.multiply(image2, image2))), mu_squares)
    covariance = elementwise.subtract(window_mean(elementwise.multiply(image1, image2)), mu1_mu2)
    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    numerator = elementwise.multiply(elementwise.add(elementwise.multiply(mu1_mu2, 2.0), c1),
                                     elementwise.add(elementwise.multiply(covariance, 2.0), c2))
    denominator = elementwise.multiply(elementwise.add(mu_squares, c1), elementwise.add(variances, c2))
    scores = elementwise.divide(numerator, denominator)
    spatial_and_channels = tuple(range(scores.ndim - 3, scores.ndim))  # the last three axes
    return cast(reduce.mean(scores, axis=spatial_and_channels), dtype)
