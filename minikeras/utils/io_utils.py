"""Interactive logging: whether progress bars and messages go to stdout or to ``logging``.

Place in the stack: the top (``keras.utils`` and ``keras.config`` both export
the three switches). ``Progbar`` asks ``is_interactive_logging_enabled()``
before it writes: when it is off (a training job on a server), each bar
writes its final line as one ``INFO`` record of the ``"minikeras"`` logger
and never redraws. Keras sends those records to ``absl.logging``; minikeras
uses Python's own ``logging`` (no extra dependency).
"""

import logging
import sys

LOGGER = logging.getLogger("minikeras")

# The one setting this file owns (Keras keeps it in its global state).
_interactive_logging = True


def enable_interactive_logging():
    """Progress bars and messages write to stdout (the default)."""
    global _interactive_logging
    _interactive_logging = True


def disable_interactive_logging():
    """Progress bars and messages go to the ``"minikeras"`` logger at level INFO."""
    global _interactive_logging
    _interactive_logging = False


def is_interactive_logging_enabled():
    """True when messages go to stdout (see ``disable_interactive_logging``)."""
    return _interactive_logging


def print_msg(message, line_break=True):
    """Writes ``message`` to stdout, or logs it when interactive logging is off.

    Args:
        message: anything; it is turned into a string.
        line_break: whether stdout gets a newline after it.
    """
    message = str(message)
    if not _interactive_logging:
        LOGGER.info(message)
        return
    sys.stdout.write(message + "\n" if line_break else message)
    sys.stdout.flush()
