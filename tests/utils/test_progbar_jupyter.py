"""The progress bar inside a real Jupyter kernel: one compact output per epoch.

On a terminal the bar redraws itself with backspaces and carriage returns.
Sent to a Jupyter kernel the same way, each redraw became an output of its
own (a saved notebook kept 88 of them for one ``fit``). In a kernel the bar
now draws into one display output per epoch, replaced in place.
"""

import pytest

from tests import notebook_kernel

FIT = """
import numpy as np
import minikeras as keras
keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
model.compile(optimizer="sgd", loss="mse")
x, y = np.ones((40, 3), "float32"), np.zeros((40, 1), "float32")
history = model.fit(x, y, batch_size=4, epochs=3)
loss = model.evaluate(x, y, batch_size=4)
"""


def test_fit_in_a_kernel_leaves_one_plain_output_per_epoch(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(FIT)])
    jupyter_path = notebook_kernel.install_kernel(tmp_path / "jupyter")
    notebook_kernel.execute(notebook, tmp_path, jupyter_path, timeout=60)
    outputs = notebook.cells[0].outputs
    texts = [output.get("data", {}).get("text/plain", output.get("text", "")) for output in outputs]
    # Three epochs and one evaluate: four outputs, each its bar's last state.
    assert len(outputs) == 4, texts
    assert all(output.output_type == "display_data" for output in outputs), texts
    for epoch, text in enumerate(texts[:3], start=1):
        title, line = text.split("\n")
        assert title == f"Epoch {epoch}/3"
        assert line.startswith("10/10 " + "\u2501" * 20) and " - loss: " in line, line
    assert texts[3].startswith("10/10 ") and "\n" not in texts[3]
    assert not any(character in "".join(texts) for character in "\b\r\x1b")
