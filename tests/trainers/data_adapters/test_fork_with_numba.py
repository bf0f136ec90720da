"""Forked PyDataset workers and Numba's parallel kernels get along.

The parent runs a parallel (``prange``) kernel, so Numba's threading layer
(TBB, made loadable by ``kernels/runtime.py``) is live before the workers fork; each
worker then runs the same kernel inside ``__getitem__``, and the parent keeps
running it between batches, as a model step does. With an unsafe layer this
deadlocks or aborts, so the check runs in a subprocess with a timeout.
"""

import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.data

_SCRIPT = textwrap.dedent(
    """
    import multiprocessing
    import numpy as np
    from minikeras.kernels.numba_matmul import matmul
    from minikeras.kernels.numba_pool import max_pool_forward
    from minikeras.trainers.epoch_iterator import EpochIterator
    from minikeras.utils import PyDataset

    class Pooled(PyDataset):
        def __len__(self):
            return 6

        def __getitem__(self, index):
            images = np.full((2, 4, 4, 3), float(index), dtype="float32")
            pooled, _ = max_pool_forward(images, (2, 2), (2, 2), ((0, 0), (0, 0)))   # (2, 2, 2, 3)
            return pooled.reshape(2, -1), np.full((2, 1), float(index), dtype="float32")

    weights = np.ones((12, 1), dtype="float32")
    matmul(np.ones((8, 12), "float32"), weights)          # the threading layer is now running
    dataset = Pooled(workers=2, use_multiprocessing=True)
    for epoch in range(2):
        seen = []
        for step, (x, y) in EpochIterator(dataset).enumerate_epoch():
            prediction = matmul(x, weights)               # a model step in the parent
            assert np.allclose(prediction[:, 0], 12 * y[:, 0])
            seen.append(int(y[0, 0]))
        assert seen == list(range(6)), seen
    assert not multiprocessing.active_children()
    import numba
    print(numba.threading_layer())
    """
)


def test_process_workers_and_parallel_kernels_do_not_deadlock():
    result = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() in ("tbb", "omp", "workqueue")
