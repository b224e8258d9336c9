"""GatherNd, ScatterNd, boolean_mask (and one-argument where): values and gradients recorded
from TensorFlow, finite differences, shape errors."""

import numpy as np
import pytest

import minigraph as tf
from minigraph.gradient_checker import check_gradients

from tf_small_ops import TF, check_recorded


def test_gather_nd_matches_tensorflow(sess):
    out = check_recorded(sess, "gather_nd", lambda x: tf.gather_nd(x, [[1, 2], [0, 0], [1, 2]]),
                         "GatherNd")
    assert out.shape.as_list() == [3, 4]
    out = check_recorded(sess, "gather_nd_elements",
                         lambda x: tf.gather_nd(x, [[[0, 1, 2]], [[1, 0, 3]]]), "GatherNd")
    assert out.shape.as_list() == [2, 1]


def test_scatter_nd_matches_tensorflow_and_sums_repeated_indices(sess):
    out = check_recorded(sess, "scatter_nd", lambda x: tf.scatter_nd([[1], [3], [1]], x, [5, 4]),
                         "ScatterNd")
    assert out.shape.as_list() == [5, 4]


def test_scatter_nd_with_a_fed_shape_knows_its_rank(sess):
    dims = tf.placeholder(tf.int32, [2])
    out = tf.scatter_nd([[1, 0]], [7], dims)
    assert out.shape.as_list() == [None, None]
    np.testing.assert_array_equal(sess.run(out, {dims: [2, 2]}), [[0, 0], [7, 0]])


def test_gather_nd_and_scatter_nd_are_each_others_gradient():
    x = tf.placeholder(tf.float32, [2, 3])
    (g,) = tf.gradients(tf.gather_nd(x, [[1, 2]]), [x])
    assert g.op.type == "ScatterNd"
    u = tf.placeholder(tf.float32, [2])
    (g,) = tf.gradients(tf.scatter_nd([[0, 1], [1, 1]], u, [2, 3]), [u])
    assert g.op.type == "GatherNd"


def test_gather_nd_and_scatter_nd_gradients_by_finite_differences(sess):
    x = tf.placeholder(tf.float64, [3, 2])
    out = tf.gather_nd(x, [[2], [0], [2]]) * tf.constant([[1.0, -2.0], [3.0, 0.5], [2.0, 1.0]],
                                                          tf.float64)
    check_gradients(out, [x], [np.arange(6.0).reshape(3, 2)], session=sess)
    u = tf.placeholder(tf.float64, [3])
    out = tf.scatter_nd([[0, 1], [1, 0], [0, 1]], u, [2, 2]) ** 2
    check_gradients(out, [u], [np.array([0.5, -1.0, 2.0])], session=sess)


def test_gather_nd_and_scatter_nd_shape_errors_and_index_errors(sess):
    with pytest.raises(ValueError, match=r"indices.shape\[-1\] = 3 must be <= the rank"):
        tf.gather_nd(tf.zeros([2, 2]), [[0, 0, 0]])
    with pytest.raises(ValueError, match="updates.shape"):
        tf.scatter_nd([[0], [1]], tf.zeros([3]), [4])
    with pytest.raises(tf.errors.InvalidArgumentError, match="does not index into shape"):
        sess.run(tf.gather_nd(tf.zeros([2, 2]), [[0, 2]]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="does not index into shape"):
        sess.run(tf.scatter_nd([[5]], [1.0], [4]))


def test_boolean_mask_matches_tensorflow(sess):
    out = check_recorded(sess, "boolean_mask", lambda x: tf.boolean_mask(
        x, [[True, False, True], [False, True, True]]))
    assert out.op.type == "GatherV2" and out.shape.as_list() == [None, 4]
    out = check_recorded(sess, "boolean_mask_axis", lambda x: tf.boolean_mask(
        x, [True, False, True, True], axis=2))
    assert out.shape.as_list() == [2, 3, None]


def test_boolean_mask_with_fed_shapes_and_finite_differences(sess):
    x = tf.placeholder(tf.float64, [None, 2])
    m = tf.placeholder(tf.bool, [None])
    out = tf.boolean_mask(x, m)
    value = sess.run(out, {x: [[1, 2], [3, 4], [5, 6]], m: [False, True, True]})
    np.testing.assert_array_equal(value, [[3, 4], [5, 6]])
    y = tf.placeholder(tf.float64, [3, 2])
    check_gradients(tf.boolean_mask(y, [True, False, True]) ** 2, [y],
                    [np.arange(6.0).reshape(3, 2)], session=sess)


def test_boolean_mask_errors():
    with pytest.raises(ValueError, match="mask cannot be scalar"):
        tf.boolean_mask([1, 2], True)
    with pytest.raises(ValueError, match="Number of mask dimensions must be specified"):
        tf.boolean_mask([1, 2], tf.placeholder(tf.bool))
    with pytest.raises(ValueError, match="incompatible"):
        tf.boolean_mask([[1, 2]], [True, False, True])


def test_where_with_one_argument_gives_int64_coordinates_as_tensorflow(sess):
    coords = tf.where([[True, False, True], [False, False, True]])
    assert coords.op.type == TF["where"]["type"] == "Where"
    assert coords.dtype.name == TF["where"]["dtype"] and coords.shape.as_list() == [None, 2]
    value = sess.run(coords)
    assert value.dtype == np.int64
    np.testing.assert_array_equal(value, TF["where"]["output"])
