"""What is particular to the CUDA kernels (``kernels/numba_cuda.py``): blocks, partial blocks, NaNs, launch sizes.

The numbers themselves are checked by the shared tests: ``test_conv_kernels.py``,
``test_depthwise_kernels.py`` and ``test_pool_kernels.py`` run every case (each padding, stride and dilation
of the seeded sweep, bias and ReLU, max-pool ties, float32) on the ``cuda``
device too. Here: outputs that fill more than one block and leave the last one
partial, outputs smaller than a block, the same bits whatever the block size
(one thread per element, each summing in a fixed order), and the launch
arithmetic.

Run them without a GPU in Numba's CUDA simulator (CI does, ``.ci/run``)::

    NUMBA_ENABLE_CUDASIM=1 python -m pytest -m gpu tests/kernels

The simulator runs each CUDA thread as a Python thread: keep shapes tiny.
Without the variable, and without CuPy and a GPU, these tests skip.
"""

import numpy as np
import pytest

from minikeras.kernels import numba_cuda
from minikeras.kernels import reference
from tests.kernels.conftest import cuda_device

pytestmark = pytest.mark.kernels  # and gpu on each test that runs the kernels


@pytest.fixture
def cuda():
    return cuda_device()


# Output sizes around one block of THREADS_PER_BLOCK (64) threads: one element,
# a block exactly, one more (a second block with a single working thread).
BLOCK_EDGE_CASES = {
    "one-element": ((1, 1, 1, 1), (1, 1), (1, 1), ((0, 0), (0, 0)), 1),
    "one-full-block": ((1, 4, 8, 2), (1, 1), (1, 1), ((0, 0), (0, 0)), 2),
    "partial-second-block": ((1, 5, 13, 1), (1, 1), (1, 1), ((0, 0), (0, 0)), 1),
    "odd-padded-strided": ((1, 7, 5, 3), (3, 2), (2, 1), ((1, 1), (1, 0)), 3),
}


def _conv_case(shape, window, strides, padding, F, dtype=np.float64):
    rng = np.random.default_rng(sum(shape) + F)
    x = rng.standard_normal(shape).astype(dtype)
    kernel = rng.standard_normal(window + (shape[3], F)).astype(dtype)
    bias = rng.standard_normal(F).astype(dtype)
    return rng, x, kernel, bias, dict(strides=strides, padding=padding, dilation=(1, 1))


@pytest.mark.gpu
@pytest.mark.parametrize("case", sorted(BLOCK_EDGE_CASES))
def test_conv_fills_every_element_of_partial_blocks(cuda, case):
    rng, x, kernel, bias, geometry = _conv_case(*BLOCK_EDGE_CASES[case])
    expected = reference.conv_forward(x, kernel, bias, True, **geometry)
    dy = rng.standard_normal(expected.shape)
    dev, kernels = cuda.to_device, cuda.conv
    y = kernels.conv_forward(dev(x), dev(kernel), dev(bias), True, **geometry)
    np.testing.assert_allclose(cuda.to_numpy(y), expected, rtol=1e-10, atol=1e-12)
    gradients = kernels.conv_backward(dev(x), y, dev(dy), dev(kernel), True, **geometry)
    for got, want, name in zip(gradients, reference.conv_backward(x, expected, dy, kernel, True, **geometry),
                               ("dx", "dkernel", "dbias")):
        np.testing.assert_allclose(cuda.to_numpy(got), want, rtol=1e-10, atol=1e-12, err_msg=name)


@pytest.mark.gpu
@pytest.mark.parametrize("case", sorted(BLOCK_EDGE_CASES))
def test_pooling_fills_every_element_of_partial_blocks(cuda, case):
    shape, window, strides, padding, _ = BLOCK_EDGE_CASES[case]
    rng = np.random.default_rng(sum(shape))
    x = np.round(rng.standard_normal(shape) * 2) / 2  # halves: ties happen
    dev, pool = cuda.to_device, cuda.pool
    y, argmax = pool.max_pool_forward(dev(x), window, strides, padding)
    expected, expected_argmax = reference.max_pool_forward(x, window, strides, padding)
    np.testing.assert_array_equal(cuda.to_numpy(y), expected)
    np.testing.assert_array_equal(cuda.to_numpy(argmax), expected_argmax)
    dy = rng.standard_normal(expected.shape)
    dx = pool.max_pool_backward(dev(dy), argmax, x.shape)
    np.testing.assert_array_equal(cuda.to_numpy(dx), reference.max_pool_backward(dy, expected_argmax, x.shape))
    y = pool.average_pool_forward(dev(x), window, strides, padding)
    np.testing.assert_allclose(cuda.to_numpy(y), reference.average_pool_forward(x, window, strides, padding),
                               rtol=1e-12)
    dx = pool.average_pool_backward(dev(dy), x.shape, window, strides, padding)
    np.testing.assert_allclose(cuda.to_numpy(dx),
                               reference.average_pool_backward(dy, x.shape, window, strides, padding), rtol=1e-12)


@pytest.mark.gpu
def test_the_block_size_does_not_change_a_bit(cuda, monkeypatch):
    """Each element is one thread's sum in a fixed order: blocks of 32 or 64 threads give the same bits."""
    rng, x, kernel, bias, geometry = _conv_case(*BLOCK_EDGE_CASES["odd-padded-strided"])
    dev = cuda.to_device

    def run():
        y = cuda.conv.conv_forward(dev(x), dev(kernel), dev(bias), True, **geometry)
        dy = dev(np.random.default_rng(0).standard_normal(y.shape))
        return [cuda.to_numpy(a) for a in (y,) + cuda.conv.conv_backward(dev(x), y, dy, dev(kernel), True, **geometry)]

    first = run()
    monkeypatch.setattr(numba_cuda, "THREADS_PER_BLOCK", 32)
    for got, want in zip(run(), first):
        np.testing.assert_array_equal(got, want)


@pytest.mark.gpu
def test_max_pool_lets_a_nan_win_as_the_reference_does(cuda):
    x = np.array([1.0, np.nan, 3.0, 2.0]).reshape(1, 1, 4, 1)
    y, argmax = cuda.pool.max_pool_forward(cuda.to_device(x), (1, 2), (1, 2), ((0, 0), (0, 0)))
    expected, expected_argmax = reference.max_pool_forward(x, (1, 2), (1, 2), ((0, 0), (0, 0)))
    np.testing.assert_array_equal(cuda.to_numpy(y), expected)  # [nan, 3]
    np.testing.assert_array_equal(cuda.to_numpy(argmax), expected_argmax)


@pytest.mark.parametrize("size, blocks", [(0, 0), (1, 1), (64, 1), (65, 2), (129, 3)])
def test_launch_asks_for_enough_blocks(monkeypatch, size, blocks):
    """``ceil(size / THREADS_PER_BLOCK)`` blocks, none for an empty output (plain Python: runs everywhere)."""
    launches = []

    class RecordingKernel:
        def __getitem__(self, configuration):
            launches.append(configuration)
            return lambda *arguments: None

    monkeypatch.setattr(numba_cuda, "THREADS_PER_BLOCK", 64)
    numba_cuda._launch(RecordingKernel(), size)
    assert launches == ([(blocks, 64)] if blocks else [])


def test_cupy_arrays_go_to_the_cuda_kernels():
    """``kernel_choice`` sends CuPy arrays here; an object whose class lives in ``cupy`` stands in for one."""
    from minikeras.backend import kernel_choice

    gpu_array = type("ndarray", (), {"__module__": "cupy"})()
    assert kernel_choice.conv_kernels(gpu_array, gpu_array, (1, 1), (1, 1)) == (numba_cuda.conv_forward,
                                                                               numba_cuda.conv_backward)
    assert kernel_choice.max_pool_kernels(gpu_array) == (numba_cuda.max_pool_forward, numba_cuda.max_pool_backward)
    assert kernel_choice.average_pool_kernels(gpu_array) == (numba_cuda.average_pool_forward,
                                                             numba_cuda.average_pool_backward)
    assert kernel_choice.matmul_kernel(gpu_array, gpu_array) is numba_cuda.matmul
    assert kernel_choice.depthwise_conv_kernels(gpu_array) == (numba_cuda.depthwise_conv_forward,
                                                               numba_cuda.depthwise_conv_backward)
