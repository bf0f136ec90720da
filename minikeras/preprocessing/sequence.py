"""``keras.preprocessing.sequence``: ``pad_sequences`` under its Keras 2 path (``utils/sequence_utils.py``)."""

from minikeras.utils.sequence_utils import pad_sequences

__all__ = ["pad_sequences"]
