"""``bench/compare.py``, run tiny so that it cannot rot.

The comparison table (issue 20) is a script, not part of the package; a
script nobody runs breaks silently when the API under it moves. The first
tests run it for real, minikeras only, one round of one call of the MLP and
of the SeparableConv2D block (the peers would add seconds of imports and XLA
compilation), and build the models of ``bench/compare_models.py``; the last
feeds its report three engines' made-up results and checks the ratios it
prints.
"""

import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "bench" / "compare.py"


def test_compare_runs_tiny_and_prints_the_table():
    environment = dict(os.environ, PYTHONPATH=str(ROOT))
    command = [sys.executable, str(SCRIPT), "--engines", "minikeras", "--model", "mlp",
               "--rounds", "1", "--calls", "1", "--warmup", "0", "--threads", "1"]
    output = subprocess.run(command, check=True, capture_output=True, text=True, env=environment).stdout
    assert "OpenBLAS core type" in output and "threads: 1" in output
    assert "| MLP 784-512-512-10, train step | " in output
    assert "| MLP 784-512-512-10, inference (`predict_on_batch`) | " in output
    assert "peak RSS" in output


def test_compare_runs_a_vision_model_of_compare_models():
    environment = dict(os.environ, PYTHONPATH=str(ROOT))
    command = [sys.executable, str(SCRIPT), "--engines", "minikeras", "--model", "separable",
               "--rounds", "1", "--calls", "1", "--warmup", "0", "--threads", "1"]
    output = subprocess.run(command, check=True, capture_output=True, text=True, env=environment).stdout
    assert "SeparableConv2D block, 32 x 32 x 64, batch 64, Adam, data: random" in output
    assert "| SeparableConv2D block, 32 x 32 x 64, train step | " in output


def test_every_model_builds_alike_for_keras_apis(monkeypatch):
    """The four models of compare_models.py build with minikeras and have the outputs their losses expect."""
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    import compare_models

    import minikeras

    for kind in compare_models.KINDS:
        model, _ = compare_models.keras_model(minikeras, kind)
        x, y = compare_models.batches(kind, 1)[0]
        assert x.shape[0] == compare_models.BATCH[kind]
        outputs = model.predict_on_batch(x[:2])
        assert outputs.shape[0] == 2 and (outputs.shape == y[:2].shape or y.ndim == 1)


def test_report_gives_the_median_of_the_per_round_ratios(capsys, monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    import compare

    def result(train_ms, infer_ms):
        return {"train_s": train_ms / 1000, "infer_s": infer_ms / 1000, "rss_train_mb": 100.0,
                "rss_mb": 120.0, "data": "synthetic"}

    rounds = [(result(10, 2), result(20, 4), result(5, 1)),
              (result(12, 2), result(12, 8), result(6, 4)),
              (result(30, 2), result(10, 2), result(10, 1))]
    compare.report("mlp", ["minikeras", "torch", "jax"], rounds)
    train_row = next(line for line in capsys.readouterr().out.splitlines() if "train step" in line)
    # minikeras / PyTorch per round: 0.5, 1.0, 3.0; minikeras / JAX: 2.0, 2.0, 3.0.
    assert "| 12.0 ms | 12.0 ms | 6.0 ms | 1.00x (0.50-3.00) | 2.00x (2.00-3.00) |" in train_row
