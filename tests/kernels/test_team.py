"""The compiled hand-over of ``kernels/team.py``: atomics, claims, sleeping helpers, and a whole team under load."""

import os
import threading
import time

import numba
import numpy as np
import pytest
from numba import njit

from minikeras.kernels import numba_simd_matmul
from minikeras.kernels import runtime
from minikeras.kernels import team
from minikeras.kernels import team_work

pytestmark = pytest.mark.kernels


@njit(nogil=True)
def _add_many(counter, times):
    for _ in range(times):
        team.atomic_add(counter, 0, 1)


@njit(nogil=True)
def _operations(cells):
    before_add = team.atomic_add(cells, 0, 5)
    before_load = team.atomic_load(cells, 1)
    swapped = team.atomic_compare_swap(cells, 2, 3, 4)
    refused = team.atomic_compare_swap(cells, 2, 3, 9)  # cells[2] is 4 now
    team.atomic_store(cells, 3, 11)
    team.pause()
    return before_add, before_load, swapped, refused, team.atomic_load(cells, 3)


def test_atomic_operations_do_what_they_say():
    cells = np.array([1, 2, 3, 0], np.int64)
    assert _operations(cells) == (1, 2, True, False, 11)
    assert cells.tolist() == [6, 2, 4, 11]


def test_two_threads_adding_at_once_lose_no_addition():
    counter, times = np.zeros(1, np.int64), 200_000
    _add_many(counter, 1)
    counter[0] = 0
    threads = [threading.Thread(target=_add_many, args=(counter, times)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counter[0] == 2 * times


def test_each_piece_is_claimed_once_and_only_for_its_own_job():
    control, slots = np.zeros(8, np.int64), np.zeros(4, np.int64)
    job = team.post(control, slots, np.array([10, 20], np.int64), 1)
    assert job == 1 and slots[2:].tolist() == [10, 20]  # job 1 in the second slot
    assert [team.claim(control, job, 3) for _ in range(4)] == [0, 1, 2, -1]
    assert team.claim(control, job + 1, 3) == -1  # a thread that read another job's slot
    job_2 = team.post(control, slots, np.array([30, 40], np.int64), 1)
    assert team.claim(control, job, 3) == -1 and team.claim(control, job_2, 3) == 0
    assert slots.tolist() == [30, 40, 10, 20]  # job 2 did not overwrite job 1's slot


def test_an_idle_helper_naps_until_a_job_or_the_stop(monkeypatch):
    control, slots, quiet = np.zeros(8, np.int64), np.zeros(2, np.int64), np.zeros(1, np.int64)
    found = []
    helper = threading.Thread(target=lambda: found.append(team.next_job(control, quiet, 1, 100, 0)))
    helper.start()
    time.sleep(0.05)  # long past its 100 pauses: napping
    assert helper.is_alive()
    skipped = team.post(control, slots, np.array([5], np.int64), 1)  # for helper 0 only: helper 1 waits on
    time.sleep(0.05)
    assert helper.is_alive()
    job = team.post(control, slots, np.array([5], np.int64), 2)
    helper.join(timeout=5)
    assert found == [job] and job == skipped + 1
    quiet[0] = 1  # run_parallel at work: no watching at all, naps only
    control[team.JOB] = team.STOP
    assert team.next_job(control, quiet, 0, 10**12, job) == -1


@njit(nogil=True)
def _serve_marks(control, slots, quiet, helper, spins, seen, description, helpers):
    """A team function as ``team.Team`` wants it, whose kernel adds 1 to ``marks[piece]`` for each piece taken."""
    if helper == -2:
        return team.finished(control, 1 << 62, spins)
    if helper == -1:
        seen = team.post(control, slots, description, helpers)
    while True:
        job = seen if helper < 0 else team.next_job(control, quiet, helper, spins, seen)
        if job < 0:
            return -1
        seen = job
        d = (job % 2) * 3
        marks, pieces = numba.carray(team.float32_at(slots[d]), slots[d + 1]), slots[d + 2]
        while True:
            piece = team.claim(control, job, pieces)
            if piece < 0:
                break
            marks[piece] += 1.0
            team.piece_done(control)
        if helper < 0:
            return team.finished(control, pieces, spins)


@pytest.mark.parametrize("spin_seconds, wait_spins", [(0.0, team.WAIT_SPINS), (1e-3, team.WAIT_SPINS), (1e-3, 1)],
                         ids=["helpers nap between jobs", "helpers watch", "the caller waits in Python"])
def test_a_team_runs_every_piece_of_every_job_once(monkeypatch, spin_seconds, wait_spins):
    monkeypatch.setattr(team, "SPIN_SECONDS", spin_seconds)
    monkeypatch.setattr(team, "WAIT_SPINS", wait_spins)  # 1: the caller's wait for the helpers' last pieces
    monkeypatch.setattr(numba, "get_num_threads", lambda: 3)
    crew = team.Team(_serve_marks, 3, lambda: ())
    rng = np.random.default_rng(0)
    try:
        for round_ in range(400):
            marks = np.zeros(int(rng.integers(1, 40)), np.float32)
            description = np.array([marks.ctypes.data, marks.size, marks.size], np.int64)
            ran = crew.run(description, marks.size, ())
            assert ran == (marks.size > 1)  # one piece: no helper is worth starting
            if ran:
                assert (marks == 1.0).all(), round_
            if round_ % 50 == 0:
                time.sleep(0.003)  # long enough for watching helpers to start napping
        assert crew.helpers == 2
    finally:
        crew.stop()
    assert crew.run(np.zeros(3, np.int64), 8, ()) is False  # a stopped team runs nothing


def test_a_busy_team_refuses_at_once():
    crew = team.Team(_serve_marks, 3, lambda: ())
    with crew.lock:  # another thread's job
        assert crew.run(np.zeros(3, np.int64), 8, ()) is False


def test_run_parallel_quiets_the_team_while_its_helpers_work(monkeypatch):
    monkeypatch.setattr(numba, "get_num_threads", lambda: 2)
    seen = []
    runtime.run_parallel(lambda first, last: seen.append(int(runtime.quiet_flag()[0])), 8)
    assert seen and all(flag > 0 for flag in seen)
    assert runtime.quiet_flag()[0] == 0


def test_products_are_right_after_the_helpers_started_napping(monkeypatch):
    monkeypatch.setattr(numba_simd_matmul, "_available", lambda: True)
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((256, 300)).astype(np.float32), rng.standard_normal((300, 128)).astype(np.float32)
    first = numba_simd_matmul.matmul(a, b)
    time.sleep(10 * team.SPIN_SECONDS + 0.03)  # the helpers nap now, up to their longest naps
    np.testing.assert_array_equal(numba_simd_matmul.matmul(a, b), first)
    np.testing.assert_allclose(first, a.astype(np.float64) @ b, rtol=1e-4, atol=1e-3)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX")
def test_a_forked_child_makes_its_own_team(monkeypatch):
    monkeypatch.setattr(numba_simd_matmul, "_available", lambda: True)
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((256, 300)).astype(np.float32), rng.standard_normal((300, 128)).astype(np.float32)
    expected = numba_simd_matmul.matmul(a, b)  # the parent's team exists now
    pid = os.fork()
    if pid == 0:  # the child: the parent's helper threads are not here
        ok = np.array_equal(numba_simd_matmul.matmul(a, b), expected)
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_a_description_longer_than_a_slot_is_refused():
    crew = team.Team(_serve_marks, 3, lambda: ())
    with pytest.raises(ValueError, match="3 integers at most; received 4"):
        crew.run(np.zeros(4, np.int64), 8, ())


def test_no_team_when_numba_runs_kernels_as_python(monkeypatch):
    from numba.core import config

    monkeypatch.setattr(config, "DISABLE_JIT", True)
    assert team_work.run(np.zeros(3, np.int64), 8, np.empty(0, np.float32)) is False
