"""Traceback filtering: errors raised inside minikeras show your code, not minikeras's plumbing.

Place in the stack: a small utility with no minikeras imports, used by
``Layer.__call__`` (``minikeras/layers/layer.py``) and the trainer's public
loops (``fit``, ``evaluate``, ``predict`` and the ``*_on_batch`` methods in
``minikeras/trainers/trainer.py``). ``minikeras.config`` exports the switch
under Keras's names.

Why: an error in your layer's ``call`` during ``fit`` travels through about
twenty minikeras frames (the loop, ``train_step``, the tape, ``Layer.__call__``
of every enclosing model...) before it reaches you. None of them is where the
mistake is. Keras therefore drops its own frames from the traceback of any
exception that leaves those entry points, and so does minikeras: the
filtered traceback keeps the frames of files outside the minikeras package
(your script, your layer's ``call``, NumPy) plus one line of the filter itself.
The exception, its message and its chained causes are untouched.

It is on by default, as in Keras. To see every frame while debugging
minikeras itself: ``minikeras.config.disable_traceback_filtering()``.
"""

import functools
import os
import traceback
import types

# Frames from files under this folder (the minikeras package) are dropped.
_PACKAGE_DIRECTORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_STATE = {"enabled": True}


def enable_traceback_filtering():
    """Turns traceback filtering on (the default): minikeras's own frames are hidden."""
    _STATE["enabled"] = True


def disable_traceback_filtering():
    """Turns traceback filtering off: tracebacks show every minikeras frame."""
    _STATE["enabled"] = False


def is_traceback_filtering_enabled():
    """True when minikeras hides its own frames from tracebacks (the default)."""
    return _STATE["enabled"]


def include_frame(filename):
    """True for a frame worth showing: one from a file outside the minikeras package."""
    return not os.path.abspath(filename).startswith(_PACKAGE_DIRECTORY)


def filtered_traceback(tb):
    """A new traceback with only the frames ``include_frame`` keeps, in the same order.

    Args:
        tb: a traceback (``error.__traceback__``), innermost frame last.
    Returns:
        The filtered traceback; if no frame is kept, the innermost one alone
        (the line that raised), as Keras does.
    """
    frames = list(traceback.walk_tb(tb))  # [(frame, line number)], outermost first
    filtered = None
    # Tracebacks are linked lists from the outside in: build them from the innermost frame.
    for frame, line_number in reversed(frames):
        if include_frame(frame.f_code.co_filename):
            filtered = types.TracebackType(filtered, frame, frame.f_lasti, line_number)
    if filtered is None and frames:
        frame, line_number = frames[-1]
        filtered = types.TracebackType(None, frame, frame.f_lasti, line_number)
    return filtered


def filter_traceback(function):
    """Decorator: exceptions leaving ``function`` lose their minikeras frames (when enabled).

    A plain ``try``/``except``: nothing happens unless an exception is raised.
    """
    @functools.wraps(function)
    def error_handler(*args, **kwargs):
        if not _STATE["enabled"]:
            return function(*args, **kwargs)
        try:
            return function(*args, **kwargs)
        except Exception as error:
            # Re-raising the same object keeps its message, type, __cause__ and __context__.
            raise error.with_traceback(filtered_traceback(error.__traceback__))
    return error_handler
