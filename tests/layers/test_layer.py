"""The Layer contract: lazy build, weights and their order, tracking, the
training flag, names, get/set_weights, losses, configs, input checks."""

import numpy
import pytest

import minikeras
from minikeras import random
from minikeras.autodiff import GradientTape
from minikeras.autodiff import Variable
from minikeras.autodiff import matmul
from minikeras.backend import context
from minikeras.layers import Input
from minikeras.layers import InputSpec
from minikeras.layers import Layer


class TinyDense(Layer):
    """y = x @ kernel + bias, with an InputSpec like Keras's Dense."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.input_spec = InputSpec(min_ndim=2)

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_shape[-1]})

    def call(self, inputs):
        return matmul.matmul(inputs, self.kernel) + self.bias

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


class FlagRecorder(Layer):
    """Records the training flag it receives (a Dropout stand-in)."""

    def call(self, inputs, training=None):
        self.seen = training
        return inputs


class Wrapper(Layer):
    """A call without `training`: the flag must still reach the inner layer."""

    def __init__(self):
        super().__init__()
        self.inner = FlagRecorder()

    def call(self, inputs):
        return self.inner(inputs)


class WithStats(Layer):
    """Own trainable and non-trainable weights plus sublayers in a list and a dict."""

    def __init__(self):
        super().__init__()
        self.blocks = [TinyDense(2, name="b0")]
        self.heads = {"h": TinyDense(1, name="h0")}
        self.seed_generator = random.SeedGenerator(1)

    def build(self, input_shape):
        self.moving = self.add_weight(shape=(3,), initializer="zeros", trainable=False, name="moving")
        self.scale = self.add_weight(shape=(3,), initializer="ones", name="scale")

    def call(self, inputs):
        return self.heads["h"](self.blocks[0](inputs * self.scale))


@pytest.fixture(autouse=True)
def fresh_names():
    minikeras.utils.clear_session()


def test_build_is_lazy_and_happens_once():
    layer = TinyDense(3)
    assert not layer.built and layer.weights == []
    output = layer(numpy.ones((2, 4), dtype="float32"))
    assert layer.built and output.shape == (2, 3)
    kernel = layer.kernel
    layer(numpy.ones((5, 4), dtype="float32"))
    assert layer.kernel is kernel
    assert layer.get_build_config() == {"input_shape": (2, 4)}


def test_add_weight_defaults_and_paths():
    layer = TinyDense(3, name="proj")
    layer(numpy.ones((1, 4)))
    assert [weight.path for weight in layer.weights] == ["proj/kernel", "proj/bias"]
    assert layer.kernel.dtype == "float32" and layer.kernel.trainable
    numpy.testing.assert_array_equal(layer.bias.numpy(), numpy.zeros(3))
    # glorot_uniform bound: sqrt(6 / (fan_in + fan_out)).
    assert numpy.abs(layer.kernel.numpy()).max() <= numpy.sqrt(6 / 7)


def test_numpy_floats_become_layer_dtype_tensors():
    layer = TinyDense(2)
    output = layer(numpy.ones((1, 3), dtype="float64"))
    assert output.dtype == "float32"


def test_weight_order_own_trainable_then_non_trainable_then_sublayers():
    layer = WithStats()
    layer(numpy.ones((2, 3), dtype="float32"))
    names = [weight.path for weight in layer.weights]
    assert names == ["with_stats/scale", "with_stats/moving", "b0/kernel", "b0/bias",
                     "h0/kernel", "h0/bias"]
    assert [w.path for w in layer.non_trainable_weights] == ["with_stats/moving"]
    assert len(layer.trainable_weights) == 5
    # The SeedGenerator's state is a variable, not a weight.
    assert len(layer.variables) == 7
    assert any(variable is layer.seed_generator.state for variable in layer.variables)
    assert layer.count_params() == 3 + 3 + (3 * 2 + 2) + (2 * 1 + 1)


def test_lists_appended_after_assignment_are_tracked():
    layer = Layer()
    layer.stack = []
    layer.stack.append(TinyDense(2))
    layer.stack[0](numpy.ones((1, 2)))
    assert len(layer.weights) == 2


def test_freezing_a_parent_freezes_nested_weights_and_keeps_order():
    layer = WithStats()
    layer(numpy.ones((2, 3), dtype="float32"))
    order = [weight.path for weight in layer.weights]
    layer.trainable = False
    assert layer.trainable_weights == [] and not layer.blocks[0].trainable
    assert [weight.path for weight in layer.weights] == order
    layer.blocks[0].trainable = True
    assert [w.path for w in layer.blocks[0].trainable_weights] == ["b0/kernel", "b0/bias"]


def test_training_flag_reaches_a_layer_under_a_call_without_training():
    wrapper = Wrapper()
    wrapper(numpy.ones((1, 2)), training=True)
    assert wrapper.inner.seen is True
    wrapper(numpy.ones((1, 2)))
    assert wrapper.inner.seen is False  # the default outside any call
    with context.training_scope(True):
        wrapper(numpy.ones((1, 2)))
    assert wrapper.inner.seen is True
    assert context.in_training() is None  # the scope is closed again


def test_names_are_counted_per_class_and_reset_by_clear_session():
    assert [TinyDense(1).name, TinyDense(1).name, WithStats().name] == \
        ["tiny_dense", "tiny_dense_1", "with_stats"]
    minikeras.utils.clear_session()
    assert TinyDense(1).name == "tiny_dense"


def test_set_weights_checks_count_and_shapes():
    layer = TinyDense(3)
    layer(numpy.ones((1, 4)))
    with pytest.raises(ValueError, match="with a weight list of length 1, but the layer was expecting 2"):
        layer.set_weights([numpy.zeros((4, 3))])
    with pytest.raises(ValueError, match=r"weight shape \(4, 3\) is not compatible with provided weight shape \(4, 2\)"):
        layer.set_weights([numpy.zeros((4, 2)), numpy.zeros(3)])
    values = [numpy.full((4, 3), 0.5, "float32"), numpy.arange(3, dtype="float32")]
    layer.set_weights(values)
    for got, expected in zip(layer.get_weights(), values):
        numpy.testing.assert_array_equal(got, expected)


def test_unknown_keyword_and_legacy_input_shape():
    with pytest.raises(ValueError, match="Unrecognized keyword arguments passed to TinyDense"):
        TinyDense(2, foo=1)
    with pytest.warns(UserWarning, match="Do not pass an `input_shape`"):
        layer = TinyDense(2, input_shape=(5,))
    assert layer._input_shape_arg == (5,)


def test_wrong_last_dimension_and_rank_raise_named_errors():
    layer = TinyDense(2)
    layer(numpy.ones((3, 4)))
    with pytest.raises(ValueError, match=r"layer 'tiny_dense'.*expected axis -1 of input shape to have value 4, but received input with shape \(3, 5\)"):
        layer(numpy.ones((3, 5)))
    with pytest.raises(ValueError, match=r"expected min_ndim=2, found ndim=1. Full shape received: \(4,\)"):
        TinyDense(2)(numpy.ones(4))


def test_losses_from_add_loss_and_regularizers_are_differentiable():
    class Penalised(Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(2,), initializer="ones", regularizer="l2", name="w")

        def call(self, inputs):
            self.add_loss(inputs[0, 0] * 0.0 + 1.0)
            return inputs * self.w

    layer = Penalised()
    with GradientTape() as tape:
        layer(numpy.ones((1, 2), dtype="float32"))
        losses = layer.losses
        total = losses[0] + losses[1]
    assert len(losses) == 2
    numpy.testing.assert_allclose(float(losses[1]), 0.01 * 2, rtol=1e-6)  # l2 default 0.01
    numpy.testing.assert_allclose(tape.gradient(total, layer.w).numpy(), [0.02, 0.02], rtol=1e-6)
    layer(numpy.ones((1, 2), dtype="float32"))
    assert len(layer.losses) == 2  # add_loss losses are reset by each outer call


def test_config_round_trip_and_dtype_policy():
    layer = TinyDense(4, name="head", trainable=False)
    config = layer.get_config()
    assert config == {"name": "head", "trainable": False,
                      "dtype": {"module": "keras", "class_name": "DTypePolicy",
                                "config": {"name": "float32"}, "registered_name": None},
                      "units": 4}
    clone = TinyDense.from_config(config)
    assert clone.name == "head" and clone.units == 4 and not clone.trainable and clone.dtype == "float32"


def test_symbolic_call_records_a_node_and_infers_shapes():
    inputs = Input(shape=(6,))
    layer = TinyDense(3)
    outputs = layer(inputs)
    assert outputs.shape == (None, 3) and layer.built
    assert layer._inbound_nodes[0].input_tensors == [inputs]
    assert outputs._keras_history == (layer, 0, 0)


def test_shape_inference_by_trial_call_has_no_side_effects():
    class NoisyLayer(Layer):  # no compute_output_shape: inferred by trial calls
        def __init__(self):
            super().__init__()
            self.seed_generator = random.SeedGenerator(7)

        def call(self, inputs):
            return random.dropout(inputs, 0.5, seed=self.seed_generator)[:, :2]

    layer = NoisyLayer()
    state = layer.seed_generator.state.numpy().copy()
    outputs = layer(Input(shape=(None, 3)))
    assert outputs.shape == (None, 2, 3)
    numpy.testing.assert_array_equal(layer.seed_generator.state.numpy(), state)


def test_shape_inference_tries_smaller_sizes_when_the_first_trial_fails():
    class PositionalEmbedding(Layer):  # 6 positions: the first trial's 8 tokens are out of range
        def __init__(self):
            super().__init__()
            self.positions = minikeras.layers.Embedding(6, 4)

        def call(self, inputs):
            return self.positions(minikeras.ops.arange(minikeras.ops.shape(inputs)[-1]))[None] + 0 * inputs[..., None]

    assert PositionalEmbedding()(Input(shape=(None,))).shape == (None, None, 4)

    class AlwaysFails(Layer):
        def call(self, inputs):
            raise RuntimeError("broken layer")

    with pytest.raises(RuntimeError, match="broken layer") as error:
        AlwaysFails()(Input(shape=(None,)))
    assert any("inferred the output shape" in note for note in error.value.__notes__)


def test_masks_flow_to_layers_that_accept_them():
    class Masker(Layer):
        def __init__(self):
            super().__init__()
            self.supports_masking = True

        def compute_mask(self, inputs, previous_mask=None):
            return inputs.numpy() != 0

    class MaskReader(Layer):
        def call(self, inputs, mask=None):
            self.mask = mask
            return inputs

    reader = MaskReader()
    reader(Masker()(numpy.array([[1.0, 0.0]])))
    numpy.testing.assert_array_equal(reader.mask, [[True, False]])


def test_variables_assigned_before_super_init_raise():
    class Broken(Layer):
        def __init__(self):
            self.v = Variable(numpy.zeros(2))
            super().__init__()

    with pytest.raises(RuntimeError, match="forgot to call `super"):
        Broken()


@pytest.mark.parametrize("strings", [numpy.array([["a", "b"]]), numpy.array([[b"a", b"b"]]),
                                     numpy.array([["a", "b"]], dtype=object)])
def test_strings_given_to_a_numeric_model_name_the_layer_and_the_dtype(strings):
    # Before: numpy's UFuncTypeError from inside matmul.py, naming no layer.
    model = minikeras.Sequential([Input((2,)), minikeras.layers.Dense(1, name="scores")])
    model.compile(optimizer="sgd", loss="mse")
    expected = rf"Layer 'scores' \(Dense\) computes with numbers, but it received an array of strings: dtype {strings.dtype}, shape \(1, 2\)"
    with pytest.raises(ValueError, match=expected):
        model.predict(strings, verbose=0)
    with pytest.raises(ValueError, match=expected):
        model.fit(strings, numpy.ones((1, 1)), verbose=0)


def test_strings_still_reach_text_vectorization_and_custom_layers():
    vectorize = minikeras.layers.TextVectorization(vocabulary=["cat", "dog"], output_mode="multi_hot")
    model = minikeras.Sequential([Input((1,), dtype="string"), vectorize,
                                  minikeras.layers.Dense(1, kernel_initializer="ones", use_bias=False)])
    numpy.testing.assert_allclose(model.predict(numpy.array([["cat dog"], ["bird"]]), verbose=0),
                                  [[2.0], [1.0]])

    class Length(Layer):  # a layer of your own may take strings: it is not checked
        def call(self, inputs):
            return minikeras.ops.convert_to_tensor([[float(len(text))] for text in inputs.ravel()])

    assert Length()(numpy.array(["abc", "hello"])).numpy().ravel().tolist() == [3.0, 5.0]


@pytest.mark.parametrize("arguments, argument, why", [
    ({"shape": (-1,)}, "shape", "Negative dimensions are not allowed"),
    ({"shape": (4, -2)}, "shape", "Negative dimensions are not allowed"),
    ({"shape": (2,), "batch_size": -1}, "batch_size", "Negative dimensions are not allowed"),
    ({"batch_shape": (None, -3)}, "batch_shape", "Negative dimensions are not allowed"),
    ({"shape": (2.5,)}, "shape", "Found invalid dimension '2.5' of type '<class 'float'>'"),
    ({"shape": ("a",)}, "shape", "Found invalid dimension 'a'"),
    ({"shape": 2.5}, "shape", "cannot convert '2.5' to a shape"),
])
def test_input_refuses_negative_and_non_integer_dimensions(arguments, argument, why):
    # Before: Input(shape=(-1,)) returned a KerasTensor of shape (None, -1).
    with pytest.raises(ValueError, match=rf"Invalid `{argument}` argument of `Input`.*{why}"):
        Input(**arguments)


def test_input_accepts_none_zero_and_numpy_integers():
    assert Input(shape=(None, 0, numpy.int64(3))).shape == (None, None, 0, 3)
    assert Input(shape=4, batch_size=2).shape == (2, 4)


# ----- the layer tree, walked once per step (layer_tree_fixed) -----
def _count_walks(monkeypatch):
    """Counts the full attribute walks of ``Layer._find_sublayers``."""
    calls = []
    original = Layer._find_sublayers
    monkeypatch.setattr(Layer, "_find_sublayers", lambda self: calls.append(self) or original(self))
    return calls


def test_a_training_step_walks_each_layer_once(monkeypatch):
    model = minikeras.Sequential([Input((4,)), minikeras.layers.Dense(3), minikeras.layers.Dense(2)])
    model.compile(loss="mse", optimizer="adam")
    x, y = numpy.ones((5, 4), "float32"), numpy.zeros((5, 2), "float32")
    model.train_on_batch(x, y)  # builds
    walks = _count_walks(monkeypatch)
    model.train_on_batch(x, y)
    assert len(walks) == len(model._flatten_layers()) == len({id(layer) for layer in walks})
    walks.clear()
    model.trainable_variables  # outside a step: every walk looks again
    model.trainable_variables
    assert len(walks) == 2 * len(model._flatten_layers())


def test_a_layer_added_inside_the_block_is_found():
    from minikeras.layers.layer_utils import layer_tree_fixed

    class Holder(Layer):
        def __init__(self):
            super().__init__()
            self.blocks = []

    holder = Holder()
    with layer_tree_fixed():
        assert holder._sublayers() == []
        holder.blocks.append(minikeras.layers.Dense(2))  # creating a layer forgets what was found
        assert len(holder._sublayers()) == 1
        holder.extra = minikeras.layers.Dense(3)  # so does assigning one
        assert len(holder._sublayers()) == 2
        holder.extra.build((None, 4))
        assert len(holder.trainable_weights) == 2  # weights are read live, not remembered
