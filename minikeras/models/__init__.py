"""``minikeras.models``: Model, Sequential and functional models.

Place in the stack: above ``minikeras.layers`` and ``minikeras.trainers``
(``Model`` inherits ``Trainer``), below ``minikeras.saving``. Read
``functional_graph.py`` (how a graph of layer calls is recovered and run),
then ``model.py``, ``sequential.py``, ``functional.py`` and ``summary.py``;
``function.py`` is ``keras.Function``, the same graph without a model.
"""

from minikeras.models.functional import Functional
from minikeras.models.model import Model
from minikeras.models.sequential import Sequential


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """``keras.models.load_model``: ``minikeras.saving.load_model`` under Keras's other name.

    Saving sits above models in the stack, so it is imported on use.
    Args and Returns: see ``minikeras/saving/saving_lib.py``.
    """
    from minikeras.saving import saving_lib
    return saving_lib.load_model(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)


def model_from_json(json_string, custom_objects=None):
    """``keras.models.model_from_json``: ``minikeras.saving.model_from_json``, imported on use."""
    from minikeras.saving import saving_lib
    return saving_lib.model_from_json(json_string, custom_objects=custom_objects)


def save_model(model, filepath, overwrite=True):
    """``keras.models.save_model``: ``minikeras.saving.save_model``, imported on use."""
    from minikeras.saving import saving_lib
    return saving_lib.save_model(model, filepath, overwrite=overwrite)


# ----- issue 18: clone_model -----
from minikeras.models.cloning import clone_model  # noqa: E402
