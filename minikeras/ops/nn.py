"""``minikeras.ops`` neural-network ops: Keras 3's ``keras.ops.nn`` names.

Place in the stack: the public namespace above ``minikeras.autodiff``; the
layers, activations and losses call these. Everything here is a re-export:
the formulas and their gradients are in the engine files named below.

    autodiff/nn.py             relu ... gelu, softmax, log_softmax
    autodiff/crossentropy.py   binary/categorical/sparse crossentropy, one_hot
    autodiff/normalization.py  moments, batch_normalization
    autodiff/conv.py           conv            (kernels/ does the loops)
    autodiff/pool.py           max_pool, average_pool
    autodiff/attention.py      dot_product_attention
    autodiff/resample.py       adaptive_average_pool, adaptive_max_pool
    autodiff/conv_transpose.py conv_transpose
    autodiff/depthwise_conv.py depthwise_conv, separable_conv
"""

from minikeras.autodiff import attention
from minikeras.autodiff import conv as conv_op
from minikeras.autodiff import conv_transpose as conv_transpose_op
from minikeras.autodiff import crossentropy
from minikeras.autodiff import depthwise_conv as depthwise_conv_op
from minikeras.autodiff import nn
from minikeras.autodiff import normalization
from minikeras.autodiff import pool
from minikeras.autodiff import resample
from minikeras.ops.symbolic import functional_aware

# ----- the engine's ops, each recording a graph node when given KerasTensors (symbolic.py) -----
conv = functional_aware(conv_op.conv)
conv_transpose = functional_aware(conv_transpose_op.conv_transpose)
depthwise_conv = functional_aware(depthwise_conv_op.depthwise_conv)
separable_conv = functional_aware(depthwise_conv_op.separable_conv)
binary_crossentropy = functional_aware(crossentropy.binary_crossentropy)
categorical_crossentropy = functional_aware(crossentropy.categorical_crossentropy)
one_hot = functional_aware(crossentropy.one_hot)
sparse_categorical_crossentropy = functional_aware(crossentropy.sparse_categorical_crossentropy)
elu = functional_aware(nn.elu)
gelu = functional_aware(nn.gelu)
hard_sigmoid = functional_aware(nn.hard_sigmoid)
hard_silu = functional_aware(nn.hard_silu)
hard_swish = functional_aware(nn.hard_swish)
leaky_relu = functional_aware(nn.leaky_relu)
log_sigmoid = functional_aware(nn.log_sigmoid)
log_softmax = functional_aware(nn.log_softmax)
relu = functional_aware(nn.relu)
relu6 = functional_aware(nn.relu6)
selu = functional_aware(nn.selu)
sigmoid = functional_aware(nn.sigmoid)
silu = functional_aware(nn.silu)
softmax = functional_aware(nn.softmax)
softplus = functional_aware(nn.softplus)
softsign = functional_aware(nn.softsign)
swish = functional_aware(nn.swish)
batch_normalization = functional_aware(normalization.batch_normalization)
moments = functional_aware(normalization.moments)
layer_normalization = functional_aware(normalization.layer_normalization)
average_pool = functional_aware(pool.average_pool)
max_pool = functional_aware(pool.max_pool)
dot_product_attention = functional_aware(attention.dot_product_attention)
adaptive_average_pool = functional_aware(resample.adaptive_average_pool)
adaptive_max_pool = functional_aware(resample.adaptive_max_pool)

# issue 18: more activations, composed from the ops above (activation_ops.py)
from minikeras.ops.activation_ops import celu  # noqa: E402
from minikeras.ops.activation_ops import glu  # noqa: E402
from minikeras.ops.activation_ops import hard_shrink  # noqa: E402
from minikeras.ops.activation_ops import hard_tanh  # noqa: E402
from minikeras.ops.activation_ops import soft_shrink  # noqa: E402
from minikeras.ops.activation_ops import sparse_plus  # noqa: E402
from minikeras.ops.activation_ops import sparse_sigmoid  # noqa: E402
from minikeras.ops.activation_ops import squareplus  # noqa: E402
from minikeras.ops.activation_ops import tanh_shrink  # noqa: E402
from minikeras.ops.activation_ops import threshold  # noqa: E402

__all__ = [
    "adaptive_average_pool", "adaptive_max_pool", "average_pool", "batch_normalization", "binary_crossentropy",
    "categorical_crossentropy", "layer_normalization", "conv", "conv_transpose", "depthwise_conv", "dot_product_attention",
    "elu", "gelu", "hard_sigmoid", "hard_silu", "hard_swish", "leaky_relu", "log_sigmoid", "log_softmax",
    "max_pool", "moments", "one_hot", "relu", "relu6", "selu", "sigmoid", "silu", "softmax", "softplus",
    "separable_conv", "softsign", "sparse_categorical_crossentropy", "swish",
    "celu", "glu", "hard_shrink", "hard_tanh", "soft_shrink", "sparse_plus", "sparse_sigmoid", "squareplus",
    "tanh_shrink", "threshold",
    "ctc_decode", "ctc_loss", "depth_to_space", "fold", "multi_hot", "normalize", "polar",
    "psnr", "rms_normalization", "space_to_depth", "sparsemax", "unfold",
]

# ----- issue 18: normalizing, scoring, space/depth moves, CTC (nn_normalization.py, nn_patches.py, ctc.py) -----
from minikeras.ops.casting import polar  # noqa: E402
from minikeras.ops.ctc import ctc_decode  # noqa: E402
from minikeras.ops.ctc import ctc_loss  # noqa: E402
from minikeras.ops.nn_normalization import multi_hot  # noqa: E402
from minikeras.ops.nn_normalization import normalize  # noqa: E402
from minikeras.ops.nn_normalization import psnr  # noqa: E402
from minikeras.ops.nn_normalization import rms_normalization  # noqa: E402
from minikeras.ops.nn_normalization import sparsemax  # noqa: E402
from minikeras.ops.nn_patches import depth_to_space  # noqa: E402
from minikeras.ops.nn_patches import fold  # noqa: E402
from minikeras.ops.nn_patches import space_to_depth  # noqa: E402
from minikeras.ops.nn_patches import unfold  # noqa: E402
