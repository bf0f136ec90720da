"""ConvLSTM1D/2D/3D against Keras 3.15.1 (tiny shapes: batch 2, 3 steps, 5x5 images, 2 filters).

Same weights -> same outputs (float32, 1e-5) across strides, padding,
dilation, data formats, go_backwards, return_sequences/return_state,
initial states and stateful calls; weight names, shapes and order; configs
equal and rebuilt by either library; ``summary()``; a ``.keras`` file of a
ConvLSTM2D model loads both ways; backpropagation through time gives Keras's
gradients (so one SGD step gives Keras's weights; a compiled Keras train step
would take longer than this file's budget).

Masks: Keras 3.15.1 on the JAX backend fails on a ConvLSTM mask (it
broadcasts an ``(N, 1)`` mask against ``(N, H, W, F)`` states); on its
TensorFlow backend a masked step keeps the states and repeats the previous
output. So a masked sequence is compared with Keras run on the kept steps
only, which is what that rule means.

Keras's layers run with ``unroll=True`` (a Python loop of the same ops): its
default ``jax.lax.scan`` compiles again at every call (0.5 s each), which
would take this file far over its time budget. Skips when Keras is not installed.
"""

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")
keras = pytest.importorskip("keras")

import minikeras  # noqa: E402
from tests.conformance.test_summary_keras import summary_text  # noqa: E402

pytestmark = pytest.mark.layers
RNG = np.random.default_rng(18)
SHAPES = {1: (2, 3, 5, 1), 2: (2, 3, 5, 5, 1), 3: (2, 3, 3, 3, 3, 1)}

# (rank, constructor kwargs)
CASES = [
    (2, {"return_sequences": True, "return_state": True}),
    (1, {"padding": "same", "strides": 2, "go_backwards": True}),
    (3, {"kernel_size": 2, "dilation_rate": 2, "padding": "same", "data_format": "channels_first",
         "use_bias": False, "return_sequences": True, "activation": "relu", "unit_forget_bias": False}),
]


def _input(rank, data_format="channels_last"):
    shape = SHAPES[rank]
    if data_format == "channels_first":
        shape = shape[:2] + shape[-1:] + shape[2:-1]
    return RNG.normal(size=shape).astype("float32")


def _pair(rank, x, **kwargs):
    """The same ConvLSTM in both libraries, built on ``x``, with the same random weights."""
    kwargs = {"kernel_size": 3, "unroll": True, **kwargs}
    ours = getattr(minikeras.layers, f"ConvLSTM{rank}D")(2, name="conv_lstm", **kwargs)
    theirs = getattr(keras.layers, f"ConvLSTM{rank}D")(2, name="conv_lstm", **kwargs)
    ours.build(x.shape)
    theirs.build(x.shape)
    assert [(w.path, tuple(w.shape)) for w in ours.weights] == [(w.path, tuple(w.shape)) for w in theirs.weights]
    weights = [0.5 * RNG.normal(size=w.shape).astype("float32") for w in theirs.weights]
    ours.set_weights(weights)
    theirs.set_weights(weights)
    return ours, theirs


def _assert_same(got, expected):
    got = got if isinstance(got, (list, tuple)) else [got]
    expected = expected if isinstance(expected, (list, tuple)) else [expected]
    assert len(got) == len(expected)
    for mine, reference in zip(got, expected):
        np.testing.assert_allclose(np.asarray(mine), np.asarray(reference), rtol=1e-5, atol=1e-5)


def _shapes(shape):
    """One shape or a list of shapes (return_state), as a list of tuples."""
    return [tuple(s) for s in shape] if isinstance(shape[0], (list, tuple)) else [tuple(shape)]


@pytest.mark.parametrize("rank, kwargs", CASES, ids=[str(i) for i in range(len(CASES))])
def test_same_weights_same_outputs_shapes_and_configs(rank, kwargs):
    x = _input(rank, kwargs.get("data_format", "channels_last"))
    ours, theirs = _pair(rank, x, **kwargs)
    _assert_same(ours(x), theirs(x))
    symbolic = (None,) + x.shape[1:]
    assert _shapes(ours.compute_output_shape(symbolic)) == _shapes(theirs.compute_output_shape(symbolic))
    config = ours.get_config()
    assert config == theirs.get_config()
    assert list(config) == list(theirs.get_config())
    assert type(ours).from_config(config).get_config() == config
    assert type(theirs).from_config(config).get_config() == config


def test_initial_state_and_stateful_calls():
    x = _input(2)
    ours, theirs = _pair(2, x, return_state=True)
    initial_state = [RNG.normal(size=(2, 3, 3, 2)).astype("float32") for _ in range(2)]
    _assert_same(ours(x, initial_state=initial_state), theirs(x, initial_state=initial_state))
    ours, theirs = _pair(2, x, stateful=True)
    for _ in range(2):  # the second call starts from the first one's final states
        _assert_same(ours(x), theirs(x))
    ours.reset_state()
    np.testing.assert_array_equal(ours.states[0].numpy(), 0.0)


def test_masked_steps_keep_the_states_as_keras_tensorflow_backend_does():
    x = _input(2)
    ours, theirs = _pair(2, x, return_sequences=True)
    mask = np.array([[True, True, False], [True, False, True]])
    got = ours(x, mask=mask).numpy()
    kept = [np.flatnonzero(row) for row in mask]  # steps 0, 1 of the first sequence; 0, 2 of the second
    expected = np.asarray(theirs(np.stack([x[sample, steps] for sample, steps in enumerate(kept)])))
    for sample, steps in enumerate(kept):  # Keras on the kept steps only
        np.testing.assert_allclose(got[sample, steps], expected[sample], rtol=1e-5, atol=1e-5)
    # A masked step repeats the previous output.
    np.testing.assert_array_equal(got[0, 2], got[0, 1])
    np.testing.assert_array_equal(got[1, 1], got[1, 0])


def test_backpropagation_through_time_gives_kerass_gradients():
    # Equal gradients: one SGD step moves both layers' weights alike. Keras's by
    # jax.grad over stateless_call (cheap; a compiled train step is not).
    if keras.backend.backend() != "jax":
        pytest.skip("Keras's gradients are taken with jax.grad")
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    x = _input(2)
    ours, theirs = _pair(2, x, return_sequences=True)
    cotangent = RNG.normal(size=(2, 3, 3, 3, 2)).astype("float32")
    non_trainable = [variable.value for variable in theirs.non_trainable_variables]

    def objective(trainable):
        outputs, _ = theirs.stateless_call(trainable, non_trainable, x)
        return jnp.sum(outputs * cotangent)

    expected = jax.grad(objective)([variable.value for variable in theirs.trainable_variables])
    with minikeras.GradientTape() as tape:
        value = minikeras.ops.sum(ours(x) * cotangent)
    got = tape.gradient(value, ours.trainable_weights)
    for mine, reference in zip(got, expected):
        np.testing.assert_allclose(np.asarray(mine), np.asarray(reference), rtol=1e-5, atol=1e-5)


def _model(library):
    L = library.layers
    frames = library.Input((3, 5, 5, 1), name="frames")
    x = L.ConvLSTM2D(2, 3, unroll=True, name="conv_lstm")(frames)
    outputs = L.Dense(1, name="score")(L.GlobalAveragePooling2D(name="pool")(x))
    return library.Model(frames, outputs, name="video")


def test_summary_and_keras_file_both_ways(tmp_path, monkeypatch):
    monkeypatch.setitem(os.environ, "COLUMNS", "200")  # no cropping by rich
    x = _input(2)
    theirs, ours = _model(keras), _model(minikeras)
    assert summary_text(ours, line_length=100) == summary_text(theirs, line_length=100)
    weights = [0.5 * RNG.normal(size=w.shape).astype("float32") for w in theirs.weights]
    theirs.set_weights(weights)
    ours.set_weights(weights)
    expected = np.asarray(theirs(x))  # eager calls: Keras's predict would compile for seconds
    np.testing.assert_allclose(ours(x).numpy(), expected, rtol=1e-5, atol=1e-5)
    theirs.save(tmp_path / "keras.keras")
    loaded = minikeras.saving.load_model(tmp_path / "keras.keras")
    np.testing.assert_allclose(loaded(x).numpy(), expected, rtol=1e-5, atol=1e-5)
    loaded.save(tmp_path / "minikeras.keras")
    back = keras.saving.load_model(tmp_path / "minikeras.keras")
    np.testing.assert_allclose(np.asarray(back(x)), expected, rtol=1e-5, atol=1e-5)
    assert back.get_layer("conv_lstm").get_config() == theirs.get_layer("conv_lstm").get_config()


@pytest.mark.parametrize("library", [minikeras, keras], ids=["minikeras", "keras"])
def test_bad_arguments_are_refused_by_both(library):
    with pytest.raises(ValueError, match="dilation_rate"):
        library.layers.ConvLSTM2D(2, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match="5.*\\(2, 5, 5, 1\\)"):  # a 4-D input: the ndim and the shape
        library.layers.ConvLSTM2D(2, 3, name="conv_lstm")(np.zeros((2, 5, 5, 1), "float32"))
