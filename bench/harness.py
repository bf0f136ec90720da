"""What the training benchmarks share: one subprocess per engine, alternating round by round.

Each engine (minikeras, PyTorch) runs in a fresh process of the same script
(``--child minikeras`` / ``--child torch``), so that Numba's and PyTorch's
thread pools never share a process and each peak memory is its own. The
parent fixes the thread count for every library before the children import
anything, then alternates the engines for several rounds: on a shared
machine the speed of both moves from minute to minute, and a ratio between
neighbours is steadier than one between distant runs.

A script defines its own models, ``run_minikeras``/``run_torch`` and report,
and calls :func:`add_common_arguments`, :func:`fix_threads` and
:func:`alternate` from here.
"""

import argparse
import json
import os
import subprocess
import sys

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")


def add_common_arguments(parser, steps=20, warmup=3, engines=("minikeras", "torch")):
    """``--steps`` (alias ``--calls``), ``--warmup``, ``--rounds``, ``--threads`` and the hidden ``--child``."""
    parser.add_argument("--steps", "--calls", dest="steps", type=int, default=steps, help="timed steps (calls)")
    parser.add_argument("--warmup", type=int, default=warmup, help="untimed first steps")
    parser.add_argument("--rounds", type=int, default=3, help="alternations of the two engines")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--child", choices=list(engines), help=argparse.SUPPRESS)


def fix_threads(threads):
    """The same thread count for NumPy's BLAS, Numba and PyTorch, set before any child starts."""
    for variable in THREAD_VARIABLES:
        os.environ[variable] = str(threads)
    print(f"threads: {threads}; load average at start: {os.getloadavg()[0]:.2f} (the machine may be shared)")


def openblas_core_type():
    """The kernel set NumPy's OpenBLAS chose at load time ("Haswell", "SkylakeX"...), or "unknown".

    ``OPENBLAS_CORETYPE`` in the environment fixes it before any process
    starts; without it, a DYNAMIC_ARCH build picks the CPU's own.
    """
    import ctypes

    import numpy  # noqa: F401  (loads the library this reads)

    with open("/proc/self/maps") if os.path.exists("/proc/self/maps") else open(os.devnull) as maps:
        paths = sorted({line.split()[-1] for line in maps if "openblas" in line.lower()})
    for path in paths:
        library = ctypes.CDLL(path)
        for name in ("scipy_openblas_get_corename64_", "scipy_openblas_get_corename", "openblas_get_corename"):
            function = getattr(library, name, None)
            if function is not None:
                function.restype = ctypes.c_char_p
                return function().decode()
    return "unknown"


def child_result(script, engine, arguments, args):
    """Runs ``script --child engine arguments...`` and returns the JSON of its last output line."""
    command = [sys.executable, script, "--child", engine, *arguments,
               "--steps", str(args.steps), "--warmup", str(args.warmup), "--threads", str(args.threads)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def alternate_engines(script, engines, arguments, args):
    """``[(result of engines[0], result of engines[1], ...), ...]``, one tuple per round."""
    return [tuple(child_result(script, engine, arguments, args) for engine in engines)
            for _ in range(args.rounds)]


def alternate(script, arguments, args):
    """``[(minikeras result, PyTorch result), ...]``, one pair per round, engines alternating."""
    return alternate_engines(script, ("minikeras", "torch"), arguments, args)
