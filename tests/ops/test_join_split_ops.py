"""Join/split ops (ops/join_split_ops.py): concat, split, tile, reverse."""

import numpy as np
import pytest

import minigraph as tf
from minigraph.gradient_checker import check_gradients

F64 = tf.float64


def ph(shape, dtype=F64):
    return tf.placeholder(dtype, shape)


# -- ConcatV2 ----------------------------------------------------------------------------------
@pytest.mark.parametrize("axis", [0, 1, -1, -2])
def test_concat_forward_shape_and_gradient(sess, axis):
    a, b = ph([2, 3]), ph([2, 3])
    y = tf.concat([a, b], axis)
    assert y.op.type == "ConcatV2" and y.op.name == "concat"
    va, vb = np.arange(6.0).reshape(2, 3), -np.arange(6.0).reshape(2, 3)
    expected = np.concatenate([va, vb], axis)
    assert y.shape.as_list() == list(expected.shape)
    np.testing.assert_array_equal(sess.run(y, {a: va, b: vb}), expected)
    check_gradients(y * y, [a, b], [va, vb])


def test_concat_gradient_slices_g_back(sess):
    # TF: concat([c1, c2]) . [1, 2, 3] -> [1, 2], [3]
    c1, c2 = ph([2]), ph([1])
    loss = tf.reduce_sum(tf.concat([c1, c2], 0) * tf.constant([1.0, 2.0, 3.0], F64))
    g1, g2 = tf.gradients(loss, [c1, c2])
    got = sess.run([g1, g2], {c1: [5.0, 6.0], c2: [7.0]})
    np.testing.assert_array_equal(got[0], [1.0, 2.0])
    np.testing.assert_array_equal(got[1], [3.0])


def test_concat_partial_shapes_and_dynamic_gradient(sess):
    a, b = ph([None, 3]), ph([2, None])
    y = tf.concat([a, b], 0)
    assert y.shape.as_list() == [None, 3]
    va, vb = np.ones((1, 3)), np.arange(6.0).reshape(2, 3)
    check_gradients(y * y, [a, b], [va, vb])
    z = tf.concat([a, b], 1)
    assert z.shape.as_list() == [2, None]
    axis = tf.placeholder(tf.int32, [])
    w = tf.concat([a, b], axis)
    assert w.shape.as_list() == [None, None]
    check_gradients(w * w, [a, b], [np.ones((2, 3)), vb], feed_dict={axis: -1})
    assert tf.concat([tf.placeholder(F64), a], 0).shape.as_list() == [None, 3]


def test_concat_python_values_single_input_and_errors(sess):
    a = tf.constant([1.0, 2.0], F64)
    y = tf.concat([a, [3.0]], 0)
    assert y.dtype == tf.float64
    np.testing.assert_array_equal(sess.run(y), [1.0, 2.0, 3.0])
    one = tf.concat([a], 0)
    assert one.op.type == "Identity" and one.op.name == "concat_1"
    with pytest.raises(ValueError, match="Dimension 1 in both shapes must be equal, but are 3 "
                                         "and 4"):
        tf.concat([tf.zeros([2, 3]), tf.zeros([2, 4])], 0)
    with pytest.raises(ValueError, match="equal rank"):
        tf.concat([tf.zeros([2, 3]), tf.zeros([2])], 0)
    with pytest.raises(ValueError, match="out of range"):
        tf.concat([tf.zeros([2]), tf.zeros([2])], 1)
    with pytest.raises(TypeError):
        tf.concat([tf.zeros([2]), tf.zeros([2], tf.int32)], 0)


# -- Split, SplitV -----------------------------------------------------------------------------
def test_split_equal_pieces(sess):
    x = ph([4, 6])
    parts = tf.split(x, 3, axis=1)
    assert len(parts) == 3 and parts[0].op.type == "Split" and parts[0].op.name == "split"
    assert [p.shape.as_list() for p in parts] == [[4, 2]] * 3
    value = np.arange(24.0).reshape(4, 6)
    for got, want in zip(sess.run(parts, {x: value}), np.split(value, 3, axis=1), strict=True):
        np.testing.assert_array_equal(got, want)
    # Only the first two pieces are used: the third piece's gradient is zero.
    check_gradients(parts[0] * parts[1], [x], [value])
    with pytest.raises(ValueError, match="evenly divisible by 4 but is 6"):
        tf.split(x, 4, axis=1)
    assert [p.shape.as_list() for p in tf.split(ph([None, 6]), 2)] == [[None, 6]] * 2


def test_split_sizes_with_inferred_entry(sess):
    x = ph([4, 5])
    a, b, c = tf.split(x, [2, -1, 1], axis=1)
    assert a.op.type == "SplitV"
    assert [t.shape.as_list() for t in (a, b, c)] == [[4, 2], [4, 2], [4, 1]]
    value = np.arange(20.0).reshape(4, 5)
    got = sess.run([a, b, c], {x: value})
    for g, w in zip(got, (value[:, :2], value[:, 2:4], value[:, 4:]), strict=True):
        np.testing.assert_array_equal(g, w)
    check_gradients(tf.concat([c, a * b], 1), [x], [value])
    with pytest.raises(ValueError, match="Determined shape must either match"):
        tf.split(x, [2, 2], axis=1)
    with pytest.raises(ValueError, match="at most one -1"):
        tf.split(x, [-1, -1, 3], axis=1)


def test_split_sizes_at_run_time(sess):
    x = ph([None])
    sizes = tf.placeholder(tf.int32, [2])
    a, b = tf.split(x, sizes)
    assert a.shape.as_list() == [None]
    got = sess.run([a, b], {x: [1.0, 2.0, 3.0], sizes: [1, 2]})
    np.testing.assert_array_equal(got[1], [2.0, 3.0])
    with pytest.raises(tf.errors.InvalidArgumentError, match="do not add up"):
        sess.run(a, {x: [1.0, 2.0, 3.0], sizes: [1, 1]})
    with pytest.raises(ValueError, match="Cannot infer num"):
        tf.split(x, tf.placeholder(tf.int32, [None]))


# -- Tile --------------------------------------------------------------------------------------
def test_tile(sess):
    x = ph([2, 3])
    y = tf.tile(x, [2, 3])
    assert y.op.type == "Tile" and y.shape.as_list() == [4, 9]
    value = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(sess.run(y, {x: value}), np.tile(value, [2, 3]))
    check_gradients(y * y, [x], [value])
    p = ph([None, 3])
    assert tf.tile(p, [2, 1]).shape.as_list() == [None, 3]
    check_gradients(tf.tile(p, [3, 2]) * 2.0, [p], [value])
    m = tf.placeholder(tf.int32, [2])
    assert tf.tile(x, m).shape.as_list() == [None, None]
    with pytest.raises(ValueError, match="Shape must be rank 2 but is rank 1"):
        tf.tile(x, [2])


# -- ReverseV2 ---------------------------------------------------------------------------------
def test_reverse(sess):
    x = ph([2, 3])
    y = tf.reverse(x, [1])
    assert y.op.type == "ReverseV2" and y.shape.as_list() == [2, 3]
    value = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(sess.run(y, {x: value}), value[:, ::-1])
    np.testing.assert_array_equal(sess.run(tf.reverse(x, [0, -1]), {x: value}),
                                  value[::-1, ::-1])
    check_gradients(y * tf.constant([[1.0, 2.0, 3.0]], F64), [x], [value])
    assert tf.reverse(ph([None, 3]), [0]).shape.as_list() == [None, 3]
    with pytest.raises(ValueError, match="out of range"):
        tf.reverse(x, [2])
    with pytest.raises(ValueError, match="twice"):
        tf.reverse(x, [1, -1])


# -- list ops with exactly one (or no) output ---------------------------------------------------
@pytest.mark.parametrize("fed", [True, False])
def test_single_output_split_and_unstack_return_one_element_lists(fed, sess):
    """Split, SplitV and Unpack with num=1 give [tensor] (folded when constant, run if fed)."""
    value = np.arange(6.0).reshape(1, 6)
    x = tf.placeholder(tf.float64, [1, 6]) if fed else tf.constant(value)
    feed = {x: value} if fed else {}
    pieces = [tf.unstack(x), tf.split(x, 1), tf.split(x, [6], axis=1), tf.split(x, [-1], 1)]
    for piece in pieces:
        assert isinstance(piece, list) and len(piece) == 1
    got = sess.run(pieces, feed)
    np.testing.assert_array_equal(got[0][0], value[0])
    for piece in got[1:]:
        np.testing.assert_array_equal(piece[0], value)


def test_unstack_of_an_empty_axis_is_an_empty_list(sess):
    assert tf.unstack(tf.zeros([0, 3])) == []


def test_gradients_through_single_output_list_ops(sess):
    x = tf.placeholder(tf.float64, [1, 3])
    value = np.array([[0.5, -1.0, 2.0]])
    check_gradients(tf.global_norm([x]), [x], [value])
    check_gradients(tf.unstack(x)[0] ** 2, [x], [value])
    check_gradients(tf.split(x, 1)[0] * 3.0, [x], [value])
    check_gradients(tf.split(x, [3], axis=1)[0] ** 3, [x], [value])
    grad, = tf.gradients(tf.global_norm([x]), [x])  # x / norm
    np.testing.assert_allclose(sess.run(grad, {x: value}), value / np.sqrt(5.25))
