"""Fixtures of the kernel tests: the device to run on, and random cases.

Every kernel test takes the ``device`` fixture (conv tests: ``conv_device``,
which adds the NumPy im2col), so one test body runs on the Numba CPU kernels
and on the Numba CUDA kernels (marked ``gpu``): on a GPU where CuPy and one
are present, in Numba's CUDA simulator with ``NUMBA_ENABLE_CUDASIM=1``,
skipped cleanly elsewhere (:func:`cuda_device`). The oracle is always
``kernels/reference.py`` on NumPy arrays.
"""

import numpy as np
import pytest


class Device:
    """The kernel modules of one device, per family, with the two moves a test needs: to the device and back."""

    def __init__(self, name, conv, pool, matmul, depthwise, to_device, to_numpy):
        self.name, self.conv, self.pool, self.matmul, self.depthwise = name, conv, pool, matmul, depthwise
        self.to_device, self.to_numpy = to_device, to_numpy


def cuda_simulator_enabled():
    """True when ``NUMBA_ENABLE_CUDASIM=1`` turned ``numba.cuda`` into the simulator (Numba reads it once, at import)."""
    from numba.core import config

    return bool(config.ENABLE_CUDASIM)


def cuda_device():
    """The Numba CUDA kernels (``kernels/numba_cuda.py``), where they can run; the test skips elsewhere.

    * ``NUMBA_ENABLE_CUDASIM=1``: Numba's CUDA simulator, on NumPy arrays, on
      any machine (CI runs it, ``.ci/run``); CuPy is not needed;
    * else CuPy and an NVIDIA GPU: the real thing, on CuPy arrays;
    * else the test skips, saying what it needs.
    """
    from minikeras.kernels import numba_cuda

    if cuda_simulator_enabled():
        return Device("cuda-simulator", numba_cuda, numba_cuda, numba_cuda, numba_cuda, np.asarray, np.asarray)
    try:
        import cupy
    except ImportError:
        pytest.skip("the gpu tests need CuPy and an NVIDIA GPU, or NUMBA_ENABLE_CUDASIM=1 (Numba's CUDA simulator)")
    try:
        if cupy.cuda.runtime.getDeviceCount() == 0:
            pytest.skip("CuPy is installed but no GPU is visible (NUMBA_ENABLE_CUDASIM=1 runs the simulator)")
    except Exception as error:  # CUDARuntimeError without a driver
        pytest.skip(f"CuPy is installed but CUDA is not usable: {error}")
    return Device("cuda", numba_cuda, numba_cuda, numba_cuda, numba_cuda, cupy.asarray, cupy.asnumpy)


def _numba_device():
    from minikeras.kernels import numba_conv
    from minikeras.kernels import numba_depthwise
    from minikeras.kernels import numba_matmul
    from minikeras.kernels import numba_pool

    return Device("numba", numba_conv, numba_pool, numba_matmul, numba_depthwise, np.asarray, np.asarray)


@pytest.fixture(params=["numba", pytest.param("cuda", marks=pytest.mark.gpu)])
def device(request):
    return cuda_device() if request.param == "cuda" else _numba_device()


@pytest.fixture(params=["numpy", "numba", pytest.param("cuda", marks=pytest.mark.gpu)])
def conv_device(request):
    """As ``device``, plus ``kernels/numpy_im2col.py`` for the conv family."""
    if request.param == "numpy":
        from minikeras.kernels import numpy_im2col

        return Device("numpy", numpy_im2col, None, None, None, np.asarray, np.asarray)
    return cuda_device() if request.param == "cuda" else _numba_device()


def random_geometry(rng, pool=False):
    """One random 2-D case: shapes, strides, explicit pads, dilation.

    Pads stay below the window span so that every window holds a real cell
    (always true of Keras's "same" padding).
    """
    N, H, W, C = rng.integers(1, 3), rng.integers(1, 9), rng.integers(1, 9), rng.integers(1, 4)
    KH, KW = rng.integers(1, 4), rng.integers(1, 4)
    strides = (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
    dilation = (1, 1) if pool else (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
    span = ((KH - 1) * dilation[0] + 1, (KW - 1) * dilation[1] + 1)
    padding = tuple((int(rng.integers(0, s)), int(rng.integers(0, s))) for s in span)
    # Grow the input until at least one output position exists.
    H = max(H, span[0] - sum(padding[0]))
    W = max(W, span[1] - sum(padding[1]))
    return (int(N), int(H), int(W), int(C)), (int(KH), int(KW)), strides, padding, dilation
