"""The ``conv``, ``max_pool`` and ``average_pool`` ops: Keras arguments, shapes, gradients.

Forward values are compared with ``kernels/reference.py`` (explicit padding
computed by hand here); gradients with finite differences along one random
direction (``check_vjp(..., direction=True)``, float64). Both kernel choices
(``kernels("numba")`` and ``kernels("reference")``) go through the same tests.
"""

import numpy as np
import pytest

from minikeras import config
from minikeras.autodiff.conv import conv
from minikeras.autodiff.conv import same_padding
from minikeras.autodiff.pool import average_pool
from minikeras.autodiff.pool import max_pool
from minikeras.kernels import reference
from tests.autodiff.gradcheck import check_vjp

pytestmark = pytest.mark.engine


@pytest.fixture(params=["numba", "reference"], autouse=True)
def kernels(request):
    with config.kernels(request.param):
        yield request.param


def test_same_padding_matches_tensorflow_arithmetic():
    assert same_padding(5, 3, 1) == (1, 1)
    assert same_padding(6, 3, 2) == (0, 1)  # odd total: the extra cell goes after
    assert same_padding(5, 2, 2) == (0, 1)
    assert same_padding(7, 3, 1, dilation=2) == (2, 2)
    assert same_padding(4, 1, 3) == (0, 0)


@pytest.mark.parametrize(
    "strides, padding, dilation, expected_shape",
    [(1, "valid", 1, (2, 5, 4, 4)), (2, "same", 1, (2, 4, 3, 4)), (1, "same", 2, (2, 7, 6, 4)), ((2, 1), "valid", 1, (2, 3, 4, 4))],
)
def test_conv2d_forward_and_gradients(strides, padding, dilation, expected_shape):
    rng = np.random.default_rng(0)
    x, kernel = rng.standard_normal((2, 7, 6, 3)), rng.standard_normal((3, 3, 3, 4))
    y = conv(x, kernel, strides=strides, padding=padding, dilation_rate=dilation)
    assert y.shape == expected_shape
    s = (strides, strides) if isinstance(strides, int) else strides
    d = (dilation, dilation)
    pads = tuple(same_padding(n, 3, si, di) if padding == "same" else (0, 0) for n, si, di in zip((7, 6), s, d))
    np.testing.assert_allclose(y.numpy(), reference.conv_forward(x, kernel, strides=s, padding=pads, dilation=d), rtol=1e-10, atol=1e-12)
    check_vjp(lambda a, b: conv(a, b, strides, padding, None, dilation), x, kernel, direction=True)


def test_conv1d_forward_and_gradients():
    rng = np.random.default_rng(1)
    x, kernel = rng.standard_normal((2, 9, 3)), rng.standard_normal((4, 3, 5))
    y = conv(x, kernel, strides=2, padding="same")
    assert y.shape == (2, 5, 5)
    # Hand check of one output: position 1 reads inputs 1..4 (pads (1, 2)).
    np.testing.assert_allclose(y.numpy()[:, 1], np.einsum("nkc,kcf->nf", x[:, 1:5], kernel), rtol=1e-12)
    check_vjp(lambda a, b: conv(a, b, 2, "same"), x, kernel, direction=True)


def test_conv_channels_first_matches_channels_last():
    rng = np.random.default_rng(2)
    x, kernel = rng.standard_normal((2, 6, 6, 3)), rng.standard_normal((3, 3, 3, 2))
    last = conv(x, kernel, padding="same").numpy()
    first = conv(x.transpose(0, 3, 1, 2), kernel, padding="same", data_format="channels_first").numpy()
    np.testing.assert_allclose(first, last.transpose(0, 3, 1, 2), rtol=1e-12)


def test_conv_float32_stays_float32():
    x = np.ones((1, 4, 4, 2), dtype=np.float32)
    assert conv(x, np.ones((2, 2, 2, 3), dtype=np.float32)).numpy().dtype == np.float32


@pytest.mark.parametrize("padding, strides", [("valid", None), ("same", 1), ("same", 2)])
def test_pool2d_forward_and_gradients(padding, strides):
    rng = np.random.default_rng(3)
    x = rng.permutation(2 * 5 * 5 * 3).reshape(2, 5, 5, 3) / 10.0  # distinct values: no ties
    s = (2, 2) if strides is None else (strides, strides)
    pads = tuple(same_padding(5, 2, si) if padding == "same" else (0, 0) for si in s)
    y = max_pool(x, 2, strides, padding)
    np.testing.assert_array_equal(y.numpy(), reference.max_pool_forward(x, (2, 2), s, pads)[0])
    z = average_pool(x, 2, strides, padding)
    np.testing.assert_allclose(z.numpy(), reference.average_pool_forward(x, (2, 2), s, pads), rtol=1e-12)
    check_vjp(lambda a: max_pool(a, 2, strides, padding), x, direction=True)
    check_vjp(lambda a: average_pool(a, 2, strides, padding), x, direction=True)


def test_pool1d_shapes_and_gradients():
    x = np.random.default_rng(4).standard_normal((2, 7, 3))
    assert max_pool(x, 2).shape == (2, 3, 3)
    assert average_pool(x, 3, 2, "same").shape == (2, 4, 3)
    np.testing.assert_allclose(average_pool(x, 3, 2, "same").numpy()[:, 0], x[:, :2].mean(axis=1))  # 2 real cells
    check_vjp(lambda a: max_pool(a, 3, 2, "same"), x, direction=True)
    check_vjp(lambda a: average_pool(a, 3, 2, "same"), x, direction=True)


def test_conv_errors_name_both_shapes():
    with pytest.raises(ValueError, match=r"\(1, 5, 5, 3\).*\(3, 3, 2, 4\)"):
        conv(np.ones((1, 5, 5, 3)), np.ones((3, 3, 2, 4)))
    with pytest.raises(ValueError, match="rank 3 .* 4 .* or 5"):
        conv(np.ones((5, 3)), np.ones((3, 3, 4)))
    with pytest.raises(ValueError, match="number of filters must be evenly divisible by the number of groups"):
        conv(np.ones((1, 5, 5, 4)), np.ones((3, 3, 2, 3)))  # 2 groups, 3 filters
    with pytest.raises(ValueError, match="padding"):
        conv(np.ones((1, 5, 5, 3)), np.ones((3, 3, 3, 4)), padding="full")
    with pytest.raises(ValueError, match="strides"):
        conv(np.ones((1, 5, 5, 3)), np.ones((3, 3, 3, 4)), strides=0)
    with pytest.raises(ValueError, match="smaller than the window"):
        conv(np.ones((1, 2, 2, 3)), np.ones((3, 3, 3, 4)))


def test_pool_errors():
    with pytest.raises(ValueError, match="pool_size"):
        max_pool(np.ones((1, 4, 4, 1)), (2, 2, 2))
    with pytest.raises(ValueError, match="data_format"):
        average_pool(np.ones((1, 4, 4, 1)), 2, data_format="NHWC")
