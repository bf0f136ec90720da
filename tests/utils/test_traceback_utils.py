"""Traceback filtering (``minikeras.config.enable_traceback_filtering``): an error raised in a user's
layer hides minikeras's frames by default, and shows them all once filtering is disabled."""

import os
import traceback

import numpy as np
import pytest

import minikeras
from minikeras.utils import traceback_utils

PACKAGE = os.path.dirname(os.path.abspath(minikeras.__file__))


class Broken(minikeras.layers.Layer):
    """A layer whose call fails in training, as a user's layer with a bug would."""

    def call(self, inputs, training=None):
        if training:
            raise RuntimeError("bug in the user's layer")
        return inputs


def _frames_of(run):
    """``(minikeras frames, other frames)`` of the traceback ``run()`` raises with: (file, function) pairs."""
    with pytest.raises(RuntimeError, match="bug in the user's layer") as caught:
        run()
    frames = [(frame.filename, frame.name) for frame in traceback.extract_tb(caught.value.__traceback__)]
    ours = [frame for frame in frames if os.path.abspath(frame[0]).startswith(PACKAGE + os.sep)]
    return ours, [frame for frame in frames if frame not in ours]


def _fit_broken_model():
    model = minikeras.Sequential([minikeras.Input((2,)), minikeras.layers.Dense(2, name="dense"),
                                  Broken(name="broken")])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.zeros((2, 2), "float32"), np.zeros((2, 2), "float32"), epochs=1, verbose=0)


@pytest.mark.parametrize("run", [lambda: Broken(name="broken")(np.zeros((1, 2), "float32"), training=True), _fit_broken_model],
                         ids=["layer_call", "fit"])
def test_filtering_hides_minikeras_frames_and_disabling_shows_them(run):
    assert minikeras.config.is_traceback_filtering_enabled()  # on by default, as in Keras
    ours, others = _frames_of(run)
    # Only the filter's own re-raise line is left of minikeras; the user's `call` stays.
    assert {os.path.basename(name) for name, _ in ours} == {"traceback_utils.py"}, ours
    assert ("call" in [function for _, function in others]) and __file__ in [name for name, _ in others]
    minikeras.config.disable_traceback_filtering()
    try:
        assert not minikeras.config.is_traceback_filtering_enabled()
        full, others_unfiltered = _frames_of(run)
    finally:
        minikeras.config.enable_traceback_filtering()
    assert any(name.endswith(os.path.join("layers", "layer.py")) for name, _ in full)
    assert len(full) > len(ours) and others_unfiltered == others


def test_filtered_traceback_keeps_the_innermost_frame_when_all_are_internal():
    """An error raised by minikeras itself (a bad input shape) still says where it was raised."""
    dense = minikeras.layers.Dense(2)
    dense(np.zeros((1, 3), "float32"))
    with pytest.raises(ValueError) as caught:
        dense(np.zeros((1, 4), "float32"))
    frames = traceback.extract_tb(caught.value.__traceback__)
    assert os.path.basename(frames[-1].filename) != "test_traceback_utils.py"
    assert frames[0].filename == __file__


def test_cause_and_message_survive_filtering():
    def raise_chained():
        try:
            raise KeyError("inner")
        except KeyError as error:
            raise RuntimeError("outer") from error
    wrapped = traceback_utils.filter_traceback(raise_chained)
    with pytest.raises(RuntimeError, match="outer") as caught:
        wrapped()
    assert isinstance(caught.value.__cause__, KeyError)
