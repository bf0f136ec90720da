"""``CSVLogger``, ``TerminateOnNaN`` and ``LambdaCallback``: three small callbacks.

Place in the stack: callbacks with no base beyond ``Callback``.

* ``CSVLogger`` streams each epoch's logs to a CSV file: a header
  ``epoch,<keys sorted>`` then one row per epoch (0-based epoch), as Keras.
* ``TerminateOnNaN`` stops training as soon as a batch's loss is NaN or inf.
* ``LambdaCallback`` builds a callback from plain functions.

Read next: ``minikeras/callbacks/__init__.py`` (the public names).
"""

import collections
import csv
import math
import os

from minikeras.callbacks.callback import Callback
from minikeras.utils import io_utils


class CSVLogger(Callback):
    """Streams epoch results to a CSV file.

    Args:
        filename: the CSV file's path.
        separator: the column separator.
        append: append to an existing file (the header is written only if
            the file is empty) instead of overwriting it.
    """

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.sep = separator
        self.filename = os.fspath(filename)
        self.append = append
        self.writer = None
        self.keys = None
        self.append_header = True
        self.csv_file = None

    def on_train_begin(self, logs=None):
        mode = "w"
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename) as existing:
                    self.append_header = not bool(len(existing.readline()))
            mode = "a"
        if self.csv_file and not self.csv_file.closed:
            self.csv_file.close()
        self.csv_file = open(self.filename, mode, newline="")
        self.writer = None
        self.keys = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs.keys())
            # Validation may not run every epoch: reserve its columns up front.
            if self.keys and not any(key.startswith("val_") for key in self.keys):
                self.keys.extend([f"val_{key}" for key in self.keys])
        if self.writer is None:
            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch"] + self.keys,
                                         delimiter=self.sep, lineterminator="\r\n")
            if self.append_header:
                self.writer.writeheader()
        row = collections.OrderedDict({"epoch": epoch})
        row.update((key, _csv_value(logs.get(key, "NA"))) for key in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        if self.csv_file and not self.csv_file.closed:
            self.csv_file.close()
        self.writer = None


def _csv_value(value):
    """A list becomes ``"[1, 2]"``; numbers and strings stay as they are."""
    if isinstance(value, (list, tuple)):
        return f'"[{", ".join(map(str, value))}]"'
    return value


class TerminateOnNaN(Callback):
    """Stops training when a batch's loss is NaN or infinite.

    Args:
        raise_error: raise a RuntimeError at once instead of stopping cleanly.
    """

    def __init__(self, raise_error=False):
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None or math.isfinite(loss):
            return
        if self.raise_error:
            raise RuntimeError(
                f"NaN or Inf loss encountered at batch {batch}. Loss value: {loss}. "
                "Terminating training immediately."
            )
        io_utils.print_msg(f"Batch {batch}: Invalid loss, terminating training")
        self.model.stop_training = True


class LambdaCallback(Callback):
    """A callback made of the functions given.

    Args:
        on_epoch_begin, on_epoch_end: ``f(epoch, logs)``.
        on_train_begin, on_train_end: ``f(logs)``.
        on_train_batch_begin, on_train_batch_end: ``f(batch, logs)``.
        **kwargs: any other hook by name (``on_test_end=...``).

    Example:
        >>> LambdaCallback(on_epoch_end=lambda epoch, logs: print(logs["loss"]))
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None,
                 on_train_end=None, on_train_batch_begin=None, on_train_batch_end=None, **kwargs):
        super().__init__()
        hooks = {"on_epoch_begin": on_epoch_begin, "on_epoch_end": on_epoch_end,
                 "on_train_begin": on_train_begin, "on_train_end": on_train_end,
                 "on_train_batch_begin": on_train_batch_begin,
                 "on_train_batch_end": on_train_batch_end, **kwargs}
        for name, function in hooks.items():
            if function is not None:
                setattr(self, name, function)  # an instance attribute hides the method
