"""``minikeras.models``: Model, Sequential and functional models.

Place in the stack: above ``minikeras.layers``, below ``minikeras.trainers``'
users (callbacks, saving). Read ``functional_graph.py`` (how a graph of layer
calls is recovered and run), then ``model.py``, ``sequential.py``,
``functional.py`` and ``summary.py``.
"""

from minikeras.models.functional import Functional
from minikeras.models.model import Model
from minikeras.models.sequential import Sequential
# Keras also exposes these two here; they live in minikeras.saving (above models).
from minikeras.saving.saving_lib import load_model  # noqa: E402
from minikeras.saving.saving_lib import model_from_json  # noqa: E402
