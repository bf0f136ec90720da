"""``minikeras.ops``: Keras 3's ``keras.ops`` namespace, over minikeras's own engine.

Place in the stack: above ``minikeras.autodiff`` (where every op and its
gradient is written) and below the layers, losses and optimizers, which use
only these names. Write ``from minikeras import ops`` and then ``ops.relu(x)``,
``ops.matmul(a, b)``, ``ops.conv(x, kernel)`` as in Keras.

The names come from four files, as Keras groups them:

* ``core.py``  -- conversion and dtypes: ``convert_to_tensor``, ``cast``, ``shape``, ``stop_gradient``;
* ``numpy.py`` -- the NumPy API: ``add``, ``sum``, ``reshape``, ``zeros``, ``einsum``...;
* ``nn.py``    -- neural-network ops: ``relu``, ``softmax``, ``conv``, crossentropies...;
* ``math.py``  -- ``logsumexp``, ``top_k``, ``erf``, ``rsqrt``.

Called on the symbolic ``KerasTensor``s of ``keras.Input``, every op records
a node of the functional graph instead of computing (``symbolic.py``).

Every value these return is a ``minikeras`` Tensor; ``np.asarray(t)`` or
``ops.convert_to_numpy(t)`` gives the plain array (outside the graph).
"""

from minikeras.ops import image  # keras.ops.image: resize ... (issue 17)
from minikeras.ops.core import cast
from minikeras.ops.core import convert_to_numpy
from minikeras.ops.core import convert_to_tensor
from minikeras.ops.core import dtype
from minikeras.ops.core import is_tensor
from minikeras.ops.core import ndim
from minikeras.ops.core import shape
from minikeras.ops.core import size
from minikeras.ops.core import stop_gradient
from minikeras.ops.math import erf
from minikeras.ops.math import in_top_k
from minikeras.ops.math import logsumexp
from minikeras.ops.math import rsqrt
from minikeras.ops.math import top_k
from minikeras.ops.nn import adaptive_average_pool
from minikeras.ops.nn import adaptive_max_pool
from minikeras.ops.nn import average_pool
from minikeras.ops.nn import batch_normalization
from minikeras.ops.nn import binary_crossentropy
from minikeras.ops.nn import categorical_crossentropy
from minikeras.ops.nn import conv
from minikeras.ops.nn import conv_transpose
from minikeras.ops.nn import depthwise_conv
from minikeras.ops.nn import dot_product_attention
from minikeras.ops.nn import elu
from minikeras.ops.nn import gelu
from minikeras.ops.nn import hard_sigmoid
from minikeras.ops.nn import hard_silu
from minikeras.ops.nn import hard_swish
from minikeras.ops.nn import layer_normalization
from minikeras.ops.nn import leaky_relu
from minikeras.ops.nn import log_sigmoid
from minikeras.ops.nn import log_softmax
from minikeras.ops.nn import max_pool
from minikeras.ops.nn import moments
from minikeras.ops.nn import one_hot
from minikeras.ops.nn import relu
from minikeras.ops.nn import relu6
from minikeras.ops.nn import selu
from minikeras.ops.nn import separable_conv
from minikeras.ops.nn import sigmoid
from minikeras.ops.nn import silu
from minikeras.ops.nn import softmax
from minikeras.ops.nn import softplus
from minikeras.ops.nn import softsign
from minikeras.ops.nn import sparse_categorical_crossentropy
from minikeras.ops.nn import swish
from minikeras.ops.numpy import abs  # noqa: A004
from minikeras.ops.numpy import absolute
from minikeras.ops.numpy import add
from minikeras.ops.numpy import all  # noqa: A004
from minikeras.ops.numpy import any  # noqa: A004
from minikeras.ops.numpy import append
from minikeras.ops.numpy import arange
from minikeras.ops.numpy import argmax
from minikeras.ops.numpy import argmin
from minikeras.ops.numpy import argsort
from minikeras.ops.numpy import average
from minikeras.ops.numpy import broadcast_to
from minikeras.ops.numpy import ceil
from minikeras.ops.numpy import clip
from minikeras.ops.numpy import concatenate
from minikeras.ops.numpy import copy
from minikeras.ops.numpy import cos
from minikeras.ops.numpy import count_nonzero
from minikeras.ops.numpy import cumsum
from minikeras.ops.numpy import diagonal
from minikeras.ops.numpy import divide
from minikeras.ops.numpy import dot
from minikeras.ops.numpy import einsum
from minikeras.ops.numpy import equal
from minikeras.ops.numpy import exp
from minikeras.ops.numpy import expand_dims
from minikeras.ops.numpy import expm1
from minikeras.ops.numpy import eye
from minikeras.ops.numpy import flip
from minikeras.ops.numpy import floor
from minikeras.ops.numpy import floor_divide
from minikeras.ops.numpy import full
from minikeras.ops.numpy import full_like
from minikeras.ops.numpy import get_item
from minikeras.ops.numpy import greater
from minikeras.ops.numpy import greater_equal
from minikeras.ops.numpy import hstack
from minikeras.ops.numpy import identity
from minikeras.ops.numpy import isfinite
from minikeras.ops.numpy import isinf
from minikeras.ops.numpy import isnan
from minikeras.ops.numpy import less
from minikeras.ops.numpy import less_equal
from minikeras.ops.numpy import linspace
from minikeras.ops.numpy import log
from minikeras.ops.numpy import log1p
from minikeras.ops.numpy import logical_and
from minikeras.ops.numpy import logical_not
from minikeras.ops.numpy import logical_or
from minikeras.ops.numpy import logical_xor
from minikeras.ops.numpy import matmul
from minikeras.ops.numpy import max  # noqa: A004
from minikeras.ops.numpy import maximum
from minikeras.ops.numpy import mean
from minikeras.ops.numpy import min  # noqa: A004
from minikeras.ops.numpy import minimum
from minikeras.ops.numpy import mod
from minikeras.ops.numpy import moveaxis
from minikeras.ops.numpy import multiply
from minikeras.ops.numpy import nan_to_num
from minikeras.ops.numpy import negative
from minikeras.ops.numpy import norm
from minikeras.ops.numpy import not_equal
from minikeras.ops.numpy import ones
from minikeras.ops.numpy import ones_like
from minikeras.ops.numpy import outer
from minikeras.ops.numpy import pad
from minikeras.ops.numpy import power
from minikeras.ops.numpy import ravel
from minikeras.ops.numpy import reciprocal
from minikeras.ops.numpy import repeat
from minikeras.ops.numpy import reshape
from minikeras.ops.numpy import round  # noqa: A004
from minikeras.ops.numpy import sign
from minikeras.ops.numpy import sin
from minikeras.ops.numpy import sort
from minikeras.ops.numpy import split
from minikeras.ops.numpy import sqrt
from minikeras.ops.numpy import square
from minikeras.ops.numpy import squeeze
from minikeras.ops.numpy import stack
from minikeras.ops.numpy import std
from minikeras.ops.numpy import subtract
from minikeras.ops.numpy import sum  # noqa: A004
from minikeras.ops.numpy import swapaxes
from minikeras.ops.numpy import take
from minikeras.ops.numpy import take_along_axis
from minikeras.ops.numpy import tanh
from minikeras.ops.numpy import tensordot
from minikeras.ops.numpy import tile
from minikeras.ops.numpy import trace
from minikeras.ops.numpy import transpose
from minikeras.ops.numpy import tri
from minikeras.ops.numpy import tril
from minikeras.ops.numpy import triu
from minikeras.ops.numpy import true_divide
from minikeras.ops.numpy import var
from minikeras.ops.numpy import vstack
from minikeras.ops.numpy import where
from minikeras.ops.numpy import zeros
from minikeras.ops.numpy import zeros_like

# ----- issue 18: trigonometry, products, rearrangements -----
from minikeras.ops.numpy import arccos  # noqa: E402
from minikeras.ops.numpy import arccosh  # noqa: E402
from minikeras.ops.numpy import arcsin  # noqa: E402
from minikeras.ops.numpy import arcsinh  # noqa: E402
from minikeras.ops.numpy import arctan  # noqa: E402
from minikeras.ops.numpy import arctan2  # noqa: E402
from minikeras.ops.numpy import arctanh  # noqa: E402
from minikeras.ops.numpy import cosh  # noqa: E402
from minikeras.ops.numpy import cumprod  # noqa: E402
from minikeras.ops.numpy import diff  # noqa: E402
from minikeras.ops.numpy import kron  # noqa: E402
from minikeras.ops.numpy import prod  # noqa: E402
from minikeras.ops.numpy import roll  # noqa: E402
from minikeras.ops.numpy import sinh  # noqa: E402
from minikeras.ops.numpy import tan  # noqa: E402
from minikeras.ops.nn import celu  # noqa: E402
from minikeras.ops.nn import glu  # noqa: E402
from minikeras.ops.nn import hard_shrink  # noqa: E402
from minikeras.ops.nn import hard_tanh  # noqa: E402
from minikeras.ops.nn import soft_shrink  # noqa: E402
from minikeras.ops.nn import sparse_plus  # noqa: E402
from minikeras.ops.nn import sparse_sigmoid  # noqa: E402
from minikeras.ops.nn import squareplus  # noqa: E402
from minikeras.ops.nn import tanh_shrink  # noqa: E402
from minikeras.ops.nn import threshold  # noqa: E402

# ----- issue 18: keras.ops.linalg, also at the top level as in Keras -----
from minikeras.ops import linalg  # noqa: E402
from minikeras.ops.linalg import cholesky  # noqa: E402
from minikeras.ops.linalg import cholesky_inverse  # noqa: E402
from minikeras.ops.linalg import det  # noqa: E402
from minikeras.ops.linalg import eig  # noqa: E402
from minikeras.ops.linalg import eigh  # noqa: E402
from minikeras.ops.linalg import inv  # noqa: E402
from minikeras.ops.linalg import jvp  # noqa: E402
from minikeras.ops.linalg import logdet  # noqa: E402
from minikeras.ops.linalg import lstsq  # noqa: E402
from minikeras.ops.linalg import lu_factor  # noqa: E402
from minikeras.ops.linalg import matrix_rank  # noqa: E402
from minikeras.ops.linalg import pinv  # noqa: E402
from minikeras.ops.linalg import qr  # noqa: E402
from minikeras.ops.linalg import slogdet  # noqa: E402
from minikeras.ops.linalg import solve  # noqa: E402
from minikeras.ops.linalg import solve_triangular  # noqa: E402
from minikeras.ops.linalg import svd  # noqa: E402

# ----- issue 18: control flow (eager Python loops whose bodies the tape records) -----
from minikeras.ops.control_flow import associative_scan  # noqa: E402
from minikeras.ops.control_flow import cond  # noqa: E402
from minikeras.ops.control_flow import custom_gradient  # noqa: E402
from minikeras.ops.control_flow import fori_loop  # noqa: E402
from minikeras.ops.control_flow import map  # noqa: E402,A004
from minikeras.ops.control_flow import scan  # noqa: E402
from minikeras.ops.control_flow import switch  # noqa: E402
from minikeras.ops.control_flow import vectorized_map  # noqa: E402
from minikeras.ops.control_flow import while_loop  # noqa: E402

# ----- issue 18: reading and writing by position -----
from minikeras.ops.indexing import scatter  # noqa: E402
from minikeras.ops.indexing import scatter_update  # noqa: E402
from minikeras.ops.indexing import searchsorted  # noqa: E402
from minikeras.ops.indexing import segment_max  # noqa: E402
from minikeras.ops.indexing import segment_sum  # noqa: E402
from minikeras.ops.indexing import select  # noqa: E402
from minikeras.ops.indexing import slice  # noqa: E402,A004
from minikeras.ops.indexing import slice_update  # noqa: E402
from minikeras.ops.indexing import unstack  # noqa: E402

# ----- issue 18: the rest of the NumPy API (special.py, arrangements.py, bitwise.py, counting.py, creation.py,
# nan_reductions.py, predicates.py, quantiles.py, vector_products.py, windows.py) -----
from minikeras.ops.numpy import allclose  # noqa: E402
from minikeras.ops.numpy import amax  # noqa: E402
from minikeras.ops.numpy import amin  # noqa: E402
from minikeras.ops.numpy import angle  # noqa: E402
from minikeras.ops.numpy import argpartition  # noqa: E402
from minikeras.ops.numpy import array  # noqa: E402
from minikeras.ops.numpy import array_split  # noqa: E402
from minikeras.ops.numpy import bartlett  # noqa: E402
from minikeras.ops.numpy import bincount  # noqa: E402
from minikeras.ops.numpy import bitwise_and  # noqa: E402
from minikeras.ops.numpy import bitwise_invert  # noqa: E402
from minikeras.ops.numpy import bitwise_left_shift  # noqa: E402
from minikeras.ops.numpy import bitwise_not  # noqa: E402
from minikeras.ops.numpy import bitwise_or  # noqa: E402
from minikeras.ops.numpy import bitwise_right_shift  # noqa: E402
from minikeras.ops.numpy import bitwise_xor  # noqa: E402
from minikeras.ops.numpy import blackman  # noqa: E402
from minikeras.ops.numpy import cbrt  # noqa: E402
from minikeras.ops.numpy import cdist  # noqa: E402
from minikeras.ops.numpy import corrcoef  # noqa: E402
from minikeras.ops.numpy import correlate  # noqa: E402
from minikeras.ops.numpy import cross  # noqa: E402
from minikeras.ops.numpy import deg2rad  # noqa: E402
from minikeras.ops.numpy import diag  # noqa: E402
from minikeras.ops.numpy import diagflat  # noqa: E402
from minikeras.ops.numpy import digitize  # noqa: E402
from minikeras.ops.numpy import divide_no_nan  # noqa: E402
from minikeras.ops.numpy import dsplit  # noqa: E402
from minikeras.ops.numpy import dstack  # noqa: E402
from minikeras.ops.numpy import empty  # noqa: E402
from minikeras.ops.numpy import empty_like  # noqa: E402
from minikeras.ops.numpy import erfc  # noqa: E402
from minikeras.ops.numpy import erfinv  # noqa: E402
from minikeras.ops.numpy import exp2  # noqa: E402
from minikeras.ops.numpy import fabs  # noqa: E402
from minikeras.ops.numpy import fliplr  # noqa: E402
from minikeras.ops.numpy import flipud  # noqa: E402
from minikeras.ops.numpy import fmax  # noqa: E402
from minikeras.ops.numpy import fmin  # noqa: E402
from minikeras.ops.numpy import fmod  # noqa: E402
from minikeras.ops.numpy import gcd  # noqa: E402
from minikeras.ops.numpy import geomspace  # noqa: E402
from minikeras.ops.numpy import hamming  # noqa: E402
from minikeras.ops.numpy import hanning  # noqa: E402
from minikeras.ops.numpy import heaviside  # noqa: E402
from minikeras.ops.numpy import histogram  # noqa: E402
from minikeras.ops.numpy import hsplit  # noqa: E402
from minikeras.ops.numpy import hypot  # noqa: E402
from minikeras.ops.numpy import i0  # noqa: E402
from minikeras.ops.numpy import inner  # noqa: E402
from minikeras.ops.numpy import isclose  # noqa: E402
from minikeras.ops.numpy import isin  # noqa: E402
from minikeras.ops.numpy import isneginf  # noqa: E402
from minikeras.ops.numpy import isposinf  # noqa: E402
from minikeras.ops.numpy import isreal  # noqa: E402
from minikeras.ops.numpy import kaiser  # noqa: E402
from minikeras.ops.numpy import lcm  # noqa: E402
from minikeras.ops.numpy import ldexp  # noqa: E402
from minikeras.ops.numpy import left_shift  # noqa: E402
from minikeras.ops.numpy import log10  # noqa: E402
from minikeras.ops.numpy import log2  # noqa: E402
from minikeras.ops.numpy import logaddexp  # noqa: E402
from minikeras.ops.numpy import logaddexp2  # noqa: E402
from minikeras.ops.numpy import logspace  # noqa: E402
from minikeras.ops.numpy import median  # noqa: E402
from minikeras.ops.numpy import meshgrid  # noqa: E402
from minikeras.ops.numpy import nanargmax  # noqa: E402
from minikeras.ops.numpy import nanargmin  # noqa: E402
from minikeras.ops.numpy import nancumprod  # noqa: E402
from minikeras.ops.numpy import nancumsum  # noqa: E402
from minikeras.ops.numpy import nanmax  # noqa: E402
from minikeras.ops.numpy import nanmean  # noqa: E402
from minikeras.ops.numpy import nanmedian  # noqa: E402
from minikeras.ops.numpy import nanmin  # noqa: E402
from minikeras.ops.numpy import nanpercentile  # noqa: E402
from minikeras.ops.numpy import nanprod  # noqa: E402
from minikeras.ops.numpy import nanquantile  # noqa: E402
from minikeras.ops.numpy import nanstd  # noqa: E402
from minikeras.ops.numpy import nansum  # noqa: E402
from minikeras.ops.numpy import nanvar  # noqa: E402
from minikeras.ops.numpy import nextafter  # noqa: E402
from minikeras.ops.numpy import nonzero  # noqa: E402
from minikeras.ops.numpy import percentile  # noqa: E402
from minikeras.ops.numpy import ptp  # noqa: E402
from minikeras.ops.numpy import quantile  # noqa: E402
from minikeras.ops.numpy import rad2deg  # noqa: E402
from minikeras.ops.numpy import right_shift  # noqa: E402
from minikeras.ops.numpy import rot90  # noqa: E402
from minikeras.ops.numpy import signbit  # noqa: E402
from minikeras.ops.numpy import sinc  # noqa: E402
from minikeras.ops.numpy import trapezoid  # noqa: E402
from minikeras.ops.numpy import trunc  # noqa: E402
from minikeras.ops.numpy import unique  # noqa: E402
from minikeras.ops.numpy import unravel_index  # noqa: E402
from minikeras.ops.numpy import vander  # noqa: E402
from minikeras.ops.numpy import vdot  # noqa: E402
from minikeras.ops.numpy import vsplit  # noqa: E402

# ----- issue 18: nn additions, complex numbers, Fourier transforms (casting.py, signal.py) -----
from minikeras.ops.nn import ctc_decode  # noqa: E402
from minikeras.ops.nn import ctc_loss  # noqa: E402
from minikeras.ops.nn import depth_to_space  # noqa: E402
from minikeras.ops.nn import fold  # noqa: E402
from minikeras.ops.nn import multi_hot  # noqa: E402
from minikeras.ops.nn import normalize  # noqa: E402
from minikeras.ops.nn import polar  # noqa: E402
from minikeras.ops.nn import psnr  # noqa: E402
from minikeras.ops.nn import rms_normalization  # noqa: E402
from minikeras.ops.nn import space_to_depth  # noqa: E402
from minikeras.ops.nn import sparsemax  # noqa: E402
from minikeras.ops.nn import unfold  # noqa: E402
from minikeras.ops.numpy import conj  # noqa: E402
from minikeras.ops.numpy import conjugate  # noqa: E402
from minikeras.ops.numpy import imag  # noqa: E402
from minikeras.ops.numpy import real  # noqa: E402
from minikeras.ops.numpy import view  # noqa: E402
from minikeras.ops.casting import saturate_cast  # noqa: E402
from minikeras.ops.casting import view_as_complex  # noqa: E402
from minikeras.ops.casting import view_as_real  # noqa: E402
from minikeras.ops.signal import extract_sequences  # noqa: E402
from minikeras.ops.signal import fft  # noqa: E402
from minikeras.ops.signal import fft2  # noqa: E402
from minikeras.ops.signal import ifft2  # noqa: E402
from minikeras.ops.signal import irfft  # noqa: E402
from minikeras.ops.signal import istft  # noqa: E402
from minikeras.ops.signal import rfft  # noqa: E402
from minikeras.ops.signal import stft  # noqa: E402
from minikeras.ops.arrangements import rearrange  # noqa: E402
from minikeras.ops.control_flow import vectorize  # noqa: E402
from minikeras.ops.indexing import segment_min  # noqa: E402
from minikeras.ops.indexing import segment_prod  # noqa: E402
