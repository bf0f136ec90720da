"""BackupAndRestore resumes a killed ``fit`` exactly; RemoteMonitor posts each epoch to a local server."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import urllib.parse

import numpy as np
import pytest

import minikeras as keras
from tests.utils.local_http import LocalServer
from tests.utils.local_http import closed_port_url

# The same model and data in this process and in the child that gets killed.
SETUP = textwrap.dedent("""
    import numpy as np
    import minikeras as keras

    def setup():
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2, name="dense")])
        model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
        x = np.linspace(-1, 1, 24, dtype="float32").reshape(8, 3)
        return model, x, np.stack([x.sum(1), x[:, 0]], axis=1)
""")


def _setup():
    scope = {}
    exec(SETUP, scope)  # noqa: S102  (our own constant source, shared with the child process)
    return scope["setup"]()


def test_a_killed_fit_resumes_at_the_right_epoch(tmp_path):
    backup = str(tmp_path / "backup")
    # 1. A child process trains and is killed with SIGKILL at the end of epoch 2 (after the backup).
    child = SETUP + textwrap.dedent(f"""
        import os, signal
        model, x, y = setup()
        kill = keras.callbacks.LambdaCallback(
            on_epoch_end=lambda epoch, logs: os.kill(os.getpid(), signal.SIGKILL) if epoch == 2 else None)
        model.fit(x, y, epochs=5, batch_size=4, shuffle=False, verbose=0,
                  callbacks=[keras.callbacks.BackupAndRestore({backup!r}), kill])
    """)
    result = subprocess.run([sys.executable, "-c", child], capture_output=True, timeout=120)
    assert result.returncode == -signal.SIGKILL, result.stderr.decode()[-2000:]
    assert json.load(open(os.path.join(backup, "training_metadata.json"))) == {"epoch": 3, "batch": 0}
    # 2. The same fit here resumes at epoch 3 and ends with the weights of an uninterrupted run.
    model, x, y = _setup()
    history = model.fit(x, y, epochs=5, batch_size=4, shuffle=False, verbose=0,
                        callbacks=[keras.callbacks.BackupAndRestore(backup)])
    assert history.epoch == [3, 4] and not os.path.exists(backup)  # deleted after a normal end
    straight, x, y = _setup()
    straight.fit(x, y, epochs=5, batch_size=4, shuffle=False, verbose=0)
    for resumed, expected in zip(model.get_weights(), straight.get_weights()):
        np.testing.assert_allclose(resumed, expected, rtol=1e-6)


def test_save_freq_in_batches_and_bad_arguments(tmp_path):
    model, x, y = _setup()
    seen = []

    class Interrupt(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(json.load(open(tmp_path / "b" / "training_metadata.json")))
            if len(seen) == 3:
                raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError, match="interrupted"):
        model.fit(x, y, epochs=3, batch_size=4, shuffle=False, verbose=0,
                  callbacks=[keras.callbacks.BackupAndRestore(tmp_path / "b", save_freq=1), Interrupt()])
    assert seen == [{"epoch": 0, "batch": 0}, {"epoch": 0, "batch": 1}, {"epoch": 1, "batch": 0}]
    with pytest.raises(ValueError, match="Empty `backup_dir` argument passed"):
        keras.callbacks.BackupAndRestore("")
    with pytest.raises(ValueError, match="Expected either 'epoch' or an integer value"):
        keras.callbacks.BackupAndRestore(tmp_path, save_freq="batch")


def test_remote_monitor_posts_every_epoch():
    model, x, y = _setup()
    with LocalServer() as server:
        callbacks = [keras.callbacks.RemoteMonitor(root=server.url(""), path="/form", headers={"X-Run": "7"}),
                     keras.callbacks.RemoteMonitor(root=server.url(""), path="/json", send_as_json=True)]
        model.fit(x, y, epochs=2, batch_size=8, verbose=0, callbacks=callbacks)
    forms = [post for post in server.posts if post[0] == "/form"]
    sent = json.loads(urllib.parse.parse_qs(forms[1][2].decode())["data"][0])
    assert sent["epoch"] == 1 and isinstance(sent["loss"], float) and forms[1][1]["X-Run"] == "7"
    body = json.loads([post for post in server.posts if post[0] == "/json"][0][2])
    assert body["epoch"] == 0 and set(body) == {"epoch", "loss"}
    with pytest.warns(UserWarning, match="Could not reach RemoteMonitor root server"):
        keras.callbacks.RemoteMonitor(root=closed_port_url("")).on_epoch_end(0, {"loss": np.float32(1.0)})
