"""Bad input fails early, with a message naming the shapes involved."""

import numpy
import pytest

from minikeras import ops

pytestmark = pytest.mark.engine


def test_incompatible_broadcast_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4,\)"):
        ops.add(numpy.ones((2, 3)), numpy.ones(4))
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(2,\)"):
        ops.multiply(numpy.ones((2, 3)), numpy.ones(2))


def test_reshape_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4,\)"):
        ops.reshape(numpy.ones((2, 3)), (4,))


def test_concatenate_names_the_shapes():
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(2, 3, 1\)"):
        ops.concatenate([numpy.ones((2, 3)), numpy.ones((2, 3, 1))])


def test_crossentropy_shape_mismatch():
    with pytest.raises(ValueError, match="target.shape=\\(2, 3\\), output.shape=\\(2, 4\\)"):
        ops.categorical_crossentropy(numpy.ones((2, 3)), numpy.ones((2, 4)))
    with pytest.raises(ValueError, match="up until the last dimension"):
        ops.sparse_categorical_crossentropy(numpy.array([0, 1, 2]), numpy.ones((2, 4)))


def test_matmul_and_split_errors():
    with pytest.raises(ValueError):
        ops.matmul(numpy.ones((2, 3)), numpy.ones((4, 2)))
    with pytest.raises(ValueError, match="equal sections"):
        ops.split(numpy.ones(5), 2)


def test_squeeze_of_a_non_unit_axis():
    with pytest.raises(ValueError, match="size is not 1"):
        ops.squeeze(numpy.ones((2, 3)), axis=0)


def test_axis_out_of_range():
    with pytest.raises(ValueError, match="out of bounds"):
        ops.sum(numpy.ones((2, 3)), axis=2)
