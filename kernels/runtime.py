"""Process settings the fast CPU kernels want: Numba's threading library and glibc's allocator.

Place in the stack: ``kernels/``, beside the kernel modules but not one of
them (it computes nothing). Importing ``minikeras`` or ``minikeras.kernels``
changes nothing in the process; the settings below are made by one
function, :func:`configure_process`, which ``minikeras/backend/kernel_choice.py``
calls once, just before it hands out the first Numba kernel, unless the
configuration turns it off (``MINIKERAS_CONFIGURE_PROCESS=0``, or
``"configure_process": false`` in ``~/.minikeras/minikeras.json``).

1. **TBB, loadable whatever the environment says.** Numba offers three ways
   to run a ``prange`` loop on several cores:

   * ``workqueue`` aborts the process when two threads run a parallel
     kernel at the same time (PyDataset thread workers do exactly that);
   * ``omp`` (GNU OpenMP) spins after each parallel region and fights
     OpenBLAS's threads unless ``OMP_WAIT_POLICY=passive``, and a forked
     child (DataLoader and PyDataset process workers) cannot use it again;
   * ``tbb`` (the ``tbb`` wheel) is safe with threads and with fork, and was
     as fast as the others in ``bench/kernels.py`` (``bench/RESULTS.md``).

   Numba tries them in that priority order, ``tbb`` first, but finds TBB by
   loading ``libtbb.so.12`` by name, and the wheel puts it in
   ``<sys.prefix>/lib``, which the dynamic loader does not search. So
   :func:`load_tbb` loads it by path; once loaded, Numba's own lookup finds
   it. The Numba kernel modules call :func:`load_tbb` when they are imported:
   it changes no setting, it only makes the library that Numba looks for
   findable, in every process (a child started with
   ``NUMBA_THREADING_LAYER=tbb`` inherited from its parent, or set by a user
   as Numba's documentation suggests, included). Without the wheel,
   :func:`configure_process` asks Numba for its ``threadsafe`` choice
   (OpenMP) with OpenMP's passive wait policy. ``NUMBA_THREADING_LAYER`` and
   ``OMP_WAIT_POLICY``, when set by the user, win.

2. **Freed memory kept for reuse.** NumPy takes every array from glibc's
   ``malloc``, which serves blocks above its "mmap threshold" (128 KB at
   first, rising to at most 32 MB) with fresh pages from the kernel and
   gives them back on ``free``. A training step allocates and frees the same
   tens of arrays of several MB every step (activations, masks, gradients),
   so each step paid again for the kernel zero-filling each 4 KB page on
   first touch: about 20,000 page faults per step of the guide's convnet,
   10-20% of its time. :func:`keep_freed_memory` raises the threshold to
   1 GiB and stops the heap from being trimmed, so freed blocks are reused as
   they are, as PyTorch's CPU allocator cache does. The peak memory is
   unchanged; the process simply keeps it until it exits. Setting
   ``MALLOC_MMAP_THRESHOLD_`` in the environment (glibc's own knob) leaves
   the choice to the user.

3. **Threads for the kernels of the main job, without ``prange``.** A
   ``prange`` loop (``@njit(parallel=True)``) is compiled about three times
   over: Numba makes its body a separate function, wraps that in a gufunc
   and links both into the caller, and LLVM optimises and generates machine
   code at each step. For the vectorised loops of convolution and pooling
   that made a first run spend most of its compile time on a handful of
   kernels (``bench/cold_start.py``; ``bench/RESULTS.md``, "Compile time").
   So ``numba_conv``, ``numba_winograd`` and ``numba_pool`` compile plain
   serial loops, ``@njit(nogil=True)``, over a range ``first:last`` of
   independent iterations (images, rows of tiles), and
   :func:`run_parallel` cuts the range into a few pieces per thread, which
   the calling thread and a small pool of helper threads take in turn
   (``nogil``: Numba releases Python's lock while the loop runs). The
   thread count is Numba's (``NUMBA_NUM_THREADS``,
   ``numba.set_num_threads``). Every iteration writes its own outputs, so
   the numbers do not depend on the thread count. The other kernel
   modules, run by fewer jobs, keep ``prange``.

4. **NumPy's BLAS thread count, readable and settable.** ``threaded_matmul.py``
   runs a stack of small products on several threads, one BLAS thread each
   (:func:`blas_threads`). NumPy has no call for that; the wheels bundle
   OpenBLAS, whose ``openblas_get_num_threads`` / ``openblas_set_num_threads``
   (under NumPy's prefixed names) are found in the loaded library by
   :func:`blas_thread_control`. Another BLAS (MKL, Accelerate) gives None, and
   the stacks stay whole.

5. **No garbage collection while Numba compiles a minikeras kernel.**
   Compiling a kernel builds and drops hundreds of thousands of small
   Python objects (Numba's IR, types, LLVM wrappers). Python's cyclic
   garbage collector runs after every 700 net new objects, and now and then
   walks every object the process holds, all of NumPy, Numba and llvmlite
   included: 0.5-0.7 s of CPU in the first run of the main job, 0.2-0.3 s
   with the pause below (``bench/RESULTS.md``, "Compile time, session 9,
   continued"). :func:`pause_collector_while_compiling` listens to Numba's
   ``numba:compile`` event: when a compilation of a function from a
   ``minikeras`` module starts, it turns the collector off (if it was on),
   and turns it back on when that compilation ends. The objects are still
   freed by their reference counts as usual; only cycles wait, and the
   collector's first run after the pause looks at them once. Numba sends
   the end event on the way out of a compilation, exception or not, so a
   compilation that fails turns the collector back on too; compilations never overlap (Numba
   holds one lock for all of them), so one stack of "did this one pause
   it" answers is enough, nested compilations included. A user's own
   ``@njit`` functions compile with the collector as they found it.

Read next: ``reference.py``, the definitions of the kernels.
"""

import contextlib
import ctypes
import functools
import gc
import itertools
import os
import sys
import threading

import numpy

_configured = False
_helpers = []  # the helper threads of run_parallel, started on first use
PIECES_PER_THREAD = 4  # run_parallel's pieces: few enough to cost little, enough to even out the threads
_helpers_lock = threading.Lock()  # held by the thread that hands them pieces
_quiet = numpy.zeros(1, numpy.int64)  # positive while run_parallel's helpers work: team.py's helpers then nap
_paused_by_compile = []  # one entry per numba:compile event open now: True if that one turned the collector off


@functools.cache
def load_tbb():
    """Loads the TBB runtime so that Numba can find it. Safe to call often (done once).

    Returns:
        True if ``libtbb.so.12`` is loaded (already on the loader's path, or
        found in ``<sys.prefix>/lib``), False otherwise (no ``tbb`` wheel,
        or not Linux).
    """
    for path in ("libtbb.so.12", os.path.join(sys.prefix, "lib", "libtbb.so.12")):
        try:
            ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)  # global: Numba's tbbpool links against it by name
            return True
        except OSError:
            continue
    return False


def keep_freed_memory():
    """Asks glibc to reuse freed big blocks instead of returning them to the kernel.

    Returns:
        True if glibc accepted both settings (False elsewhere: macOS, musl, Windows).
    """
    M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # from glibc's <malloc.h>
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, 2**30)) and bool(mallopt(M_TRIM_THRESHOLD, 2**31 - 1))


def configure_process():
    """Makes the process settings of this module's docstring, once per process.

    Called by ``backend/kernel_choice.py`` before the first Numba kernel
    runs (Numba starts its threads, and so fixes its threading layer, at the
    first parallel kernel). Later calls do nothing.

    Returns:
        A dict of what was decided: ``{"tbb": bool, "threading_layer": str,
        "keep_freed_memory": bool}``, or None on a later call.
    """
    global _configured
    if _configured:
        return None
    _configured = True
    # 1. The threading library: TBB if the wheel is there, else OpenMP that sleeps when idle.
    import numba

    tbb = load_tbb()
    if not tbb and "NUMBA_THREADING_LAYER" not in os.environ:
        os.environ.setdefault("OMP_WAIT_POLICY", "passive")  # read by libgomp when Numba loads it
        numba.config.THREADING_LAYER = "threadsafe"  # Numba's live setting, not its environment variable
    # 2. The allocator, unless the user chose through glibc's own variable.
    kept = False
    if "MALLOC_MMAP_THRESHOLD_" not in os.environ and sys.platform.startswith("linux"):
        kept = keep_freed_memory()
    # 3. No garbage collection while a minikeras kernel compiles.
    pause_collector_while_compiling()
    return {"tbb": tbb, "threading_layer": str(numba.config.THREADING_LAYER), "keep_freed_memory": kept}


def compile_started(dispatcher):
    """Numba starts compiling ``dispatcher``: pauses the garbage collector if it is a minikeras kernel.

    The collector is turned off only if it is on now, and the answer is
    pushed on a stack that :func:`compile_ended` pops, so that nested
    compilations, or a collector the user turned off, are left as they were.
    """
    function = getattr(dispatcher, "py_func", None)  # the Python function an @njit dispatcher compiles
    ours = getattr(function, "__module__", "").startswith("minikeras.")
    pause = ours and gc.isenabled()
    if pause:
        gc.disable()
    _paused_by_compile.append(pause)


def compile_ended():
    """Numba ended a compilation (done or failed): turns the collector back on if its start turned it off."""
    if _paused_by_compile and _paused_by_compile.pop():  # empty: the start was not seen (listener added meanwhile)
        gc.enable()


@functools.cache
def pause_collector_while_compiling():
    """Registers, once per process, the Numba event listener of item 5 of this module's docstring."""
    from numba.core import event

    class PauseCollector(event.Listener):  # defined here: Numba is imported only when a kernel is about to run
        def on_start(self, compile_event):
            compile_started(compile_event.data["dispatcher"])

        def on_end(self, compile_event):
            compile_ended()

    event.register("numba:compile", PauseCollector())


class _Helper:
    """One helper thread of :func:`run_parallel`, handed one job at a time.

    Two locks make the hand-over: the caller releases ``start`` when the
    job is set, the thread releases ``done`` when it has run it. That is
    about half the time per call of a ``concurrent.futures`` pool, whose
    futures and queue cost more than the shortest kernels here.
    """

    def __init__(self):
        self.start, self.done = threading.Lock(), threading.Lock()
        self.start.acquire()
        self.done.acquire()
        self.piece, self.error = None, None
        threading.Thread(target=self._serve, name="minikeras-kernel", daemon=True).start()

    def _serve(self):
        while True:
            self.start.acquire()  # waits for a job
            kernel, args = self.piece
            try:
                kernel(*args)
            except BaseException as error:  # handed to the caller, raised there
                self.error = error
            self.done.release()

    def hand(self, kernel, args):
        """Starts ``kernel(*args)`` on this thread."""
        self.piece, self.error = (kernel, args), None
        self.start.release()

    def wait(self):
        """Waits for the job; returns its exception, or None."""
        self.done.acquire()
        error, self.error = self.error, None
        return error


def _take_pieces(kernel, args, scratch, bounds, counter):
    """Runs ``kernel(*args, *work, bounds[i], bounds[i + 1])`` for each ``i`` drawn from ``counter``, until none is left.

    ``counter`` is an ``itertools.count`` shared by the threads of one call:
    each ``next`` gives a number no other thread gets (the interpreter's lock
    makes it atomic). ``work`` holds this thread's own buffers, one
    ``numpy.empty_like`` of each array of ``scratch``.
    """
    work = [numpy.empty_like(array) for array in scratch]
    while True:
        piece = next(counter)
        if piece >= len(bounds) - 1:
            return
        kernel(*args, *work, bounds[piece], bounds[piece + 1])


def quiet_flag():
    """A one-number array, positive while :func:`run_parallel` hands out pieces (``team.py`` reads it)."""
    return _quiet


def _forget_helpers():
    """In a forked child: the helper objects were copied but not their threads; make new ones when needed."""
    global _helpers, _helpers_lock
    _helpers, _helpers_lock = [], threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_helpers)


def run_parallel(kernel, count, *args, scratch=()):
    """Calls ``kernel(*args, *work, first, last)`` on pieces of ``range(count)``, spread over the threads.

    Args:
        kernel: a Numba function compiled with ``nogil=True`` whose last two
            arguments are the range of iterations it runs, each iteration
            independent of the others.
        count: the number of iterations.
        *args: the kernel's other arguments, the same for every piece.
        scratch: arrays whose shape and dtype the kernel's work space has
            (a tile being transformed): each thread gets its own ``work``,
            one ``numpy.empty_like`` of each, written by its pieces only. A
            kernel that allocated its work space itself would make Numba
            compile NumPy's ``np.empty`` in every first run (0.24 s;
            ``bench/RESULTS.md``, "Session 10").

    The range is cut into ``PIECES_PER_THREAD`` equal pieces per thread;
    the calling thread and the helpers each take the next piece when done
    with one, so a thread that starts late, or shares its core with another
    process, runs fewer pieces (as ``prange``'s scheduler does). The caller
    waits for all of them, so the kernel's outputs are complete when this
    returns; an exception in any piece is raised here. When another thread is already using the
    helpers (PyDataset thread workers calling kernels at once), this call
    runs all its pieces itself rather than wait.
    """
    import numba

    threads = max(1, min(count, numba.get_num_threads()))
    if threads == 1 or not _helpers_lock.acquire(blocking=False):
        _take_pieces(kernel, args, scratch, (0, count), itertools.count())
        return
    _quiet[0] += 1  # team.py's helpers stop watching for products: these threads need the cores
    try:
        while len(_helpers) < threads - 1:
            _helpers.append(_Helper())
        pieces = min(count, PIECES_PER_THREAD * threads)
        bounds = [count * piece // pieces for piece in range(pieces + 1)]  # equal pieces, in order
        counter = itertools.count()
        for helper in _helpers[: threads - 1]:
            helper.hand(_take_pieces, (kernel, args, scratch, bounds, counter))
        try:
            _take_pieces(kernel, args, scratch, bounds, counter)
        finally:
            try:  # every piece ends before the outputs are used, or raise
                errors = [error for error in (helper.wait() for helper in _helpers[: threads - 1])
                          if error is not None]
            except BaseException:  # waiting interrupted (Ctrl-C): these helpers may still be busy
                _helpers.clear()
                raise
        if errors:
            raise errors[0]
    finally:
        _quiet[0] -= 1
        _helpers_lock.release()


# The names of the two OpenBLAS calls: NumPy's wheels (ILP64, "scipy_" prefix, "64_" suffix), then plain OpenBLAS.
_OPENBLAS_NAMES = (("scipy_openblas_get_num_threads64_", "scipy_openblas_set_num_threads64_"),
                   ("openblas_get_num_threads64_", "openblas_set_num_threads64_"),
                   ("openblas_get_num_threads", "openblas_set_num_threads"))


@functools.cache
def blas_thread_control():
    """The thread-count calls of the OpenBLAS that NumPy uses, or None.

    Looks through the shared libraries loaded in the process (Linux's
    ``/proc/self/maps``) for an OpenBLAS in NumPy's folders (another one,
    SciPy's or PyTorch's, has its own threads and is not the one
    ``numpy.matmul`` calls).

    Returns:
        ``(get_num_threads, set_num_threads)``, two ctypes functions, or None
        (not Linux, NumPy not on OpenBLAS, or the names unknown).
    """
    import numpy  # loads NumPy's BLAS, if not yet

    numpy_folder = os.path.dirname(os.path.dirname(os.path.abspath(numpy.__file__)))
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
    except OSError:
        return None
    for path in sorted(p for p in paths if p.startswith(os.path.join(numpy_folder, "numpy"))):
        library = ctypes.CDLL(path)
        for get_name, set_name in _OPENBLAS_NAMES:
            if hasattr(library, get_name) and hasattr(library, set_name):
                get_num_threads, set_num_threads = getattr(library, get_name), getattr(library, set_name)
                get_num_threads.restype, set_num_threads.restype = ctypes.c_int, None
                set_num_threads.argtypes = [ctypes.c_int]
                return get_num_threads, set_num_threads
    return None


def blas_threads():
    """NumPy's BLAS thread count now, or 1 when it cannot be read (:func:`blas_thread_control`)."""
    control = blas_thread_control()
    return 1 if control is None else max(1, control[0]())


_blas_setting_lock = threading.Lock()  # one block of single_threaded_blas at a time: the setting is the process's


@contextlib.contextmanager
def single_threaded_blas():
    """Within this block, NumPy's BLAS runs each call on the calling thread only.

    Two uses: a stack of small products shared among minikeras's own threads
    (``threaded_matmul.py``), and small products that BLAS would share with
    its worker thread for nothing (the Winograd filter transform: after
    each call that it shares, OpenBLAS's idle worker keeps spinning on a core
    for tens of milliseconds, which the next kernels' threads then share).
    The setting is the library's, for the whole process: while another
    thread is inside such a block, this one leaves it as it is (BLAS may
    then use its threads: slower, never wrong). Without
    :func:`blas_thread_control`, does nothing.
    """
    control = blas_thread_control()
    if control is None or not _blas_setting_lock.acquire(blocking=False):
        yield
        return
    try:
        get_num_threads, set_num_threads = control
        previous = get_num_threads()
        set_num_threads(1)
        try:
            yield
        finally:
            set_num_threads(previous)
    finally:
        _blas_setting_lock.release()
