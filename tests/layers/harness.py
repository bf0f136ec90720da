"""The shared layer harness: every concrete layer goes through the same checks.

``check_layer`` builds a layer on a batch, then checks, in order:

1. build: the layer is built, with the expected number of weights;
2. output shape: the eager output, ``compute_output_shape`` and the
   functional API (``layer(Input(...))``) agree with the expected shape;
3. one training step: for a layer with trainable weights, one gradient step
   on an MSE loss (recorded by a ``GradientTape``) lowers that loss;
4. config: ``from_config(get_config())`` gives the same config and, with the
   same weights, the same outputs.

``check_layer_gradients`` compares the tape's gradients (input and weights)
with central finite differences in float64, along random directions. Layer
state (seed generators, moving statistics) is put back before every
evaluation, so a Dropout with a seed or a BatchNormalization in training mode
is the same function each time.
"""

import numpy as np

from minikeras import GradientTape
from minikeras import ops
from minikeras.layers import Input


def random_batch(shape, dtype="float32", seed=0, low=-1.0, high=1.0):
    """Uniform values in [low, high) of the given shape and dtype."""
    return np.random.default_rng(seed).uniform(low, high, size=shape).astype(dtype)


def _mse(output, target):
    return ops.mean(ops.square(ops.subtract(output, target)))


def check_layer(make_layer, input_data, expected_output_shape, expected_weight_count,
                trains=None, call_kwargs=None):
    """Runs checks 1-4 of the module doc on ``make_layer()``.

    Args:
        make_layer: a function returning a fresh layer (called several times).
        input_data: the batch (an array, or a list of arrays for merging layers).
        expected_output_shape: the eager output's shape.
        expected_weight_count: ``len(layer.weights)`` after the build.
        trains: whether to run the training step (default: the layer has
            trainable weights).
        call_kwargs: extra arguments of every call (``training=True``...).
    Returns:
        The built layer, for further checks.
    """
    call_kwargs = call_kwargs or {}
    # 1. Build.
    layer = make_layer()
    output = layer(input_data, **call_kwargs)
    assert layer.built
    assert len(layer.weights) == expected_weight_count, [w.path for w in layer.weights]
    # 2. Output shape: eager, compute_output_shape with an unknown batch, symbolic.
    assert tuple(output.shape) == tuple(expected_output_shape)
    input_shapes = _shapes(input_data)
    unknown_batch = _with_batch(input_shapes, None)
    expected_symbolic = (None,) + tuple(expected_output_shape[1:])
    assert tuple(layer.compute_output_shape(unknown_batch)) == expected_symbolic
    symbolic_inputs = _symbolic_inputs(input_data)
    assert tuple(make_layer()(symbolic_inputs).shape) == expected_symbolic
    # 3. One gradient step lowers the loss.
    if trains if trains is not None else bool(layer.trainable_weights):
        _check_training_step(layer, input_data, call_kwargs)
    # 4. Config round trip, and the same outputs with the same weights.
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    clone(input_data, **call_kwargs)
    clone.set_weights(layer.get_weights())
    if not call_kwargs.get("training"):
        np.testing.assert_allclose(np.asarray(clone(input_data)), np.asarray(layer(input_data)),
                                   rtol=1e-6, atol=1e-6)
    return layer


def _shapes(data):
    if isinstance(data, (list, tuple)):
        return [tuple(np.shape(item)) for item in data]
    return tuple(np.shape(data))


def _with_batch(shapes, batch):
    if isinstance(shapes, list):
        return [(batch,) + shape[1:] for shape in shapes]
    return (batch,) + shapes[1:]


def _symbolic_inputs(data):
    if isinstance(data, (list, tuple)):
        return [Input(np.shape(item)[1:], dtype=np.asarray(item).dtype.name) for item in data]
    return Input(np.shape(data)[1:], dtype=np.asarray(data).dtype.name)


def _check_training_step(layer, input_data, call_kwargs, learning_rate=0.05):
    target = random_batch(layer(input_data, **call_kwargs).shape, seed=1)

    def loss_value():
        return float(_mse(layer(input_data, **call_kwargs), target))

    before = loss_value()
    with GradientTape() as tape:
        loss = _mse(layer(input_data, **call_kwargs), target)
    gradients = tape.gradient(loss, layer.trainable_weights)
    assert all(gradient is not None for gradient in gradients)
    for weight, gradient in zip(layer.trainable_weights, gradients):
        weight.assign(weight.numpy() - learning_rate * np.asarray(gradient))
    assert loss_value() < before


def check_layer_gradients(layer, x, call_kwargs=None, eps=1e-6, rtol=1e-5, atol=1e-7, seed=0):
    """Tape gradients of ``<v, layer(x)>`` w.r.t. ``x`` and every trainable weight,
    against central differences along one random direction each (float64)."""
    call_kwargs = call_kwargs or {}
    rng = np.random.default_rng(seed)
    x = np.asarray(x, dtype="float64")
    layer(x, **call_kwargs)  # build
    state = [(variable, variable.data) for variable in layer.variables]

    def restore():
        for variable, data in state:
            if not variable.trainable:
                variable.data = data

    restore()
    cotangent = rng.standard_normal(np.shape(layer(x, **call_kwargs)))

    def objective(x_value):
        restore()
        return float(np.sum(np.asarray(layer(x_value, **call_kwargs), dtype="float64") * cotangent))

    # 1. The tape's answer.
    restore()
    x_variable = ops.convert_to_tensor(x)
    weights = layer.trainable_weights
    with GradientTape() as tape:
        tape.watch(x_variable)
        value = ops.sum(ops.multiply(layer(x_variable, **call_kwargs), cotangent))
    gradients = tape.gradient(value, [x_variable] + weights)
    # 2. Finite differences for the input, then for each weight.
    d = rng.standard_normal(x.shape)
    numeric = (objective(x + eps * d) - objective(x - eps * d)) / (2 * eps)
    _assert_close(float(np.sum(np.asarray(gradients[0]) * d)), numeric, "the input", rtol, atol)
    for weight, gradient in zip(weights, gradients[1:]):
        original = weight.data
        d = rng.standard_normal(original.shape)
        weight.data = original + eps * d
        plus = objective(x)
        weight.data = original - eps * d
        minus = objective(x)
        weight.data = original
        _assert_close(float(np.sum(np.asarray(gradient) * d)), (plus - minus) / (2 * eps),
                      f"weight {weight.path}", rtol, atol)


def _assert_close(tape_value, numeric_value, what, rtol, atol):
    if not np.isclose(tape_value, numeric_value, rtol=rtol, atol=atol):
        raise AssertionError(f"gradient of {what} along a random direction: tape {tape_value:.8g}, "
                             f"finite differences {numeric_value:.8g}")
