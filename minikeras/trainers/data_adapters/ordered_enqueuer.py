"""Loading ``PyDataset`` batches in parallel, in order, with bounded memory.

Place in the stack: a helper of ``py_dataset_adapter.py``. ``ordered_batches``
runs ``dataset[i]`` for the indices of one pass in a pool of ``workers``
threads (or processes), keeps at most ``max_queue_size`` batches requested
ahead, and yields them in index order:

    requested:  [0] [1] [2] [3]          (max_queue_size = 4)
    yield 0  -> request 4:  [1] [2] [3] [4]
    yield 1  -> request 5:  [2] [3] [4] [5]   ...

Workers finish out of order, but we always wait for the *oldest* request
first, so order is kept without any sorting. Memory is bounded because no
more than ``max_queue_size`` batches exist at once (plus the one in use).

Threads share the dataset. Processes get a copy of it when they start: with
the "fork" start method (Linux) the dataset is inherited, never pickled, and
only the batches travel back (pickled). Worker processes ignore Ctrl-C (the
main process handles it) and are terminated whenever the pass ends for any
reason: exhausted, an exception in ``__getitem__``, a ``KeyboardInterrupt``,
or the consumer closing the generator. So no worker outlives its pass.
"""

import collections
import multiprocessing
import multiprocessing.pool
import signal

# The dataset of this worker process (set once per process by ``_init_worker``).
_worker_dataset = None


def _init_worker(dataset):
    """Runs once in each worker process: remember the dataset, leave Ctrl-C to the parent."""
    global _worker_dataset
    _worker_dataset = dataset
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _get_batch_in_worker(index):
    """Runs in a worker process: one batch of the inherited dataset."""
    return _worker_dataset[index]


def _process_context():
    """"fork" where the platform has it (no pickling of the dataset), else "spawn"."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def make_pool(dataset, workers, use_multiprocessing):
    """A pool of ``workers`` threads or processes, and the function it runs.

    Returns:
        ``(pool, get_batch)``: ``pool.apply_async(get_batch, (index,))`` loads
        batch ``index``.
    """
    if use_multiprocessing:
        pool = _process_context().Pool(workers, initializer=_init_worker, initargs=(dataset,))
        return pool, _get_batch_in_worker
    return multiprocessing.pool.ThreadPool(workers), dataset.__getitem__


def ordered_batches(dataset, indices, workers, use_multiprocessing, max_queue_size):
    """Yields ``dataset[i]`` for ``i`` in ``indices``, in that order, loaded in parallel.

    Args:
        dataset: a ``PyDataset`` (anything with ``__getitem__``).
        indices: an iterable of batch indices (may be infinite).
        workers: threads or processes in the pool (at least 1).
        use_multiprocessing: processes instead of threads.
        max_queue_size: batches requested ahead (at least 1).

    Yields:
        The batches, exactly as ``__getitem__`` returned them.
    """
    pool, get_batch = make_pool(dataset, workers, use_multiprocessing)
    pending = collections.deque()  # AsyncResults, oldest first
    indices = iter(indices)
    try:
        # 1. Fill the queue.
        for index in indices:
            pending.append(pool.apply_async(get_batch, (index,)))
            if len(pending) >= max(1, max_queue_size):
                break
        # 2. Take the oldest, request one more, until nothing is pending.
        while pending:
            batch = pending.popleft().get()  # re-raises a worker's exception here
            for index in indices:
                pending.append(pool.apply_async(get_batch, (index,)))
                break
            yield batch
    finally:
        # 3. Whatever happened, no worker outlives the pass.
        pending.clear()
        pool.terminate()
        pool.join()
