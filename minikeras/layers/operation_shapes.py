"""Output shapes of op nodes from their arguments alone: no array is made.

Place in the stack: beside ``operation.py``. An op node learns its output
shape the way every layer without a formula does: by running on zeros
(``layer_symbolic.py``). That is exact and cheap for small tensors, but a
saved config is data from anyone, and ten bytes such as
``"repeats": [1, 200000000]`` in a ``Tile`` node would make that trial
allocate gigabytes while the model loads. So each op of
``operation_table.py`` also has a rule here: NumPy's shape arithmetic on
tuples (``tile``: each size times its repeat count), with ``None`` for an
unknown size. ``Operation.compute_output_spec`` uses the trial when the rule
says inputs and output are small (it also checks that the call is valid and
gives the exact dtype), and the rule alone when they are not.

A rule's dtype follows the op's family: ``"same"`` (the first input's),
``"float"`` (integer inputs give floatx), ``"bool"``, ``"int32"``,
``"promote"`` (NumPy's ``result_type`` of all inputs) or the op's ``dtype``
argument. ``tests/layers/test_operation_shapes.py`` checks every rule against
the trial. Read next: ``operation.py``.
"""

import math

import numpy

from minikeras.backend.keras_tensor import KerasTensor

TRIAL_LIMIT = 2**20  # elements of all inputs and outputs together, unknown sizes counted as 9


class ShapeRuleError(ValueError):
    """The arguments do not fit the op (or take a form the rule does not cover)."""


# ----------------------------------------------------------------- helpers


def shape_of(value):
    """The shape of a KerasTensor, an array, a Python number or a (nested) list."""
    if isinstance(value, KerasTensor):
        return tuple(value.shape)
    return tuple(numpy.shape(getattr(value, "data", value)))


def dtype_of(value):
    if isinstance(value, KerasTensor):
        return value.dtype
    if isinstance(value, (bool, int, float)):
        return value  # a "weak" Python scalar for numpy.result_type
    return numpy.asarray(getattr(value, "data", value)).dtype


def num_elements(shape, unknown=9):
    """Elements of a shape, counting each unknown size as ``unknown``."""
    return math.prod(unknown if size is None else size for size in shape)


def _axis(axis, ndim):
    """A non-negative axis, with NumPy's error for one out of range."""
    if not isinstance(axis, (int, numpy.integer)) or not -ndim <= axis < ndim:
        raise ShapeRuleError(f"axis {axis} is out of bounds for a tensor of rank {ndim}")
    return int(axis) % ndim


def _axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    return tuple(sorted({_axis(item, ndim) for item in (axis if isinstance(axis, (list, tuple)) else [axis])}))


def _count(value, name):
    """A non-negative int from a config, refusing anything else."""
    if isinstance(value, bool) or not isinstance(value, (int, numpy.integer)) or value < 0:
        raise ShapeRuleError(f"`{name}` must hold non-negative ints, got {value!r}")
    return int(value)


def _times(size, factor):
    return None if size is None else size * factor


def broadcast(*shapes):
    """NumPy broadcasting of shapes with unknown (None) sizes."""
    rank = max((len(shape) for shape in shapes), default=0)
    result = []
    for sizes in zip(*[(1,) * (rank - len(shape)) + tuple(shape) for shape in shapes]):
        known = {size for size in sizes if size is not None and size != 1}
        if len(known) > 1:
            raise ShapeRuleError(f"shapes {shapes} cannot be broadcast together")
        if known:
            result.append(known.pop())
        else:
            result.append(None if None in sizes else 1)
    return tuple(result)


def reduce(shape, axis, keepdims):
    axes = _axes(axis, len(shape))
    if keepdims:
        return tuple(1 if index in axes else size for index, size in enumerate(shape))
    return tuple(size for index, size in enumerate(shape) if index not in axes)


def _flat(shape):
    return (None if None in shape else math.prod(shape),)


# ----------------------------------------------------------------- shape ops


def tile(shape, repeats):
    repeats = [_count(item, "repeats") for item in (repeats if isinstance(repeats, (list, tuple)) else [repeats])]
    rank = max(len(shape), len(repeats))
    shape = (1,) * (rank - len(shape)) + tuple(shape)
    repeats = [1] * (rank - len(repeats)) + repeats
    return tuple(_times(size, count) for size, count in zip(shape, repeats))


def repeat(shape, repeats, axis):
    if axis is None:
        shape, axis = _flat(shape), 0
    axis = _axis(axis, len(shape))
    if isinstance(repeats, (list, tuple)):
        counts = [_count(item, "repeats") for item in repeats]
        if len(counts) == 1:
            new = _times(shape[axis], counts[0])
        elif shape[axis] is not None and len(counts) != shape[axis]:
            raise ShapeRuleError(f"repeats has {len(counts)} entries for an axis of size {shape[axis]}")
        else:
            new = sum(counts)
    else:
        new = _times(shape[axis], _count(repeats, "repeats"))
    return shape[:axis] + (new,) + shape[axis + 1:]


def pad(shape, pad_width):
    widths = numpy.asarray(pad_width, dtype=object)
    if widths.ndim == 0:
        widths = [[widths.item()] * 2] * len(shape)
    elif widths.ndim == 1:
        widths = [list(widths) if len(widths) == 2 else [widths[0]] * 2] * len(shape)
    elif widths.shape == (1, 2):
        widths = [list(widths[0])] * len(shape)
    if len(widths) != len(shape):
        raise ShapeRuleError(f"pad_width {pad_width} does not fit a tensor of rank {len(shape)}")
    return tuple(None if size is None else size + _count(before, "pad_width") + _count(after, "pad_width")
                 for size, (before, after) in zip(shape, widths))


def reshape(shape, newshape):
    newshape = [newshape] if isinstance(newshape, int) else list(newshape)
    if any(not isinstance(size, (int, numpy.integer)) or size < -1 for size in newshape) or newshape.count(-1) > 1:
        raise ShapeRuleError(f"invalid newshape {newshape}")
    if -1 not in newshape:
        if None not in shape and math.prod(shape) != math.prod(newshape):
            raise ShapeRuleError(f"cannot reshape {shape} into {tuple(newshape)}")
        return tuple(int(size) for size in newshape)
    known = math.prod(size for size in newshape if size != -1)
    if None in shape:
        return tuple(None if size == -1 else int(size) for size in newshape)
    if known == 0 or math.prod(shape) % known:
        raise ShapeRuleError(f"cannot reshape {shape} into {tuple(newshape)}")
    return tuple(math.prod(shape) // known if size == -1 else int(size) for size in newshape)


def expand_dims(shape, axis):
    axes = axis if isinstance(axis, (list, tuple)) else [axis]
    rank = len(shape) + len(axes)
    new_axes = {_axis(item, rank) for item in axes}
    sizes = iter(shape)
    return tuple(1 if index in new_axes else next(sizes) for index in range(rank))


def squeeze(shape, axis):
    if axis is None:
        return tuple(size for size in shape if size != 1)
    axes = _axes(axis, len(shape))
    if any(shape[index] not in (1, None) for index in axes):
        raise ShapeRuleError(f"cannot squeeze an axis of size other than 1 in {shape}")
    return tuple(size for index, size in enumerate(shape) if index not in axes)


def transpose(shape, axes):
    order = list(range(len(shape)))[::-1] if axes is None else [_axis(item, len(shape)) for item in axes]
    if sorted(order) != list(range(len(shape))):
        raise ShapeRuleError(f"axes {axes} do not match a tensor of rank {len(shape)}")
    return tuple(shape[index] for index in order)


def moveaxis(shape, source, destination):
    sources = [_axis(item, len(shape)) for item in (source if isinstance(source, (list, tuple)) else [source])]
    targets = [_axis(item, len(shape)) for item in
               (destination if isinstance(destination, (list, tuple)) else [destination])]
    order = [index for index in range(len(shape)) if index not in sources]
    for target, source_axis in sorted(zip(targets, sources)):
        order.insert(target, source_axis)
    return tuple(shape[index] for index in order)


def swapaxes(shape, axis1, axis2):
    order = list(range(len(shape)))
    first, second = _axis(axis1, len(shape)), _axis(axis2, len(shape))
    order[first], order[second] = second, first
    return tuple(shape[index] for index in order)


def _agree(shapes, skip=None):
    """Per axis (but ``skip``), the one known size all shapes share (None if none is known)."""
    if not shapes or len({len(shape) for shape in shapes}) != 1:
        raise ShapeRuleError(f"expected tensors of one rank, got shapes {shapes}")
    result = []
    for index, sizes in enumerate(zip(*shapes)):
        known = {size for size in sizes if size is not None}
        if index != skip and len(known) > 1:
            raise ShapeRuleError(f"shapes {shapes} differ on axis {index}")
        result.append(known.pop() if len(known) == 1 else None)
    return tuple(result)


def concatenate(shapes, axis):
    if axis is None:
        shapes, axis = [_flat(shape) for shape in shapes], 0
    common = _agree(shapes, skip=_axis(axis, len(shapes[0])) if shapes else None)
    axis = _axis(axis, len(common))
    sizes = [shape[axis] for shape in shapes]
    return common[:axis] + (None if None in sizes else sum(sizes),) + common[axis + 1:]


def stack(shapes, axis):
    common = _agree(shapes)
    axis = _axis(axis, len(common) + 1)
    return common[:axis] + (len(shapes),) + common[axis:]


def split(shape, indices_or_sections, axis):
    axis = _axis(axis, len(shape))
    size = shape[axis]
    if isinstance(indices_or_sections, (list, tuple)):
        bounds = [0] + [_count(item, "indices_or_sections") for item in indices_or_sections] + [size]
        if size is None:
            sizes = [None if stop is None else stop - start for start, stop in zip(bounds, bounds[1:])]
        else:
            sizes = [max(0, min(stop, size) - min(start, size)) for start, stop in zip(bounds, bounds[1:])]
    else:
        sections = _count(indices_or_sections, "indices_or_sections")
        if sections == 0 or (size is not None and size % sections):
            raise ShapeRuleError(f"an axis of size {size} does not split into {sections} equal parts")
        sizes = [None if size is None else size // sections] * sections
    return [shape[:axis] + (part,) + shape[axis + 1:] for part in sizes]


def get_item(shape, key):
    """Basic indexing (ints, slices, None, ...) and at most one list/array index."""
    key = list(key) if isinstance(key, tuple) else [key]
    if sum(item is Ellipsis for item in key) > 1:
        raise ShapeRuleError("an index can only have one ellipsis")
    used = sum(item is not None and item is not Ellipsis for item in key)
    if Ellipsis in key:
        position = next(index for index, item in enumerate(key) if item is Ellipsis)
        key[position:position + 1] = [slice(None)] * (len(shape) - used)
    key += [slice(None)] * (len(shape) - sum(item is not None for item in key))
    if sum(item is not None for item in key) > len(shape):
        raise ShapeRuleError(f"too many indices for a tensor of rank {len(shape)}")
    result, sizes, arrays = [], iter(shape), 0
    for item in key:
        if item is None:
            result.append(1)
            continue
        size = next(sizes)
        if isinstance(item, slice):
            result.append(None if size is None else len(range(*item.indices(size))))
        elif isinstance(item, (int, numpy.integer)) and not isinstance(item, bool):
            if size is not None and not -size <= item < size:
                raise ShapeRuleError(f"index {item} is out of bounds for an axis of size {size}")
        elif _is_boolean(item):  # a mask keeps as many entries as it has True values
            arrays += 1
            if isinstance(item, KerasTensor) or len(shape_of(item)) != 1:
                raise ShapeRuleError("the rule covers boolean masks given as 1-D lists only")
            result.append(int(numpy.count_nonzero(numpy.asarray(item))))
        else:
            arrays += 1
            result.extend(shape_of(item))
    if arrays > 1:
        raise ShapeRuleError("the rule covers at most one list or array index")
    return tuple(result)


def _is_boolean(item):
    if isinstance(item, KerasTensor):
        return item.dtype == "bool"
    return numpy.asarray(getattr(item, "data", item)).dtype == bool


def take(shape, indices_shape, axis):
    if axis is None:
        return tuple(indices_shape)
    axis = _axis(axis, len(shape))
    return shape[:axis] + tuple(indices_shape) + shape[axis + 1:]


def take_along_axis(shape, indices_shape, axis):
    if axis is None:
        return tuple(indices_shape)
    axis = _axis(axis, len(shape))
    if len(indices_shape) != len(shape):
        raise ShapeRuleError("take_along_axis needs indices of the tensor's rank")
    common = broadcast(shape[:axis] + (1,) + shape[axis + 1:], indices_shape[:axis] + (1,) + indices_shape[axis + 1:])
    return common[:axis] + (indices_shape[axis],) + common[axis + 1:]


def broadcast_to(shape, target):
    target = tuple(_count(size, "shape") for size in (target if isinstance(target, (list, tuple)) else [target]))
    if len(shape) > len(target) or broadcast(shape, target) != target:
        raise ShapeRuleError(f"cannot broadcast a tensor of shape {shape} to {target}")
    return target
