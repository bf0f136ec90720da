"""``minikeras.mixed_precision``: Keras 3's legacy names for dtype policies.

Place in the stack: a thin public face over ``minikeras/dtype_policies/``
(the policies) and ``minikeras/optimizers/loss_scale_optimizer.py``. Code
written for ``tf.keras`` calls ``mixed_precision.set_global_policy("mixed_float16")``;
Keras 3 keeps these names, and so does minikeras.
"""

from minikeras.dtype_policies import DTypePolicy
from minikeras.dtype_policies.dtype_policy import dtype_policy
from minikeras.dtype_policies.dtype_policy import set_dtype_policy
from minikeras.optimizers.loss_scale_optimizer import LossScaleOptimizer

Policy = DTypePolicy
global_policy = dtype_policy
set_global_policy = set_dtype_policy

__all__ = ["DTypePolicy", "LossScaleOptimizer", "Policy", "dtype_policy", "global_policy", "set_dtype_policy",
           "set_global_policy"]
