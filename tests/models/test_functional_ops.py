"""Ops and Python operators on KerasTensors: op nodes in functional models.

``a + b``, ``ops.relu(x)``, ``x[:, :2]``, ``ops.concatenate([x, a])`` on the
KerasTensors of ``keras.Input`` record op nodes (``minikeras/ops/symbolic.py``,
``minikeras/layers/operation.py``). The oracle is NumPy on the same weights.
"""

import json
import sys

import numpy
import pytest

import minikeras as keras
from minikeras import ops
from minikeras.autodiff import elementwise
from minikeras.autodiff.tensor import Tensor
from minikeras.layers.operation import Operation
from minikeras.layers.operation_table import OPERATIONS

L = keras.layers


@pytest.fixture(autouse=True)
def fresh_names():
    keras.utils.clear_session()


def build_model():
    inputs = keras.Input((8,))
    a = L.Dense(4)(inputs)
    b = L.Dense(4)(inputs)
    x = a + b
    x = ops.relu(x) * 2.0
    x = x[:, :2]
    x = ops.concatenate([x, a], axis=-1)
    return keras.Model(inputs, x)


def numpy_forward(model, data):
    (k1, b1), (k2, b2) = [layer.get_weights() for layer in model.layers[1:3]]
    a, b = data @ k1 + b1, data @ k2 + b2
    x = numpy.maximum(a + b, 0.0) * 2.0
    return numpy.concatenate([x[:, :2], a], axis=-1)


# Captured from Keras 3.15.1 (KERAS_BACKEND=jax) for the same model, line_length=100.
KERAS_SUMMARY = """\
Model: "functional"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━┓
┃ Layer (type)                ┃ Output Shape            ┃        Param # ┃ Connected to            ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━┩
│ input_layer (InputLayer)    │ (None, 8)               │              0 │ -                       │
├─────────────────────────────┼─────────────────────────┼────────────────┼─────────────────────────┤
│ dense (Dense)               │ (None, 4)               │             36 │ input_layer[0][0]       │
├─────────────────────────────┼─────────────────────────┼────────────────┼─────────────────────────┤
│ dense_1 (Dense)             │ (None, 4)               │             36 │ input_layer[0][0]       │
├─────────────────────────────┼─────────────────────────┼────────────────┼─────────────────────────┤
│ add (Add)                   │ (None, 4)               │              0 │ dense[0][0],            │
│                             │                         │                │ dense_1[0][0]           │
├─────────────────────────────┼─────────────────────────┼────────────────┼─────────────────────────┤
│ relu (Relu)                 │ (None, 4)               │              0 │ add[0][0]               │
├─────────────────────────────┼─────────────────────────┼────────────────┼─────────────────────────┤
│ multiply (Multiply)         │ (None, 4)               │              0 │ relu[0][0]              │
├─────────────────────────────┼─────────────────────────┼────────────────┼─────────────────────────┤
│ get_item (GetItem)          │ (None, 2)               │              0 │ multiply[0][0]          │
├─────────────────────────────┼─────────────────────────┼────────────────┼─────────────────────────┤
│ concatenate (Concatenate)   │ (None, 6)               │              0 │ get_item[0][0],         │
│                             │                         │                │ dense[0][0]             │
└─────────────────────────────┴─────────────────────────┴────────────────┴─────────────────────────┘
 Total params: 72 (288.00 B)
 Trainable params: 72 (288.00 B)
 Non-trainable params: 0 (0.00 B)
"""


def test_model_with_op_nodes_computes_what_numpy_computes():
    model = build_model()
    data = numpy.random.default_rng(0).normal(size=(3, 8)).astype("float32")
    numpy.testing.assert_allclose(numpy.asarray(model(data)), numpy_forward(model, data), rtol=1e-5, atol=1e-6)


def test_summary_matches_keras_and_layers_leave_op_nodes_out():
    model = build_model()
    texts = []
    model.summary(line_length=100, print_fn=texts.append)
    assert texts[0] == KERAS_SUMMARY
    assert [layer.name for layer in model.layers] == ["input_layer", "dense", "dense_1"]
    assert [op.name for op in model.operations][3:] == ["add", "relu", "multiply", "get_item", "concatenate"]
    assert L.Add().name == "add_1"  # op nodes and layers share Keras's name counters


@pytest.mark.parametrize("expression, name, shape, dtype", [
    (lambda x: x + 1.0, "add", (None, 3), "float32"),
    (lambda x: 1.0 - x, "subtract", (None, 3), "float32"),
    (lambda x: x * x, "multiply", (None, 3), "float32"),
    (lambda x: x / 2.0, "true_divide", (None, 3), "float32"),
    (lambda x: x ** 2, "power", (None, 3), "float32"),
    (lambda x: -x, "negative", (None, 3), "float32"),
    (lambda x: abs(x), "absolute", (None, 3), "float32"),
    (lambda x: x @ numpy.ones((3, 5), "float32"), "matmul", (None, 5), "float32"),
    (lambda x: x > 0.0, "greater", (None, 3), "bool"),
    (lambda x: x <= 0.0, "less_equal", (None, 3), "bool"),
    (lambda x: x[:, 1], "get_item", (None,), "float32"),
    (lambda x: x[..., None], "get_item", (None, 3, 1), "float32"),
    (lambda x: ops.sum(x, axis=1), "sum", (None,), "float32"),
    (lambda x: ops.reshape(x, (-1, 3, 1)), "reshape", (None, 3, 1), "float32"),
    (lambda x: ops.stack([x, x], axis=1), "stack", (None, 2, 3), "float32"),
    (lambda x: ops.abs(x), "absolute", (None, 3), "float32"),
    (lambda x: keras.activations.softmax(x), "softmax", (None, 3), "float32"),
    (lambda x: ops.argmax(x, axis=-1), "argmax", (None,), "int32"),
])
def test_operators_and_ops_record_nodes_with_keras_names_and_shapes(expression, name, shape, dtype):
    inputs = keras.Input((3,))
    y = expression(inputs)
    operation = y._keras_history[0]
    assert isinstance(operation, Operation) and operation.name == name
    assert y.shape == shape and y.dtype == dtype
    model = keras.Model(inputs, y)
    data = numpy.arange(6, dtype="float32").reshape(2, 3) - 2.5
    expected = numpy.asarray(expression(Tensor(data)))
    numpy.testing.assert_allclose(numpy.asarray(model(data)), expected, rtol=1e-6)


def test_static_arguments_go_to_the_config_tensors_to_the_call():
    inputs = keras.Input((4,))
    y = ops.concatenate([inputs, inputs * 2.0], axis=-1)
    node_layer = y._keras_history[0]
    assert node_layer.get_config() == {"name": "concatenate", "axis": -1}
    assert len(node_layer._inbound_nodes[0].call_args[0]) == 2
    s = ops.sum(inputs, 1)
    assert s._keras_history[0].get_config() == {"name": "sum", "axis": 1, "keepdims": False}


def test_bad_op_calls_raise_python_errors():
    inputs = keras.Input((4,))
    with pytest.raises(TypeError, match="unexpected keyword argument 'axes'"):
        ops.sum(inputs, axes=1)
    with pytest.raises(TypeError, match="missing required argument: 'newshape'"):
        ops.reshape(inputs)
    with pytest.raises(TypeError, match="Python boolean"):
        bool(inputs > 0)


def test_training_a_model_with_op_nodes_lowers_the_loss():
    model = build_model()
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    rng = numpy.random.default_rng(1)
    x = rng.normal(size=(32, 8)).astype("float32")
    y = rng.normal(size=(32, 6)).astype("float32")
    history = model.fit(x, y, epochs=5, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_config_round_trip_rebuilds_the_same_graph():
    model = build_model()
    config = model.get_config()
    ops_configs = [layer for layer in config["layers"] if layer["module"].startswith("keras.src.ops")]
    assert [(c["module"], c["class_name"]) for c in ops_configs] == [
        ("keras.src.ops.numpy", "Add"), ("keras.src.ops.nn", "Relu"), ("keras.src.ops.numpy", "Multiply"),
        ("keras.src.ops.numpy", "GetItem"), ("keras.src.ops.numpy", "Concatenate")]
    get_item_args = ops_configs[3]["inbound_nodes"][0]["args"]
    assert get_item_args[1][1] == {"class_name": "__slice__", "config": {"start": None, "stop": 2, "step": None}}
    rebuilt = keras.Model.from_config(json.loads(json.dumps(config)))
    rebuilt.set_weights(model.get_weights())
    data = numpy.ones((2, 8), "float32")
    numpy.testing.assert_allclose(numpy.asarray(rebuilt(data)), numpy.asarray(model(data)))


def test_save_and_load_round_trip(tmp_path):
    model = build_model()
    path = tmp_path / "ops.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    data = numpy.random.default_rng(2).normal(size=(4, 8)).astype("float32")
    numpy.testing.assert_allclose(numpy.asarray(loaded(data)), numpy.asarray(model(data)), rtol=1e-6)


def test_op_without_a_table_row_runs_but_refuses_to_save(tmp_path):
    inputs = keras.Input((3,))
    y = ops.einsum("ij,jk->ik", inputs, numpy.ones((3, 2), "float32"))
    model = keras.Model(inputs, y)
    assert model(numpy.ones((2, 3), "float32")).shape == (2, 2)
    with pytest.raises(ValueError, match="Cannot save the op node 'einsum'"):
        model.get_config()


def test_unknown_op_class_in_a_file_is_refused():
    model = build_model()
    config = json.loads(json.dumps(model.get_config()))
    config["layers"][3]["class_name"] = "System"
    config["layers"][3]["module"] = "keras.src.ops.os"
    with pytest.raises(ValueError, match="cannot rebuild the op node 'add'"):
        keras.Model.from_config(config)


def test_every_table_row_names_a_public_op():
    for name in OPERATIONS:
        assert callable(getattr(ops, name)), name


def _python_calls(function):
    """The names of the Python functions that one call of ``function`` enters, in order."""
    names = []

    def record(frame, event, arg):
        if event == "call":
            names.append(frame.f_code.co_name)

    sys.setprofile(record)
    try:
        function()
    finally:
        sys.setprofile(None)
    return names


def test_eager_ops_pay_only_a_type_check():
    """On eager tensors, ``ops.add`` adds one Python call (its own, which checks
    the types) to the autodiff op's. Counted, not timed: the count is the same
    on a busy machine."""
    a, b = Tensor(numpy.ones((4, 4), "float32")), Tensor(numpy.ones((4, 4), "float32"))
    plain = _python_calls(lambda: elementwise.add(a, b))
    wrapped = _python_calls(lambda: ops.add(a, b))
    assert len(wrapped) <= len(plain) + 1, (plain, wrapped)
