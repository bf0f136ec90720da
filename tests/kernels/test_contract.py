"""The kernel contract: every kernel module has exactly its families' names, with exactly their signatures.

The signatures are read from the contract itself, the docstring of
``kernels/__init__.py`` (its indented ``name(arguments)`` lines), so the
documentation and the code cannot drift apart. A new kernel module, or a new
family, is added to the two tables below.
"""

import importlib
import inspect
import pathlib
import re

import pytest

import minikeras.kernels

pytestmark = pytest.mark.kernels

FAMILIES = {
    "conv": ("conv_forward", "conv_backward"),
    "conv_max_pool": ("conv_max_pool_forward",),
    "pool": ("max_pool_forward", "max_pool_backward", "average_pool_forward", "average_pool_backward"),
    "matmul": ("matmul",),
    "batched_matmul": ("batched_matmul",),
    "dense": ("dense_forward",),
    "depthwise_conv": ("depthwise_conv_forward", "depthwise_conv_backward"),
    "conv_transpose": ("conv_transpose_forward", "conv_transpose_backward"),
    "recurrent": ("lstm_forward", "lstm_backward", "gru_forward", "gru_backward",
                  "simple_rnn_forward", "simple_rnn_backward"),
    "adam": ("adam_update",),
    "softmax": ("softmax_forward", "softmax_backward"),
    "layer_norm": ("layer_norm_forward", "layer_norm_backward"),
}

KERNEL_MODULES = {
    "reference": ("conv", "conv_max_pool", "conv_transpose", "pool", "matmul", "batched_matmul", "dense", "adam"),
    "numpy_im2col": ("conv",),
    "numba_conv": ("conv", "conv_transpose"),
    "numba_winograd": ("conv", "conv_max_pool"),
    "numba_pool": ("pool",),
    "numba_matmul": ("matmul",),
    "numba_simd_matmul": ("matmul", "batched_matmul", "dense"),
    "threaded_matmul": ("batched_matmul",),
    "numba_cuda": ("conv", "conv_transpose", "pool", "matmul", "batched_matmul", "depthwise_conv"),
    "depthwise_reference": ("depthwise_conv",),
    "numba_depthwise": ("depthwise_conv",),
    "recurrent_reference": ("recurrent",),
    "numba_recurrent": ("recurrent",),
    "numba_cuda_recurrent": ("recurrent",),
    "numba_optimizer": ("adam",),
    "rowwise_reference": ("softmax", "layer_norm"),
    "numba_rowwise": ("softmax", "layer_norm"),
    "numba_cuda_rowwise": ("softmax", "layer_norm"),
}

# Modules of kernels/ outside the families: the Winograd definitions (transforms
# shared with numba_winograd, and the same on 64 channels at a time), output sizes, process
# settings, the vector type.
OTHER_MODULES = {"__init__", "geometry", "runtime", "simd", "team", "team_work", "winograd_reference", "winograd_vectors"}


def _documented_signatures():
    """``{name: "(arguments)"}`` from the signatures of ``kernels/__init__.py``'s docstring.

    A signature starts a line indented by four spaces, ``name(``, and may go
    on over more lines until its parentheses close.
    """
    signatures, lines = {}, minikeras.kernels.__doc__.splitlines()
    for number, line in enumerate(lines):
        match = re.match(r"^    (\w+)(\(.*)$", line)
        if not match:
            continue
        text = match.group(2)
        while text.count("(") > text.count(")"):
            number += 1
            text += " " + lines[number].strip()
        signatures[match.group(1)] = text
    return signatures


def _public_functions(module):
    """The public callables defined in ``module`` itself (not imported into it)."""
    return {name for name, value in vars(module).items()
            if not name.startswith("_") and callable(value) and not inspect.isclass(value)
            and getattr(value, "__module__", None) == module.__name__}


def test_the_contract_documents_every_family():
    documented = _documented_signatures()
    assert set(documented) == {name for names in FAMILIES.values() for name in names}


def test_every_file_of_kernels_is_classified():
    files = {path.stem for path in pathlib.Path(minikeras.kernels.__file__).parent.glob("*.py")}
    assert files == set(KERNEL_MODULES) | OTHER_MODULES


@pytest.mark.parametrize("module_name", sorted(KERNEL_MODULES))
def test_kernel_module_has_exactly_the_contract(module_name):
    module = importlib.import_module(f"minikeras.kernels.{module_name}")
    expected = {name for family in KERNEL_MODULES[module_name] for name in FAMILIES[family]}
    assert _public_functions(module) == expected, f"{module_name}: rename helpers with a leading underscore"
    documented = _documented_signatures()
    for name in sorted(expected):
        assert str(inspect.signature(getattr(module, name))) == documented[name], f"{module_name}.{name}"
