"""``result_type``: Keras's dtype promotion rules, as a table a reader can follow.

Place in the stack: ``backend``, beside ``arrays.py``. NumPy promotes
``int32 + float32`` to ``float64`` (a float32 cannot hold every int32
exactly); Keras, following JAX, answers ``float32``, and a Python number is
"weak": ``bfloat16 * 2.0`` stays ``bfloat16``. ``keras.backend.result_type``
gives Keras's answer; minikeras's own ops keep NumPy's promotion, so this
function tells what Keras would produce, e.g. to write code that runs the
same on both. Read next: ``arrays.py``.

The rules are a lattice: each dtype points to the dtypes just above it, and
the result of several dtypes is the lowest one above all of them. ``"int"``
and ``"float"`` are the weak types of Python numbers; a weak result takes the
width of ``floatx()``. Keras then narrows 64-bit results to 32 bits, as JAX
does by default (on every backend but TensorFlow), and so does this
function, although minikeras's own ops keep float64 arrays float64.
"""

from minikeras.backend import config

# dtype -> the dtypes immediately above it (JAX's lattice, as Keras adapted it).
_LATTICE = {
    "bool": ["int"],
    "uint8": ["int16", "uint16"], "uint16": ["int32", "uint32"], "uint32": ["int64", "uint64"],
    "uint64": ["float"],
    "int": ["uint8", "int8", "complex64"],
    "int8": ["int16"], "int16": ["int32"], "int32": ["int64"], "int64": ["float"],
    "float": ["bfloat16", "float16"],
    "bfloat16": ["float32"], "float16": ["float32"], "float32": ["float64", "complex64"],
    "float64": ["complex128"], "complex64": ["complex128"], "complex128": [],
}
_WEAK = ("int", "float")
# Keras answers as JAX does by default (64-bit results narrowed to 32 bits),
# on every backend but TensorFlow; minikeras follows that answer here.
_NARROWED = {"int64": "int32", "uint64": "uint32", "float64": "float32", "complex128": "complex64"}
# Python types and their names as dtypes (Keras's PYTHON_DTYPES_MAP, non-TensorFlow backends).
_PYTHON = {bool: "bool", int: "int32", float: "float32", complex: "complex64", str: "string"}


def _upper_bounds(dtype):
    """``dtype`` and every dtype above it in the lattice."""
    found, stack = {dtype}, [dtype]
    while stack:
        for above in _LATTICE[stack.pop()]:
            if above not in found:
                found.add(above)
                stack.append(above)
    return found


def _least_upper_bound(dtypes):
    """The one dtype above all of ``dtypes`` and below every other such dtype."""
    common = set.intersection(*(_upper_bounds(dtype) for dtype in dtypes))
    least = (common & set(dtypes)) or {candidate for candidate in common if common <= _upper_bounds(candidate)}
    if len(least) != 1:
        raise ValueError(f"Input dtypes {tuple(sorted(dtypes))} have no available implicit dtype promotion "
                         "path. Try explicitly casting inputs to the desired output type.")
    return least.pop()


def _standardize(value):
    """A dtype name from a name, a NumPy dtype or a Python type; ValueError otherwise."""
    if not isinstance(value, str) and value in _PYTHON:
        return _PYTHON[value]
    name = value if isinstance(value, str) else getattr(value, "name", None) or getattr(value, "__name__", value)
    if name not in _LATTICE or name in _WEAK:
        raise ValueError(f"Invalid value for argument `dtype`. Expected one of "
                         f"{sorted(set(_LATTICE) - set(_WEAK))} or a Python type. Received: dtype={value}")
    return name


def _as_weak(dtype):
    """The weak type of a dtype: "float32" -> "float", "int32" -> "int"."""
    if dtype == "bool":
        return dtype
    return "float" if "float" in dtype else "int" if "int" in dtype else dtype


def _resolve_weak(dtype):
    """A weak result takes the width of ``floatx()``: "float" -> "float32" by default."""
    width = config.floatx()[-2:]
    if dtype.startswith("u"):
        return f"uint{width}"
    if dtype.startswith("i"):
        return f"int{width}"
    return f"float{width}"


def result_type(*dtypes):
    """The dtype Keras gives to an operation on values of these dtypes.

    Args:
        *dtypes: dtype names (``"int32"``), NumPy dtypes, or the Python
            types ``bool``, ``int``, ``float`` (weak: they adopt the other
            operand's type). None stands for ``floatx()``.
    Returns:
        A dtype name; ``floatx()`` when no dtype is given.

    Example:
        >>> result_type("int32", "float32"), result_type("float16", float), result_type("int8", "uint8")
        ('float32', 'float16', 'int16')
    """
    if not dtypes:
        return config.floatx()
    values = [config.floatx() if dtype is None else dtype for dtype in dtypes]
    # Python int and float are weak: they adopt the width of the other operands.
    weak = [value is int or value is float for value in values]
    names = [_standardize(value) for value in values]
    if len(names) == 1:
        result, result_is_weak = names[0], weak[0]
    elif len(set(names)) == 1 and not all(weak):
        result, result_is_weak = names[0], False
    elif all(weak):
        result, result_is_weak = _least_upper_bound(set(names)), True
    else:
        result = _least_upper_bound({_as_weak(name) if is_weak else name for name, is_weak in zip(names, weak)})
        result_is_weak = result in _WEAK
    if result_is_weak and result != "bool":
        result = _resolve_weak(result)
    return _NARROWED.get(result, result)
