"""``Progbar``: Keras 3's progress bar, line for line.

Place in the stack: a utility used by ``minikeras.callbacks.ProgbarLogger``
(which ``fit``, ``evaluate`` and ``predict`` add for ``verbose != 0``). It
knows nothing about models: it is given a step count and ``(name, value)``
pairs and writes text.

The line it draws (``verbose=1``)::

     399/399 ━━━━━━━━━━━━━━━━━━━━ 74s 184ms/step - acc: 0.4980 - loss: 1.3832

step count right-aligned to the target's width, a 20-character bar, then the
time left (ETA) while the epoch runs or the time taken once it is over, the
time per step (the first step, which includes warm-up, is left out of the
average), and the metrics. ``verbose=2`` writes one plain line at the end::

    3/3 - 2s - 518ms/step - accuracy: 0.3625 - loss: 1.1066

Where the output goes changes how it is drawn. On a terminal the line is
redrawn in place (backspaces and a carriage return) with a bold step count
and a green bar, as Keras does. In a Jupyter kernel each bar is one display
output, replaced in place as the bar moves (an IPython display handle), so an
epoch leaves one plain line in the notebook rather than a stream of redraws
(Keras writes every redraw there, which a saved notebook keeps as hundreds of
outputs). Into a file or a pipe, minikeras writes each bar's final line once,
with no control characters, so that logs stay readable (Keras writes every
redraw there too).

Both the clock and the stream can be replaced (``time_fn=``, ``stream=``, or
the module-level ``clock``) so that tests can pin the exact text.

Read next: ``minikeras/callbacks/progbar_logger.py``.
"""

import math
import sys
import time

import numpy as np

from minikeras.utils import io_utils

# The clock every Progbar reads unless given ``time_fn``. Tests replace it
# (``monkeypatch.setattr(progbar, "clock", fake)``) to pin times in fit().
clock = time.time

BOLD = "\x1b[1m"
GREEN = "\x1b[32m"
WHITE = "\x1b[37m"
RESET = "\x1b[0m"
BAR_CHARACTER = "\u2501"  # "━", a heavy horizontal line


class Progbar:
    """Displays a progress bar.

    Args:
        target: total number of steps expected, None if unknown.
        width: the bar's width in characters.
        verbose: 0 (silent), 1 (bar) or 2 (one line when finished).
        interval: minimum time in seconds between two redraws.
        stateful_metrics: names whose values are shown as given. Any other
            name is averaged over the steps seen (Keras's default when
            neither this nor ``stateless_metrics`` is given).
        stateless_metrics: alternatively, the names to average; every other
            name is shown as given (``ProgbarLogger`` passes an empty set).
        unit_name: the unit of a step (``"step"`` or ``"sample"``).
        stream: where to write (default: ``sys.stdout`` at write time).
        time_fn: a function returning the time in seconds (default: the
            module-level ``clock``).
        dynamic_display: force the redraw-in-place mode on or off (default:
            on for a terminal or Jupyter).

    Attributes:
        title: a line shown above the bar inside its Jupyter display
            (``ProgbarLogger`` puts ``"Epoch 2/5"`` there, so that an epoch
            is one output); unused elsewhere.
    """

    def __init__(self, target, width=20, verbose=1, interval=0.05, stateful_metrics=None,
                 stateless_metrics=None, unit_name="step", stream=None, time_fn=None,
                 dynamic_display=None):
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError(
                "Only one of `stateful_metrics` or `stateless_metrics` can be provided."
            )
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = None if stateless_metrics is not None else set(stateful_metrics or ())
        self.stateless_metrics = None if stateless_metrics is None else set(stateless_metrics)
        self._stream = stream
        self._time_fn = time_fn
        self._dynamic_display = dynamic_display
        self._values = {}  # name -> [sum of value*steps, steps]
        self._values_order = []  # names in the order first seen
        self._seen_so_far = 0
        self._start = self._now()
        self._last_update = 0.0
        self._time_after_first_step = None
        self._previous_width = 0  # visible width of the last line drawn
        self.title = None
        self._display_handle = None  # the Jupyter output this bar replaces

    # ----- where the text goes -----
    def _now(self):
        return (self._time_fn or clock)()

    def _out(self):
        return self._stream if self._stream is not None else sys.stdout

    def in_jupyter(self):
        """True when this bar draws into a Jupyter display output.

        That is when it writes to the standard output, the standard output is
        a Jupyter kernel's (ipykernel's ``OutStream``), and neither
        ``dynamic_display`` nor ``disable_interactive_logging`` says otherwise.
        """
        if self._stream is not None or self._dynamic_display is not None:
            return False
        if not io_utils.is_interactive_logging_enabled():
            return False
        return type(sys.stdout).__module__.startswith("ipykernel")

    def _is_dynamic(self):
        """Redraw in place only on a terminal, never into a log."""
        if self._stream is None and not io_utils.is_interactive_logging_enabled():
            return False
        if self._dynamic_display is not None:
            return self._dynamic_display
        stream = self._out()
        return bool(hasattr(stream, "isatty") and stream.isatty())

    def _write(self, text):
        if self._stream is None and not io_utils.is_interactive_logging_enabled():
            io_utils.print_msg(text.rstrip("\n"))  # one log record per finished line
            return
        stream = self._out()
        stream.write(text)
        stream.flush()

    # ----- the public API -----
    def update(self, current, values=None, finalize=None):
        """Moves the bar to step ``current``.

        Args:
            current: index of the current step (1-based count of steps done).
            values: list of ``(name, value)`` pairs for the last step.
            finalize: whether this is the last update; by default
                ``current >= target``.
        """
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        self._record_values(current, values or [], finalize)
        self._seen_so_far = current
        now = self._now()
        time_per_unit = self._estimate_step_duration(current, now)
        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            if self.in_jupyter():
                self._draw_jupyter(self._plain_line(current, now, time_per_unit, finalize))
            elif self._is_dynamic():
                self._draw_dynamic(current, now, time_per_unit, finalize)
            elif finalize:
                self._write(self._plain_line(current, now, time_per_unit, finalize) + "\n")
        elif self.verbose == 2 and finalize and self.target:
            self._write(self._verbose_2_line(current, now, time_per_unit) + "\n")
        self._last_update = now

    def add(self, n, values=None):
        """Advances the bar by ``n`` steps."""
        self.update(self._seen_so_far + n, values)

    # ----- bookkeeping -----
    def _is_averaged(self, name):
        if self.stateful_metrics is not None:
            return name not in self.stateful_metrics
        return name in self.stateless_metrics

    def _record_values(self, current, values, finalize):
        """Adds this step's values to the running sums (or replaces them)."""
        for name, value in values:
            if name not in self._values_order:
                self._values_order.append(name)
            if not self._is_averaged(name) or finalize:
                self._values[name] = [value, 1]
                continue
            # Weight each value by the steps it covers since the last update.
            steps = max(current - self._seen_so_far, 1)
            total, count = self._values.get(name, [0.0, 0])
            self._values[name] = [total + value * steps, count + steps]

    def _estimate_step_duration(self, current, now):
        """Seconds per step, leaving out the first (warm-up) step when possible."""
        if not current:
            return 0
        if self._time_after_first_step is not None and current > 1:
            time_per_unit = (now - self._time_after_first_step) / (current - 1)
        else:
            time_per_unit = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return time_per_unit

    # ----- the pieces of a line -----
    def _count(self, current):
        """``" 12/399"``: the step right-aligned to the target's width."""
        digits = int(math.log10(self.target)) + 1
        return f"%{digits}d/%d" % (current, self.target)

    def _bar(self, current, colours):
        """The 20 ``━`` characters, the done part green on a terminal."""
        done = int(self.width * float(current) / self.target)
        if not colours:
            return BAR_CHARACTER * self.width
        bar = f"{GREEN}{BAR_CHARACTER * done}{RESET}" if done > 0 else ""
        return bar + f"{WHITE}{BAR_CHARACTER * (self.width - done)}{RESET}"

    def _time_text(self, current, now, time_per_unit, finalize):
        """ETA while running (``Ns``, ``M:SS``, ``H:MM:SS``), elapsed time at the end."""
        if self.target is not None and self.target > 0 and not finalize:
            eta = time_per_unit * (self.target - current)
            if eta > 3600:
                return "%d:%02d:%02d" % (eta // 3600, (eta % 3600) // 60, eta % 60)
            if eta > 60:
                return "%d:%02d" % (eta // 60, eta % 60)
            return "%ds" % eta
        return f"{now - self._start:.0f}s"

    def _metrics_text(self):
        """`` - name: value`` for each value, ``%.4f`` or ``%.4e`` when tiny."""
        text = ""
        for name in self._values_order:
            total, count = self._values[name]
            average = float(np.mean(total)) / max(1, count)
            text += f" - {name}: {format_value(average)}"
        return text

    def _line(self, current, now, time_per_unit, finalize, colours):
        """Returns (text, visible width) of one verbose-1 line."""
        if self.target is not None and self.target > 0:
            count = self._count(current)
            bar = self._bar(current, colours)
            head = f"{BOLD}{count}{RESET} {bar}" if colours else f"{count} {bar}"
            head_width = len(count) + 1 + self.width
        else:
            head = "%7d/Unknown" % current
            head_width = len(head)
        time_text = self._time_text(current, now, time_per_unit, finalize)
        info = f" {BOLD}{time_text}{RESET}" if colours else f" {time_text}"
        tail = format_time(time_per_unit, self.unit_name) + self._metrics_text()
        width = head_width + 1 + len(time_text) + len(tail)
        return head + info + tail, width

    def _plain_line(self, current, now, time_per_unit, finalize):
        return self._line(current, now, time_per_unit, finalize, colours=False)[0]

    def _draw_dynamic(self, current, now, time_per_unit, finalize):
        """Erases the previous line and draws the new one over it."""
        line, width = self._line(current, now, time_per_unit, finalize, colours=True)
        message = "\b" * self._previous_width + "\r" + line
        if self._previous_width > width:
            message += " " * (self._previous_width - width)  # cover the longer old line
        if finalize:
            message += "\n"
        self._write(message)
        self._previous_width = width

    def _draw_jupyter(self, line):
        """Shows ``line`` (under the title) in this bar's one display output."""
        # IPython is there whenever a Jupyter kernel runs us; it is imported
        # here only, so that minikeras never needs it elsewhere.
        from IPython import display

        text = line if self.title is None else f"{self.title}\n{line}"
        if self._display_handle is None:
            self._display_handle = display.display({"text/plain": text}, raw=True, display_id=True)
        else:
            self._display_handle.update({"text/plain": text}, raw=True)

    def _verbose_2_line(self, current, now, time_per_unit):
        """``3/3 - 2s - 518ms/step - accuracy: 0.3625 - loss: 1.1066``."""
        line = f"{self._count(current)} - {now - self._start:.0f}s"
        line += " -" + format_time(time_per_unit, self.unit_name)
        return line + self._metrics_text()


def format_value(value):
    """``0.4980`` with 4 decimals, or ``1.2345e-04`` when ``|value| <= 1e-3``."""
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"


def format_time(time_per_unit, unit_name):
    """`` 2s/step``, `` 184ms/step`` or `` 601us/step`` (with a leading space)."""
    if time_per_unit >= 1 or time_per_unit == 0:
        return f" {time_per_unit:.0f}s/{unit_name}"
    if time_per_unit >= 1e-3:
        return f" {time_per_unit * 1000.0:.0f}ms/{unit_name}"
    return f" {time_per_unit * 1000000.0:.0f}us/{unit_name}"
