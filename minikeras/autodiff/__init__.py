"""``minikeras.autodiff``: the hand-written reverse-mode automatic differentiation engine.

Place in the stack: above ``minikeras.backend`` (which it asks for ``xp``) and
below ``minikeras.ops`` (the public Keras names over these ops). Read it in
this order, each file a lesson:

1. ``tensor.py``   -- a Tensor is a raw array plus Python operators;
2. ``op.py``       -- an Op is forward + backward; calling one records it;
3. ``tape.py``     -- GradientTape records ops, then walks them backwards;
4. ``variable.py`` -- Variables are the assignable, trainable tensors;
5. the op families: ``elementwise.py`` (+ - * / where clip), ``math.py``
   (exp log sqrt...), ``trig.py`` (tan arcsin sinh...), ``special.py`` (log2 cbrt sinc erfinv
   logaddexp hypot...), ``reduce.py`` (sum mean max...), ``shape.py``
   (reshape transpose...), ``combine.py`` (concatenate split take pad...),
   ``products.py`` (prod cumprod roll diff kron), ``linalg.py`` (einsum dot), ``contraction.py`` (einsum as a
   batched matmul), ``matmul.py``, ``nn.py`` (activations,
   softmax), ``crossentropy.py``, ``normalization.py``, ``conv.py``,
   ``pool.py``, ``resample.py`` (adaptive pooling, resizing),
   ``conv_transpose.py``, ``depthwise_conv.py`` (depthwise and separable
   convolutions), ``recurrent.py`` (an LSTM, GRU or simple RNN
   over a whole sequence as one op), ``attention.py`` (dot-product attention),
   ``matrix_ops.py`` (inv det solve cholesky...), ``decompositions.py``
   (eigh qr svd), ``scatter.py`` (scatter, segment sums: writing by index), ``ctc.py``
   (the CTC loss of an unaligned sequence labelling);
6. ``remat.py``    -- gradient checkpointing: a forward pass recomputed in the backward pass.
"""

# tensor.py first: it loads the op families its operators use.
from minikeras.autodiff.tensor import Tensor  # noqa: I001
from minikeras.autodiff.tensor import as_tensor
from minikeras.autodiff.tensor import is_tensor
from minikeras.autodiff.op import Op
from minikeras.autodiff.op import unbroadcast
from minikeras.autodiff.tape import GradientTape
from minikeras.autodiff.variable import Variable
