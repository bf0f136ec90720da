"""The AVX-512 products (``numba_simd_matmul.py``) against the reference, on any CPU.

The vectors of ``simd.py`` compile on every CPU (LLVM splits them where
AVX-512 is missing), so these tests make the module believe the CPU has it
(``simd_everywhere``) and check the register blocks, the panel, the
transposed operands, the last rows and the blocks of ``DEPTH`` rows of
``b`` everywhere; the choice itself (``_fits``) is checked on its own.
"""

import numpy as np
import pytest

from minikeras import config
from minikeras.backend import kernel_choice
from minikeras.kernels import numba_simd_matmul
from minikeras.kernels import reference
from minikeras.kernels import runtime

pytestmark = pytest.mark.kernels


@pytest.fixture
def simd_everywhere(monkeypatch):
    monkeypatch.setattr(numba_simd_matmul, "_available", lambda: True)


def _operand(rng, shape, transposed):
    """A float32 array of ``shape``, or a transposed view of one (strides read as they are)."""
    if not transposed:
        return rng.standard_normal(shape).astype(np.float32)
    return np.swapaxes(rng.standard_normal(shape[:-2] + shape[-1:] + shape[-2:-1]).astype(np.float32), -1, -2)


# (G, M, K, P): whole 4-row blocks; the last 1-3 rows; K past DEPTH (partial sums kept in out);
# two row pieces (M > ROWS); two and three blocks of 64 columns; one row; K = 1.
SHAPES = [(2, 8, 5, 64), (3, 7, 9, 64), (1, 13, 300, 128), (1, 259, 70, 64), (2, 6, 33, 192), (1, 1, 4, 64),
          (1, 5, 1, 64)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("transposed_a", [False, True])
@pytest.mark.parametrize("transposed_b", [False, True])
def test_products_match_the_reference(simd_everywhere, shape, transposed_a, transposed_b):
    G, M, K, P = shape
    rng = np.random.default_rng(M * K + P)
    a, b = _operand(rng, (G, M, K), transposed_a), _operand(rng, (G, K, P), transposed_b)
    assert numba_simd_matmul._fits(a, b)
    out = numba_simd_matmul.batched_matmul(a, b)
    expected = reference.batched_matmul(a.astype(np.float64), b.astype(np.float64))
    assert out.dtype == np.float32 and out.shape == (G, M, P)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5 * np.sqrt(K))


def test_products_write_into_a_strided_out_and_nothing_else(simd_everywhere):
    rng = np.random.default_rng(3)
    a, b = _operand(rng, (2, 9, 20), True), _operand(rng, (2, 20, 64), False)
    frame = np.full((2, 11, 70), 7.0, dtype=np.float32)
    out = frame[:, 1:10, 3:67]  # rows 70 apart, columns contiguous
    assert numba_simd_matmul.batched_matmul(a, b, out=out) is out
    np.testing.assert_allclose(out, np.matmul(a, b), rtol=1e-5, atol=1e-5)
    untouched = np.ones(frame.shape, dtype=bool)
    untouched[:, 1:10, 3:67] = False
    assert (frame[untouched] == 7.0).all()


@pytest.mark.parametrize("K", [16, 47, 300])
def test_a_transposed_b_with_no_contiguous_axis_is_read_number_by_number(simd_everywhere, K):
    rng = np.random.default_rng(K)
    base = rng.standard_normal((2, 64, 2 * K)).astype(np.float32)
    b = np.swapaxes(base[..., ::2], -1, -2)  # (2, K, 64): neither axis contiguous, so no 16 x 16 blocks
    a = _operand(rng, (2, 9, K), False)
    np.testing.assert_allclose(numba_simd_matmul.batched_matmul(a, b), np.matmul(a.astype(np.float64), b),
                               rtol=1e-5, atol=1e-5 * np.sqrt(K))


def test_matmul_of_two_matrices_and_its_error(simd_everywhere):
    rng = np.random.default_rng(4)
    a, b = _operand(rng, (130, 784), False), _operand(rng, (784, 128), True)  # b: a Dense layer's w.T
    np.testing.assert_allclose(numba_simd_matmul.matmul(a, b), a.astype(np.float64) @ b, rtol=1e-4, atol=1e-3)
    with pytest.raises(ValueError, match=r"\(2, 3\) and \(4, 64\)"):
        numba_simd_matmul.matmul(np.ones((2, 3), np.float32), np.ones((4, 64), np.float32))


def test_numbers_do_not_depend_on_the_threads(simd_everywhere, monkeypatch):
    import numba

    rng = np.random.default_rng(5)
    a, b = _operand(rng, (3, 517, 200), False), _operand(rng, (3, 200, 128), False)
    monkeypatch.setattr(numba, "get_num_threads", lambda: 1)
    one = numba_simd_matmul.batched_matmul(a, b)
    monkeypatch.setattr(numba, "get_num_threads", lambda: 3)  # the caller and two team helpers take pieces
    np.testing.assert_array_equal(numba_simd_matmul.batched_matmul(a, b), one)


@pytest.mark.parametrize("case", ["float64", "width 10", "width 96", "4-D stacks", "negative strides", "empty"])
def test_products_that_do_not_fit_go_to_numpy(simd_everywhere, case):
    rng = np.random.default_rng(6)
    a, b = rng.standard_normal((2, 5, 8)).astype(np.float32), rng.standard_normal((2, 8, 64)).astype(np.float32)
    if case == "float64":
        a, b = a.astype(np.float64), b.astype(np.float64)
    elif case == "width 10":
        b = b[..., :10]
    elif case == "width 96":
        b = np.concatenate([b, b[..., :32]], axis=-1)
    elif case == "4-D stacks":
        a, b = a[None], b[None]
    elif case == "negative strides":
        a = a[:, ::-1]
    else:
        a = a[:, :0]  # no rows
    assert not numba_simd_matmul._fits(a, b)
    np.testing.assert_allclose(numba_simd_matmul.batched_matmul(a, b), np.matmul(a, b), rtol=1e-6)


def test_mismatched_stacks_get_numpys_error(simd_everywhere):
    with pytest.raises(ValueError):
        numba_simd_matmul.batched_matmul(np.ones((2, 3, 4), np.float32), np.ones((2, 5, 64), np.float32))


def test_without_avx512_nothing_fits(monkeypatch):
    monkeypatch.setattr(numba_simd_matmul, "_available", lambda: False)
    assert not numba_simd_matmul._fits(np.ones((1, 4, 4), np.float32), np.ones((1, 4, 64), np.float32))


def test_the_cpu_check_follows_numbas_target(monkeypatch):
    from numba.core import config as numba_config

    numba_simd_matmul._available.cache_clear()
    monkeypatch.setattr(numba_config, "CPU_NAME", "generic")  # NUMBA_CPU_NAME=generic: portable code
    try:
        assert numba_simd_matmul._available() is False
        monkeypatch.setattr(numba_config, "CPU_NAME", None)
        monkeypatch.setattr(numba_config, "DISABLE_JIT", True)  # kernels run as Python: no vectors
        numba_simd_matmul._available.cache_clear()
        assert numba_simd_matmul._available() is False
    finally:
        numba_simd_matmul._available.cache_clear()


def test_small_products_left_to_blas_run_on_one_blas_thread(monkeypatch):
    control = runtime.blas_thread_control()
    if control is None:
        pytest.skip("NumPy's BLAS is not an OpenBLAS whose thread count can be read")
    seen = []
    real_matmul = np.matmul

    def spy(a, b, out=None):
        seen.append(control[0]())
        return real_matmul(a, b, out=out)

    monkeypatch.setattr(numba_simd_matmul.np, "matmul", spy)
    before = control[0]()
    numba_simd_matmul.matmul(np.ones((128, 512), np.float32), np.ones((512, 10), np.float32))  # an MLP's last layer
    assert seen == [1] and control[0]() == before


def test_big_products_left_to_blas_are_cut_for_minikeras_threads(monkeypatch):
    """float64, or a width that is not a multiple of 64: slices of rows (or columns), each on one BLAS thread."""
    import numba

    control = runtime.blas_thread_control()
    rng = np.random.default_rng(8)
    seen = []
    real_matmul = np.matmul

    def spy(x, y, out=None):
        seen.append((x.shape, y.shape, None if control is None else control[0]()))
        return real_matmul(x, y, out=out)

    monkeypatch.setattr(numba, "get_num_threads", lambda: 3)
    monkeypatch.setattr(numba_simd_matmul.np, "matmul", spy)
    a, b = rng.standard_normal((2, 600, 300)), rng.standard_normal((2, 300, 40))
    np.testing.assert_allclose(numba_simd_matmul.batched_matmul(a, b), real_matmul(a, b), rtol=1e-12, atol=1e-12)
    assert len(seen) == 18 and sum(x[0] for x, _, _ in seen) == 1200  # 600 rows: 9 slices of 64+ per matrix
    assert control is None or {threads for _, _, threads in seen} == {1}
    seen.clear()
    a, b = rng.standard_normal((1, 128, 784)), rng.standard_normal((1, 784, 512))  # an MLP's layer in float64
    np.testing.assert_allclose(numba_simd_matmul.batched_matmul(a, b), real_matmul(a, b), rtol=1e-12, atol=1e-12)
    assert sorted(y[1] for _, y, _ in seen) == [64] * 8  # more columns than rows: 8 slices of 64 columns


def test_single_threaded_blas_leaves_the_setting_to_the_first_block():
    control = runtime.blas_thread_control()
    if control is None:
        pytest.skip("NumPy's BLAS is not an OpenBLAS whose thread count can be set")
    get_num_threads, set_num_threads = control
    previous = get_num_threads()
    set_num_threads(3)
    try:
        with runtime.single_threaded_blas():
            assert get_num_threads() == 1
            with runtime.single_threaded_blas():  # another block meanwhile (another thread): left as it is
                assert get_num_threads() == 1
            assert get_num_threads() == 1
        assert get_num_threads() == 3
    finally:
        set_num_threads(previous)


def test_dense_products_follow_the_matmul_setting():
    a, b = np.ones((4, 8), np.float32), np.ones((8, 64), np.float32)
    assert kernel_choice.matmul_kernel(a, b) is numba_simd_matmul.matmul  # "auto", the default
    assert kernel_choice.matmul_kernel(a.astype(np.float64), b.astype(np.float64)) is np.matmul
    with config.kernels(matmul="blas"):
        assert kernel_choice.matmul_kernel(a, b) is np.matmul


def test_the_dense_kernel_follows_the_matmul_setting():
    x, w = np.ones((4, 8), np.float32), np.ones((8, 64), np.float32)
    assert kernel_choice.dense_kernel(x, w) is numba_simd_matmul.dense_forward  # "auto", the default
    assert kernel_choice.dense_kernel(x.astype(np.float64), w.astype(np.float64)) is None
    assert kernel_choice.dense_kernel(x[None], w) is None
    with config.kernels(matmul="reference"):
        assert kernel_choice.dense_kernel(x, w) is reference.dense_forward
    for setting in ("blas", "numba"):
        with config.kernels(matmul=setting):
            assert kernel_choice.dense_kernel(x, w) is None


@pytest.mark.parametrize("relu", [True, False])
def test_the_dense_op_gives_the_same_numbers_and_gradients_fused_or_not(simd_everywhere, relu):
    from minikeras.autodiff.matmul import dense
    from minikeras.autodiff.tape import GradientTape
    from minikeras.autodiff.variable import Variable

    rng = np.random.default_rng(9)
    x = rng.standard_normal((130, 300)).astype(np.float32)
    x[3, 5] = np.nan  # a NaN row: NaN outputs, no gradient through the ReLU where the output is NaN
    w, b = Variable(rng.standard_normal((300, 128)).astype(np.float32)), Variable(rng.standard_normal(128).astype(np.float32))
    upstream = rng.standard_normal((130, 128)).astype(np.float32)
    results = []
    for setting in ("auto", "blas"):  # the dense kernel, then the product with the bias and ReLU added by the op
        with config.kernels(matmul=setting), GradientTape() as tape:
            y = dense(x, w, b, activation="relu" if relu else None)
        results.append((y.numpy(), *(g.numpy() for g in tape.gradient(y, [w, b], output_gradients=upstream))))
    for fused, plain in zip(*results):
        np.testing.assert_allclose(fused, plain, rtol=1e-5, atol=1e-4)
        assert np.array_equal(np.isnan(fused), np.isnan(plain))


@pytest.mark.parametrize("M, K, P", [(128, 784, 512), (7, 33, 64), (130, 200, 128)])  # on the team; alone; last rows
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("relu", [True, False])
def test_dense_forward_is_the_product_then_the_bias_then_the_relu(simd_everywhere, M, K, P, bias, relu):
    rng = np.random.default_rng(M + K + P)
    x, w = _operand(rng, (M, K), False), _operand(rng, (K, P), True)
    b = rng.standard_normal(P).astype(np.float32) if bias else None
    out = numba_simd_matmul.dense_forward(x, w, b, relu)
    step_by_step = numba_simd_matmul.matmul(x, w) + (b if bias else np.float32(0))  # one addition per complete sum
    np.testing.assert_array_equal(out, np.maximum(step_by_step, 0) if relu else step_by_step)
    expected = reference.dense_forward(x.astype(np.float64), w.astype(np.float64), b, relu)
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-4 * np.sqrt(K))


def test_dense_forward_relu_keeps_nan_and_gives_positive_zero_as_numpy_maximum(simd_everywhere):
    x, w = np.eye(4, 64, dtype=np.float32), np.zeros((64, 64), np.float32)
    w[0, 0], w[1, 1], w[2, 2] = np.nan, -1.0, 2.0
    bias = np.zeros(64, np.float32)
    bias[3] = -0.0
    out = numba_simd_matmul.dense_forward(x, w, bias, relu=True)
    expected = np.maximum(x @ w + bias, 0)
    np.testing.assert_array_equal(out, expected)  # NaN where numpy has NaN
    assert np.isnan(out[0, 0]) and out[1, 1] == 0 and out[2, 2] == 2
    assert not np.signbit(out).any()


@pytest.mark.parametrize("case", ["width 10", "float64", "float64 bias"])
def test_dense_forward_that_does_not_fit_gives_numpys_numbers(simd_everywhere, case):
    rng = np.random.default_rng(8)
    x, w = rng.standard_normal((5, 8)).astype(np.float32), rng.standard_normal((8, 64)).astype(np.float32)
    b = rng.standard_normal(64).astype(np.float32)
    if case == "width 10":
        w, b = w[:, :10], b[:10]
    elif case == "float64":
        x, w, b = x.astype(np.float64), w.astype(np.float64), b.astype(np.float64)
    else:
        b = b.astype(np.float64)
    out = numba_simd_matmul.dense_forward(x, w, b, relu=True)
    assert out.dtype == np.result_type(x, w)  # the product's dtype: the bias is cast to it, as the Dense op does
    np.testing.assert_allclose(out, np.maximum(x @ w + b.astype(out.dtype), 0), rtol=1e-6, atol=1e-6)


def test_dense_forward_errors_name_the_shapes():
    x, w = np.ones((2, 3), np.float32), np.ones((3, 64), np.float32)
    with pytest.raises(ValueError, match=r"\(2, 3\) and \(4, 64\)"):
        numba_simd_matmul.dense_forward(x, np.ones((4, 64), np.float32))
    with pytest.raises(ValueError, match=r"expected shape \(64,\), received \(63,\)"):
        numba_simd_matmul.dense_forward(x, w, np.ones(63, np.float32))
