"""``KerasTensor``: a symbolic value of the functional API (a shape and a dtype, no data).

Place in the stack: at the bottom with the backend, as in Keras 3
(``keras/src/backend/common/keras_tensor.py``), because two layers above must
recognise it: ``minikeras.ops`` (an op called on a KerasTensor records a graph
node instead of computing, ``ops/symbolic.py``) and ``minikeras.layers`` (a
layer called on one does the same, ``layers/layer_symbolic.py``).

``keras.Input(shape=(784,))`` returns a ``KerasTensor`` of shape
``(None, 784)``: ``None`` is the batch size, unknown until the model runs.
Python operators work on it as on a tensor -- ``a + b``, ``x * 2.0``,
``x[:, :2]``, ``x > 0`` -- and each one calls the ``minikeras.ops`` function
of the same name (``add``, ``multiply``, ``get_item``, ``greater``), which
records an op node in the graph. The ops live above the backend, so each
operator imports them when it runs (``_ops()``). There is deliberately no
``__eq__``: Python and minikeras compare KerasTensors by identity, as Keras does.

Read next: ``minikeras/ops/symbolic.py`` (how an op records a node), then
``minikeras/layers/keras_tensor.py`` (the ``Node`` of the graph).
"""

from minikeras.backend import config
from minikeras.backend import context
from minikeras.backend.arrays import standardize_dtype


def _ops():
    """``minikeras.ops``, imported on use: the ops sit above the backend."""
    from minikeras import ops
    return ops


class KerasTensor:
    """A symbolic tensor: a shape and a dtype, no values.

    Args:
        shape: tuple with ``None`` for unknown sizes, e.g. ``(None, 28, 28, 1)``.
        dtype: dtype name; ``"string"`` for text inputs.
        sparse: kept for Keras's API; minikeras has no sparse tensors.
        name: defaults to ``keras_tensor``, ``keras_tensor_1``, ...
    """

    def __init__(self, shape, dtype="float32", sparse=False, name=None):
        self.shape = tuple(None if size is None else int(size) for size in shape)
        self.dtype = standardize_keras_dtype(dtype)
        self.sparse = bool(sparse)
        self.ragged = False
        self.name = name or context.unique_name("keras_tensor")
        # (layer, node_index, tensor_index): the layer call that produced this
        # tensor, as layer._inbound_nodes[node_index].outputs[tensor_index].
        self._keras_history = None

    @property
    def ndim(self):
        return len(self.shape)

    def __repr__(self):
        return (f"<KerasTensor shape={self.shape}, dtype={self.dtype}, sparse={self.sparse}, "
                f"ragged=False, name={self.name}>")

    def __len__(self):
        raise TypeError("A KerasTensor is symbolic: it has no length. Use `tensor.shape`.")

    def __bool__(self):
        raise TypeError(
            "A symbolic KerasTensor cannot be used as a Python boolean (in `if` or `while`). "
            "Inside a functional model, use layers or `keras.ops`; inside a layer's `call`, "
            "use tensors."
        )

    # ----- arithmetic: each operator is the ops function Keras uses -----
    def __add__(self, other):
        return _ops().add(self, other)

    def __radd__(self, other):
        return _ops().add(other, self)

    def __sub__(self, other):
        return _ops().subtract(self, other)

    def __rsub__(self, other):
        return _ops().subtract(other, self)

    def __mul__(self, other):
        return _ops().multiply(self, other)

    def __rmul__(self, other):
        return _ops().multiply(other, self)

    def __truediv__(self, other):
        return _ops().true_divide(self, other)

    def __rtruediv__(self, other):
        return _ops().true_divide(other, self)

    def __floordiv__(self, other):
        return _ops().floor_divide(self, other)

    def __rfloordiv__(self, other):
        return _ops().floor_divide(other, self)

    def __mod__(self, other):
        return _ops().mod(self, other)

    def __rmod__(self, other):
        return _ops().mod(other, self)

    def __pow__(self, other):
        return _ops().power(self, other)

    def __rpow__(self, other):
        return _ops().power(other, self)

    def __matmul__(self, other):
        return _ops().matmul(self, other)

    def __rmatmul__(self, other):
        return _ops().matmul(other, self)

    def __neg__(self):
        return _ops().negative(self)

    def __abs__(self):
        return _ops().absolute(self)

    # ----- comparisons and logic (boolean results) -----
    def __lt__(self, other):
        return _ops().less(self, other)

    def __le__(self, other):
        return _ops().less_equal(self, other)

    def __gt__(self, other):
        return _ops().greater(self, other)

    def __ge__(self, other):
        return _ops().greater_equal(self, other)

    def __ne__(self, other):
        return _ops().not_equal(self, other)

    __hash__ = object.__hash__  # defining __ne__ must not make KerasTensors unhashable

    def __and__(self, other):
        return _ops().logical_and(self, other)

    def __rand__(self, other):
        return _ops().logical_and(other, self)

    def __or__(self, other):
        return _ops().logical_or(self, other)

    def __ror__(self, other):
        return _ops().logical_or(other, self)

    def __xor__(self, other):
        return _ops().logical_xor(self, other)

    def __rxor__(self, other):
        return _ops().logical_xor(other, self)

    def __invert__(self):
        return _ops().logical_not(self)

    # ----- indexing -----
    def __getitem__(self, key):
        return _ops().get_item(self, key)


def standardize_keras_dtype(dtype):
    """``"float32"`` style names; ``str``/``object`` and ``"string"`` become ``"string"``."""
    if dtype is None:
        return config.floatx()
    if dtype in ("string", str, object):
        return "string"
    name = standardize_dtype(dtype)
    return "string" if name in ("object", "str") or name.startswith(("str", "<U")) else name


def is_keras_tensor(value):
    """True for a symbolic ``KerasTensor``."""
    return isinstance(value, KerasTensor)
