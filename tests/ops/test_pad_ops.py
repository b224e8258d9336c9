"""Pad, PadV2, MirrorPad and Slice (ops/pad_ops.py): forward, shapes, errors, gradients."""

import numpy as np
import pytest

import minigraph as tf
from minigraph.gradient_checker import check_gradients

F64 = tf.float64


def ph(shape, dtype=F64):
    return tf.placeholder(dtype, shape)
A = np.arange(24).reshape(2, 3, 4)


def test_slice_forward_shapes_and_gradient(sess):
    x = tf.placeholder(F64, [3, 4])
    y = tf.slice(x, [1, 0], [2, -1])
    assert y.op.type == "Slice" and y.op.name == "Slice" and y.shape.as_list() == [2, 4]
    value = np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(sess.run(y, {x: value}), value[1:3, :])
    check_gradients(y * y, [x], [value])
    p = tf.placeholder(F64, [None, 4])
    assert tf.slice(p, [1, 1], [-1, 2]).shape.as_list() == [None, 2]
    assert tf.slice(p, tf.placeholder(tf.int32, [2]), [1, 2]).shape.as_list() == [1, 2]
    check_gradients(tf.slice(p, [1, 1], [-1, 2]) * 3.0, [p], [value])


def test_slice_errors(sess):
    with pytest.raises(ValueError, match=r"Expected size\[1\] in \[0, 3\], but got 4"):
        tf.slice(tf.zeros([3, 4]), [0, 1], [1, 4])
    with pytest.raises(ValueError, match="to have 2 entries"):
        tf.slice(tf.zeros([3, 4]), [0], [1])
    p = tf.placeholder(F64, [None])
    with pytest.raises(tf.errors.InvalidArgumentError, match="to fit in dimension 0"):
        sess.run(tf.slice(p, [2], [3]), {p: [1.0, 2.0, 3.0]})


def test_slice_and_pad_second_order(sess):
    x = tf.placeholder(F64, [2, 3])
    y = tf.slice(x, [0, 1], [2, 2])
    g, = tf.gradients(tf.reduce_sum(y * y * y), [x])
    value = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(sess.run(g, {x: value}), 3 * value ** 2 * [0, 1, 1])
    check_gradients(g, [x], [value])


def test_pad_constant(sess):
    x = ph([2, 3])
    y = tf.pad(x, [[1, 0], [0, 2]])
    assert y.op.type == "Pad" and y.shape.as_list() == [3, 5]
    value = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(sess.run(y, {x: value}), np.pad(value, [[1, 0], [0, 2]]))
    check_gradients(y * y, [x], [value])
    z = tf.pad(x, [[0, 1], [1, 1]], constant_values=7.0)
    assert z.op.type == "PadV2" and z.shape.as_list() == [3, 5]
    np.testing.assert_array_equal(sess.run(z, {x: value}),
                                  np.pad(value, [[0, 1], [1, 1]], constant_values=7.0))
    check_gradients(z * z, [x], [value])


def test_pad_shapes_and_errors(sess):
    p = ph([None, 3])
    assert tf.pad(p, [[1, 1], [2, 0]]).shape.as_list() == [None, 5]
    paddings = tf.placeholder(tf.int32, [2, 2])
    y = tf.pad(p, paddings)
    assert y.shape.as_list() == [None, None]
    check_gradients(y * 2.0, [p], [np.ones((2, 3))], feed_dict={paddings: [[0, 1], [2, 0]]})
    with pytest.raises(ValueError, match="must have 2 rows"):
        tf.pad(tf.zeros([2, 3]), [[1, 1]])
    with pytest.raises(ValueError, match="2 columns"):
        tf.pad(tf.zeros([2, 3]), [[1, 1, 1], [0, 0, 0]])
    with pytest.raises(ValueError, match="Unknown padding mode"):
        tf.pad(tf.zeros([2]), [[1, 1]], mode="WRAP")


@pytest.mark.parametrize("mode", ["REFLECT", "SYMMETRIC", "symmetric"])
def test_mirror_pad(sess, mode):
    x = ph([3, 4])
    paddings = [[2, 1], [1, 2]]
    y = tf.pad(x, paddings, mode=mode)
    assert y.op.type == "MirrorPad" and y.shape.as_list() == [6, 7]
    value = np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(sess.run(y, {x: value}),
                                  np.pad(value, paddings, mode=mode.lower()))
    check_gradients(y * y, [x], [value])
    g, = tf.gradients(y, [x])
    assert g.op.type == "MirrorPadGrad"
    check_gradients(g * g, [x], [value])  # the gradient of MirrorPadGrad is MirrorPad


def test_mirror_pad_errors():
    with pytest.raises(ValueError, match="no greater than the dimension size 3 - 1"):
        tf.pad(tf.zeros([3]), [[3, 0]], mode="REFLECT")
    assert tf.pad(tf.zeros([3]), [[3, 0]], mode="SYMMETRIC").shape.as_list() == [6]
