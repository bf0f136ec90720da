"""Two layers as one op: a Conv2D and the ``MaxPooling2D(2)`` after it.

Place in the stack: beside the layers it joins (``convolutional.py``,
``pooling.py``); ``models/sequential.py`` and ``models/functional_graph.py``
call it. In the guide's convnet a 3x3 convolution writes its whole output
(128 images of 24x24x64, 19 MB for a batch) only for the pooling layer to
read it back and keep a quarter of it. ``autodiff/conv.py: ConvMaxPool``
computes both in one pass instead: the Winograd kernel pools each tile of
the output while it is in the cache (``kernels/numba_winograd.py``), and in
training also notes where each maximum came from. Its gradient routes
``dy`` to those cells and runs the convolution's backward pass, so the
convolution's output is never kept either. The numbers, gradients
included, are the same to the bit; only the memory traffic changes, and a
first run compiles one kernel less (``bench/RESULTS.md``, issue 20).

It applies only where nothing but the two outputs could tell the
difference: the exact Keras classes (a subclass may override ``call``),
channels-last data, a stride-1 convolution with a ReLU or no activation,
2x2 pooling with stride 2 and "valid" padding, no activity regularizer, no
rematerialization, no mask, inputs already in the layers' dtype. Anything
else runs the two layers as usual.
"""

from minikeras.autodiff import conv as conv_ops
from minikeras.autodiff.tensor import Tensor
from minikeras.layers.convolutional import _FUSED
from minikeras.layers.convolutional import Conv2D
from minikeras.layers.input_spec import assert_input_compatibility
from minikeras.layers.pooling import MaxPooling2D


def _fusable(conv, pool, inputs):
    """True if ``pool(conv(inputs))`` may run as one kernel (the module docstring's conditions)."""
    if type(conv) is not Conv2D or type(pool) is not MaxPooling2D or not conv.built:
        return False
    if conv.activity_regularizer is not None or pool.activity_regularizer is not None:
        return False
    if conv._remat_mode is not None or pool._remat_mode is not None:
        return False
    if not isinstance(inputs, Tensor) or getattr(inputs, "_keras_mask", None) is not None:
        return False
    return (conv.data_format == pool.data_format == "channels_last" and conv.groups == 1
            and tuple(conv.strides) == (1, 1) and tuple(conv.dilation_rate) == (1, 1)
            and conv.padding in ("valid", "same") and conv.activation in _FUSED
            and tuple(pool.pool_size) == (2, 2) and tuple(pool.strides) == (2, 2) and pool.padding == "valid"
            and str(inputs.dtype) == conv.compute_dtype == conv.kernel.dtype == pool.compute_dtype)


def conv_then_max_pool(conv, pool, inputs):
    """``pool(conv(inputs))`` by one kernel, or None: then the caller calls the two layers.

    Args:
        conv: a layer, possibly a built ``Conv2D``.
        pool: the layer after it, possibly a ``MaxPooling2D``.
        inputs: the Tensor ``conv`` would receive.
    Returns:
        The pooled Tensor, or None when the pair does not qualify (the
        module docstring) or no fused kernel suits the arrays.
    """
    if not _fusable(conv, pool, inputs):
        return None
    assert_input_compatibility(conv.input_spec, inputs, conv.name)
    rows, columns = inputs.shape[1], inputs.shape[2]
    if conv.padding == "valid" and (rows < 4 or columns < 4):
        return None  # fewer than 2x2 outputs: the layers' own errors and shapes apply
    outputs = conv_ops.conv_max_pool(inputs, conv.kernel, conv.bias, _FUSED[conv.activation], conv.padding)
    if outputs is not None:
        conv._called = pool._called = True
    return outputs
