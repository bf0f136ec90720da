"""``minikeras.utils``: the helpers of Keras's ``keras.utils`` namespace."""

from minikeras.utils.py_dataset import PyDataset
from minikeras.trainers.data_adapters.data_adapter_utils import pack_x_y_sample_weight
from minikeras.trainers.data_adapters.data_adapter_utils import unpack_x_y_sample_weight
from minikeras.backend import clear_session
from minikeras.utils.random_seed import set_random_seed
from minikeras.utils.progbar import Progbar
