"""``Input`` and ``InputLayer``: where a functional graph starts.

Place in the stack: after ``layer.py`` and ``keras_tensor.py``; the models of
``minikeras.models`` start from here. ``keras.Input(shape=(28, 28, 1))``
creates an ``InputLayer`` and returns its symbolic output, a ``KerasTensor`` of
shape ``(None, 28, 28, 1)``: the batch size stays unknown (``None``). Calling
layers on it records the graph; ``Model(inputs, outputs)`` then collects it.
Text models use ``keras.Input(shape=(1,), dtype="string")``: string inputs
flow through the graph as NumPy arrays, without gradients. Read next:
``minikeras/models/functional_graph.py``.
"""

import numbers

from minikeras.layers.keras_tensor import KerasTensor
from minikeras.layers.keras_tensor import Node
from minikeras.layers.keras_tensor import standardize_keras_dtype
from minikeras.layers.layer import Layer


class InputLayer(Layer):
    """The layer behind ``keras.Input``: it has no weights and one output.

    Args:
        shape: the shape of one sample, without the batch axis, e.g. ``(784,)``.
        batch_size: optional fixed batch size.
        dtype: dtype of the input (``floatx()`` by default; ``"string"`` for text).
        sparse, ragged: accepted for Keras's API; must be False.
        batch_shape: the full shape including the batch axis (instead of
            ``shape`` and ``batch_size``).
        input_tensor: an existing ``KerasTensor`` to use as this layer's output.
        optional: whether the input may be None.
        name: layer name (``input_layer``, ``input_layer_1``... by default).
    """

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, ragged=None,
                 batch_shape=None, input_tensor=None, optional=False, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        batch_shape = _batch_shape(shape, batch_size, batch_shape, input_tensor)
        if sparse or ragged:
            raise ValueError("minikeras has no sparse or ragged tensors. "
                             f"Received: sparse={sparse}, ragged={ragged}")
        self._dtype = standardize_keras_dtype(dtype if dtype is not None else
                                              getattr(input_tensor, "dtype", None))
        self.batch_shape = batch_shape
        self.sparse = False
        self.ragged = False
        self.optional = optional
        if input_tensor is None:
            input_tensor = KerasTensor(batch_shape, dtype=self._dtype, name=name)
        elif not isinstance(input_tensor, KerasTensor):
            raise ValueError(f"Argument `input_tensor` must be a KerasTensor. "
                             f"Received: input_tensor={input_tensor} of type {type(input_tensor)}")
        self.built = True
        # The input node has no inputs: it only stamps the output tensor.
        Node(self, (), {}, input_tensor)
        self._input_tensor = input_tensor

    @property
    def dtype(self):
        """The dtype of the input tensor (an ``Input`` has no policy of its own)."""
        return self._dtype

    @property
    def output(self):
        """The ``KerasTensor`` that ``keras.Input`` returns."""
        return self._input_tensor

    def call(self, inputs=None):
        return inputs

    def get_config(self):
        return {"batch_shape": self.batch_shape, "dtype": self.dtype, "sparse": self.sparse,
                "ragged": self.ragged, "name": self.name, "optional": self.optional}


def _batch_shape(shape, batch_size, batch_shape, input_tensor):
    """Combines the shape arguments into one full shape, batch axis first."""
    if shape is not None and batch_shape is not None:
        raise ValueError("You cannot pass both `shape` and `batch_shape` at the same time.")
    if batch_size is not None and batch_shape is not None:
        raise ValueError("You cannot pass both `batch_size` and `batch_shape` at the same time.")
    if shape is None and batch_shape is None:
        if input_tensor is None:
            raise ValueError("You must pass a `shape` argument.")
        return tuple(input_tensor.shape)
    if batch_shape is not None:
        return _checked("batch_shape", batch_shape, _as_tuple("batch_shape", batch_shape))
    if isinstance(shape, numbers.Integral):
        shape = (shape,)
    shape = _checked("shape", shape, _as_tuple("shape", shape))
    return _checked("batch_size", batch_size, (batch_size,) + shape)


def _as_tuple(argument, value):
    """``value`` as a tuple, or a ValueError naming ``argument`` if it is not a sequence."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise ValueError(f"Invalid `{argument}` argument of `Input`: cannot convert '{value}' to a shape. "
                         f"Received: {argument}={value}")
    return tuple(value)


def _checked(argument, received, dimensions):
    """Returns ``dimensions`` if each is None or an int >= 0, else raises naming ``argument``.

    Keras refuses the same shapes with "Cannot convert ... to a shape"; a
    ``-1`` here would otherwise travel into every layer's shape arithmetic.
    """
    for size in dimensions:
        if size is None:
            continue
        if not isinstance(size, numbers.Integral) or isinstance(size, bool):
            raise ValueError(
                f"Invalid `{argument}` argument of `Input`: cannot convert '{dimensions}' to a shape. "
                f"Found invalid dimension '{size}' of type '{type(size)}'. Received: {argument}={received}"
            )
        if size < 0:
            raise ValueError(
                f"Invalid `{argument}` argument of `Input`: cannot convert '{dimensions}' to a shape. "
                f"Negative dimensions are not allowed. Received: {argument}={received}"
            )
    return tuple(None if size is None else int(size) for size in dimensions)


def Input(shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None, name=None,
          tensor=None, optional=False):
    """Starts a functional model: returns a symbolic ``KerasTensor``.

    Args:
        shape: shape of one sample, without the batch axis, e.g. ``(28, 28, 1)``.
        batch_size: optional fixed batch size (else ``None``, unknown).
        dtype: ``floatx()`` by default; ``"int32"`` for token ids, ``"string"`` for text.
        sparse: must be None or False (minikeras has no sparse tensors).
        batch_shape: full shape including the batch axis, instead of ``shape``.
        name: name of the input (and of its ``InputLayer``); dict inputs of a
            model are matched by it.
        tensor: an existing ``KerasTensor`` to wrap.
        optional: whether the input may be None.
    Returns:
        A ``KerasTensor`` of shape ``(batch_size, *shape)``.

    Example:
        >>> inputs = keras.Input(shape=(784,))
        >>> inputs.shape
        (None, 784)
    """
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse,
                       batch_shape=batch_shape, input_tensor=tensor, optional=optional, name=name)
    return layer.output
