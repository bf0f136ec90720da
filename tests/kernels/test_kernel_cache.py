"""Where the compiled Numba kernels are cached, and that a read-only install still caches.

The kernels are ``@njit(cache=True)``: the first process compiles each one for
the argument types it meets (only those, on first call) and writes the
machine code to disk, so later processes load it instead of compiling (the
figures are in the README, "First run, compile time"). Numba picks the folder:
``NUMBA_CACHE_DIR`` when set, else ``kernels/__pycache__`` beside the source
when it is writable, else the user's cache folder (``~/.cache/numba``,
``$XDG_CACHE_HOME/numba``). These tests ask Numba's own locator, without
compiling anything, so they are cheap.
"""

import os

import pytest
from numba.core import caching
from numba.core import config as numba_config

from minikeras.kernels import numba_pool

pytestmark = pytest.mark.kernels


def _cache_path(dispatcher):
    """The folder where Numba would write this kernel's compiled code."""
    return caching.FunctionCache(dispatcher.py_func)._cache_path


def test_kernels_cache_beside_their_source_when_it_is_writable(monkeypatch):
    monkeypatch.setattr(numba_config, "CACHE_DIR", "")
    path = _cache_path(numba_pool._max_pool_values)
    assert path == os.path.join(os.path.dirname(numba_pool.__file__), "__pycache__")


def test_a_read_only_install_caches_in_the_user_cache_folder(monkeypatch, tmp_path):
    """``pip install`` into a read-only prefix: the source folder refuses the cache files."""
    def read_only(locator):
        raise PermissionError(f"read-only: {locator.get_cache_path()}")

    monkeypatch.setattr(numba_config, "CACHE_DIR", "")
    monkeypatch.setattr(caching.InTreeCacheLocator, "ensure_cache_path", read_only)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = _cache_path(numba_pool._max_pool_values)
    assert path.startswith(str(tmp_path / "numba")), path
    assert os.access(path, os.W_OK)


def test_numba_cache_dir_wins(monkeypatch, tmp_path):
    monkeypatch.setattr(numba_config, "CACHE_DIR", str(tmp_path))
    assert _cache_path(numba_pool._max_pool_values).startswith(str(tmp_path))
