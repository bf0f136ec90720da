"""Pooling kernels (Numba, CuPy) against ``kernels/reference.py``, and max-pool ties."""

import numpy as np
import pytest

from minikeras.kernels import reference
from tests.kernels.conftest import random_geometry

pytestmark = pytest.mark.kernels


def _case(seed):
    rng = np.random.default_rng(seed)
    shape, window, strides, padding, _ = random_geometry(rng, pool=True)
    # Round to quarters: ties inside windows happen, as after a ReLU.
    x = np.round(rng.standard_normal(shape) * 4) / 4
    return rng, x, window, strides, padding


@pytest.mark.parametrize("seed", range(12))
def test_max_pool_matches_reference(device, seed):
    rng, x, window, strides, padding = _case(seed)
    expected, expected_argmax = reference.max_pool_forward(x, window, strides, padding)
    y, argmax = device.pool.max_pool_forward(device.to_device(x), window, strides, padding)
    np.testing.assert_array_equal(device.to_numpy(y), expected)
    np.testing.assert_array_equal(device.to_numpy(argmax), expected_argmax)
    values_only, no_argmax = device.pool.max_pool_forward(device.to_device(x), window, strides, padding,
                                                          need_argmax=False)  # inference's path
    np.testing.assert_array_equal(device.to_numpy(values_only), expected)
    assert no_argmax is None
    dy = rng.standard_normal(expected.shape)
    dx = device.pool.max_pool_backward(device.to_device(dy), argmax, x.shape)
    np.testing.assert_allclose(device.to_numpy(dx), reference.max_pool_backward(dy, expected_argmax, x.shape), rtol=1e-12)


@pytest.mark.parametrize("seed", range(12))
def test_average_pool_matches_reference(device, seed):
    rng, x, window, strides, padding = _case(seed)
    expected = reference.average_pool_forward(x, window, strides, padding)
    y = device.pool.average_pool_forward(device.to_device(x), window, strides, padding)
    np.testing.assert_allclose(device.to_numpy(y), expected, rtol=1e-12, atol=1e-14)
    dy = rng.standard_normal(expected.shape)
    dx = device.pool.average_pool_backward(device.to_device(dy), x.shape, window, strides, padding)
    expected_dx = reference.average_pool_backward(dy, x.shape, window, strides, padding)
    np.testing.assert_allclose(device.to_numpy(dx), expected_dx, rtol=1e-12, atol=1e-14)


def test_max_pool_nan_wins_with_and_without_argmax(device):
    """A NaN in a window gives a NaN output (NumPy's argmax picks it), on both paths."""
    x = np.arange(32, dtype=np.float32).reshape(1, 4, 4, 2)
    x[0, 1, 0, 0] = x[0, 2, 3, 1] = np.nan
    expected, expected_argmax = reference.max_pool_forward(x, (2, 2), (2, 2), ((0, 0), (0, 0)))
    for need_argmax in (True, False):
        y, argmax = device.pool.max_pool_forward(device.to_device(x), (2, 2), (2, 2), ((0, 0), (0, 0)),
                                                 need_argmax=need_argmax)
        np.testing.assert_array_equal(device.to_numpy(y), expected)
        if need_argmax:
            np.testing.assert_array_equal(device.to_numpy(argmax), expected_argmax)


def test_max_pool_ties_go_to_the_first_maximum(device):
    """All-equal 2x2 windows (zeros after a ReLU): the gradient goes to the top-left cell."""
    x = np.zeros((1, 4, 4, 2), dtype=np.float32)
    x[0, 2:, 2:, 1] = 5.0  # one window of equal non-zero maxima as well
    y, argmax = device.pool.max_pool_forward(device.to_device(x), (2, 2), (2, 2), ((0, 0), (0, 0)))
    dy = np.ones((1, 2, 2, 2), dtype=np.float32)
    dx = device.to_numpy(device.pool.max_pool_backward(device.to_device(dy), argmax, x.shape))
    expected = np.zeros_like(x)
    expected[0, ::2, ::2, :] = 1.0  # the first cell of each window in scan order
    np.testing.assert_array_equal(dx, expected)
    np.testing.assert_array_equal(device.to_numpy(y)[0, 1, 1], [0.0, 5.0])


def test_same_average_pool_leaves_padding_out():
    """A 3-wide "same" window at the border averages the 2 real cells, not 3."""
    x = np.array([2.0, 4.0, 6.0]).reshape(1, 1, 3, 1)
    y = reference.average_pool_forward(x, (1, 3), (1, 1), ((0, 0), (1, 1)))
    np.testing.assert_allclose(y.ravel(), [3.0, 4.0, 5.0])


def test_overlapping_max_windows_add_gradients(device):
    """Stride 1, window 2: the middle maximum wins both windows and gets both gradients."""
    x = np.array([0.0, 9.0, 1.0]).reshape(1, 1, 3, 1)
    _, argmax = device.pool.max_pool_forward(device.to_device(x), (1, 2), (1, 1), ((0, 0), (0, 0)))
    dy = np.array([1.0, 2.0]).reshape(1, 1, 2, 1)
    dx = device.pool.max_pool_backward(device.to_device(dy), argmax, x.shape)
    np.testing.assert_array_equal(device.to_numpy(dx).ravel(), [0.0, 3.0, 0.0])
