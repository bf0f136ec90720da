"""Interactive-logging switches and get_source_inputs."""

import io
import logging

import numpy as np
import pytest

import minikeras as keras
from minikeras.utils import Progbar
from minikeras.utils import get_source_inputs


@pytest.fixture
def logging_off():
    keras.utils.disable_interactive_logging()
    yield
    keras.utils.enable_interactive_logging()


def test_switches_are_shared_by_utils_and_config(logging_off):
    assert not keras.config.is_interactive_logging_enabled()
    keras.config.enable_interactive_logging()
    assert keras.utils.is_interactive_logging_enabled()


def test_progbar_logs_its_final_line_when_logging_is_off(logging_off, caplog, capsys):
    with caplog.at_level(logging.INFO, logger="minikeras"):
        bar = Progbar(2, verbose=1)
        bar.update(1, [("loss", 0.5)])
        bar.update(2, [("loss", 0.25)])
    assert capsys.readouterr().out == ""
    records = [record.getMessage() for record in caplog.records if record.name == "minikeras"]
    assert len(records) == 1 and records[0].startswith("2/2") and "loss: " in records[0]


def test_progbar_with_its_own_stream_ignores_the_switch(logging_off):
    stream = io.StringIO()
    bar = Progbar(1, verbose=2, stream=stream)
    bar.update(1, [("loss", 1.0)])
    assert "loss: 1.0000" in stream.getvalue()


def test_fit_prints_nothing_with_logging_off(logging_off, capsys):
    model = keras.Sequential([keras.layers.Input((2,)), keras.layers.Dense(1)])
    model.compile(loss="mse", optimizer="sgd")
    model.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=1, verbose=1)
    assert capsys.readouterr().out == ""


def test_get_source_inputs_walks_back_to_the_inputs():
    a, b = keras.Input((3,)), keras.Input((3,))
    hidden = keras.layers.Dense(3)(a)
    y = keras.layers.Dense(2)(keras.layers.Add()([hidden, b, hidden]))
    sources = get_source_inputs(y)
    assert len(sources) == 2 and sources[0] is a and sources[1] is b
    assert get_source_inputs(a)[0] is a
    lone = keras.KerasTensor((None, 2))
    assert get_source_inputs(lone)[0] is lone
    with pytest.raises(TypeError, match="expected a symbolic KerasTensor"):
        get_source_inputs(np.ones(3))


def test_get_source_inputs_stays_linear_on_many_paths():
    x = inputs = keras.Input((2,))
    for _ in range(40):  # 2**40 paths from the output back to the input
        x = keras.layers.Add()([x, keras.layers.Dense(2)(x)])
    assert get_source_inputs(x)[0] is inputs
