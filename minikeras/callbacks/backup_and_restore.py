"""BackupAndRestore: a training job that is killed resumes where it stopped.

Place in the stack: a callback over ``callback.py``; it saves with
``model.save_weights`` (``minikeras/saving/``, through the model, so no
callback imports saving). Read ``model_checkpoint.py`` first for the plain
checkpoint; this one is about *interruptions* (a preempted cloud machine, a
crash, Ctrl-C).

What it keeps in ``backup_dir``:
- ``latest.weights.h5``: the model's and the optimizer's variables (the
  optimizer's moments and step count too, so Adam resumes exactly);
- ``training_metadata.json``: ``{"epoch": E, "batch": B}``, the number of
  finished epochs.

At the start of ``fit`` it loads both if they exist and tells ``fit`` to
start at epoch E (``model._initial_epoch``, read once by the loop, as in
Keras). At the end of a ``fit`` that was not interrupted it deletes the
folder (``delete_checkpoint=True``), so the next ``fit`` starts afresh.
With ``save_freq=N`` it also saves every N batches, but resumes at the
start of the interrupted epoch (as Keras does): that epoch is repeated.
``double_checkpoint=True`` keeps the previous backup as ``*.bkp``, used if
the latest one turns out unreadable (killed while writing it).
"""

import json
import os
import shutil

from minikeras.callbacks.callback import Callback


class BackupAndRestore(Callback):
    """Backs up the model (and optimizer) during ``fit`` and resumes an interrupted ``fit``.

    Args:
        backup_dir: folder of the backup (created when needed). Use one folder per training job.
        save_freq: ``"epoch"`` (after every epoch), or an int N (every N batches), or False
            (never, only resume from an existing backup).
        double_checkpoint: keep the previous backup too, as a fallback.
        delete_checkpoint: delete ``backup_dir`` when ``fit`` ends normally.
    """

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint=False, delete_checkpoint=True):
        super().__init__()
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        if save_freq != "epoch" and not isinstance(save_freq, int):
            raise ValueError(f"Invalid value for argument `save_freq`. Received: save_freq={save_freq}. "
                             "Expected either 'epoch' or an integer value.")
        self.backup_dir, self.save_freq = os.fspath(backup_dir), save_freq
        self.double_checkpoint, self.delete_checkpoint = double_checkpoint, delete_checkpoint
        self._weights_path = os.path.join(self.backup_dir, "latest.weights.h5")
        self._training_metadata_path = os.path.join(self.backup_dir, "training_metadata.json")
        self._prev_weights_path = self._weights_path + ".bkp"
        self._prev_training_metadata_path = self._training_metadata_path + ".bkp"
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = 0
        self._current_epoch = 0

    def on_train_begin(self, logs=None):
        try:
            self._load_model()
        except OSError:
            # The latest backup is unreadable (cut short): fall back to the previous one, if kept.
            if not os.path.exists(self._prev_weights_path):
                raise
            shutil.copyfile(self._prev_weights_path, self._weights_path)
            if os.path.exists(self._prev_training_metadata_path):
                shutil.copyfile(self._prev_training_metadata_path, self._training_metadata_path)
            elif os.path.exists(self._training_metadata_path):
                os.remove(self._training_metadata_path)
            self._load_model()

    def _load_model(self):
        """Loads the backup (if any) and sets the epoch ``fit`` starts from."""
        if not self.model.built:
            raise ValueError("To use the BackupAndRestore callback, you model must be built before you call "
                             f"`fit()`. Model {self.model} is unbuilt. You can build it beforehand by calling it "
                             "on a batch of data.")
        if os.path.exists(self._weights_path):
            self.model.load_weights(self._weights_path)
        if os.path.exists(self._training_metadata_path):
            with open(self._training_metadata_path) as file:
                self.model._initial_epoch = json.load(file)["epoch"]

    def on_epoch_end(self, epoch, logs=None):
        self._current_epoch = epoch + 1
        self._last_batch_seen = 0
        if self.save_freq == "epoch":
            self._save_model()

    def on_train_batch_end(self, batch, logs=None):
        if self._should_save_on_batch(batch):
            self._save_model()

    def _save_model(self):
        """Writes the weights, then the metadata (each file replaced atomically by ``save_weights``)."""
        os.makedirs(self.backup_dir, exist_ok=True)
        if self.double_checkpoint:
            for path, previous in ((self._weights_path, self._prev_weights_path),
                                   (self._training_metadata_path, self._prev_training_metadata_path)):
                if os.path.exists(path):
                    shutil.copyfile(path, previous)
        self.model.save_weights(self._weights_path, overwrite=True)
        with open(self._training_metadata_path, "w") as file:
            json.dump({"epoch": self._current_epoch, "batch": self._last_batch_seen}, file)

    def _should_save_on_batch(self, batch):
        """True every ``save_freq`` batches (counted across epochs)."""
        if self.save_freq == "epoch":
            return False
        # A batch index not above the last one seen means a new epoch began: count from 0 again.
        added = batch + 1 if batch <= self._last_batch_seen else batch - self._last_batch_seen
        self._batches_seen_since_last_saving += added
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def on_train_end(self, logs=None):
        if self.delete_checkpoint and os.path.exists(self.backup_dir):
            shutil.rmtree(self.backup_dir)
