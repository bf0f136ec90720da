"""``take``, ``map``, ``shuffle``...: the ``tf.data.Dataset`` methods Keras's examples call.

Place in the stack: beside ``py_dataset.py``. Keras's
``image_dataset_from_directory``, ``text_dataset_from_directory``,
``audio_dataset_from_directory`` and ``timeseries_dataset_from_array``
return a ``tf.data.Dataset``, and the examples built on them go on with
``ds.take(1)``, ``ds.map(augment)``, ``ds.cache().prefetch(...)``. minikeras
returns a ``PyDataset`` instead (batches read by index, streamed by ``fit``),
and this mixin gives it those methods. Each returns another ``PyDataset``
that reads its batches from the one before, lazily, so ``fit`` still streams
batch by batch and nothing is loaded ahead.

An element is one item of the dataset: a whole batch for a batched dataset
(``batch_size=32``), one example for ``batch_size=None``; as in tf.data,
``take(2)`` means two elements. Elements are NumPy arrays (tf.data yields
``tf.Tensor``s): ``np.asarray(x)`` and ``keras.ops.convert_to_numpy(x)``,
which Keras 3's examples use, work on both.

Example::

    train_ds = keras.utils.image_dataset_from_directory("flowers", batch_size=32)
    for images, labels in train_ds.take(1):
        print(images.shape)                       # (32, 256, 256, 3)
    train_ds = train_ds.map(lambda x, y: (augment(x), y)).prefetch(2)
    model.fit(train_ds, epochs=5)
"""

import numpy as np

from minikeras.utils.py_dataset import PyDataset

# tf.data's value of ``cardinality()`` for a dataset that never ends.
INFINITE_CARDINALITY = -1


class DatasetMethods:
    """The tf.data-style methods; mixed into ``PyDataset`` subclasses with a known length."""

    def take(self, count):
        """The first ``count`` elements (all of them when ``count`` is -1)."""
        count = _check_count("take", count)
        return _Slice(self, 0, count)

    def skip(self, count):
        """Every element after the first ``count`` (all of them skipped when -1)."""
        count = _check_count("skip", count)
        return _Slice(self, _length(self) if count < 0 else count, -1)

    def map(self, map_func, num_parallel_calls=None, deterministic=None, name=None):
        """Applies ``map_func`` to each element when it is read.

        A tuple element is spread into arguments, as tf.data does:
        ``ds.map(lambda x, y: (augment(x), y))``. ``num_parallel_calls`` and
        ``deterministic`` are accepted for tf.data's signature; ``fit``'s
        ``workers`` say how many batches are prepared in parallel.
        """
        if not callable(map_func):
            raise TypeError(f"map: `map_func` must be callable; received {type(map_func).__name__}.")
        return _Map(self, map_func)

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=True, name=None):
        """Elements in a random order, from a buffer of ``buffer_size`` as tf.data draws them.

        The buffer starts with the first ``buffer_size`` elements; each step
        draws one of them at random and refills its place with the next.
        With ``buffer_size >= len(ds)`` that is a uniform shuffle. Indices
        are shuffled, so elements are still read lazily, one by one.
        """
        if not isinstance(buffer_size, (int, np.integer)) or buffer_size < 1:
            raise ValueError(f"shuffle: `buffer_size` must be a positive integer; received {buffer_size!r}.")
        return _Shuffle(self, int(buffer_size), seed, reshuffle_each_iteration)

    def repeat(self, count=None):
        """The elements ``count`` times over (forever when ``count`` is None or -1)."""
        if count is not None and (not isinstance(count, (int, np.integer)) or count < -1):
            raise ValueError(f"repeat: `count` must be None, -1 or a non-negative integer; received {count!r}.")
        return _Repeat(self, None if count in (None, -1) else int(count))

    def cache(self, filename="", name=None):
        """Keeps each element in memory the first time it is read."""
        if filename:
            raise ValueError(f"cache: minikeras caches in memory only; received filename={filename!r}. "
                             "Call `cache()` without a file name.")
        return _Cache(self)

    def prefetch(self, buffer_size, name=None):
        """The same elements: ``fit`` already prepares batches ahead (``workers``, ``max_queue_size``)."""
        return self

    def cardinality(self):
        """The number of elements, or ``INFINITE_CARDINALITY`` (-1)."""
        length = self.num_batches
        return INFINITE_CARDINALITY if length is None else length

    def as_numpy_iterator(self):
        """Iterates over the elements (already NumPy arrays) once."""
        return iter(self)


def _check_count(method, count):
    if not isinstance(count, (int, np.integer)) or count < -1:
        raise ValueError(f"{method}: `count` must be -1 or a non-negative integer; received {count!r}.")
    return int(count)


def _length(dataset):
    length = dataset.num_batches
    if length is None:
        raise TypeError(f"{type(dataset).__name__}: the dataset is infinite (repeat() without a count), "
                        "so it has no length and no end to skip to.")
    return length


class _Derived(DatasetMethods, PyDataset):
    """A dataset that reads its elements from ``source``; its epoch hooks reach the source."""

    def __init__(self, source):
        super().__init__()
        self.source = source
        self.class_names = getattr(source, "class_names", None)

    @property
    def num_batches(self):
        """The source's number of elements, unless a subclass changes it."""
        return self.source.num_batches

    def __len__(self):
        return _length(self)

    def on_epoch_begin(self):
        self.source.on_epoch_begin()

    def on_epoch_end(self):
        self.source.on_epoch_end()


def _check_index(dataset, index):
    length = dataset.num_batches
    if index < 0 or (length is not None and index >= length):
        raise IndexError(f"{type(dataset).__name__}: index {index} out of range for {length} elements")


class _Slice(_Derived):
    """Elements ``start`` to ``start + count`` of the source (to its end when ``count`` is -1)."""

    def __init__(self, source, start, count):
        super().__init__(source)
        self.start, self.count = start, count

    @property
    def num_batches(self):
        length = self.source.num_batches
        if length is None:
            return None if self.count < 0 else self.count
        rest = max(length - self.start, 0)
        return rest if self.count < 0 else min(self.count, rest)

    def __getitem__(self, index):
        _check_index(self, index)
        return self.source[self.start + index]


class _Map(_Derived):
    def __init__(self, source, map_func):
        super().__init__(source)
        self.map_func = map_func

    def __getitem__(self, index):
        element = self.source[index]
        return self.map_func(*element) if isinstance(element, tuple) else self.map_func(element)


class _Shuffle(_Derived):
    def __init__(self, source, buffer_size, seed, reshuffle_each_iteration):
        super().__init__(source)
        self.buffer_size, self.reshuffle = buffer_size, reshuffle_each_iteration
        self._rng = np.random.default_rng(seed)
        self._order = self._draw_order()

    def _draw_order(self):
        """The buffer algorithm run on indices: fill, draw one at random, refill its slot."""
        length = _length(self.source)
        buffer, order, upcoming = list(range(min(self.buffer_size, length))), [], min(self.buffer_size, length)
        while buffer:
            slot = int(self._rng.integers(len(buffer)))
            order.append(buffer[slot])
            if upcoming < length:
                buffer[slot] = upcoming
                upcoming += 1
            else:
                buffer[slot] = buffer[-1]
                buffer.pop()
        return np.array(order, dtype=np.int64)

    def __getitem__(self, index):
        _check_index(self, index)
        return self.source[int(self._order[index])]

    def __iter__(self):
        yield from super().__iter__()
        self.on_epoch_end()  # a plain `for` loop over the dataset is one epoch too

    def on_epoch_end(self):
        super().on_epoch_end()
        if self.reshuffle:
            self._order = self._draw_order()


class _Repeat(_Derived):
    """The source's elements over and over; each pass reads them in the source's current order."""

    def __init__(self, source, count):
        super().__init__(source)
        self.count = count

    @property
    def num_batches(self):
        return None if self.count is None else self.count * _length(self.source)

    def __getitem__(self, index):
        _check_index(self, index)
        return self.source[index % _length(self.source)]


class _Cache(_Derived):
    def __init__(self, source):
        super().__init__(source)
        self._elements = {}

    def __getitem__(self, index):
        if index not in self._elements:
            self._elements[index] = self.source[index]
        return self._elements[index]
