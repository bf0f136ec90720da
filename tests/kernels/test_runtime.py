"""Process settings (``kernels/runtime.py``): nothing at import, TBB whatever the environment says,
no garbage collection while a minikeras kernel compiles.

The checks of the settings made at start-up run in a fresh interpreter, because what is tested is the state
of a whole process: its environment variables, whether glibc's ``mallopt``
was called, and which threading layer Numba started. ``mallopt`` calls are
seen by recording every lookup of that name through ``ctypes.CDLL``, the one
way Python code reaches it. The collector's pause is checked in this
process, on the event handlers directly and through Numba's own events, and
each of those tests leaves the collector as it found it.
"""

import gc
import json
import os
import subprocess
import sys
import textwrap
import types

import numba
import pytest
from numba.core import event

from minikeras.kernels import runtime

pytestmark = pytest.mark.kernels

_RECORDER = """
import ctypes, json, os, sys
mallopt_lookups = []

class _Recording(ctypes.CDLL):
    def __getattr__(self, name):
        if name == "mallopt":
            mallopt_lookups.append(name)
        return super().__getattr__(name)

ctypes.CDLL = _Recording
environ_before = dict(os.environ)
"""

_TBB_WHEEL = os.path.exists(os.path.join(sys.prefix, "lib", "libtbb.so.12"))


def _run(body, **environment):
    """Runs recorder + ``body`` in a fresh interpreter; returns the JSON it prints last.

    ``environment``: variables to set (a str) or remove (None) for the child.
    """
    env = dict(os.environ)
    for name, value in environment.items():
        env.pop(name, None) if value is None else env.__setitem__(name, value)
    code = _RECORDER + textwrap.dedent(body)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=240)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="mallopt is glibc's")
def test_importing_changes_nothing_in_the_process():
    report = _run(
        """
        import minikeras
        import minikeras.kernels
        import minikeras.kernels.runtime
        import minikeras.kernels.numba_conv  # loads TBB for Numba to find; sets nothing
        import numba
        print(json.dumps({"environment_unchanged": dict(os.environ) == environ_before,
                          "mallopt": len(mallopt_lookups),
                          "threading_layer_setting": str(numba.config.THREADING_LAYER)}))
        """,
        NUMBA_THREADING_LAYER=None,
    )
    assert report == {"environment_unchanged": True, "mallopt": 0, "threading_layer_setting": "default"}


_KERNELS_IN_A_CHILD = """
import numpy as np
import numba
from minikeras.kernels import numba_pool
from minikeras import ops

x = np.ones((2, 6, 6, 3), dtype="float32")
numba_pool.max_pool_forward(x, (2, 2), (2, 2), ((0, 0), (0, 0)))  # a parallel kernel, no kernel_choice
y = ops.conv(x, np.ones((3, 3, 3, 4), dtype="float32"))            # through kernel_choice
assert np.allclose(ops.convert_to_numpy(y), 27.0)
print(json.dumps({"layer": numba.threading_layer(), "environment_unchanged": dict(os.environ) == environ_before}))
"""


@pytest.mark.skipif(not _TBB_WHEEL, reason="the tbb wheel is not installed in this environment")
@pytest.mark.parametrize("preset", ["tbb", None], ids=["NUMBA_THREADING_LAYER=tbb", "unset"])
def test_kernels_run_on_tbb_whether_or_not_the_variable_is_preset(preset):
    # The user's (or a parent process's) NUMBA_THREADING_LAYER=tbb must not stop minikeras loading the library.
    report = _run(_KERNELS_IN_A_CHILD, NUMBA_THREADING_LAYER=preset)
    assert report == {"layer": "tbb", "environment_unchanged": True}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="mallopt is glibc's")
@pytest.mark.parametrize("enabled", ["1", "0"])
def test_configure_process_runs_once_on_the_first_kernel_call_unless_turned_off(enabled):
    report = _run(
        """
        import numpy as np
        from minikeras import ops
        from minikeras.kernels import runtime

        x = np.ones((2, 6, 6, 3), dtype="float32")
        before = len(mallopt_lookups)
        for _ in range(3):
            ops.conv(x, np.ones((3, 3, 3, 4), dtype="float32"))
            ops.max_pool(x, 2)
        print(json.dumps({"before": before, "after": len(mallopt_lookups),
                          "again": runtime.configure_process()}))
        """,
        MINIKERAS_CONFIGURE_PROCESS=enabled,
        MALLOC_MMAP_THRESHOLD_=None,
        NUMBA_THREADING_LAYER=None,
    )
    assert report["before"] == 0
    if enabled == "1":
        assert report["after"] == 1 and report["again"] is None  # once, and never again
    else:
        assert report["after"] == 0  # turned off: the kernels ran without it
        assert report["again"]["keep_freed_memory"] is True  # a direct call still does the work


def test_a_malformed_switch_is_refused_with_its_name():
    env = dict(os.environ, MINIKERAS_CONFIGURE_PROCESS="maybe")
    result = subprocess.run([sys.executable, "-c", "import minikeras"], capture_output=True, text=True, env=env,
                            timeout=120)
    assert result.returncode != 0
    assert "MINIKERAS_CONFIGURE_PROCESS" in result.stderr and "'maybe'" in result.stderr


class _Dispatcher:
    """Stands for a Numba dispatcher: only its ``py_func``'s module is read."""

    def __init__(self, module):
        self.py_func = types.FunctionType((lambda: None).__code__, {"__name__": module})


@pytest.fixture
def collector_on():
    """The garbage collector on, and no compilation open, before and after the test."""
    was_enabled = gc.isenabled()
    gc.enable()
    yield
    assert runtime._paused_by_compile == []
    gc.enable() if was_enabled else gc.disable()


def test_the_collector_pauses_while_a_minikeras_kernel_compiles_nested_or_not(collector_on):
    runtime.compile_started(_Dispatcher("__main__"))  # a user's function: left alone
    assert gc.isenabled()
    runtime.compile_started(_Dispatcher("minikeras.kernels.numba_pool"))  # it calls one of ours
    assert not gc.isenabled()
    runtime.compile_started(_Dispatcher("numba.np.arraymath"))  # which calls one of Numba's
    runtime.compile_ended()
    assert not gc.isenabled()  # still inside ours
    runtime.compile_ended()
    assert gc.isenabled()  # ours ended
    runtime.compile_ended()
    assert gc.isenabled()


def test_a_collector_the_user_turned_off_stays_off(collector_on):
    gc.disable()
    runtime.compile_started(_Dispatcher("minikeras.kernels.numba_conv"))
    runtime.compile_ended()
    assert not gc.isenabled()


def _compiled_here(source, module):
    """An ``@njit`` function made from ``source`` as if written in ``module`` (defines ``f``)."""
    namespace = {"__name__": module}
    exec(source, namespace)
    return numba.njit(namespace["f"])


def test_numba_events_pause_the_collector_and_restore_it_after_a_failed_compile(collector_on):
    runtime.pause_collector_while_compiling()
    seen = []

    class Recorder(event.Listener):  # registered after minikeras's listener, so it sees its effect
        def on_start(self, compile_event):
            seen.append(gc.isenabled())

        def on_end(self, compile_event):
            pass

    recorder = Recorder()
    event.register("numba:compile", recorder)
    try:
        assert _compiled_here("def f(x):\n    return x + 1", "minikeras.test_module")(1) == 2
        assert gc.isenabled()
        with pytest.raises(numba.TypingError):
            _compiled_here("def f(x):\n    return x + undefined_name", "minikeras.test_module")(1)
        assert gc.isenabled()
        assert _compiled_here("def f(x):\n    return x - 1", "users_module")(1) == 0
    finally:
        event.unregister("numba:compile", recorder)
    assert seen == [False, False, True]
