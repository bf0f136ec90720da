"""NumPy oracles of the ``ops.image`` rows of ``op_table.py``: each one written out per pixel.

Kept apart from ``op_oracles.py`` (the other ops' oracles) so that each file
stays short. They follow the definitions that ``minikeras/ops/image*.py``
document (JAX's resize recipe, bilinear sampling, the Sobel and Gaussian
filters, Wang et al.'s SSIM), with plain loops and no minikeras code.
"""

import colorsys

import numpy


def triangle(x):
    return numpy.maximum(0.0, 1.0 - x)


def keys_cubic(x):
    """Keys' cubic convolution, a = -0.5."""
    x = numpy.abs(x)
    return numpy.where(x < 1, 1.5 * x**3 - 2.5 * x**2 + 1, numpy.where(x < 2, -0.5 * x**3 + 2.5 * x**2 - 4 * x + 2, 0))


def lanczos3(x):
    return numpy.where(numpy.abs(x) < 3, numpy.sinc(x) * numpy.sinc(x / 3), 0.0)


def np_resample(x, axis, out_size, kernel, scale=None, translation=0.0, antialias=False):
    """One axis of JAX's resize: output ``o`` samples input coordinate ``(o + 0.5 - t) / s - 0.5``.

    Its weights are ``kernel(distance)`` over the input pixels (the distance
    shrunk by ``s`` when antialiasing a downsample), normalised to sum one;
    a coordinate outside ``[-0.5, size - 0.5]`` gets zeros.
    """
    size = x.shape[axis]
    scale = out_size / size if scale is None else scale
    shrink = min(scale, 1.0) if antialias else 1.0
    matrix = numpy.zeros((out_size, size))
    for o in range(out_size):
        centre = (o + 0.5 - translation) / scale - 0.5
        weights = kernel(numpy.abs(centre - numpy.arange(size)) * shrink)
        if -0.5 <= centre <= size - 0.5 and abs(weights.sum()) > 1e-12:
            matrix[o] = weights / weights.sum()
    return numpy.moveaxis(numpy.tensordot(matrix, numpy.moveaxis(x, axis, 0), axes=1), 0, axis)


def np_resize(x, size, kernel, antialias=False):
    """``(N, H, W, C)`` -> ``(N, OH, OW, C)``: rows, then columns."""
    return np_resample(np_resample(x, 1, size[0], kernel, antialias=antialias), 2, size[1], kernel,
                       antialias=antialias)


def np_resize_bilinear(x, size):
    """Bilinear upsampling the classic way: the clamped coordinate between its two neighbours."""
    def along(x, axis, out):
        centres = numpy.clip((numpy.arange(out) + 0.5) * x.shape[axis] / out - 0.5, 0, x.shape[axis] - 1)
        low = numpy.floor(centres).astype(int)
        high = numpy.minimum(low + 1, x.shape[axis] - 1)
        fraction = (centres - low).reshape([-1 if a == axis else 1 for a in range(x.ndim)])
        return numpy.take(x, low, axis) * (1 - fraction) + numpy.take(x, high, axis) * fraction
    return along(along(x, 1, size[0]), 2, size[1])


def np_resize_nearest(x, size):
    rows = numpy.floor((numpy.arange(size[0]) + 0.5) * x.shape[1] / size[0]).astype(int)
    cols = numpy.floor((numpy.arange(size[1]) + 0.5) * x.shape[2] / size[1]).astype(int)
    return x[:, rows][:, :, cols]


def bilinear_sample(image, row, col):
    """``image (H, W, C)`` at the point ``(row, col)``, zeros outside (``fill_mode="constant"``)."""
    top, left = int(numpy.floor(row)), int(numpy.floor(col))
    value = numpy.zeros(image.shape[2:])
    for r, wr in ((top, 1 - (row - top)), (top + 1, row - top)):
        for c, wc in ((left, 1 - (col - left)), (left + 1, col - left)):
            if 0 <= r < image.shape[0] and 0 <= c < image.shape[1]:
                value = value + wr * wc * image[r, c]
    return value


def np_map_coordinates(x, coordinates):
    """Order 1, constant 0 outside: ``x (H, W)`` at the points ``coordinates (2, P)``."""
    return numpy.array([bilinear_sample(x[..., None], r, c)[0] for r, c in zip(*coordinates)])


def np_affine(images, transform):
    """Output pixel (row y, column x) reads the input at ``((b0 x + b1 y + b2) / k, (a0 x + a1 y + a2) / k)``."""
    a0, a1, a2, b0, b1, b2, c0, c1 = transform
    out = numpy.zeros_like(images)
    for n, y, x in numpy.ndindex(images.shape[:3]):
        k = c0 * x + c1 * y + 1
        out[n, y, x] = bilinear_sample(images[n], (b0 * x + b1 * y + b2) / k, (a0 * x + a1 * y + a2) / k)
    return out


def np_perspective(images, start, end):
    """The projective map taking each end point to its start point, solved from 4 point pairs, then sampled."""
    system, targets = [], []
    for (sx, sy), (ex, ey) in zip(start, end):
        system.append([ex, ey, 1, 0, 0, 0, -sx * ex, -sx * ey])
        targets.append(sx)
    for (sx, sy), (ex, ey) in zip(start, end):
        system.append([0, 0, 0, ex, ey, 1, -sy * ex, -sy * ey])
        targets.append(sy)
    return np_affine(images, numpy.linalg.solve(numpy.array(system, float), numpy.array(targets, float)))


def np_patches(x, size, strides):
    """``(N, H, W, C)`` -> ``(N, OH, OW, KH*KW*C)``, each "valid" patch flattened row by row, channels last."""
    KH, KW = size
    rows = range(0, x.shape[1] - KH + 1, strides[0])
    cols = range(0, x.shape[2] - KW + 1, strides[1])
    return numpy.array([[[x[n, i:i + KH, j:j + KW].reshape(-1) for j in cols] for i in rows]
                        for n in range(x.shape[0])])


def np_patches_3d(x, size):
    """``(N, D, H, W, C)`` -> ``(N, OD, OH, OW, KD*KH*KW*C)``, stride = size."""
    KD, KH, KW = size
    out_shape = (x.shape[1] // KD, x.shape[2] // KH, x.shape[3] // KW)
    out = numpy.zeros((x.shape[0],) + out_shape + (KD * KH * KW * x.shape[4],))
    for d, i, j in numpy.ndindex(out_shape):
        block = x[:, d * KD:(d + 1) * KD, i * KH:(i + 1) * KH, j * KW:(j + 1) * KW]
        out[:, d, i, j] = block.reshape(x.shape[0], -1)
    return out


def np_rgb_to_hsv(x):
    return numpy.apply_along_axis(lambda p: colorsys.rgb_to_hsv(*p), -1, x)


def np_hsv_to_rgb(x):
    return numpy.apply_along_axis(lambda p: colorsys.hsv_to_rgb(*p), -1, x)


def gaussian(size, sigma):
    taps = numpy.exp(-0.5 * ((numpy.arange(size) - (size - 1) / 2) / sigma) ** 2)
    return taps / taps.sum()


def correlate2d(x, kernel, valid=False):
    """Each channel of ``x (N, H, W, C)`` correlated with ``kernel (KH, KW)``; "same" pads zeros,
    ``(K - 1) // 2`` before (one more after for an even kernel)."""
    KH, KW = kernel.shape
    if not valid:
        x = numpy.pad(x, ((0, 0), ((KH - 1) // 2, KH // 2), ((KW - 1) // 2, KW // 2), (0, 0)))
    OH, OW = x.shape[1] - KH + 1, x.shape[2] - KW + 1
    out = numpy.zeros((x.shape[0], OH, OW, x.shape[3]))
    for i, j in numpy.ndindex(KH, KW):
        out += kernel[i, j] * x[:, i:i + OH, j:j + OW]
    return out


def np_gaussian_blur(x, kernel_size, sigma):
    """``kernel_size`` and ``sigma`` as Keras orders them: (width, height)."""
    return correlate2d(x, numpy.outer(gaussian(kernel_size[1], sigma[1]), gaussian(kernel_size[0], sigma[0])))


def np_sobel(x):
    """``[dy, dx]`` on a last axis: [-1, 0, 1] down the columns times [1, 2, 1] along the rows, and back."""
    derivative, smooth = numpy.array([-1.0, 0.0, 1.0]), numpy.array([1.0, 2.0, 1.0])
    return numpy.stack([correlate2d(x, numpy.outer(derivative, smooth)),
                        correlate2d(x, numpy.outer(smooth, derivative))], axis=-1)


def np_ssim(a, b, filter_size, sigma, max_val=1.0, k1=0.01, k2=0.03):
    """Wang et al.'s SSIM with a "valid" Gaussian window, averaged over windows and channels: ``(N,)``."""
    window = numpy.outer(gaussian(filter_size, sigma), gaussian(filter_size, sigma))
    mean = lambda x: correlate2d(x, window, valid=True)  # noqa: E731
    mu_a, mu_b = mean(a), mean(b)
    var = mean(a * a + b * b) - mu_a**2 - mu_b**2  # the two variances, summed
    cov = mean(a * b) - mu_a * mu_b
    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    scores = (2 * mu_a * mu_b + c1) * (2 * cov + c2) / ((mu_a**2 + mu_b**2 + c1) * (var + c2))
    return scores.mean(axis=(1, 2, 3))


def np_elastic(images, noise, alpha, sigma):
    """``noise (2, N, H, W)``, the draw of ``elastic_transform``'s seed: blurred by a Gaussian of size
    ``int(6 sigma) | 1`` ("same", zeros), scaled by ``alpha``, added to each pixel's (column, row);
    then sampled bilinearly, zeros outside (``fill_mode="constant"``)."""
    size = int(6 * sigma) | 1
    window = numpy.outer(gaussian(size, sigma), gaussian(size, sigma))
    field = correlate2d(noise.reshape(-1, *noise.shape[2:], 1).astype(float), window)
    field = field.reshape(noise.shape).astype("float32")  # the op computes its coordinates in float32
    out = numpy.zeros_like(images)
    for n, y, x in numpy.ndindex(images.shape[:3]):
        row, col = numpy.float32(y) + numpy.float32(alpha) * field[1, n, y, x], x + numpy.float32(alpha) * field[0, n, y, x]
        out[n, y, x] = bilinear_sample(images[n], float(row), float(col))
    return out
