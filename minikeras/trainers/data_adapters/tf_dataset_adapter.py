"""The ``tf.data.Dataset`` adapter.

Place in the stack: the ``DataAdapter`` for TensorFlow input pipelines.
TensorFlow is never imported here: the dataset is read through its own
``as_numpy_iterator()``, which runs the pipeline (map, batch, prefetch...)
and hands over NumPy arrays. Strings arrive from TensorFlow as ``bytes``;
they are decoded to ``str`` (an object array), so a ``TextVectorization``
layer fed from a ``TextLineDataset`` or from ``from_tensor_slices(texts)``
gets text. The number of batches is the dataset's ``cardinality()`` (None
when TensorFlow cannot tell, e.g. after ``filter``, or for ``repeat()``).

The pipeline decides batching and shuffling; each epoch iterates it again,
so ``.shuffle()`` reshuffles. Read next: ``minikeras/trainers/epoch_iterator.py``.
"""

from minikeras.trainers.data_adapters import data_adapter_utils as utils
from minikeras.trainers.data_adapters.data_adapter import DataAdapter


class TFDatasetAdapter(DataAdapter):
    """Batches from a ``tf.data.Dataset``.

    Args:
        dataset: a batched dataset whose elements are ``x``, ``(x,)``,
            ``(x, y)`` or ``(x, y, sample_weight)``.
        class_weight: ``{class_id: weight}``, turned into sample weights per batch.
    """

    def __init__(self, dataset, class_weight=None):
        self._dataset = dataset
        self.class_weight = class_weight
        if self.num_batches == 0:
            raise ValueError("The tf.data.Dataset passed to the model is empty: it yields no batch.")

    def get_numpy_iterator(self):
        """One pass over the pipeline, as NumPy batches (bytes decoded to str)."""
        for batch in self._dataset.as_numpy_iterator():
            batch = utils.numpy_batch(batch)
            yield utils.add_class_weight(batch, self.class_weight)

    @property
    def num_batches(self):
        cardinality = int(self._dataset.cardinality())
        # -1 is INFINITE_CARDINALITY, -2 UNKNOWN_CARDINALITY.
        return cardinality if cardinality >= 0 else None
