"""tf.losses: values against numpy formulas under each reduction, the LOSSES collection and
the total-loss helpers (TF1 default reduction: SUM_BY_NONZERO_WEIGHTS)."""

import numpy as np
import pytest

import minigraph as tf
from minigraph.gradient_checker import check_gradients

R = tf.losses.Reduction
LABELS = np.array([[1.0, 0.0], [2.0, -1.0], [0.5, 3.0]])
PREDS = np.array([[1.5, 0.5], [1.0, -1.0], [2.0, 1.0]])
LOGITS = np.array([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]])
ONEHOT = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])


def np_xent(labels, logits):
    shifted = logits - logits.max(-1, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))
    return -(labels * log_softmax).sum(-1)


def test_mean_squared_error_default_reduction_and_collection(sess):
    loss = tf.losses.mean_squared_error(LABELS, PREDS)
    assert loss.dtype == tf.float32 and loss.shape.as_list() == []
    assert sess.run(loss) == pytest.approx(((PREDS - LABELS) ** 2).mean(), rel=1e-6)
    assert tf.losses.get_losses() == [loss]
    assert tf.get_collection(tf.GraphKeys.LOSSES) == [loss]
    assert loss.op.name.startswith("mean_squared_error/")


def test_absolute_difference_with_weights_counts_nonzero_weights(sess):
    weights = np.array([[1.0], [0.0], [2.0]])
    loss = tf.losses.absolute_difference(LABELS, PREDS, weights=weights)
    weighted = np.abs(PREDS - LABELS) * weights
    assert sess.run(loss) == pytest.approx(weighted.sum() / 4, rel=1e-6)  # 4 nonzero of 6


@pytest.mark.parametrize("reduction, expected", [
    (R.NONE, lambda w: LOSSES * w),
    (R.SUM, lambda w: (LOSSES * w).sum()),
    (R.MEAN, lambda w: (LOSSES * w).sum() / (np.ones_like(LOSSES) * w).sum()),
    (R.SUM_OVER_BATCH_SIZE, lambda w: (LOSSES * w).sum() / LOSSES.size),
    (R.SUM_BY_NONZERO_WEIGHTS, lambda w: (LOSSES * w).sum() / np.count_nonzero(
        np.broadcast_to(w, LOSSES.shape))),
])
def test_compute_weighted_loss_reductions(sess, reduction, expected):
    weights = np.array([[0.0, 2.0, 1.0]])
    loss = tf.losses.compute_weighted_loss(LOSSES, weights, reduction=reduction)
    np.testing.assert_allclose(sess.run(loss), expected(weights), rtol=1e-6)


LOSSES = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])


def test_compute_weighted_loss_zero_weights_give_zero_not_nan(sess):
    loss = tf.losses.compute_weighted_loss(LOSSES, 0.0)
    assert sess.run(loss) == 0.0
    x = tf.placeholder(tf.float32, [2, 3])
    dx, = tf.gradients(tf.losses.compute_weighted_loss(x, [[0.0, 0.0, 0.0]]), x)
    np.testing.assert_array_equal(sess.run(dx, {x: LOSSES}), np.zeros((2, 3)))  # not NaN
    with pytest.raises(ValueError, match="Invalid Reduction Key"):
        tf.losses.compute_weighted_loss(LOSSES, reduction="average")
    with pytest.raises(ValueError, match="weights can not be broadcast"):
        tf.losses.compute_weighted_loss(LOSSES, [1.0, 2.0])


def test_compute_weighted_loss_keeps_float64_and_has_gradients(sess):
    x = tf.placeholder(tf.float64, [2, 3])
    loss = tf.losses.compute_weighted_loss(x * x, [[1.0, 0.0, 2.0]], loss_collection=None)
    assert loss.dtype == tf.float64 and tf.losses.get_losses() == []
    # Computed in float32 inside: a wide step keeps rounding out of the finite differences.
    check_gradients(loss, [x], [LOSSES / 3], delta=1e-2, rtol=1e-3, atol=1e-4)


def test_softmax_cross_entropy_matches_numpy_and_smooths_labels(sess):
    loss = tf.losses.softmax_cross_entropy(ONEHOT, LOGITS)
    assert sess.run(loss) == pytest.approx(np_xent(ONEHOT, LOGITS).mean(), rel=1e-6)
    smoothed = tf.losses.softmax_cross_entropy(ONEHOT, LOGITS, label_smoothing=0.3)
    soft = ONEHOT * 0.7 + 0.1
    assert sess.run(smoothed) == pytest.approx(np_xent(soft, LOGITS).mean(), rel=1e-6)
    weighted = tf.losses.softmax_cross_entropy(ONEHOT, LOGITS, weights=[3.0, 0.0])
    assert sess.run(weighted) == pytest.approx(3 * np_xent(ONEHOT, LOGITS)[0], rel=1e-6)
    assert len(tf.losses.get_losses()) == 3


def test_softmax_cross_entropy_gradient_reaches_logits_not_labels(sess):
    logits = tf.placeholder(tf.float32, [2, 3])
    labels = tf.placeholder(tf.float32, [2, 3])
    loss = tf.losses.softmax_cross_entropy(labels, logits)
    dlogits, dlabels = tf.gradients(loss, [logits, labels])
    assert dlabels is None
    probs = np.exp(LOGITS) / np.exp(LOGITS).sum(-1, keepdims=True)
    np.testing.assert_allclose(sess.run(dlogits, {logits: LOGITS, labels: ONEHOT}),
                               (probs - ONEHOT) / 2, rtol=1e-5)


def test_sparse_softmax_cross_entropy_matches_dense_version(sess):
    loss = tf.losses.sparse_softmax_cross_entropy([2, 0], LOGITS)
    assert sess.run(loss) == pytest.approx(np_xent(ONEHOT, LOGITS).mean(), rel=1e-6)


def test_sigmoid_cross_entropy_matches_numpy(sess):
    z = np.array([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]])
    loss = tf.losses.sigmoid_cross_entropy(z, LOGITS - 2)
    x = LOGITS - 2
    expected = np.maximum(x, 0) - x * z + np.log1p(np.exp(-np.abs(x)))
    assert sess.run(loss) == pytest.approx(expected.mean(), rel=1e-6)
    smoothed = tf.losses.sigmoid_cross_entropy(z, x, label_smoothing=0.2)
    zs = z * 0.8 + 0.1
    expected = np.maximum(x, 0) - x * zs + np.log1p(np.exp(-np.abs(x)))
    assert sess.run(smoothed) == pytest.approx(expected.mean(), rel=1e-6)


def test_log_hinge_and_huber_losses(sess):
    p = np.array([0.9, 0.2, 0.6])
    z = np.array([1.0, 0.0, 0.0])
    eps = 1e-7
    expected = (-z * np.log(p + eps) - (1 - z) * np.log(1 - p + eps)).mean()
    assert sess.run(tf.losses.log_loss(z, p)) == pytest.approx(expected, rel=1e-5)
    hinge = np.maximum(0, 1 - (2 * z - 1) * np.array([0.3, -2.0, 0.5])).mean()
    assert sess.run(tf.losses.hinge_loss(z, [0.3, -2.0, 0.5])) == pytest.approx(hinge)
    err = np.abs(PREDS - LABELS)
    huber = np.where(err <= 1.0, 0.5 * err ** 2, err - 0.5).mean()
    assert sess.run(tf.losses.huber_loss(LABELS, PREDS)) == pytest.approx(huber, rel=1e-6)


def test_shape_mismatch_and_missing_arguments_raise():
    with pytest.raises(ValueError, match="incompatible"):
        tf.losses.mean_squared_error([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="must not be None"):
        tf.losses.absolute_difference(None, [1.0])


def test_total_and_regularization_losses(sess):
    assert sess.run(tf.losses.get_regularization_loss()) == 0.0
    with pytest.raises(ValueError, match="No losses"):
        tf.losses.get_total_loss()
    a = tf.losses.mean_squared_error([1.0], [3.0])  # 4
    tf.losses.add_loss(tf.constant(1.5))
    tf.add_to_collection(tf.GraphKeys.REGULARIZATION_LOSSES, tf.constant(0.25))
    assert len(tf.losses.get_losses()) == 2 and a in tf.losses.get_losses()
    assert sess.run(tf.losses.get_regularization_loss()) == pytest.approx(0.25)
    total = tf.losses.get_total_loss()
    assert total.op.name == "total_loss"
    assert sess.run(total) == pytest.approx(5.75)
    assert sess.run(tf.losses.get_total_loss(add_regularization_losses=False)) == 5.5
