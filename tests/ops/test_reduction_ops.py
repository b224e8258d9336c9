"""Reductions (ops/reduction_ops.py and Sum in ops/broadcast_ops.py): values, shapes,
deprecated arguments, gradients with ties and zeros."""

import json
import pathlib

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


X = np.array([[1.0, 5.0, -2.0], [3.0, 0.5, 4.0]])


REDUCTIONS = [
    (tf.reduce_sum, np.sum, "Sum"),
    (tf.reduce_mean, np.mean, "Mean"),
    (tf.reduce_max, np.max, "Max"),
    (tf.reduce_min, np.min, "Min"),
    (tf.reduce_prod, np.prod, "Prod"),
]


AXES = [None, 0, 1, -1, [0, 1], [-2]]


@pytest.mark.parametrize("fn, np_fn, op_type", REDUCTIONS, ids=[r[2] for r in REDUCTIONS])
@pytest.mark.parametrize("axis", AXES, ids=str)
def test_reduction_forward_and_static_shape(sess, fn, np_fn, op_type, axis):
    x = tf.constant(X.astype(np.float32))
    np_axis = tuple(axis) if isinstance(axis, list) else axis
    for keepdims in (False, True):
        y = fn(x, axis, keepdims=keepdims)
        assert y.op.type == op_type and y.op.name.startswith(op_type)
        expected = np_fn(X.astype(np.float32), axis=np_axis, keepdims=keepdims)
        assert y.shape.as_list() == list(expected.shape) and y.dtype == tf.float32
        out = sess.run(y)
        assert out.dtype == np.float32
        np.testing.assert_allclose(out, expected, rtol=1e-6)


@pytest.mark.parametrize("fn, np_fn, op_type", REDUCTIONS, ids=[r[2] for r in REDUCTIONS])
def test_reduction_deprecated_arguments_and_errors(sess, fn, np_fn, op_type):
    x = tf.constant(X)
    np.testing.assert_allclose(sess.run(fn(x, reduction_indices=[1], keep_dims=True)),
                               np_fn(X, axis=1, keepdims=True))
    with pytest.raises(ValueError, match="Invalid reduction dimension 2"):
        fn(x, 2)
    with pytest.raises(ValueError, match="both 'axis' and 'reduction_indices'"):
        fn(x, 0, reduction_indices=0)
    with pytest.raises(ValueError, match="both 'keepdims' and 'keep_dims'"):
        fn(x, 0, keepdims=True, keep_dims=True)
    with pytest.raises(TypeError, match="DataType bool"):
        fn(tf.constant([True]))
    p = tf.placeholder(tf.float32, [None, 3])
    assert fn(p, 1).shape.as_list() == [None]
    assert fn(p, 0, keepdims=True).shape.as_list() == [1, 3]
    assert fn(p).shape.as_list() == []
    unknown = tf.placeholder(tf.float32)
    assert fn(unknown).shape.ndims is None
    assert sess.run(fn(unknown), {unknown: X}) == pytest.approx(np_fn(X))


@pytest.mark.parametrize("fn, np_fn, op_type", REDUCTIONS, ids=[r[2] for r in REDUCTIONS])
@pytest.mark.parametrize("axis, keepdims", [(None, False), (0, False), (-1, True), ([0, 1], True)])
def test_reduction_gradients(sess, fn, np_fn, op_type, axis, keepdims):
    x = ph([2, 3])
    check_gradients(fn(x, axis, keepdims=keepdims), [x], [X])


@pytest.mark.parametrize("fn", [tf.reduce_sum, tf.reduce_mean, tf.reduce_max, tf.reduce_prod])
def test_reduction_gradients_with_unknown_shapes(sess, fn):
    x = tf.placeholder(tf.float64, [None, 3])
    check_gradients(fn(x, 1), [x], [X])
    y = tf.placeholder(tf.float64)
    check_gradients(fn(y, 0), [y], [X])


def test_mean_gradient_measured(sess):
    x = tf.constant(np.ones((2, 3)))
    np.testing.assert_allclose(sess.run(tf.gradients(tf.reduce_mean(x), x)[0]),
                               np.full((2, 3), 1 / 6))
    np.testing.assert_allclose(sess.run(tf.gradients(tf.reduce_mean(x, 0), x)[0]),
                               np.full((2, 3), 0.5))
    y = tf.reduce_mean(x, 1, keepdims=True) * tf.constant([[1.0], [3.0]], tf.float64)
    np.testing.assert_allclose(sess.run(tf.gradients(y, x)[0]),
                               [[1 / 3] * 3, [1.0] * 3])


def test_max_min_gradients_split_ties(sess):
    x = tf.constant([3.0, 1.0, 3.0])
    assert sess.run(tf.gradients(tf.reduce_max(x), x)[0]).tolist() == [0.5, 0, 0.5]
    y = tf.constant([1.0, 1.0, 2.0])
    assert sess.run(tf.gradients(tf.reduce_min(y), y)[0]).tolist() == [0.5, 0.5, 0]


def test_prod_gradient_with_zeros(sess):
    x = ph([2, 3])
    values = np.array([[2.0, 0.0, 3.0], [0.0, 0.0, 5.0]])
    check_gradients(tf.reduce_prod(x, 1), [x], [values])
    g = sess.run(tf.gradients(tf.reduce_prod(x, 1), x)[0], {x: values})
    assert g.tolist() == [[0, 6, 0], [0, 0, 0]]


def test_reduction_dtypes_follow_the_input(sess):
    ints = tf.constant([[1, 2], [3, 4]])
    s, m = tf.reduce_sum(ints), tf.reduce_mean(tf.constant([1, 2]))
    assert s.dtype == tf.int32 and sess.run(s).dtype == np.int32 and sess.run(s) == 10
    assert m.dtype == tf.int32 and sess.run(m) == 1  # integer mean truncates
    assert sess.run(tf.reduce_prod(ints, 0)).tolist() == [3, 8]
    assert sess.run(tf.reduce_max(tf.zeros([0, 2]), 0)).tolist() == [-np.inf, -np.inf]
    assert sess.run(tf.reduce_min(tf.zeros([0], tf.int32))) == np.iinfo(np.int32).max


def test_reduce_all_and_any(sess):
    b = tf.constant([[True, False], [True, True]])
    for fn, np_fn, op_type in ((tf.reduce_all, np.all, "All"), (tf.reduce_any, np.any, "Any")):
        for axis in (None, 0, -1):
            y = fn(b, axis)
            assert y.op.type == op_type and y.dtype == tf.bool
            np.testing.assert_array_equal(sess.run(y), np_fn(sess.run(b), axis=axis))
        assert fn(b, 1, keepdims=True).shape.as_list() == [2, 1]
        with pytest.raises(TypeError, match="DataType float32"):
            fn(tf.constant([1.0]))
        with pytest.raises(ValueError, match="Invalid reduction dimension"):
            fn(b, 3)


def test_argmax_argmin(sess):
    x = tf.constant([[1.0, 7.0, 7.0], [9.0, 0.0, 2.0]])
    a = tf.argmax(x)
    assert a.op.type == "ArgMax" and a.op.name == "ArgMax" and a.dtype == tf.int64
    assert a.shape.as_list() == [3]
    assert sess.run(a).tolist() == [1, 0, 0] and sess.run(a).dtype == np.int64
    assert sess.run(tf.argmax(x, 1)).tolist() == [1, 0]  # first of the tied maxima
    assert sess.run(tf.argmax(x, -1, output_type=tf.int32)).dtype == np.int32
    n = tf.argmin(x, axis=1)
    assert n.op.type == "ArgMin" and sess.run(n).tolist() == [0, 1]
    assert sess.run(tf.arg_max(x, 1)).tolist() == [1, 0]
    assert sess.run(tf.arg_min(x, 0)).tolist() == [0, 1, 1]
    assert sess.run(tf.argmax(x, dimension=1)).tolist() == [1, 0]
    p = tf.placeholder(tf.float32, [None, 4])
    assert tf.argmax(p, 1).shape.as_list() == [None]
    with pytest.raises(ValueError, match="Invalid reduction dimension 2"):
        tf.argmax(x, 2)
    with pytest.raises(ValueError, match="takes one axis"):
        tf.argmax(x, [0, 1])
    with pytest.raises(TypeError, match="output_type"):
        tf.argmax(x, 0, output_type=tf.float32)
    with pytest.raises(TypeError, match="DataType bool"):
        tf.argmin(tf.constant([True]))
    xp = ph([3])
    assert tf.gradients(tf.cast(tf.argmax(xp), tf.float64) * xp, [xp])[0] is not None
    assert tf.gradients(tf.argmax(xp), [xp]) == [None]


def test_l2_loss_forward_shape_and_gradient(sess):
    y = tf.nn.l2_loss(tf.constant([3.0, 4.0]))
    assert y.op.type == "L2Loss" and y.shape.as_list() == []
    assert sess.run(y) == pytest.approx(12.5)
    with pytest.raises(TypeError, match="L2Loss"):
        tf.nn.l2_loss(tf.constant([1, 2]))
    t = tf.placeholder(F64, [2, 3])
    check_gradients(tf.nn.l2_loss(t), [t], [X])


# -- Cumsum, Cumprod (values and gradients recorded from TF: tests/data/record_scan_ops.py) ------
SCANS = json.loads((pathlib.Path(__file__).resolve().parents[1] / "data" / "scan_ops.json")
                   .read_text())


@pytest.mark.parametrize("case", sorted(SCANS["cases"]))
def test_scans_match_tf(case, sess):
    op, axis, exclusive, reverse = case.split(" ")
    kwargs = dict(axis=int(axis.split("=")[1]), exclusive=exclusive.endswith("True"),
                  reverse=reverse.endswith("True"))
    recorded = SCANS["cases"][case]
    x = tf.placeholder(tf.float64, [3, 4])
    xs = np.array(SCANS["x"])
    y = getattr(tf, op)(x, **kwargs)
    assert y.op.type == recorded["op_type"] and y.shape.as_list() == [3, 4]
    grad, = tf.gradients(tf.reduce_sum(y * SCANS["w"]), x)
    value, gvalue = sess.run([y, grad], {x: xs})
    np.testing.assert_allclose(value, recorded["value"], rtol=1e-12)
    np.testing.assert_allclose(gvalue, recorded["grad"], rtol=1e-12, atol=1e-12)
    integers = getattr(tf, op)(tf.constant(xs.astype(np.int32) * 2 + 1), **kwargs)
    np.testing.assert_array_equal(sess.run(integers), recorded["int32"])
    check_gradients(y * y, [x], [xs])


def test_scan_names_errors_and_math_namespace(sess):
    assert tf.math.cumsum is tf.cumsum and tf.math.cumprod is tf.cumprod
    assert tf.cumsum([1.0]).op.type == "Cumsum" and tf.cumprod([1.0]).op.type == "Cumprod"
    assert sess.run(tf.cumsum([1, 2, 3], exclusive=True)).tolist() == [0, 1, 3]
    assert sess.run(tf.cumprod([2, 3, 4], reverse=True)).tolist() == [24, 12, 4]
    assert tf.cumsum(tf.zeros([2]), name="running").op.name == "running"
    assert sess.run(tf.cumsum(tf.zeros([0, 3]), axis=0)).shape == (0, 3)
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        tf.cumsum(tf.zeros([2, 3]), axis=2)
    with pytest.raises(TypeError):
        tf.cumsum(tf.constant([True]))
