"""Calling a layer on symbolic inputs: shape inference without side effects.

Place in the stack: a companion of ``layer.py``, used when a layer is called
on ``KerasTensor``s (the functional API: ``x = Dense(64)(inputs)``). Nothing is
computed. The layer is built from the symbolic shape, the output's shape is
worked out, and a ``Node`` records the call so that ``Model(inputs, outputs)``
can find the graph later.

Where does the output shape come from? A concrete layer states it with
``compute_output_shape`` (``Dense``: ``input_shape[:-1] + (units,)``). For any
other layer (a custom layer, a subclassed model) minikeras runs the layer on
zeros -- twice, with different sizes wherever the size is unknown (the batch
axis, variable lengths) -- and marks as unknown (``None``) every output size
that changed between the two runs. The trial calls must leave no trace: they
run in inference mode, record no gradient, and every variable (including
``SeedGenerator`` states and BatchNormalization's moving statistics) is put
back afterwards. Read next: ``input_layer.py``.
"""

import numpy

from minikeras.backend import context
from minikeras.backend import scopes
from minikeras.layers import layer_utils
from minikeras.layers.input_spec import assert_input_compatibility
from minikeras.layers.keras_tensor import KerasTensor
from minikeras.layers.keras_tensor import Node
from minikeras.utils import nest

# The sizes that stand for "unknown": batch axis, then any other None axis.
# Two trials per pair; when a layer fails on the first pair (a positional
# embedding of 6 positions cannot take 8 tokens), the next pair is tried.
_TRIAL_PAIRS = (({"batch": 1, "other": 8}, {"batch": 2, "other": 9}),
                ({"batch": 1, "other": 2}, {"batch": 2, "other": 3}))


def symbolic_call(layer, args, kwargs):
    """``layer(*args, **kwargs)`` on KerasTensors: builds, infers, records.

    Returns:
        The symbolic output(s), each a ``KerasTensor`` stamped with the new node.
    """
    first_input = args[0] if args else kwargs.get("inputs")
    assert_input_compatibility(layer.input_spec, first_input, layer.name)
    layer._maybe_build(first_input)
    outputs = layer.compute_output_spec(*args, **kwargs)
    if layer.supports_masking:
        _attach_symbolic_masks(layer, first_input, outputs)
    else:
        layer_utils.warn_if_mask_dropped(layer, getattr(first_input, "_keras_mask", None))
    Node(layer, args, kwargs, outputs)
    return outputs


def _attach_symbolic_masks(layer, first_input, outputs):
    """Gives the outputs the ``_keras_mask`` KerasTensor Keras gives them.

    The graph computes real masks when it runs; this is the symbolic mask
    one can inspect (``x._keras_mask``) while building it. Its shape comes
    from ``compute_mask`` on the two trial inputs: zeros for the inputs, an
    all-True mask for a mask the input carries.
    """
    if not isinstance(first_input, KerasTensor) or not isinstance(outputs, (KerasTensor, list, tuple)):
        return
    def mask_for(sizes):
        previous = getattr(first_input, "_keras_mask", None)
        if previous is not None:
            previous = numpy.ones(_stand_in(previous, sizes).shape, dtype=bool)
        with context.no_grad():
            return layer.compute_mask(_stand_in(first_input, sizes), previous)

    trials = _first_pair_that_runs(mask_for)
    flat_outputs = nest.flatten(outputs)
    flat_masks = [trials] if not isinstance(trials[0], (list, tuple)) else list(zip(*trials))
    for output, (one, two) in zip(flat_outputs, flat_masks):
        if one is None or getattr(output, "_keras_mask", None) is not None:
            continue
        one, two = numpy.shape(_concrete(one)), numpy.shape(_concrete(two))
        output._keras_mask = KerasTensor(tuple(a if a == b else None for a, b in zip(one, two)), dtype="bool")


def _concrete(value):
    """A Tensor's array (masks computed with ops are Tensors)."""
    return getattr(value, "data", value)


def is_shape(value):
    """True for one shape (a tuple/list of ints and Nones), False for a structure of shapes."""
    return isinstance(value, (tuple, list)) and all(
        size is None or isinstance(size, (int, numpy.integer)) for size in value)


def specs_from_shapes(shapes, dtype):
    """A shape, or a list/dict of shapes, as KerasTensors of ``dtype``."""
    if is_shape(shapes):
        return KerasTensor(tuple(shapes), dtype=dtype)
    if isinstance(shapes, dict):
        return {key: specs_from_shapes(value, dtype) for key, value in shapes.items()}
    return [specs_from_shapes(value, dtype) for value in shapes]


def output_spec_by_trial(layer, args, kwargs):
    """The symbolic output of ``layer`` for symbolic ``args``, by two trial calls."""
    first, second = _first_pair_that_runs(lambda sizes: _trial_call(layer, args, kwargs, sizes))
    specs = []
    for one, two in zip(nest.flatten(first), nest.flatten(second)):
        # A size that changed with the unknown input sizes is itself unknown.
        shape = tuple(a if a == b else None for a, b in zip(one.shape, two.shape))
        specs.append(KerasTensor(shape, dtype=_dtype_name(one)))
    return nest.pack_like(first, specs)


def _first_pair_that_runs(run):
    """``[run(first_sizes), run(second_sizes)]`` for the first pair of ``_TRIAL_PAIRS`` where both run.

    Raises the first pair's error when no pair runs.
    """
    first_error = None
    for pair in _TRIAL_PAIRS:
        try:
            return [run(sizes) for sizes in pair]
        except Exception as error:  # noqa: BLE001 - the next sizes may work; the first error is raised
            first_error = first_error or error
    raise first_error


def output_shape_by_trial(layer, input_shape):
    """``compute_output_shape`` for layers that do not define it."""
    inputs = specs_from_shapes(input_shape, layer.compute_dtype)
    spec = output_spec_by_trial(layer, (inputs,), {})
    return nest.map_structure(lambda tensor: tensor.shape, spec)


def _stand_in(leaf, sizes):
    """Zeros (empty strings for text) in place of a KerasTensor."""
    if not isinstance(leaf, KerasTensor):
        return leaf
    shape = [size if size is not None else (sizes["batch"] if axis == 0 else sizes["other"])
             for axis, size in enumerate(leaf.shape)]
    if leaf.dtype == "string":
        return numpy.full(shape, "", dtype=object)
    return numpy.zeros(shape, dtype=leaf.dtype)


def _trial_call(layer, args, kwargs, sizes):
    """Runs ``layer`` eagerly on stand-ins and undoes every state change."""
    # 1. Concrete stand-ins, inference mode.
    concrete_args = nest.map_structure(lambda leaf: _stand_in(leaf, sizes), list(args))
    concrete_kwargs = nest.map_structure(lambda leaf: _stand_in(leaf, sizes), dict(kwargs))
    if "training" in concrete_kwargs:
        concrete_kwargs["training"] = False
    # 2. Remember the state; `assign` replaces `.data`, so keeping the old
    #    arrays is enough to restore them.
    saved = [(variable, variable.data) for variable in layer.variables]
    try:
        with context.no_grad(), scopes.SymbolicScope():  # the symbolic stage, as Keras marks it
            return layer(*concrete_args, **concrete_kwargs)
    except Exception as error:
        error.add_note(f"(while minikeras inferred the output shape of layer '{layer.name}' by "
                       "calling it on zeros; define `compute_output_shape` to avoid this call)")
        raise
    finally:
        # 3. Put every variable back: no seed advanced, no statistic updated.
        for variable, data in saved:
            variable.data = data
        layer._clear_losses()


def _dtype_name(value):
    dtype = value.dtype
    if isinstance(dtype, str):
        return dtype
    return "string" if numpy.dtype(dtype).kind in "OUS" else numpy.dtype(dtype).name
