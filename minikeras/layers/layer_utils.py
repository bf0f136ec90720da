"""Small helpers of ``Layer``: names, dtypes, shapes, masks, call signatures.

Place in the stack: used by ``layer.py`` only (and by models for names and
shapes). Each helper is a plain function, so ``layer.py`` can stay the story of
the build/call contract. Read next: ``layer.py``.
"""

import contextlib
import inspect
import warnings

from minikeras import backend
from minikeras import dtype_policies

# What `call` declares, learned once per class with `inspect` (the only use of
# `inspect` in minikeras): {cls: (accepts training, accepts mask, default training)}.
_CALL_ARGUMENTS = {}


def call_arguments(cls):
    """Returns ``(has_training, has_mask, training_default)`` for ``cls.call``."""
    if cls not in _CALL_ARGUMENTS:
        parameters = inspect.signature(cls.call).parameters
        training = parameters.get("training")
        default = None
        if training is not None and training.default is not inspect.Parameter.empty:
            default = training.default
        _CALL_ARGUMENTS[cls] = ("training" in parameters, "mask" in parameters, default)
    return _CALL_ARGUMENTS[cls]


def layer_dtype_policy(dtype, layer_name, class_name):
    """The ``DTypePolicy`` of a layer's ``dtype=`` argument (None, a name, a config dict, a policy).

    Raises:
        ValueError: an unknown policy name, naming the layer and the argument;
            a bfloat16 compute dtype, which NumPy cannot compute in.
    """
    try:
        policy = dtype_policies.get(dtype)
    except (TypeError, ValueError) as error:
        raise ValueError(f"Invalid `dtype` argument of layer '{layer_name}' ({class_name}): {error} "
                         f"Received: dtype={dtype!r}") from None
    if not isinstance(policy, dtype_policies.DTypePolicyMap) and policy.compute_dtype == "bfloat16":
        raise ValueError(
            f"Layer '{layer_name}' ({class_name}) received dtype={policy.name!r}: minikeras computes with "
            "NumPy, which has no bfloat16 arithmetic (ml_dtypes's bfloat16 arrays turn a matmul into "
            "float32). Use 'mixed_float16' for mixed precision, or 'float32'.")
    return policy


def policy_for(layer):
    """The layer's policy; a ``DTypePolicyMap`` is asked with the layer's name."""
    policy = layer._dtype_policy
    if isinstance(policy, dtype_policies.DTypePolicyMap):
        return policy[getattr(layer, "path", None) or layer.name]
    return policy


def is_float_dtype_name(name):
    """True for ``"float16"`` ... ``"float64"`` (not ``"string"``, not ints)."""
    return isinstance(name, str) and name.startswith("float")


def standardize_weight_dtype(dtype):
    """A weight's dtype name: ``"float32"``, ``"int64"``... (a policy gives its variable dtype)."""
    if isinstance(dtype, (dtype_policies.DTypePolicy, dict)):
        return dtype_policies.get(dtype).variable_dtype
    if dtype in ("string", str):
        return "string"
    return backend.standardize_dtype(dtype)


def autocast_tensor(tensor, dtype):
    """A float ``tensor`` cast to ``dtype`` (recorded: the gradient is cast back);
    integer tensors, and any tensor when ``dtype`` is None or not a float, as they are."""
    if dtype is None or not is_float_dtype_name(dtype) or not backend.is_float_dtype(tensor.dtype):
        return tensor
    if tensor.dtype == dtype:
        return tensor
    from minikeras.autodiff import elementwise
    return elementwise.cast(tensor, dtype)


def shape_of(value):
    """The shape of a tensor, array or KerasTensor as a tuple (None for others)."""
    shape = getattr(value, "shape", None)
    return None if shape is None else tuple(shape)


def mask_of(inputs):
    """The ``_keras_mask`` of the input (or list of masks), None if none."""
    if isinstance(inputs, (list, tuple)):
        masks = [getattr(item, "_keras_mask", None) for item in inputs]
        return masks if any(mask is not None for mask in masks) else None
    return getattr(inputs, "_keras_mask", None)


def warn_if_mask_dropped(layer, previous_mask):
    """Keras's warning when a mask reaches a layer that does not support masking."""
    masks = previous_mask if isinstance(previous_mask, (list, tuple)) else [previous_mask]
    if any(mask is not None for mask in masks):
        warnings.warn(f"Layer '{layer.name}' (of type {type(layer).__name__}) was passed an input with a mask "
                      "attached to it. However, this layer does not support masking and will therefore destroy "
                      "the mask information. Downstream layers will not see the mask.", stacklevel=4)


def as_shape_structure(value):
    """JSON lists back to shape tuples: ``[None, 8]`` -> ``(None, 8)``."""
    if isinstance(value, dict):
        return {key: as_shape_structure(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)) and all(v is None or isinstance(v, int) for v in value):
        return tuple(value)
    if isinstance(value, (list, tuple)):
        return [as_shape_structure(item) for item in value]
    return value


# While one step runs (``layer_tree_fixed``), each layer's list of
# sublayers is found once and remembered here, ``{id(layer): [sublayers]}``;
# None between steps, when every walk looks again.
sublayers_memo = None


@contextlib.contextmanager
def layer_tree_fixed():
    """Within this block, each layer's sublayers are found once.

    A training step asks for the layer tree several times: to clear the
    losses before the forward pass, to collect them after it, for the
    trainable variables. Each walk looks through every attribute of every
    layer, which on a small model costs as much as its arithmetic
    (``bench/RESULTS.md``). Inside one step the tree does not change, so
    the trainers (``trainer.py``, ``loops.py``) open this block around
    each step and the walks after the first are dictionary lookups.

    Anything that could change the tree forgets what was found: creating
    a layer, or assigning a layer or a list, tuple or dict to a layer's
    attribute (``Layer.__setattr__``). Nested blocks are one block.
    """
    global sublayers_memo
    if sublayers_memo is not None:
        yield
        return
    sublayers_memo = {}
    try:
        yield
    finally:
        sublayers_memo = None
