"""The processes of a job and the messages between them: a thin layer over MPI.

Place in the stack: the bottom of ``minikeras.distribution``. It owns the
one object that talks to MPI (``mpi4py``); everything above it (the
data-parallel hooks in ``data_parallel.py``, the synchronized batch
statistics in ``sync_batchnorm.py``) calls the few collective operations
below and never imports ``mpi4py`` itself. Read next: ``ring_allreduce.py``
(what an all-reduce does, written out with point-to-point messages), then
``distribution_lib.py`` (the Keras names).

Who is in the job: ``mpiexec -n 4 python train.py`` starts four copies of the
same script, numbered 0 to 3 (the *rank*). The launcher tells each copy its
rank through environment variables (``PMI_RANK``/``PMI_SIZE`` for MPICH and
Intel MPI, ``OMPI_COMM_WORLD_*`` for Open MPI). ``world()`` looks at them
first:

* no launcher variables, or a job of one process: a
  ``SingleProcessCommunicator`` whose collectives return their input. MPI is
  never started, so a plain ``python train.py`` does not need ``mpi4py``;
* several processes and ``mpi4py`` installed: an ``MPICommunicator`` over
  ``MPI.COMM_WORLD``;
* several processes and no ``mpi4py``: an error saying what to install
  (training each process alone, silently, would be wrong).

Collectives are *collective*: every rank must call the same ones in the same
order, or the job hangs. The trainer guarantees it by running the same steps
on every rank with batches of agreed sizes.
"""

import os
import sys
import time

import numpy as np

# Environment variables through which launchers announce the job's size.
LAUNCHER_SIZE_VARIABLES = ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "MV2_COMM_WORLD_SIZE")

# Gradients are summed in buckets of at most this many bytes. One bucket per
# step for models of minikeras's size; a larger model sends several, which
# caps the temporary buffer MPI allocates for an in-place reduction and keeps
# every message under MPI's int count limit (2**31 - 1 elements).
BUCKET_BYTES = 64 * 2**20

INSTALL_HINT = (
    'pip install "minikeras[distributed]"  (or: pip install mpi4py mpich), '
    "then start the job with `mpiexec -n N python script.py`"
)


def launcher_size():
    """The number of processes an MPI launcher announced, or 1 without a launcher."""
    for name in LAUNCHER_SIZE_VARIABLES:
        value = os.environ.get(name)
        if value and value.isdigit():
            return int(value)
    return 1


class SingleProcessCommunicator:
    """The job of one process: every collective returns what it was given."""

    rank = 0
    size = 1

    def allreduce_sum(self, array):
        """Sum over ranks of ``array`` (any shape): here, ``array`` itself."""
        return np.asarray(array)

    def broadcast_array(self, array, root=0):
        """Rank ``root``'s ``array`` on every rank: here, ``array`` itself."""
        return np.asarray(array)

    def broadcast_object(self, value, root=0):
        return value

    def allgather_object(self, value):
        """``[value of rank 0, value of rank 1, ...]``: here, ``[value]``."""
        return [value]

    def barrier(self):
        pass

    def abort(self, message, exit_code=1):
        """Prints ``message`` and ends the process (there is no other to stop)."""
        print(message, file=sys.stderr, flush=True)
        raise SystemExit(exit_code)


class MPICommunicator:
    """The processes of an MPI job (``MPI.COMM_WORLD``) and their collectives.

    Arrays travel as NumPy buffers (``Allreduce``, ``Bcast``: no pickling);
    small Python objects (a shape list, a random state) as pickles
    (``bcast``, ``allgather``).
    """

    def __init__(self, comm):
        self.comm = comm
        self.rank = comm.Get_rank()
        self.size = comm.Get_size()

    def allreduce_sum(self, array):
        """Element-wise sum over ranks; every rank receives the same result.

        Args:
            array: any shape; sent as one flat contiguous buffer, in buckets
                of at most ``BUCKET_BYTES``.
        Returns:
            A new array of ``array``'s shape and dtype.
        """
        from mpi4py import MPI

        result = np.array(array, copy=True, order="C")
        flat = result.reshape(-1)  # a view: the buckets are reduced in place
        step = max(1, BUCKET_BYTES // max(flat.itemsize, 1))
        for start in range(0, flat.size, step):
            self.comm.Allreduce(MPI.IN_PLACE, flat[start:start + step], op=MPI.SUM)
        return result

    def broadcast_array(self, array, root=0):
        """Rank ``root``'s values in an array of the same shape and dtype on every rank."""
        result = np.array(array, copy=True, order="C")
        self.comm.Bcast(result, root=root)
        return result

    def broadcast_object(self, value, root=0):
        return self.comm.bcast(value, root=root)

    def allgather_object(self, value):
        """``[value of rank 0, value of rank 1, ...]`` on every rank."""
        return self.comm.allgather(value)

    def barrier(self):
        self.comm.Barrier()

    def abort(self, message, exit_code=1):
        """Prints ``message`` and stops EVERY process of the job.

        A rank that failed cannot take part in the next collective, and the
        others would wait for it forever; ``MPI_Abort`` makes the launcher
        end them all, so the job fails fast instead of hanging.
        """
        print(message, file=sys.stderr, flush=True)
        sys.stdout.flush()
        time.sleep(_ABORT_GRACE_SECONDS)  # the launcher forwards our output before it ends the job
        self.comm.Abort(exit_code)


_WORLD = None
# How long a failing rank waits between printing its error and MPI_Abort.
_ABORT_GRACE_SECONDS = 0.5


def world():
    """The communicator of this process's job (created on first use, then kept)."""
    global _WORLD
    if _WORLD is None:
        _WORLD = _connect()
    return _WORLD


def _connect():
    size = launcher_size()
    if size <= 1:
        return SingleProcessCommunicator()
    try:
        from mpi4py import MPI
    except ImportError as error:
        raise ImportError(
            f"This process is one of {size} started by an MPI launcher, but mpi4py is not installed, "
            f"so the processes cannot exchange gradients. Install it: {INSTALL_HINT}."
        ) from error
    return MPICommunicator(MPI.COMM_WORLD)
