"""``timeseries_dataset_from_array``: sliding windows over a time series, as a ``PyDataset``.

Place in the stack: the top (``keras.utils``, also ``keras.preprocessing``);
``fit`` streams what it returns batch by batch. Keras builds a
``tf.data.Dataset`` (or a Grain dataset); minikeras has neither dependency,
so it returns a ``PyDataset`` that cuts each batch's windows out of the
array when asked for that batch -- the windows are never all in memory.

Window ``i`` starts at ``start_index + positions[i]`` and takes
``sequence_length`` steps, ``sampling_rate`` apart; its target is
``targets[start_index + positions[i]]``. ``positions`` are
``0, sequence_stride, 2 * sequence_stride, ...``, shuffled once with
``numpy.random.RandomState(seed)`` when ``shuffle=True`` (Keras's first
shuffle; its second, a ``tf.data`` buffer shuffle, cannot be reproduced
without TensorFlow, so shuffled batches hold the same windows in another order).
"""

import numpy as np

from minikeras.utils.dataset_methods import DatasetMethods
from minikeras.utils.py_dataset import PyDataset


class TimeseriesDataset(DatasetMethods, PyDataset):
    """The windows of a series, ``batch_size`` per item.

    Args:
        data: array of shape ``(T, *F)``, time on axis 0.
        targets: None or array of shape ``(T, *G)``.
        positions: int array of window starts, relative to ``start_index``.
        sequence_length, sampling_rate, batch_size, start_index: as in
            ``timeseries_dataset_from_array``.
    Item ``i`` is ``(windows, targets)`` of shapes ``(B, sequence_length, *F)``
    and ``(B, *G)`` (only the windows when ``targets`` is None); with
    ``batch_size=None`` an item is one window.
    """

    def __init__(self, data, targets, positions, sequence_length, sampling_rate, batch_size, start_index):
        super().__init__()
        self.data, self.targets, self.positions = data, targets, positions
        self.batch_size, self.start_index = batch_size, start_index
        self.offsets = np.arange(sequence_length) * sampling_rate  # (sequence_length,)

    def __len__(self):
        if self.batch_size is None:
            return len(self.positions)
        return -(-len(self.positions) // self.batch_size)  # ceil: the last batch may be smaller

    def __getitem__(self, index):
        if not 0 <= index < len(self):
            raise IndexError(f"TimeseriesDataset: index {index} out of range for {len(self)} items")
        if self.batch_size is None:
            starts = self.start_index + self.positions[index:index + 1]
        else:
            starts = self.start_index + self.positions[index * self.batch_size:(index + 1) * self.batch_size]
        windows = self.data[starts[:, None] + self.offsets]  # (B,) + (L,) -> (B, L, *F)
        if self.batch_size is None:
            windows, starts = windows[0], starts[0]
        if self.targets is None:
            return windows
        return windows, self.targets[starts]


def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1, sampling_rate=1,
                                  batch_size=128, shuffle=False, seed=None, start_index=None, end_index=None,
                                  format="tf"):  # noqa: A002  (Keras's name)
    """Sliding windows over ``data`` (and their targets), batch by batch.

    Args:
        data: array of shape ``(T, *F)``; axis 0 is time.
        targets: array of shape ``(T, *G)``, ``targets[i]`` belonging to the
            window that starts at ``i``; or None (items are windows only).
        sequence_length: steps per window, L.
        sequence_stride: steps between the starts of two windows.
        sampling_rate: steps between two entries of a window.
        batch_size: windows per batch (the last may be smaller); None: single windows.
        shuffle: draw windows in a random order (fixed by ``seed``).
        seed: int seed of the shuffle.
        start_index, end_index: use only ``data[start_index:end_index]``.
        format: Keras's ``"tf"`` or ``"grain"``; both give minikeras's
            ``PyDataset`` (see the module docstring).
    Returns:
        A ``TimeseriesDataset`` yielding ``(windows, targets)`` of shapes
        ``(B, L, *F)`` and ``(B, *G)``.
    """
    data = np.asarray(data)
    targets = None if targets is None else np.asarray(targets)
    _check_arguments(len(data), start_index, end_index, sampling_rate, sequence_stride, format)
    start_index = start_index or 0
    end_index = end_index or len(data)
    # A window starting at p reaches p + (L - 1) * rate, which must stay before end_index.
    count = end_index - start_index - (sequence_length - 1) * sampling_rate
    if targets is not None:
        count = min(count, len(targets))
    positions = np.arange(0, max(count, 0), sequence_stride)
    if shuffle:
        seed = np.random.randint(1e6) if seed is None else seed
        np.random.RandomState(seed).shuffle(positions)
    return TimeseriesDataset(data[:end_index], targets, positions, sequence_length, sampling_rate,
                             batch_size, start_index)


def _check_arguments(length, start_index, end_index, sampling_rate, sequence_stride, format):  # noqa: A002
    """Keras's argument checks, with its messages."""
    if start_index and not 0 <= start_index < length:
        raise ValueError(f"`start_index` must be 0 or greater and lower than the length of the data. "
                         f"Received: start_index={start_index}, for data of length {length}")
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError("`end_index` must be higher than `start_index`. "
                             f"Received: start_index={start_index}, and end_index={end_index}")
        if not 0 < end_index < length:
            raise ValueError("`end_index` must be higher than 0 and lower than the length of the data. "
                             f"Received: end_index={end_index}, for data of length {length}")
    for name, value in (("sampling_rate", sampling_rate), ("sequence_stride", sequence_stride)):
        if not 0 < value < length:
            raise ValueError(f"`{name}` must be higher than 0 and lower than the length of the data. "
                             f"Received: {name}={value}, for data of length {length}")
    if format not in ("tf", "grain"):
        raise ValueError(f'`format` should be either "tf" or "grain". Received: format={format}')
