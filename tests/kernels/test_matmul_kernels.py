"""The tiled Numba matmul against the reference triple loop, and the kernel settings (``kernel_choice.py``)."""

import numpy as np
import pytest

from minikeras import config
from minikeras.autodiff.matmul import matmul as matmul_op
from minikeras.backend import kernel_choice
from minikeras.kernels import numba_matmul
from minikeras.kernels import reference

pytestmark = pytest.mark.kernels


@pytest.mark.parametrize("shape", [(1, 1, 1), (3, 5, 7), (65, 130, 67)])  # 65 > TILE: partial tiles
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tiled_matmul_matches_reference(shape, dtype):
    M, K, P = shape
    rng = np.random.default_rng(M)
    a = rng.standard_normal((M, K)).astype(dtype)
    b = rng.standard_normal((K, P)).astype(dtype)
    out = numba_matmul.matmul(a, b)
    assert out.dtype == dtype
    tolerance = 1e-4 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out, reference.matmul(a, b), rtol=tolerance, atol=tolerance)


def test_tiled_matmul_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match=r"\(2, 3\) and \(4, 5\)"):
        numba_matmul.matmul(np.ones((2, 3)), np.ones((4, 5)))


def test_matmul_choice_follows_the_settings():
    a, b = np.ones((2, 3)), np.ones((3, 4))
    assert kernel_choice.matmul_kernel(a, b) is np.matmul  # float64: BLAS by default
    with config.kernels(matmul="numba"):
        assert kernel_choice.matmul_kernel(a, b) is numba_matmul.matmul
        assert kernel_choice.matmul_kernel(np.ones((2, 2, 3)), b) is np.matmul  # batched: BLAS
        assert kernel_choice.matmul_kernel(a.astype(np.float32), b) is np.matmul  # mixed dtypes: BLAS
        np.testing.assert_allclose(matmul_op(a, b).numpy(), a @ b)
    with config.kernels(matmul="reference"):
        assert kernel_choice.matmul_kernel(a, b) is reference.matmul
    assert kernel_choice.matmul_kernel(a, b) is np.matmul  # the block is over
    with pytest.raises(ValueError, match="matmul='fast'"):
        with config.kernels(matmul="fast"):
            pass


def test_conv_and_pool_choice_follow_the_settings():
    from minikeras.kernels import numba_conv
    from minikeras.kernels import numba_pool
    from minikeras.kernels import numpy_im2col

    x, kernel = np.ones((1, 2, 2, 1)), np.ones((1, 1, 1, 1))
    assert kernel_choice.conv_kernels(x, kernel, (1, 1), (1, 1)) == (numba_conv.conv_forward,
                                                                    numba_conv.conv_backward)
    assert kernel_choice.max_pool_kernels(x) == (numba_pool.max_pool_forward, numba_pool.max_pool_backward)
    with config.kernels("reference") as settings:
        assert settings.kernels == "reference"
        assert kernel_choice.conv_kernels(x, kernel, (1, 1), (1, 1)) == (reference.conv_forward,
                                                                        reference.conv_backward)
        assert kernel_choice.average_pool_kernels(x) == (reference.average_pool_forward,
                                                         reference.average_pool_backward)
    with config.kernels(conv_algorithm="numpy"):
        assert kernel_choice.conv_kernels(x, kernel, (1, 1), (1, 1))[0] is numpy_im2col.conv_forward
    with pytest.raises(ValueError, match="kernels='cuda'"):
        with config.kernels("cuda"):
            pass


def test_settings_are_read_once_from_the_environment_or_the_file(tmp_path):
    """The variable wins over ``minikeras.json``, which wins over the default."""
    import json
    import os
    import subprocess
    import sys

    (tmp_path / "minikeras.json").write_text(json.dumps({"kernels": "reference", "matmul": "numba"}))
    code = "import minikeras; s = minikeras.config.kernel_settings(); print(s.kernels, s.conv_algorithm, s.matmul)"
    env = dict(os.environ, MINIKERAS_HOME=str(tmp_path), MINIKERAS_MATMUL="blas")
    env.pop("MINIKERAS_KERNELS", None)
    env.pop("MINIKERAS_CONV_ALGORITHM", None)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["reference", "winograd", "blas"]
    env["MINIKERAS_CONV_ALGORITHM"] = "fft"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert "MINIKERAS_CONV_ALGORITHM='fft'" in result.stderr
