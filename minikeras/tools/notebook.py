"""The first cell and the exercise checks of every teaching notebook.

Place in the stack: part of ``minikeras.tools``, the top of the package (it
reads the configuration and the versions of everything below). Each chapter
in ``notebooks/`` starts with the same cell::

    try:
        import minikeras as keras
        from minikeras.tools import notebook
    except ImportError as error:
        raise ImportError("...install minikeras into this kernel's environment...") from error
    SMOKE, WORKDIR = notebook.setup(seed=0)

``setup`` prints what the chapter runs on (minikeras, NumPy, Numba, the
Python executable, the backend, the kernels in use), seeds every random
generator, and makes the temporary folder the chapter writes its files to.
``SMOKE`` is True when the environment variable ``MINIKERAS_NOTEBOOK_SMOKE``
is ``"1"``, as in the test suite: chapters then shrink their data.

Exercises end with a check cell: ``check_close("Exercise 1", answer, expected)``
and its siblings below. An answer left as ``...`` (the placeholder every
exercise starts with) is reported as not answered yet, so that a chapter runs
top to bottom before the student has done anything; a wrong answer raises
``AssertionError`` with what differs. The worked solutions in
``notebooks/solutions/`` fill the answers in, and the tests run them.

Read next: ``notebooks/README.md``.
"""

import os
import pathlib
import sys
import tempfile

import numpy as np

SMOKE_VARIABLE = "MINIKERAS_NOTEBOOK_SMOKE"


def is_smoke():
    """True when ``MINIKERAS_NOTEBOOK_SMOKE=1``: the test suite's tiny-data setting."""
    return os.environ.get(SMOKE_VARIABLE) == "1"


def describe():
    """One line per thing a chapter's numbers depend on: versions, backend, kernels.

    Returns:
        A multi-line string.
    """
    import numba

    import minikeras

    kernels = minikeras.config.kernel_settings()
    return "\n".join([
        f"minikeras {minikeras.__version__}  ({pathlib.Path(minikeras.__file__).parent})",
        f"NumPy {np.__version__}, Numba {numba.__version__}, Python {sys.version.split()[0]}",
        f"kernel's Python: {sys.executable}",
        f"backend: {minikeras.config.backend()}, floatx: {minikeras.config.floatx()}",
        f"kernels: {kernels.kernels}, conv_algorithm: {kernels.conv_algorithm}, matmul: {kernels.matmul}",
        f"smoke mode ({SMOKE_VARIABLE}=1, tiny data): {'on' if is_smoke() else 'off'}",
    ])


def setup(seed=0):
    """The first cell of a chapter: prints ``describe()``, seeds, makes a temporary folder.

    Args:
        seed: passed to ``minikeras.utils.set_random_seed`` (Python, NumPy and
            minikeras's generators).
    Returns:
        ``(smoke, workdir)``: whether the data should be shrunk, and a fresh
        ``pathlib.Path`` the chapter writes its files into (never into
        ``notebooks/``).
    """
    import minikeras

    print(describe())
    minikeras.utils.set_random_seed(seed)
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="minikeras-notebook-"))
    print(f"files of this chapter go to: {workdir}")
    return is_smoke(), workdir


# ----- exercise checks -----
def answered(answer):
    """False while an exercise's answer is still the placeholder ``...``."""
    return answer is not Ellipsis


def _not_answered(name):
    print(f"{name}: not answered yet (replace the ... above, then run this cell again)")


def _passed(name):
    print(f"{name}: correct")


def check_close(name, answer, expected, rtol=1e-5, atol=1e-7):
    """Checks that an array-like answer equals ``expected`` within tolerances.

    Args:
        name: the exercise's name, for the messages.
        answer: the student's value (anything ``np.asarray`` takes), or ``...``.
        expected: the right value.
        rtol, atol: as in ``np.allclose``.

    Prints ``correct`` or ``not answered yet``, and returns None so that a
    check cell shows nothing else.

    Raises:
        AssertionError: naming the shapes or the worst element when wrong.
    """
    if not answered(answer):
        _not_answered(name)
        return
    answer, expected = np.asarray(answer, dtype="float64"), np.asarray(expected, dtype="float64")
    if answer.shape != expected.shape:
        raise AssertionError(f"{name}: expected shape {expected.shape}, received shape {answer.shape}")
    if not np.allclose(answer, expected, rtol=rtol, atol=atol):
        worst = np.unravel_index(np.argmax(np.abs(answer - expected)), answer.shape) if answer.ndim else ()
        worst = tuple(int(i) for i in worst)
        raise AssertionError(f"{name}: not right yet. At index {worst}: expected {float(expected[worst])!r}, "
                             f"received {float(answer[worst])!r}")
    _passed(name)


def check_equal(name, answer, expected):
    """Checks ``answer == expected`` (names, shapes, counts...); same contract as ``check_close``."""
    if not answered(answer):
        _not_answered(name)
        return
    if answer != expected:
        raise AssertionError(f"{name}: expected {expected!r}, received {answer!r}")
    _passed(name)


def check_that(name, answer, predicate, message):
    """Checks ``predicate(answer)``; same contract as ``check_close``.

    Args:
        name: the exercise's name.
        answer: the student's value, or ``...``.
        predicate: a function of the answer returning a bool.
        message: what a right answer does, shown when it does not.
    """
    if not answered(answer):
        _not_answered(name)
        return
    if not predicate(answer):
        raise AssertionError(f"{name}: not right yet: {message}")
    _passed(name)
