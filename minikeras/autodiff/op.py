"""``Op``: the unit of the engine, a forward function and its gradient, side by side.

Place in the stack: after ``tensor.py``. Every differentiable operation of
minikeras is a small subclass of ``Op`` with two methods:

* ``forward(*arrays)`` computes the output from raw arrays through ``xp`` and
  keeps, under explicit names, what the gradient will need (``self.y``);
* ``backward(dy)`` receives the gradient of the loss with respect to the
  output (same shape as the output) and returns the gradient with respect to
  each input, each with that input's shape. This is a vector-Jacobian product
  (VJP). It works on raw arrays, so gradients are first order only.

Running an op is ``Tanh()(x)``: ``Op.__call__`` below unwraps the tensors,
calls ``forward``, wraps the result, and offers the op to every open
``GradientTape``. That is the whole recording mechanism. Read next:
``tape.py``, which replays the recording backwards.
"""

from minikeras import backend
from minikeras.autodiff.tensor import Tensor
from minikeras.autodiff.tensor import as_tensor
from minikeras.backend import context


class Op:
    """Base class of all differentiable operations. Subclasses define
    ``forward`` and ``backward``; parameters (axis, strides...) go to
    ``__init__``. One instance is made per use, so it may store arrays."""

    # Which inputs the recording tapes need a gradient for (a tuple of bools,
    # set by ``GradientTape.record``); None when unknown, e.g. when a test
    # calls ``backward`` by hand. Costly ops (matmul, conv) ask
    # ``needs_gradient(i)`` to skip a product nobody will read, such as the
    # gradient with respect to a batch of input data.
    input_needs_gradient = None
    # Whether a tape was open when the op ran (set by ``__call__`` before
    # ``forward``). When none was, nothing will ask for ``backward``: an op may
    # skip work that only its VJP reads (max pooling's argmax, in ``predict``).
    # True when unknown, e.g. when a test calls ``forward`` by hand.
    recording = True

    def needs_gradient(self, index):
        """True unless every tape recording this op knows input ``index`` leads to no source."""
        return self.input_needs_gradient is None or self.input_needs_gradient[index]

    def forward(self, *arrays):
        raise NotImplementedError("abstract: every Op subclass defines forward")

    def backward(self, dy):
        raise NotImplementedError("abstract: every Op subclass defines backward")

    def __call__(self, *inputs):
        # 1. Unwrap: inputs may be Tensors, Variables, arrays or Python numbers.
        tensors = [as_tensor(value) for value in inputs]
        # Mixed precision: inside a float16 layer, float32 Variables are read as float16.
        if context.autocast_dtype() is not None:
            tensors = [_autocast(tensor) for tensor in tensors]
        # 2. Compute on raw arrays.
        tapes = context.active_tapes()
        self.recording = bool(tapes)
        output = Tensor(self.forward(*[tensor.data for tensor in tensors]))
        # 3. Offer the op to the open tapes; integer and boolean results carry
        #    no gradient, so they are never recorded.
        if tapes and backend.is_float_dtype(output.data.dtype):
            for tape in tapes:
                tape.record(self, tensors, output)
        return output


def _autocast(tensor):
    """A float Variable cast to the autocast dtype (recorded, so its gradient
    comes back in the Variable's dtype); any other tensor as it is."""
    dtype = context.autocast_dtype()
    if (not getattr(tensor, "autocast", False) or tensor.dtype == dtype
            or not backend.is_float_dtype(tensor.data.dtype)):
        return tensor
    with context.autocast_scope(None):  # the cast itself reads the Variable as it is
        return elementwise.Cast(dtype)(tensor)


def unbroadcast(dx, shape):
    """Sums ``dx`` down to ``shape``: the gradient of NumPy broadcasting.

    When a (3,) bias is added to a (N, 3) batch, each bias entry is used N
    times, so its gradient is the sum of the N upstream gradients.

    Args:
        dx: gradient with the broadcast (output) shape.
        shape: the shape of the input before broadcasting.
    Returns:
        An array of shape ``shape``.
    """
    shape = tuple(shape)
    if dx.shape == shape:
        return dx
    # 1. Leading axes that broadcasting added: sum them away.
    extra = dx.ndim - len(shape)
    if extra > 0:
        dx = dx.sum(axis=tuple(range(extra)))
    # 2. Axes where the input had size 1: sum them, keeping the axis.
    ones = tuple(axis for axis, size in enumerate(shape) if size == 1 and dx.shape[axis] != 1)
    if ones:
        dx = dx.sum(axis=ones, keepdims=True)
    return dx.reshape(shape)


from minikeras.autodiff import elementwise  # noqa: E402  (elementwise imports Op from here)
