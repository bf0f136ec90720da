"""The memory bound of loading: a small file cannot demand a lot of memory.

The bound this suite holds: loading any file of S bytes (``load_model`` or
``load_weights``, whether it succeeds or is refused) raises the process's
peak resident memory by less than

    100 x S  +  3 x W  +  64 MiB

where W is the byte size of the weights of the model the file describes (a
model needs its own weights, read once and copied once while assigned), 100
is the largest expansion allowed to a compressed member or dataset, and the
64 MiB covers trial calls of small op nodes (at most 2**20 elements) and the
parser's working memory.

Each case is a hostile file once seen to break this (a 10 KB config whose
``Tile`` node asked for a huge output, a ``U250000000`` array, a weights group
of many compressed datasets, a ZIP member hiding its size), and a valid model
with real weights as the control. They are loaded in one child process,
which measures each load's peak from ``/proc/self/status`` (``VmHWM``, the
counter behind ``resource.getrusage(...).ru_maxrss``, reset between cases by
writing 5 to ``/proc/self/clear_refs``).
"""

import json
import os
import subprocess
import sys

import h5py
import numpy as np
import pytest

import minikeras as keras
from minikeras import ops
from minikeras import saving
from tests.saving.helpers import rewrite_config
from tests.saving.helpers import rewrite_member
from tests.saving.test_hostile_archives import _add_understated_member

pytestmark = [pytest.mark.saving, pytest.mark.skipif(
    not os.path.exists("/proc/self/clear_refs"), reason="measures memory through Linux's /proc")]

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MIB = 2**20

_CHILD = """
import gc, json, sys
import minikeras
from minikeras import saving

def status(field):
    with open("/proc/self/status") as file:
        return next(int(line.split()[1]) * 1024 for line in file if line.startswith(field + ":"))

cases = json.loads(sys.argv[1])
saving.load_model(cases[0]["path"])  # warm-up: every lazy import happens here
for case in cases[1:]:
    gc.collect()
    with open("/proc/self/clear_refs", "w") as file:
        file.write("5")
    before = status("VmRSS")
    try:
        if case["path"].endswith(".keras"):
            saving.load_model(case["path"])
        else:
            saving.load_weights(saving.load_model(case["model"]), case["path"])
        outcome = "loaded"
    except ValueError as error:
        outcome = "refused: " + str(error)[:200]
    print(json.dumps({"name": case["name"], "peak": status("VmHWM") - before, "outcome": outcome}), flush=True)
"""


def _dense_model(units=4, inputs=4):
    x = keras.Input((inputs,))
    return keras.Model(x, keras.layers.Dense(units)(x))


def _tile_config(path):
    x = keras.Input((4,))
    saving.save_model(keras.Model(x, ops.tile(x, [1, 3])), path)
    rewrite_config(path, lambda config: config["config"]["layers"][1]["config"].update(repeats=[1, 10_000_000]))


def _numpy_config(path):
    saving.save_model(_dense_model(), path)
    rewrite_member(path, "config.json", lambda data: json.dumps(
        {"class_name": "__numpy__", "config": {"value": [""], "dtype": "U25000000"}}).encode())


def _many_datasets(path, model_path):
    model = _dense_model()
    saving.save_model(model, model_path)
    saving.save_weights(model, path)
    with h5py.File(path, "a") as file:
        group = file["layers/dense/vars"]
        for index in range(2, 202):  # 200 x 1 MiB, each a few hundred bytes once compressed
            group.create_dataset(str(index), data=np.zeros(MIB // 4, "float32"), compression="gzip", chunks=True)


def _understated_member(path):
    saving.save_model(_dense_model(), path)
    _add_understated_member(path, "assets/big.bin", real_size=256 * MIB, claimed_size=1000)


def _valid_model(path):
    saving.save_model(_dense_model(units=1000, inputs=1000), path)


def test_loading_stays_within_the_memory_bound(tmp_path):
    warm_up = str(tmp_path / "warm_up.keras")
    saving.save_model(_dense_model(), warm_up)
    cases = {name: str(tmp_path / f"{name}.keras") for name in ("tile", "numpy", "zip", "valid")}
    _tile_config(cases["tile"])
    _numpy_config(cases["numpy"])
    _understated_member(cases["zip"])
    _valid_model(cases["valid"])
    weights_path, model_path = str(tmp_path / "many.weights.h5"), str(tmp_path / "many.keras")
    _many_datasets(weights_path, model_path)
    weights_bytes = {"valid": 1000 * 1000 * 4 + 4000, "many": 4 * 4 * 4 + 16}
    listed = [{"name": "warm_up", "path": warm_up}] + [
        {"name": name, "path": path} for name, path in cases.items()] + [
        {"name": "many", "path": weights_path, "model": model_path}]
    result = subprocess.run([sys.executable, "-c", _CHILD, json.dumps(listed)], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    reports = [json.loads(line) for line in result.stdout.splitlines()]
    print(*(f"{r['name']}: +{r['peak'] / MIB:.1f} MiB, {r['outcome'][:60]}" for r in reports), sep="\n")
    assert len(reports) == len(listed) - 1, result.stderr[-3000:]
    for report in reports:
        path = next(case["path"] for case in listed if case["name"] == report["name"])
        size = os.path.getsize(path)
        bound = 100 * size + 3 * weights_bytes.get(report["name"], 0) + 64 * MIB
        assert report["peak"] < bound, (
            f"{report['name']} ({size} bytes, {report['outcome']}): peak +{report['peak'] / MIB:.0f} MiB, "
            f"bound {bound / MIB:.0f} MiB")
    outcomes = {report["name"]: report["outcome"] for report in reports}
    assert outcomes["tile"] == "loaded" and outcomes["valid"] == "loaded"
    assert all(outcomes[name].startswith("refused") for name in ("numpy", "zip", "many")), outcomes
