"""The first run's compile time: the main job with an empty Numba cache, then again with a warm one.

Numba compiles each kernel the first time it is called with new argument
types and keeps the machine code on disk (``cache=True``). A user's first
run of ``python -m minikeras.examples.mnist_convnet`` therefore pays for
every kernel the job calls; later runs load them. This script measures that
first run and the second one, each in a fresh process (``import minikeras``
timed apart):

1. **cold**: ``NUMBA_CACHE_DIR`` set to a new empty folder, so nothing is
   found on disk (a fresh install);
2. **warm**: the same command with the folder the cold run filled.

In each child, a listener on Numba's ``numba:compile`` event times every
compilation (wall clock and process CPU time); only the outermost ones are
added up, since compiling a kernel compiles the functions it calls inside
its own event. The report gives the whole run's wall clock and CPU time,
the compile seconds, the seconds Python's garbage collector ran (anywhere
in the job: ``kernels/runtime.py`` pauses it while a kernel compiles, so a
collection it owes is counted here, not hidden), and the kernels compiled,
slowest first.

Usage::

    python bench/cold_start.py                        # the main job as the README runs it
    python bench/cold_start.py --threads 2 -- --epochs 1 --samples 500   # arguments after -- go to the job
    python bench/cold_start.py --module minikeras.examples.denoising_autoencoder

Measure on a quiet machine: compilation is single-threaded CPU work, and on
a shared machine its wall clock grows with the load (``bench/RESULTS.md``).
"""

import argparse
import gc
import json
import os
import runpy
import subprocess
import sys
import tempfile
import time

import harness  # bench/harness.py: the script's folder is on sys.path

JOB = "minikeras.examples.mnist_convnet"


def run_child(module, job_arguments, report_path):
    """In the child: runs ``module`` as ``__main__`` with a compile listener; writes the JSON report."""
    start, start_cpu = time.perf_counter(), time.process_time()
    collections = []  # process time at the start and at the end of each garbage collection
    gc.callbacks.append(lambda phase, info: collections.append(time.process_time()))
    import minikeras  # noqa: F401  (timed first and alone: importing compiles nothing)

    imported = time.perf_counter()
    from numba.core import event

    open_events, compiles = [], []

    class CompileTimer(event.Listener):
        def on_start(self, ev):
            open_events.append((time.perf_counter(), time.process_time()))

        def on_end(self, ev):
            wall, cpu = open_events.pop()
            if open_events:  # a function compiled inside another's compilation: counted there
                return
            function = getattr(ev.data["dispatcher"], "py_func", None)
            name = f"{function.__module__}.{function.__qualname__}" if function else str(ev.data["dispatcher"])
            compiles.append({"kernel": name, "wall_s": time.perf_counter() - wall,
                             "cpu_s": time.process_time() - cpu, "args": str(ev.data["args"])})

    event.register("numba:compile", CompileTimer())
    sys.argv = [module, *job_arguments]
    runpy.run_module(module, run_name="__main__", alter_sys=True)
    report = {"total_s": time.perf_counter() - start, "total_cpu_s": time.process_time() - start_cpu,
              "gc_cpu_s": sum(collections[1::2]) - sum(collections[0::2]),  # each collection: a start, a stop
              "import_s": imported - start, "compiles": compiles,
              "compile_wall_s": sum(c["wall_s"] for c in compiles),
              "compile_cpu_s": sum(c["cpu_s"] for c in compiles)}
    with open(report_path, "w") as file:
        json.dump(report, file)


def measure(module, job_arguments, cache_dir, out_dir, label):
    """Runs one child with ``NUMBA_CACHE_DIR=cache_dir``; returns its report, process start included."""
    report_path = os.path.join(out_dir, f"{label}.json")
    command = [sys.executable, os.path.abspath(__file__), "--child", report_path, "--module", module, "--",
               *job_arguments]
    environment = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    start = time.perf_counter()
    output = subprocess.run(command, check=True, env=environment, cwd=out_dir, stdout=subprocess.PIPE,
                            text=True).stdout
    wall = time.perf_counter() - start
    with open(report_path) as file:
        report = json.load(file)
    report["process_s"] = wall
    report["last_line"] = (output.strip().splitlines() or [""])[-1]  # the main job: its test accuracy
    return report


def print_report(label, report, top):
    print(f"{label}: whole process {report['process_s']:.1f} s (the job {report['total_s']:.1f} s, "
          f"{report['total_cpu_s']:.1f} s CPU, of which import minikeras {report['import_s']:.2f} s, "
          f"garbage collection {report['gc_cpu_s']:.2f} s CPU); "
          f"compiling {report['compile_wall_s']:.1f} s wall, {report['compile_cpu_s']:.1f} s CPU, "
          f"{len(report['compiles'])} kernels")
    for entry in sorted(report["compiles"], key=lambda c: -c["wall_s"])[:top]:
        print(f"    {entry['wall_s']:6.2f} s wall {entry['cpu_s']:6.2f} s CPU  {entry['kernel']}")
    print(f"    the job's last line: {report['last_line']}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", default=JOB, help="the job, run as python -m MODULE")
    parser.add_argument("--threads", type=int, default=None, help="thread count for BLAS and Numba (default: unset)")
    parser.add_argument("--top", type=int, default=12, help="kernels listed per run")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("job_arguments", nargs="*", help="arguments for the job, after --")
    args = parser.parse_args()
    if args.child:
        run_child(args.module, args.job_arguments, args.child)
        return
    if args.threads is not None:
        harness.fix_threads(args.threads)
    print(f"load average at start: {os.getloadavg()[0]:.2f}; job: python -m {args.module} {' '.join(args.job_arguments)}")
    with tempfile.TemporaryDirectory(prefix="minikeras_cold_") as folder:
        cache_dir = os.path.join(folder, "numba_cache")  # created empty by Numba on the first write
        cold = measure(args.module, args.job_arguments, cache_dir, folder, "cold")
        warm = measure(args.module, args.job_arguments, cache_dir, folder, "warm")
    print_report("cold (empty Numba cache)", cold, args.top)
    print_report("warm (the cache the cold run wrote)", warm, args.top)
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
