"""Saving and loading models: Keras 3's ``.keras`` format, read and written safely.

Place in the stack: the top of minikeras, beside ``callbacks/``; models call
it (``model.save``), it calls everything below (layers' and optimizers'
configs and variables). Read in this order:

1. ``object_registration.py``: how your own classes get a saved name;
2. ``public_api.py``: the literal table of classes a file may name;
3. ``serialization_lib.py``: objects <-> JSON configs;
4. ``object_graph.py`` and ``h5_store.py``: where each variable is stored;
5. ``archive.py`` and ``atomic_file.py``: the ZIP file read defensively, files written atomically;
6. ``saving_lib.py``: ``save_model`` / ``load_model`` / ``save_weights`` / ``load_weights``;
7. ``file_editor.py``: ``KerasFileEditor``, a file's weights inspected and edited without its model.
"""

from minikeras.saving.file_editor import KerasFileEditor
from minikeras.saving.object_registration import CustomObjectScope
from minikeras.saving.object_registration import custom_object_scope
from minikeras.saving.object_registration import get_custom_objects
from minikeras.saving.object_registration import get_registered_name
from minikeras.saving.object_registration import get_registered_object
from minikeras.saving.object_registration import register_keras_serializable
from minikeras.saving.saving_lib import load_model
from minikeras.saving.saving_lib import load_weights
from minikeras.saving.saving_lib import model_from_json
from minikeras.saving.saving_lib import save_model
from minikeras.saving.saving_lib import save_weights
from minikeras.saving.serialization_lib import deserialize_keras_object
from minikeras.saving.serialization_lib import serialize_keras_object
