"""Process-wide state that travels with a call: the tape stack, the training
flag, and the counters behind Keras's automatic names.

Place in the stack: with ``config.py`` and ``arrays.py`` at the bottom. The
autodiff engine reads ``active_tapes()`` to decide whether an op is recorded;
layers read ``in_training()`` so that a Dropout deep inside a model knows the
mode even when the ``call`` above it never declared ``training``. Keeping this
state here, and only here, means no other module holds a hidden global.
"""

import contextlib
import threading

# Each thread has its own tapes and training flag, as in TensorFlow: a data
# loader thread must never see the main thread's recording.
_local = threading.local()


def _state():
    if not hasattr(_local, "tapes"):
        _local.tapes = []  # the GradientTapes currently recording, innermost last
        _local.recording_paused = 0  # > 0 inside no_grad() or tape.stop_recording()
        _local.training = None  # None: no outer call set it yet
        _local.autocast_dtype = None  # the dtype float Variables are read as (mixed precision)
    return _local


def active_tapes():
    """Returns the tapes that record ops now (an empty list outside any tape)."""
    state = _state()
    return [] if state.recording_paused else state.tapes


def push_tape(tape):
    _state().tapes.append(tape)


def pop_tape(tape):
    tapes = _state().tapes
    if tape in tapes:
        tapes.remove(tape)


@contextlib.contextmanager
def no_grad():
    """Within this block no op is recorded, whatever tapes are open."""
    state = _state()
    state.recording_paused += 1
    try:
        yield
    finally:
        state.recording_paused -= 1


def in_training():
    """The training flag set by the outermost layer call (None if unset)."""
    return _state().training


@contextlib.contextmanager
def training_scope(training):
    """Sets the training flag for the calls nested inside this block.

    The outermost ``Layer.__call__`` enters it; a nested call that receives
    ``training=None`` inherits the value set here.
    """
    state = _state()
    previous = state.training
    state.training = training
    try:
        yield
    finally:
        state.training = previous


def autocast_dtype():
    """The dtype that ops read float Variables as now, or None (no autocasting).

    ``Layer.__call__`` of a mixed-precision layer (float16 compute, float32
    weights) sets it for the time of its ``call``; ``Op.__call__`` then casts
    each float Variable it receives, on the tape, so the gradient flows back
    to the float32 Variable.
    """
    return _state().autocast_dtype


@contextlib.contextmanager
def autocast_scope(dtype):
    """Within this block, ops read float Variables as ``dtype`` (None: as they are)."""
    state = _state()
    previous = state.autocast_dtype
    state.autocast_dtype = dtype
    try:
        yield
    finally:
        state.autocast_dtype = previous


# ----- scopes that watch Variable.assign (StatelessScope, remat's recorder) -----
def state_scopes():
    """The open scopes that ``Variable.assign`` must notify, innermost last (see ``scopes.py``)."""
    state = _state()
    if not hasattr(state, "state_scopes"):
        state.state_scopes = []
    return state.state_scopes


def push_state_scope(scope):
    state_scopes().append(scope)


def pop_state_scope(scope):
    scopes = state_scopes()
    if scope in scopes:
        scopes.remove(scope)


@contextlib.contextmanager
def replaced_tapes(tapes):
    """Within this block only ``tapes`` record, whatever was open or paused outside.

    ``autodiff/remat.py`` runs a forward pass with a tape of its own in place of
    the user's, so that the user's tapes keep one node instead of every op.
    """
    state = _state()
    saved = state.tapes, state.recording_paused
    state.tapes, state.recording_paused = list(tapes), 0
    try:
        yield
    finally:
        state.tapes, state.recording_paused = saved


# ----- automatic names: "dense", "dense_1", ... counted per base name -----
_name_counts = {}
_name_lock = threading.Lock()


def unique_name(base):
    """Returns ``base`` the first time, then ``base_1``, ``base_2``, ..."""
    with _name_lock:
        count = _name_counts.get(base, 0)
        _name_counts[base] = count + 1
    return base if count == 0 else f"{base}_{count}"


def get_uid(prefix=""):
    """How many times ``prefix`` has been used as a name, this call included
    (Keras's ``keras.backend.get_uid``; shares the counters of ``unique_name``)."""
    with _name_lock:
        _name_counts[prefix] = _name_counts.get(prefix, 0) + 1
        return _name_counts[prefix]


# ----- the global SeedGenerator of minikeras.random (made there, kept here) -----
_global_seed_generator = None


def get_global_seed_generator():
    """The SeedGenerator that unseeded random ops draw from (None until made)."""
    return _global_seed_generator


def set_global_seed_generator(generator):
    global _global_seed_generator
    _global_seed_generator = generator


def clear_session():
    """Resets the automatic name counters (``dense`` is ``dense`` again) and
    forgets the global SeedGenerator (the next unseeded draw makes a new one)."""
    with _name_lock:
        _name_counts.clear()
    set_global_seed_generator(None)
