"""``InputSpec``: what a layer accepts, checked before every call.

Place in the stack: a helper of ``layer.py``. A layer states its expectations
once (``self.input_spec = InputSpec(min_ndim=2)`` in ``__init__``, narrowed to
``InputSpec(min_ndim=2, axes={-1: 784})`` in ``build``), and
``Layer.__call__`` checks every input against it, eagerly and in the
functional API. A mismatch raises Keras's error, naming the layer, what was
expected and what was received, before any arithmetic fails in an obscure
place. Read next: ``keras_tensor.py``.
"""

from minikeras.backend import standardize_dtype
from minikeras.utils import nest


class InputSpec:
    """The rank, dtype and shape constraints of one layer input.

    Args:
        dtype: expected dtype name (``"float32"``), or None for any.
        shape: expected full shape, ``None`` entries free (``(None, 28, 28, 1)``).
        ndim: exact rank.
        max_ndim: largest accepted rank.
        min_ndim: smallest accepted rank.
        axes: ``{axis: size}`` for single axes, e.g. ``{-1: 784}``.
        allow_last_axis_squeeze: accept a trailing axis of size 1 more or less.
        name: the input's name, used in error messages.
        optional: whether the input may be None.
    """

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None,
                 axes=None, allow_last_axis_squeeze=False, name=None, optional=False):
        self.dtype = standardize_dtype(dtype) if dtype not in (None, "string") else dtype
        self.shape = tuple(shape) if shape is not None else None
        self.ndim = len(shape) if shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.name = name
        self.optional = optional
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        self.axes = dict(axes or {})
        if not all(isinstance(axis, int) for axis in self.axes):
            raise TypeError(f"Argument `axes` must be a dict with integer keys. Received: axes={axes}")

    def __repr__(self):
        fields = [f"{key}={value}" for key, value in (
            ("dtype", self.dtype), ("shape", self.shape), ("ndim", self.ndim),
            ("max_ndim", self.max_ndim), ("min_ndim", self.min_ndim), ("axes", self.axes or None),
        ) if value is not None]
        return f"InputSpec({', '.join(fields)})"

    def get_config(self):
        return {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim,
                "max_ndim": self.max_ndim, "min_ndim": self.min_ndim,
                "axes": self.axes, "optional": self.optional}


def assert_input_compatibility(input_spec, inputs, layer_name):
    """Raises ValueError when ``inputs`` do not satisfy ``input_spec``.

    Args:
        input_spec: an ``InputSpec``, or a list of them (one per input).
        inputs: the layer's first call argument: a tensor, an array, a
            ``KerasTensor``, or a list/dict of them.
        layer_name: named in the error message.
    """
    if input_spec is None:
        return
    specs = nest.flatten(input_spec)
    flat_inputs = nest.flatten(inputs)
    if len(specs) != len(flat_inputs):
        raise ValueError(
            f'Layer "{layer_name}" expects {len(specs)} input(s), but it received '
            f"{len(flat_inputs)} input tensors. Inputs received: {inputs}"
        )
    for index, (spec, value) in enumerate(zip(specs, flat_inputs)):
        if spec is None or (value is None and spec.optional):
            continue
        if not hasattr(value, "shape"):
            raise ValueError(
                f"Inputs to a layer should be tensors. Got '{value}' (of type {type(value)}) "
                f"as input for layer '{layer_name}'."
            )
        _check_one(spec, value, index, layer_name)


def _check_one(spec, value, index, layer_name):
    """Checks one input against one spec, in Keras's order: rank, dtype, axes, shape."""
    shape = tuple(value.shape)
    ndim = len(shape)
    label = f"Input {index} of layer '{layer_name}'" if spec.name is None else \
        f"Input {index} with name '{spec.name}' of layer '{layer_name}'"
    prefix = f"{label} is incompatible with the layer: "
    if spec.ndim is not None and not spec.allow_last_axis_squeeze and ndim != spec.ndim:
        raise ValueError(prefix + f"expected ndim={spec.ndim}, found ndim={ndim}. "
                                  f"Full shape received: {shape}")
    if spec.max_ndim is not None and ndim > spec.max_ndim:
        raise ValueError(prefix + f"expected max_ndim={spec.max_ndim}, found ndim={ndim}. "
                                  f"Full shape received: {shape}")
    if spec.min_ndim is not None and ndim < spec.min_ndim:
        raise ValueError(prefix + f"expected min_ndim={spec.min_ndim}, found ndim={ndim}. "
                                  f"Full shape received: {shape}")
    if spec.dtype is not None:
        dtype = _dtype_name(value)
        if dtype != spec.dtype:
            raise ValueError(prefix + f"expected dtype={spec.dtype}, found dtype={dtype}")
    for axis, size in spec.axes.items():
        if size is not None and -ndim <= axis < ndim and shape[axis] not in (size, None):
            raise ValueError(prefix + f"expected axis {axis} of input shape to have value "
                                      f"{size}, but received input with shape {shape}")
    if spec.shape is not None:
        _check_full_shape(spec, shape, prefix)


def _check_full_shape(spec, shape, prefix):
    spec_shape = spec.shape
    if spec.allow_last_axis_squeeze:
        shape = shape[:-1] if shape and shape[-1] == 1 else shape
        spec_shape = spec_shape[:-1] if spec_shape and spec_shape[-1] == 1 else spec_shape
    for expected, received in zip(spec_shape, shape):
        if expected is not None and received is not None and expected != received:
            raise ValueError(prefix + f"expected shape={spec.shape}, found shape={shape}")


def _dtype_name(value):
    dtype = value.dtype
    if isinstance(dtype, str):
        return dtype
    return standardize_dtype(dtype)
