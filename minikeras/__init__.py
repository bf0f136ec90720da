"""minikeras: Keras 3, rebuilt from first principles in NumPy.

Use it as Keras: ``import minikeras as keras``. The package reads bottom-up:
``kernels`` (loops), ``backend`` (NumPy or CuPy), ``autodiff`` (the engine),
``ops`` (Keras's op namespace), ``layers``, ``models``, ``trainers``,
``callbacks``, ``saving``.
"""

__version__ = "0.1.0"

from minikeras import backend
from minikeras.autodiff import GradientTape
from minikeras.autodiff import Variable
from minikeras import initializers
from minikeras import activations
from minikeras import regularizers
from minikeras import constraints
from minikeras import losses
from minikeras import metrics
from minikeras import optimizers
from minikeras import callbacks
from minikeras import saving
from minikeras import datasets
from minikeras import layers
from minikeras import models
from minikeras.layers import Input
from minikeras.layers import Layer
from minikeras.models import Model
from minikeras.models import Sequential
