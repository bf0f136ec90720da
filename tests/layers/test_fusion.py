"""A Conv2D and the MaxPooling2D(2) after it, as one kernel (``minikeras/layers/fusion.py``).

The fused path must give the very numbers of the two layers, their gradients
to the bit in training, and run only when nothing else could tell the
difference.
"""

import numpy as np
import pytest

import minikeras as keras
import minikeras.models.sequential as sequential_module
from minikeras.autodiff import GradientTape
from minikeras.layers import fusion

layers = keras.layers


def _model(conv=None, pool=None, size=11, channels=16):
    keras.utils.set_random_seed(3)
    return keras.Sequential([
        keras.Input((size, size, channels)),
        conv or layers.Conv2D(16, 3, activation="relu"),
        pool or layers.MaxPooling2D(2),
        layers.GlobalAveragePooling2D(),
        layers.Dense(3),
    ])


def _images(size=11, channels=16, seed=0):
    return np.random.default_rng(seed).standard_normal((5, size, size, channels)).astype("float32")


def _fused_calls(monkeypatch, module=sequential_module):
    """Records, for each pair ``module``'s ``conv_then_max_pool`` is offered, whether it ran fused."""
    taken = []
    original = fusion.conv_then_max_pool

    def spy(*args):
        outputs = original(*args)
        taken.append(outputs is not None)
        return outputs

    monkeypatch.setattr(module, "conv_then_max_pool", spy)
    return taken


def _without_fusion(model, x, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(sequential_module, "conv_then_max_pool", lambda *args: None)
        return model.predict_on_batch(x)


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("activation", ["relu", None])
@pytest.mark.parametrize("size", [11, 12])  # an odd convolution output drops its last row and column
def test_predict_is_fused_and_bit_identical(monkeypatch, padding, activation, size):
    model = _model(layers.Conv2D(16, 3, padding=padding, activation=activation), size=size)
    x = _images(size)
    expected = _without_fusion(model, x, monkeypatch)
    taken = _fused_calls(monkeypatch)
    np.testing.assert_array_equal(model.predict_on_batch(x), expected)
    assert taken[0] is True
    np.testing.assert_array_equal(model.predict(x, verbose=0), expected)  # predict's loop too


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("activation", ["relu", None])
@pytest.mark.parametrize("size", [11, 12])
def test_training_is_fused_and_bit_identical(monkeypatch, padding, activation, size):
    """Three Adam steps: the same weights to the bit, fused (one op, ConvMaxPool) or as two layers."""
    x, labels = _images(size), np.arange(5) % 3

    def trained(fused):
        model = _model(layers.Conv2D(16, 3, padding=padding, activation=activation), size=size)
        model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        with monkeypatch.context() as patch:
            if fused:
                taken = _fused_calls(patch)
            else:
                taken = []
                patch.setattr(sequential_module, "conv_then_max_pool", lambda *args: None)
            losses = [model.train_on_batch(x, labels) for _ in range(3)]
        return [np.asarray(variable) for variable in model.weights], losses, taken

    expected, expected_losses, _ = trained(fused=False)
    actual, losses, taken = trained(fused=True)
    assert taken.count(True) == 3  # the pair, fused once a step (the later layers are offered too, and refused)
    assert losses == expected_losses
    for variable, reference in zip(actual, expected):
        np.testing.assert_array_equal(variable, reference)


def test_a_recording_tape_gets_the_gradients_of_the_two_layers(monkeypatch):
    model = _model()
    x = _images()

    def gradients():
        with GradientTape() as tape:
            loss = keras.ops.sum(model(x))
        return tape.gradient(loss, model.trainable_variables)

    with monkeypatch.context() as patch:
        patch.setattr(sequential_module, "conv_then_max_pool", lambda *args: None)
        expected = gradients()
    taken = _fused_calls(monkeypatch)
    for gradient, reference in zip(gradients(), expected):
        np.testing.assert_array_equal(np.asarray(gradient), np.asarray(reference))
    assert taken[0] is True and taken.count(True) == 1


@pytest.mark.parametrize("conv, pool", [
    (layers.Conv2D(16, 3, activation="sigmoid"), None),  # an activation the kernel does not apply
    (layers.Conv2D(16, 3, strides=2, activation="relu"), None),
    (layers.Conv2D(16, 3, dilation_rate=2, activation="relu"), None),
    (None, layers.MaxPooling2D(3)),
    (None, layers.MaxPooling2D(2, strides=1)),
    (None, layers.MaxPooling2D(2, padding="same")),
    (layers.Conv2D(16, 3, activation="relu", activity_regularizer="l2"), None),
    (type("MyConv", (layers.Conv2D,), {})(16, 3, activation="relu"), None),  # a subclass may override call
    (None, layers.AveragePooling2D(2)),
])
def test_pairs_that_do_not_qualify_run_as_two_layers(monkeypatch, conv, pool):
    model = _model(conv, pool)
    x = _images()
    taken = _fused_calls(monkeypatch)
    model.predict_on_batch(x)
    assert not any(taken)


def test_channels_first_and_thin_inputs_run_as_two_layers(monkeypatch):
    taken = _fused_calls(monkeypatch)
    model = keras.Sequential([keras.Input((8, 9, 9)), layers.Conv2D(16, 3, data_format="channels_first"),
                              layers.MaxPooling2D(2, data_format="channels_first")])
    model.predict_on_batch(np.ones((2, 8, 9, 9), "float32"))
    model = _model(channels=1)  # one input channel: im2col, which has no fused kernel
    model.predict_on_batch(_images(channels=1))
    assert not any(taken)


def test_the_fused_layers_count_as_called():
    model = _model()
    model.predict_on_batch(_images())
    assert model.layers[0]._called and model.layers[1]._called


def test_a_wrong_input_still_gets_the_layers_error():
    model = _model()
    model.predict_on_batch(_images())
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 16"):
        fusion.conv_then_max_pool(model.layers[0], model.layers[1], keras.ops.ones((2, 11, 11, 4)))


# ----- functional models: the pair is fused when the pooling is the convolution's only reader -----
def _functional(extra_reader=False, conv_is_output=False):
    keras.utils.set_random_seed(4)
    inputs = keras.Input((11, 11, 16))
    features = layers.Conv2D(16, 3, activation="relu")(inputs)
    pooled = layers.MaxPooling2D(2)(features)
    outputs = [layers.GlobalAveragePooling2D()(pooled)]
    if extra_reader:
        outputs.append(layers.GlobalMaxPooling2D()(features))
    if conv_is_output:
        outputs.append(features)
    return keras.Model(inputs, outputs if len(outputs) > 1 else outputs[0])


def _functional_calls(monkeypatch):
    import minikeras.models.functional_graph as graph_module

    return _fused_calls(monkeypatch, graph_module)


@pytest.mark.parametrize("extra_reader, conv_is_output, fused", [
    (False, False, True), (True, False, False), (False, True, False)])
def test_functional_models_fuse_only_a_pooling_that_is_the_only_reader(monkeypatch, extra_reader, conv_is_output,
                                                                      fused):
    import minikeras.models.functional_graph as graph_module

    model = _functional(extra_reader, conv_is_output)
    x = _images()
    with monkeypatch.context() as patch:
        patch.setattr(graph_module, "conv_then_max_pool", lambda *args: None)
        expected = model.predict_on_batch(x)
    taken = _functional_calls(monkeypatch)
    for got, want in zip(*(value if isinstance(value, list) else [value] for value in
                           (model.predict_on_batch(x), expected))):
        np.testing.assert_array_equal(got, want)
    assert taken == ([True] if fused else [])
