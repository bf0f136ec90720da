"""``notebook.setup`` and the ``check_...`` helpers of the chapters' exercise cells."""

import numpy as np
import pytest

from minikeras.tools import notebook


def test_setup_prints_what_the_numbers_depend_on_seeds_and_makes_a_folder(capsys, monkeypatch):
    monkeypatch.setenv("MINIKERAS_NOTEBOOK_SMOKE", "1")
    smoke, workdir = notebook.setup(seed=3)
    first = np.random.random()
    printed = capsys.readouterr().out
    for word in ("minikeras", "NumPy", "Numba", "kernel's Python", "backend", "conv_algorithm", "smoke mode"):
        assert word in printed
    assert smoke is True and workdir.is_dir() and not list(workdir.iterdir())
    notebook.setup(seed=3)
    assert np.random.random() == first  # seeded
    monkeypatch.setenv("MINIKERAS_NOTEBOOK_SMOKE", "0")
    assert notebook.is_smoke() is False


def test_an_unanswered_exercise_is_reported_not_failed(capsys):
    notebook.check_close("Exercise 1", ..., np.ones(3))
    notebook.check_equal("Exercise 2", ..., 4)
    notebook.check_that("Exercise 3", ..., bool, "anything")
    assert capsys.readouterr().out.count("not answered yet") == 3


def test_right_answers_pass_and_wrong_ones_say_what_differs(capsys):
    notebook.check_close("Exercise 1", [1.0, 2.0], np.array([1.0, 2.0 + 1e-9]))
    notebook.check_equal("Exercise 2", ("Add", 1), ("Add", 1))
    notebook.check_that("Exercise 3", 5, lambda value: value > 3, "more than 3")
    assert capsys.readouterr().out.count("correct") == 3
    with pytest.raises(AssertionError, match=r"At index \(1,\): expected 2.0, received 2.5"):
        notebook.check_close("Exercise 1", [1.0, 2.5], [1.0, 2.0])
    with pytest.raises(AssertionError, match=r"expected shape \(2,\), received shape \(3,\)"):
        notebook.check_close("Exercise 1", [1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(AssertionError, match="Exercise 2: expected 4, received 5"):
        notebook.check_equal("Exercise 2", 5, 4)
    with pytest.raises(AssertionError, match="not right yet: more than 3"):
        notebook.check_that("Exercise 3", 2, lambda value: value > 3, "more than 3")
