"""The oracles of the op table: each op's computation in plain NumPy loops and formulas.

``op_table.py`` pairs every differentiable op with one of these (the forward
check compares the op's output with the oracle's), plus a few helpers that
build well-conditioned inputs (``spd``) or hand-written gradients. They live
apart so that the table itself stays a readable list of rows.
"""

import math

import numpy
from numpy.lib.stride_tricks import sliding_window_view

from minikeras import ops

# ----- linear algebra helpers: well-conditioned inputs -----
EYE3 = numpy.eye(3)


def spd(x):
    """x x^T + I: symmetric positive definite, for cholesky and logdet (x (..., 3, 3))."""
    return ops.matmul(x, ops.swapaxes(x, -1, -2)) + EYE3


def np_spd(x):
    return x @ x.swapaxes(-1, -2) + EYE3


# ----- writing by position, in NumPy -----
def np_slice_update(x, u):
    y = x.copy()
    y[0:2, 1:3] = u
    return y


def np_scatter(v):
    y = numpy.zeros((3, 2))
    numpy.add.at(y, ([0, 2, 0], [1, 0, 1]), v)
    return y


def np_scatter_update(x, u):
    y = x.copy()
    y[[2, 0]] = u
    return y


# ----- control flow: the NumPy loops, and an op with a hand-written gradient -----
def np_repeat(function, x, times):
    for _ in range(times):
        x = function(x)
    return x


def np_fori(x):
    y = x
    for i in range(3):
        y = numpy.sin(y) + i * x
    return y


def np_scan(carry, xs):
    ys = []
    for row in xs:
        carry, y = carry * numpy.tanh(row), carry + row
        ys.append(y)
    return carry, numpy.stack(ys)


@ops.custom_gradient
def softplus_with_custom_gradient(x):
    e = ops.exp(x)

    def grad_fn(upstream):
        return upstream * (1.0 - 1.0 / (1.0 + e))  # d/dx log(1 + e^x) = sigmoid(x)

    return ops.log(1.0 + e), grad_fn


# ----- NumPy versions of the neural-network functions (the oracle) -----
def np_sigmoid(x):
    return 1 / (1 + numpy.exp(-x))


def np_softmax(x, axis=-1):
    e = numpy.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def np_logsumexp(x, axis=None, keepdims=False):
    return numpy.log(numpy.sum(numpy.exp(x), axis=axis, keepdims=keepdims))


def np_erf(x):
    return numpy.vectorize(math.erf)(x)


def np_elu(x, alpha=1.0):
    return numpy.where(x > 0, x, alpha * (numpy.exp(x) - 1))


def np_gelu_tanh(x):
    return 0.5 * x * (1 + numpy.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def np_hard_sigmoid(x):
    return numpy.clip(x + 3, 0, 6) / 6


def np_conv2d_valid(x, kernel):
    windows = sliding_window_view(x, kernel.shape[:2], axis=(1, 2))  # (N, OH, OW, C, KH, KW)
    return numpy.einsum("nhwcij,ijcf->nhwf", windows, kernel)


def np_pool_valid(x, size, reduce):
    windows = sliding_window_view(x, (size, size), axis=(1, 2))[:, ::size, ::size]  # (N, OH, OW, C, P, P)
    return reduce(windows, axis=(-2, -1))


def np_attention(q, k, v, bias=0.0, mask=None, causal=False):
    """(B, T, N, H), (B, S, N, H), (B, S, N, Hv) -> (B, T, N, Hv), scale 1/sqrt(H)."""
    logits = numpy.einsum("btnh,bsnh->bnts", q, k) / math.sqrt(q.shape[-1]) + bias
    keep = numpy.ones(logits.shape, bool) if mask is None else numpy.broadcast_to(mask, logits.shape)
    if causal:
        keep = keep & numpy.tril(numpy.ones(logits.shape[2:], bool))
    p = np_softmax(numpy.where(keep, logits, -1e30), axis=-1)
    return numpy.einsum("bnts,bsnh->btnh", p, v)
def np_pool3d(x, window, strides, padding, reduce):
    """3-D pooling by loops over output cells; "same" windows use only the real cells."""
    size = numpy.array(x.shape[1:4])
    if padding == "same":
        out = -(-size // numpy.array(strides))
        total = numpy.maximum((out - 1) * strides + numpy.array(window) - size, 0)
        before = total // 2
    else:
        out, before = (size - window) // strides + 1, numpy.zeros(3, int)
    y = numpy.empty((x.shape[0], *out, x.shape[-1]))
    for index in numpy.ndindex(*out):
        start = numpy.array(index) * strides - before
        low, high = numpy.maximum(start, 0), numpy.minimum(start + window, size)
        block = x[:, low[0]:high[0], low[1]:high[1], low[2]:high[2]]
        y[(slice(None),) + index] = reduce(block, axis=(1, 2, 3))
    return y


def np_conv_transpose(x, kernel, stride, valid=False):
    """Scatter form, by loops: input pixel (i, j) adds kernel * x[i, j] to the window at (i s, j s);
    "same" then keeps the (H s, W s) window that Keras keeps, "valid" everything."""
    n, h, w, _ = x.shape
    kh, kw = kernel.shape[:2]
    # "valid" ends with zeros when the kernel is shorter than the stride: length (h - 1) s + max(kh, s)
    full = numpy.zeros((n, (h - 1) * stride + max(kh, stride), (w - 1) * stride + max(kw, stride), kernel.shape[2]))
    for i in range(h):
        for j in range(w):
            full[:, i * stride:i * stride + kh, j * stride:j * stride + kw] += numpy.einsum(
                "nc,hwfc->nhwf", x[:, i, j], kernel)
    if valid:
        return full
    before_h = min((stride + kh - 2) // 2 + (stride + kh - 2) % 2, kh - 1)
    before_w = min((stride + kw - 2) // 2 + (stride + kw - 2) % 2, kw - 1)
    # the spread-and-pad form starts (kh - 1 - before) cells into the scatter's full output
    start_h, start_w = kh - 1 - before_h, kw - 1 - before_w
    return full[:, start_h:start_h + h * stride, start_w:start_w + w * stride]


def np_grouped_conv2d_valid(x, kernel):
    """Groups = C / kernel in_channels, each a plain convolution of its slice of channels and filters."""
    groups = x.shape[-1] // kernel.shape[2]
    channels, filters = kernel.shape[2], kernel.shape[3] // groups
    return numpy.concatenate([np_conv2d_valid(x[..., g * channels:(g + 1) * channels],
                                              kernel[..., g * filters:(g + 1) * filters])
                              for g in range(groups)], axis=-1)


def np_depthwise_valid(x, kernel, stride=1):
    """y[..., c*M + m] = sum over the window of x[..., c] * kernel[i, j, c, m]."""
    windows = sliding_window_view(x, kernel.shape[:2], axis=(1, 2))[:, ::stride, ::stride]  # (N, OH, OW, C, KH, KW)
    y = numpy.einsum("nhwcij,ijcm->nhwcm", windows, kernel)
    return y.reshape(y.shape[:3] + (-1,))


def np_conv3d_valid(x, kernel):
    windows = sliding_window_view(x, kernel.shape[:3], axis=(1, 2, 3))  # (N, OD, OH, OW, C, KD, KH, KW)
    return numpy.einsum("ndhwcijk,ijkcf->ndhwf", windows, kernel)


def np_depthwise3d_valid(x, kernel):
    """3-D depthwise: y[..., c*M + m] = sum over the window of x[..., c] * kernel[i, j, k, c, m]."""
    windows = sliding_window_view(x, kernel.shape[:3], axis=(1, 2, 3))  # (N, OD, OH, OW, C, KD, KH, KW)
    y = numpy.einsum("ndhwcijk,ijkcm->ndhwcm", windows, kernel)
    return y.reshape(y.shape[:4] + (-1,))


def np_conv_transpose3d_valid(x, kernel, stride):
    """Scatter form: input cell (d, h, w) adds kernel * x[d, h, w] to the window at (d s, h s, w s)."""
    n, size, _ = x.shape[0], numpy.array(x.shape[1:4]), kernel.shape[3]
    out = (size - 1) * stride + numpy.maximum(numpy.array(kernel.shape[:3]), stride)
    full = numpy.zeros((n, *out, kernel.shape[3]))
    kd, kh, kw = kernel.shape[:3]
    for d, h, w in numpy.ndindex(*size):
        full[:, d * stride:d * stride + kd, h * stride:h * stride + kh, w * stride:w * stride + kw] += \
            numpy.einsum("nc,dhwfc->ndhwf", x[:, d, h, w], kernel)
    return full


def np_adaptive(x, output_size, reduce):
    """Adaptive pooling by loops: output i covers cells floor(i L / O) to ceil((i + 1) L / O)."""
    rank = len(output_size)
    y = numpy.empty((x.shape[0], *output_size, x.shape[-1]))
    for index in numpy.ndindex(*output_size):
        cells = tuple(slice(math.floor(i * L / O), math.ceil((i + 1) * L / O))
                      for i, L, O in zip(index, x.shape[1:1 + rank], output_size))
        y[(slice(None),) + index] = reduce(x[(slice(None),) + cells], axis=tuple(range(1, rank + 1)))
    return y


def np_lstm(x, h, c, kernel, recurrent_kernel, bias, mask=None):
    """The LSTM over a sequence, step by step: h_1..h_T then c_T, (N, T+1, U).

    ``mask (N, T)``: where False, the row keeps its previous h and c.
    """
    outputs = []
    for t in range(x.shape[1]):
        i, f, g, o = numpy.split(x[:, t] @ kernel + h @ recurrent_kernel + bias, 4, axis=1)
        c_new = np_sigmoid(f) * c + np_sigmoid(i) * numpy.tanh(g)
        h_new = np_sigmoid(o) * numpy.tanh(c_new)
        keep = numpy.ones((x.shape[0], 1), bool) if mask is None else mask[:, t:t + 1]
        h, c = numpy.where(keep, h_new, h), numpy.where(keep, c_new, c)
        outputs.append(h)
    return numpy.stack(outputs + [c], axis=1)


def np_gru(x, h, kernel, recurrent_kernel, bias):
    """The GRU (reset_after=True) over a sequence: h_1..h_T, (N, T, U)."""
    outputs = []
    for t in range(x.shape[1]):
        x_z, x_r, x_g = numpy.split(x[:, t] @ kernel + bias[0], 3, axis=1)
        h_z, h_r, h_g = numpy.split(h @ recurrent_kernel + bias[1], 3, axis=1)
        z, r = np_sigmoid(x_z + h_z), np_sigmoid(x_r + h_r)
        h = z * h + (1 - z) * numpy.tanh(x_g + r * h_g)
        outputs.append(h)
    return numpy.stack(outputs, axis=1)


def np_simple_rnn(x, h, kernel, recurrent_kernel, bias):
    outputs = []
    for t in range(x.shape[1]):
        h = numpy.tanh(x[:, t] @ kernel + bias + h @ recurrent_kernel)
        outputs.append(h)
    return numpy.stack(outputs, axis=1)


def np_cdist(x, y):
    """Euclidean distances between the rows of x (P, M) and y (R, M): (P, R)."""
    return numpy.sqrt(((x[:, None, :] - y[None, :, :]) ** 2).sum(-1))


def np_erfinv(x):
    """erfinv by bisection on erf (slow, plain, exact to float64)."""
    low, high = numpy.full_like(x, -6.0), numpy.full_like(x, 6.0)
    for _ in range(80):
        middle = (low + high) / 2
        too_high = np_erf(middle) > x
        low, high = numpy.where(too_high, low, middle), numpy.where(too_high, middle, high)
    return (low + high) / 2


def np_sparsemax(x):
    """Sparsemax of each row by its definition: the Euclidean projection onto the simplex (sorting method)."""
    z = -numpy.sort(-x, axis=-1)
    ranks = numpy.arange(1, x.shape[-1] + 1)
    k = (1 + ranks * z > numpy.cumsum(z, axis=-1)).sum(-1, keepdims=True)
    tau = (numpy.take_along_axis(numpy.cumsum(z, axis=-1), k - 1, axis=-1) - 1) / k
    return numpy.maximum(x - tau, 0)


def np_unfold(x, k):
    """Every k x k patch (stride 1, no padding) of (N, C, H, W) as a column: (N, C*k*k, L), in loops."""
    n, c, h, w = x.shape
    columns = [x[:, :, i:i + k, j:j + k].reshape(n, c * k * k) for i in range(h - k + 1) for j in range(w - k + 1)]
    return numpy.stack(columns, axis=-1)


def np_fold(columns, size, k):
    """The inverse placement of np_unfold, adding overlaps: (N, C*k*k, L) -> (N, C, H, W)."""
    n, ckk, _ = columns.shape
    h, w = size
    image = numpy.zeros((n, ckk // (k * k), h, w))
    positions = [(i, j) for i in range(h - k + 1) for j in range(w - k + 1)]
    for index, (i, j) in enumerate(positions):
        image[:, :, i:i + k, j:j + k] += columns[:, :, index].reshape(n, -1, k, k)
    return image


def np_stft(x, sequence_length, stride, fft_length):
    """Reflect-pad, cut frames, multiply by the periodic Hann window, rfft: (..., T) -> (real, imag)."""
    padded = numpy.pad(x, [(0, 0)] * (x.ndim - 1) + [(fft_length // 2, fft_length // 2)], mode="reflect")
    window = 0.5 - 0.5 * numpy.cos(2 * numpy.pi * numpy.arange(sequence_length) / sequence_length)
    left = (fft_length - sequence_length) // 2
    window = numpy.pad(window, (left, fft_length - sequence_length - left))
    starts = range(0, padded.shape[-1] - fft_length + 1, stride)
    frames = numpy.stack([padded[..., s:s + fft_length] * window for s in starts], axis=-2)
    spectrum = numpy.fft.rfft(frames, axis=-1)
    return spectrum.real, spectrum.imag


def np_ctc_loss(logits, target):
    """-log p(target) by brute force: the probability of every frame path that collapses to the target."""
    probs = numpy.exp(logits - logits.max(-1, keepdims=True))
    probs = probs / probs.sum(-1, keepdims=True)
    steps, classes = probs.shape
    total = 0.0
    for path in numpy.ndindex(*(classes,) * steps):
        collapsed = [label for t, label in enumerate(path) if label != 0 and (t == 0 or path[t - 1] != label)]
        if collapsed == list(target):
            total += numpy.prod(probs[numpy.arange(steps), path])
    return -numpy.log(total)
