"""minikeras: Keras 3, rebuilt from first principles in NumPy.

Use it as Keras: ``import minikeras as keras``. The package reads bottom-up:

* ``kernels``   -- the loops: conv, pooling, matmul (NumPy reference, Numba, CuPy);
* ``backend``   -- NumPy or CuPy, floatx, the tape stack and the training flag;
* ``autodiff``  -- the engine: Tensor, Op, GradientTape, Variable, the op families;
* ``ops`` and ``random`` -- Keras's op namespaces over the engine;
* ``layers``, ``models`` -- the Layer contract, Sequential, functional, subclassed;
* ``losses``, ``metrics``, ``optimizers``, ``trainers`` -- compile / fit / evaluate / predict;
* ``callbacks``, ``saving``, ``datasets``, ``utils`` -- the rest of the guide.
"""

from minikeras.version import __version__
from minikeras import backend
from minikeras.autodiff import GradientTape
from minikeras.autodiff import Variable
from minikeras import ops
from minikeras import random
from minikeras import initializers
from minikeras import activations
from minikeras import regularizers
from minikeras import constraints
from minikeras import layers
from minikeras import models
from minikeras import losses
from minikeras import metrics
from minikeras import optimizers
from minikeras import callbacks
from minikeras import saving
from minikeras import datasets
from minikeras import utils
from minikeras import config
from minikeras.backend.keras_tensor import KerasTensor
from minikeras.layers import Input
from minikeras.layers import InputLayer
from minikeras.layers import Layer
from minikeras.models import Model
from minikeras.models import Sequential
