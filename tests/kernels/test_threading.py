"""The Numba threading layer: two threads at once, and a forked worker; ``runtime.run_parallel``.

``kernels/runtime.py`` makes TBB loadable because PyDataset thread workers call the
kernels from several threads at once (Numba's ``workqueue`` layer aborts the
process then) and DataLoader/PyDataset process workers fork (GNU OpenMP
cannot be used again in a forked child). The conv, Winograd and pooling
kernels split their loops over threads with ``runtime.run_parallel``
instead of ``prange``: its pieces must cover the range once, give the same
numbers for any thread count, and raise a piece's error in the caller. The
tests run with one Numba thread, so they ask for three by replacing
``numba.get_num_threads``.
"""

import multiprocessing
import threading
import time

import numpy as np
import pytest

from minikeras.kernels import numba_conv
from minikeras.kernels import numba_pool
from minikeras.kernels import numba_winograd
from minikeras.kernels import runtime

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


def test_run_parallel_covers_the_range_once_in_pieces(monkeypatch):
    import numba

    monkeypatch.setattr(numba, "get_num_threads", lambda: 3)
    for count in (2, 10, 100):
        pieces, counts = [], np.zeros(count, dtype=int)

        def kernel(counts, first, last):
            pieces.append((first, last))
            counts[first:last] += 1

        runtime.run_parallel(kernel, count, counts)
        assert counts.tolist() == [1] * count
        assert len(pieces) == min(count, runtime.PIECES_PER_THREAD * 3)
        assert [first for first, _ in sorted(pieces)] == [0] + [last for _, last in sorted(pieces)][:-1]


def test_run_parallel_raises_the_error_of_a_piece(monkeypatch):
    import numba

    monkeypatch.setattr(numba, "get_num_threads", lambda: 2)

    def kernel(first, last):
        if first == 2:
            raise IndexError(f"piece {first}:{last}")

    with pytest.raises(IndexError, match="piece 2:3"):
        runtime.run_parallel(kernel, 4)


def test_run_parallel_gives_each_thread_its_own_scratch(monkeypatch):
    """``scratch``: one ``empty_like`` of each template per thread, after the other arguments."""
    import numba

    monkeypatch.setattr(numba, "get_num_threads", lambda: 3)
    template = np.zeros((2, 3), dtype=np.float32)
    seen = []  # (thread, buffer) per piece

    def kernel(tag, work, first, last):
        assert tag == "args first" and work.shape == (2, 3) and work.dtype == np.float32 and work is not template
        work[...] = threading.get_ident() % 1000  # a thread writing into another's buffer would show below
        time.sleep(0.001)  # let the threads overlap
        assert (work == threading.get_ident() % 1000).all()
        seen.append((threading.get_ident(), id(work)))

    runtime.run_parallel(kernel, 24, "args first", scratch=(template,))
    buffers = {}
    for thread, buffer in seen:
        buffers.setdefault(thread, set()).add(buffer)
    assert len(seen) == min(24, runtime.PIECES_PER_THREAD * 3)
    assert all(len(ids) == 1 for ids in buffers.values())  # a thread keeps its buffer for all its pieces
    assert (template == 0).all()


def test_two_callers_share_the_helpers(monkeypatch):
    """Two Python threads at once: one hands pieces to the helpers, the other runs its range itself."""
    import numba

    monkeypatch.setattr(numba, "get_num_threads", lambda: 3)
    counts = np.zeros((2, 30), dtype=int)
    barrier = threading.Barrier(2)

    def kernel(row, first, last):
        counts[row, first:last] += 1

    def work(row):
        barrier.wait()
        for _ in range(50):
            runtime.run_parallel(kernel, 30, row)

    threads = [threading.Thread(target=work, args=(row,)) for row in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert (counts == 50).all()


def test_the_kernels_give_the_same_numbers_on_one_thread_and_three(monkeypatch):
    import numba

    rng = np.random.default_rng(3)
    x = rng.standard_normal((5, 7, 6, 4)).astype(np.float32)
    kernel = rng.standard_normal((3, 3, 4, 3)).astype(np.float32)
    bias = rng.standard_normal(3).astype(np.float32)

    def outputs():
        y = numba_winograd.conv_forward(x, kernel, bias, True, padding=((1, 1), (1, 1)))
        grads = numba_winograd.conv_backward(x, y, y, kernel, True, padding=((1, 1), (1, 1)))
        y2 = numba_conv.conv_forward(x, kernel, bias, True, strides=(2, 1))
        grads2 = numba_conv.conv_backward(x, y2, y2, kernel, True, strides=(2, 1))
        pooled, argmax = numba_pool.max_pool_forward(x, (2, 2), (2, 2), ((0, 0), (0, 0)))
        return [y, *grads, y2, *grads2, pooled, argmax, numba_pool.max_pool_backward(pooled, argmax, x.shape)]

    one = outputs()
    monkeypatch.setattr(numba, "get_num_threads", lambda: 3)
    three = outputs()
    for a, b in zip(one, three):
        np.testing.assert_array_equal(a, b)
