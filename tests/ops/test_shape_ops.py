"""Shape ops (ops/shape_ops.py): Shape, Size, Rank, Reshape, Transpose, ExpandDims, Squeeze,
Range: forward vs numpy, static shapes, gradients."""

import numpy as np
import pytest

import minigraph as tf
from minigraph.gradient_checker import check_gradients

F64 = tf.float64


def ph(shape, dtype=F64, name=None):
    return tf.placeholder(dtype, shape, name=name)


def test_shape_size_rank(sess):
    x = ph([None, 3])
    s, n, r = tf.shape(x), tf.size(x), tf.rank(x)
    assert (s.op.type, n.op.type, r.op.type) == ("Shape", "Size", "Rank")
    assert s.shape.as_list() == [2] and s.dtype == tf.int32
    assert n.shape.as_list() == [] and r.shape.as_list() == []
    value = np.zeros((4, 3))
    got = sess.run([s, n, r], {x: value})
    np.testing.assert_array_equal(got[0], [4, 3])
    assert got[1] == 12 and got[2] == 2 and got[1].dtype == np.int32
    assert tf.size(x, out_type=tf.int64).dtype == tf.int64
    # Fully known shapes are folded into static values that Reshape can use.
    z = tf.zeros([2, 5])
    assert tf.reshape(z, [tf.size(z)]).shape.as_list() == [10]
    assert tf.size(tf.placeholder(tf.float32)).shape.as_list() == []


def test_shape_and_size_have_no_gradient(sess):
    x = ph([2, 3])
    y = tf.cast(tf.size(x), F64) * tf.reduce_sum(x)
    g, = tf.gradients(y, [x])
    np.testing.assert_allclose(sess.run(g, {x: np.ones((2, 3))}), np.full((2, 3), 6.0))


def test_reshape_forward_shapes_and_gradient(sess):
    x = ph([2, 3])
    y = tf.reshape(x, [3, -1])
    assert y.op.type == "Reshape" and y.shape.as_list() == [3, 2]
    value = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(sess.run(y, {x: value}), value.reshape(3, 2))
    check_gradients(y * y, [x], [value])
    p = ph([None, 3])
    assert tf.reshape(p, [-1]).shape.as_list() == [None]
    assert tf.reshape(p, [3, -1]).shape.as_list() == [3, None]
    assert tf.reshape(p, tf.placeholder(tf.int32, [4])).shape.as_list() == [None] * 4


def test_reshape_errors():
    with pytest.raises(ValueError, match=r"Cannot reshape a tensor with 6 elements to shape "
                                         r"\[4\]"):
        tf.reshape(tf.zeros([2, 3]), [4])
    with pytest.raises(ValueError, match="at most one dimension"):
        tf.reshape(tf.zeros([2, 3]), [-1, -1])


def test_reshape_runtime_mismatch_is_invalid_argument(sess):
    p = ph([None, 3])
    y = tf.reshape(p, [5])
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Input to reshape is a tensor with 6 values, but the requested "
                             "shape has 5"):
        sess.run(y, {p: np.zeros((2, 3))})
    with pytest.raises(tf.errors.InvalidArgumentError, match="requires a multiple of 4"):
        sess.run(tf.reshape(p, [4, -1]), {p: np.zeros((2, 3))})


def test_range(sess):
    r = tf.range(5)
    assert r.op.type == "Range" and r.shape.as_list() == [5] and r.op.name == "range"
    np.testing.assert_array_equal(sess.run(r), np.arange(5))
    np.testing.assert_array_equal(sess.run(tf.range(1, 10, 3)), [1, 4, 7])
    n = tf.placeholder(tf.int32, [])
    assert tf.range(n).shape.as_list() == [None]
    mixed = tf.range(tf.constant(0), tf.constant(3.0))  # TF casts to the widest: float32
    assert mixed.dtype == tf.float32
    np.testing.assert_array_equal(sess.run(mixed), [0.0, 1.0, 2.0])
    with pytest.raises(TypeError, match="tf.range takes int32, int64, float32 or float64"):
        tf.range(tf.constant(True))


def test_transpose_default_and_explicit_perm(sess):
    x = ph([2, 3, 4])
    t = tf.transpose(x)
    assert t.op.type == "Transpose" and t.op.name == "transpose"
    assert t.shape.as_list() == [4, 3, 2]
    value = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(sess.run(t, {x: value}), value.T)
    u = tf.transpose(x, [1, 0, 2])
    np.testing.assert_array_equal(sess.run(u, {x: value}), value.transpose(1, 0, 2))
    check_gradients(u * u, [x], [value])


def test_transpose_partial_and_unknown_shapes(sess):
    p = ph([None, 3])
    assert tf.transpose(p).shape.as_list() == [3, None]
    q = tf.placeholder(F64)
    tq = tf.transpose(q)  # unknown rank: perm built at run time
    assert tq.shape.ndims is None
    value = np.arange(6.0).reshape(1, 2, 3)
    np.testing.assert_array_equal(sess.run(tq, {q: value}), value.T)
    perm = tf.placeholder(tf.int32, [2])
    assert tf.transpose(p, perm).shape.as_list() == [None, None]
    check_gradients(tf.transpose(p, perm) * 3.0, [p], [[[1.0, 2.0, 3.0]]],
                    feed_dict={perm: [1, 0]})


def test_transpose_errors():
    with pytest.raises(ValueError, match="Dimension must be 2 but is 3"):
        tf.transpose(tf.zeros([2, 3]), [0, 1, 2])
    with pytest.raises(ValueError, match="not a permutation"):
        tf.transpose(tf.zeros([2, 3]), [0, 0])


def test_invert_permutation(sess):
    y = tf.invert_permutation([2, 0, 1])
    assert y.op.type == "InvertPermutation" and y.shape.as_list() == [3]
    np.testing.assert_array_equal(sess.run(y), [1, 2, 0])
    p = tf.placeholder(tf.int32, [None])
    with pytest.raises(tf.errors.InvalidArgumentError, match="not a permutation"):
        sess.run(tf.invert_permutation(p), {p: [0, 0, 1]})
    with pytest.raises(ValueError, match="1-D int32"):
        tf.invert_permutation([[0]])


@pytest.mark.parametrize("axis, shape", [(0, [1, 2, 3]), (1, [2, 1, 3]), (2, [2, 3, 1]),
                                         (-1, [2, 3, 1]), (-3, [1, 2, 3])])
def test_expand_dims(sess, axis, shape):
    x = ph([2, 3])
    y = tf.expand_dims(x, axis)
    assert y.op.type == "ExpandDims" and y.shape.as_list() == shape
    value = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(sess.run(y, {x: value}), np.expand_dims(value, axis))
    check_gradients(y * y, [x], [value])


def test_expand_dims_shapes_and_errors():
    assert tf.expand_dims(ph([None, 3]), 1).shape.as_list() == [None, 1, 3]
    assert tf.expand_dims(tf.placeholder(F64), 0).shape.ndims is None
    assert tf.expand_dims(ph([2]), tf.placeholder(tf.int32, [])).shape.as_list() == [None] * 2
    assert tf.expand_dims(ph([2]), dim=0).shape.as_list() == [1, 2]
    with pytest.raises(ValueError, match="out of range"):
        tf.expand_dims(tf.zeros([2, 3]), 3)
    with pytest.raises(ValueError, match="Must specify an axis"):
        tf.expand_dims(tf.zeros([2]))


def test_squeeze(sess):
    x = ph([1, 3, 1])
    value = np.arange(3.0).reshape(1, 3, 1)
    y = tf.squeeze(x)
    assert y.op.type == "Squeeze" and y.shape.as_list() == [3]
    np.testing.assert_array_equal(sess.run(y, {x: value}), [0.0, 1.0, 2.0])
    z = tf.squeeze(x, axis=[-1])
    assert z.shape.as_list() == [1, 3]
    np.testing.assert_array_equal(sess.run(z, {x: value}), value[..., 0])
    check_gradients(z * z, [x], [value])
    check_gradients(y * y, [x], [value])


def test_squeeze_shapes_and_errors(sess):
    p = ph([None, 1, 2])
    assert tf.squeeze(p).shape.ndims is None  # the unknown dim might be 1
    assert tf.squeeze(p, [1]).shape.as_list() == [None, 2]
    assert tf.squeeze(tf.placeholder(F64), [0]).shape.ndims is None
    with pytest.raises(ValueError, match=r"Can not squeeze dim\[2\], expected a dimension of 1, "
                                         r"got 2"):
        tf.squeeze(p, [2])
    with pytest.raises(tf.errors.InvalidArgumentError):
        sess.run(tf.squeeze(p, [0]), {p: np.zeros((3, 1, 2))})


def test_shape_n_gives_each_inputs_shape(sess):
    x, w = tf.placeholder(tf.float32, [None, 3]), tf.zeros([3, 4])
    sx, sw = tf.shape_n([x, w])
    assert sx.op.type == "ShapeN" and sx.op is sw.op and sx.shape.as_list() == [2]
    assert sw.op.outputs[1].dtype == tf.int32
    shapes = sess.run([sx, sw], {x: np.zeros((5, 3))})
    np.testing.assert_array_equal(shapes[0], [5, 3])
    np.testing.assert_array_equal(shapes[1], [3, 4])
    assert tf.shape_n([w], out_type=tf.int64)[0].dtype == tf.int64
    with pytest.raises(ValueError, match="shape_n needs at least one tensor"):
        tf.shape_n([])
