"""``minikeras.ops`` neural-network ops: Keras 3's ``keras.ops.nn`` names.

Place in the stack: the public namespace above ``minikeras.autodiff``; the
layers, activations and losses call these. Everything here is a re-export:
the formulas and their gradients are in the engine files named below.

    autodiff/nn.py             relu ... gelu, softmax, log_softmax
    autodiff/crossentropy.py   binary/categorical/sparse crossentropy, one_hot
    autodiff/normalization.py  moments, batch_normalization
    autodiff/conv.py           conv            (kernels/ does the loops)
    autodiff/pool.py           max_pool, average_pool
"""

from minikeras.autodiff.conv import conv
from minikeras.autodiff.crossentropy import binary_crossentropy
from minikeras.autodiff.crossentropy import categorical_crossentropy
from minikeras.autodiff.crossentropy import one_hot
from minikeras.autodiff.crossentropy import sparse_categorical_crossentropy
from minikeras.autodiff.nn import elu
from minikeras.autodiff.nn import gelu
from minikeras.autodiff.nn import hard_sigmoid
from minikeras.autodiff.nn import hard_silu
from minikeras.autodiff.nn import hard_swish
from minikeras.autodiff.nn import leaky_relu
from minikeras.autodiff.nn import log_sigmoid
from minikeras.autodiff.nn import log_softmax
from minikeras.autodiff.nn import relu
from minikeras.autodiff.nn import relu6
from minikeras.autodiff.nn import selu
from minikeras.autodiff.nn import sigmoid
from minikeras.autodiff.nn import silu
from minikeras.autodiff.nn import softmax
from minikeras.autodiff.nn import softplus
from minikeras.autodiff.nn import softsign
from minikeras.autodiff.nn import swish
from minikeras.autodiff.normalization import batch_normalization
from minikeras.autodiff.normalization import moments
from minikeras.autodiff.pool import average_pool
from minikeras.autodiff.pool import max_pool

__all__ = [
    "average_pool", "batch_normalization", "binary_crossentropy", "categorical_crossentropy", "conv",
    "elu", "gelu", "hard_sigmoid", "hard_silu", "hard_swish", "leaky_relu", "log_sigmoid", "log_softmax",
    "max_pool", "moments", "one_hot", "relu", "relu6", "selu", "sigmoid", "silu", "softmax", "softplus",
    "softsign", "sparse_categorical_crossentropy", "swish",
]
