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
