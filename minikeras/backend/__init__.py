"""``minikeras.backend``: the one seam between minikeras and its array library.

Place in the stack: the bottom layer of the package (only ``minikeras.kernels``
sits below it). It answers three questions for everything above:

* which array module to use, NumPy or CuPy (``get_xp``, ``backend()``);
* which float type new values get (``floatx``, ``set_floatx``);
* what is recording right now (the tape stack, ``no_grad``, the training flag).

No other file of minikeras imports CuPy, or branches on the device. Read
``config.py`` first, then ``arrays.py`` and ``context.py``; after this package
comes ``minikeras.autodiff``, the engine.

Shape letters, used in every docstring and comment of the package:
    N   batch size
    H   input height (rows)            OH  output height
    W   input width (columns)          OW  output width
    C   input channels (last axis, "channels_last" as in Keras)
    F   filters (output channels)
    KH  kernel height                  KW  kernel width
"""

from minikeras.backend.arrays import convert_to_numpy
from minikeras.backend.arrays import convert_to_tensor
from minikeras.backend.arrays import get_xp
from minikeras.backend.arrays import is_cupy_array
from minikeras.backend.arrays import is_float_dtype
from minikeras.backend.arrays import standardize_dtype
from minikeras.backend.config import backend
from minikeras.backend.dtypes import result_type
from minikeras.backend.config import epsilon
from minikeras.backend.config import floatx
from minikeras.backend.config import image_data_format
from minikeras.backend.config import set_epsilon
from minikeras.backend.config import set_floatx
from minikeras.backend.context import clear_session
from minikeras.backend.context import in_training
from minikeras.backend.context import no_grad
from minikeras.backend.context import training_scope
# ----- issue 18: the rest of keras.backend -----
from minikeras.backend.arrays import is_int_dtype  # noqa: E402
from minikeras.backend.config import set_image_data_format  # noqa: E402
from minikeras.backend.context import get_uid  # noqa: E402
from minikeras.backend.keras_tensor import is_keras_tensor  # noqa: E402
