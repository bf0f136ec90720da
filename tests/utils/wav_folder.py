"""Tiny 16-bit WAV files in class folders, shared by the audio tests (teaching and conformance)."""

import os
import wave

import numpy as np


def write_wav(path, samples, rate=8000, width=2):
    """Writes int16 samples (L, C) (or (L,) for mono) to ``path``."""
    samples = np.asarray(samples, dtype="<i2").reshape(len(samples), -1)
    with wave.open(str(path), "wb") as file:
        file.setnchannels(samples.shape[1])
        file.setsampwidth(width)
        file.setframerate(rate)
        file.writeframes(samples.tobytes() if width == 2 else bytes(width * samples.size))


def make_folder(root, lengths=(("cat", (3, 5, 4)), ("dog", (2, 6)))):
    """``root/<class>/<i>.wav``, mono, sample j of file i of class k = 1000*k + 100*i + j. Returns root."""
    for class_index, (name, file_lengths) in enumerate(lengths):
        os.makedirs(os.path.join(root, name), exist_ok=True)
        for index, length in enumerate(file_lengths):
            write_wav(os.path.join(root, name, f"{index}.wav"), 1000 * class_index + 100 * index + np.arange(length))
    return str(root)
