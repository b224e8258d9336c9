"""Softmax cross-entropies (ops/cross_entropy_ops.py): measured losses and gradients, shape
errors, keyword-only arguments."""

import numpy as np
import pytest

import minigraph as tf
from minigraph.gradient_checker import check_gradients

F64 = tf.float64
LOGITS = np.array([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]])
LABELS = np.array([[0.0, 0.0, 1.0], [0.5, 0.5, 0.0]])
X = np.array([[-1.7, -0.3, 0.4], [2.5, 6.8, -4.1]])


def test_softmax_cross_entropy_v2_measured_loss_and_gradients(sess):
    # TF: loss, dlogits and dlabels (v2: gradients reach the labels).
    logits, labels = tf.constant(LOGITS, tf.float32), tf.constant(LABELS, tf.float32)
    loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
    assert loss.op.type == "SoftmaxCrossEntropyWithLogits" and loss.shape.as_list() == [2]
    dlogits, dlabels = tf.gradients(loss, [logits, labels])
    out = sess.run([loss, dlogits, dlabels])
    np.testing.assert_allclose(out[0], [0.40760595, 1.0986123], rtol=1e-6)
    np.testing.assert_allclose(out[1], [[0.09003057, 0.24472848, -0.33475906],
                                        [-0.16666666, -0.16666666, 0.33333334]], rtol=1e-5)
    np.testing.assert_allclose(out[2], [[2.407606, 1.4076059, 0.40760595], [1.0986123] * 3],
                               rtol=1e-6)


def test_softmax_cross_entropy_v1_stops_gradient_into_labels(sess):
    logits, labels = tf.constant(LOGITS, tf.float32), tf.constant(LABELS, tf.float32)
    loss = tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    dlogits, dlabels = tf.gradients(loss, [logits, labels])
    assert dlabels is None
    np.testing.assert_allclose(sess.run(loss), [0.40760595, 1.0986123], rtol=1e-6)
    np.testing.assert_allclose(sess.run(dlogits)[0], [0.09003057, 0.24472848, -0.33475906],
                               rtol=1e-5)


def test_cross_entropy_functions_require_keyword_arguments():
    for fn in (tf.nn.softmax_cross_entropy_with_logits,
               tf.nn.sparse_softmax_cross_entropy_with_logits,
               tf.nn.softmax_cross_entropy_with_logits_v2,
               tf.nn.sigmoid_cross_entropy_with_logits):
        with pytest.raises(ValueError, match="named arguments"):
            fn(LABELS, LOGITS)


def test_softmax_cross_entropy_shape_inference_and_errors():
    logits = tf.placeholder(tf.float32, [None, 3])
    loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=tf.placeholder(tf.float32),
                                                      logits=logits)
    assert loss.shape.as_list() == [None]
    with pytest.raises(ValueError, match="same shape"):
        tf.nn.softmax_cross_entropy_with_logits_v2(labels=tf.zeros([2, 4]), logits=logits)
    # As in TF, labels of another dtype are cast to the logits' dtype.
    cast = tf.nn.softmax_cross_entropy_with_logits_v2(labels=tf.zeros([2, 3], tf.float64),
                                                      logits=logits)
    assert cast.dtype == tf.float32 and cast.op.inputs[1].op.type == "Cast"


def test_softmax_cross_entropy_gradients_and_second_order(sess):
    logits, labels = tf.placeholder(F64, [2, 3]), tf.placeholder(F64, [2, 3])
    loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
    check_gradients(loss, [logits, labels], [LOGITS + X, LABELS])
    # The second derivative flows through the op's backprop output.
    dlogits, = tf.gradients(loss, logits)
    check_gradients(dlogits, [logits, labels], [LOGITS + X, LABELS])


def test_softmax_cross_entropy_over_axis_zero(sess):
    logits, labels = tf.placeholder(F64, [3, 2]), tf.placeholder(F64, [3, 2])
    loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits, axis=0)
    out = sess.run(loss, {logits: LOGITS.T, labels: LABELS.T})
    np.testing.assert_allclose(out, [0.40760595, 1.0986123], rtol=1e-6)


def test_sparse_softmax_cross_entropy_measured_gradient_under_mean(sess):
    # TF: labels [2, 0], dlogits of reduce_mean(loss).
    logits = tf.constant(LOGITS, tf.float32)
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[2, 0], logits=logits)
    assert loss.op.type == "SparseSoftmaxCrossEntropyWithLogits"
    dlogits, = tf.gradients(tf.reduce_mean(loss), logits)
    np.testing.assert_allclose(sess.run(loss), [0.40760595, 1.0986123], rtol=1e-6)
    np.testing.assert_allclose(sess.run(dlogits), [[0.04501529, 0.12236424, -0.16737953],
                                                   [-0.3333333, 0.16666667, 0.16666667]],
                               rtol=1e-5)


def test_sparse_softmax_cross_entropy_labels_get_no_gradient_and_int64_works(sess):
    logits = tf.placeholder(F64, [2, 3])
    labels = tf.constant([1, 2], tf.int64)
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    assert tf.gradients(loss, labels) == [None]
    check_gradients(loss, [logits], [X])
    dlogits, = tf.gradients(loss, logits)
    check_gradients(dlogits, [logits], [X])


def test_sparse_softmax_cross_entropy_shape_errors_and_bad_label():
    logits = tf.placeholder(tf.float32, [None, 3])
    labels = tf.placeholder(tf.int32, [None])
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    assert loss.shape.as_list() == [None]
    with pytest.raises(ValueError, match="Rank mismatch"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[[1]], logits=logits)
    with pytest.raises(TypeError, match="labels"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[1.0], logits=logits)
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError) as info:
        sess.run(loss, {logits: np.zeros((2, 3)), labels: [2, 3]})
    assert "label value of 3" in str(info.value) and "[0, 3)" in str(info.value)
    assert "SparseSoftmaxCrossEntropyWithLogits" in str(info.value)
