"""tf.losses (every loss, Reduction mode and weighting) and softmax_cross_entropy_with_logits
label casting/broadcasting, against values recorded from TensorFlow 1.x
(tests/data/record_losses.py -> tests/data/losses.json)."""

import json
import pathlib

import numpy as np
import pytest

import minigraph as tf
from minigraph.gradient_checker import check_gradients

DATA = json.loads((pathlib.Path(__file__).parent.parent / "data" / "losses.json").read_text())
IN = {k: np.asarray(v, np.float32) for k, v in DATA["inputs"].items()}
TF = DATA["values"]
REDUCTIONS = ["none", "weighted_sum", "weighted_sum_over_batch_size", "weighted_mean",
              "weighted_sum_by_nonzero_weights"]


def build(kind, red, w):
    c = tf.constant
    logits, onehot, probs, binary = c(IN["logits"]), c(IN["onehot"]), c(IN["probs"]), \
        c(IN["binary"])
    wv = w if w == 1.0 else c(np.asarray(w)[:, 0])
    makers = {
        "softmax": lambda: tf.losses.softmax_cross_entropy(onehot, logits, weights=wv,
                                                           label_smoothing=0.1, reduction=red),
        "sparse": lambda: tf.losses.sparse_softmax_cross_entropy([0, 2, 1, 2], logits,
                                                                 weights=wv, reduction=red),
        "sigmoid": lambda: tf.losses.sigmoid_cross_entropy(binary, logits, weights=w,
                                                           label_smoothing=0.2, reduction=red),
        "mse": lambda: tf.losses.mean_squared_error(binary, probs, weights=w, reduction=red),
        "absdiff": lambda: tf.losses.absolute_difference(binary, probs, weights=w,
                                                         reduction=red),
        "huber": lambda: tf.losses.huber_loss(binary, logits, weights=w, delta=0.7,
                                              reduction=red),
        "log": lambda: tf.losses.log_loss(binary, probs, weights=w, reduction=red),
        "hinge": lambda: tf.losses.hinge_loss(binary, logits, weights=w, reduction=red),
        "cosine": lambda: tf.losses.cosine_distance(c(IN["unit_a"]), c(IN["unit_b"]), axis=1,
                                                    weights=w, reduction=red),
    }
    return makers[kind]()


@pytest.mark.parametrize("kind", ["softmax", "sparse", "sigmoid", "mse", "absdiff", "huber",
                                  "log", "hinge", "cosine"])
@pytest.mark.parametrize("red", REDUCTIONS)
def test_loss_matches_tensorflow(sess, kind, red):
    for wname, w in (("w1", 1.0), ("wrow", DATA["inputs"]["weights"])):
        got = sess.run(build(kind, red, w))
        np.testing.assert_allclose(got, TF[f"{kind}/{red}/{wname}"], rtol=2e-6, atol=1e-6,
                                   err_msg=f"{kind}/{red}/{wname}")


def test_cosine_distance_over_axis_0_and_needs_an_axis(sess):
    loss = tf.losses.cosine_distance(IN["unit_a"], IN["unit_b"], axis=0)
    np.testing.assert_allclose(sess.run(loss), TF["cosine_axis0"], rtol=1e-6)
    with pytest.raises(ValueError, match="must specify 'axis'"):
        tf.losses.cosine_distance(IN["unit_a"], IN["unit_b"])


def test_cosine_distance_gradient(sess):
    a = tf.placeholder(tf.float64, [3, 2])
    b = tf.constant(np.random.RandomState(1).randn(3, 2))
    loss = tf.losses.cosine_distance(b, a, axis=1, weights=tf.constant([[1.0], [0.0], [2.0]]))
    # tf.losses reduce in float32 (as TF does): finite differences need a wide step.
    check_gradients(loss, [a], [np.random.RandomState(2).randn(3, 2)], delta=1e-3, rtol=1e-3,
                    atol=1e-3)


def test_softmax_cross_entropy_casts_integer_labels(sess):
    loss = tf.nn.softmax_cross_entropy_with_logits_v2(
        labels=IN["onehot"].astype(np.int32), logits=IN["logits"])
    assert loss.dtype == tf.float32
    np.testing.assert_allclose(sess.run(loss), TF["xent/int_labels"], rtol=1e-6)


@pytest.mark.parametrize("key, labels", [("labels_1NC", lambda: IN["onehot"][None]),
                                         ("labels_N1C", lambda: IN["onehot"][:, None])])
def test_softmax_cross_entropy_flattens_labels_as_tf(sess, key, labels):
    loss = tf.nn.softmax_cross_entropy_with_logits(labels=labels(), logits=IN["logits"])
    assert loss.shape.as_list() == [4]
    np.testing.assert_allclose(sess.run(loss), TF[f"xent/{key}"], rtol=1e-6)


def test_softmax_cross_entropy_broadcasts_one_label_row(sess):
    logits = tf.placeholder(tf.float64, [4, 3])
    loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=IN["probs"][:1].astype(np.float64),
                                                      logits=logits)
    np.testing.assert_allclose(sess.run(loss, {logits: IN["logits"]}), TF["xent/labels_1C"],
                               rtol=1e-6)
    # The kernel's gradient assumes labels that sum to 1 (as TF's does): check with such a row.
    row = IN["probs"][:1].astype(np.float64) / IN["probs"][:1].sum()
    loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=row, logits=logits)
    check_gradients(loss * tf.constant([1.0, 2.0, 3.0, 4.0], tf.float64), [logits],
                    [IN["logits"].astype(np.float64)])


def test_mean_pairwise_squared_error_matches_tensorflow(sess):
    c = tf.constant
    binary, probs = c(IN["binary"]), c(IN["probs"])
    cases = {"w1": 1.0, "wrow": c(IN["weights"]), "zero": 0.0}
    for key, weights in cases.items():
        loss = tf.losses.mean_pairwise_squared_error(binary, probs, weights=weights)
        np.testing.assert_allclose(sess.run(loss), TF[f"pairwise/{key}"], rtol=1e-6,
                                   err_msg=key)
    assert len(tf.losses.get_losses()) == 3
    x = tf.placeholder(tf.float64, [2, 3])
    loss = tf.losses.mean_pairwise_squared_error(tf.zeros([2, 3], tf.float64), x)
    check_gradients(loss, [x], [np.random.RandomState(3).randn(2, 3)], delta=1e-3, rtol=1e-3,
                    atol=1e-3)

