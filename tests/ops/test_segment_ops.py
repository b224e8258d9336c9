"""SegmentSum, SegmentMean, UnsortedSegmentMax, ReverseSequence: values and gradients
recorded from TensorFlow, finite differences, shape and run-time errors."""

import numpy as np
import pytest

import minigraph as tf
from minigraph.gradient_checker import check_gradients

from tf_small_ops import check_recorded


def test_segment_sum_and_mean_match_tensorflow(sess):
    out = check_recorded(sess, "segment_sum", lambda x: tf.segment_sum(x, [0, 0, 2]),
                         "SegmentSum")
    assert out.shape.as_list() == [None, 4]
    check_recorded(sess, "segment_mean", lambda x: tf.segment_mean(x, [0, 0, 2]), "SegmentMean")


def test_unsorted_segment_max_matches_tensorflow_ties_share_the_gradient(sess):
    out = check_recorded(sess, "unsorted_segment_max",
                         lambda x: tf.unsorted_segment_max(x, [1, 1, 1, 0], 3),
                         "UnsortedSegmentMax")
    assert out.shape.as_list() == [3, 2]
    assert tf.math.unsorted_segment_max is tf.unsorted_segment_max


def test_reverse_sequence_matches_tensorflow(sess):
    out = check_recorded(sess, "reverse_sequence", lambda x: tf.reverse_sequence(
        x, [3, 1, 2, 0], seq_axis=1, batch_axis=2), "ReverseSequence")
    assert out.op.get_attr("seq_dim") == 1 and out.op.get_attr("batch_dim") == 2
    legacy = tf.reverse_sequence([[1, 2, 3]], [2], seq_dim=1, batch_dim=0)
    np.testing.assert_array_equal(sess.run(legacy), [[2, 1, 3]])
    (g,) = tf.gradients(out, [out.op.inputs[0]])
    assert g.op.type == "ReverseSequence"


def test_segment_gradients_by_finite_differences(sess):
    x = tf.placeholder(tf.float64, [4, 2])
    x0 = np.array([[1.0, 2.0], [-1.0, 0.5], [3.0, 4.0], [0.0, 7.0]])
    weights = tf.constant([[1.0, 2.0], [3.0, -1.0], [0.5, 2.0]], tf.float64)
    check_gradients(tf.segment_sum(x, [0, 0, 2, 2]) * weights, [x], [x0], session=sess)
    check_gradients(tf.segment_mean(x, [0, 1, 1, 1]) * weights[:2], [x], [x0], session=sess)
    check_gradients(tf.unsorted_segment_max(x, [2, 0, 2, 1], 3) * weights, [x], [x0],
                    session=sess)
    seq = tf.placeholder(tf.float64, [3, 2])
    check_gradients(tf.reverse_sequence(seq, [2, 3], seq_axis=0, batch_axis=1) * weights,
                    [seq], [x0[:3]], session=sess)


def test_segment_empty_segments_get_zero_and_the_dtype_lowest(sess):
    s, m, u = sess.run([tf.segment_sum([1, 2, 3], [1, 1, 3]),
                        tf.segment_mean([1, 2, 3], [1, 1, 3]),
                        tf.unsorted_segment_max([1, 2], [0, 0], 2)])
    np.testing.assert_array_equal(s, [0, 3, 0, 3])
    np.testing.assert_array_equal(m, [0, 1, 0, 3])
    truncated = sess.run(tf.segment_mean([-1, -2, 3, -7], [0, 0, 1, 2]))
    np.testing.assert_array_equal(truncated, [-1, 3, -7])  # toward zero, as TF (not -2)
    np.testing.assert_array_equal(u, [2, np.iinfo(np.int32).min])


def test_segment_ops_shape_and_run_time_errors(sess):
    with pytest.raises(ValueError, match="must be a prefix of data.shape"):
        tf.segment_sum(tf.zeros([3, 2]), [0, 1])
    with pytest.raises(ValueError, match="segment_ids should be a vector"):
        tf.segment_sum(tf.zeros([2, 2]), [[0, 0], [1, 1]])
    matrix_ids = tf.unsorted_segment_max(tf.ones([2, 2]), [[0, 0], [1, 2]], 3)
    np.testing.assert_array_equal(sess.run(matrix_ids), [1, 1, 1])
    with pytest.raises(TypeError, match="segment_ids"):
        tf.segment_mean(tf.zeros([2]), tf.constant([0.0, 1.0]))
    with pytest.raises(ValueError, match="must be a prefix of data.shape"):
        tf.unsorted_segment_max(tf.zeros([3]), [0, 1], 2)
    with pytest.raises(tf.errors.InvalidArgumentError, match="not increasing"):
        sess.run(tf.segment_sum([1.0, 2.0], [1, 0]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="out of range"):
        sess.run(tf.unsorted_segment_max([1.0, 2.0], [0, 5], 2))


def test_reverse_sequence_shape_and_run_time_errors(sess):
    with pytest.raises(ValueError, match="seq_dim == batch_dim"):
        tf.reverse_sequence(tf.zeros([2, 3]), [1, 1], seq_axis=0, batch_axis=0)
    with pytest.raises(ValueError, match=r"seq_dim = 2 is not in \[0, 2\)"):
        tf.reverse_sequence(tf.zeros([2, 3]), [1, 1], seq_axis=2)
    with pytest.raises(ValueError, match="must equal input.shape"):
        tf.reverse_sequence(tf.zeros([2, 3]), [1, 1, 1], seq_axis=1)
    with pytest.raises(ValueError, match="needs seq_axis"):
        tf.reverse_sequence(tf.zeros([2, 3]), [1, 1])
    with pytest.raises(tf.errors.InvalidArgumentError, match="values in"):
        sess.run(tf.reverse_sequence(tf.zeros([2, 3]), [1, 4], seq_axis=1))
