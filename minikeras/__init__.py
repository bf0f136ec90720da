"""minikeras: Keras 3, rebuilt from first principles in NumPy.

Use it as Keras: ``import minikeras as keras``. The package reads bottom-up,
in the order of its imports (the README's "Reading order";
``tests/test_import_order.py`` checks it):

* ``kernels``   -- the loops: conv, pooling, matmul (NumPy reference, Numba, CuPy);
* ``backend``   -- NumPy or CuPy, floatx, the tape stack and the training flag;
* ``utils``     -- small shared helpers: names, nests, argument checks, batches;
* ``autodiff``  -- the engine: Tensor, Op, GradientTape, Variable, the op families;
* ``random`` and ``ops`` -- Keras's op namespaces over the engine;
* ``initializers``, ``activations``, ``regularizers``, ``constraints``, ``layers``;
* ``losses``, ``metrics``, ``optimizers``, ``callbacks``, ``trainers`` -- compile / fit;
* ``models`` (``Model`` inherits ``Trainer``), ``saving``, ``datasets``, ``config``.
"""

from minikeras.version import __version__
from minikeras import backend
from minikeras.autodiff import GradientTape
from minikeras.autodiff import Variable
from minikeras import ops
from minikeras import random
from minikeras import distribution
from minikeras import dtype_policies
from minikeras import initializers
from minikeras import activations
from minikeras import regularizers
from minikeras import constraints
from minikeras import layers
from minikeras import models
from minikeras import losses
from minikeras import metrics
from minikeras import optimizers
from minikeras import mixed_precision
from minikeras import callbacks
from minikeras import saving
from minikeras import datasets
from minikeras import utils
from minikeras import preprocessing
from minikeras import config
from minikeras.backend.keras_tensor import KerasTensor
from minikeras.layers import Input
from minikeras.layers import InputLayer
from minikeras.layers import Layer
from minikeras.models import Model
from minikeras.models import Sequential
from minikeras.dtype_policies import DTypePolicy
from minikeras.dtype_policies import FloatDTypePolicy
from minikeras.initializers import Initializer
from minikeras.layers import InputSpec
from minikeras.losses import Loss
from minikeras.metrics import Metric
from minikeras.optimizers import Optimizer
from minikeras.regularizers import Regularizer
from minikeras.autodiff.remat import RematScope
from minikeras.autodiff.remat import remat
from minikeras.layers.operation import Operation
from minikeras.models.function import Function
from minikeras.backend.scopes import StatelessScope
from minikeras.backend.scopes import SymbolicScope
from minikeras.backend.scopes import device
from minikeras.backend.scopes import name_scope


def version():
    """minikeras's version string, as ``keras.version()`` gives Keras's."""
    return __version__
