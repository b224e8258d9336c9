"""Array ops (ops/array_ops.py): forward vs numpy, static shapes, gradients."""

import numpy as np
import pytest

import minigraph as tf
from minigraph.gradient_checker import check_gradients

F64 = tf.float64


def ph(shape, dtype=F64, name=None):
    return tf.placeholder(dtype, shape, name=name)


# -- Identity, StopGradient, PlaceholderWithDefault -------------------------------------------
def test_identity_forward_shape_and_gradient(sess):
    x = ph([None, 2])
    y = tf.identity(x)
    assert y.op.type == "Identity" and y.shape.as_list() == [None, 2]
    value = [[1.0, -2.0], [3.0, 4.5]]
    np.testing.assert_array_equal(sess.run(y, {x: value}), value)
    check_gradients(y * y, [x], [value])


def test_stop_gradient_blocks_the_gradient(sess):
    x = ph([2])
    y = tf.stop_gradient(x) * x
    assert y.op.inputs[0].op.type == "StopGradient"
    assert tf.stop_gradient(x).shape.as_list() == [2]
    g, = tf.gradients(y, [x])
    np.testing.assert_allclose(sess.run(g, {x: [2.0, 3.0]}), [2.0, 3.0])  # x, not 2x
    assert tf.gradients(tf.stop_gradient(x), [x]) == [None]


def test_placeholder_with_default(sess):
    d = tf.placeholder_with_default(tf.constant([1.0, 2.0], F64), [None])
    assert d.op.type == "PlaceholderWithDefault" and d.shape.as_list() == [None]
    np.testing.assert_array_equal(sess.run(d), [1.0, 2.0])
    np.testing.assert_array_equal(sess.run(d, {d: [5.0, 6.0, 7.0]}), [5.0, 6.0, 7.0])
    with pytest.raises(ValueError, match="not compatible"):
        tf.placeholder_with_default([1.0, 2.0], [3])


# -- Fill and the zeros/ones family -------------------------------------------------------------
def test_fill_zeros_ones(sess):
    f = tf.fill([2, 3], 9)
    assert f.op.type == "Fill" and f.shape.as_list() == [2, 3] and f.dtype == tf.int32
    np.testing.assert_array_equal(sess.run(f), np.full((2, 3), 9))
    z, o = tf.zeros([2]), tf.ones([1, 2], tf.int32)
    assert (z.op.name, o.op.name) == ("zeros", "ones")
    np.testing.assert_array_equal(sess.run(z), [0.0, 0.0])
    assert sess.run(o).dtype == np.int32
    p = ph([None, 2])
    zl, ol = tf.zeros_like(p), tf.ones_like(p, dtype=tf.int32)
    assert zl.shape.as_list() == [None, 2] and ol.dtype == tf.int32
    np.testing.assert_array_equal(sess.run(ol, {p: np.zeros((3, 2))}), np.ones((3, 2)))
    with pytest.raises(ValueError, match="scalar"):
        tf.fill([2], [1.0, 2.0])


def test_fill_gradient_flows_to_the_value(sess):
    v = ph([])
    check_gradients(tf.fill([2, 3], v) * 2.0, [v], [1.5])


# -- Pack and Unpack (stack, unstack) ------------------------------------------------------------
def test_stack_forward_shapes_and_gradient(sess):
    a, b = ph([2]), ph([None])
    y = tf.stack([a, b], axis=1)
    assert y.op.type == "Pack" and y.shape.as_list() == [2, 2]
    va, vb = [1.0, 2.0], [3.0, 4.0]
    np.testing.assert_array_equal(sess.run(y, {a: va, b: vb}), np.stack([va, vb], 1))
    check_gradients(y * y, [a, b], [va, vb])
    with pytest.raises(ValueError, match="Shapes of all inputs must match"):
        tf.stack([tf.zeros([2]), tf.zeros([3])])


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_unstack(sess, axis):
    x = ph([2, 3])
    parts = tf.unstack(x, axis=axis)
    value = np.arange(6.0).reshape(2, 3)
    want = list(np.moveaxis(value, axis, 0))
    assert parts[0].op.type == "Unpack" and parts[0].op.name == "unstack"
    assert len(parts) == len(want) and parts[0].shape.as_list() == list(want[0].shape)
    for got, w in zip(sess.run(parts, {x: value}), want, strict=True):
        np.testing.assert_array_equal(got, w)
    check_gradients(parts[0] * parts[-1], [x], [value])


def test_unstack_num_inference_and_errors(sess):
    with pytest.raises(ValueError, match=r"Cannot infer num from shape \(\?, 3\)"):
        tf.unstack(ph([None, 3]))
    with pytest.raises(ValueError, match="Cannot infer num"):
        tf.unstack(tf.placeholder(F64))
    p = ph([None, 3])
    parts = tf.unstack(p, num=2)
    assert parts[0].shape.as_list() == [3]
    with pytest.raises(tf.errors.InvalidArgumentError, match="num = 2"):
        sess.run(parts[0], {p: np.zeros((3, 3))})
    with pytest.raises(ValueError, match="cannot unstack it into 4"):
        tf.unstack(tf.zeros([2, 3]), num=4)
    # Pack's gradient is an Unpack: stacking then differentiating round-trips.
    a, b = ph([2]), ph([2])
    check_gradients(tf.stack([a, b]) * 2.0, [a, b], [[1.0, 2.0], [3.0, 4.0]])
