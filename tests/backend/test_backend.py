"""The backend seam: floatx, conversion rules, and the CuPy error."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from minikeras import backend

pytestmark = pytest.mark.engine


def test_floatx_defaults_to_float32_and_can_be_set():
    assert backend.floatx() == "float32"
    backend.set_floatx("float64")
    try:
        assert backend.floatx() == "float64"
        assert backend.convert_to_tensor(1.5).dtype == np.float64
    finally:
        backend.set_floatx("float32")


def test_set_floatx_rejects_unknown_types():
    with pytest.raises(ValueError, match="Unknown `floatx` value: int8"):
        backend.set_floatx("int8")


def test_python_floats_become_floatx_but_arrays_keep_their_dtype():
    assert backend.convert_to_tensor([1.0, 2.0]).dtype == np.float32
    assert backend.convert_to_tensor(np.zeros(2)).dtype == np.float64
    assert backend.convert_to_tensor(3).dtype == np.int32
    assert backend.convert_to_tensor(np.zeros(2), dtype="float16").dtype == np.float16


def test_convert_to_numpy_and_backend_name():
    assert backend.backend() == "numpy"
    assert isinstance(backend.convert_to_numpy([1, 2]), np.ndarray)
    assert backend.get_xp() is np
    assert backend.get_xp(np.zeros(1)) is np


def _run_python(code, **env):
    """Runs ``code`` in a fresh interpreter; a variable given as None is removed from its environment."""
    environment = {name: value for name, value in {**os.environ, **env}.items() if value is not None}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment)


def test_cupy_backend_without_cupy_names_what_is_missing():
    # A `None` entry in sys.modules makes `import cupy` fail, as when it is absent.
    code = (
        "import sys; sys.modules['cupy'] = None\n"
        "from minikeras import backend\n"
        "backend.get_xp()\n"
    )
    result = _run_python(code, MINIKERAS_BACKEND="cupy")
    assert result.returncode != 0
    assert "CuPy is not installed" in result.stderr


def test_unknown_backend_name_is_rejected():
    result = _run_python("import minikeras", MINIKERAS_BACKEND="tensorflow")
    assert result.returncode != 0
    assert "Unknown minikeras backend 'tensorflow'" in result.stderr


def test_config_file_is_read(tmp_path):
    (tmp_path / "minikeras.json").write_text(json.dumps({"floatx": "float64", "epsilon": 1e-5}))
    code = "from minikeras import backend; print(backend.floatx(), backend.epsilon())"
    result = _run_python(code, MINIKERAS_HOME=str(tmp_path))
    assert result.stdout.split() == ["float64", "1e-05"], result.stderr


def test_every_readme_setting_can_live_in_the_config_file(tmp_path):
    """The README's variables, as keys of ``minikeras.json``; a variable wins over the file."""
    settings = {"kernels": "reference", "conv_algorithm": "numpy", "matmul": "numba", "offline": True,
                "configure_process": False}
    (tmp_path / "minikeras.json").write_text(json.dumps(settings))
    code = ("import minikeras; from minikeras.backend import config; s = minikeras.config.kernel_settings(); "
            "print(s.kernels, s.conv_algorithm, s.matmul, config.flag('MINIKERAS_OFFLINE', 'offline', False), "
            "config.configure_process())")
    env = {name: None for name in ("MINIKERAS_KERNELS", "MINIKERAS_CONV_ALGORITHM", "MINIKERAS_MATMUL",
                                   "MINIKERAS_OFFLINE", "MINIKERAS_CONFIGURE_PROCESS")}
    result = _run_python(code, MINIKERAS_HOME=str(tmp_path), **env)
    assert result.stdout.split() == ["reference", "numpy", "numba", "True", "False"], result.stderr
    env.update(MINIKERAS_KERNELS="numba", MINIKERAS_OFFLINE="0")
    result = _run_python(code, MINIKERAS_HOME=str(tmp_path), **env)
    assert result.stdout.split() == ["numba", "numpy", "numba", "False", "False"], result.stderr
