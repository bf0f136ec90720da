"""The Numba threading layer: two threads at once, and a forked worker.

``kernels/runtime.py`` makes TBB loadable because PyDataset thread workers call the
kernels from several threads at once (Numba's ``workqueue`` layer aborts the
process then) and DataLoader/PyDataset process workers fork (GNU OpenMP
cannot be used again in a forked child).
"""

import multiprocessing
import threading

import numpy as np
import pytest

from minikeras.kernels import numba_conv

pytestmark = pytest.mark.kernels

_GEOMETRY = dict(strides=(1, 1), padding=((1, 1), (1, 1)), dilation=(1, 1))


def _conv_sum(seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((4, 8, 8, 3)).astype(np.float32)
    kernel = rng.standard_normal((3, 3, 3, 4)).astype(np.float32)
    return float(numba_conv.conv_forward(x, kernel, **_GEOMETRY).sum())


def test_the_threading_layer_is_thread_safe():
    import numba

    _conv_sum(0)  # runs a parallel kernel, which starts the layer
    assert numba.threading_layer() in ("tbb", "omp")  # never workqueue


def test_two_threads_call_kernels_at_once():
    expected = [_conv_sum(seed) for seed in range(2)]
    results = [None, None]
    barrier = threading.Barrier(2)

    def work(index):
        barrier.wait()  # start together, so the parallel regions overlap
        for _ in range(20):
            results[index] = _conv_sum(index)

    threads = [threading.Thread(target=work, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert results == expected


def test_a_forked_worker_can_call_kernels():
    import numba

    expected = _conv_sum(1)  # the parent has used the threading layer before forking
    if numba.threading_layer() != "tbb":
        pytest.skip("the tbb wheel is missing: Numba fell back to OpenMP, which a forked child cannot use")
    with multiprocessing.get_context("fork").Pool(1) as pool:
        result = pool.apply_async(_conv_sum, (1,)).get(timeout=120)
    assert result == pytest.approx(expected, rel=1e-6)
