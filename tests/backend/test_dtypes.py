"""``backend.result_type``: Keras's promotion lattice, on hand-checked cases."""

import numpy as np
import pytest

from minikeras import backend


@pytest.mark.parametrize("dtypes, expected", [
    (("int32", "float32"), "float32"),       # NumPy would say float64
    (("int8", "uint8"), "int16"),            # the smallest type holding both
    (("float16", float), "float16"),         # a Python float is weak
    (("int8", int), "int8"),
    (("bool", "bool"), "bool"),
    ((int, float), "float32"),               # weak only: floatx's width
    (("int64", "float64"), "float32"),       # 64 bits are narrowed, as in Keras
    ((np.float16, np.dtype("float16")), "float16"),
    ((), "float32"),
])
def test_result_type(dtypes, expected):
    assert backend.result_type(*dtypes) == expected


def test_unknown_dtype_is_refused():
    with pytest.raises(ValueError, match="Invalid value for argument `dtype`"):
        backend.result_type("float8", "int32")
