"""Sixty-four float32 numbers as one value: four AVX-512 registers, written into Numba code by hand.

Place in the stack: ``kernels/``, beside ``runtime.py``: not a kernel module
(it computes nothing on its own), the building blocks that
``numba_simd_matmul.py`` writes its matrix products with. Read that file
next.

Why by hand. LLVM turns the plain loops of the other kernels into SIMD
instructions by itself, and that is enough where each number is read and
written once (the Winograd transforms, pooling). A matrix product is
different: each output cell adds up ``K`` products, and the fast way keeps
a small block of output cells (4 rows x 64 columns here) in the CPU's
registers for the whole sum, reading each number of ``b`` once for the 4
rows and each number of ``a`` once for the 64 columns. Written as scalar
loops, the block lives in memory, and LLVM cannot prove it may keep it in
registers; written with the values below, each row of the block is one
local variable, which LLVM keeps in registers.

One value is 64 lanes, LLVM's ``<64 x float>``: a CPU register holds 16
of them (AVX-512), and LLVM splits each operation into four instructions.
Why not 16 lanes, one register: the kernel would name four times as many
variables and calls (``o00 .. o33``), which Numba then types and lowers one
by one: the product kernel compiled for longer that way, for the same
machine code (``bench/RESULTS.md``, "Session 11").

Why at all, when BLAS exists: NumPy's OpenBLAS picks its kernels by CPU,
and a machine can tell it to use the AVX2 ones (``OPENBLAS_CORETYPE=Haswell``,
set on the benchmark machine), or not know a new CPU; then it computes 8
numbers per instruction where the CPU could do 16.

The operations:

* ``vzero()``: 64 zeros;
* ``vload(array, index)``: ``array[index : index + 64]`` of a 1-D float32 array;
* ``vstore(array, index, vector)``: writes them back there;
* ``vfma(scalar, vector, total)``: ``total + scalar * vector``, lane by lane,
  with one rounding (a fused multiply-add: ``llvm.fma``), the scalar copied
  to every lane;
* ``vadd(vector, other)``: the sum, lane by lane;
* ``vrelu(vector)``: each lane where it is greater than 0, else 0;
* ``vmax0(vector)``: each lane where it is greater than 0, else 0, but a
  NaN stays NaN: ``numpy.maximum(x, 0)``'s numbers (a Dense layer's ReLU);
* ``vpositive(test, vector)``: each lane of ``vector`` where ``test``'s is
  greater than 0, else 0 (the ReLU's gradient);
* ``transpose16(source, start, stride, target, target_start, target_stride)``:
  copies a 16 x 16 block of a 1-D float32 array, transposed: row ``r`` of the
  block is ``source[start + r * stride :][:16]``, and column ``r`` becomes row
  ``r`` of the target block. Sixteen loads, sixty-four shuffles of two
  16-lane registers (four stages; stage ``s`` swaps the off-diagonal blocks
  of side ``2**s``, as the recursive definition of a transpose does) and
  sixteen stores, where a loop of scalars moves one number per instruction:
  ``numba_simd_matmul.py`` copies a transposed ``b`` into its panel with it.

Loads and stores do not check bounds (as Numba's own indexing does not):
the caller keeps ``index + 64 <= len(array)``. On a CPU without AVX-512,
LLVM splits each value into eight or sixteen narrower registers and runs
out of them: the results are the same, only slower
(``numba_simd_matmul._available`` tells when to use them).
"""

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.core.extending import intrinsic
from numba.core.extending import models
from numba.core.extending import register_model

LANES = 64
_VECTOR = ir.VectorType(ir.FloatType(), LANES)  # LLVM's <64 x float>: four AVX-512 registers


class Float32x64(types.Type):
    """Numba's type for 64 float32 lanes (no Python object ever holds one)."""

    def __init__(self):
        super().__init__(name="float32x64")


float32x64 = Float32x64()


@register_model(Float32x64)
class _Float32x64Model(models.PrimitiveModel):
    """Stored as the LLVM vector itself, so that a local variable lives in registers."""

    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, _VECTOR)


def _address(context, builder, array_type, array, index):
    """``<64 x float>*`` pointing at ``array[index]`` (a 1-D float32 array)."""
    data = context.make_array(array_type)(context, builder, array).data
    return builder.bitcast(builder.gep(data, [index]), _VECTOR.as_pointer())


def _check_array(array):
    if not (isinstance(array, types.Array) and array.dtype == types.float32 and array.ndim == 1):
        raise TypeError(f"simd loads and stores 1-D float32 arrays; received {array}.")


@intrinsic
def vzero(typingctx):
    """64 zeros."""

    def codegen(context, builder, signature, args):
        return ir.Constant(_VECTOR, [0.0] * LANES)

    return float32x64(), codegen


@intrinsic
def vload(typingctx, array, index):
    """``array[index : index + 64]`` as one value (no bounds check)."""
    _check_array(array)

    def codegen(context, builder, signature, args):
        return builder.load(_address(context, builder, signature.args[0], args[0], args[1]), align=4)

    return float32x64(array, index), codegen


@intrinsic
def vstore(typingctx, array, index, vector):
    """Writes ``vector`` to ``array[index : index + 64]`` (no bounds check)."""
    _check_array(array)

    def codegen(context, builder, signature, args):
        builder.store(args[2], _address(context, builder, signature.args[0], args[0], args[1]), align=4)
        return context.get_dummy_value()

    return types.none(array, index, vector), codegen


@intrinsic
def vfma(typingctx, scalar, vector, total):
    """``total + scalar * vector`` in each lane, rounded once (``llvm.fma.v64f32``)."""

    def codegen(context, builder, signature, args):
        value = context.cast(builder, args[0], signature.args[0], types.float32)
        lanes = builder.insert_element(ir.Constant(_VECTOR, ir.Undefined), value, ir.Constant(ir.IntType(32), 0))
        broadcast = builder.shuffle_vector(lanes, ir.Constant(_VECTOR, ir.Undefined),
                                           ir.Constant(ir.VectorType(ir.IntType(32), LANES), [0] * LANES))
        fma = cgutils.get_or_insert_function(builder.module, ir.FunctionType(_VECTOR, [_VECTOR] * 3), "llvm.fma.v64f32")
        return builder.call(fma, [broadcast, args[1], args[2]])

    return float32x64(scalar, vector, total), codegen


@intrinsic
def vadd(typingctx, vector, other):
    """``vector + other`` in each lane."""

    def codegen(context, builder, signature, args):
        return builder.fadd(args[0], args[1])

    return float32x64(vector, other), codegen


@intrinsic
def vmax0(typingctx, vector):
    """``vector`` where it is greater than 0 or NaN, else 0, lane by lane: ``numpy.maximum(x, 0)``'s numbers."""

    def codegen(context, builder, signature, args):
        zero = ir.Constant(_VECTOR, [0.0] * LANES)
        return builder.select(builder.fcmp_unordered(">", args[0], zero), args[0], zero)  # NaN: unordered

    return float32x64(vector), codegen


@intrinsic
def vrelu(typingctx, vector):
    """``vector`` where it is greater than 0, else 0, lane by lane (a NaN gives 0, as ``x if x > 0 else 0``)."""

    def codegen(context, builder, signature, args):
        zero = ir.Constant(_VECTOR, [0.0] * LANES)
        return builder.select(builder.fcmp_ordered(">", args[0], zero), args[0], zero)

    return float32x64(vector), codegen


@intrinsic
def vpositive(typingctx, test, vector):
    """``vector`` where ``test`` is greater than 0, else 0, lane by lane (a ReLU's gradient: ``dy`` where ``y > 0``)."""

    def codegen(context, builder, signature, args):
        zero = ir.Constant(_VECTOR, [0.0] * LANES)
        return builder.select(builder.fcmp_ordered(">", args[0], zero), args[1], zero)

    return float32x64(test, vector), codegen


_ROW = ir.VectorType(ir.FloatType(), 16)  # one AVX-512 register


@intrinsic
def transpose16(typingctx, source, start, stride, target, target_start, target_stride):
    """Copies the 16 x 16 block at ``source[start]`` (rows ``stride`` apart) transposed to ``target[target_start]``."""
    _check_array(source)
    _check_array(target)

    def codegen(context, builder, signature, args):
        source_array = context.make_array(signature.args[0])(context, builder, args[0]).data
        target_array = context.make_array(signature.args[3])(context, builder, args[3]).data
        index_type = args[1].type

        def row_pointer(data, first, step, row):
            offset = builder.add(first, builder.mul(step, ir.Constant(index_type, row)))
            return builder.bitcast(builder.gep(data, [offset]), _ROW.as_pointer())

        rows = [builder.load(row_pointer(source_array, args[1], args[2], r), align=4) for r in range(16)]
        for stage in range(4):  # swap the off-diagonal blocks of side 2**stage inside each block of twice that
            side = 1 << stage
            for top in [r for r in range(16) if (r // side) % 2 == 0]:
                upper, lower = rows[top], rows[top + side]
                keep = [c if (c // side) % 2 == 0 else 16 + c - side for c in range(16)]
                swap = [c + side if (c // side) % 2 == 0 else 16 + c for c in range(16)]
                mask = ir.VectorType(ir.IntType(32), 16)
                rows[top] = builder.shuffle_vector(upper, lower, ir.Constant(mask, keep))
                rows[top + side] = builder.shuffle_vector(upper, lower, ir.Constant(mask, swap))
        for r in range(16):
            builder.store(rows[r], row_pointer(target_array, args[4], args[5], r), align=4)
        return context.get_dummy_value()

    return types.none(source, start, stride, target, target_start, target_stride), codegen
