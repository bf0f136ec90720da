"""``minikeras.config``: Keras 3's ``keras.config`` namespace, over ``minikeras.backend``.

Place in the stack: a thin public face. The settings themselves live in
``minikeras/backend/config.py`` (float type, epsilon, array library, the
flash-attention switch), in
``minikeras/backend/kernel_choice.py`` (which kernels compute conv, pooling
and matmul: ``kernels(...)``, minikeras's addition) and in
``minikeras/saving/serialization_lib.py`` (safe mode) and
``minikeras/utils/traceback_utils.py`` (traceback filtering); this file only gives
them their Keras names.
"""

from minikeras.backend.config import backend
from minikeras.backend.config import disable_flash_attention
from minikeras.backend.config import enable_flash_attention
from minikeras.backend.config import epsilon
from minikeras.backend.config import floatx
from minikeras.backend.config import image_data_format
from minikeras.backend.config import is_flash_attention_enabled
from minikeras.backend.config import max_epochs
from minikeras.backend.config import max_steps_per_epoch
from minikeras.backend.config import set_epsilon
from minikeras.backend.config import set_floatx
from minikeras.backend.config import set_image_data_format
from minikeras.backend.config import set_max_epochs
from minikeras.backend.config import set_max_steps_per_epoch
from minikeras.backend.kernel_choice import kernels
from minikeras.backend.kernel_choice import settings as kernel_settings
from minikeras.dtype_policies.dtype_policy import dtype_policy
from minikeras.dtype_policies.dtype_policy import set_dtype_policy
from minikeras.saving.serialization_lib import enable_unsafe_deserialization
from minikeras.utils.io_utils import disable_interactive_logging
from minikeras.utils.io_utils import enable_interactive_logging
from minikeras.utils.io_utils import is_interactive_logging_enabled
from minikeras.utils.traceback_utils import disable_traceback_filtering
from minikeras.utils.traceback_utils import enable_traceback_filtering
from minikeras.utils.traceback_utils import is_traceback_filtering_enabled

__all__ = ["backend", "dtype_policy", "set_dtype_policy", "enable_unsafe_deserialization", "epsilon", "floatx", "image_data_format", "kernel_settings",
           "kernels", "max_epochs", "max_steps_per_epoch", "set_max_epochs", "set_max_steps_per_epoch", "set_epsilon", "set_floatx", "set_image_data_format",
           "disable_interactive_logging", "enable_interactive_logging", "is_interactive_logging_enabled",
           "disable_flash_attention", "enable_flash_attention", "is_flash_attention_enabled",
           "disable_traceback_filtering", "enable_traceback_filtering", "is_traceback_filtering_enabled"]
