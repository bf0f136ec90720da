"""minikeras's Progbar draws the same characters as Keras 3's on a terminal."""

import io
import types

import pytest

from minikeras.utils.progbar import Progbar

pytestmark = pytest.mark.training


def _fake_clock(times):
    times = list(times)
    return lambda: times.pop(0) if len(times) > 1 else times[0]


@pytest.mark.parametrize("verbose", [1, 2])
@pytest.mark.parametrize("target,values", [
    (3, [("acc", 0.25), ("loss", 1.5)]),
    (12, [("loss", 0.0004)]),
    (None, [("mae", 2.0)]),
])
def test_same_text_as_keras(monkeypatch, capsys, verbose, target, values):
    pytest.importorskip("keras")
    from keras.src.utils import progbar as keras_progbar

    times = [0.0, 0.5, 1.25, 2.0, 70.0]
    monkeypatch.setattr(keras_progbar, "time", types.SimpleNamespace(time=_fake_clock(times)))
    theirs = keras_progbar.Progbar(target, verbose=verbose, stateless_metrics=set())
    theirs._dynamic_display = True
    stream = io.StringIO()
    ours = Progbar(target, verbose=verbose, stateless_metrics=set(), stream=stream,
                   time_fn=_fake_clock(times), dynamic_display=True)
    last = target or 3
    for step in range(1, last + 1):
        finalize = step == last
        theirs.update(step, values, finalize=finalize)
        ours.update(step, values, finalize=finalize)
    assert stream.getvalue() == capsys.readouterr().out
