"""The main job on two processes: ``mpiexec -n 2 python -m minikeras.examples.mnist_convnet``.

After ``test_mnist_convnet.py`` in file order, so Numba's compiled kernels
are already cached on disk (cold, the two processes compile for minutes).
"""

from tests.distribution.launch import run_mpi


def test_main_job_on_two_processes_prints_and_writes_once(tmp_path):
    arguments = ["-m", "minikeras.examples.mnist_convnet", "--epochs", "1", "--samples", "64",
                 "--batch-size", "32", "--out", str(tmp_path)]
    result, _ = run_mpi(2, arguments, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    lines = result.stdout.splitlines()
    # Rank 0 alone prints: each line of the report appears once.
    assert sum(line.startswith("x_train shape: (64, 28, 28, 1)") for line in lines) == 1
    assert sum(line.startswith("Test accuracy:") for line in lines) == 1
    assert sorted(path.name for path in tmp_path.iterdir()) == ["final_model.keras", "model_at_epoch_1.keras"]
