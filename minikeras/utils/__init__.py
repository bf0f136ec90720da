"""``minikeras.utils``: the helpers of Keras's ``keras.utils`` namespace.

Place in the stack: just above the backend, below everything that uses them
(the engine, the layers, the trainers and callbacks); they import nothing of
minikeras but the backend.
"""

from minikeras.backend import clear_session
from minikeras.utils.batch_tuples import pack_x_y_sample_weight
from minikeras.utils.batch_tuples import unpack_x_y_sample_weight
from minikeras.utils.progbar import Progbar
from minikeras.utils.py_dataset import PyDataset
from minikeras.utils.random_seed import set_random_seed

# ----- issue 18: the rest of keras.utils -----
from minikeras.backend import standardize_dtype
from minikeras.backend.keras_tensor import is_keras_tensor
from minikeras.utils.object_registration import CustomObjectScope
from minikeras.utils.object_registration import custom_object_scope
from minikeras.utils.object_registration import get_custom_objects
from minikeras.utils.object_registration import get_registered_name
from minikeras.utils.object_registration import get_registered_object
from minikeras.utils.object_registration import register_keras_serializable
from minikeras.utils.serialization import deserialize_keras_object
from minikeras.utils.serialization import serialize_keras_object
from minikeras.utils.graph_utils import get_source_inputs
from minikeras.utils.model_visualization import model_layout
from minikeras.utils.model_visualization import plot_model
from minikeras.utils.model_to_dot import model_to_dot
from minikeras.utils.io_utils import disable_interactive_logging
from minikeras.utils.io_utils import enable_interactive_logging
from minikeras.utils.io_utils import is_interactive_logging_enabled
from minikeras.utils.numerical_utils import normalize
from minikeras.utils.numerical_utils import to_categorical
from minikeras.utils.sequence_utils import pad_sequences
from minikeras.utils.timeseries_dataset import timeseries_dataset_from_array

# ----- issue 18: files, pictures and folders of examples -----
from minikeras.utils.file_utils import get_file
from minikeras.utils.image_utils import array_to_img
from minikeras.utils.image_utils import img_to_array
from minikeras.utils.image_utils import load_img
from minikeras.utils.image_utils import save_img
from minikeras.utils.image_dataset import image_dataset_from_directory
from minikeras.utils.text_dataset import text_dataset_from_directory

# ----- issue 18: splitting a dataset, audio folders, structured data, boxes -----
from minikeras.utils.split_dataset import split_dataset
from minikeras.utils.audio_dataset import audio_dataset_from_directory
from minikeras.utils.config import Config
from minikeras.utils import legacy
from minikeras.utils import bounding_boxes

# Keras 2's name for PyDataset, kept by Keras 3 as an alias.
Sequence = PyDataset


def __getattr__(name):
    """``keras.utils.FeatureSpace`` is a layer, defined above utils in the stack: imported on first use."""
    if name == "FeatureSpace":
        from minikeras.layers.feature_space import FeatureSpace
        return FeatureSpace
    raise AttributeError(f"module 'minikeras.utils' has no attribute '{name}'")
