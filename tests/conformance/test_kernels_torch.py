"""minikeras's conv and pooling ops against ``torch.nn.functional`` (float32).

PyTorch has no "same" padding with strides and its average pooling counts
padded cells by default, so the torch side is padded explicitly with
``F.pad`` (zeros for conv, ``-inf`` for max pooling) and "same" average
pooling divides torch's window sums by the number of real cells, as Keras
does. Forward values and both gradients must agree to float32 rounding.
"""

import numpy as np
import pytest

from minikeras.autodiff import GradientTape
from minikeras.autodiff import Variable
from minikeras.autodiff.conv import conv
from minikeras.autodiff.conv import same_padding
from minikeras.autodiff.pool import average_pool
from minikeras.autodiff.pool import max_pool

torch = pytest.importorskip("torch")
F = torch.nn.functional

pytestmark = pytest.mark.kernels


def _torch_pads(spatial, window, strides, dilation, padding):
    """F.pad's order: last axis first, (left, right, top, bottom)."""
    pairs = [same_padding(n, k, s, d) if padding == "same" else (0, 0) for n, k, s, d in zip(spatial, window, strides, dilation)]
    return tuple(p for pair in reversed(pairs) for p in pair)


def _minikeras_grads(function, x, *weights):
    """y, dL/dx, dL/dweights for L = sum(y * dy) with a fixed random dy."""
    xs = [Variable(x)] + [Variable(w) for w in weights]
    with GradientTape() as tape:
        y = function(*xs)
    dy = np.random.default_rng(7).standard_normal(y.shape).astype(np.float32)
    grads = tape.gradient(y, xs, output_gradients=dy)
    return y.numpy(), dy, [g.numpy() for g in grads]


def _close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=2e-4, atol=2e-4)


@pytest.mark.parametrize(
    "strides, padding, dilation", [(1, "valid", 1), (2, "same", 1), (1, "same", 2), (2, "valid", 1), (3, "same", 1)]
)
def test_conv2d_matches_torch(strides, padding, dilation):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 9, 8, 3)).astype(np.float32)
    kernel = rng.standard_normal((3, 3, 3, 4)).astype(np.float32)
    y, dy, (dx, dkernel) = _minikeras_grads(lambda a, b: conv(a, b, strides, padding, None, dilation), x, kernel)
    xt = torch.tensor(x.transpose(0, 3, 1, 2), requires_grad=True)  # NHWC -> NCHW
    kt = torch.tensor(kernel.transpose(3, 2, 0, 1), requires_grad=True)  # HWIO -> OIHW
    pads = _torch_pads((9, 8), (3, 3), (strides, strides), (dilation, dilation), padding)
    yt = F.conv2d(F.pad(xt, pads), kt, stride=strides, dilation=dilation)
    yt.backward(torch.tensor(dy.transpose(0, 3, 1, 2)))
    _close(y, yt.detach().numpy().transpose(0, 2, 3, 1))
    _close(dx, xt.grad.numpy().transpose(0, 2, 3, 1))
    _close(dkernel, kt.grad.numpy().transpose(2, 3, 1, 0))


def test_conv1d_matches_torch():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 11, 3)).astype(np.float32)
    kernel = rng.standard_normal((4, 3, 5)).astype(np.float32)
    y, dy, (dx, dkernel) = _minikeras_grads(lambda a, b: conv(a, b, 2, "same"), x, kernel)
    xt = torch.tensor(x.transpose(0, 2, 1), requires_grad=True)
    kt = torch.tensor(kernel.transpose(2, 1, 0), requires_grad=True)
    yt = F.conv1d(F.pad(xt, _torch_pads((11,), (4,), (2,), (1,), "same")), kt, stride=2)
    yt.backward(torch.tensor(dy.transpose(0, 2, 1)))
    _close(y, yt.detach().numpy().transpose(0, 2, 1))
    _close(dx, xt.grad.numpy().transpose(0, 2, 1))
    _close(dkernel, kt.grad.numpy().transpose(2, 1, 0))


@pytest.mark.parametrize("pool, strides, padding", [(2, 2, "valid"), (3, 2, "same"), (2, 1, "same"), (3, 1, "valid")])
def test_max_pool2d_matches_torch(pool, strides, padding):
    x = np.random.default_rng(2).standard_normal((2, 7, 6, 3)).astype(np.float32)
    x = np.maximum(x, 0)  # after a ReLU: many ties at zero, routed to the first maximum by both
    y, dy, (dx,) = _minikeras_grads(lambda a: max_pool(a, pool, strides, padding), x)
    xt = torch.tensor(x.transpose(0, 3, 1, 2), requires_grad=True)
    pads = _torch_pads((7, 6), (pool, pool), (strides, strides), (1, 1), padding)
    yt = F.max_pool2d(F.pad(xt, pads, value=-float("inf")), pool, strides)
    yt.backward(torch.tensor(dy.transpose(0, 3, 1, 2)))
    _close(y, yt.detach().numpy().transpose(0, 2, 3, 1))
    _close(dx, xt.grad.numpy().transpose(0, 2, 3, 1))


@pytest.mark.parametrize("pool, strides, padding", [(2, 2, "valid"), (3, 2, "same"), (2, 1, "same")])
def test_average_pool2d_matches_torch(pool, strides, padding):
    x = np.random.default_rng(3).standard_normal((2, 7, 6, 3)).astype(np.float32)
    y, dy, (dx,) = _minikeras_grads(lambda a: average_pool(a, pool, strides, padding), x)
    xt = torch.tensor(x.transpose(0, 3, 1, 2), requires_grad=True)
    pads = _torch_pads((7, 6), (pool, pool), (strides, strides), (1, 1), padding)
    # Keras divides by the real cells only: window sums / real-cell counts.
    sums = F.avg_pool2d(F.pad(xt, pads), pool, strides) * pool * pool
    counts = F.avg_pool2d(F.pad(torch.ones_like(xt), pads), pool, strides) * pool * pool
    yt = sums / counts
    yt.backward(torch.tensor(dy.transpose(0, 3, 1, 2)))
    _close(y, yt.detach().numpy().transpose(0, 2, 3, 1))
    _close(dx, xt.grad.numpy().transpose(0, 2, 3, 1))
