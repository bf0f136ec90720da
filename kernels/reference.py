"""Reference kernels: convolution, pooling and matmul in short, plain NumPy loops.

Place in the stack: ``kernels/``, the bottom of minikeras (plain arrays in and
out, no tensors, no backend). These functions are the *definitions*: every
fast kernel beside them (``numpy_im2col.py``, ``numba_conv.py``,
``numba_winograd.py``, ``numba_pool.py``, ``numba_matmul.py``,
``numba_cuda.py``) must return the same numbers, and the tests in
``tests/kernels/`` check exactly that. They loop over output positions in
Python and are slow on purpose-sized inputs only; select them with
``with minikeras.config.kernels("reference"):`` (or
``MINIKERAS_KERNELS=reference``) to step through a model by hand.

The public functions are the kernel contract (``kernels/__init__.py``):
``conv_forward`` / ``conv_backward`` with the bias and the ReLU of a Conv
layer, ``conv_transpose_forward`` / ``conv_transpose_backward`` (the same
two halves, swapped: a transposed convolution is a convolution's input
gradient), the four pooling functions, ``matmul``, ``adam_update``. The convolution's two
half-gradients, ``_conv_backward_input`` and ``_conv_backward_kernel``, are
kept apart for reading: each is one short loop.

Conventions shared by every kernel module (read them once here):

* layout is channels-last: inputs ``(N, H, W, C)``, conv kernels
  ``(KH, KW, C, F)`` (Keras's HWIO). 1-D ops are 2-D ops with ``H == 1``:
  the op above adds and removes that axis;
* ``strides`` and ``dilation`` are pairs ``(rows, columns)``;
* ``padding`` is explicit, ``((top, bottom), (left, right))`` zero cells
  (the op turns Keras's ``"same"``/``"valid"`` into these numbers);
* output position ``(oh, ow)`` reads the padded input at rows
  ``oh * SH + i * DH`` for ``i`` in ``range(KH)``, columns likewise.

Read next: ``numpy_im2col.py``, the same convolution as one matrix product.
"""

import numpy as np

from minikeras.kernels.geometry import output_shape
from minikeras.kernels.geometry import transpose_output_shape


def _pad(x, padding, value=0.0):
    """Pads the two spatial axes of ``(N, H, W, C)`` with ``value``."""
    (top, bottom), (left, right) = padding
    return np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=value)


def _window(xpad, oh, ow, window, strides, dilation):
    """The cells of the padded input seen by output ``(oh, ow)``.

    Returns a view ``(N, KH, KW, C)`` of ``xpad``.
    """
    (KH, KW), (SH, SW), (DH, DW) = window, strides, dilation
    top, left = oh * SH, ow * SW
    return xpad[:, top : top + (KH - 1) * DH + 1 : DH, left : left + (KW - 1) * DW + 1 : DW, :]


# ----------------------------------------------------------------- convolution
def conv_forward(x, kernel, bias=None, relu=False, strides=(1, 1), padding=((0, 0), (0, 0)), dilation=(1, 1)):
    """A Conv layer's output: the convolution, plus ``bias``, then ``max(., 0)`` if ``relu``.

    y[n, oh, ow, f] = sum over (i, j, c) of xpad[n, oh*SH + i*DH, ow*SW + j*DW, c] * kernel[i, j, c, f]
                      + bias[f]

    Args:
        x: input ``(N, H, W, C)``.
        kernel: ``(KH, KW, C, F)``.
        bias: ``(F,)`` or None.
        relu: whether to apply the ReLU.
        strides, dilation: pairs; padding: ``((top, bottom), (left, right))``.
    Returns:
        ``(N, OH, OW, F)``.
    """
    KH, KW, C, F = kernel.shape
    OH, OW = output_shape(x.shape, (KH, KW), strides, padding, dilation)
    xpad = _pad(x, padding)
    w = kernel.reshape(KH * KW * C, F)  # (KH, KW, C, F) -> (KH*KW*C, F)
    y = np.zeros((x.shape[0], OH, OW, F), dtype=x.dtype)
    for oh in range(OH):
        for ow in range(OW):
            window = _window(xpad, oh, ow, (KH, KW), strides, dilation)
            y[:, oh, ow, :] = window.reshape(x.shape[0], -1) @ w  # (N, KH*KW*C) @ (KH*KW*C, F)
    if bias is not None:
        y += bias
    return np.maximum(y, 0) if relu else y


def conv_backward(x, y, dy, kernel, relu=False, strides=(1, 1), padding=((0, 0), (0, 0)), dilation=(1, 1),
                  need_input=True, need_kernel=True):
    """The gradients of :func:`conv_forward`: ``(dx or None, dkernel or None, dbias)``.

    The ReLU lets ``dy`` through where its output ``y`` is positive (``dz``);
    the bias received every output cell, so its gradient sums ``dz``; the
    convolution's two gradients are the half-gradients below, applied to ``dz``.

    Args:
        x: the forward input ``(N, H, W, C)``.
        y: the forward output ``(N, OH, OW, F)``; read only if ``relu``.
        dy: upstream gradient ``(N, OH, OW, F)``.
        kernel: ``(KH, KW, C, F)``.
        relu, strides, padding, dilation: as the forward call.
        need_input, need_kernel: which of dx and dkernel to compute (None otherwise).
    Returns:
        ``(dx (N, H, W, C) or None, dkernel (KH, KW, C, F) or None, dbias (F,))``.
    """
    dz = dy * (y > 0) if relu else dy
    dx = _conv_backward_input(dz, kernel, x.shape, strides, padding, dilation) if need_input else None
    dkernel = _conv_backward_kernel(x, dz, kernel.shape, strides, padding, dilation) if need_kernel else None
    return dx, dkernel, dz.sum(axis=(0, 1, 2))


def _conv_backward_input(dy, kernel, input_shape, strides, padding, dilation):
    """dx: each output position sends ``dy[n, oh, ow, :] @ kernel.T`` back to its window.

    Args:
        dy: upstream gradient ``(N, OH, OW, F)``.
        kernel: ``(KH, KW, C, F)``.
        input_shape: ``(N, H, W, C)``.
    Returns:
        dx ``(N, H, W, C)``.
    """
    KH, KW, C, F = kernel.shape
    N, H, W, _ = input_shape
    (top, bottom), (left, right) = padding
    # A negative bottom or right (a transposed convolution's output_padding) leaves rows no window reads.
    dxpad = np.zeros((N, H + top + max(bottom, 0), W + left + max(right, 0), C), dtype=dy.dtype)
    w = kernel.reshape(KH * KW * C, F)
    for oh in range(dy.shape[1]):
        for ow in range(dy.shape[2]):
            window = _window(dxpad, oh, ow, (KH, KW), strides, dilation)
            window += (dy[:, oh, ow, :] @ w.T).reshape(N, KH, KW, C)  # writes through the view
    return dxpad[:, top : top + H, left : left + W, :].copy()  # padded cells get no gradient


def _conv_backward_kernel(x, dy, kernel_shape, strides, padding, dilation):
    """dkernel = sum over (n, oh, ow) of window(n, oh, ow) outer dy[n, oh, ow, :].

    Args:
        x: input ``(N, H, W, C)``; dy: ``(N, OH, OW, F)``.
        kernel_shape: ``(KH, KW, C, F)``.
    Returns:
        dkernel ``(KH, KW, C, F)``.
    """
    KH, KW, C, F = kernel_shape
    xpad = _pad(x, padding)
    dw = np.zeros((KH * KW * C, F), dtype=dy.dtype)
    for oh in range(dy.shape[1]):
        for ow in range(dy.shape[2]):
            window = _window(xpad, oh, ow, (KH, KW), strides, dilation)
            dw += window.reshape(x.shape[0], -1).T @ dy[:, oh, ow, :]  # (KH*KW*C, N) @ (N, F)
    return dw.reshape(kernel_shape)


# ------------------------------------------------------ transposed convolution
def conv_transpose_forward(x, kernel, bias=None, relu=False, strides=(1, 1), padding=((0, 0), (0, 0)),
                           dilation=(1, 1)):
    """A transposed convolution: the input gradient of a convolution, used as a layer.

    Read ``kernel (KH, KW, F, C)`` as the kernel of a convolution from ``F``
    to ``C`` channels, and ``x (N, H, W, C)`` as the gradient of that
    convolution's output. The gradient of its input, ``(N, OH, OW, F)``, is the
    transposed convolution: each input cell ``x[n, h, w, :]`` sends
    ``x[n, h, w, :] @ kernel.T`` to the ``KH x KW`` window that output ``(h, w)``
    of the convolution read. It is :func:`_conv_backward_input`, unchanged;
    then the bias and the ReLU, as in :func:`conv_forward`.

    Args:
        x: ``(N, H, W, C)``.
        kernel: ``(KH, KW, F, C)`` (Keras's layout for a transposed convolution).
        bias: ``(F,)`` or None; relu: whether to apply the ReLU.
        strides, dilation: pairs, those of the convolution (the upsampling factor).
        padding: ``((top, bottom), (left, right))``, the convolution's padding;
            ``bottom`` or ``right`` may be negative (see ``geometry.transpose_output_shape``).
    Returns:
        ``(N, OH, OW, F)``, ``OH = (H - 1) * SH + (KH - 1) * DH + 1 - top - bottom``.
    """
    OH, OW = transpose_output_shape(x.shape, kernel.shape[:2], strides, padding, dilation)
    y = _conv_backward_input(x, kernel, (x.shape[0], OH, OW, kernel.shape[2]), strides, padding, dilation)
    if bias is not None:
        y += bias
    return np.maximum(y, 0) if relu else y


def conv_transpose_backward(x, y, dy, kernel, relu=False, strides=(1, 1), padding=((0, 0), (0, 0)),
                            dilation=(1, 1), need_input=True, need_kernel=True):
    """The gradients of :func:`conv_transpose_forward`: ``(dx or None, dkernel or None, dbias)``.

    The transpose of a transpose is the convolution itself: ``dx`` is the
    forward convolution of ``dz`` (``(N, OH, OW, F)`` -> ``(N, H, W, C)``), and
    ``dkernel`` is the convolution's kernel gradient with the roles read
    backwards (``dz`` is the convolution's input, ``x`` its output's gradient).

    Args:
        x: the forward input ``(N, H, W, C)``; y: the forward output, read only if ``relu``.
        dy: ``(N, OH, OW, F)``; kernel: ``(KH, KW, F, C)``.
        relu, strides, padding, dilation: as the forward call.
        need_input, need_kernel: which of dx and dkernel to compute (None otherwise).
    Returns:
        ``(dx (N, H, W, C) or None, dkernel (KH, KW, F, C) or None, dbias (F,))``.
    """
    dz = dy * (y > 0) if relu else dy
    # Rows past a negative bottom pad are read by no window: drop them, pad nothing there.
    (top, bottom), (left, right) = padding
    cropped = dz[:, : dz.shape[1] + min(bottom, 0), : dz.shape[2] + min(right, 0), :]
    padding = ((top, max(bottom, 0)), (left, max(right, 0)))
    dx = conv_forward(cropped, kernel, None, False, strides, padding, dilation) if need_input else None
    dkernel = _conv_backward_kernel(cropped, x, kernel.shape, strides, padding, dilation) if need_kernel else None
    return dx, dkernel, dz.sum(axis=(0, 1, 2))


def conv_max_pool_forward(x, kernel, bias=None, relu=False, padding=((0, 0), (0, 0)), need_argmax=False):
    """A stride-1 convolution (plus bias, then ReLU), then 2x2 max pooling with stride 2: a layer pair in one call.

    The definition is the composition: :func:`conv_forward`, then
    :func:`max_pool_forward` with ``pool_size=(2, 2)``, ``strides=(2, 2)``
    and no padding. ``numba_winograd.conv_max_pool_forward`` computes the
    same numbers without writing the convolution's whole output.

    Returns:
        ``(y, argmax or None)``: ``y (N, OH // 2, OW // 2, F)``, ``(OH, OW)`` the
        convolution's output size; ``argmax`` as :func:`max_pool_forward` gives
        it (flat indices into the convolution's output), when ``need_argmax``.
    """
    y = conv_forward(x, kernel, bias, relu, (1, 1), padding, (1, 1))
    return max_pool_forward(y, (2, 2), (2, 2), ((0, 0), (0, 0)), need_argmax=need_argmax)


# --------------------------------------------------------------------- pooling
def max_pool_forward(x, pool_size, strides, padding, need_argmax=True):
    """y = max over each window; also returns where each max came from (if needed).

    Padded cells hold ``-inf`` so they are never chosen. Ties go to the first
    maximum in scan order (row by row), as in JAX/XLA and PyTorch.

    Args:
        x: ``(N, H, W, C)``; pool_size, strides: pairs; padding: pairs of pads.
        need_argmax: False when no gradient will be asked for.
    Returns:
        ``(y, argmax)``, both ``(N, OH, OW, C)``; ``argmax`` holds the flat
        index ``h * W + w`` of the chosen input cell (int64), or is None
        when ``need_argmax`` is False.
    """
    N, H, W, C = x.shape
    PH, PW = pool_size
    (top, _), (left, _) = padding
    OH, OW = output_shape(x.shape, pool_size, strides, padding)
    xpad = _pad(x, padding, value=-np.inf)
    y = np.empty((N, OH, OW, C), dtype=x.dtype)
    argmax = np.empty((N, OH, OW, C), dtype=np.int64)
    for oh in range(OH):
        for ow in range(OW):
            window = _window(xpad, oh, ow, pool_size, strides, (1, 1)).reshape(N, PH * PW, C)
            k = np.argmax(window, axis=1)  # (N, C); np.argmax keeps the first maximum
            y[:, oh, ow, :] = np.take_along_axis(window, k[:, None, :], axis=1)[:, 0, :]
            h = oh * strides[0] + k // PW - top  # back to unpadded input rows
            w = ow * strides[1] + k % PW - left
            argmax[:, oh, ow, :] = h * W + w
    return y, (argmax if need_argmax else None)


def max_pool_backward(dy, argmax, input_shape):
    """dx: each ``dy`` cell goes, whole, to the input cell its maximum came from.

    Args:
        dy, argmax: ``(N, OH, OW, C)``; input_shape: ``(N, H, W, C)``.
    Returns:
        dx ``(N, H, W, C)``.
    """
    N, H, W, C = input_shape
    dx = np.zeros((N, H * W, C), dtype=dy.dtype)
    n = np.arange(N)[:, None]
    c = np.arange(C)[None, :]
    for oh in range(dy.shape[1]):
        for ow in range(dy.shape[2]):
            np.add.at(dx, (n, argmax[:, oh, ow, :], c), dy[:, oh, ow, :])  # windows may overlap
    return dx.reshape(input_shape)


def _valid_counts(input_shape, pool_size, strides, padding):
    """(OH, OW) number of real (unpadded) cells in each window, as Keras divides by."""
    ones = np.ones((1,) + tuple(input_shape[1:3]) + (1,))
    onespad = _pad(ones, padding)
    OH, OW = output_shape(input_shape, pool_size, strides, padding)
    counts = np.empty((OH, OW))
    for oh in range(OH):
        for ow in range(OW):
            counts[oh, ow] = _window(onespad, oh, ow, pool_size, strides, (1, 1)).sum()
    return counts


def average_pool_forward(x, pool_size, strides, padding):
    """y = mean of the real cells of each window (padded cells are left out).

    Args:
        x: ``(N, H, W, C)``; pool_size, strides: pairs; padding: pairs of pads.
    Returns:
        ``(N, OH, OW, C)``.
    """
    counts = _valid_counts(x.shape, pool_size, strides, padding)
    xpad = _pad(x, padding)
    y = np.empty((x.shape[0],) + counts.shape + (x.shape[3],), dtype=x.dtype)
    for oh in range(counts.shape[0]):
        for ow in range(counts.shape[1]):
            window = _window(xpad, oh, ow, pool_size, strides, (1, 1))
            y[:, oh, ow, :] = window.sum(axis=(1, 2)) / counts[oh, ow]
    return y


def average_pool_backward(dy, input_shape, pool_size, strides, padding):
    """dx: each ``dy`` cell is shared equally by the real cells of its window.

    Args:
        dy: ``(N, OH, OW, C)``; input_shape: ``(N, H, W, C)``.
    Returns:
        dx ``(N, H, W, C)``.
    """
    N, H, W, C = input_shape
    (top, bottom), (left, right) = padding
    counts = _valid_counts(input_shape, pool_size, strides, padding)
    dxpad = np.zeros((N, H + top + bottom, W + left + right, C), dtype=dy.dtype)
    for oh in range(dy.shape[1]):
        for ow in range(dy.shape[2]):
            window = _window(dxpad, oh, ow, pool_size, strides, (1, 1))
            window += (dy[:, oh, ow, :] / counts[oh, ow])[:, None, None, :]
    return dxpad[:, top : top + H, left : left + W, :].copy()


# ---------------------------------------------------------------------- matmul
def matmul(a, b):
    """out[i, j] = sum over k of a[i, k] * b[k, j], one dot product at a time.

    Args:
        a: ``(M, K)``; b: ``(K, P)``.
    Returns:
        ``(M, P)``.
    """
    out = np.zeros((a.shape[0], b.shape[1]), dtype=np.result_type(a, b))
    for i in range(a.shape[0]):
        for j in range(b.shape[1]):
            out[i, j] = np.dot(a[i, :], b[:, j])
    return out


def batched_matmul(a, b, out=None):
    """out[g, ...] = a[g, ...] @ b[g, ...] for each matrix of the stacks, by :func:`matmul`.

    Args:
        a: ``(G, ..., M, K)``; b: ``(G, ..., K, P)``, the same leading axes.
        out: optional ``(G, ..., M, P)`` array to write into.
    Returns:
        ``out``, or a new ``(G, ..., M, P)`` array.
    """
    if out is None:
        out = np.zeros(a.shape[:-1] + b.shape[-1:], dtype=np.result_type(a, b))
    for index in np.ndindex(a.shape[:-2]):
        out[index] = matmul(a[index], b[index])
    return out


def dense_forward(x, w, bias=None, relu=False):
    """A Dense layer: ``x @ w + bias``, then ``max(., 0)`` when ``relu``.

    Args:
        x: ``(M, K)``; w: ``(K, P)``; bias: ``(P,)`` or None; relu: bool.
    Returns:
        A new ``(M, P)`` array, in the product's dtype.
    """
    out = matmul(x, w)
    if bias is not None:
        out = out + bias.astype(out.dtype)  # the product's dtype, as the Dense op keeps
    return np.maximum(out, 0) if relu else out


# ---------------------------------------------------------------------- adam
def adam_update(variable, gradient, momentum, velocity, velocity_hat, alpha, beta_1, beta_2, epsilon):
    """One Adam step of one variable; ``momentum``, ``velocity`` (and ``velocity_hat``) in place.

        m <- m + (g - m) * (1 - beta_1)
        v <- v + (g**2 - v) * (1 - beta_2)
        v_hat <- max(v_hat, v), and v_hat replaces v below   (amsgrad only)
        w_new = w - m * alpha / (sqrt(v) + epsilon)

    CuPy arrays run it too: NumPy's ufuncs hand them to CuPy (``__array_ufunc__``).

    Args:
        variable, gradient, momentum, velocity: arrays of one shape and dtype.
        velocity_hat: the running maximum of ``velocity`` (amsgrad), or None.
        alpha: the step size with Adam's bias correction folded in.
        beta_1, beta_2, epsilon: Python floats.
    Returns:
        The new variable, a new array (a backward pass may still hold the old one).
    """
    momentum += (gradient - momentum) * (1 - beta_1)
    velocity += (np.square(gradient) - velocity) * (1 - beta_2)
    if velocity_hat is not None:
        np.maximum(velocity_hat, velocity, out=velocity_hat)
        velocity = velocity_hat
    return variable - (momentum * alpha) / (np.sqrt(velocity) + epsilon)
