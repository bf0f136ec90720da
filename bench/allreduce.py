"""All-reduce time against buffer size, and one training step on 1 process x 2 threads vs 2 processes x 1 thread.

Run ``python bench/allreduce.py`` (it starts the ``mpiexec`` jobs itself; needs
``pip install -e ".[distributed]"``). It prints two tables and the fitted
alpha-beta model, and writes them to ``bench/allreduce.json`` with
``--json``. ``bench/RESULTS.md`` ("Data parallel over MPI") projects them to
8, 64 and 512 processes.

1. All-reduce: ``mpiexec -n 2``; for float32 buffers from 4 B to 64 MiB, the
   median of repeated ``MPI_Allreduce`` calls (``MPICommunicator.allreduce_sum``,
   the call training makes) and of the NumPy ring (``ring_allreduce``). With
   p = 2 the ring costs ``2 alpha + n beta`` (``ring_allreduce.py``), so a
   least-squares line through the ring's times gives alpha and beta.
2. Step time: the guide's convnet, global batch 128, ``fit`` over 6 batches
   after one warm-up batch, as one process with 2 threads and as 2 processes
   with 1 thread each under ``DataParallel`` (64 samples each). The two
   configurations alternate, round by round, each in fresh processes.
"""

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import sysconfig
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
SIZES = [4 ** k for k in range(0, 13)]  # float32 elements: 1 ... 16M (4 B ... 64 MiB)
BATCH, STEPS = 128, 6


# ----------------------------------------------------------------- inside the MPI jobs


def worker_allreduce():
    from mpi4py import MPI

    from minikeras.distribution import communicator
    from minikeras.distribution import ring_allreduce

    world = communicator.MPICommunicator(MPI.COMM_WORLD)
    rows = []
    for size in SIZES:
        buffer = np.ones(size, np.float32)
        repeats = max(3, min(200, int(2e7 // (size * 4 + 4096))))
        row = {"elements": size, "bytes": size * 4}
        for name, function in (("mpi", world.allreduce_sum),
                               ("ring", lambda array: ring_allreduce.ring_allreduce(world.comm, array))):
            times = []
            for _ in range(repeats):
                world.barrier()
                start = time.perf_counter()
                function(buffer)
                times.append(time.perf_counter() - start)
            # Every rank must agree on one figure: the slowest rank's median.
            row[name] = max(world.allgather_object(statistics.median(times)))
        rows.append(row)
    if world.rank == 0:
        print(json.dumps(rows))


def worker_step():
    import minikeras as keras
    from minikeras.examples import mnist_convnet

    keras.distribution.set_distribution(keras.distribution.DataParallel())
    keras.utils.set_random_seed(0)
    model = mnist_convnet.build_model()
    mnist_convnet.compile_model(model)
    rng = np.random.default_rng(0)
    x = rng.random((BATCH * (STEPS + 1), 28, 28, 1), dtype=np.float32)
    y = rng.integers(0, 10, BATCH * (STEPS + 1))
    model.fit(x[:BATCH], y[:BATCH], batch_size=BATCH, verbose=0)  # compile / warm the kernels
    start = time.perf_counter()
    model.fit(x[BATCH:], y[BATCH:], batch_size=BATCH, verbose=0, shuffle=False)
    seconds = (time.perf_counter() - start) / STEPS
    if keras.distribution.distribution().process_id == 0:
        print(json.dumps({"step_seconds": seconds}))


# ----------------------------------------------------------------- the driver


def _mpiexec():
    beside = pathlib.Path(sysconfig.get_path("scripts")) / "mpiexec"
    return str(beside) if beside.exists() else "mpiexec"


def _launch(processes, threads, mode):
    environment = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS=str(threads),
                       OPENBLAS_NUM_THREADS=str(threads), NUMBA_NUM_THREADS=str(threads),
                       MKL_NUM_THREADS=str(threads))
    command = [_mpiexec(), "-n", str(processes), sys.executable, __file__, "--worker", mode]
    result = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=900, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def fit_alpha_beta(rows):
    """Least squares of the p = 2 ring times ``t = 2 alpha + bytes * beta``; returns (alpha, beta) in s and s/B."""
    sizes = np.array([row["bytes"] for row in rows], float)
    times = np.array([row["ring"] for row in rows], float)
    slope, intercept = np.polyfit(sizes, times, 1, w=1 / times)  # relative errors: small sizes count too
    return intercept / 2, slope


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", choices=["allreduce", "step"])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="also write bench/allreduce.json")
    arguments = parser.parse_args()
    if arguments.worker == "allreduce":
        return worker_allreduce()
    if arguments.worker == "step":
        return worker_step()
    print(f"load average at start: {os.getloadavg()}")
    rows = _launch(2, 1, "allreduce")
    print(f"\n{'bytes':>10} {'MPI_Allreduce us':>17} {'NumPy ring us':>14} {'MPI GB/s':>9}")
    for row in rows:
        print(f"{row['bytes']:>10} {row['mpi'] * 1e6:>17.1f} {row['ring'] * 1e6:>14.1f} "
              f"{row['bytes'] / row['mpi'] / 1e9:>9.2f}")
    alpha, beta = fit_alpha_beta(rows)
    print(f"\nring fit (p=2: t = 2 alpha + n beta): alpha = {alpha * 1e6:.1f} us, "
          f"beta = {beta * 1e9:.3f} ns/byte ({1 / beta / 1e9:.2f} GB/s)")
    steps = {"1 process x 2 threads": [], "2 processes x 1 thread": []}
    for _ in range(arguments.rounds):
        steps["1 process x 2 threads"].append(_launch(1, 2, "step")["step_seconds"])
        steps["2 processes x 1 thread"].append(_launch(2, 1, "step")["step_seconds"])
    print(f"\nguide convnet, global batch {BATCH}, ms per step (rounds: {arguments.rounds})")
    for name, values in steps.items():
        print(f"{name:>24}: best {min(values) * 1e3:.0f}  median {statistics.median(values) * 1e3:.0f}  "
              f"all {[round(v * 1e3) for v in values]}")
    print(f"load average at end: {os.getloadavg()}")
    if arguments.json:
        result = {"allreduce": rows, "alpha": alpha, "beta": beta, "steps": steps}
        (ROOT / "bench" / "allreduce.json").write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
