"""Loading ``PyDataset`` batches in parallel, in order, with bounded memory.

Place in the stack: a helper of ``py_dataset_adapter.py``. ``ordered_batches``
runs ``dataset[i]`` for the indices of one pass in ``workers`` threads (or
processes), keeps at most ``max_queue_size`` batches requested ahead, and
yields them in index order:

    requested:  [0] [1] [2] [3]          (max_queue_size = 4)
    yield 0  -> request 4:  [1] [2] [3] [4]
    yield 1  -> request 5:  [2] [3] [4] [5]   ...

Workers finish out of order, but we always wait for the *oldest* request
first, so order is kept without any sorting. Memory is bounded because no
more than ``max_queue_size`` batches exist at once (plus the one in use).

Threads share the dataset (a ``ThreadPool``). Processes are our own small
pool, ``_ProcessWorkers``, rather than ``multiprocessing.Pool``: a ``Pool``
whose worker dies (killed, out of memory, ``os._exit`` in ``__getitem__``)
quietly starts a new one and never answers the lost request, so ``fit``
would wait forever. Here every process owns one pipe and we always know
which batch it holds; while waiting we watch the pipes *and* the processes'
sentinels (a handle that becomes ready when the process ends), so a death
becomes an error naming the batch and the exit code.

With the "fork" start method (Linux) the dataset is inherited, never
pickled, and only the batches travel back (pickled). Worker processes ignore
Ctrl-C (the main process handles it) and are stopped whenever the pass ends
for any reason: exhausted, an exception in ``__getitem__``, a dead worker, a
``KeyboardInterrupt``, or the consumer closing the generator. So no worker
outlives its pass.
"""

import collections
import multiprocessing
import multiprocessing.connection
import multiprocessing.pool
import pickle
import signal
import traceback


def _process_context():
    """"fork" where the platform has it (no pickling of the dataset), else "spawn"."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _worker_loop(dataset, connection):
    """Runs in a worker process: receive an index, send back ``(index, ok, batch or error)``.

    ``None`` means stop. An exception in ``__getitem__`` travels back with its
    traceback as text; anything that ends the process instead (``os._exit``,
    ``sys.exit``, a signal) is seen by the parent through the sentinel.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's business
    while True:
        index = connection.recv()
        if index is None:
            return
        try:
            connection.send((index, True, dataset[index]))
        except Exception as error:  # also a batch that cannot be pickled
            connection.send((index, False, _portable_error(error)))


def _portable_error(error):
    """``(error, traceback text)``, with the error itself replaced by a
    ``RuntimeError`` carrying its text when it cannot be pickled."""
    text = "".join(traceback.format_exception(error))
    try:
        pickle.loads(pickle.dumps(error))  # some exception classes cannot be rebuilt
    except Exception:
        error = RuntimeError(f"{type(error).__name__}: {error}")
    return error, text


class _ProcessWorkers:
    """``workers`` processes, each with one pipe and at most one batch at a time.

    ``submit(index)`` hands an index to an idle worker (or keeps it in a
    backlog until one is free); ``result(index)`` waits until that batch is
    back and returns it, re-raises the worker's exception, or raises
    ``RuntimeError`` if a busy worker died.
    """

    def __init__(self, dataset, workers):
        context = _process_context()
        self.idle = []           # (process, connection) free for a new index
        self.busy = {}           # connection -> (process, index it is loading)
        self.backlog = collections.deque()   # indices waiting for a free worker
        self.done = {}           # index -> (ok, batch or (error, traceback text))
        self.all = []
        try:
            for _ in range(workers):
                parent_end, child_end = context.Pipe()
                process = context.Process(target=_worker_loop, args=(dataset, child_end), daemon=True)
                process.start()
                child_end.close()  # the child's copy is the one that matters
                self.all.append((process, parent_end))
                self.idle.append((process, parent_end))
        except BaseException:
            self.close()  # the workers already started
            raise

    def submit(self, index):
        self.backlog.append(index)
        self._dispatch()

    def _dispatch(self):
        while self.backlog and self.idle:
            process, connection = self.idle.pop()
            index = self.backlog.popleft()
            self.busy[connection] = (process, index)
            try:
                connection.send(index)
            except OSError:  # the worker died while idle: its pipe is broken
                self._raise_dead(process, index)

    def result(self, index):
        """The batch ``index`` (submitted earlier), waiting as long as a worker is alive to send it."""
        while index not in self.done:
            # 1. Sleep until a busy worker answers or ends (its sentinel turns ready).
            sentinels = {process.sentinel: connection for connection, (process, _) in self.busy.items()}
            ready = multiprocessing.connection.wait(list(self.busy) + list(sentinels))
            # 2. Collect answers first: a worker may answer and then end.
            for connection in [c for c in ready if c in self.busy]:
                self._receive(connection)
            for sentinel in [s for s in ready if s in sentinels]:
                connection = sentinels[sentinel]
                if connection in self.busy and not connection.poll():
                    self._raise_dead(*self.busy[connection])
            self._dispatch()
        ok, payload = self.done.pop(index)
        if ok:
            return payload
        error, remote_traceback = payload
        error.add_note(f"\nRaised in a PyDataset worker process, in __getitem__({index}):\n{remote_traceback}")
        raise error

    def _receive(self, connection):
        process, index = self.busy[connection]
        try:
            index, ok, payload = connection.recv()
        except EOFError:  # the pipe closed mid-message: the process ended while sending
            self._raise_dead(process, index)
        del self.busy[connection]
        self.done[index] = (ok, payload)
        self.idle.append((process, connection))

    @staticmethod
    def _raise_dead(process, index):
        process.join(timeout=5)
        code = process.exitcode
        if code is not None and code < 0:
            how = f"was killed by signal {-code} ({signal.strsignal(-code)})"
        else:
            how = f"exited with code {code}"
        raise RuntimeError(
            f"A PyDataset worker process (pid {process.pid}) {how} while loading batch {index} "
            f"(`__getitem__({index})`). It may have run out of memory, been killed, or called "
            "`os._exit` / `sys.exit`. The other workers have been stopped."
        )

    def close(self):
        """Stops every worker now (terminate, then join: no process is left behind)."""
        for process, connection in self.all:
            if process.is_alive():
                process.terminate()
        for process, connection in self.all:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join()
            connection.close()
        self.all, self.idle, self.busy = [], [], {}


class _ThreadWorkers:
    """The same ``submit`` / ``result`` / ``close`` over a ``ThreadPool``.

    A thread cannot die alone (``os._exit`` ends the whole program), but
    ``sys.exit()`` in ``__getitem__`` raises ``SystemExit``, which a pool
    thread does not report: the request would never be answered. We turn it
    into an error instead.
    """

    def __init__(self, dataset, workers):
        self.dataset = dataset
        self.pool = multiprocessing.pool.ThreadPool(workers)
        self.pending = {}

    def _load(self, index):
        try:
            return self.dataset[index]
        except Exception:
            raise
        except BaseException as error:  # SystemExit, GeneratorExit...
            raise RuntimeError(
                f"`__getitem__({index})` of the PyDataset raised {error!r} in a worker thread "
                f"while loading batch {index}."
            ) from error

    def submit(self, index):
        self.pending[index] = self.pool.apply_async(self._load, (index,))

    def result(self, index):
        return self.pending.pop(index).get()  # re-raises the thread's exception here

    def close(self):
        self.pending.clear()
        self.pool.terminate()
        self.pool.join()


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

    Raises:
        The exception ``__getitem__`` raised, or ``RuntimeError`` naming the
        batch and the exit code when a worker process dies.
    """
    pool = (_ProcessWorkers if use_multiprocessing else _ThreadWorkers)(dataset, workers)
    pending = collections.deque()  # indices requested, oldest first
    indices = iter(indices)
    try:
        # 1. Fill the queue.
        for index in indices:
            pool.submit(index)
            pending.append(index)
            if len(pending) >= max(1, max_queue_size):
                break
        # 2. Take the oldest, request one more, until nothing is pending.
        while pending:
            batch = pool.result(pending.popleft())
            for index in indices:
                pool.submit(index)
                pending.append(index)
                break
            yield batch
    finally:
        # 3. Whatever happened, no worker outlives the pass.
        pending.clear()
        pool.close()
