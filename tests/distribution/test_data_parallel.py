"""DataParallel over real MPI jobs: N processes with batch B train exactly like one process with batch B.

Each job (``mpi_job.py``) runs every check in one ``mpiexec`` launch, because
starting the interpreters and importing minikeras costs more than the
checks; the tests below read its ``results.json``. The tests skip, saying
why, where ``mpiexec`` or ``mpi4py`` is missing
(``pip install -e ".[distributed]"`` brings both).
"""

import json
import pathlib

import pytest

from tests.distribution.launch import run_mpi

JOB = pathlib.Path(__file__).with_name("mpi_job.py")
TOLERANCE = {"float64": 1e-10, "float32": 1e-5}
MODELS = ("dense", "convnet", "batchnorm")


def _run_job(processes, out, mode, timeout):
    # The reference loops keep the tiny convnet off Numba's compiler: the job stays a few seconds.
    return run_mpi(processes, [str(JOB), str(out), mode], timeout, MINIKERAS_KERNELS="reference")


@pytest.fixture(scope="module", params=[2, 3], ids=["2-ranks", "3-ranks"])
def job(request, tmp_path_factory):
    """The results of one ``checks`` job of 2 or 3 ranks (each run once per module)."""
    out = tmp_path_factory.mktemp(f"mpi{request.param}")
    result, _ = _run_job(request.param, out, "checks", timeout=120)
    assert result.returncode == 0, f"the MPI job failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return json.loads((out / "results.json").read_text())


@pytest.mark.parametrize("floatx", ["float64", "float32"])
@pytest.mark.parametrize("model", MODELS)
def test_n_ranks_give_the_weights_of_one_process_with_the_whole_batch(job, model, floatx):
    # 5 steps of batch 10 with Adam; the last batch has 8 samples, so with 3
    # ranks the slices are 4/3/3 and 3/3/2: the weighting by slice size matters.
    check = job["equality"][f"{model}_{floatx}"]
    assert check["weights"] < TOLERANCE[floatx], check
    assert check["ranks_identical"], "the ranks' weights differ bit for bit"


@pytest.mark.parametrize("model", MODELS)
def test_logs_predict_and_evaluate_are_those_of_the_global_batch(job, model):
    check = job["equality"][f"{model}_float64"]
    assert max(check["loss"], check["mae"], check["predict"], check["evaluate"]) < 1e-10, check


def test_only_rank_zero_writes_checkpoints_logs_and_saved_models(job):
    # Each rank asked for files named after itself; only rank 0's exist.
    assert job["files"] == ["checkpoint_rank0.keras", "log_rank0.csv", "saved_rank0.keras", "saved_rank0.weights.h5"]


def test_py_dataset_and_generator_are_split_like_arrays(job):
    assert job["data_sources"]["py_dataset"] < 1e-10
    assert job["data_sources"]["generator"] < 1e-10


def test_mismatched_model_or_data_is_named_at_the_start(job):
    assert "rank 1 has a different model definition" in job["mismatch"]["model"]
    assert "(6, 3)" in job["mismatch"]["model"] and "(6, 4)" in job["mismatch"]["model"]
    assert "rank 1 has a different data" in job["mismatch"]["data"]


def test_a_custom_train_step_that_forgets_to_average_is_caught(job):
    assert "differ from rank 0's" in job["mismatch"]["drift"]
    assert "all_reduce_gradients(grads, batch_size)" in job["mismatch"]["drift"]


def test_dropout_streams_differ_per_rank(job):
    seeds = [tuple(states[0]) for states in job["dropout_seeds"]]
    assert len(set(seeds)) == job["size"], seeds


def test_ring_allreduce_matches_mpi_allreduce(job):
    for size, check in job["ring"].items():
        assert check["exact"], f"integer-valued sums differ for n={size}"
        assert check["float"] < 1e-12, f"n={size}: {check}"


def test_a_failing_rank_stops_every_rank_and_is_named(tmp_path):
    result, seconds = _run_job(3, tmp_path, "fail", timeout=60)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert seconds < 60
    assert "rank 1 of 3 failed with RuntimeError: deliberate failure in a test" in output, output[-3000:]
