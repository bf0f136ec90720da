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
and OpenMP's threads do; a job posted in that window starts at once. Then it
naps (``usleep`` from the C library, still in compiled code), for
``NAP_FIRST`` microseconds at first and twice as long each time up to
``NAP_LONGEST``, looking for a job between naps. A helper never returns to Python, so it never waits for
Python's lock either: with a semaphore, the woken thread had to take that
lock to get back to its loop while the caller's thread held it, and the
two ended up taking turns through the operating system (a training step of
the guide's convnet, whose Winograd layers run ``runtime.run_parallel``
between products, was a fifth slower that way: ``bench/RESULTS.md``,
"Session 12").

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
* ``HELPERS``: how many helpers may take pieces of the newest job (Numba's
  thread count, less the caller, when it was posted): helpers numbered that
  or more leave it alone, after ``numba.set_num_threads`` lowered the count.

While ``runtime.run_parallel`` hands pieces to its own helpers, which need
the cores, it raises a flag (``runtime.quiet_flag()``) that makes watching
helpers nap at once.

The slots alternate (``job % 2``) so that describing job ``n + 1`` never
overwrites the slot a helper may still be reading for job ``n``. The caller
takes pieces too, by the same claims, so a job never waits for a helper to
wake up: a napping helper costs the caller the helper's share, no more.
Which thread computes a piece changes nothing in its numbers.

Read next: ``team_work.py``, the function the helpers run.
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

JOB, CLAIM, DONE, HELPERS = 0, 1, 2, 3  # places in ``control``
STOP = -1  # JOB's value that ends the helpers
SPIN_SECONDS = 1e-3  # how long an idle helper watches for a job before it naps
NAP_FIRST, NAP_LONGEST = 50, 10_000  # microseconds: a helper's first nap, and its longest
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
def nap(typingctx, microseconds):
    """Sleeps that long (the C library's ``usleep``: POSIX), without Python's lock."""

    def codegen(context, builder, signature, args):
        usleep = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.IntType(32), [ir.IntType(32)]),
                                                "usleep")
        builder.call(usleep, [builder.trunc(args[0], ir.IntType(32))])
        return context.get_dummy_value()

    return types.none(microseconds), codegen


@intrinsic
def float32_at(typingctx, address):
    """A ``float32*`` pointer from an address (``numpy.ndarray.ctypes.data``), for ``numba.carray``."""

    def codegen(context, builder, signature, args):
        return builder.inttoptr(args[0], ir.PointerType(ir.FloatType()))

    return types.CPointer(types.float32)(types.int64), codegen


# ----- the protocol, in compiled code (inlined into the user's ``serve``: one function to compile) -----
@njit(nogil=True, inline="always")
def next_job(control, quiet, helper, spins, seen):
    """For helper ``helper``, idle since job ``seen``: the next job it may help with, or -1 to stop.

    Watches ``JOB`` for ``spins`` pauses (none while ``quiet[0]`` is
    positive: ``runtime.run_parallel`` is at work), then naps between looks,
    each nap twice the one before, from ``NAP_FIRST`` to ``NAP_LONGEST``
    microseconds.
    """
    idle, length = 0, NAP_FIRST
    while True:
        job = atomic_load(control, JOB)
        if job == STOP:
            return -1
        if job != seen:
            if helper < atomic_load(control, HELPERS):
                return job
            seen = job  # not wanted for this one: wait for the next
        if idle < spins and atomic_load(quiet, 0) <= 0:
            idle += 1
            pause()
        else:
            nap(length)
            length = min(2 * length, NAP_LONGEST)


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
    """Publishes a job described by ``description`` (a slot's integers at most) for ``helpers`` helpers; returns its number."""
    job = atomic_load(control, JOB) % 0x7FFFFFFF + 1  # 1 .. 2**31 - 1: job << 32 fits an int64
    width = slots.shape[0] // 2  # a slot's integers; the description may be shorter
    for i in range(description.shape[0]):
        atomic_store(slots, (job % 2) * width + i, description[i])
    atomic_store(control, DONE, 0)
    atomic_store(control, HELPERS, helpers)
    atomic_store(control, CLAIM, job << 32)
    atomic_store(control, JOB, job)
    return job


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

    * for a helper (``helper >= 0``), its whole life: :func:`next_job`
      (``spins`` pauses of watching, then naps), the job's pieces
      (:func:`claim`, the kernel, :func:`piece_done`), again, until
      :func:`next_job` says stop; it returns -1;
    * for the caller (``helper == -1``): :func:`post` of ``description``
      for ``helpers`` helpers, the job's pieces as a helper takes them, then :func:`finished` with
      ``spins``; it returns 1 when every piece is done, else 0;
    * for timing (``helper == -2``): :func:`finished` of a job that never
      ends, ``spins`` pauses; it returns 0.

    ``scratch()`` gives one thread's work arrays (``*scratch``).
    """

    def __init__(self, serve, slot_width, scratch):
        self.serve, self.scratch = serve, scratch
        self.control = np.zeros(8, np.int64)
        self.slots = np.zeros(2 * slot_width, np.int64)
        self.helpers = 0  # threads started
        self.lock = threading.Lock()  # held by the thread whose job the team runs
        self.spins = max(1, int(SPIN_SECONDS / self._pause_seconds()))

    def _pause_seconds(self):
        """How long one :func:`pause` takes on this CPU (10 to 150 cycles, by model): ``serve``'s timing mode, timed."""
        control, slots, quiet, nothing, work = np.zeros(8, np.int64), self.slots.copy(), np.zeros(1, np.int64), \
            self.slots[:0], self.scratch()
        self.serve(control, slots, quiet, -2, 10, 0, nothing, 0, *work)  # compiles it, or loads it from the cache
        start = time.perf_counter()
        self.serve(control, slots, quiet, -2, 20000, 0, nothing, 0, *work)
        return max((time.perf_counter() - start) / 20000, 1e-9)

    def _helper_loop(self, helper):
        work = self.scratch()
        self.serve(self.control, self.slots, runtime.quiet_flag(), helper, self.spins, 0, self.slots[:0], 0, *work)

    def stop(self):
        """Ends the helpers (they return within one nap); the team cannot run jobs afterwards."""
        self.control[JOB] = STOP

    def run(self, description, pieces, scratch):
        """Runs the job ``description`` of ``pieces`` pieces on the team, this thread taking pieces too.

        ``description``: at most ``slot_width`` integers. ``scratch``: the
        calling thread's work arrays. Returns True when every piece is done.
        When another thread is using the team, or one thread is all there
        is, returns False at once, having run nothing (the caller then runs
        every piece itself).
        """
        import numba

        if description.shape[0] > self.slots.shape[0] // 2:
            raise ValueError(f"a job's description has {self.slots.shape[0] // 2} integers at most; "
                             f"received {description.shape[0]}.")
        helpers = min(numba.get_num_threads(), pieces) - 1
        if helpers <= 0 or self.control[JOB] == STOP or not self.lock.acquire(blocking=False):
            return False
        try:
            while self.helpers < helpers:
                threading.Thread(target=self._helper_loop, args=(self.helpers,), name="minikeras-team",
                                 daemon=True).start()
                self.helpers += 1
            done = self.serve(self.control, self.slots, runtime.quiet_flag(), -1, WAIT_SPINS, 0, description, helpers,
                              *scratch)
            while not done:  # a helper holds a piece and has lost its core: let it have this one
                time.sleep(0)  # (releasing Python's lock is also a memory barrier before the next read)
                done = self.control[DONE] >= pieces
            return True
        finally:
            self.lock.release()
