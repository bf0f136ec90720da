"""The tiled Numba matmul against the reference triple loop, and the BLAS/Numba switch."""

import numpy as np
import pytest

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


def test_matmul_choice_follows_the_environment(monkeypatch):
    a, b = np.ones((2, 3)), np.ones((3, 4))
    assert kernel_choice.matmul_function(a, b) is np.matmul  # BLAS by default
    monkeypatch.setenv("MINIKERAS_MATMUL", "numba")
    assert kernel_choice.matmul_function(a, b) is numba_matmul.matmul
    assert kernel_choice.matmul_function(np.ones((2, 2, 3)), b) is np.matmul  # batched: BLAS
    np.testing.assert_allclose(matmul_op(a, b).numpy(), a @ b)
    monkeypatch.setenv("MINIKERAS_MATMUL", "fast")
    with pytest.raises(ValueError, match="MINIKERAS_MATMUL"):
        kernel_choice.matmul_function(a, b)


def test_conv_kernel_choice_follows_the_environment(monkeypatch):
    from minikeras.kernels import numba_cpu

    x = np.ones((1, 2, 2, 1))
    assert kernel_choice.conv_kernels(x) is numba_cpu
    monkeypatch.setenv("MINIKERAS_KERNELS", "reference")
    assert kernel_choice.conv_kernels(x) is reference
    monkeypatch.setenv("MINIKERAS_KERNELS", "cuda")
    with pytest.raises(ValueError, match="MINIKERAS_KERNELS"):
        kernel_choice.conv_kernels(x)
