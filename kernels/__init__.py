"""``minikeras.kernels``: the loops that do the arithmetic (conv, pooling, matmul, row-wise softmax and normalisation).

This folder sits at the top of the repository for readers but installs as
``minikeras.kernels`` (``package_dir`` in ``setup.cfg`` maps it there).

Place in the stack: the very bottom. Plain arrays in, plain arrays out; no
tensors, no autodiff, no backend (``tests/kernels/test_layering.py``). The
op above (``minikeras/autodiff/conv.py``, ``pool.py``, ``matmul.py``) gets
the function to call from ``minikeras/backend/kernel_choice.py``, keeps it
and calls it. Importing this package, or ``minikeras``, changes nothing in
the process (``runtime.py``; ``tests/kernels/test_runtime.py`` checks it).

Reading order, each file the same computation as the one before, faster:

* ``reference.py``       -- the definitions, short NumPy loops (read first);
* ``numpy_im2col.py``    -- convolution as one matrix product (``sliding_window_view``);
* ``numba_conv.py``      -- the same im2col with Numba, the products by BLAS, in blocks;
* ``winograd_reference.py`` -- 3x3 convolutions with fewer products: the
  matrices of Winograd's F(2x2, 3x3) and F(4x4, 3x3), in NumPy;
* ``numba_winograd.py``  -- F(4x4, 3x3) with Numba and BLAS, the default for 3x3 layers;
* ``numba_pool.py``, ``numba_matmul.py`` -- pooling, and a tiled matmul for teaching;
* ``threaded_matmul.py`` -- stacks of small products (attention's) shared among the threads;
* ``simd.py``, ``numba_simd_matmul.py`` -- sixty-four float32 lanes as one Numba value, and the
  matrix products written with them (AVX-512): the Winograd, im2col and Dense products;
  ``team.py``, ``team_work.py`` -- the helper threads those products are shared with, handed
  work by atomics, and the compiled function they run;
* ``numba_optimizer.py`` -- Adam's update in one pass over each variable;
* ``depthwise_reference.py``, ``numba_depthwise.py`` -- the depthwise convolution
  (each channel filtered on its own), definitions and Numba loops;
* ``recurrent_reference.py``, ``numba_recurrent.py``, ``numba_cuda_recurrent.py`` --
  LSTM, GRU and simple RNN over a whole sequence: definitions, CPU and GPU kernels;
* ``rowwise_reference.py``, ``numba_rowwise.py``, ``numba_cuda_rowwise.py`` -- functions
  of each row: attention's masked softmax and layer normalisation (definitions,
  Numba CPU, Numba CUDA);
* ``numba_cuda.py``      -- the same kernels on an NVIDIA GPU: CUDA kernels written
  with Numba, one thread per output element, on CuPy arrays (tested on any
  machine in Numba's CUDA simulator, ``NUMBA_ENABLE_CUDASIM=1``);
* ``geometry.py``        -- output sizes, shared by all; ``runtime.py`` -- process settings.

The kernel contract
-------------------
A kernel module implements one or more *families*. Its public functions
are exactly the names of its families, with exactly these signatures
(``tests/kernels/test_contract.py`` checks every module against the lines
below); any other function of the module starts with ``_``.

Conventions: channels-last arrays ``x (N, H, W, C)``, conv kernels
``(KH, KW, C, F)``; ``strides``, ``dilation`` and ``pool_size`` are pairs
``(rows, columns)``; ``padding`` is explicit, ``((top, bottom), (left,
right))`` zero cells; 1-D ops are 2-D ops on images one row high (the op
adds and removes that axis). A backward function returns one gradient per
array input of its forward function, in order, None for those its
``need_*`` flags turn off.

Family ``conv`` (``reference``, ``numpy_im2col``, ``numba_conv``, ``numba_winograd``, ``numba_cuda``)::

    conv_forward(x, kernel, bias=None, relu=False, strides=(1, 1), padding=((0, 0), (0, 0)), dilation=(1, 1))
    conv_backward(x, y, dy, kernel, relu=False, strides=(1, 1), padding=((0, 0), (0, 0)), dilation=(1, 1),
                  need_input=True, need_kernel=True)

``conv_forward`` returns ``y (N, OH, OW, F)``: the convolution, plus
``bias (F,)`` when given, then ``max(., 0)`` when ``relu``. ``conv_backward``
takes the forward input and output (``y`` is read only when ``relu``) and
``dy (N, OH, OW, F)``, and returns ``(dx or None, dkernel or None, dbias)``.
A module that handles only some geometries (``numba_winograd``: 3x3,
stride 1, no dilation) raises ValueError for the others.

Family ``conv_max_pool`` (``reference``, ``numba_winograd``)::

    conv_max_pool_forward(x, kernel, bias=None, relu=False, padding=((0, 0), (0, 0)), need_argmax=False)

A convolution with stride 1 and no dilation (plus ``bias``, then the ReLU),
then max pooling over 2x2 windows with stride 2 and no padding: returns
``(y (N, OH // 2, OW // 2, F), argmax or None)``, ``argmax`` as
``max_pool_forward`` gives it (flat indices into the convolution's output)
when ``need_argmax``. No backward function of its own: the gradient is
``max_pool_backward``, then ``conv_backward`` (``minikeras/autodiff/conv.py:
ConvMaxPool``). A model's Conv2D followed by ``MaxPooling2D(2)`` uses it
(``minikeras/layers/fusion.py``).

Family ``conv_transpose`` (``reference``, ``numba_conv``, ``numba_cuda``)::

    conv_transpose_forward(x, kernel, bias=None, relu=False, strides=(1, 1), padding=((0, 0), (0, 0)),
                           dilation=(1, 1))
    conv_transpose_backward(x, y, dy, kernel, relu=False, strides=(1, 1), padding=((0, 0), (0, 0)),
                            dilation=(1, 1), need_input=True, need_kernel=True)

The transposed convolution *is* the input gradient of a convolution: with
the kernel ``(KH, KW, F, C)`` read as a convolution's from ``F`` to ``C``
channels, ``x (N, H, W, C)`` as that convolution's output gradient, the
forward function returns its input gradient ``(N, OH, OW, F)`` (plus the
bias, then the ReLU); ``strides``, ``padding`` and ``dilation`` are the
convolution's, and ``bottom``/``right`` may be negative (rows at the end that
no window reads: Keras's ``output_padding``; ``geometry.transpose_output_shape``).
The modules build it from their conv loops: forward = the input-gradient
half, input gradient = the forward convolution, kernel gradient = the
kernel-gradient half with the roles read backwards. Backward returns
``(dx or None, dkernel or None, dbias)``.

Family ``pool`` (``reference``, ``numba_pool``, ``numba_cuda``)::

    max_pool_forward(x, pool_size, strides, padding, need_argmax=True)
    max_pool_backward(dy, argmax, input_shape)
    average_pool_forward(x, pool_size, strides, padding)
    average_pool_backward(dy, input_shape, pool_size, strides, padding)

``max_pool_forward`` returns ``(y, argmax)``, argmax the flat index
``h * W + w`` of each window's first maximum, or None with
``need_argmax=False`` (inference: no backward pass will route gradients); the backward functions return
``dx (N, H, W, C)``.

Family ``depthwise_conv`` (``depthwise_reference``, ``numba_depthwise``, ``numba_cuda``)::

    depthwise_conv_forward(x, kernel, bias=None, relu=False, strides=(1, 1), padding=((0, 0), (0, 0)),
                           dilation=(1, 1))
    depthwise_conv_backward(x, y, dy, kernel, relu=False, strides=(1, 1), padding=((0, 0), (0, 0)),
                            dilation=(1, 1), need_input=True, need_kernel=True)

As the ``conv`` family, with a kernel ``(KH, KW, C, M)``: ``M`` filters per
input channel, channel ``c``'s filter ``m`` writing output channel
``c*M + m`` of ``y (N, OH, OW, C*M)``; ``bias`` is ``(C*M,)``. The backward
function returns ``(dx or None, dkernel or None, dbias)``.

Family ``matmul`` (``reference``, ``numba_matmul``, ``numba_simd_matmul``, ``numba_cuda``)::

    matmul(a, b)

``(M, K) @ (K, P) -> (M, P)``.

Family ``batched_matmul`` (``reference``, ``threaded_matmul``, ``numba_simd_matmul``, ``numba_cuda``)::

    batched_matmul(a, b, out=None)

A stack of products, ``(G, ..., M, K) @ (G, ..., K, P) -> (G, ..., M, P)``
(the same leading axes): ``out[g, ...] = a[g, ...] @ b[g, ...]``, written
into ``out`` (which may be a strided view) when given, and returned.

Family ``dense`` (``reference``, ``numba_simd_matmul``)::

    dense_forward(x, w, bias=None, relu=False)

A Dense layer's output, ``(M, K) @ (K, P) + bias (P,)``, then
``numpy.maximum(., 0)`` when ``relu`` (a NaN stays NaN): a new ``(M, P)``
array in the product's dtype (the bias cast to it), the bias added to each
complete sum of the product.

Family ``recurrent`` (``recurrent_reference``, ``numba_recurrent``, ``numba_cuda_recurrent``)::

    lstm_forward(x, h0, c0, kernel, recurrent_kernel, bias, mask=None)
    lstm_backward(dh_all, dc_last, x, h0, c0, kernel, recurrent_kernel, h_all, c_all, saved, mask=None,
                  need_input=True)
    gru_forward(x, h0, kernel, recurrent_kernel, bias, mask=None)
    gru_backward(dh_all, x, h0, kernel, recurrent_kernel, h_all, saved, mask=None, need_input=True)
    simple_rnn_forward(x, h0, kernel, recurrent_kernel, bias, mask=None)
    simple_rnn_backward(dh_all, x, h0, kernel, recurrent_kernel, h_all, mask=None, need_input=True)

A whole sequence, ``x (N, T, D)`` from states ``(N, U)``, gate order and
weight layout as Keras's (``recurrent_reference.py`` defines them); ``mask
(N, T)`` booleans, False where a row keeps its states. LSTM forward returns
``(h_all, c_all, saved)``, GRU ``(h_all, saved)``, the simple RNN ``h_all``,
each ``(N, T, U)``; ``saved`` is what that module's backward function reads,
private to the module. Backward functions return ``(dx, dh0, [dc0,] dkernel,
drecurrent_kernel, dbias)``, ``dx`` None when not ``need_input``.

Family ``adam`` (``reference``, ``numba_optimizer``)::

    adam_update(variable, gradient, momentum, velocity, velocity_hat, alpha, beta_1, beta_2, epsilon)

One Adam step of one variable: updates ``momentum``, ``velocity`` (and
``velocity_hat``, amsgrad's running maximum, when not None) in place and
returns the new variable as a new array. ``alpha`` is the step size with
the bias correction folded in (``optimizers/adam.py``).

Family ``softmax`` (``rowwise_reference``, ``numba_rowwise``, ``numba_cuda_rowwise``)::

    softmax_forward(logits, scale=1.0, bias=None, mask=None)
    softmax_backward(probabilities, dy, mask=None)

Attention's weights over the last axis of ``logits (..., S)``: the softmax of
``scale * logits + bias``, where ``mask`` (booleans broadcastable to
``logits``) is True; a row with no True gets equal weights.
``softmax_forward`` writes the probabilities into ``logits`` and returns it;
``softmax_backward`` writes ``p * (dy - sum_s(dy * p))`` (0 where masked)
into ``dy`` and returns it. The Numba module computes float32 arrays (its
exponential is float32 arithmetic) and hands other dtypes to the reference.

Family ``layer_norm`` (``rowwise_reference``, ``numba_rowwise``, ``numba_cuda_rowwise``)::

    layer_norm_forward(x, gamma=None, beta=None, epsilon=0.001)
    layer_norm_backward(x, dy, mean, inverse_std, gamma=None)

Each row of ``x (R, C)`` normalised to mean 0, variance 1, times ``gamma
(C,)`` plus ``beta (C,)`` (None: 1 and 0). The forward function returns
``(y, mean (R,), inverse_std (R,))``, the backward one ``(dx, dgamma, dbeta)``.

A new family (a transposed or depthwise convolution)
follows the same pattern: ``<family>_forward(inputs..., options)`` and
``<family>_backward(inputs..., output, dy, options..., need_<input>=True...)``
returning one gradient per input; its definition goes in ``reference.py``
(or a ``<family>_reference.py``), its lines here, and its modules in the
test's table. ``kernel_choice.py`` gets one function that returns the pair.
"""
