"""Times minikeras's kernels against the NumPy references and PyTorch (CPU).

Run from the repository root (after ``pip install -e .``)::

    python bench/kernels.py                  # the full table, batch 128
    python bench/kernels.py --quick          # fewer repeats, no compile/threading probes

What it measures, for the guide's MNIST convnet at batch 128
(28x28x1 -> conv 3x3 64 -> conv 3x3 64 -> maxpool 2 -> conv 3x3 128 -> conv 3x3 128):

1. per kernel, forward and both backward passes (``dx``, ``dkernel``) for the
   NumPy reference, the Numba kernels and PyTorch with the same thread count,
   interleaved in one run (best of ``--repeats`` rounds); the reference runs on a
   smaller batch and is scaled linearly to 128 (it is a Python loop over
   output positions, linear in the batch), which the table says;
2. the peak extra memory of each Numba conv call (tracemalloc, beyond its
   inputs and output);
3. the tiled Numba matmul against BLAS;
4. the Numba threading layers (a subprocess each) on the conv pattern that
   alternates Numba-parallel loops and BLAS calls;
5. the cold compile time of all kernels and the cached start-up time.

On a shared machine the numbers move with the load: the header prints
``os.getloadavg()``.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc

import numpy as np

from minikeras.backend import kernel_choice
from minikeras.kernels import numba_pool
from minikeras.kernels import reference

# (input H = W, C, F) of the guide's four conv layers; the max pool follows the second.
CONV_LAYERS = [(28, 1, 64), (26, 64, 64), (12, 64, 128), (10, 128, 128)]
POOL_INPUT = (24, 24, 64)
VALID = ((0, 0), (0, 0))
ONE = (1, 1)


def run_time(function):
    """Wall time of one call of ``function()``, in ms."""
    start = time.perf_counter()
    function()
    return (time.perf_counter() - start) * 1000


def best_time(function, repeats):
    """Best wall time of ``function()`` over ``repeats`` runs, in ms (one warm-up run first)."""
    function()
    return min(run_time(function) for _ in range(repeats))


def numba_conv_functions(x, kernel):
    """The Numba conv functions minikeras would choose for this layer (Winograd or im2col)."""
    return kernel_choice.conv_kernels(x, kernel, ONE, ONE)


def reference_conv_functions(x, kernel):
    return reference.conv_forward, reference.conv_backward


def conv_tasks(choose, batch, rng):
    """{name: function} for the forward and both backward passes of each conv layer.

    ``choose(x, kernel)`` returns the ``(conv_forward, conv_backward)`` pair to time.
    """
    tasks = {}
    for H, C, F in CONV_LAYERS:
        x = rng.standard_normal((batch, H, H, C), dtype=np.float32)
        kernel = rng.standard_normal((3, 3, C, F), dtype=np.float32) * 0.1
        dy = rng.standard_normal((batch, H - 2, H - 2, F), dtype=np.float32)
        forward, backward = choose(x, kernel)
        name = f"conv {H}x{H}x{C}->{F}"
        tasks[f"{name} fwd"] = lambda x=x, k=kernel, f=forward: f(x, k)
        tasks[f"{name} dx"] = lambda x=x, d=dy, k=kernel, b=backward: b(x, None, d, k, need_kernel=False)[0]
        tasks[f"{name} dkernel"] = lambda x=x, d=dy, k=kernel, b=backward: b(x, None, d, k, need_input=False)[1]
    return tasks


def pool_tasks(kernels, batch, rng):
    x = np.maximum(rng.standard_normal((batch,) + POOL_INPUT, dtype=np.float32), 0)
    _, argmax = kernels.max_pool_forward(x, (2, 2), (2, 2), VALID)
    dy = rng.standard_normal((batch, 12, 12, 64), dtype=np.float32)
    return {
        "maxpool 2x2 fwd": lambda: kernels.max_pool_forward(x, (2, 2), (2, 2), VALID),
        "maxpool 2x2 bwd": lambda: kernels.max_pool_backward(dy, argmax, x.shape),
    }


def torch_tasks(torch, batch, rng):
    """The same passes in PyTorch (NCHW, its native layout), through aten's own backward ops."""
    aten = torch.ops.aten
    tasks = {}
    for H, C, F in CONV_LAYERS:
        x = torch.from_numpy(rng.standard_normal((batch, C, H, H), dtype=np.float32))
        w = torch.from_numpy(rng.standard_normal((F, C, 3, 3), dtype=np.float32) * 0.1)
        dy = torch.from_numpy(rng.standard_normal((batch, F, H - 2, H - 2), dtype=np.float32))
        name = f"conv {H}x{H}x{C}->{F}"
        args = ([1, 1], [0, 0], [1, 1], False, [0, 0], 1)  # stride, padding, dilation, transposed, ...
        tasks[f"{name} fwd"] = lambda x=x, w=w: torch.nn.functional.conv2d(x, w)
        tasks[f"{name} dx"] = lambda x=x, w=w, d=dy: aten.convolution_backward(d, x, w, None, *args, [True, False, False])
        tasks[f"{name} dkernel"] = lambda x=x, w=w, d=dy: aten.convolution_backward(d, x, w, None, *args, [False, True, False])
    x = torch.from_numpy(np.maximum(rng.standard_normal((batch, 64, 24, 24), dtype=np.float32), 0))
    _, indices = aten.max_pool2d_with_indices(x, [2, 2], [2, 2])
    dy = torch.from_numpy(rng.standard_normal((batch, 64, 12, 12), dtype=np.float32))
    tasks["maxpool 2x2 fwd"] = lambda: aten.max_pool2d_with_indices(x, [2, 2], [2, 2])
    tasks["maxpool 2x2 bwd"] = lambda: aten.max_pool2d_with_indices_backward(
        dy, x, [2, 2], [2, 2], [0, 0], [1, 1], False, indices
    )
    return tasks


def timing_table(args):
    """Runs every pass of every engine, interleaved, and prints the comparison table."""
    rng = np.random.default_rng(0)
    engines = {"numba": {**conv_tasks(numba_conv_functions, args.batch, rng), **pool_tasks(numba_pool, args.batch, rng)}}
    if args.reference_batch:
        ref = {**conv_tasks(reference_conv_functions, args.reference_batch, rng),
               **pool_tasks(reference, args.reference_batch, rng)}
        engines["reference"] = ref
    try:
        import torch

        torch.set_num_threads(args.threads)
        engines["torch"] = torch_tasks(torch, args.batch, rng)
    except ImportError:
        print("PyTorch is not installed: no torch column.")
    # Rounds outermost, engines innermost: a burst of load from other users
    # hits every kernel and engine alike, and the best round of each is kept.
    times = {engine: {name: float("inf") for name in engines["numba"]} for engine in engines}
    for round_index in range(args.repeats + 1):  # round 0 warms up (compiles, allocates)
        for name in engines["numba"]:
            for engine, tasks in engines.items():
                if engine == "reference" and round_index > 1:
                    continue  # slow: timed once, after its warm-up
                elapsed = run_time(tasks[name])
                if round_index > 0:
                    times[engine][name] = min(times[engine][name], elapsed)
    scale = args.batch / args.reference_batch if args.reference_batch else None
    print_table(times, scale, args.batch)
    return times


def print_table(times, reference_scale, batch):
    header = f"{f'kernel (batch {batch})':34s} {'reference':>10s} {'numba':>8s} {'torch':>8s} {'numba/torch':>12s} {'ref/numba':>10s}"
    print(header)
    print("-" * len(header))
    totals = {}
    for name in times["numba"]:
        group = "conv" if name.startswith("conv") else "maxpool"
        row = {engine: times[engine][name] for engine in times}
        if "reference" in row:
            row["reference"] *= reference_scale
        for engine, value in row.items():
            totals.setdefault(group, {}).setdefault(engine, 0.0)
            totals[group][engine] += value
        print(format_row(name, row))
    print("-" * len(header))
    for group, row in totals.items():
        print(format_row(f"TOTAL {group} (fwd + dx + dkernel)" if group == "conv" else f"TOTAL {group} (fwd + bwd)", row))
    if reference_scale:
        print(f"(best of the rounds; reference timed at batch {batch / reference_scale:.0f}, once, and scaled x{reference_scale:.0f})")


def format_row(name, row):
    numba, torch_time, ref = row["numba"], row.get("torch"), row.get("reference")
    cells = [f"{ref:10.1f}" if ref else f"{'-':>10s}", f"{numba:8.1f}", f"{torch_time:8.1f}" if torch_time else f"{'-':>8s}"]
    cells.append(f"{numba / torch_time:12.2f}" if torch_time else f"{'-':>12s}")
    cells.append(f"{ref / numba:10.1f}" if ref else f"{'-':>10s}")
    return f"{name:34s} " + " ".join(cells)


def peak_memory(batch):
    """Peak memory each Numba conv pass allocates beyond its output, in MB."""
    rng = np.random.default_rng(1)
    print("\nPeak extra memory per Numba conv call (beyond its output), batch", batch)
    for name, task in conv_tasks(numba_conv_functions, batch, rng).items():
        task()  # compiled and warm
        tracemalloc.start()
        output = task()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"  {name:34s} {(peak - output.nbytes) / 2**20:7.1f} MB")


def matmul_table(repeats):
    from minikeras.kernels import numba_matmul

    rng = np.random.default_rng(2)
    print("\nmatmul float32, (M, K) @ (K, P)        BLAS ms   tiled numba ms   GFLOP/s BLAS / numba")
    for M, K, P in [(128, 9216, 128), (1024, 1024, 1024)]:
        a = rng.standard_normal((M, K), dtype=np.float32)
        b = rng.standard_normal((K, P), dtype=np.float32)
        blas = best_time(lambda: a @ b, repeats)
        tiled = best_time(lambda: numba_matmul.matmul(a, b), repeats)
        flops = 2 * M * K * P / 1e6
        print(f"  ({M}, {K}) @ ({K}, {P})".ljust(40) + f"{blas:8.1f} {tiled:16.1f}   {flops / blas:7.0f} / {flops / tiled:.0f}")


_LAYER_PROBE = """
import time, numpy as np, numba
from minikeras.kernels import numba_winograd
x = np.random.default_rng(0).standard_normal((128, 26, 26, 64), dtype=np.float32)
k = np.random.default_rng(1).standard_normal((3, 3, 64, 64), dtype=np.float32)
dy = np.ones((128, 24, 24, 64), np.float32)
def step():
    numba_winograd.conv_forward(x, k); numba_winograd.conv_backward(x, None, dy, k)
step(); best = 1e9
for _ in range({repeats}):
    t = time.perf_counter(); step(); best = min(best, time.perf_counter() - t)
print(numba.threading_layer(), round(best * 1000, 1))
"""


def threading_layers(repeats):
    """Conv 2 fwd + dx + dkernel under each threading layer, one subprocess each."""
    print("\nThreading layer (conv 26x26x64->64, fwd + dx + dkernel, Numba loops between BLAS calls: Winograd transforms by default)")
    candidates = [("tbb", {}), ("workqueue", {}), ("omp", {}), ("omp", {"OMP_WAIT_POLICY": "passive"})]
    for layer, extra in candidates * 2:  # twice, to see the noise of a shared machine
        env = {**os.environ, "NUMBA_THREADING_LAYER": layer, **extra}
        if layer == "tbb":
            env.pop("NUMBA_THREADING_LAYER")  # minikeras's own choice
        run = subprocess.run([sys.executable, "-c", _LAYER_PROBE.format(repeats=repeats)], env=env, capture_output=True, text=True)
        label = layer + (" OMP_WAIT_POLICY=passive" if extra else "") + (" (minikeras's default)" if layer == "tbb" else "")
        result = run.stdout.strip() or run.stderr.strip().splitlines()[-1]
        print(f"  {label:40s} {result} ms")


_COMPILE_PROBE = """
import time
start = time.perf_counter()
import numpy as np
from minikeras.kernels import numba_conv, numba_matmul, numba_pool, numba_winograd
x = np.ones((2, 5, 5, 16), np.float32); k = np.ones((3, 3, 16, 4), np.float32); b = np.ones(4, np.float32)
g = dict(padding=((1, 1), (1, 1)))
for conv in (numba_conv, numba_winograd):
    for relu in (False, True):
        y = conv.conv_forward(x, k, b, relu, **g); conv.conv_backward(x, y, y, k, relu, **g)
p, i = numba_pool.max_pool_forward(x, (2, 2), (2, 2), ((0, 0), (0, 0))); numba_pool.max_pool_backward(p, i, x.shape)
q = numba_pool.average_pool_forward(x, (2, 2), (2, 2), ((0, 0), (0, 0))); numba_pool.average_pool_backward(q, x.shape, (2, 2), (2, 2), ((0, 0), (0, 0)))
numba_matmul.matmul(x[0, 0], k[0, 0])
print(round(time.perf_counter() - start, 2))
"""


def compile_times():
    """Import + first call of every float32 kernel: with an empty cache, then cached."""
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        cold = subprocess.run([sys.executable, "-c", _COMPILE_PROBE], env=env, capture_output=True, text=True)
        warm = subprocess.run([sys.executable, "-c", _COMPILE_PROBE], env=env, capture_output=True, text=True)
    print("\nStart-up: import + first call of every float32 kernel")
    print(f"  cold (empty Numba cache, compiles): {cold.stdout.strip() or cold.stderr[-300:]} s")
    print(f"  cached (second process):            {warm.stdout.strip() or warm.stderr[-300:]} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--reference-batch", type=int, default=8, help="batch of the reference runs (0: skip)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--quick", action="store_true", help="2 repeats, table only")
    args = parser.parse_args()
    if args.quick:
        args.repeats = 2
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"minikeras kernels vs PyTorch, {args.threads} threads, load average {load}, "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(auto)')}\n")
    timing_table(args)
    if args.quick:
        return
    peak_memory(args.batch)
    matmul_table(args.repeats)
    threading_layers(args.repeats)
    compile_times()


if __name__ == "__main__":
    main()
