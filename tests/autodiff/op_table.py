"""THE table of differentiable ops: one row per use of an op, read by the tests.

Each ``Case`` names a public op of ``minikeras.ops``, a function that calls
it on Tensors, the same computation written in plain NumPy (the oracle of the
forward check), the input shapes, and the input range to sample from. Ranges
avoid the places where an op has no derivative (``relu`` at 0, ``log`` at 0,
a ``clip`` bound): ``kinks`` lists points that sampled values keep away from.

``test_op_table.py`` runs every row through the forward check and
``check_vjp``, and fails if a differentiable public op has no row here. When
you add an op to ``minikeras.ops``, add a row (or list it in
``NON_DIFFERENTIABLE`` if nothing flows through it).
"""

import math
from dataclasses import dataclass
from dataclasses import field

import numpy

from minikeras import ops
from minikeras import random
from minikeras.autodiff.conv import conv_max_pool
from minikeras.autodiff.matmul import dense
from minikeras.autodiff.recurrent import gru_sequence
from minikeras.autodiff.recurrent import lstm_sequence
from minikeras.autodiff.recurrent import simple_rnn_sequence
from minikeras.autodiff.resample import along_axis
from tests.autodiff import image_oracles as im
from tests.autodiff.op_oracles import EYE3
from tests.autodiff.op_oracles import np_adaptive
from tests.autodiff.op_oracles import np_attention
from tests.autodiff.op_oracles import np_conv2d_valid
from tests.autodiff.op_oracles import np_conv3d_valid
from tests.autodiff.op_oracles import np_conv_transpose
from tests.autodiff.op_oracles import np_conv_transpose3d_valid
from tests.autodiff.op_oracles import np_depthwise3d_valid
from tests.autodiff.op_oracles import np_depthwise_valid
from tests.autodiff.op_oracles import np_elu
from tests.autodiff.op_oracles import np_erf
from tests.autodiff.op_oracles import np_fori
from tests.autodiff.op_oracles import np_gelu_tanh
from tests.autodiff.op_oracles import np_grouped_conv2d_valid
from tests.autodiff.op_oracles import np_gru
from tests.autodiff.op_oracles import np_hard_sigmoid
from tests.autodiff.op_oracles import np_logsumexp
from tests.autodiff.op_oracles import np_lstm
from tests.autodiff.op_oracles import np_pool3d
from tests.autodiff.op_oracles import np_pool_valid
from tests.autodiff.op_oracles import np_repeat
from tests.autodiff.op_oracles import np_scan
from tests.autodiff.op_oracles import np_scatter
from tests.autodiff.op_oracles import np_scatter_update
from tests.autodiff.op_oracles import np_sigmoid
from tests.autodiff.op_oracles import np_simple_rnn
from tests.autodiff.op_oracles import np_slice_update
from tests.autodiff.op_oracles import np_softmax
from tests.autodiff.op_oracles import np_spd
from tests.autodiff.op_oracles import softplus_with_custom_gradient
from tests.autodiff.op_oracles import spd


@dataclass
class Case:
    name: str  # the op's public name in minikeras.ops
    function: object  # (*Tensors) -> Tensor or tuple of Tensors
    reference: object  # (*arrays) -> array or tuple of arrays (NumPy only)
    shapes: tuple  # one shape per input
    low: float = -2.0
    high: float = 2.0
    kinks: tuple = ()  # sampled values stay 0.1 away from these
    direction: bool = False  # check along one random direction (big ops)
    eps: float = 1e-6
    rtol: float = 1e-5
    atol: float = 1e-6
    extra: dict = field(default_factory=dict)

    @property
    def id(self):
        return f"{self.name}{list(self.shapes)}".replace(" ", "")

    def inputs(self, seed=0):
        """Random float64 inputs in [low, high], away from the kinks."""
        rng = numpy.random.default_rng(seed)
        arrays = []
        for shape in self.shapes:
            x = rng.uniform(self.low, self.high, shape)
            for kink in self.kinks:
                near = numpy.abs(x - kink) < 0.1
                x = numpy.where(near, x + numpy.where(x >= kink, 0.2, -0.2), x)
            arrays.append(x)
        return arrays


# fixed non-float arguments the rows close over
ALONG_MATRIX = numpy.array([[0.75, 0.25, 0.0], [0.25, 0.75, 0.0], [0.0, 0.75, 0.25], [0.0, 0.25, 0.75]])
CONDITION = numpy.array([[True, False, True], [False, True, True]])
INDICES = numpy.array([2, 0, 2])
ALONG = numpy.array([[1, 0, 1], [2, 2, 0]])
ONE_HOT = numpy.eye(3)[[0, 2]]
LABELS = numpy.array([1, 2])
KEY_MASK = numpy.array([[True, True, False, True], [True, False, True, True]])[:, None, None, :]  # (B, 1, 1, S)
SEQUENCE_MASK = numpy.array([[False, True, True, False], [True, True, False, False]])  # (N, T): padded steps
SELU = (1.6732632423543772848170429916717, 1.0507009873554804934193349852946)


# fixed arguments of the ops.image rows: a rotation-and-shift (float32-exact), four corners, sample points
AFFINE = numpy.array([0.75, -0.5, 0.5, 0.5, 0.75, -0.25, 0.0, 0.0])
START = numpy.array([[0.0, 0.0], [3.0, 0.0], [3.0, 3.0], [0.0, 3.0]])
END = numpy.array([[0.5, 0.0], [3.0, 0.5], [2.5, 3.0], [0.0, 2.5]])
# elastic_transform's draw for seed 7 on one 4x4 image: (2, N, H, W), the oracle's input
ELASTIC_NOISE = random.normal((2, 1, 4, 4, 1), stddev=1.0, dtype="float32", seed=7).numpy()[..., 0]
COORDINATES = numpy.array([[0.25, 1.5, 2.75, -0.5, 1.0], [0.5, 3.25, 1.75, 1.5, -0.25]])

# A multiplier with one zero: the product ops must still pass a gradient through it.
ZERO_AT_1_2 = numpy.ones((3, 4))
ZERO_AT_1_2[1, 2] = 0.0
NAN_AT_0_1 = numpy.zeros((3, 4))  # added to an input: the nan* ops must skip that entry
NAN_AT_0_1[0, 1] = numpy.nan
QUANTILES = numpy.array([0.0, 0.3, 0.75])
SEGMENTS = numpy.array([0, 0, 2, 2])  # segment 1 is empty
CTC_TARGET = numpy.array([[1, 1]])  # a repeated label: the path needs a blank between the two 1s

TABLE = [
    # elementwise arithmetic; broadcasting (3,) against (2, 3) undoes in the gradient
    Case("add", ops.add, numpy.add, ((2, 3), (3,))),
    Case("subtract", ops.subtract, numpy.subtract, ((2, 1), (1, 3))),
    Case("multiply", ops.multiply, numpy.multiply, ((2, 3), (2, 1))),
    Case("divide", ops.divide, numpy.divide, ((2, 3), (3,)), low=0.5),
    Case("true_divide", ops.true_divide, numpy.true_divide, ((3,), (3,)), low=0.5),
    Case("power", ops.power, numpy.power, ((2, 3), (2, 3)), low=0.5),
    Case("maximum", ops.maximum, numpy.maximum, ((2, 3), (2, 3))),
    Case("minimum", ops.minimum, numpy.minimum, ((2, 3), (3,))),
    Case("negative", ops.negative, numpy.negative, ((2, 3),)),
    Case("abs", ops.abs, numpy.abs, ((2, 3),), kinks=(0.0,)),
    Case("absolute", ops.absolute, numpy.absolute, ((4,),), kinks=(0.0,)),
    Case("copy", ops.copy, numpy.copy, ((2, 3),)),
    Case("where", lambda a, b: ops.where(CONDITION, a, b), lambda a, b: numpy.where(CONDITION, a, b),
         ((2, 3), (3,))),
    Case("clip", lambda x: ops.clip(x, -1.0, 1.0), lambda x: numpy.clip(x, -1, 1), ((3, 3),), kinks=(-1.0, 1.0)),
    Case("cast", lambda x: ops.cast(ops.cast(x, "float32"), "float64"), lambda x: x.astype("float32"), ((4,),),
         eps=1e-2, rtol=1e-3, atol=1e-4),
    # one-input math
    Case("exp", ops.exp, numpy.exp, ((2, 3),)),
    Case("expm1", ops.expm1, numpy.expm1, ((2, 3),)),
    Case("log", ops.log, numpy.log, ((2, 3),), low=0.2),
    Case("log1p", ops.log1p, numpy.log1p, ((2, 3),), low=-0.5),
    Case("sqrt", ops.sqrt, numpy.sqrt, ((2, 3),), low=0.2),
    Case("rsqrt", ops.rsqrt, lambda x: 1 / numpy.sqrt(x), ((2, 3),), low=0.2),
    Case("square", ops.square, numpy.square, ((2, 3),)),
    Case("reciprocal", ops.reciprocal, numpy.reciprocal, ((2, 3),), low=0.5),
    Case("sin", ops.sin, numpy.sin, ((2, 3),)),
    Case("cos", ops.cos, numpy.cos, ((2, 3),)),
    Case("tanh", ops.tanh, numpy.tanh, ((2, 3),)),
    Case("erf", ops.erf, np_erf, ((2, 3),)),
    # reductions
    Case("sum", lambda x: ops.sum(x, axis=1), lambda x: x.sum(axis=1), ((2, 3, 2),)),
    Case("mean", lambda x: ops.mean(x, axis=(0, 2), keepdims=True), lambda x: x.mean(axis=(0, 2), keepdims=True),
         ((2, 3, 2),)),
    Case("max", lambda x: ops.max(x, axis=-1), lambda x: x.max(axis=-1), ((3, 4),)),
    Case("min", ops.min, numpy.min, ((3, 4),)),
    Case("var", lambda x: ops.var(x, axis=0), lambda x: x.var(axis=0), ((4, 3),)),
    Case("std", ops.std, numpy.std, ((4, 3),)),
    Case("logsumexp", lambda x: ops.logsumexp(x, axis=1), lambda x: np_logsumexp(x, axis=1), ((3, 4),)),
    Case("cumsum", lambda x: ops.cumsum(x, axis=1), lambda x: numpy.cumsum(x, axis=1), ((2, 4),)),
    Case("norm", ops.norm, numpy.linalg.norm, ((3, 4),)),
    Case("norm", lambda x: ops.norm(x, ord=1, axis=(0, 1)), lambda x: numpy.linalg.norm(x, 1, axis=(0, 1)),
         ((3, 4),), kinks=(0.0,)),
    Case("average", lambda x, w: ops.average(x, axis=1, weights=w),
         lambda x, w: numpy.average(x, axis=1, weights=w), ((2, 3), (3,)), low=0.5),
    Case("trace", ops.trace, numpy.trace, ((3, 3),)),
    # reading and writing by position (ops/indexing.py): a scatter's gradient is a gather, and back
    Case("slice", lambda x: ops.slice(x, (1, 0), (2, 2)), lambda x: x[1:3, 0:2], ((3, 4),)),
    Case("slice_update", lambda x, u: ops.slice_update(x, (0, 1), u),
         lambda x, u: np_slice_update(x, u), ((3, 4), (2, 2))),
    Case("scatter", lambda v: ops.scatter(numpy.array([[0, 1], [2, 0], [0, 1]]), v, (3, 2)),
         lambda v: np_scatter(v), ((3,),)),
    Case("scatter_update", lambda x, u: ops.scatter_update(x, numpy.array([[2], [0]]), u),
         lambda x, u: np_scatter_update(x, u), ((3, 2), (2, 2))),
    Case("scatter_update", lambda x, u: ops.scatter_update(x, numpy.array([[1, 1]]), u, reduction="add"),
         lambda x, u: x + numpy.pad(u.reshape(1, 1), ((1, 1), (1, 0))), ((3, 2), (1,))),
    Case("segment_sum", lambda x: ops.segment_sum(x, numpy.array([0, 2, 0, 1]), num_segments=3),
         lambda x: numpy.stack([x[0] + x[2], x[3], x[1]]), ((4, 2),)),
    Case("segment_max", lambda x: ops.segment_max(x, numpy.array([1, 0, 1, 1])),
         lambda x: numpy.stack([x[1], x[[0, 2, 3]].max(axis=0)]), ((4, 2),)),
    Case("unstack", lambda x: ops.unstack(x, axis=1), lambda x: tuple(x[:, i] for i in range(3)), ((2, 3),)),
    Case("select", lambda a, b: ops.select([a > 0.5, b > 0.0], [a * b, ops.sin(b)], default=a),
         lambda a, b: numpy.select([a > 0.5, b > 0.0], [a * b, numpy.sin(b)], default=a), ((2, 3), (2, 3)),
         kinks=(0.0, 0.5)),
    # control flow: the tape records the body of every step, so gradients flow through the loops
    Case("cond", lambda x: ops.cond(x.shape[0] == 2, lambda: x * x, lambda: x), lambda x: x * x, ((2, 3),)),
    Case("switch", lambda x: ops.switch(1, [ops.cos, ops.sin], x), numpy.sin, ((2, 3),)),
    Case("while_loop", lambda x: ops.while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, y * ops.tanh(y)), (0, x))[1],
         lambda x: np_repeat(lambda y: y * numpy.tanh(y), x, 3), ((2, 3),)),
    Case("fori_loop", lambda x: ops.fori_loop(0, 3, lambda i, y: ops.sin(y) + i * x, x),
         lambda x: np_fori(x), ((2, 3),)),
    Case("scan", lambda c, x: ops.scan(lambda carry, row: (carry * ops.tanh(row), carry + row), c, x),
         np_scan, ((3,), (4, 3))),
    Case("map", lambda x: ops.map(lambda row: ops.sum(row * row), x), lambda x: (x * x).sum(axis=1), ((4, 3),)),
    Case("vectorized_map", lambda x: ops.vectorized_map(lambda row: ops.sin(row), x), numpy.sin, ((4, 3),)),
    Case("associative_scan", lambda x: ops.associative_scan(ops.multiply, x, axis=1),
         lambda x: numpy.cumprod(x, axis=1), ((2, 4),)),
    Case("associative_scan", lambda x: ops.associative_scan(ops.add, x, reverse=True),
         lambda x: numpy.cumsum(x[::-1], axis=0)[::-1], ((4, 2),)),
    Case("custom_gradient", lambda x: softplus_with_custom_gradient(x), lambda x: numpy.log1p(numpy.exp(x)),
         ((2, 3),)),
    # linear algebra (ops.linalg): matrices kept well conditioned by adding 4 I
    Case("inv", lambda x: ops.inv(x + 4 * EYE3), lambda x: numpy.linalg.inv(x + 4 * EYE3), ((2, 3, 3),)),
    Case("det", lambda x: ops.det(x + 4 * EYE3), lambda x: numpy.linalg.det(x + 4 * EYE3), ((2, 3, 3),)),
    Case("slogdet", lambda x: ops.slogdet(x - 4 * EYE3)[1], lambda x: numpy.linalg.slogdet(x - 4 * EYE3)[1],
         ((3, 3),)),
    Case("logdet", lambda x: ops.logdet(spd(x)), lambda x: numpy.linalg.slogdet(np_spd(x))[1], ((3, 3),)),
    Case("solve", lambda a, b: ops.solve(a + 4 * EYE3, b), lambda a, b: numpy.linalg.solve(a + 4 * EYE3, b),
         ((2, 3, 3), (2, 3, 2))),
    Case("solve", lambda a, b: ops.solve(a + 4 * EYE3, b), lambda a, b: numpy.linalg.solve(a + 4 * EYE3, b),
         ((3, 3), (3,))),
    Case("solve_triangular", lambda a, b: ops.solve_triangular(a + 4 * EYE3, b, lower=True),
         lambda a, b: numpy.linalg.solve(numpy.tril(a + 4 * EYE3), b), ((3, 3), (3, 2))),
    Case("cholesky", lambda x: ops.cholesky(spd(x)), lambda x: numpy.linalg.cholesky(np_spd(x)), ((2, 3, 3),)),
    Case("cholesky", lambda x: ops.cholesky(x + 4 * EYE3, upper=True),
         lambda x: numpy.linalg.cholesky((x + x.T) / 2 + 4 * EYE3).T, ((3, 3),), low=-1.0, high=1.0),
    Case("cholesky_inverse", lambda x: ops.cholesky_inverse(ops.tril(x) + 4 * EYE3),
         lambda x: numpy.linalg.inv((numpy.tril(x) + 4 * EYE3) @ (numpy.tril(x) + 4 * EYE3).T), ((3, 3),)),
    Case("lstsq", ops.lstsq, lambda a, b: numpy.linalg.lstsq(a, b, rcond=None)[0], ((5, 3), (5, 2))),
    Case("lstsq", ops.lstsq, lambda a, b: numpy.linalg.lstsq(a, b, rcond=None)[0], ((4, 2), (4,))),
    Case("pinv", ops.pinv, numpy.linalg.pinv, ((4, 3),)),
    Case("pinv", ops.pinv, numpy.linalg.pinv, ((2, 2, 3),)),
    Case("eigh", lambda x: ops.eigh(x)[0], lambda x: numpy.linalg.eigh((x + x.T) / 2)[0], ((3, 3),)),
    # eigenvectors are defined up to sign: their squares are not
    Case("eigh", lambda x: ops.eigh(x)[1] ** 2, lambda x: numpy.linalg.eigh((x + x.T) / 2)[1] ** 2, ((3, 3),)),
    Case("qr", lambda x: ops.qr(x)[0], lambda x: numpy.linalg.qr(x)[0], ((4, 3),)),
    Case("qr", lambda x: ops.qr(x)[1], lambda x: numpy.linalg.qr(x)[1], ((2, 3, 3),)),
    Case("svd", lambda x: ops.svd(x, compute_uv=False), lambda x: numpy.linalg.svd(x, compute_uv=False),
         ((3, 4),)),
    # shapes
    Case("reshape", lambda x: ops.reshape(x, (3, -1)), lambda x: x.reshape(3, -1), ((2, 3, 2),)),
    Case("transpose", lambda x: ops.transpose(x, (2, 0, 1)), lambda x: x.transpose(2, 0, 1), ((2, 3, 4),)),
    Case("swapaxes", lambda x: ops.swapaxes(x, 0, 2), lambda x: numpy.swapaxes(x, 0, 2), ((2, 3, 4),)),
    Case("moveaxis", lambda x: ops.moveaxis(x, 0, -1), lambda x: numpy.moveaxis(x, 0, -1), ((2, 3, 4),)),
    Case("expand_dims", lambda x: ops.expand_dims(x, 1), lambda x: numpy.expand_dims(x, 1), ((2, 3),)),
    Case("squeeze", lambda x: ops.squeeze(x, axis=1), lambda x: numpy.squeeze(x, axis=1), ((2, 1, 3),)),
    Case("ravel", ops.ravel, numpy.ravel, ((2, 3),)),
    Case("get_item", lambda x: ops.get_item(x, (slice(None), slice(1, 3))), lambda x: x[:, 1:3], ((2, 4),)),
    Case("get_item", lambda x: ops.get_item(x, [0, 0, 1]), lambda x: x[[0, 0, 1]], ((2, 3),)),  # a repeated row
    Case("broadcast_to", lambda x: ops.broadcast_to(x, (4, 2, 3)), lambda x: numpy.broadcast_to(x, (4, 2, 3)),
         ((2, 1),)),
    Case("flip", lambda x: ops.flip(x, axis=1), lambda x: numpy.flip(x, axis=1), ((2, 3),)),
    Case("diagonal", ops.diagonal, numpy.diagonal, ((3, 4),)),
    Case("triu", ops.triu, numpy.triu, ((3, 3),)),
    Case("tril", lambda x: ops.tril(x, -1), lambda x: numpy.tril(x, -1), ((3, 4),)),
    # joining, cutting, gathering
    Case("concatenate", lambda a, b: ops.concatenate([a, b, a], axis=1),
         lambda a, b: numpy.concatenate([a, b, a], axis=1), ((2, 3), (2, 1))),
    Case("stack", lambda a, b: ops.stack([a, b], axis=1), lambda a, b: numpy.stack([a, b], axis=1),
         ((2, 3), (2, 3))),
    Case("append", ops.append, numpy.append, ((2, 2), (3,))),
    Case("hstack", lambda a, b: ops.hstack([a, b]), lambda a, b: numpy.hstack([a, b]), ((2, 2), (2, 3))),
    Case("vstack", lambda a, b: ops.vstack([a, b]), lambda a, b: numpy.vstack([a, b]), ((2, 3), (3,))),
    Case("split", lambda x: ops.split(x, 3, axis=1), lambda x: numpy.split(x, 3, axis=1), ((2, 6),)),
    Case("split", lambda x: ops.split(x, [1, 3]), lambda x: numpy.split(x, [1, 3]), ((5,),)),
    Case("take", lambda x: ops.take(x, INDICES, axis=1), lambda x: numpy.take(x, INDICES, axis=1), ((2, 3),)),
    Case("take", lambda x: ops.take(x, ALONG), lambda x: numpy.take(x, ALONG), ((2, 3),)),
    Case("take_along_axis", lambda x: ops.take_along_axis(x, ALONG, axis=1),
         lambda x: numpy.take_along_axis(x, ALONG, axis=1), ((2, 4),)),
    Case("pad", lambda x: ops.pad(x, ((1, 0), (2, 1))), lambda x: numpy.pad(x, ((1, 0), (2, 1))), ((2, 3),)),
    Case("pad", lambda x: ops.pad(x, ((0, 0), (2, 2)), mode="reflect"),
         lambda x: numpy.pad(x, ((0, 0), (2, 2)), mode="reflect"), ((2, 3),)),
    Case("tile", lambda x: ops.tile(x, (2, 1, 3)), lambda x: numpy.tile(x, (2, 1, 3)), ((2, 2),)),
    Case("repeat", lambda x: ops.repeat(x, 2, axis=0), lambda x: numpy.repeat(x, 2, axis=0), ((2, 3),)),
    Case("repeat", lambda x: ops.repeat(x, [1, 0, 3], axis=1), lambda x: numpy.repeat(x, [1, 0, 3], axis=1),
         ((2, 3),)),
    Case("sort", lambda x: ops.sort(x, axis=0), lambda x: numpy.sort(x, axis=0), ((3, 4),)),
    Case("top_k", lambda x: ops.top_k(x, 2)[0], lambda x: -numpy.sort(-x, axis=-1)[..., :2], ((3, 4),)),
    # products
    Case("matmul", ops.matmul, numpy.matmul, ((2, 3), (3, 4))),
    Case("matmul", ops.matmul, numpy.matmul, ((2, 2, 3), (3,))),
    Case("matmul", ops.matmul, numpy.matmul, ((2, 3, 2, 3), (3, 4))),  # a stack of rows: one folded product
    Case("dot", ops.dot, numpy.dot, ((2, 3, 4), (4, 2))),
    Case("tensordot", lambda a, b: ops.tensordot(a, b, axes=([0, 2], [2, 0])),
         lambda a, b: numpy.tensordot(a, b, axes=([0, 2], [2, 0])), ((2, 3, 4), (4, 5, 2))),
    Case("einsum", lambda a, b: ops.einsum("bij,jk->bki", a, b),
         lambda a, b: numpy.einsum("bij,jk->bki", a, b), ((2, 3, 4), (4, 2))),
    Case("einsum", lambda a, b: ops.einsum("...i,i", a, b), lambda a, b: numpy.einsum("...i,i", a, b),
         ((2, 3, 4), (4,))),
    # einsum patterns of EinsumDense and MultiHeadAttention (projections, scores, combination)
    Case("einsum", lambda a, b: ops.einsum("abc,cde->abde", a, b), lambda a, b: numpy.einsum("abc,cde->abde", a, b),
         ((2, 3, 4), (4, 2, 3))),
    Case("einsum", lambda a, b: ops.einsum("abcd,cde->abe", a, b), lambda a, b: numpy.einsum("abcd,cde->abe", a, b),
         ((2, 3, 2, 3), (2, 3, 4))),
    Case("einsum", lambda a, b: ops.einsum("aecd,abcd->acbe", a, b),
         lambda a, b: numpy.einsum("aecd,abcd->acbe", a, b), ((2, 4, 2, 3), (2, 3, 2, 3))),
    Case("einsum", lambda a, b: ops.einsum("acbe,aecd->abcd", a, b),
         lambda a, b: numpy.einsum("acbe,aecd->abcd", a, b), ((2, 2, 3, 4), (2, 4, 2, 3))),
    Case("einsum", lambda a, b: ops.einsum("...b,bc->...c", a, b), lambda a, b: numpy.einsum("...b,bc->...c", a, b),
         ((2, 3, 4), (4, 2))),
    Case("einsum", lambda a, b: ops.einsum("ab,cb->ac", a, b), lambda a, b: numpy.einsum("ab,cb->ac", a, b),
         ((2, 1), (3, 4))),  # a size-1 axis broadcast against 4: summed back
    Case("einsum", lambda a, b: ops.einsum("abz,bc->ca", a, b), lambda a, b: numpy.einsum("abz,bc->ca", a, b),
         ((2, 3, 2), (3, 4))),  # z only in a: summed away, broadcast back in the gradient
    Case("dot_product_attention", ops.dot_product_attention, np_attention, ((2, 3, 2, 4), (2, 4, 2, 4), (2, 4, 2, 3))),
    Case("dot_product_attention", lambda q, k, v: ops.dot_product_attention(q, k, v, mask=KEY_MASK, is_causal=True),
         lambda q, k, v: np_attention(q, k, v, mask=KEY_MASK, causal=True), ((2, 4, 2, 3), (2, 4, 2, 3), (2, 4, 2, 3))),
    Case("dot_product_attention", lambda q, k, v, b: ops.dot_product_attention(q, k, v, bias=b),
         lambda q, k, v, b: np_attention(q, k, v, bias=b), ((2, 3, 2, 4), (2, 5, 2, 4), (2, 5, 2, 2), (2, 1, 3, 5))),
    Case("outer", ops.outer, numpy.outer, ((3,), (2,))),
    # activations (kinks of relu at 0, relu6 at 0 and 6, hard_sigmoid at -3 and 3)
    Case("relu", ops.relu, lambda x: numpy.maximum(x, 0), ((3, 4),), kinks=(0.0,)),
    Case("relu6", ops.relu6, lambda x: numpy.clip(x, 0, 6), ((3, 4),), low=-3, high=8, kinks=(0.0, 6.0)),
    Case("leaky_relu", ops.leaky_relu, lambda x: numpy.where(x >= 0, x, 0.2 * x), ((3, 4),), kinks=(0.0,)),
    Case("elu", lambda x: ops.elu(x, alpha=0.5), lambda x: np_elu(x, 0.5), ((3, 4),), kinks=(0.0,)),
    Case("selu", ops.selu, lambda x: SELU[1] * np_elu(x, SELU[0]), ((3, 4),), kinks=(0.0,)),
    Case("sigmoid", ops.sigmoid, np_sigmoid, ((3, 4),), low=-30, high=30),
    Case("log_sigmoid", ops.log_sigmoid, lambda x: numpy.log(np_sigmoid(x)), ((3, 4),), low=-5, high=5),
    Case("softplus", ops.softplus, lambda x: numpy.log1p(numpy.exp(x)), ((3, 4),), low=-5, high=5),
    Case("softsign", ops.softsign, lambda x: x / (1 + numpy.abs(x)), ((3, 4),), kinks=(0.0,)),
    Case("silu", ops.silu, lambda x: x * np_sigmoid(x), ((3, 4),)),
    Case("swish", ops.swish, lambda x: x * np_sigmoid(x), ((3, 4),)),
    Case("hard_sigmoid", ops.hard_sigmoid, np_hard_sigmoid, ((3, 4),), low=-5, high=5, kinks=(-3.0, 3.0)),
    Case("hard_silu", ops.hard_silu, lambda x: x * np_hard_sigmoid(x), ((3, 4),), low=-5, high=5,
         kinks=(-3.0, 3.0)),
    Case("hard_swish", ops.hard_swish, lambda x: x * np_hard_sigmoid(x), ((3, 4),), low=-5, high=5,
         kinks=(-3.0, 3.0)),
    Case("gelu", ops.gelu, np_gelu_tanh, ((3, 4),)),
    Case("gelu", lambda x: ops.gelu(x, approximate=False), lambda x: 0.5 * x * (1 + np_erf(x / math.sqrt(2))),
         ((3, 4),)),
    Case("softmax", ops.softmax, np_softmax, ((3, 4),), low=-5, high=5),
    Case("softmax", lambda x: ops.softmax(x, axis=0), lambda x: np_softmax(x, axis=0), ((3, 4),)),
    Case("log_softmax", ops.log_softmax, lambda x: numpy.log(np_softmax(x)), ((3, 4),)),
    # losses: from logits (both inputs differentiable) and from probabilities
    Case("binary_crossentropy", lambda t, o: ops.binary_crossentropy(t, o, from_logits=True),
         lambda t, o: -(t * numpy.log(np_sigmoid(o)) + (1 - t) * numpy.log(1 - np_sigmoid(o))), ((2, 3), (2, 3))),
    Case("binary_crossentropy", lambda o: ops.binary_crossentropy(ONE_HOT, o),
         lambda o: -(ONE_HOT * numpy.log(o) + (1 - ONE_HOT) * numpy.log(1 - o)), ((2, 3),), low=0.05, high=0.95),
    Case("categorical_crossentropy", lambda t, o: ops.categorical_crossentropy(t, o, from_logits=True),
         lambda t, o: -numpy.sum(t * numpy.log(np_softmax(o)), axis=-1), ((2, 3), (2, 3)), low=0.0, high=1.0),
    Case("categorical_crossentropy", lambda o: ops.categorical_crossentropy(ONE_HOT, o),
         lambda o: -numpy.sum(ONE_HOT * numpy.log(o / o.sum(-1, keepdims=True)), axis=-1), ((2, 3),), low=0.2),
    Case("sparse_categorical_crossentropy", lambda o: ops.sparse_categorical_crossentropy(LABELS, o, True),
         lambda o: -numpy.log(np_softmax(o))[[0, 1], LABELS], ((2, 3),)),
    Case("sparse_categorical_crossentropy", lambda o: ops.sparse_categorical_crossentropy(LABELS, o),
         lambda o: -numpy.log(o / o.sum(-1, keepdims=True))[[0, 1], LABELS], ((2, 3),), low=0.2),
    # statistics and normalisation
    Case("moments", lambda x: ops.moments(x, axes=[0, 1]), lambda x: (x.mean(axis=(0, 1)), x.var(axis=(0, 1))),
         ((2, 3, 4),)),
    Case("batch_normalization",
         lambda x, m, v, b, g: ops.batch_normalization(x, m, v, axis=-1, offset=b, scale=g),
         lambda x, m, v, b, g: (x - m) / numpy.sqrt(v + 1e-3) * g + b,
         ((2, 3, 4), (4,), (4,), (4,), (4,)), low=0.2),
    Case("layer_normalization", lambda x, g, b: ops.layer_normalization(x, g, b, epsilon=1e-3),
         lambda x, g, b: (x - x.mean(-1, keepdims=True)) / numpy.sqrt(x.var(-1, keepdims=True) + 1e-3) * g + b,
         ((2, 3, 5), (5,), (5,))),
    Case("layer_normalization", lambda x, b: ops.layer_normalization(x, beta=b, epsilon=1e-3),  # no gamma
         lambda x, b: (x - x.mean(-1, keepdims=True)) / numpy.sqrt(x.var(-1, keepdims=True) + 1e-3) + b,
         ((4, 3), (3,))),
    Case("layer_normalization", lambda x, g: ops.layer_normalization(x, g, axis=[1, 2], epsilon=1e-3),
         lambda x, g: (x - x.mean((1, 2), keepdims=True)) / numpy.sqrt(x.var((1, 2), keepdims=True) + 1e-3) * g,
         ((2, 3, 4), (3, 4))),
    # convolution and pooling: big, so checked along one random direction
    Case("conv", ops.conv, np_conv2d_valid, ((2, 5, 5, 3), (3, 3, 3, 4)), direction=True),
    Case("conv", lambda x, k, b: ops.conv(x, k, bias=b), lambda x, k, b: np_conv2d_valid(x, k) + b,
         ((2, 5, 5, 3), (3, 3, 3, 4), (4,)), direction=True),
    Case("conv", lambda x, k, b: ops.conv(x, k, bias=b, activation="relu"),
         lambda x, k, b: numpy.maximum(np_conv2d_valid(x, k) + b, 0), ((2, 6, 6, 2), (3, 3, 2, 3), (3,)),
         direction=True),
    # the Dense layer's op (autodiff/matmul.py): product, bias and ReLU in one; rows of a sequence folded
    Case("dense", dense, lambda x, w, b: x @ w + b, ((4, 3), (3, 5), (5,))),
    Case("dense", lambda x, w, b: dense(x, w, b, activation="relu"), lambda x, w, b: numpy.maximum(x @ w + b, 0),
         ((4, 3), (3, 5), (5,))),
    Case("dense", lambda x, w, b: dense(x, w, b, activation="relu"), lambda x, w, b: numpy.maximum(x @ w + b, 0),
         ((2, 3, 4), (4, 2), (2,))),
    Case("conv", lambda x, k, b: ops.conv(x, k, bias=b),
         lambda x, k, b: np_conv2d_valid(x[:, None], k[None])[:, 0] + b, ((2, 7, 3), (3, 3, 2), (2,)),
         direction=True),  # 1-D
    # a Conv2D and the MaxPooling2D(2) after it as one op (autodiff/conv.py: ConvMaxPool), on the fused Winograd
    # kernel (16 input channels); a 7x7 convolution output pools to 3x3, dropping its last row and column
    Case("conv_max_pool", lambda x, k, b: conv_max_pool(x, k, b, activation="relu"),
         lambda x, k, b: np_pool_valid(numpy.maximum(np_conv2d_valid(x, k) + b, 0), 2, numpy.max),
         ((2, 9, 9, 16), (3, 3, 16, 2), (2,)), direction=True),
    Case("conv_max_pool", lambda x, k: conv_max_pool(x, k, padding="same"),
         lambda x, k: np_pool_valid(np_conv2d_valid(numpy.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0))), k), 2, numpy.max),
         ((1, 6, 6, 16), (3, 3, 16, 3)), direction=True),
    # whole-sequence recurrent ops (the fast path of LSTM / GRU / SimpleRNN): N=2, T=4, D=3, U=2
    Case("lstm_sequence", lstm_sequence, np_lstm, ((2, 4, 3), (2, 2), (2, 2), (3, 8), (2, 8), (8,)),
         low=-1.0, high=1.0),
    Case("lstm_sequence", lambda *inputs: lstm_sequence(*inputs, mask=SEQUENCE_MASK),
         lambda *inputs: np_lstm(*inputs, mask=SEQUENCE_MASK),
         ((2, 4, 3), (2, 2), (2, 2), (3, 8), (2, 8), (8,)), low=-1.0, high=1.0),  # padded steps
    Case("gru_sequence", gru_sequence, np_gru, ((2, 4, 3), (2, 2), (3, 6), (2, 6), (2, 6)),
         low=-1.0, high=1.0),
    Case("simple_rnn_sequence", simple_rnn_sequence, np_simple_rnn,
         ((2, 4, 3), (2, 2), (3, 2), (2, 2), (2,)), low=-1.0, high=1.0),
    Case("max_pool", lambda x: ops.max_pool(x, 2), lambda x: np_pool_valid(x, 2, numpy.max), ((2, 4, 4, 3),),
         direction=True),
    Case("average_pool", lambda x: ops.average_pool(x, 2), lambda x: np_pool_valid(x, 2, numpy.mean),
         ((2, 4, 4, 3),), direction=True),
    # 3-D pooling (separable: 2-D per depth slice, then along the depth), "same" padding included
    Case("max_pool", lambda x: ops.max_pool(x, (2, 2, 3), strides=(1, 2, 2), padding="same"),
         lambda x: np_pool3d(x, (2, 2, 3), (1, 2, 2), "same", numpy.max), ((2, 3, 4, 5, 2),), direction=True),
    Case("average_pool", lambda x: ops.average_pool(x, (2, 2, 2), padding="same"),
         lambda x: np_pool3d(x, (2, 2, 2), (2, 2, 2), "same", numpy.mean), ((1, 3, 4, 3, 2),), direction=True),
    # adaptive pooling: 5 cells to 3 windows [0, 2), [1, 4), [3, 5); 4 cells to 6 (upsampling)
    Case("adaptive_average_pool", lambda x: ops.adaptive_average_pool(x, (3, 6)),
         lambda x: np_adaptive(x, (3, 6), numpy.mean), ((2, 5, 4, 2),), direction=True),
    Case("adaptive_max_pool", lambda x: ops.adaptive_max_pool(x, 3),
         lambda x: np_adaptive(x, (3,), numpy.max), ((2, 7, 2),), direction=True),
    Case("adaptive_average_pool", lambda x: ops.adaptive_average_pool(x, 2, data_format="channels_first"),
         lambda x: np_adaptive(x.transpose(0, 2, 3, 4, 1), (2, 2, 2), numpy.mean).transpose(0, 4, 1, 2, 3),
         ((1, 2, 3, 4, 5),), direction=True),
    # transposed convolution: spread, pad, convolve with the flipped kernel
    Case("conv_transpose", lambda x, k: ops.conv_transpose(x, k, strides=2, padding="same"),
         lambda x, k: np_conv_transpose(x, k, 2), ((2, 3, 3, 2), (3, 3, 4, 2)), direction=True),
    Case("conv_transpose", lambda x, k: ops.conv_transpose(x, k, strides=3),
         lambda x, k: np_conv_transpose(x[:, None], k[None], 3, valid=True)[:, 0], ((2, 3, 2), (2, 3, 2)),
         direction=True),
    # issue 17: grouped, 3-D, depthwise and separable convolutions
    Case("conv", ops.conv, np_grouped_conv2d_valid, ((2, 4, 4, 4), (2, 2, 2, 4)), direction=True),  # 2 groups
    Case("conv", lambda x, k, b: ops.conv(x, k, bias=b, activation="relu"),
         lambda x, k, b: numpy.maximum(np_conv3d_valid(x, k) + b, 0), ((2, 3, 4, 3, 2), (2, 2, 2, 2, 3), (3,)),
         direction=True),  # 3-D
    Case("conv_transpose", lambda x, k: ops.conv_transpose(x, k, strides=2),
         lambda x, k: np_conv_transpose3d_valid(x, k, 2), ((1, 2, 2, 3, 2), (2, 2, 3, 2, 2)), direction=True),
    # transposed convolution with the fused bias and ReLU, and output_padding (rows no window reaches)
    Case("conv_transpose", lambda x, k, b: ops.conv_transpose(x, k, strides=2, output_padding=1, bias=b,
                                                               activation="relu"),
         lambda x, k, b: numpy.maximum(numpy.pad(np_conv_transpose(x, k, 2, valid=True),
                                                 ((0, 0), (0, 1), (0, 1), (0, 0))) + b, 0),
         ((1, 3, 2, 2), (2, 2, 3, 2), (3,)), direction=True),
    Case("depthwise_conv", lambda x, k: ops.depthwise_conv(x, k, strides=2), lambda x, k: np_depthwise_valid(x, k, 2),
         ((2, 5, 5, 3), (3, 3, 3, 2)), direction=True),
    Case("depthwise_conv", lambda x, k, b: ops.depthwise_conv(x, k, bias=b, activation="relu"),
         lambda x, k, b: numpy.maximum(np_depthwise_valid(x[:, None], k[None])[:, 0] + b, 0),
         ((2, 6, 2), (3, 2, 2), (4,)), direction=True),  # 1-D, with the fused bias and ReLU
    Case("depthwise_conv", ops.depthwise_conv, np_depthwise3d_valid, ((1, 3, 4, 3, 2), (2, 2, 2, 2, 2)),
         direction=True),  # 3-D: one 2-D depthwise convolution per depth tap
    Case("separable_conv", ops.separable_conv,
         lambda x, d, p: np_conv2d_valid(np_depthwise_valid(x, d), p), ((2, 4, 5, 2), (2, 3, 2, 2), (1, 1, 4, 3)),
         direction=True),
    # one constant matrix along one axis (the resizes of ops.image are built on it)
    Case("along_axis", lambda x: along_axis(x, ALONG_MATRIX, 1), lambda x: numpy.einsum("ol,nlc->noc", ALONG_MATRIX, x),
         ((2, 3, 2),)),

    # ----- ops.image: each function built from the ops above, so its gradient comes from theirs -----
    Case("image.resize", lambda x: ops.image.resize(x, (5, 4)), lambda x: im.np_resize_bilinear(x, (5, 4)),
         ((1, 3, 2, 2),)),
    Case("image.resize", lambda x: ops.image.resize(x, (2, 3), interpolation="bilinear", antialias=True),
         lambda x: im.np_resize(x, (2, 3), im.triangle, antialias=True), ((1, 5, 4, 1),)),
    Case("image.resize", lambda x: ops.image.resize(x, (5, 2), interpolation="nearest"),
         lambda x: im.np_resize_nearest(x, (5, 2)), ((2, 3, 4, 1),)),
    Case("image.resize", lambda x: ops.image.resize(x, (4, 3), interpolation="bicubic"),
         lambda x: im.np_resize(x, (4, 3), im.keys_cubic), ((1, 3, 5, 2),)),
    Case("image.resize", lambda x: ops.image.resize(x, (2, 5), interpolation="lanczos3", antialias=True),
         lambda x: im.np_resize(x, (2, 5), im.lanczos3, antialias=True), ((1, 4, 3, 1),)),
    Case("image.resize", lambda x: ops.image.resize(x, (2, 2), crop_to_aspect_ratio=True),
         lambda x: im.np_resize_bilinear(x[:, :, 1:4], (2, 2)), ((1, 3, 5, 1),)),  # the centre 3x3
    Case("image.scale_and_translate",
         lambda x: ops.image.scale_and_translate(x, (1, 4, 3, 1), (1.5, 0.5), (0.25, -0.5), (1, 2), "linear"),
         lambda x: im.np_resample(im.np_resample(x, 1, 4, im.triangle, 1.5, 0.25, True), 2, 3, im.triangle, 0.5,
                                  -0.5, True), ((1, 3, 4, 1),)),
    Case("image.affine_transform", lambda x: ops.image.affine_transform(x, AFFINE),
         lambda x: im.np_affine(x, AFFINE), ((2, 4, 3, 2),), low=0.0, high=1.0, direction=True),
    Case("image.perspective_transform", lambda x: ops.image.perspective_transform(x, START, END),
         lambda x: im.np_perspective(x, START, END), ((1, 4, 4, 1),), low=0.0, high=1.0, rtol=1e-4, atol=1e-5),
    Case("image.elastic_transform", lambda x: ops.image.elastic_transform(x, 1.0, 1.0, fill_mode="constant", seed=7),
         lambda x: im.np_elastic(x, ELASTIC_NOISE, 1.0, 1.0), ((1, 4, 4, 2),), low=0.0, high=1.0),
    Case("image.map_coordinates", lambda x: ops.image.map_coordinates(x, COORDINATES, order=1),
         lambda x: im.np_map_coordinates(x, COORDINATES), ((3, 4),)),
    Case("image.crop_images", lambda x: ops.image.crop_images(x, 1, 0, target_height=2, target_width=3),
         lambda x: x[:, 1:3, 0:3], ((2, 4, 4, 1),)),
    Case("image.pad_images", lambda x: ops.image.pad_images(x, 1, 0, 0, 2), lambda x: numpy.pad(
        x, ((0, 0), (1, 0), (0, 2), (0, 0))), ((1, 2, 3, 2),)),
    Case("image.extract_patches", lambda x: ops.image.extract_patches(x, (2, 2), strides=(1, 2)),
         lambda x: im.np_patches(x, (2, 2), (1, 2)), ((1, 3, 4, 2),)),
    Case("image.extract_patches_3d", lambda x: ops.image.extract_patches_3d(x, (1, 2, 2)),
         lambda x: im.np_patches_3d(x, (1, 2, 2)), ((1, 2, 2, 4, 2),)),
    Case("image.rgb_to_grayscale", ops.image.rgb_to_grayscale,
         lambda x: (x * [0.2989, 0.587, 0.114]).sum(axis=-1, keepdims=True), ((2, 2, 2, 3),)),
    Case("image.rgb_to_hsv", ops.image.rgb_to_hsv, im.np_rgb_to_hsv, ((1, 2, 2, 3),), low=0.05, high=0.95),
    Case("image.hsv_to_rgb", ops.image.hsv_to_rgb, im.np_hsv_to_rgb, ((1, 2, 2, 3),), low=0.05, high=0.95,
         kinks=tuple(k / 6 for k in range(1, 6))),
    Case("image.gaussian_blur", lambda x: ops.image.gaussian_blur(x, (3, 5), (1.0, 1.5)),
         lambda x: im.np_gaussian_blur(x, (3, 5), (1.0, 1.5)), ((1, 4, 5, 2),)),
    Case("image.sobel_edges", ops.image.sobel_edges, im.np_sobel, ((1, 3, 4, 2),)),
    Case("image.ssim", lambda a, b: ops.image.ssim(a, b, filter_size=3, filter_sigma=1.0),
         lambda a, b: im.np_ssim(a, b, 3, 1.0), ((2, 4, 4, 1), (2, 4, 4, 1)), low=0.0, high=1.0, direction=True),

]

# Ops outside ``minikeras.ops`` that the layers call: checked like the public ones.
INTERNAL = {
    "dense",  # minikeras.autodiff.matmul: the Dense layer's product, bias and ReLU as one op
    "conv_max_pool",  # minikeras.autodiff.conv: a Conv2D and the MaxPooling2D(2) after it as one op
    "along_axis",  # minikeras.autodiff.resample: a constant matrix along one axis, for ops.image.resize
    # minikeras.autodiff.recurrent: a whole sequence as one op, for LSTM / GRU / SimpleRNN
    "lstm_sequence", "gru_sequence", "simple_rnn_sequence",
}

# Public ops with nothing to differentiate: integer, boolean or constant
# results, or values that are not computed from float inputs.
NON_DIFFERENTIABLE = {
    "all", "any", "arange", "argmax", "argmin", "argsort", "ceil", "convert_to_numpy", "convert_to_tensor",
    "count_nonzero", "dtype", "equal", "eye", "floor", "floor_divide", "full", "full_like", "greater",
    "greater_equal", "identity", "in_top_k", "is_tensor", "isfinite", "isinf", "isnan", "less", "less_equal",
    "linspace", "logical_and", "logical_not", "logical_or", "logical_xor", "nan_to_num", "ndim",
    "not_equal", "one_hot", "ones", "ones_like", "round", "shape", "sign", "size", "stop_gradient", "tri",
    "zeros", "zeros_like",
    # linear algebra: an integer rank, complex eigenpairs, a factorization minikeras does not differentiate
    # (it raises if asked), and jvp, which computes a derivative instead of being one
    "matrix_rank", "eig", "lu_factor", "jvp",
    "searchsorted",  # integer positions
    "image.resize_matrix",  # a constant NumPy matrix (the weights of a resize), no tensor input
    # issue 18: bit and integer arithmetic, tests, steps, counts and positions, windows, new arrays
    "bitwise_and", "bitwise_invert", "bitwise_left_shift", "bitwise_not", "bitwise_or", "bitwise_right_shift",
    "bitwise_xor", "left_shift", "right_shift", "gcd", "lcm",
    "allclose", "isclose", "isin", "isneginf", "isposinf", "isreal", "signbit", "heaviside", "nextafter", "trunc",
    "nonzero", "angle", "unique", "histogram", "digitize", "argpartition", "unravel_index", "nanargmax", "nanargmin",
    "bartlett", "blackman", "hamming", "hanning", "kaiser", "array", "empty", "empty_like", "geomspace", "logspace",
    "multi_hot", "ctc_decode", "imag", "polar", "view", "view_as_complex", "view_as_real",  # labels, complex values
}
