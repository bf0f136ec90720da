"""Recurrent layers against real Keras 3 (3.15.1): same weights, same outputs and states.

Every case builds the layer in both libraries, copies Keras's weights into
minikeras (``set_weights``, same order), and compares every output to 1e-5
in float32. The arguments cross return_sequences x return_state x
go_backwards x masks x merge modes x reset_after; initial states, stacked
and custom cells, five training steps, configs, ``.keras`` files both ways
and ``summary()`` follow. Skips when Keras is not installed.
"""

import json
import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")
keras = pytest.importorskip("keras")
pytest.importorskip("jax")

import minikeras  # noqa: E402
from minikeras import layers  # noqa: E402

pytestmark = pytest.mark.layers
RNG = np.random.default_rng(0)
N, T, D, UNITS = 3, 5, 4, 3
X = RNG.uniform(-1, 1, (N, T, D)).astype("float32")
# Row 0 fully real, row 1 padded at the end, row 2 padded at the start and in the middle.
MASK = np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [0, 1, 0, 1, 1]], dtype=bool)


def _outputs(value):
    return [np.asarray(v) for v in value] if isinstance(value, (list, tuple)) else [np.asarray(value)]


def _same_outputs(ours, theirs, atol=1e-5):
    ours, theirs = _outputs(ours), _outputs(theirs)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=atol)


def _pair(class_name, kwargs, call_kwargs=None, x=X):
    """(minikeras output, keras output) of the layer with Keras's weights in both."""
    call_kwargs = call_kwargs or {}
    theirs = getattr(keras.layers, class_name)(**kwargs)
    ours = getattr(layers, class_name)(**kwargs)
    expected = theirs(x, **call_kwargs)
    ours(x, **call_kwargs)
    ours.set_weights([np.asarray(w) for w in theirs.get_weights()])
    return ours(x, **call_kwargs), expected


FLAGS = [(s, r, b) for s in (False, True) for r in (False, True) for b in (False, True)]
CELLS = [("SimpleRNN", {}), ("LSTM", {}), ("GRU", {}), ("GRU", {"reset_after": False})]


@pytest.mark.parametrize("masked", [False, True], ids=["nomask", "mask"])
@pytest.mark.parametrize("flags", FLAGS, ids=lambda f: "seq%d-state%d-back%d" % f)
@pytest.mark.parametrize("cell", CELLS, ids=lambda c: c[0] + "".join(f"-{k}={v}" for k, v in c[1].items()))
def test_recurrent_layer_matches_keras(cell, flags, masked):
    class_name, extra = cell
    sequences, state, backwards = flags
    kwargs = dict(units=UNITS, return_sequences=sequences, return_state=state,
                  go_backwards=backwards, bias_initializer="glorot_uniform", **extra)
    call_kwargs = {"mask": MASK} if masked else {}
    _same_outputs(*_pair(class_name, kwargs, call_kwargs))


@pytest.mark.parametrize("class_name", ["SimpleRNN", "LSTM", "GRU"])
def test_initial_state_matches_keras(class_name):
    count = 2 if class_name == "LSTM" else 1
    states = [RNG.uniform(-1, 1, (N, UNITS)).astype("float32") for _ in range(count)]
    kwargs = dict(units=UNITS, return_sequences=True, return_state=True)
    _same_outputs(*_pair(class_name, kwargs, {"initial_state": states}))
    # A masked first step emits the initial state, as Keras does.
    _same_outputs(*_pair(class_name, kwargs, {"initial_state": states, "mask": MASK}))


# Every merge mode meets both a masked sequence output and an unmasked last output.
@pytest.mark.parametrize("sequences, masked", [(True, True), (False, False)], ids=["seq-mask", "last"])
@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
@pytest.mark.parametrize("inner", ["LSTM", "GRU"])
def test_bidirectional_matches_keras(inner, merge_mode, sequences, masked):
    def make(library):
        return library.layers.Bidirectional(
            getattr(library.layers, inner)(UNITS, return_sequences=sequences),
            merge_mode=merge_mode)
    theirs, ours = make(keras), make(minikeras)
    call_kwargs = {"mask": MASK} if masked else {}
    expected = theirs(X, **call_kwargs)
    ours(X, **call_kwargs)
    ours.set_weights([np.asarray(w) for w in theirs.get_weights()])
    _same_outputs(ours(X, **call_kwargs), expected)


def test_bidirectional_return_state_and_backward_layer_match_keras():
    def make(library):
        return library.layers.Bidirectional(
            library.layers.LSTM(UNITS, return_sequences=True, return_state=True),
            backward_layer=library.layers.GRU(2, return_sequences=True, return_state=True,
                                              go_backwards=True),
            merge_mode=None)
    theirs, ours = make(keras), make(minikeras)
    expected = theirs(X)
    ours(X)
    assert [w.path for w in ours.weights] == [w.path for w in theirs.weights]
    ours.set_weights([np.asarray(w) for w in theirs.get_weights()])
    _same_outputs(ours(X), expected)


@pytest.fixture(autouse=True)
def _same_automatic_names():
    """Layer names (dense_N, lstm_N) count the layers made earlier in the session, and the two
    libraries' earlier tests do not make the same number: start both counters from zero."""
    keras.backend.clear_session()
    minikeras.backend.clear_session()


def test_stacked_cells_and_time_distributed_match_keras():
    def stacked(library):
        cells = [library.layers.LSTMCell(4), library.layers.GRUCell(3), library.layers.SimpleRNNCell(2)]
        return library.layers.RNN(cells, return_sequences=True, return_state=True)
    # The Dense is named: an automatic name (dense_N) counts every Dense made earlier in the session,
    # and the two libraries' tests do not make the same number of them.
    for make in (stacked, lambda library: library.layers.TimeDistributed(library.layers.Dense(3, name="dense"))):
        theirs, ours = make(keras), make(minikeras)
        for call_kwargs in ({}, {"mask": MASK}):
            expected = theirs(X, **call_kwargs)
            ours(X, **call_kwargs)
            assert [w.path for w in ours.weights] == [w.path for w in theirs.weights]
            ours.set_weights([np.asarray(w) for w in theirs.get_weights()])
            _same_outputs(ours(X, **call_kwargs), expected)


def _minimal_cell(library):
    """Keras's guide example: a custom cell with one state, through keras.layers.RNN."""
    class MinimalRNNCell(library.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.state_size = units

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
            self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                    name="recurrent_kernel")

        def call(self, inputs, states):
            h = library.ops.matmul(inputs, self.kernel)
            output = h + library.ops.matmul(states[0], self.recurrent_kernel)
            return output, [output]
    return MinimalRNNCell


@pytest.mark.parametrize("masked", [False, True], ids=["nomask", "mask"])
def test_custom_cell_matches_keras(masked):
    theirs = keras.layers.RNN(_minimal_cell(keras)(3), return_sequences=True)
    ours = layers.RNN(_minimal_cell(minikeras)(3), return_sequences=True)
    call_kwargs = {"mask": MASK} if masked else {}
    expected = theirs(X, **call_kwargs)
    ours(X, **call_kwargs)
    ours.set_weights([np.asarray(w) for w in theirs.get_weights()])
    _same_outputs(ours(X, **call_kwargs), expected)


def test_masks_propagate_from_embedding_and_masking_like_keras():
    ids = np.array([[3, 1, 4, 0, 0], [5, 0, 2, 6, 0], [0, 0, 7, 1, 1]], dtype="int32")

    def embedding_model(library):
        L = library.layers
        inputs = library.Input((T,), dtype="int32")
        x = L.Embedding(8, 4, mask_zero=True)(inputs)
        x = L.Bidirectional(L.LSTM(3, return_sequences=True))(x)
        x = L.GRU(2)(x)
        return library.Model(inputs, L.Dense(1)(x))

    def masking_model(library):
        L = library.layers
        return library.Sequential([library.Input((T, D)), L.Masking(0.0),
                                   L.SimpleRNN(3, return_sequences=True), L.LSTM(2)])

    padded = X.copy()
    padded[1, 3:] = 0.0
    padded[2, 0] = 0.0
    for make, data in ((embedding_model, ids), (masking_model, padded)):
        theirs, ours = make(keras), make(minikeras)
        ours.set_weights([np.asarray(w) for w in theirs.get_weights()])
        _same_outputs(ours.predict(data, verbose=0), theirs.predict(data, verbose=0))


def _training_models(library):
    L = library.layers
    lstm_model = library.Sequential([library.Input((T, D)), L.LSTM(4, return_sequences=True),
                                     L.LSTM(3), L.Dense(2)])
    inputs = library.Input((T, D))
    x = L.Bidirectional(L.GRU(3, return_sequences=True), merge_mode="sum")(inputs)
    x = L.SimpleRNN(2)(x)
    bigru_model = library.Model(inputs, L.Dense(2)(x))
    return {"lstm": lstm_model, "bigru": bigru_model}


@pytest.mark.parametrize("name", ["lstm", "bigru"])
def test_five_training_steps_match_keras(name):
    theirs, ours = _training_models(keras)[name], _training_models(minikeras)[name]
    ours.set_weights([np.asarray(w) for w in theirs.get_weights()])
    y = RNG.uniform(-1, 1, (N, 2)).astype("float32")
    theirs.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    ours.compile(optimizer=minikeras.optimizers.Adam(0.01), loss="mse")
    theirs.fit(X, y, epochs=5, batch_size=N, shuffle=False, verbose=0)
    ours.fit(X, y, epochs=5, batch_size=N, shuffle=False, verbose=0)
    for mine, reference in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(mine, np.asarray(reference), rtol=1e-4, atol=1e-4)


def _json(config):
    return json.loads(json.dumps(config, default=list))


CONFIG_CASES = {
    "SimpleRNN": lambda L: L.SimpleRNN(3, return_sequences=True, dropout=0.2, seed=1),
    "LSTM": lambda L: L.LSTM(3, return_state=True, go_backwards=True, unit_forget_bias=False,
                             recurrent_dropout=0.1, seed=2),
    "GRU": lambda L: L.GRU(3, reset_after=False, stateful=False, kernel_regularizer="l2"),
    "RNN": lambda L: L.RNN([L.LSTMCell(3), L.GRUCell(2)], return_sequences=True),
    "Bidirectional": lambda L: L.Bidirectional(L.GRU(3, return_sequences=True), merge_mode="ave"),
    "TimeDistributed": lambda L: L.TimeDistributed(L.Dense(3)),
    "Masking": lambda L: L.Masking(mask_value=-1.0),
    "RepeatVector": lambda L: L.RepeatVector(4),
    "LSTMCell": lambda L: L.LSTMCell(3, dropout=0.5),
}


@pytest.mark.parametrize("name", sorted(CONFIG_CASES))
def test_configs_round_trip_with_keras(name):
    theirs, ours = CONFIG_CASES[name](keras.layers), CONFIG_CASES[name](layers)
    x = np.zeros((N, D), "float32") if name in ("RepeatVector", "LSTMCell") else X
    if name == "LSTMCell":
        theirs(x, [np.zeros((N, 3), "float32")] * 2)
        ours(x, [np.zeros((N, 3), "float32")] * 2)
    else:
        theirs(x)
        ours(x)
    assert _json(ours.get_config()) == _json(theirs.get_config())
    # Each library rebuilds the other's config.
    rebuilt = getattr(layers, name).from_config(theirs.get_config())
    assert _json(rebuilt.get_config()) == _json(theirs.get_config())
    again = getattr(keras.layers, name).from_config(_json(ours.get_config()))
    assert _json(again.get_config()) == _json(ours.get_config())


def _lstm_model(library):
    L = library.layers
    return library.Sequential([library.Input((T,), dtype="int32"), L.Embedding(10, 4, mask_zero=True),
                               L.LSTM(5, return_sequences=True), L.LSTM(3), L.Dense(2)],
                              name="lstm_model")


def _bidirectional_gru_model(library):
    L = library.layers
    inputs = library.Input((T, D))
    x = L.Bidirectional(L.GRU(3, return_sequences=True))(inputs)
    x = L.TimeDistributed(L.Dense(2))(x)
    return library.Model(inputs, L.Bidirectional(L.GRU(2), merge_mode="sum")(x), name="bigru")


FILE_CASES = {
    "lstm": (_lstm_model, lambda: RNG.integers(0, 10, (N, T)).astype("int32")),
    "bidirectional_gru": (_bidirectional_gru_model, lambda: X),
}


def _train_a_little(model, library, x):
    y = np.zeros_like(np.asarray(model.predict(x, verbose=0)))
    model.compile(optimizer=library.optimizers.Adam(1e-2), loss="mse")
    model.fit(x, y, epochs=1, verbose=0)


@pytest.mark.parametrize("case", sorted(FILE_CASES))
def test_keras_file_loads_in_minikeras(case, tmp_path):
    build, make_input = FILE_CASES[case]
    x = make_input()
    model = build(keras)
    _train_a_little(model, keras, x)
    model.save(tmp_path / "k.keras")
    loaded = minikeras.saving.load_model(tmp_path / "k.keras")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), np.asarray(model.predict(x, verbose=0)),
                               atol=1e-5)


@pytest.mark.parametrize("case", sorted(FILE_CASES))
def test_minikeras_file_loads_in_keras(case, tmp_path):
    build, make_input = FILE_CASES[case]
    x = make_input()
    model = build(minikeras)
    _train_a_little(model, minikeras, x)
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(np.asarray(loaded.predict(x, verbose=0)), model.predict(x, verbose=0),
                               atol=1e-5)


def _summary(model):
    lines = []
    model.summary(print_fn=lines.append, line_length=100)
    return lines[0]


@pytest.mark.parametrize("case", sorted(FILE_CASES))
def test_summary_matches_keras(case, monkeypatch):
    monkeypatch.setitem(os.environ, "COLUMNS", "200")
    build = FILE_CASES[case][0]
    ours, theirs = build(minikeras), build(keras)
    assert _summary(ours) == _summary(theirs)
    assert ours.count_params() == theirs.count_params()
