"""Pooling family: MaxPool, AvgPool, MaxPoolWithArgmax, their gradient ops and the gradients
of those. Values against real TensorFlow are in test_conv_tf.py."""

import numpy as np
import pytest

import minigraph as tf
from minigraph.gradient_checker import check_gradients

RNG = np.random.default_rng(3)


def distinct(shape, spacing=0.1):
    """Values at least `spacing` apart, so finite differences never cross a tie."""
    return RNG.permutation(int(np.prod(shape))).reshape(shape) * spacing - 1.0


def weighted_sum(y, seed=1):
    w = np.random.default_rng(seed).normal(size=y.shape.as_list())
    return tf.reduce_sum(y * tf.constant(w))


def np_pool(x, k, s, reduce):
    """Direct-loop VALID pooling reference (NHWC)."""
    oh, ow = (x.shape[1] - k) // s + 1, (x.shape[2] - k) // s + 1
    out = np.zeros((x.shape[0], oh, ow, x.shape[3]))
    for r in range(oh):
        for c in range(ow):
            out[:, r, c] = reduce(x[:, r * s:r * s + k, c * s:c * s + k], axis=(1, 2))
    return out


@pytest.mark.parametrize("fn, reduce, op_type", [(tf.nn.max_pool, np.max, "MaxPool"),
                                                 (tf.nn.avg_pool, np.mean, "AvgPool")])
def test_valid_pooling_matches_direct_loop(sess, fn, reduce, op_type):
    x = RNG.normal(size=(2, 7, 6, 3))
    y = fn(x, ksize=[1, 3, 3, 1], strides=[1, 2, 2, 1], padding="VALID")
    assert y.op.type == op_type and y.shape.as_list() == [2, 3, 2, 3]
    np.testing.assert_allclose(sess.run(y), np_pool(x, 3, 2, reduce), rtol=1e-12)


def test_same_padding_never_wins_max_and_is_left_out_of_the_average(sess):
    x = -np.arange(1.0, 10.0).reshape(1, 3, 3, 1)
    mx = tf.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
    av = tf.nn.avg_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
    assert mx.shape.as_list() == [1, 2, 2, 1]
    np.testing.assert_array_equal(sess.run(mx)[0, :, :, 0], [[-1, -3], [-7, -9]])
    np.testing.assert_allclose(sess.run(av)[0, :, :, 0], [[-3, -4.5], [-7.5, -9]])


def test_nchw_pooling_is_the_transposed_nhwc_result(sess):
    x = RNG.normal(size=(2, 5, 6, 3))
    for fn in (tf.nn.max_pool, tf.nn.avg_pool):
        a = fn(x, [1, 3, 2, 1], [1, 2, 2, 1], "SAME")
        b = fn(x.transpose(0, 3, 1, 2), [1, 1, 3, 2], [1, 1, 2, 2], "SAME", data_format="NCHW")
        np.testing.assert_allclose(sess.run(b), sess.run(a).transpose(0, 3, 1, 2))


def test_max_pool_gradient_goes_to_the_first_maximum_of_a_tie(sess):
    x = tf.constant(np.ones((1, 2, 2, 1)))
    g = tf.gradients(tf.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "VALID"), x)[0]
    assert g.op.type == "MaxPoolGrad"
    np.testing.assert_array_equal(sess.run(g)[0, :, :, 0], [[1, 0], [0, 0]])


POOL_ARGS = [([1, 2, 2, 1], [1, 2, 2, 1], "VALID"), ([1, 3, 3, 1], [1, 2, 2, 1], "SAME"),
             ([1, 2, 3, 1], [1, 1, 2, 1], "SAME")]


@pytest.mark.parametrize("args", POOL_ARGS)
@pytest.mark.parametrize("fn", [tf.nn.max_pool, tf.nn.avg_pool])
def test_pool_gradients_match_finite_differences(sess, fn, args):
    x = tf.placeholder(tf.float64, [1, 5, 4, 2])
    check_gradients(weighted_sum(fn(x, *args)), [x], [distinct((1, 5, 4, 2))])


@pytest.mark.parametrize("args", POOL_ARGS)
def test_max_pool_second_order_ops_and_finite_differences(sess, args):
    x = tf.placeholder(tf.float64, [1, 5, 4, 2])
    y = tf.nn.max_pool(x, *args)
    dy = tf.placeholder(tf.float64, y.shape)
    dx = tf.gradients(y, x, grad_ys=dy)[0]
    assert dx.op.type == "MaxPoolGrad"
    h = tf.placeholder(tf.float64, [1, 5, 4, 2])
    ddy = tf.gradients(dx, dy, grad_ys=h)[0]
    assert ddy.op.type == "MaxPoolGradGrad"
    assert tf.gradients(weighted_sum(ddy), h)[0].op.type == "MaxPoolGrad"
    feed = {x: distinct((1, 5, 4, 2))}
    check_gradients(weighted_sum(dx), [dy], [RNG.normal(size=y.shape.as_list())], feed)
    check_gradients(weighted_sum(ddy, 2), [h], [RNG.normal(size=(1, 5, 4, 2))], feed)


def test_avg_pool_grad_gradient_is_avg_pool(sess):
    x = tf.placeholder(tf.float64, [1, 4, 4, 1])
    y = tf.nn.avg_pool(x, [1, 2, 2, 1], [1, 1, 1, 1], "SAME")
    dy = tf.placeholder(tf.float64, [1, 4, 4, 1])
    dx = tf.gradients(y, x, grad_ys=dy)[0]
    assert dx.op.type == "AvgPoolGrad"
    second = tf.gradients(weighted_sum(dx), dy)[0]
    assert second.op.type == "AvgPool"
    check_gradients(weighted_sum(dx), [dy], [RNG.normal(size=(1, 4, 4, 1))])


def test_max_pool_with_argmax_indexes_and_gradients(sess):
    x = distinct((2, 4, 5, 3))
    y, arg = tf.nn.max_pool_with_argmax(x, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
    assert y.op.type == "MaxPoolWithArgmax" and arg.dtype == tf.int64
    y_val, arg_val = sess.run([y, arg])
    per_image = x[0].size
    flat = x.reshape(2, -1)
    np.testing.assert_array_equal(np.take_along_axis(flat, arg_val.reshape(2, -1), 1),
                                  y_val.reshape(2, -1))
    assert arg_val.max() < per_image
    _, with_batch = tf.nn.max_pool_with_argmax(x, [1, 2, 2, 1], [1, 2, 2, 1], "SAME",
                                               include_batch_in_index=True)
    np.testing.assert_array_equal(sess.run(with_batch)[1], arg_val[1] + per_image)
    p = tf.placeholder(tf.float64, [1, 4, 5, 2])
    py, _ = tf.nn.max_pool_with_argmax(p, [1, 3, 3, 1], [1, 2, 2, 1], "VALID")
    g = tf.gradients(weighted_sum(py), p)[0]
    assert g.op.type == "MaxPoolGradWithArgmax"
    check_gradients(weighted_sum(py), [p], [distinct((1, 4, 5, 2))])
    dy = tf.placeholder(tf.float64, py.shape)
    dx = tf.gradients(py, p, grad_ys=dy)[0]
    assert tf.gradients(weighted_sum(dx), dy)[0].op.type == "MaxPoolGradGradWithArgmax"
    check_gradients(weighted_sum(dx), [dy], [RNG.normal(size=py.shape.as_list())],
                    {p: distinct((1, 4, 5, 2))})


def test_pooling_shape_errors_name_node_and_fix():
    x = tf.placeholder(tf.float32, [None, 3, 3, 1])
    assert tf.nn.max_pool(x, 2, 2, "SAME").shape.as_list() == [None, 2, 2, 1]
    with pytest.raises(ValueError) as e:
        tf.nn.max_pool(x, [1, 4, 4, 1], [1, 1, 1, 1], "VALID", name="pool1")
    assert "Negative dimension size caused by subtracting 4 from 3" in str(e.value)
    assert "'pool1' (MaxPool)" in str(e.value) and "test_pooling_ops.py" in str(e.value)
    with pytest.raises(ValueError, match="padding must be 'SAME' or 'VALID' for pooling"):
        tf.nn.avg_pool(x, 2, 2, [[0, 0], [1, 1], [1, 1], [0, 0]])
    with pytest.raises(ValueError, match="ksize .* must be 1 in the batch and depth"):
        tf.nn.max_pool(x, [2, 2, 2, 1], 1, "SAME")
