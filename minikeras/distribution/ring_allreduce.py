"""Ring all-reduce in NumPy: what ``MPI_Allreduce`` does, with point-to-point messages.

Place in the stack: next to ``communicator.py``, for reading. Training never
calls it (``MPICommunicator.allreduce_sum`` calls the MPI library, whose
algorithms are tuned per message size and network); a test checks that this
function and ``MPI_Allreduce`` give the same sums. Read next:
``distribution_lib.py``.

The problem: each of p processes holds a vector of n numbers (its
gradients); every process needs the element-wise sum. Sending everything to
rank 0 and back makes rank 0 receive (p - 1) * n numbers: its link is the
bottleneck, and it grows with p. The ring spreads the work evenly.

Cut every vector into p chunks. The processes form a ring: rank r sends to
rank r + 1 and receives from rank r - 1 (modulo p). For p = 3, chunks A B C::

    1. reduce-scatter, p - 1 rounds: in round k, rank r sends its partial
       sum of chunk (r - k) mod p to the right and adds the chunk it
       receives, (r - k - 1) mod p, into its own copy. After p - 1 rounds
       rank r holds the complete sum of chunk (r + 1) mod p.
    2. all-gather, p - 1 rounds: each rank passes the complete chunk it
       received last to the right, which overwrites its own copy. After
       p - 1 rounds every rank holds every complete chunk.

Cost (the alpha-beta model: a message of m bytes takes alpha + m * beta):
each rank sends 2 (p - 1) messages of n / p numbers, so

    T_ring = 2 (p - 1) * alpha + 2 (p - 1) / p * n * beta.

The bandwidth term 2 (p - 1) / p * n is below 2 n whatever p is: adding
processes does not make the all-reduce of a fixed model slower per byte,
which is why data parallelism scales. The latency term grows with p; for
small messages MPI libraries switch to trees (log2 p rounds) instead.
``bench/allreduce.py`` measures alpha and beta on this machine and
``bench/RESULTS.md`` projects them to 8, 64 and 512 processes.

Every chunk is summed on one rank and then copied, so all ranks end with
bit-identical results (necessary: their weights must stay identical).
"""

import numpy as np


def ring_allreduce(comm, array):
    """Element-wise sum of ``array`` over every process of ``comm``, by the ring algorithm.

    Args:
        comm: an ``mpi4py`` communicator (``MPI.COMM_WORLD``); only its
            ``Sendrecv`` (one message out to the right, one in from the left)
            is used.
        array: any shape, the same shape and dtype on every rank.
    Returns:
        The sum over ranks, of ``array``'s shape, identical on every rank.
    """
    rank, size = comm.Get_rank(), comm.Get_size()
    result = np.array(array, copy=True, order="C")
    if size == 1:
        return result
    # (n,) -> p chunks of about n / p: views into result, filled in place.
    chunks = np.array_split(result.reshape(-1), size)
    right, left = (rank + 1) % size, (rank - 1) % size
    # 1. Reduce-scatter: partial sums travel once around the ring.
    for round_index in range(size - 1):
        send = chunks[(rank - round_index) % size]
        target = chunks[(rank - round_index - 1) % size]
        received = np.empty_like(target)
        comm.Sendrecv(np.ascontiguousarray(send), dest=right, recvbuf=received, source=left)
        target += received
    # 2. All-gather: the complete chunks travel once around the ring.
    for round_index in range(size - 1):
        send = chunks[(rank + 1 - round_index) % size]
        target = chunks[(rank - round_index) % size]
        received = np.empty_like(target)
        comm.Sendrecv(np.ascontiguousarray(send), dest=right, recvbuf=received, source=left)
        target[...] = received
    return result


def ring_allreduce_seconds(num_bytes, processes, alpha, beta):
    """The alpha-beta model of ``ring_allreduce``: ``2(p-1) alpha + 2(p-1)/p * bytes * beta``.

    Args:
        num_bytes: size of the vector summed (e.g. 4 bytes per float32 gradient).
        processes: p.
        alpha: seconds per message (latency).
        beta: seconds per byte (inverse bandwidth).
    Returns:
        Seconds for one all-reduce (0 for one process).
    """
    if processes <= 1:
        return 0.0
    rounds = 2 * (processes - 1)
    return rounds * alpha + rounds / processes * num_bytes * beta
