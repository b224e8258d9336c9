"""Comparisons, logical ops and tf.where (ops/comparison_ops.py)."""

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


COMPARISONS = [
    (tf.equal, np.equal, "Equal"), (tf.not_equal, np.not_equal, "NotEqual"),
    (tf.less, np.less, "Less"), (tf.less_equal, np.less_equal, "LessEqual"),
    (tf.greater, np.greater, "Greater"), (tf.greater_equal, np.greater_equal, "GreaterEqual"),
]


@pytest.mark.parametrize("fn, np_fn, op_type", COMPARISONS, ids=[c[2] for c in COMPARISONS])
def test_comparisons(sess, fn, np_fn, op_type):
    a = np.array([[1, 2, 3], [3, 2, 1]], dtype=np.int32)
    y = fn(tf.constant(a), 2)
    assert y.op.type == op_type and y.op.name == op_type and y.dtype == tf.bool
    assert y.shape.as_list() == [2, 3]
    np.testing.assert_array_equal(sess.run(y), np_fn(a, 2))
    with pytest.raises(ValueError, match="Dimensions must be equal"):
        fn(tf.zeros([2]), tf.zeros([3]))
    with pytest.raises(TypeError, match="does not match"):
        fn(tf.zeros([2]), tf.zeros([2], tf.int32))
    x = ph([3])
    assert tf.gradients(tf.cast(fn(x, 0.5), tf.float64), [x]) == [None]
    assert isinstance(sess.run(fn(tf.constant(1.0), 1.0)), (np.bool_, bool))


def test_equal_accepts_bool_and_strings_but_ordering_does_not(sess):
    assert sess.run(tf.equal(tf.constant([True, False]), True)).tolist() == [True, False]
    s = tf.constant(["a", "b"])
    assert sess.run(tf.not_equal(s, "a")).tolist() == [False, True]
    with pytest.raises(TypeError, match="DataType bool"):
        tf.less(tf.constant([True]), tf.constant([False]))


def test_python_equality_stays_identity():
    a, b = tf.constant(1.0), tf.constant(1.0)
    assert (a == a) is True and (a == b) is False and (a != b) is True


def test_logical_ops(sess):
    a = np.array([True, True, False, False])
    b = np.array([True, False, True, False])
    ta, tb = tf.constant(a), tf.constant(b)
    assert sess.run(tf.logical_and(ta, tb)).tolist() == (a & b).tolist()
    assert sess.run(tf.logical_or(ta, tb)).tolist() == (a | b).tolist()
    assert sess.run(tf.logical_xor(ta, tb)).tolist() == (a ^ b).tolist()
    assert sess.run(tf.logical_not(ta)).tolist() == (~a).tolist()
    assert sess.run(ta ^ tb).tolist() == (a ^ b).tolist()
    assert sess.run(tf.logical_xor(True, [True, False])).tolist() == [False, True]
    assert tf.logical_and(tf.constant([[True], [False]]), ta).shape.as_list() == [2, 4]
    with pytest.raises(TypeError, match="DataType float32"):
        tf.logical_or(tf.constant(1.0), tf.constant(0.0))


def test_where_select_forward_and_shapes(sess):
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    y = -x
    c = np.array([[True, False], [False, True]])
    s = tf.where(c, x, y)
    assert s.op.type == "Select" and s.op.name == "Select" and s.shape.as_list() == [2, 2]
    np.testing.assert_array_equal(sess.run(s), np.where(c, x, y))
    rows = tf.where([True, False], x, y)  # a vector selects whole rows
    np.testing.assert_array_equal(sess.run(rows), [[1, 2], [-3, -4]])
    assert sess.run(tf.where(False, x, y)).tolist() == y.tolist()
    p = tf.placeholder(tf.float32, [None, 3])
    assert tf.where(tf.ones([5], tf.bool), p, p).shape.as_list() == [5, 3]
    with pytest.raises(ValueError, match="same shape"):
        tf.where(c, x, [1.0, 2.0])
    with pytest.raises(ValueError, match="neither x's shape"):
        tf.where([True, False, True], x, y)
    with pytest.raises(TypeError, match="'condition' of op 'Select' has DataType float64"):
        tf.where(tf.constant(x), x, y)
    with pytest.raises(ValueError, match="both be non-None"):
        tf.where(c, x)
    with pytest.raises(TypeError, match="does not match"):
        tf.where(c, tf.constant(x), tf.constant(y.astype(np.float32)))


def test_where_select_run_time_shape_error(sess):
    c = tf.placeholder(tf.bool, [None])
    x = tf.placeholder(tf.float32, [None, 2])
    with pytest.raises(tf.errors.InvalidArgumentError, match="tf.where got condition"):
        sess.run(tf.where(c, x, x), {c: [True], x: np.ones((3, 2))})


def test_where_gradient_measured_and_checked(sess):
    a, b = tf.constant([1.0, 1.0, 1.0]), tf.constant([1.0, 1.0, 1.0])
    c = tf.constant([True, False, True])
    da, db = sess.run(tf.gradients(tf.where(c, 2 * a, 3 * b), [a, b]))
    assert da.tolist() == [2, 0, 2] and db.tolist() == [0, 3, 0]
    x, y = ph([2, 2]), ph([2, 2])
    check_gradients(tf.where([True, False], x * x, y), [x, y],
                    [[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]])


def test_where_with_condition_only_returns_int64_coordinates(sess):
    w = tf.where([[True, False], [False, True]])
    assert w.op.type == "Where" and w.dtype == tf.int64 and w.shape.as_list() == [None, 2]
    assert sess.run(w).tolist() == [[0, 0], [1, 1]]
    x = ph([2])
    assert tf.gradients(tf.cast(tf.where(x > 0.0), tf.float64), [x]) == [None]
