"""The op nodes minikeras can save and load: a literal table in Keras 3's terms.

Place in the stack: beside ``operation.py`` (the ``Operation`` layer of an op
called on KerasTensors). Keras 3 gives each op a class (``keras.src.ops.numpy.Sum``)
whose constructor takes the op's static arguments (``axis``, ``keepdims``) and
whose ``call`` takes the tensors. Its ``.keras`` files store an op node as::

    {"module": "keras.src.ops.numpy", "class_name": "Sum",
     "config": {"name": "sum", "axis": 1, "keepdims": false},
     "registered_name": "Sum", "inbound_nodes": [{"args": [<tensor>], "kwargs": {}}]}

minikeras keeps one function per op, so this table says, for each function
(by its Keras name): the Keras module and class, the function's parameters in
order, and which of them are the class's ``config`` (with Keras's defaults;
``REQUIRED`` has none). The other parameters are the call's arguments.

Loading a file only ever picks a row of this table (by module and class
name): it never imports a module or fetches an attribute that the file names.
An op that is not here still works in a model; saving it says it cannot.
Read next: ``operation.py``.
"""

from typing import NamedTuple

REQUIRED = "<required>"

KERAS_MODULES = {
    "numpy": "keras.src.ops.numpy", "nn": "keras.src.ops.nn", "math": "keras.src.ops.math",
    "core": "keras.src.ops.core", "linalg": "keras.src.ops.linalg",
}


class OperationSpec(NamedTuple):
    """One row: how a minikeras op function maps to a Keras op class.

    Args:
        module: key of ``KERAS_MODULES`` (``"numpy"`` -> ``"keras.src.ops.numpy"``).
        class_name: the Keras class (``"Sum"``); the node's name is its snake case.
        parameters: the minikeras function's parameters, in order.
        config: ``{parameter: Keras default}`` for the class's constructor arguments.
    """

    module: str
    class_name: str
    parameters: tuple
    config: dict

    def call_parameters(self):
        """The parameters that are the op call's arguments (tensors, mostly)."""
        return tuple(name for name in self.parameters if name not in self.config)


POOL_PARAMETERS = ("inputs", "pool_size", "strides", "padding", "data_format")
POOL_CONFIG = {"pool_size": REQUIRED, "strides": None, "padding": "valid", "data_format": None}

# Function name -> its Keras op class. ``abs``, ``swish`` and ``hard_swish``
# are other names of ``absolute``, ``silu`` and ``hard_silu`` in Keras.
OPERATIONS = {
    "abs": OperationSpec("numpy", "Absolute", ("x",), {}),
    "absolute": OperationSpec("numpy", "Absolute", ("x",), {}),
    "add": OperationSpec("numpy", "Add", ("x1", "x2"), {}),
    "all": OperationSpec("numpy", "All", ("x", "axis", "keepdims"),
                         {"axis": None, "keepdims": False}),
    "any": OperationSpec("numpy", "Any", ("x", "axis", "keepdims"),
                         {"axis": None, "keepdims": False}),
    "append": OperationSpec("numpy", "Append", ("x1", "x2", "axis"), {"axis": None}),
    "argmax": OperationSpec("numpy", "Argmax", ("x", "axis", "keepdims"),
                            {"axis": None, "keepdims": False}),
    "argmin": OperationSpec("numpy", "Argmin", ("x", "axis", "keepdims"),
                            {"axis": None, "keepdims": False}),
    "argsort": OperationSpec("numpy", "Argsort", ("x", "axis"), {"axis": -1}),
    "average": OperationSpec("numpy", "Average", ("x", "axis", "weights"), {"axis": None}),
    "average_pool": OperationSpec("nn", "AveragePool", POOL_PARAMETERS, POOL_CONFIG),
    "binary_crossentropy": OperationSpec("nn", "BinaryCrossentropy",
                                         ("target", "output", "from_logits"),
                                         {"from_logits": False}),
    "broadcast_to": OperationSpec("numpy", "BroadcastTo", ("x", "shape"), {"shape": REQUIRED}),
    "cast": OperationSpec("core", "Cast", ("x", "dtype"), {"dtype": REQUIRED}),
    "categorical_crossentropy": OperationSpec("nn", "CategoricalCrossentropy",
                                              ("target", "output", "from_logits", "axis"),
                                              {"from_logits": False, "axis": -1}),
    "ceil": OperationSpec("numpy", "Ceil", ("x",), {}),
    "clip": OperationSpec("numpy", "Clip", ("x", "x_min", "x_max"),
                          {"x_min": REQUIRED, "x_max": REQUIRED}),
    "concatenate": OperationSpec("numpy", "Concatenate", ("xs", "axis"), {"axis": 0}),
    "conv": OperationSpec("nn", "Conv",
                          ("inputs", "kernel", "strides", "padding", "data_format", "dilation_rate"),
                          {"strides": 1, "padding": "valid", "data_format": None, "dilation_rate": 1}),
    "convert_to_tensor": OperationSpec("core", "ConvertToTensor",
                                       ("x", "dtype", "sparse", "ragged"),
                                       {"dtype": None, "sparse": None, "ragged": None}),
    "copy": OperationSpec("numpy", "Copy", ("x",), {}),
    "cos": OperationSpec("numpy", "Cos", ("x",), {}),
    "count_nonzero": OperationSpec("numpy", "CountNonzero", ("x", "axis"), {"axis": None}),
    "cumsum": OperationSpec("numpy", "Cumsum", ("x", "axis", "dtype"),
                            {"axis": None, "dtype": None}),
    "diagonal": OperationSpec("numpy", "Diagonal", ("x", "offset", "axis1", "axis2"),
                              {"offset": 0, "axis1": 0, "axis2": 1}),
    "divide": OperationSpec("numpy", "Divide", ("x1", "x2"), {}),
    "dot": OperationSpec("numpy", "Dot", ("x1", "x2"), {}),
    "elu": OperationSpec("nn", "Elu", ("x", "alpha"), {"alpha": 1.0}),
    "equal": OperationSpec("numpy", "Equal", ("x1", "x2"), {}),
    "erf": OperationSpec("math", "Erf", ("x",), {}),
    "exp": OperationSpec("numpy", "Exp", ("x",), {}),
    "expand_dims": OperationSpec("numpy", "ExpandDims", ("x", "axis"), {"axis": REQUIRED}),
    "expm1": OperationSpec("numpy", "Expm1", ("x",), {}),
    "flip": OperationSpec("numpy", "Flip", ("x", "axis"), {"axis": None}),
    "floor": OperationSpec("numpy", "Floor", ("x",), {}),
    "floor_divide": OperationSpec("numpy", "FloorDivide", ("x1", "x2"), {}),
    "full_like": OperationSpec("numpy", "FullLike", ("x", "fill_value", "dtype"), {"dtype": None}),
    "gelu": OperationSpec("nn", "Gelu", ("x", "approximate"), {"approximate": True}),
    "greater": OperationSpec("numpy", "Greater", ("x1", "x2"), {}),
    "greater_equal": OperationSpec("numpy", "GreaterEqual", ("x1", "x2"), {}),
    "hard_sigmoid": OperationSpec("nn", "HardSigmoid", ("x",), {}),
    "hard_silu": OperationSpec("nn", "HardSilu", ("x",), {}),
    "hard_swish": OperationSpec("nn", "HardSilu", ("x",), {}),
    "hstack": OperationSpec("numpy", "Hstack", ("xs",), {}),
    "in_top_k": OperationSpec("math", "InTopK", ("targets", "predictions", "k"), {"k": REQUIRED}),
    "isfinite": OperationSpec("numpy", "Isfinite", ("x",), {}),
    "isinf": OperationSpec("numpy", "Isinf", ("x",), {}),
    "isnan": OperationSpec("numpy", "Isnan", ("x",), {}),
    "leaky_relu": OperationSpec("nn", "LeakyRelu", ("x", "negative_slope"),
                                {"negative_slope": 0.2}),
    "less": OperationSpec("numpy", "Less", ("x1", "x2"), {}),
    "less_equal": OperationSpec("numpy", "LessEqual", ("x1", "x2"), {}),
    "log": OperationSpec("numpy", "Log", ("x",), {}),
    "log1p": OperationSpec("numpy", "Log1p", ("x",), {}),
    "log_sigmoid": OperationSpec("nn", "LogSigmoid", ("x",), {}),
    "log_softmax": OperationSpec("nn", "LogSoftmax", ("x", "axis"), {"axis": -1}),
    "logical_and": OperationSpec("numpy", "LogicalAnd", ("x1", "x2"), {}),
    "logical_not": OperationSpec("numpy", "LogicalNot", ("x",), {}),
    "logical_or": OperationSpec("numpy", "LogicalOr", ("x1", "x2"), {}),
    "logical_xor": OperationSpec("numpy", "LogicalXor", ("x1", "x2"), {}),
    "logsumexp": OperationSpec("math", "Logsumexp", ("x", "axis", "keepdims"),
                               {"axis": None, "keepdims": False}),
    "matmul": OperationSpec("numpy", "Matmul", ("x1", "x2"), {}),
    "max": OperationSpec("numpy", "Max", ("x", "axis", "keepdims", "initial"),
                         {"axis": None, "keepdims": False, "initial": None}),
    "max_pool": OperationSpec("nn", "MaxPool", POOL_PARAMETERS, POOL_CONFIG),
    "maximum": OperationSpec("numpy", "Maximum", ("x1", "x2"), {}),
    "mean": OperationSpec("numpy", "Mean", ("x", "axis", "keepdims"),
                          {"axis": None, "keepdims": False}),
    "min": OperationSpec("numpy", "Min", ("x", "axis", "keepdims", "initial"),
                         {"axis": None, "keepdims": False, "initial": None}),
    "minimum": OperationSpec("numpy", "Minimum", ("x1", "x2"), {}),
    "mod": OperationSpec("numpy", "Mod", ("x1", "x2"), {}),
    "moments": OperationSpec("nn", "Moments", ("x", "axes", "keepdims", "synchronized"),
                             {"axes": REQUIRED, "keepdims": False, "synchronized": False}),
    "moveaxis": OperationSpec("numpy", "Moveaxis", ("x", "source", "destination"),
                              {"source": REQUIRED, "destination": REQUIRED}),
    "multiply": OperationSpec("numpy", "Multiply", ("x1", "x2"), {}),
    "nan_to_num": OperationSpec("numpy", "NanToNum", ("x", "nan", "posinf", "neginf"),
                                {"nan": 0.0, "posinf": None, "neginf": None}),
    "negative": OperationSpec("numpy", "Negative", ("x",), {}),
    "norm": OperationSpec("linalg", "Norm", ("x", "ord", "axis", "keepdims"),
                          {"ord": None, "axis": None, "keepdims": False}),
    "not_equal": OperationSpec("numpy", "NotEqual", ("x1", "x2"), {}),
    "one_hot": OperationSpec("nn", "OneHot", ("x", "num_classes", "axis", "dtype", "sparse"),
                             {"num_classes": REQUIRED, "axis": -1, "dtype": None, "sparse": False}),
    "ones_like": OperationSpec("numpy", "OnesLike", ("x", "dtype"), {"dtype": None}),
    "outer": OperationSpec("numpy", "Outer", ("x1", "x2"), {}),
    "pad": OperationSpec("numpy", "Pad", ("x", "pad_width", "mode", "constant_values"),
                         {"pad_width": REQUIRED, "mode": "constant"}),
    "power": OperationSpec("numpy", "Power", ("x1", "x2"), {}),
    "ravel": OperationSpec("numpy", "Ravel", ("x",), {}),
    "reciprocal": OperationSpec("numpy", "Reciprocal", ("x",), {}),
    "relu": OperationSpec("nn", "Relu", ("x",), {}),
    "relu6": OperationSpec("nn", "Relu6", ("x",), {}),
    "repeat": OperationSpec("numpy", "Repeat", ("x", "repeats", "axis"),
                            {"repeats": REQUIRED, "axis": None}),
    "reshape": OperationSpec("numpy", "Reshape", ("x", "newshape"), {"newshape": REQUIRED}),
    "round": OperationSpec("numpy", "Round", ("x", "decimals"), {"decimals": 0}),
    "rsqrt": OperationSpec("math", "Rsqrt", ("x",), {}),
    "selu": OperationSpec("nn", "Selu", ("x",), {}),
    "sigmoid": OperationSpec("nn", "Sigmoid", ("x",), {}),
    "sign": OperationSpec("numpy", "Sign", ("x",), {}),
    "silu": OperationSpec("nn", "Silu", ("x",), {}),
    "sin": OperationSpec("numpy", "Sin", ("x",), {}),
    "softmax": OperationSpec("nn", "Softmax", ("x", "axis"), {"axis": -1}),
    "softplus": OperationSpec("nn", "Softplus", ("x",), {}),
    "softsign": OperationSpec("nn", "Softsign", ("x",), {}),
    "sort": OperationSpec("numpy", "Sort", ("x", "axis"), {"axis": -1}),
    "sparse_categorical_crossentropy": OperationSpec("nn", "SparseCategoricalCrossentropy",
                                                     ("target", "output", "from_logits", "axis"),
                                                     {"from_logits": False, "axis": -1}),
    "split": OperationSpec("numpy", "Split", ("x", "indices_or_sections", "axis"),
                           {"indices_or_sections": REQUIRED, "axis": 0}),
    "sqrt": OperationSpec("numpy", "Sqrt", ("x",), {}),
    "square": OperationSpec("numpy", "Square", ("x",), {}),
    "squeeze": OperationSpec("numpy", "Squeeze", ("x", "axis"), {"axis": None}),
    "stack": OperationSpec("numpy", "Stack", ("x", "axis"), {"axis": 0}),
    "std": OperationSpec("numpy", "Std", ("x", "axis", "keepdims"),
                         {"axis": None, "keepdims": False}),
    "stop_gradient": OperationSpec("core", "StopGradient", ("variable",), {}),
    "subtract": OperationSpec("numpy", "Subtract", ("x1", "x2"), {}),
    "sum": OperationSpec("numpy", "Sum", ("x", "axis", "keepdims"),
                         {"axis": None, "keepdims": False}),
    "swapaxes": OperationSpec("numpy", "Swapaxes", ("x", "axis1", "axis2"),
                              {"axis1": REQUIRED, "axis2": REQUIRED}),
    "swish": OperationSpec("nn", "Silu", ("x",), {}),
    "take": OperationSpec("numpy", "Take", ("x", "indices", "axis"), {"axis": None}),
    "take_along_axis": OperationSpec("numpy", "TakeAlongAxis", ("x", "indices", "axis"),
                                     {"axis": None}),
    "tanh": OperationSpec("numpy", "Tanh", ("x",), {}),
    "tensordot": OperationSpec("numpy", "Tensordot", ("x1", "x2", "axes"), {"axes": 2}),
    "tile": OperationSpec("numpy", "Tile", ("x", "repeats"), {"repeats": REQUIRED}),
    "top_k": OperationSpec("math", "TopK", ("x", "k", "sorted"), {"k": REQUIRED, "sorted": True}),
    "trace": OperationSpec("numpy", "Trace", ("x", "offset", "axis1", "axis2"),
                           {"offset": 0, "axis1": 0, "axis2": 1}),
    "transpose": OperationSpec("numpy", "Transpose", ("x", "axes"), {"axes": None}),
    "tril": OperationSpec("numpy", "Tril", ("x", "k"), {"k": 0}),
    "triu": OperationSpec("numpy", "Triu", ("x", "k"), {"k": 0}),
    "true_divide": OperationSpec("numpy", "TrueDivide", ("x1", "x2"), {}),
    "var": OperationSpec("numpy", "Var", ("x", "axis", "keepdims"),
                         {"axis": None, "keepdims": False}),
    "vstack": OperationSpec("numpy", "Vstack", ("xs",), {}),
    "where": OperationSpec("numpy", "Where", ("condition", "x1", "x2"), {}),
    "zeros_like": OperationSpec("numpy", "ZerosLike", ("x", "dtype"), {"dtype": None}),
    "get_item": OperationSpec("numpy", "GetItem", ("x", "key"), {}),
}


def spec_by_keras_name(module, class_name):
    """The row for a Keras ``(module, class_name)`` read from a file, or None.

    Rows of aliases (``abs``) lead to the same class as their main name; the
    first row listed wins, which is the one Keras itself writes.
    """
    for function_name, spec in OPERATIONS.items():
        if KERAS_MODULES[spec.module] == module and spec.class_name == class_name:
            return function_name, spec
    return None
