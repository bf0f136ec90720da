"""The progress bar's exact text, with a fake clock and a StringIO stream."""

import io

from minikeras.utils.progbar import Progbar
from minikeras.utils.progbar import format_time
from minikeras.utils.progbar import format_value

BAR = "\u2501" * 20


class FakeClock:
    """Returns the times given, one per call, then keeps the last."""

    def __init__(self, *times):
        self.times = list(times)

    def __call__(self):
        return self.times.pop(0) if len(self.times) > 1 else self.times[0]


def test_verbose_1_into_a_file_writes_only_the_final_line():
    stream = io.StringIO()
    # start at 0, step 1 at 1.0 s, step 2 at 1.5 s, step 3 at 2.0 s
    bar = Progbar(3, stream=stream, time_fn=FakeClock(0.0, 1.0, 1.5, 2.0), stateless_metrics=set())
    bar.update(1, [("loss", 1.5), ("acc", 0.25)])
    bar.update(2, [("loss", 1.25), ("acc", 0.5)])
    assert stream.getvalue() == ""  # nothing until the end: no control characters in logs
    bar.update(3, [("loss", 1.0), ("acc", 0.75)])
    # step 1 is left out of the per-step time: (2.0 - 1.0) / 2 = 500 ms
    assert stream.getvalue() == f"3/3 {BAR} 2s 500ms/step - loss: 1.0000 - acc: 0.7500\n"


def test_step_count_is_right_aligned_to_the_target_width():
    stream = io.StringIO()
    bar = Progbar(399, stream=stream, time_fn=FakeClock(0.0, 74.0))
    bar.update(399, [("acc", 0.498), ("loss", 1.3832)], finalize=True)
    assert stream.getvalue() == f"399/399 {BAR} 74s 185ms/step - acc: 0.4980 - loss: 1.3832\n"
    bar = Progbar(12, stream=io.StringIO())
    assert bar._count(3) == " 3/12"


def test_verbose_2_line():
    stream = io.StringIO()
    bar = Progbar(3, verbose=2, stream=stream, time_fn=FakeClock(0.0, 0.6, 1.1, 1.6))
    for step in (1, 2, 3):
        bar.update(step, [("accuracy", 0.3625), ("loss", 1.1066)])
    assert stream.getvalue() == "3/3 - 2s - 500ms/step - accuracy: 0.3625 - loss: 1.1066\n"


def test_verbose_0_is_silent():
    stream = io.StringIO()
    bar = Progbar(2, verbose=0, stream=stream, time_fn=FakeClock(0.0, 1.0))
    bar.update(1, [("loss", 1.0)])
    bar.update(2, [("loss", 1.0)])
    assert stream.getvalue() == ""


def test_dynamic_display_redraws_in_place_with_colours():
    stream = io.StringIO()
    bar = Progbar(2, stream=stream, time_fn=FakeClock(0.0, 1.0, 2.0), dynamic_display=True,
                  stateless_metrics=set())
    bar.update(1, [("loss", 0.5)])
    first = "\r\x1b[1m1/2\x1b[0m \x1b[32m" + "\u2501" * 10 + "\x1b[0m\x1b[37m" + "\u2501" * 10
    first += "\x1b[0m \x1b[1m1s\x1b[0m 1s/step - loss: 0.5000"
    assert stream.getvalue() == first
    bar.update(2, [("loss", 0.25)])
    width = len("1/2 ") + 20 + len(" 1s 1s/step - loss: 0.5000")
    second = "\b" * width + "\r\x1b[1m2/2\x1b[0m \x1b[32m" + BAR + "\x1b[0m\x1b[37m\x1b[0m"
    second += " \x1b[1m2s\x1b[0m 1s/step - loss: 0.2500\n"
    assert stream.getvalue() == first + second


def test_eta_formats():
    stream = io.StringIO()
    bar = Progbar(10000, stream=stream, time_fn=FakeClock(0.0, 2.0), dynamic_display=True)
    bar.update(1)  # 2 s per step, 9999 steps left: 5:33:18
    assert "\x1b[1m5:33:18\x1b[0m" in stream.getvalue()
    assert bar._time_text(9990, 0.0, 2.0, False) == "20s"
    assert bar._time_text(9900, 0.0, 2.0, False) == "3:20"


def test_unknown_target_and_averaging():
    stream = io.StringIO()
    bar = Progbar(None, stream=stream, time_fn=FakeClock(0.0, 1.0, 2.0), dynamic_display=True)
    bar.update(1, [("loss", 1.0)])
    bar.update(2, [("loss", 3.0)])  # not stateful: averaged over the steps
    assert stream.getvalue().endswith("      2/Unknown \x1b[1m2s\x1b[0m 1s/step - loss: 2.0000")


def test_value_and_time_formats():
    assert format_value(0.5) == "0.5000"
    assert format_value(0.0001234) == "1.2340e-04"
    assert format_value(-0.0005) == "-5.0000e-04"
    assert format_time(2.4, "step") == " 2s/step"
    assert format_time(0.184, "step") == " 184ms/step"
    assert format_time(0.000601, "step") == " 601us/step"
    assert format_time(0, "step") == " 0s/step"
