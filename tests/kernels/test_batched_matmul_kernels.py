"""The ``batched_matmul`` family: the threaded split (``threaded_matmul.py``) and the GPU's against the reference."""

import threading

import numpy as np
import pytest

from minikeras.backend import kernel_choice
from minikeras.kernels import reference
from minikeras.kernels import runtime
from minikeras.kernels import threaded_matmul
from tests.kernels.conftest import cuda_device

pytestmark = pytest.mark.kernels


@pytest.fixture
def three_blas_threads(monkeypatch):
    """NumPy's BLAS on 3 threads and ``run_parallel`` cutting in 3 (the suite runs on one thread): stacks are split."""
    import numba

    control = runtime.blas_thread_control()
    if control is None:
        pytest.skip("NumPy's BLAS is not an OpenBLAS whose thread count can be set: the stacks are never split")
    monkeypatch.setattr(numba, "get_num_threads", lambda: 3)  # run_parallel's count, as in test_threading.py
    get_num_threads, set_num_threads = control
    previous = get_num_threads()
    set_num_threads(3)
    yield
    set_num_threads(previous)


def _stacks(rng, shape, dtype):
    G, M, K, P = shape
    return rng.standard_normal((G, M, K)).astype(dtype), rng.standard_normal((G, K, P)).astype(dtype)


# 7 matrices in 3 parts of 2, 2, 3; 2 matrices for 3 threads (two parts); 1 matrix: not split; empty stack.
@pytest.mark.parametrize("shape", [(7, 5, 3, 4), (2, 3, 4, 2), (1, 2, 2, 2), (0, 2, 3, 4)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_threaded_split_matches_reference(three_blas_threads, shape, dtype):
    a, b = _stacks(np.random.default_rng(shape[0]), shape, dtype)
    out = threaded_matmul.batched_matmul(a, b)
    assert out.dtype == dtype and out.shape == (shape[0], shape[1], shape[3])
    tolerance = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out, reference.batched_matmul(a, b), rtol=tolerance, atol=tolerance)
    assert runtime.blas_threads() == 3  # BLAS's own thread count is given back


def test_threaded_split_takes_strided_stacks(three_blas_threads):
    # Transposed views, as einsum_pair may hand over: each part is a strided slice.
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((4, 6, 5)).transpose(1, 0, 2), rng.standard_normal((6, 3, 5)).transpose(0, 2, 1)
    np.testing.assert_allclose(threaded_matmul.batched_matmul(a, b), np.matmul(a, b), rtol=1e-12)


def test_threaded_split_of_4d_stacks_into_a_strided_output(three_blas_threads):
    # Attention's layout: (B, N) stacks read from (B, T, N, H) arrays, written into one.
    rng = np.random.default_rng(4)
    p, v = rng.standard_normal((5, 2, 3, 4)), rng.standard_normal((5, 4, 2, 3))  # (B, N, T, S), (B, S, N, H)
    out = np.full((5, 3, 2, 3), np.nan)  # (B, T, N, H)
    returned = threaded_matmul.batched_matmul(p, v.transpose(0, 2, 1, 3), out=out.transpose(0, 2, 1, 3))
    expected = reference.batched_matmul(p, np.ascontiguousarray(v.transpose(0, 2, 1, 3)))
    np.testing.assert_allclose(out.transpose(0, 2, 1, 3), expected, rtol=1e-12)
    assert np.shares_memory(returned, out)


def test_each_piece_runs_on_one_blas_thread(three_blas_threads, monkeypatch):
    seen = []  # (thread, BLAS threads) for each piece

    def recording_products(a, b, out, first, last):
        seen.append((threading.get_ident(), runtime.blas_threads(), first, last))
        np.matmul(a[first:last], b[first:last], out=out[first:last])

    monkeypatch.setattr(threaded_matmul, "_products", recording_products)
    a, b = _stacks(np.random.default_rng(5), (6, 2, 3, 2), np.float64)
    np.testing.assert_allclose(threaded_matmul.batched_matmul(a, b), reference.batched_matmul(a, b), rtol=1e-12)
    # run_parallel's pieces (several per thread) cover the stack once, in order, without overlap.
    pieces = sorted(piece[2:] for piece in seen)
    assert pieces[0][0] == 0 and pieces[-1][1] == 6 and len(pieces) > 1
    assert all(end == start for (_, end), (start, _) in zip(pieces, pieces[1:]))
    assert len({piece[0] for piece in seen}) <= 3 and {piece[1] for piece in seen} == {1}


def test_another_split_in_progress_gives_one_matmul(three_blas_threads):
    a, b = _stacks(np.random.default_rng(2), (5, 2, 3, 2), np.float64)
    with threaded_matmul._lock:  # as if another thread were splitting a stack: BLAS's setting is busy
        out = threaded_matmul.batched_matmul(a, b)
    np.testing.assert_allclose(out, reference.batched_matmul(a, b), rtol=1e-12)


def test_batched_matmul_rejects_mismatched_stacks():
    with pytest.raises(ValueError, match=r"\(2, 3, 4\) and \(3, 4, 5\)"):
        threaded_matmul.batched_matmul(np.ones((2, 3, 4)), np.ones((3, 4, 5)))


def test_stacks_of_products_go_to_the_threaded_split():
    stack = np.ones((2, 3, 3))
    assert kernel_choice.matmul_kernel(stack, stack) is threaded_matmul.batched_matmul
    assert kernel_choice.matmul_kernel(stack, np.ones((1, 3, 3))) is np.matmul  # broadcast stacks: NumPy's
    assert kernel_choice.matmul_kernel(np.ones((2, 3)), np.ones((3, 3))) is np.matmul


@pytest.mark.gpu
def test_cuda_batched_matmul_matches_reference():
    device = cuda_device()
    a, b = _stacks(np.random.default_rng(3), (3, 2, 4, 3), np.float32)
    out = device.to_numpy(device.matmul.batched_matmul(device.to_device(a), device.to_device(b)))
    np.testing.assert_allclose(out, reference.batched_matmul(a, b), rtol=1e-5, atol=1e-5)
