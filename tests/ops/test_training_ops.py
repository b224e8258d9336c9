"""Fused optimizer kernels (ops/training_ops.py): the in-place, chunked fast paths give
bit-identical results to the plain numpy formulas kept beside them as `reference`."""

import numpy as np
import pytest

import minigraph as tf
from minigraph.ops import training_ops

# One size below the chunk length and one that spans three chunks with a ragged tail.
SIZES = [7, 2 * (1 << 16) + 123]


def run_update(build, initial: dict, dtype):
    """Create one variable per entry of `initial`, run the op `build(vars)` once and return
    the variables' values after the run (in the order of `initial`)."""
    tf.reset_default_graph()
    variables = {k: tf.Variable(v, name=k) for k, v in initial.items()}
    update = build(variables)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(update)
        return [sess.run(variables[k]) for k in initial]


def assert_bits_equal(actual, expected):
    assert actual.dtype == expected.dtype and actual.shape == expected.shape
    assert np.array_equal(actual.view(np.uint8), expected.view(np.uint8))


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("nesterov", [False, True])
def test_apply_adam_matches_its_reference_bit_for_bit(size, dtype, nesterov):
    rng = np.random.default_rng(size)
    var, m, grad = (rng.standard_normal(size).astype(dtype) for _ in range(3))
    v = rng.random(size).astype(dtype)
    scalars = [dtype(x) for x in (0.9 ** 3, 0.999 ** 3, 0.01, 0.9, 0.999, 1e-8)]

    def build(vs):
        return training_ops.apply_adam(vs["var"], vs["m"], vs["v"], *scalars, grad,
                                       use_nesterov=nesterov)

    got = run_update(build, {"var": var, "m": m, "v": v}, dtype)
    expected = training_ops.ApplyAdam.reference(var, m, v, *scalars, grad,
                                                use_nesterov=nesterov)
    for a, e in zip(got, expected):
        assert_bits_equal(a, e)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("nesterov", [False, True])
def test_apply_momentum_matches_its_reference_bit_for_bit(size, dtype, nesterov):
    rng = np.random.default_rng(size + 1)
    var, accum, grad = (rng.standard_normal(size).astype(dtype) for _ in range(3))
    lr, momentum = dtype(0.05), dtype(0.9)

    def build(vs):
        return training_ops.apply_momentum(vs["var"], vs["accum"], lr, grad, momentum,
                                           use_nesterov=nesterov)

    got = run_update(build, {"var": var, "accum": accum}, dtype)
    expected = training_ops.ApplyMomentum.reference(var, accum, lr, grad, momentum,
                                                    use_nesterov=nesterov)
    for a, e in zip(got, expected):
        assert_bits_equal(a, e)


def test_reference_formulas_give_known_numbers():
    """One Adam and one momentum step worked by hand (float64)."""
    var, m, v = np.array([1.0]), np.array([0.0]), np.array([0.0])
    new_var, new_m, new_v = training_ops.ApplyAdam.reference(
        var, m, v, 0.9, 0.999, 0.1, 0.9, 0.999, 1e-8, np.array([0.5]))
    # lr_t = 0.1 * sqrt(0.001) / 0.1; m = 0.05; v = 0.00025; step = lr_t * m / (sqrt(v) + eps)
    lr_t = np.sqrt(0.001)
    np.testing.assert_allclose(new_m, [0.05])
    np.testing.assert_allclose(new_v, [0.00025])
    np.testing.assert_allclose(new_var, [1.0 - lr_t * 0.05 / (np.sqrt(0.00025) + 1e-8)])
    new_var, new_accum = training_ops.ApplyMomentum.reference(
        np.array([1.0]), np.array([0.2]), 0.1, np.array([0.5]), 0.9)
    np.testing.assert_allclose(new_accum, [0.68])
    np.testing.assert_allclose(new_var, [1.0 - 0.068])
