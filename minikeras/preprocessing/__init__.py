"""``minikeras.preprocessing``: the names Keras 3 keeps from Keras 2's ``keras.preprocessing``.

Older example code imports ``keras.preprocessing.sequence.pad_sequences``,
``keras.preprocessing.image.load_img`` and
``keras.preprocessing.timeseries_dataset_from_array``; they are the
``keras.utils`` functions under their old paths (``minikeras/utils/``).
"""

from minikeras.preprocessing import image
from minikeras.preprocessing import sequence
from minikeras.utils.image_dataset import image_dataset_from_directory
from minikeras.utils.text_dataset import text_dataset_from_directory
from minikeras.utils.timeseries_dataset import timeseries_dataset_from_array
