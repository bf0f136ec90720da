"""A team of helper threads that take work without waking the operating system: compiled hand-overs.

Place in the stack: ``kernels/``, beside ``runtime.py``: not a kernel module
(it computes nothing). ``numba_simd_matmul.py`` shares its products with the
team; read ``runtime.run_parallel`` first, the hand-over this one replaces
there.

Why. ``runtime.run_parallel`` hands pieces to helper threads through two
locks: the helper sleeps until the caller releases one, the caller sleeps
until the helper releases the other. Each is a wake-up of a sleeping core by
the operating system, slow on a virtual machine, and as slow for a kernel
that does nothing as for a big one (``bench/RESULTS.md``, "Session 11"): a
large share of the time of an MLP's products, which are short, went to it,
and a core that has just woken up is slower for a while. Here a helper
that has finished a job keeps watching for the next one for a short while
(``SPIN_SECONDS``) in compiled code, without Python's lock, as OpenBLAS's
and OpenMP's threads do; a job posted in that window starts at once. A
helper that has seen nothing for that long goes to sleep on a semaphore,
and the caller wakes it with the next job (the slow way, once).

The shared state is a few 64-bit integers, ``control``, read and written
with atomic instructions (the intrinsics below: Numba has no atomics of
its own), and two *slots* of integers describing a job (the arrays'
addresses, strides and sizes: ``team_work.py``):

* ``JOB``: the number of the newest job (1, 2, ...; ``STOP`` ends the helpers);
* ``CLAIM``: ``job << 32 | piece``, the next piece of that job to take. A
  thread takes piece ``p`` by changing ``CLAIM`` from ``job << 32 | p`` to
  ``... | p + 1`` with one compare-and-swap, which fails when another thread
  took it first, or when the job is no longer the one the thread read its
  slot for (the job number is part of the word): a thread that was slow
  to look never runs a piece with another job's description;
* ``DONE``: pieces finished; the caller's job is over when it equals the count;
* ``SLEEPING + h``: 1 while helper ``h`` sleeps, or is about to. The caller
  swaps it to 0 after posting a job and, if it was 1, wakes the helper. The
  helper sets it, then looks at ``JOB`` once more: if a job came in
  between, whoever swaps the flag back to 0 first owns the wake-up, so a
  job is never left with a sleeping helper and a wake-up is never lost.

While ``runtime.run_parallel`` hands pieces to its own helpers, which need
the cores, it raises a flag (``runtime.quiet_flag()``) that sends watching
helpers to sleep at once.

The slots alternate (``job % 2``) so that describing job ``n + 1`` never
overwrites the slot a helper may still be reading for job ``n``. The caller
takes pieces too, by the same claims, so a job never waits for a helper to
wake up: a sleeping helper costs the caller the helper's share, no more.
Which thread computes a piece changes nothing in its numbers.

Read next: ``team_work.py``, the function the helpers run: the products and Adam.
"""

import platform
import threading
import time

import numpy as np
from llvmlite import ir
from numba import njit
from numba import types
from numba.core import cgutils
from numba.core.extending import intrinsic

from minikeras.kernels import runtime

JOB, CLAIM, DONE, SLEEPING = 0, 1, 2, 8  # places in ``control``; SLEEPING + h for helper h
MAX_HELPERS = 56  # control has 64 places
STOP = -1  # JOB's value that ends the helpers
SPIN_SECONDS = 1e-3  # how long an idle helper watches for a job before it sleeps
WAIT_SPINS = 1 << 16  # how many pauses the caller waits in compiled code before it yields the core


# ----- atomic operations on 1-D int64 arrays, and the CPU's spin-wait hint -----
def _item(context, builder, signature, args):
    """A pointer to ``array[index]`` (args 0 and 1)."""
    array = context.make_array(signature.args[0])(context, builder, args[0])
    return cgutils.get_item_pointer(context, builder, signature.args[0], array, [args[1]])


def _int64(context, builder, signature, args, position):
    return context.cast(builder, args[position], signature.args[position], types.int64)


def _check(array):
    if not (isinstance(array, types.Array) and array.dtype == types.int64 and array.ndim == 1):
        raise TypeError(f"the atomic operations take 1-D int64 arrays; received {array}.")


@intrinsic
def atomic_load(typingctx, array, index):
    """``array[index]``, read as one indivisible access that later reads and writes cannot move before."""
    _check(array)

    def codegen(context, builder, signature, args):
        return builder.load_atomic(_item(context, builder, signature, args), "seq_cst", 8)

    return types.int64(array, index), codegen


@intrinsic
def atomic_store(typingctx, array, index, value):
    """``array[index] = value``, after every earlier read and write of this thread is visible."""
    _check(array)

    def codegen(context, builder, signature, args):
        value = _int64(context, builder, signature, args, 2)
        builder.store_atomic(value, _item(context, builder, signature, args), "seq_cst", 8)
        return context.get_dummy_value()

    return types.none(array, index, value), codegen


@intrinsic
def atomic_add(typingctx, array, index, value):
    """``array[index] += value`` as one step; returns the value before."""
    _check(array)

    def codegen(context, builder, signature, args):
        value = _int64(context, builder, signature, args, 2)
        return builder.atomic_rmw("add", _item(context, builder, signature, args), value, "seq_cst")

    return types.int64(array, index, value), codegen


@intrinsic
def atomic_swap(typingctx, array, index, value):
    """Writes ``value`` to ``array[index]`` and returns the value before, as one step."""
    _check(array)

    def codegen(context, builder, signature, args):
        value = _int64(context, builder, signature, args, 2)
        return builder.atomic_rmw("xchg", _item(context, builder, signature, args), value, "seq_cst")

    return types.int64(array, index, value), codegen


@intrinsic
def atomic_compare_swap(typingctx, array, index, expected, new):
    """If ``array[index] == expected``, writes ``new`` there and returns True; else False. One step."""
    _check(array)

    def codegen(context, builder, signature, args):
        expected = _int64(context, builder, signature, args, 2)
        new = _int64(context, builder, signature, args, 3)
        pair = builder.cmpxchg(_item(context, builder, signature, args), expected, new, "seq_cst", "seq_cst")
        return builder.extract_value(pair, 1)

    return types.boolean(array, index, expected, new), codegen


@intrinsic
def pause(typingctx):
    """The x86 ``pause`` instruction, which tells the core it is spinning (nothing elsewhere)."""

    def codegen(context, builder, signature, args):
        if platform.machine().lower() in ("x86_64", "amd64"):
            hint = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.VoidType(), []),
                                                  "llvm.x86.sse2.pause")
            builder.call(hint, [])
        return context.get_dummy_value()

    return types.none(), codegen


@intrinsic
def float32_at(typingctx, address):
    """A ``float32*`` pointer from an address (``numpy.ndarray.ctypes.data``), for ``numba.carray``."""

    def codegen(context, builder, signature, args):
        return builder.inttoptr(args[0], ir.PointerType(ir.FloatType()))

    return types.CPointer(types.float32)(types.int64), codegen


# ----- the protocol, in compiled code (inlined into the user's ``serve``: one function to compile) -----
@njit(nogil=True, inline="always")
def next_job(control, quiet, helper, spins, seen):
    """For helper ``helper``, idle since job ``seen``: the next job's number, 0 to sleep, -1 to stop.

    Watches ``JOB`` for ``spins`` pauses (none while ``quiet[0]`` is
    positive: ``runtime.run_parallel`` is at work), then sets the
    helper's sleeping flag and looks once more (module docstring). Returns
    -2 when a job came in while the flag was set and the caller owns the
    wake-up: the helper must take that wake-up (acquire its semaphore once),
    then call again.
    """
    idle = 0
    while True:
        job = atomic_load(control, JOB)
        if job == STOP:
            return -1
        if job != seen:
            return job
        if idle < spins and atomic_load(quiet, 0) <= 0:
            idle += 1
            pause()
            continue
        atomic_store(control, SLEEPING + helper, 1)
        if atomic_load(control, JOB) == seen:
            return 0  # asleep: the caller that posts the next job wakes it
        if atomic_swap(control, SLEEPING + helper, 0) == 1:
            idle = 0  # the helper took its own flag back: no wake-up is coming
            continue
        return -2


@njit(nogil=True, inline="always")
def claim(control, job, pieces):
    """Takes the next piece of job ``job`` (of ``pieces``): its number, or -1 when none is left or the job is over."""
    while True:
        word = atomic_load(control, CLAIM)
        piece = word & 0xFFFFFFFF
        if word >> 32 != job or piece >= pieces:
            return -1
        if atomic_compare_swap(control, CLAIM, word, word + 1):
            return piece


@njit(nogil=True, inline="always")
def piece_done(control):
    """Counts one finished piece of the current job."""
    atomic_add(control, DONE, 1)


@njit(nogil=True, inline="always")
def post(control, slots, description, helpers):
    """Publishes a job described by ``description`` (a slot's integers at most); returns ``(job, helpers to wake)``.

    The second number has bit ``h`` set for each sleeping helper ``h`` whose
    flag this call took: the caller releases their semaphores.
    """
    job = atomic_load(control, JOB) % 0x7FFFFFFF + 1  # 1 .. 2**31 - 1: job << 32 fits an int64
    width = slots.shape[0] // 2  # a slot's integers; the description may be shorter
    for i in range(description.shape[0]):
        atomic_store(slots, (job % 2) * width + i, description[i])
    atomic_store(control, DONE, 0)
    atomic_store(control, CLAIM, job << 32)
    atomic_store(control, JOB, job)
    wake = 0
    for helper in range(helpers):
        if atomic_swap(control, SLEEPING + helper, 0) == 1:
            wake |= 1 << helper
    return job, wake


@njit(nogil=True, inline="always")
def finished(control, pieces, spins):
    """Waits up to ``spins`` pauses for ``pieces`` pieces to be done; 1 when they are, else 0."""
    for _ in range(spins):
        if atomic_load(control, DONE) >= pieces:
            return 1
        pause()
    return 1 if atomic_load(control, DONE) >= pieces else 0


# ----- the threads, in Python -----
class Team:
    """Helper threads, and the calls that share a job with them, around one compiled function ``serve``.

    ``serve(control, slots, quiet, helper, spins, seen, description, helpers, *scratch)``
    is written by the kernel module with the functions above, inlined:

    * for a helper (``helper >= 0``), its loop: :func:`next_job` (``spins``
      pauses of watching), the job's pieces (:func:`claim`, the kernel,
      :func:`piece_done`), again; it returns ``(code, seen)``, the 0, -1
      or -2 of :func:`next_job` and the last job it saw;
    * for the caller (``helper == -1``): :func:`post` of ``description``
      (``helpers`` helpers may be asleep), the job's pieces as a helper takes
      them, then :func:`finished` with ``spins``; it returns ``(helpers to
      wake, finished)``.

    ``scratch()`` gives one thread's work arrays (``*scratch``).
    """

    def __init__(self, serve, slot_width, scratch):
        self.serve, self.scratch = serve, scratch
        self.control = np.zeros(64, np.int64)
        self.slots = np.zeros(2 * slot_width, np.int64)
        self.wake_ups = []  # one semaphore per helper
        self.lock = threading.Lock()  # held by the thread whose job the team runs
        self.spins = max(1, int(SPIN_SECONDS / self._pause_seconds()))

    def _pause_seconds(self):
        """How long one :func:`pause` takes on this CPU (10 to 150 cycles, by model): a helper idle on a dummy team."""
        control, slots, quiet, nothing = np.zeros(64, np.int64), self.slots.copy(), np.zeros(1, np.int64), self.slots[:0]
        work = self.scratch()
        self.serve(control, slots, quiet, 0, 10, 0, nothing, 0, *work)  # compiles, or loads from the cache
        start = time.perf_counter()
        self.serve(control, slots, quiet, 0, 20000, 0, nothing, 0, *work)
        return max((time.perf_counter() - start) / 20000, 1e-9)

    def _helper_loop(self, helper, wake_up):
        work, seen, nothing = self.scratch(), 0, self.slots[:0]
        while True:
            code, seen = self.serve(self.control, self.slots, runtime.quiet_flag(), helper, self.spins, seen,
                                    nothing, 0, *work)
            if code == -1:
                return
            wake_up.acquire()  # 0: sleep until a job; -2: take the wake-up already given

    def run(self, description, pieces, scratch):
        """Runs the job ``description`` of ``pieces`` pieces on the team, this thread taking pieces too.

        ``description``: at most ``slot_width`` integers. ``scratch``: the
        calling thread's work arrays. Returns True when every
        piece is done. When another thread is using the team, or one thread
        is all there is, returns False at once, having run nothing (the
        caller then runs every piece itself).
        """
        import numba

        if description.shape[0] > self.slots.shape[0] // 2:
            raise ValueError(f"a job's description has {self.slots.shape[0] // 2} integers at most; "
                             f"received {description.shape[0]}.")
        helpers = min(numba.get_num_threads(), pieces, MAX_HELPERS + 1) - 1
        if helpers <= 0 or not self.lock.acquire(blocking=False):
            return False
        try:
            while len(self.wake_ups) < helpers:
                wake_up = threading.Semaphore(0)
                self.wake_ups.append(wake_up)
                threading.Thread(target=self._helper_loop, args=(len(self.wake_ups) - 1, wake_up),
                                 name="minikeras-team", daemon=True).start()
            wake, done = self.serve(self.control, self.slots, runtime.quiet_flag(), -1, WAIT_SPINS, 0,
                                    description, len(self.wake_ups), *scratch)
            for helper, wake_up in enumerate(self.wake_ups):
                if wake >> helper & 1:  # asleep when the job came: it helps from the next job on
                    wake_up.release()
            while not done:  # a helper holds a piece and has lost its core: let it have this one
                time.sleep(0)
                done = finished(self.control, pieces, WAIT_SPINS)
            return True
        finally:
            self.lock.release()


