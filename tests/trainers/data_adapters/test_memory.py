"""Streaming 2 GB of float32 through one epoch keeps memory bounded (issue 7, item 4).

Each check runs in a fresh subprocess that imports only minikeras and NumPy,
and reads the peak resident set size (``ru_maxrss``) before and after the
epoch: growth must stay under 200 MB although 2 GB pass through.
"""

import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.data

BATCHES = 512  # 512 batches x (4096, 256) float32 = 512 x 4 MiB = 2 GiB

_SOURCES = textwrap.dedent(
    """
    import resource, sys
    import numpy as np
    import minikeras
    from minikeras.utils import PyDataset

    BATCHES, N, D = %d, 4096, 256

    def generator():
        for index in range(BATCHES):
            yield np.full((N, D), index %% 7, dtype="float32"), np.ones((N, 1), dtype="float32")

    class Batches(PyDataset):
        def __len__(self):
            return BATCHES

        def __getitem__(self, index):
            return np.full((N, D), index %% 7, dtype="float32"), np.ones((N, 1), dtype="float32")

    def source(kind):
        if kind == "generator":
            return generator()
        return Batches(workers=2, max_queue_size=8)

    def peak_mb():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    """
    % BATCHES
)

_ITERATOR_EPOCH = _SOURCES + textwrap.dedent(
    """
    from minikeras.trainers.epoch_iterator import EpochIterator
    weights = np.zeros((D, 1), dtype="float32")
    iterator = EpochIterator(source(sys.argv[1]))
    before = peak_mb()
    steps = 0
    for step, (x, y) in iterator.enumerate_epoch():
        error = x @ weights - y                     # (N, 1): a linear model's residual
        weights -= 1e-6 * (x.T @ error) / len(x)    # one SGD step on the mean squared error
        steps += 1
    assert steps == BATCHES, steps
    assert [m for m in ("torch", "tensorflow", "pandas") if m in sys.modules] == []
    print(peak_mb() - before)
    """
)

_FIT_EPOCH = _SOURCES + textwrap.dedent(
    """
    model = minikeras.Sequential([minikeras.Input((D,)), minikeras.layers.Dense(4, activation="relu"),
                                  minikeras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.zeros((8, D), "float32"), np.zeros((8, 1), "float32"), verbose=0)  # warm up
    before = peak_mb()
    history = model.fit(source(sys.argv[1]), epochs=1, verbose=0)
    assert len(history.history["loss"]) == 1
    assert [m for m in ("torch", "tensorflow", "pandas") if m in sys.modules] == []
    print(peak_mb() - before)
    """
)


def _growth_mb(script, kind):
    result = subprocess.run([sys.executable, "-c", script, kind], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return float(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("kind", ["generator", "py_dataset"])
def test_two_gigabytes_through_the_epoch_iterator_in_bounded_memory(kind):
    growth = _growth_mb(_ITERATOR_EPOCH, kind)
    assert growth < 200, f"peak RSS grew by {growth:.0f} MB while streaming 2 GB"


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["generator", "py_dataset"])
def test_two_gigabytes_through_fit_of_a_dense_model_in_bounded_memory(kind):
    growth = _growth_mb(_FIT_EPOCH, kind)
    assert growth < 200, f"peak RSS grew by {growth:.0f} MB while fitting on 2 GB"
