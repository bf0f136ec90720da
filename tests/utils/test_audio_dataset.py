"""audio_dataset_from_directory on five tiny WAV files: decoding, padding, labels, splits and errors."""

import numpy as np
import pytest

from minikeras.utils import audio_dataset_from_directory
from minikeras.utils.audio_dataset import read_wav
from tests.utils.wav_folder import make_folder
from tests.utils.wav_folder import write_wav


def test_a_16_bit_file_decodes_to_float32_steps_by_channels(tmp_path):
    write_wav(tmp_path / "s.wav", [[-32768, 0], [16384, 32767]], rate=16000)
    waveform, rate = read_wav(str(tmp_path / "s.wav"))
    assert rate == 16000 and waveform.dtype == np.float32
    np.testing.assert_array_equal(waveform, [[-1.0, 0.0], [0.5, 32767 / 32768]])
    np.testing.assert_array_equal(read_wav(str(tmp_path / "s.wav"), 3)[0][2], [0.0, 0.0])  # zero-padded


def test_batches_are_padded_to_their_longest_file(tmp_path):
    dataset = audio_dataset_from_directory(make_folder(tmp_path), batch_size=3, shuffle=False, verbose=False)
    assert dataset.class_names == ["cat", "dog"] and len(dataset) == 2
    audio, labels = dataset[0]
    assert audio.shape == (3, 5, 1)  # cat files of lengths 3, 5, 4
    np.testing.assert_array_equal(labels, [0, 0, 0])
    np.testing.assert_allclose(audio[0, :, 0] * 32768, [0, 1, 2, 0, 0])
    audio, labels = dataset[1]
    assert audio.shape == (2, 6, 1) and labels.tolist() == [1, 1]


def test_fixed_length_ragged_and_label_modes(tmp_path):
    folder = make_folder(tmp_path)
    fixed = audio_dataset_from_directory(folder, batch_size=5, output_sequence_length=4, shuffle=False,
                                         label_mode="categorical", verbose=False)
    audio, labels = fixed[0]
    assert audio.shape == (5, 4, 1) and labels.shape == (5, 2) and labels.dtype == np.float32
    ragged = audio_dataset_from_directory(folder, batch_size=5, ragged=True, shuffle=False, label_mode=None,
                                          verbose=False)
    assert [waveform.shape for waveform in ragged[0]] == [(3, 1), (5, 1), (4, 1), (2, 1), (6, 1)]
    single = audio_dataset_from_directory(folder, batch_size=None, shuffle=False, label_mode="binary",
                                          verbose=False)
    assert single[3][0].shape == (2, 1) and single[3][1].tolist() == [1.0]


def test_both_subsets_share_no_file_and_shuffle_repeats(tmp_path):
    folder = make_folder(tmp_path)
    train, val = audio_dataset_from_directory(folder, batch_size=2, validation_split=0.4, subset="both", seed=3,
                                              verbose=False)
    assert len(train.file_paths) == 3 and len(val.file_paths) == 2
    assert not set(train.file_paths) & set(val.file_paths)
    again = audio_dataset_from_directory(folder, batch_size=2, validation_split=0.4, subset="training", seed=3,
                                         verbose=False)
    np.testing.assert_array_equal(train[0][0], again[0][0])


@pytest.mark.parametrize("kwargs, message", [
    (dict(ragged=True, output_sequence_length=3), "Cannot set both `ragged` and `output_sequence_length`"),
    (dict(sampling_rate=8000.0), "`sampling_rate` should have an integer value"),
    (dict(sampling_rate=-1), "`sampling_rate` should be higher than 0"),
    (dict(label_mode="binary", class_names=["cat"]), 'exactly 2 class_names'),
    (dict(label_mode="sparse"), "`label_mode` argument must be one of"),
])
def test_bad_arguments_are_named(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        audio_dataset_from_directory(make_folder(tmp_path), verbose=False, **kwargs)


def test_files_it_cannot_use_are_named(tmp_path):
    with pytest.raises(ValueError, match="No audio files found in directory"):
        audio_dataset_from_directory(str(tmp_path), verbose=False)
    folder = make_folder(tmp_path)
    with pytest.raises(ValueError, match="sampled at 8000 Hz but `sampling_rate=16000`"):
        audio_dataset_from_directory(folder, sampling_rate=16000, verbose=False)[0]
    write_wav(tmp_path / "cat" / "8bit.wav", np.zeros(3), width=1)
    with pytest.raises(ValueError, match="Can only read 16-bit WAV files, but received 8 bits"):
        audio_dataset_from_directory(folder, batch_size=None, shuffle=False, verbose=False)[3]  # cat/8bit.wav
