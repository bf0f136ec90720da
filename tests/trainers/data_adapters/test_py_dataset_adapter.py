"""PyDataset: the Keras contract, ordered parallel loading, clean shutdown."""

import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import warnings

import numpy as np
import pytest

from minikeras.trainers.data_adapters import get_data_adapter
from minikeras.trainers.data_adapters.ordered_enqueuer import ordered_batches
from minikeras.trainers.epoch_iterator import EpochIterator
from minikeras.utils import PyDataset

pytestmark = pytest.mark.data


class Squares(PyDataset):
    """Batch i is x = [[i], [i]] and y = [i*i, i*i]; odd batches arrive late
    so that parallel workers finish out of order."""

    def __init__(self, num_batches=6, fail_at=None, **kwargs):
        super().__init__(**kwargs)
        self.count = num_batches
        self.fail_at = fail_at
        self.epoch_ends = 0

    def __len__(self):
        return self.count

    def __getitem__(self, index):
        if index == self.fail_at:
            raise RuntimeError(f"broken batch {index}")
        if index % 2:
            time.sleep(0.01)
        return np.full((2, 1), float(index)), np.full(2, index * index)

    def on_epoch_end(self):
        self.epoch_ends += 1


def _first_values(adapter):
    return [int(batch[0][0, 0]) for batch in adapter.get_numpy_iterator()]


@pytest.mark.parametrize("workers, use_multiprocessing", [(1, False), (3, False), (2, True)])
def test_batches_arrive_in_order(workers, use_multiprocessing):
    adapter = get_data_adapter(Squares(workers=workers, use_multiprocessing=use_multiprocessing, max_queue_size=2))
    assert adapter.num_batches == 6
    batches = list(adapter.get_numpy_iterator())
    assert [int(b[0][0, 0]) for b in batches] == list(range(6))
    assert batches[3][1].tolist() == [9, 9] and batches[0][0].dtype == np.float32
    assert not multiprocessing.active_children()


def test_shuffle_permutes_batch_indices():
    import random

    random.seed(3)
    values = _first_values(get_data_adapter(Squares(num_batches=8), shuffle=True))
    assert sorted(values) == list(range(8)) and values != list(range(8))


def test_queue_is_bounded():
    requested = []

    class Recording(Squares):
        def __getitem__(self, index):
            requested.append(index)
            return super().__getitem__(index)

    batches = ordered_batches(Recording(num_batches=20), range(20), workers=2,
                              use_multiprocessing=False, max_queue_size=3)
    next(batches)
    time.sleep(0.05)
    assert len(requested) <= 4, "at most max_queue_size batches requested ahead of the one in use"
    batches.close()


@pytest.mark.parametrize("use_multiprocessing", [False, True])
def test_worker_exception_reaches_the_caller_and_stops_the_workers(use_multiprocessing):
    threads_before = threading.active_count()
    dataset = Squares(num_batches=10, fail_at=4, workers=2, use_multiprocessing=use_multiprocessing)
    with pytest.raises(RuntimeError, match="broken batch 4"):
        list(get_data_adapter(dataset).get_numpy_iterator())
    assert not multiprocessing.active_children()
    assert threading.active_count() == threads_before


def test_abandoned_epoch_and_keyboard_interrupt_stop_the_workers():
    iterator = EpochIterator(Squares(num_batches=10, workers=2, use_multiprocessing=True))
    with pytest.raises(KeyboardInterrupt):
        for step, _ in iterator.enumerate_epoch():
            if step == 2:
                raise KeyboardInterrupt
    iterator.close()
    assert not multiprocessing.active_children()


def test_on_epoch_end_runs_after_every_epoch():
    dataset = Squares(num_batches=3)
    iterator = EpochIterator(dataset)
    for _ in range(2):
        assert [s for s, _ in iterator.enumerate_epoch()] == [0, 1, 2]
    assert dataset.epoch_ends == 2


def test_missing_super_init_warns_with_keras_message():
    class NoSuper(PyDataset):
        def __init__(self):
            self.size = 2

        def __len__(self):
            return 1

        def __getitem__(self, index):
            return np.ones((2, 1)), np.ones(2)

    with pytest.warns(UserWarning, match=r"should call `super\(\).__init__\(\*\*kwargs\)` in its constructor"):
        adapter = get_data_adapter(NoSuper())
    assert len(list(adapter.get_numpy_iterator())) == 1


def test_infinite_py_dataset_runs_with_steps_per_epoch():
    class Forever(Squares):
        @property
        def num_batches(self):
            return None

    iterator = EpochIterator(Forever(workers=2), steps_per_epoch=4)
    assert [int(b[0][0, 0]) for _, b in iterator.enumerate_epoch()] == [0, 1, 2, 3]
    assert [int(b[0][0, 0]) for _, b in iterator.enumerate_epoch()] == [4, 5, 6, 7]
    iterator.close()


def test_class_weight_and_y_rules():
    batches = list(get_data_adapter(Squares(num_batches=2), class_weight={1: 5.0}).get_numpy_iterator())
    np.testing.assert_array_equal(batches[1][2], [5.0, 5.0])
    with pytest.raises(ValueError, match="When providing `x` as a PyDataset, `y` should not be passed"):
        get_data_adapter(Squares(), y=np.zeros(2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        get_data_adapter(Squares(), shuffle=True)  # finite: shuffle is honoured, no warning


def test_bare_array_batches_become_x_only():
    class OnlyX(Squares):
        def __getitem__(self, index):
            return np.ones((2, 1))

    (batch,) = list(get_data_adapter(OnlyX(num_batches=1)).get_numpy_iterator())
    assert len(batch) == 1


_CTRL_C_SCRIPT = textwrap.dedent(
    """
    import multiprocessing, signal, time
    import numpy as np

    # A terminal's Ctrl-C, whatever the suite inherited: a shell starts background jobs
    # with SIGINT ignored, and a child process keeps that (the suite then saw no interrupt).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    from minikeras.trainers.epoch_iterator import EpochIterator
    from minikeras.utils import PyDataset

    class Slow(PyDataset):
        def __len__(self):
            return 1000

        def __getitem__(self, index):
            time.sleep(0.05)
            return np.ones((2, 1)), np.ones(2)

    try:
        for step, batch in EpochIterator(Slow(workers=2, use_multiprocessing=True)).enumerate_epoch():
            if step == 1:
                print(" ".join(str(p.pid) for p in multiprocessing.active_children()), flush=True)
    except KeyboardInterrupt:
        print("interrupted, children left:", len(multiprocessing.active_children()), flush=True)
        raise
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses process groups and /proc")
def test_ctrl_c_during_training_leaves_no_worker_process():
    process = subprocess.Popen([sys.executable, "-c", _CTRL_C_SCRIPT], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    worker_pids = process.stdout.readline().split()
    assert len(worker_pids) == 2
    os.killpg(process.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group
    out, err = process.communicate(timeout=60)
    assert "KeyboardInterrupt" in err and "children left: 0" in out
    time.sleep(0.2)
    for pid in worker_pids:
        assert not os.path.exists(f"/proc/{pid}") or "zombie" in open(f"/proc/{pid}/status").read()


_DYING_WORKER_SCRIPT = textwrap.dedent(
    """
    import multiprocessing, os, signal, sys, time
    import numpy as np
    import minikeras
    from minikeras.utils import PyDataset

    workers, how = int(sys.argv[1]), sys.argv[2]

    class Dying(PyDataset):
        def __len__(self):
            return 8

        def __getitem__(self, index):
            if index == 3:
                if how == "exit":
                    os._exit(3)
                os.kill(os.getpid(), signal.SIGKILL)   # what the out-of-memory killer does
            time.sleep(0.01)
            return np.ones((2, 1), "float32"), np.ones((2, 1), "float32")

    model = minikeras.Sequential([minikeras.Input((1,)), minikeras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    try:
        model.fit(Dying(workers=workers, use_multiprocessing=True), epochs=1, verbose=0)
    except RuntimeError as error:
        print("ERROR:", error, flush=True)
    print("children left:", len(multiprocessing.active_children()), flush=True)
    """
)


@pytest.mark.parametrize("workers, how, says", [(2, "exit", "exited with code 3"),
                                                (1, "kill", "killed by signal 9")])
def test_a_dead_worker_process_stops_fit_with_a_clear_error(workers, how, says):
    # Before: a multiprocessing.Pool silently replaced the dead worker and
    # `fit` waited forever for batch 3. The timeout turns a hang into a failure.
    result = subprocess.run([sys.executable, "-c", _DYING_WORKER_SCRIPT, str(workers), how],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "ERROR: A PyDataset worker process" in result.stdout, result.stdout + result.stderr[-3000:]
    assert "while loading batch 3" in result.stdout and says in result.stdout
    assert "children left: 0" in result.stdout


def test_sys_exit_in_a_worker_thread_is_an_error_not_a_hang():
    class Exiting(Squares):
        def __getitem__(self, index):
            if index == 2:
                sys.exit(5)
            return super().__getitem__(index)

    batches = get_data_adapter(Exiting(num_batches=6, workers=2)).get_numpy_iterator()
    outcome = []
    runner = threading.Thread(target=lambda: outcome.append(_collect(batches)), daemon=True)
    runner.start()
    runner.join(timeout=30)
    assert outcome, "the pass hung on a worker thread that ended with SystemExit"
    assert isinstance(outcome[0], RuntimeError) and "while loading batch 2" in str(outcome[0])
    assert isinstance(outcome[0].__cause__, SystemExit)


def _collect(batches):
    try:
        return list(batches)
    except Exception as error:
        return error


def test_worker_process_exception_keeps_its_type_and_remote_traceback():
    dataset = Squares(num_batches=10, fail_at=4, workers=2, use_multiprocessing=True)
    with pytest.raises(RuntimeError, match="broken batch 4") as info:
        list(get_data_adapter(dataset).get_numpy_iterator())
    notes = "".join(getattr(info.value, "__notes__", []))
    assert "__getitem__(4)" in notes and "in __getitem__" in notes and "raise RuntimeError" in notes
    assert not multiprocessing.active_children()


def test_a_worker_process_that_died_while_idle_is_reported_at_the_next_request():
    from minikeras.trainers.data_adapters.ordered_enqueuer import _ProcessWorkers

    pool = _ProcessWorkers(Squares(num_batches=4), workers=1)
    try:
        process = pool.all[0][0]
        os.kill(process.pid, signal.SIGKILL)
        process.join(timeout=10)
        with pytest.raises(RuntimeError, match=r"was killed by signal 9 \(Killed\) while loading batch 2"):
            pool.submit(2)
            pool.result(2)
    finally:
        pool.close()
    assert not multiprocessing.active_children()


class Picky(Exception):
    """Pickles, but unpickling calls ``Picky("this and that")``: one argument, two needed."""

    def __init__(self, first, second):
        super().__init__(f"{first} and {second}")


def test_an_exception_that_cannot_be_rebuilt_still_reaches_the_caller():
    class Raising(Squares):
        def __getitem__(self, index):
            raise Picky("this", "that")

    dataset = Raising(num_batches=3, workers=2, use_multiprocessing=True)
    with pytest.raises(RuntimeError, match="Picky: this and that"):
        list(get_data_adapter(dataset).get_numpy_iterator())
    assert not multiprocessing.active_children()
