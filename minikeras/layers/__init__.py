"""``minikeras.layers``: the building blocks of models.

Place in the stack: above ``minikeras.ops`` and ``minikeras.random``, below
``minikeras.models``. Read ``layer.py`` first (the build/call contract), then
``layer_symbolic.py`` and ``input_layer.py`` (the functional API), then the
concrete layers.
"""

from minikeras.layers.input_layer import Input
from minikeras.layers.input_layer import InputLayer
from minikeras.layers.input_spec import InputSpec
from minikeras.layers.keras_tensor import KerasTensor
from minikeras.layers.layer import Layer
