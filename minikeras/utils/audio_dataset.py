"""``audio_dataset_from_directory``: a folder of ``.wav`` files as batches of (waveforms, labels).

Place in the stack: the top (``keras.utils``). It indexes the folder with
``dataset_utils.py`` (read that first; ``image_dataset.py`` and
``text_dataset.py`` are its siblings) and decodes the files of a batch only
when that batch is asked for, with the standard library's ``wave`` module::

    train, val = keras.utils.audio_dataset_from_directory(
        "speech_commands", batch_size=16, output_sequence_length=16000,
        validation_split=0.2, subset="both", seed=0)

A waveform is what TensorFlow's ``decode_wav`` gives: float32 (L, C), time
on axis 0, one column per channel, each 16-bit sample divided by 32768 so
that values lie in [-1, 1). ``output_sequence_length`` cuts every file to
that many steps or pads it with zeros; without it, the files of a batch are
zero-padded to the longest of them (Keras's ``padded_batch``).

Differences from Keras (which returns a ``tf.data.Dataset``): the result is
a ``PyDataset`` with ``class_names`` and ``file_paths``; ``ragged=True``
gives a NumPy object array (B,) holding each file's own (L_i, C) array
instead of a ``tf.RaggedTensor``; ``sampling_rate`` checks that every file
was recorded at that rate instead of resampling it (Keras resamples with
``tensorflow-io``, which minikeras does not use).
"""

import wave

import numpy as np

from minikeras.utils import dataset_utils

ALLOWED_FORMATS = (".wav",)


def read_wav(path, output_sequence_length=None):
    """Decodes one 16-bit PCM WAV file as TensorFlow's ``decode_wav`` does.

    Args:
        path: the file.
        output_sequence_length: None (all steps) or a number of steps L: the
            waveform is cut to L steps, or padded with zeros up to L.

    Returns:
        ``(waveform, rate)``: float32 (L, C) in [-1, 1), and the file's sampling rate in Hz.
    """
    with wave.open(path, "rb") as file:
        if file.getsampwidth() != 2:
            raise ValueError(f"Can only read 16-bit WAV files, but received {8 * file.getsampwidth()} bits "
                             f"in {path}.")
        channels, rate = file.getnchannels(), file.getframerate()
        frames = file.readframes(file.getnframes())
    samples = np.frombuffer(frames, dtype="<i2").reshape(-1, channels)  # (L, C): frames interleave channels
    waveform = samples.astype("float32") / 32768.0
    if output_sequence_length is not None:
        waveform = pad_or_cut(waveform, output_sequence_length)
    return waveform, rate


def pad_or_cut(waveform, length):
    """(L, C) -> (length, C): the first ``length`` steps, zeros after the end of the file."""
    result = np.zeros((length, waveform.shape[1]), dtype=waveform.dtype)
    steps = min(length, len(waveform))
    result[:steps] = waveform[:steps]
    return result


class AudioDataset(dataset_utils.FileDataset):
    """WAV files read per batch: items ``(audio, labels)``, audio float32 (B, L, C)."""

    def __init__(self, file_paths, labels, batch_size, shuffle, seed, sampling_rate, output_sequence_length,
                 ragged):
        super().__init__(file_paths, labels, batch_size, shuffle, seed)
        self.sampling_rate, self.output_sequence_length = sampling_rate, output_sequence_length
        self.ragged = ragged

    def load(self, path):
        """One waveform, float32 (L, C)."""
        waveform, rate = read_wav(path, self.output_sequence_length)
        if self.sampling_rate is not None and rate != self.sampling_rate:
            raise ValueError(f"audio_dataset_from_directory: {path} is sampled at {rate} Hz but "
                             f"`sampling_rate={self.sampling_rate}`. minikeras does not resample (Keras does it "
                             "with tensorflow-io): resample the files, or pass sampling_rate=None.")
        return waveform

    def stack(self, examples):
        """The batch: zero-padded to its longest file (B, L, C), or ragged: an object array (B,) of (L_i, C)."""
        if self.ragged:
            batch = np.empty(len(examples), dtype=object)
            batch[:] = examples
            return batch
        longest = max(len(waveform) for waveform in examples)
        return np.stack([pad_or_cut(waveform, longest) for waveform in examples])  # (B, longest, C)


def audio_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None, batch_size=32,
                                 sampling_rate=None, output_sequence_length=None, ragged=False, shuffle=True,
                                 seed=None, validation_split=None, subset=None, follow_links=False, verbose=True):
    """Batches of waveforms (and labels) from a folder with one subfolder of ``.wav`` files per class.

    Args:
        directory: the main folder.
        labels: ``"inferred"`` (from the subfolders), None, or a list of ints,
            one per file in the sorted order of the file paths.
        label_mode: ``"int"`` (int32 (B,)), ``"categorical"`` (float32 one-hot
            (B, num_classes)), ``"binary"`` (float32 (B, 1)), or None (no labels).
        class_names: the subfolders to use, in label order (only with ``"inferred"``).
        batch_size: files per batch; None: one waveform (L, C) per item.
        sampling_rate: None, or the rate (Hz, a positive int) every file must have.
        output_sequence_length: cut or zero-pad every waveform to this many steps.
        ragged: keep each waveform's own length (not with ``output_sequence_length``).
        shuffle: shuffle the files (and reshuffle every epoch).
        seed: seed of the shuffles; required with ``validation_split`` and ``shuffle``.
        validation_split: fraction of the files kept for validation.
        subset: ``"training"``, ``"validation"`` or ``"both"`` (returns both datasets).
        follow_links: walk into symbolic links to folders.
        verbose: print how many files were found.

    Returns:
        An ``AudioDataset`` yielding ``(audio, labels)`` with audio float32
        (B, L, C); a tuple ``(train, validation)`` with ``subset="both"``.
    """
    # 1. Check the arguments with Keras's messages.
    labels, label_mode = dataset_utils.check_label_arguments(labels, label_mode, class_names, "audio files",
                                                             "audio samples")
    if ragged and output_sequence_length is not None:
        raise ValueError("Cannot set both `ragged` and `output_sequence_length`")
    if sampling_rate is not None:
        if not isinstance(sampling_rate, int):
            raise ValueError(f"`sampling_rate` should have an integer value. Received: sampling_rate={sampling_rate}")
        if sampling_rate <= 0:
            raise ValueError(f"`sampling_rate` should be higher than 0. Received: sampling_rate={sampling_rate}")
    dataset_utils.check_validation_split_arg(validation_split, subset, shuffle, seed)
    seed = np.random.randint(1e6) if seed is None else seed
    # 2. Index the folder (one shuffle of the file list, seeded).
    file_paths, labels, class_names = dataset_utils.index_directory(
        directory, labels, formats=ALLOWED_FORMATS, class_names=class_names, shuffle=shuffle, seed=seed,
        follow_links=follow_links, verbose=verbose)
    # 3. One dataset, or training and validation (a tuple for "both", as Keras returns).
    datasets = dataset_utils.datasets_for_subset(
        directory, file_paths, labels, class_names, label_mode, validation_split, subset, shuffle,
        "audio files", f"Allowed format(s): {ALLOWED_FORMATS}",
        lambda paths, encoded, shuffled: AudioDataset(paths, encoded, batch_size, shuffled, seed, sampling_rate,
                                                      output_sequence_length, ragged))
    return tuple(datasets) if subset == "both" else datasets
