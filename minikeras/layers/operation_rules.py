"""Each saveable op's shape rule and dtype family: a literal table.

Place in the stack: between ``operation_shapes.py`` (the shape arithmetic)
and ``operation.py`` (which asks ``output_spec`` before running an op node on
zeros). Every row of ``operation_table.OPERATIONS`` has a row here; a test
checks it. Read next: ``operation.py``.
"""

import numpy

from minikeras.backend import config
from minikeras.backend.keras_tensor import KerasTensor
from minikeras.kernels.geometry import conv_output_length
from minikeras.layers import operation_shapes as shapes
from minikeras.layers.operation_shapes import ShapeRuleError
from minikeras.layers.operation_shapes import broadcast
from minikeras.layers.operation_shapes import reduce
from minikeras.layers.operation_shapes import shape_of

# Ops whose output can be much larger than their inputs: a rule that cannot
# follow their arguments is an error, never a reason to run them on zeros.
AMPLIFYING = frozenset({
    "tile", "repeat", "pad", "broadcast_to", "outer", "one_hot", "get_item", "take", "take_along_axis",
    "matmul", "dot", "tensordot", "concatenate", "hstack", "vstack", "stack", "append", "where",
    "add", "subtract", "multiply", "divide", "true_divide", "floor_divide", "mod", "power", "maximum",
    "minimum", "equal", "not_equal", "greater", "greater_equal", "less", "less_equal", "logical_and",
    "logical_or", "logical_xor", "binary_crossentropy",
})

_FLOAT = ("exp", "expm1", "log", "log1p", "sqrt", "rsqrt", "sigmoid", "softplus", "softsign", "tanh",
          "sin", "cos", "erf", "relu", "relu6", "elu", "selu", "gelu", "silu", "swish", "hard_sigmoid",
          "hard_silu", "hard_swish", "leaky_relu", "log_sigmoid", "softmax", "log_softmax",
          "reciprocal", "floor", "ceil")
_SAME = ("abs", "absolute", "negative", "sign", "square", "round", "copy", "stop_gradient", "clip",
         "nan_to_num", "flip", "tril", "triu", "sort")
_BOOL = ("isfinite", "isinf", "isnan", "logical_not")
_PROMOTE = ("add", "subtract", "multiply", "floor_divide", "mod", "power", "maximum", "minimum")
_COMPARE = ("equal", "not_equal", "greater", "greater_equal", "less", "less_equal", "logical_and",
            "logical_or", "logical_xor")


# ----------------------------------------------------------------- dtypes


def _name(dtype):
    return dtype if isinstance(dtype, str) else numpy.dtype(dtype).name


def _first(named):
    return next(iter(named.values()))


def same(named):
    value = _first(named)
    if isinstance(value, (list, tuple)):  # concatenate([x, y]): all of them
        return _name(numpy.result_type(*[numpy.dtype(shapes.dtype_of(item)) for item in value]))
    return _name(shapes.dtype_of(value))


def floating(named):
    dtype = same(named)
    return config.floatx() if numpy.dtype(dtype).kind in "biu" else dtype


def promote(*keys):
    def rule(named):
        values = [shapes.dtype_of(named[key]) for key in keys]
        values = [numpy.dtype(value) if isinstance(value, str) else value for value in values]
        return _name(numpy.result_type(*values))
    return rule


def divide(named):
    dtype = promote("x1", "x2")(named)
    return config.floatx() if numpy.dtype(dtype).kind in "biu" else dtype


def fixed(dtype):
    return lambda named: dtype


def argument_or_same(named):
    return _name(named["dtype"]) if named.get("dtype") is not None else same(named)


# ----------------------------------------------------------------- shapes


def _x(named):
    return shape_of(_first(named))


def _both(named):
    return broadcast(shape_of(named["x1"]), shape_of(named["x2"]))


def _reduction(axis_key="axis"):
    return lambda named: reduce(_x(named), named.get(axis_key), named.get("keepdims", False))


def _matmul(a, b):
    if not a or not b:
        raise ShapeRuleError("matmul needs tensors of rank 1 or more")
    a2, b2 = ((1,) + a if len(a) == 1 else a), (b + (1,) if len(b) == 1 else b)
    if None not in (a2[-1], b2[-2]) and a2[-1] != b2[-2]:
        raise ShapeRuleError(f"matmul: inner sizes of {a} and {b} differ")
    batch = broadcast(a2[:-2], b2[:-2])
    return batch + (a2[-2],) * (len(a) > 1) + (b2[-1],) * (len(b) > 1)


def _dot(named):
    a, b = shape_of(named["x1"]), shape_of(named["x2"])
    if not a or not b:
        return broadcast(a, b)
    if len(b) == 1 or len(a) == 1 and len(b) == 2:
        return _matmul(a, b)
    if None not in (a[-1], b[-2]) and a[-1] != b[-2]:
        raise ShapeRuleError(f"dot: sizes {a} and {b} do not align")
    return a[:-1] + b[:-2] + b[-1:]


def _tensordot(named):
    a, b, axes = shape_of(named["x1"]), shape_of(named["x2"]), named["axes"]
    if isinstance(axes, int):
        a_axes, b_axes = list(range(len(a) - axes, len(a))), list(range(axes))
    else:
        a_axes, b_axes = ([item] if isinstance(item, int) else list(item) for item in axes)
    a_axes = [shapes._axis(axis, len(a)) for axis in a_axes]
    b_axes = [shapes._axis(axis, len(b)) for axis in b_axes]
    if len(a_axes) != len(b_axes):
        raise ShapeRuleError("tensordot: axes of different lengths")
    return (tuple(size for index, size in enumerate(a) if index not in a_axes)
            + tuple(size for index, size in enumerate(b) if index not in b_axes))


def _outer(named):
    return shapes._flat(shape_of(named["x1"])) + shapes._flat(shape_of(named["x2"]))


def _pool(named):
    x = _x(named)
    rank = len(x) - 2
    window = _ints(named["pool_size"], rank, "pool_size")
    strides = window if named.get("strides") is None else _ints(named["strides"], rank, "strides")
    return (x[0],) + tuple(conv_output_length(size, k, named.get("padding", "valid"), s)
                           for size, k, s in zip(x[1:-1], window, strides)) + (x[-1],)


def _conv(named):
    x, kernel = _x(named), shape_of(named["kernel"])
    rank = len(x) - 2
    strides = _ints(named.get("strides", 1), rank, "strides")
    dilation = _ints(named.get("dilation_rate", 1), rank, "dilation_rate")
    return (x[0],) + tuple(conv_output_length(size, k, named.get("padding", "valid"), s, d)
                           for size, k, s, d in zip(x[1:-1], kernel[:rank], strides, dilation)) + (kernel[-1],)


def _ints(value, rank, name):
    values = [value] * rank if isinstance(value, int) else list(value)
    if len(values) != rank or any(shapes._count(item, name) < 1 for item in values):
        raise ShapeRuleError(f"`{name}` must be {rank} positive ints, got {value!r}")
    return values


def _diagonal(named):
    x, offset = _x(named), named.get("offset", 0)
    first, second = shapes._axis(named.get("axis1", 0), len(x)), shapes._axis(named.get("axis2", 1), len(x))
    rest = tuple(size for index, size in enumerate(x) if index not in (first, second))
    n, m = x[first], x[second]
    if n is None or m is None:
        return rest + (None,)
    return rest + (max(0, min(n, m - offset) if offset >= 0 else min(n + offset, m)),)


def _hstack(named):
    xs = [shape_of(item) for item in named["xs"]]
    return shapes.concatenate(xs, 0 if all(len(shape) == 1 for shape in xs) else 1)


def _vstack(named):
    xs = [shape if len(shape) >= 2 else (1,) * (2 - len(shape)) + shape
          for shape in (shape_of(item) for item in named["xs"])]
    return shapes.concatenate(xs, 0)


def _one_hot(named):
    x = _x(named)
    classes = shapes._count(named["num_classes"], "num_classes")
    axis = shapes._axis(named.get("axis", -1), len(x) + 1)
    return x[:axis] + (classes,) + x[axis:]


def _without_axis(key="output"):
    def rule(named):
        shape = shape_of(named[key])
        axis = shapes._axis(named.get("axis", -1), len(shape))
        return shape[:axis] + shape[axis + 1:]
    return rule


def _moments(named):
    shape = reduce(_x(named), named["axes"], named.get("keepdims", False))
    return (shape, shape)


def _top_k(named):
    x, k = _x(named), shapes._count(named["k"], "k")
    if x[-1] is not None and k > x[-1]:
        raise ShapeRuleError(f"k={k} is larger than the last axis, {x[-1]}")
    return (x[:-1] + (k,), x[:-1] + (k,))


# Function name -> (shape rule, dtype rule); each takes {parameter: value}.
RULES = {
    **{name: (_x, floating) for name in _FLOAT},
    **{name: (_x, same) for name in _SAME},
    **{name: (_x, fixed("bool")) for name in _BOOL},
    **{name: (_both, promote("x1", "x2")) for name in _PROMOTE},
    **{name: (_both, fixed("bool")) for name in _COMPARE},
    "divide": (_both, divide),
    "true_divide": (_both, divide),
    "where": (lambda n: broadcast(*(shape_of(n[key]) for key in ("condition", "x1", "x2"))), promote("x1", "x2")),
    "cast": (_x, lambda n: _name(n["dtype"])),
    "convert_to_tensor": (_x, argument_or_same),
    "full_like": (_x, argument_or_same),
    "ones_like": (_x, argument_or_same),
    "zeros_like": (_x, argument_or_same),
    "cumsum": (lambda n: shapes._flat(_x(n)) if n.get("axis") is None else _x(n), argument_or_same),
    "argsort": (_x, fixed("int32")),
    "sum": (_reduction(), same),
    "max": (_reduction(), same),
    "min": (_reduction(), same),
    "mean": (_reduction(), floating),
    "std": (_reduction(), floating),
    "var": (_reduction(), floating),
    "logsumexp": (_reduction(), floating),
    "norm": (_reduction(), floating),
    "average": (_reduction(), floating),
    "all": (_reduction(), fixed("bool")),
    "any": (_reduction(), fixed("bool")),
    "argmax": (_reduction(), fixed("int32")),
    "argmin": (_reduction(), fixed("int32")),
    "count_nonzero": (_reduction(), fixed("int32")),
    "moments": (_moments, lambda n: (floating(n), floating(n))),
    "trace": (lambda n: _diagonal(n)[:-1], same),
    "diagonal": (_diagonal, same),
    "matmul": (lambda n: _matmul(shape_of(n["x1"]), shape_of(n["x2"])), promote("x1", "x2")),
    "dot": (_dot, promote("x1", "x2")),
    "tensordot": (_tensordot, promote("x1", "x2")),
    "outer": (_outer, promote("x1", "x2")),
    "broadcast_to": (lambda n: shapes.broadcast_to(_x(n), n["shape"]), same),
    "tile": (lambda n: shapes.tile(_x(n), n["repeats"]), same),
    "repeat": (lambda n: shapes.repeat(_x(n), n["repeats"], n.get("axis")), same),
    "pad": (lambda n: shapes.pad(_x(n), n["pad_width"]), same),
    "reshape": (lambda n: shapes.reshape(_x(n), n["newshape"]), same),
    "ravel": (lambda n: shapes._flat(_x(n)), same),
    "expand_dims": (lambda n: shapes.expand_dims(_x(n), n["axis"]), same),
    "squeeze": (lambda n: shapes.squeeze(_x(n), n.get("axis")), same),
    "transpose": (lambda n: shapes.transpose(_x(n), n.get("axes")), same),
    "moveaxis": (lambda n: shapes.moveaxis(_x(n), n["source"], n["destination"]), same),
    "swapaxes": (lambda n: shapes.swapaxes(_x(n), n["axis1"], n["axis2"]), same),
    "concatenate": (lambda n: shapes.concatenate([shape_of(x) for x in n["xs"]], n.get("axis", 0)), same),
    "stack": (lambda n: shapes.stack([shape_of(x) for x in n["x"]], n.get("axis", 0)), same),
    "hstack": (_hstack, same),
    "vstack": (_vstack, same),
    "append": (lambda n: shapes.concatenate([shape_of(n["x1"]), shape_of(n["x2"])], n.get("axis")),
               promote("x1", "x2")),
    "split": (lambda n: shapes.split(_x(n), n["indices_or_sections"], n.get("axis", 0)),
              lambda n: [same(n)] * len(shapes.split(_x(n), n["indices_or_sections"], n.get("axis", 0)))),
    "get_item": (lambda n: shapes.get_item(_x(n), n["key"]), same),
    "take": (lambda n: shapes.take(_x(n), shape_of(n["indices"]), n.get("axis")), same),
    "take_along_axis": (lambda n: shapes.take_along_axis(_x(n), shape_of(n["indices"]), n.get("axis")), same),
    "top_k": (_top_k, lambda n: (same(n), "int32")),
    "in_top_k": (lambda n: shape_of(n["targets"]), fixed("bool")),
    "one_hot": (_one_hot, lambda n: _name(n["dtype"]) if n.get("dtype") is not None else config.floatx()),
    "binary_crossentropy": (lambda n: broadcast(shape_of(n["target"]), shape_of(n["output"])),
                            lambda n: floating({"output": n["output"]})),
    "categorical_crossentropy": (_without_axis(), lambda n: floating({"output": n["output"]})),
    "sparse_categorical_crossentropy": (_without_axis(), lambda n: floating({"output": n["output"]})),
    "average_pool": (_pool, same),
    "max_pool": (_pool, same),
    "conv": (_conv, promote("inputs", "kernel")),
}


def output_spec(function_name, named):
    """The symbolic output of op ``function_name`` called with ``named`` arguments.

    Returns:
        A KerasTensor, or a tuple/list of them (``top_k``, ``moments``, ``split``).

    Raises:
        KeyError: for an op without a rule.
        ShapeRuleError: for arguments that do not fit the op.
    """
    shape_rule, dtype_rule = RULES[function_name]
    try:
        shape, dtype = shape_rule(named), dtype_rule(named)
    except ShapeRuleError:
        raise
    except (TypeError, ValueError, IndexError, KeyError, StopIteration) as error:
        raise ShapeRuleError(f"{type(error).__name__}: {error}") from None
    if isinstance(shape, list):
        return [KerasTensor(item, dtype=item_dtype) for item, item_dtype in zip(shape, dtype)]
    if shape and isinstance(shape[0], tuple):
        return tuple(KerasTensor(item, dtype=item_dtype) for item, item_dtype in zip(shape, dtype))
    return KerasTensor(shape, dtype=dtype)
