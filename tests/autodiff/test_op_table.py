"""Every differentiable op: forward against NumPy, backward against finite differences.

The rows live in ``op_table.py``; this file only runs them. The last test
keeps the table honest: a public op of ``minikeras.ops`` (or of
``minikeras.ops.image``) with neither a row nor a place in
``NON_DIFFERENTIABLE`` fails it.
"""

import types

import numpy
import pytest

from minikeras import ops
from minikeras.autodiff.tensor import Tensor
from tests.autodiff.gradcheck import check_vjp
from tests.autodiff.op_table import INTERNAL
from tests.autodiff.op_table import NON_DIFFERENTIABLE
from tests.autodiff.op_table import TABLE
from tests.autodiff.op_table_api import API_TABLE

pytestmark = pytest.mark.engine


def _outputs(value):
    return list(value) if isinstance(value, (tuple, list)) else [value]


# op_table.py's rows and issue 18's (op_table_api.py), checked alike.
ROWS = TABLE + API_TABLE


@pytest.mark.parametrize("case", ROWS, ids=[case.id for case in ROWS])
def test_forward_matches_numpy(case):
    inputs = case.inputs()
    got = _outputs(case.function(*[Tensor(x) for x in inputs]))
    expected = _outputs(case.reference(*inputs))
    assert len(got) == len(expected)
    for y, reference in zip(got, expected):
        assert isinstance(y, Tensor), f"{case.name} returned {type(y).__name__}, not a Tensor"
        assert y.shape == numpy.shape(reference)
        numpy.testing.assert_allclose(y.numpy(), reference, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("case", ROWS, ids=[case.id for case in ROWS])
def test_gradient_matches_finite_differences(case):
    check_vjp(case.function, *case.inputs(), eps=case.eps, rtol=case.rtol, atol=case.atol,
              direction=case.direction)


@pytest.mark.parametrize("case", [c for c in ROWS if len(c.shapes) == 1 and not c.direction][:12],
                         ids=lambda case: case.id)
def test_float64_stays_float64(case):
    (x,) = case.inputs()
    for y in _outputs(case.function(Tensor(x))):
        assert y.dtype == "float64"


def public_ops():
    """The functions exported by ``minikeras.ops``, and those of ``ops.image`` as ``"image.<name>"``.

    ``ops.image`` also holds helpers it imports (``as_tensor``...); only the
    functions its own files define count.
    """
    names = {name for name, value in vars(ops).items()
             if not name.startswith("_") and isinstance(value, types.FunctionType)}
    return names | {f"image.{name}" for name, value in vars(ops.image).items()
                    if not name.startswith("_") and isinstance(value, types.FunctionType)
                    and value.__module__.startswith("minikeras.ops.image")}


def test_every_differentiable_op_has_a_table_row():
    in_table = {case.name for case in ROWS}
    missing = public_ops() - in_table - NON_DIFFERENTIABLE
    assert not missing, f"ops without a row in tests/autodiff/op_table.py: {sorted(missing)}"


def test_table_names_only_public_ops():
    unknown = ({case.name for case in ROWS} | NON_DIFFERENTIABLE) - public_ops() - INTERNAL
    assert not unknown, f"names in op_table.py that minikeras.ops does not export: {sorted(unknown)}"


def test_gradcheck_catches_a_wrong_gradient():
    from minikeras.autodiff.op import Op

    class WrongSquare(Op):
        def forward(self, x):
            self.x = x
            return x * x

        def backward(self, dy):
            return dy * self.x  # should be 2 * x * dy

    with pytest.raises(AssertionError, match="finite diff"):
        check_vjp(lambda x: WrongSquare()(x), numpy.array([1.0, 2.0]))
