"""All-reduce time against buffer size, and one training step on 1 process x 2 threads vs 2 processes x 1 thread.

Run ``python bench/allreduce.py`` (it starts the ``mpiexec`` jobs itself; needs
``pip install -e ".[distributed]"``). It prints two tables and the fitted
alpha-beta model, and writes them to ``bench/allreduce.json`` with
``--json``. ``bench/RESULTS.md`` ("Data parallel over MPI") projects them to
8, 64 and 512 processes.

1. All-reduce: ``mpiexec -n 2``; for float32 buffers from 4 B to 64 MiB, the
   best (and the median) of repeated ``MPI_Allreduce`` calls
   (``MPICommunicator.allreduce_sum``, the call training makes) and of the
   NumPy ring (``ring_allreduce``). With
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
            # One figure for all ranks: the slowest rank's. The best call is the one no other
            # job interrupted (on a shared machine the median also counts waits for a core).
            row[name] = max(world.allgather_object(min(times)))
            row[f"{name}_median"] = max(world.allgather_object(statistics.median(times)))
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
    start, start_cpu = time.perf_counter(), time.process_time()
    model.fit(x[BATCH:], y[BATCH:], batch_size=BATCH, verbose=0, shuffle=False)
    seconds, cpu_seconds = (time.perf_counter() - start) / STEPS, (time.process_time() - start_cpu) / STEPS
    if keras.distribution.distribution().process_id == 0:
        # CPU time of this process (all its threads): on a machine shared with other jobs, the
        # wall clock also counts the time the process waited for a core.
        print(json.dumps({"step_seconds": seconds, "cpu_seconds": cpu_seconds}))


# ----------------------------------------------------------------- the driver


def _mpiexec():
    beside = pathlib.Path(sysconfig.get_path("scripts")) / "mpiexec"
    return str(beside) if beside.exists() else "mpiexec"


def _launch(processes, threads, mode, timeout=900):
    environment = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS=str(threads),
                       OPENBLAS_NUM_THREADS=str(threads), NUMBA_NUM_THREADS=str(threads),
                       MKL_NUM_THREADS=str(threads))
    command = [_mpiexec(), "-n", str(processes), sys.executable, __file__, "--worker", mode]
    try:
        result = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return None  # reported as such: a busy machine can make threads wait for each other for minutes
    return json.loads(result.stdout.strip().splitlines()[-1])


def fit_alpha_beta(rows):
    """Least squares of the p = 2 ring times ``t = 2 alpha + bytes * beta``; returns (alpha, beta) in s and s/B."""
    sizes = np.array([row["bytes"] for row in rows], float)
    times = np.array([row["ring"] for row in rows], float)
    slope, intercept = np.polyfit(sizes, times, 1, w=1 / times)  # relative errors: small sizes count too
    return intercept / 2, slope


# The networks of the projection (assumed, not measured here): per message latency alpha and
# seconds per byte beta, one process per machine, MPI over that link.
NETWORKS = {
    "10 GbE, TCP": (30e-6, 1 / 1.1e9),
    "InfiniBand HDR 200 Gb/s": (2e-6, 1 / 22e9),
}
GRADIENT_BYTES = 260_298 * 4 + 4  # the guide convnet's float32 gradients and the batch count
SMALL_COLLECTIVES = 2  # per step: the batch agreement (allgather) and the metric states (allreduce)


def step_seconds(processes, compute, alpha, beta):
    """Projected step: compute + ring all-reduce of the gradients + small collectives (log2 p rounds each).

    No overlap: minikeras reduces the gradients after the whole backward pass.
    """
    from minikeras.distribution.ring_allreduce import ring_allreduce_seconds

    rounds = int(np.ceil(np.log2(processes))) if processes > 1 else 0
    return compute + ring_allreduce_seconds(GRADIENT_BYTES, processes, alpha, beta) + SMALL_COLLECTIVES * rounds * alpha


def projection(compute, measured_alpha, measured_beta):
    """Weak scaling (64 samples per process) to 8, 64 and 512 processes, as Markdown rows."""
    networks = {"this machine's shared memory (measured)": (measured_alpha, measured_beta), **NETWORKS}
    lines = ["| network (alpha, 1/beta) | p | all-reduce ms | step ms | efficiency | images/s |", "|---|---|---|---|---|---|"]
    for name, (alpha, beta) in networks.items():
        for processes in (8, 64, 512):
            step = step_seconds(processes, compute, alpha, beta)
            lines.append(f"| {name} ({alpha * 1e6:.0f} us, {1 / beta / 1e9:.2f} GB/s) | {processes} | "
                         f"{(step - compute) * 1e3:.2f} | {step * 1e3:.0f} | {compute / step:.1%} | "
                         f"{64 * processes / step:,.0f} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", choices=["allreduce", "step"])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--step-timeout", type=float, default=300, help="seconds allowed to one step-time job")
    parser.add_argument("--json", action="store_true", help="also write bench/allreduce.json")
    parser.add_argument("--allreduce-only", action="store_true", help="skip the step times and the projection")
    arguments = parser.parse_args()
    if arguments.worker == "allreduce":
        return worker_allreduce()
    if arguments.worker == "step":
        return worker_step()
    print(f"load average at start: {os.getloadavg()}")
    rows = _launch(2, 1, "allreduce")
    print(f"\n{'bytes':>10} {'MPI_Allreduce us':>17} {'(median)':>9} {'NumPy ring us':>14} {'(median)':>9} {'MPI GB/s':>9}")
    for row in rows:
        print(f"{row['bytes']:>10} {row['mpi'] * 1e6:>17.1f} {row['mpi_median'] * 1e6:>9.1f} {row['ring'] * 1e6:>14.1f} "
              f"{row['ring_median'] * 1e6:>9.1f} {row['bytes'] / row['mpi'] / 1e9:>9.2f}")
    alpha, beta = fit_alpha_beta(rows)
    print(f"\nring fit (p=2: t = 2 alpha + n beta, best calls): alpha = {alpha * 1e6:.1f} us, "
          f"beta = {beta * 1e9:.3f} ns/byte ({1 / beta / 1e9:.2f} GB/s)")
    if arguments.allreduce_only:
        return
    steps = {"1 process x 2 threads": [], "2 processes x 1 thread": []}
    for _ in range(arguments.rounds):
        steps["1 process x 2 threads"].append(_launch(1, 2, "step", timeout=arguments.step_timeout))
        steps["2 processes x 1 thread"].append(_launch(2, 1, "step", timeout=arguments.step_timeout))
    print(f"\nguide convnet, global batch {BATCH}, ms per step (rounds: {arguments.rounds})")
    for name, values in steps.items():
        finished = [v for v in values if v is not None]
        if not finished:
            print(f"{name:>24}: no round finished within {arguments.step_timeout:.0f} s")
            continue
        walls, cpus = [v["step_seconds"] for v in finished], [v["cpu_seconds"] for v in finished]
        print(f"{name:>24}: wall best {min(walls) * 1e3:.0f} median {statistics.median(walls) * 1e3:.0f}; "
              f"CPU of rank 0 best {min(cpus) * 1e3:.0f} median {statistics.median(cpus) * 1e3:.0f}; "
              f"{len(values) - len(finished)} round(s) timed out")
    # The compute of 64 samples on one core: rank 0's CPU time in the 2-process runs (best round).
    compute = min(v["cpu_seconds"] for v in steps["2 processes x 1 thread"] if v is not None)
    print(f"\nprojection, weak scaling, compute {compute * 1e3:.0f} ms per 64 samples:\n")
    print(projection(compute, alpha, beta))
    print(f"load average at end: {os.getloadavg()}")
    if arguments.json:
        result = {"allreduce": rows, "alpha": alpha, "beta": beta, "steps": steps}
        (ROOT / "bench" / "allreduce.json").write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
