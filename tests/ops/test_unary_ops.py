"""Unary ops (ops/unary_ops.py): forward vs numpy, dtypes, gradients and TF's conventions."""

import numpy as np
import pytest

import minigraph as tf
from minigraph.gradient_checker import check_gradients

F64 = tf.float64
rng = np.random.default_rng(7)


def ph(shape, dtype=F64, name=None):
    return tf.placeholder(dtype, shape, name=name)


def grads(y, xs, feed, sess, grad_ys=None):
    """Evaluate tf.gradients(y, xs); None entries stay None."""
    gs = tf.gradients(y, xs, grad_ys=grad_ys)
    return [None if g is None else sess.run(g, feed) for g in gs]


def np_sigmoid(x):
    return 1 / (1 + np.exp(-x))


UNARY = [  # function, numpy reference, op type, sample points (away from kinks and poles)
    (tf.negative, np.negative, "Neg", [-1.5, 0.3, 2.0]),
    (tf.abs, np.abs, "Abs", [-1.5, 0.3, 2.0]),
    (tf.exp, np.exp, "Exp", [-1.5, 0.3, 2.0]),
    (tf.log, np.log, "Log", [0.5, 1.3, 2.0]),
    (tf.log1p, np.log1p, "Log1p", [-0.5, 0.3, 2.0]),
    (tf.sqrt, np.sqrt, "Sqrt", [0.5, 1.3, 4.0]),
    (tf.rsqrt, lambda x: 1 / np.sqrt(x), "Rsqrt", [0.5, 1.3, 4.0]),
    (tf.square, np.square, "Square", [-1.5, 0.3, 2.0]),
    (tf.reciprocal, np.reciprocal, "Reciprocal", [-1.5, 0.3, 2.0]),
    (tf.sin, np.sin, "Sin", [-1.5, 0.3, 2.0]),
    (tf.cos, np.cos, "Cos", [-1.5, 0.3, 2.0]),
    (tf.tanh, np.tanh, "Tanh", [-1.5, 0.3, 2.0]),
    (tf.sigmoid, np_sigmoid, "Sigmoid", [-1.5, 0.3, 2.0]),
    (tf.sign, np.sign, "Sign", [-1.5, 0.0, 2.0]),
    (tf.floor, np.floor, "Floor", [-1.5, 0.3, 2.5]),
    (tf.ceil, np.ceil, "Ceil", [-1.5, 0.3, 2.5]),
    (tf.round, np.round, "Round", [-1.5, 0.5, 2.5]),
]


@pytest.mark.parametrize("fn, np_fn, op_type, points", UNARY, ids=[u[2] for u in UNARY])
def test_unary_forward_shape_and_dtype(sess, fn, np_fn, op_type, points):
    values = np.array(points, dtype=np.float32)
    y = fn(tf.constant(values))
    assert y.op.type == op_type and y.op.name == op_type
    assert y.dtype == tf.float32 and y.shape.as_list() == [3]
    out = sess.run(y)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, np_fn(values), rtol=1e-6)
    scalar = sess.run(fn(tf.constant(values[0])))
    assert scalar.dtype == np.float32 and np.shape(scalar) == ()
    assert fn(tf.placeholder(tf.float32, [None, 2])).shape.as_list() == [None, 2]
    assert fn(tf.placeholder(tf.float32)).shape.ndims is None


@pytest.mark.parametrize("fn, np_fn, op_type, points", UNARY, ids=[u[2] for u in UNARY])
def test_unary_dtype_errors(fn, np_fn, op_type, points):
    with pytest.raises(TypeError, match=f"op '{op_type}' has DataType bool"):
        fn(tf.constant([True]))


@pytest.mark.parametrize("fn", [tf.exp, tf.log, tf.sqrt, tf.sigmoid, tf.floor, tf.reciprocal])
def test_transcendental_ops_reject_integers(fn):
    with pytest.raises(TypeError, match="DataType int32 not in list"):
        fn(tf.constant([1, 2]))


@pytest.mark.parametrize("fn", [tf.negative, tf.abs, tf.sign, tf.square, tf.round])
def test_integer_unary_ops_keep_int_dtype(sess, fn):
    y = fn(tf.constant([-3, 0, 2]))
    out = sess.run(y)
    assert y.dtype == tf.int32 and out.dtype == np.int32


DIFFERENTIABLE_UNARY = [u for u in UNARY if u[2] not in ("Floor", "Ceil", "Round", "Sign")]


@pytest.mark.parametrize("fn, np_fn, op_type, points", DIFFERENTIABLE_UNARY,
                         ids=[u[2] for u in DIFFERENTIABLE_UNARY])
def test_unary_gradients(sess, fn, np_fn, op_type, points):
    x = ph([3])
    check_gradients(fn(x), [x], [points])


@pytest.mark.parametrize("fn", [tf.floor, tf.ceil, tf.round])
def test_rounding_ops_have_no_gradient(fn):
    x = ph([2])
    assert tf.gradients(fn(x), [x]) == [None]


def test_sign_gradient_is_zeros_not_none(sess):
    x = tf.constant([-1.0, 0.0, 2.0])
    (g,) = tf.gradients(tf.sign(x), [x])
    assert g is not None and sess.run(g).tolist() == [0, 0, 0]


def test_measured_unary_gradients(sess):
    x = tf.constant([-1.0, 0.0, 1.0])
    assert sess.run(tf.gradients(tf.abs(x), x)[0]).tolist() == [-1, 0, 1]
    x = tf.constant([0.0, 4.0])
    assert sess.run(tf.gradients(tf.sqrt(x), x)[0]).tolist() == [np.inf, 0.25]
    assert sess.run(tf.gradients(tf.rsqrt(x), x)[0]).tolist() == [-np.inf, -0.0625]
    zero = tf.constant(0.0)
    assert sess.run(tf.gradients(tf.sigmoid(zero), zero)[0]) == 0.25
    assert sess.run(tf.gradients(tf.tanh(zero), zero)[0]) == 1.0
    assert sess.run(tf.gradients(tf.log(zero), zero)[0]) == np.inf
    assert sess.run(tf.gradients(tf.square(zero), zero)[0]) == 0.0


def test_round_is_bankers_rounding(sess):
    out = sess.run(tf.round(tf.constant([0.5, 1.5, 2.5, -0.5, -1.5])))
    assert out.tolist() == [0, 2, 2, -0, -2]


def test_where_nan_trap_and_sqrt_zero_upstream(sess):
    x = tf.constant([0.0, 1.0])
    cond = x > 0.5
    g_log = tf.gradients(tf.where(cond, tf.log(x), tf.zeros_like(x)), x)[0]
    g_inv = tf.gradients(tf.where(cond, 1 / x, tf.zeros_like(x)), x)[0]
    g_sqrt = tf.gradients(tf.where(cond, tf.sqrt(x), tf.zeros_like(x)), x)[0]
    np.testing.assert_array_equal(sess.run(g_log), [np.nan, 1.0])
    np.testing.assert_array_equal(sess.run(g_inv), [np.nan, -1.0])
    np.testing.assert_array_equal(sess.run(g_sqrt), [0.0, 0.5])
    assert "SqrtGrad" in [op.type for op in tf.get_default_graph().get_operations()]


def test_sqrt_second_derivative_through_sqrt_grad(sess):
    x = ph([3])
    y = tf.sqrt(x)
    (g,) = tf.gradients(y, x)
    assert g.op.type == "SqrtGrad"
    check_gradients(g, [x], [[0.5, 1.3, 4.0]])
    upstream = ph([3])
    g2 = tf.gradients(y, x, grad_ys=upstream)[0]
    check_gradients(g2, [x, upstream], [[0.5, 1.3, 4.0], [1.0, -2.0, 0.5]])


def test_third_power_second_derivative(sess):
    x = tf.placeholder(tf.float64, [])
    (g,) = tf.gradients(x * x * x, [x])
    (h,) = tf.gradients(g, [x])
    assert sess.run([g, h], {x: 2.0}) == [12.0, 12.0]
    assert sess.run(h, {x: 3.0}) == 18.0
    check_gradients(h, [x], [1.5])  # d/dx 6x = 6


@pytest.mark.parametrize("fn, op_type, formula", [
    (tf.tanh, "TanhGrad", lambda y, g: g * (1 - y * y)),
    (tf.sigmoid, "SigmoidGrad", lambda y, g: g * (y * (1 - y))),
])
def test_tanh_and_sigmoid_gradients_are_one_op_with_second_derivatives(sess, fn, op_type,
                                                                       formula):
    x = ph([3])
    upstream = ph([3])
    y = fn(x)
    (g,) = tf.gradients(y, x, grad_ys=upstream)
    assert g.op.type == op_type
    xs, us = np.array([-1.5, 0.2, 2.0]), np.array([1.0, -2.0, 0.5])
    y_val, g_val = sess.run([y, g], {x: xs, upstream: us})
    np.testing.assert_array_equal(g_val, formula(y_val, us))  # the formula, bit for bit
    check_gradients(g, [x, upstream], [[-1.5, 0.2, 2.0], [1.0, -2.0, 0.5]])
