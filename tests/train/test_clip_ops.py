"""Clip ops against the measured TF values."""

import doctest

import numpy as np
import pytest

import minigraph as tf
from minigraph.train import clip_ops
from minigraph.gradient_checker import check_gradients

F = np.float32
NAN = np.nan
INF = np.inf


def assert_f32(value, expected):
    assert value.dtype == np.float32, value.dtype
    np.testing.assert_allclose(value, F(expected), rtol=1e-6, atol=0, equal_nan=True)


# -- clip_by_value ----------------------------------------------------------------------------
def test_clip_by_value_per_column_bounds(sess):
    t = tf.constant([[-3, 0.5, 4], [1, -0.2, 2]])
    out = tf.clip_by_value(t, [-1, 0, -5], [1, 0.3, 3])
    assert out.shape.as_list() == [2, 3]
    assert_f32(sess.run(out), [[-1, 0.3, 3], [1, 0, 2]])


def test_clip_by_value_min_above_max_gives_min(sess):
    assert_f32(sess.run(tf.clip_by_value([-2., 0., 2.], 1.0, -1.0)), [1., 1., 1.])


def test_clip_by_value_ints_and_nan(sess):
    out = tf.clip_by_value([1, 5], 2, 3)
    assert out.dtype == tf.int32
    np.testing.assert_array_equal(sess.run(out), [2, 3])
    assert_f32(sess.run(tf.clip_by_value([NAN, 1.], -1., 0.5)), [NAN, 0.5])


def test_clip_by_value_errors():
    with pytest.raises(ValueError, match="clip_by_value.*keep t's shape"):
        tf.clip_by_value(tf.constant([1., 2.]), tf.zeros([2, 2]), 1.0)
    with pytest.raises(TypeError, match="clip_value_max=1.5.*int32"):
        tf.clip_by_value(tf.constant([1, 5]), 0, 1.5)
    with pytest.raises(TypeError):
        tf.clip_by_value(tf.constant([1, 5]), tf.constant(0.0), tf.constant(1.0))


def test_clip_by_value_gradient_ties(sess):
    """Gradient 1 on the boundaries (maximum/minimum give ties to t)."""
    t = tf.constant([-2., -1., 0., 1., 2.])
    lo, hi = tf.constant(-1.), tf.constant(1.)
    dt, dlo, dhi = tf.gradients(tf.reduce_sum(tf.clip_by_value(t, lo, hi)), [t, lo, hi])
    np.testing.assert_array_equal(sess.run(dt), F([0, 1, 1, 1, 0]))
    assert sess.run(dlo) == 1.0 and sess.run(dhi) == 1.0


def test_clip_by_value_finite_differences(sess):
    t = tf.placeholder(tf.float64, [2, 3])
    lo = tf.placeholder(tf.float64, [3])
    y = tf.clip_by_value(t, lo, 0.5) * [[1., 2., 3.], [4., 5., 6.]]
    check_gradients(y, [t, lo], [[[-0.9, 0.2, 0.8], [0.1, -0.7, 0.3]], [-0.5, -0.4, 0.0]])


# -- clip_by_norm -----------------------------------------------------------------------------
def test_clip_by_norm_values(sess):
    """clip_by_norm on measured inputs, including a negative clip_norm."""
    assert_f32(sess.run(tf.clip_by_norm([3., 4.], 2.0)), [1.2, 1.6])
    assert_f32(sess.run(tf.clip_by_norm([3., 4.], 10.0)), [3., 4.])
    m = tf.constant([[3, 4], [0.6, 0.8], [0, 0]])
    assert_f32(sess.run(tf.clip_by_norm(m, 1.0, axes=[1])), [[0.6, 0.8], [0.6, 0.8], [0, 0]])
    assert_f32(sess.run(tf.clip_by_norm(m, 1.0, axes=[0])),
               [[0.9805807, 0.9805807], [0.19611613, 0.19611615], [0, 0]])
    assert_f32(sess.run(tf.clip_by_norm(m, 1.0)),
               [[0.5883484, 0.78446454], [0.11766969, 0.15689291], [0, 0]])


def test_clip_by_norm_edge_cases(sess):
    assert_f32(sess.run(tf.clip_by_norm([3., 4.], -1.0)), [0, 0])
    assert_f32(sess.run(tf.clip_by_norm([3., 4.], 0.0)), [0, 0])
    assert_f32(sess.run(tf.clip_by_norm([3., 4.], tf.constant(-2.0))), [0, 0])
    assert_f32(sess.run(tf.clip_by_norm([0., 0.], 1.0)), [0, 0])
    assert_f32(sess.run(tf.clip_by_norm([0., 0.], 0.0)), [NAN, NAN])
    assert_f32(sess.run(tf.clip_by_norm([INF, 1.], 1.0)), [NAN, 0])
    assert_f32(sess.run(tf.clip_by_norm([3., 4.], [1., 2.])), [0.6, 1.6])


def test_clip_by_norm_float64(sess):
    out = tf.clip_by_norm(tf.constant([3., 4.], tf.float64), 2.0)
    np.testing.assert_allclose(sess.run(out), [1.2, 1.6], rtol=1e-15)


def test_clip_by_norm_errors():
    with pytest.raises(TypeError, match="clip_by_norm.*floating-point.*int32"):
        tf.clip_by_norm(tf.constant([3, 4]), 1.0)


def test_clip_by_norm_gradients(sess):
    z = tf.constant([0., 0.])
    dz, = tf.gradients(tf.reduce_sum(tf.clip_by_norm(z, 1.0)), [z])
    np.testing.assert_array_equal(sess.run(dz), F([1, 1]))  # finite at zero (safe sqrt)
    t = tf.constant([3., 4.])
    dt, = tf.gradients(tf.reduce_sum(tf.clip_by_norm(t, 2.0)), [t])
    assert_f32(sess.run(dt), [0.06399998, -0.04800001])


def test_clip_by_norm_finite_differences(sess):
    t = tf.placeholder(tf.float64, [2, 2])
    c = tf.placeholder(tf.float64, [])
    y = tf.clip_by_norm(t, c, axes=[1]) * [[1., 2.], [3., 4.]]
    # Row 0 is clipped (norm 5 > 2), row 1 is not (norm 0.5 < 2).
    check_gradients(y, [t, c], [[[3., 4.], [0.3, -0.4]], 2.0])


# -- global_norm ------------------------------------------------------------------------------
def test_global_norm_values(sess):
    assert_f32(sess.run(tf.global_norm([[3., 4.], [[12.]]])), 13.0)
    assert_f32(sess.run(tf.global_norm([tf.constant([3., 4.]), None, [[12.]]])), 13.0)
    assert_f32(sess.run(tf.global_norm([])), 0.0)
    assert_f32(sess.run(tf.global_norm([None, None])), 0.0)
    norm = tf.global_norm((tf.constant([3., 4.], tf.float64),))
    assert norm.dtype == tf.float64 and sess.run(norm) == 5.0


def test_global_norm_errors():
    with pytest.raises(TypeError, match="sequence of tensors.*got Tensor"):
        tf.global_norm(tf.constant([3., 4.]))
    with pytest.raises(TypeError, match="sequence of tensors.*got str"):
        tf.global_norm("abc")
    with pytest.raises(TypeError, match="same dtype, got float32.*float64"):
        tf.global_norm([tf.constant([1.]), tf.constant([1.], tf.float64)])


def test_global_norm_finite_differences(sess):
    a = tf.placeholder(tf.float64, [2])
    b = tf.placeholder(tf.float64, [1, 2])
    check_gradients(tf.global_norm([a, None, b]), [a, b], [[3., -4.], [[1., 2.]]])


# -- clip_by_global_norm ----------------------------------------------------------------------
def test_clip_by_global_norm_skips_none_and_scales(sess):
    clipped, norm = tf.clip_by_global_norm([[3., 4.], None, [[12.]]], 6.5)
    assert isinstance(clipped, list) and clipped[1] is None
    a, c, n = sess.run([clipped[0], clipped[2], norm])
    assert_f32(a, [1.5, 2.0])
    assert_f32(c, [[6.0]])
    assert_f32(n, 13.0)


def test_clip_by_global_norm_inf_gives_nan(sess):
    clipped, norm = tf.clip_by_global_norm([[INF, 1.], [[12.]]], 1.0)
    a, c, n = sess.run([clipped[0], clipped[1], norm])
    assert np.isnan(a).all() and np.isnan(c).all() and n == np.inf
    clipped, norm = tf.clip_by_global_norm([[NAN, 1.], [[12.]]], 1.0)
    a, n = sess.run([clipped[0], norm])
    assert np.isnan(a).all() and np.isnan(n)


def test_clip_by_global_norm_measured(sess):
    clipped, norm = tf.clip_by_global_norm([[3., 4.], None, [[12.]]], 100.0)
    a, c, n = sess.run([clipped[0], clipped[2], norm])
    assert_f32(a, [3., 4.])
    assert_f32(c, [[12.]])
    clipped, norm = tf.clip_by_global_norm([[3., 4.], [[12.]]], 1.0, use_norm=2.0)
    a, c, n = sess.run([clipped[0], clipped[1], norm])
    assert_f32(a, [1.5, 2.0])
    assert_f32(c, [[6.0]])
    assert n == F(2.0)
    clipped, _ = tf.clip_by_global_norm((tf.constant([3., 4.]), tf.constant([[12.]])), 1.0)
    assert isinstance(clipped, list)
    a, c = sess.run(clipped)
    assert_f32(a, [0.23076925, 0.30769232])
    assert_f32(c, [[0.923077]])


def test_clip_by_global_norm_scale_not_exactly_one(sess):
    """clip_norm * (1/clip_norm) is 0.99999994 for 41 in float32; exactly 1 for 5."""
    clipped, _ = tf.clip_by_global_norm([[3., 4.]], 41.0)
    np.testing.assert_array_equal(sess.run(clipped[0]), F([2.999999761581421, 3.999999761581421]))
    clipped, _ = tf.clip_by_global_norm([[3., 4.]], 5.0)
    np.testing.assert_array_equal(sess.run(clipped[0]), F([3., 4.]))


def test_clip_by_global_norm_zero_norm_and_zero_clip(sess):
    clipped, norm = tf.clip_by_global_norm([[0., 0.]], 1.0)
    assert_f32(sess.run(clipped[0]), [0., 0.])
    clipped, _ = tf.clip_by_global_norm([[3., 4.]], 0.0)
    assert_f32(sess.run(clipped[0]), [0., 0.])


def test_clip_by_global_norm_errors():
    with pytest.raises(TypeError, match="clip_by_global_norm.*sequence of tensors"):
        tf.clip_by_global_norm(tf.constant([3., 4.]), 1.0)


def test_clip_by_global_norm_finite_differences(sess):
    a = tf.placeholder(tf.float64, [2])
    b = tf.placeholder(tf.float64, [1])
    clipped, _ = tf.clip_by_global_norm([a, b], 2.0)
    y = tf.reduce_sum(clipped[0] * [1., 2.]) + 3.0 * tf.reduce_sum(clipped[1])
    check_gradients(y, [a, b], [[3., 4.], [12.]])


# -- clip_by_average_norm ---------------------------------------------------------------------
def test_clip_by_average_norm(sess):
    assert_f32(sess.run(tf.clip_by_average_norm([3., 4.], 1.0)), [1.2, 1.6])
    assert_f32(sess.run(tf.clip_by_average_norm([3., 4.], 3.0)), [3., 4.])
    assert_f32(sess.run(tf.clip_by_average_norm([[3., 4.], [0., 0.]], 1.0)),
               [[2.4, 3.2], [0, 0]])
    assert_f32(sess.run(tf.clip_by_average_norm([0., 0.], 1.0)), [0., 0.])


def test_clip_by_average_norm_unknown_shape_and_float64(sess):
    t = tf.placeholder(tf.float32, [None, 2])
    out = tf.clip_by_average_norm(t, 1.0)
    assert_f32(sess.run(out, {t: [[3., 4.], [0., 0.]]}), [[2.4, 3.2], [0, 0]])
    out = tf.clip_by_average_norm(tf.constant([3., 4.], tf.float64), 1.0)
    np.testing.assert_allclose(sess.run(out), [1.2, 1.6], rtol=1e-15)


def test_clip_by_average_norm_finite_differences(sess):
    t = tf.placeholder(tf.float64, [3])
    check_gradients(tf.clip_by_average_norm(t, 0.5) * [1., 2., 3.], [t], [[3., -4., 1.]])


def test_docstring_examples():
    result = doctest.testmod(clip_ops, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 5 and result.failed == 0
