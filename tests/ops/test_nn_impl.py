"""The tf.nn composites (ops/nn_impl.py): dropout, moments, l2_normalize, embedding_lookup,
xw_plus_b, sigmoid cross-entropy."""

import json
import pathlib

import numpy as np
import pytest

import minigraph as tf
from minigraph.gradient_checker import check_gradients

F64 = tf.float64
LABELS = np.array([[0.0, 0.0, 1.0], [0.5, 0.5, 0.0]])
X = np.array([[-1.7, -0.3, 0.4], [2.5, 6.8, -4.1]])


def test_sigmoid_cross_entropy_is_stable_and_differentiable(sess):
    logits, labels = tf.placeholder(F64, [2, 3]), tf.placeholder(F64, [2, 3])
    loss = tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)
    assert loss.op.name == "logistic_loss"
    z, x = LABELS, X * 3
    expected = z * -np.log(1 / (1 + np.exp(-x))) + (1 - z) * -np.log(1 - 1 / (1 + np.exp(-x)))
    np.testing.assert_allclose(sess.run(loss, {logits: x, labels: z}), expected)
    big = sess.run(loss, {logits: [[1000.0, -1000.0, 0.0]] * 2, labels: [[0.0, 1.0, 1.0]] * 2})
    np.testing.assert_allclose(big[0], [1000.0, 1000.0, np.log(2.0)])
    check_gradients(loss, [logits, labels], [x, z])
    with pytest.raises(ValueError, match="same shape"):
        tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.zeros([2]), logits=tf.zeros([3]))


def test_dropout_scales_kept_values_and_drops_about_the_right_fraction(sess):
    x = tf.ones([100, 100])
    y = tf.nn.dropout(x, keep_prob=0.25, seed=3)
    out = sess.run(y)
    assert set(np.unique(out)) <= {0.0, 4.0}
    assert abs((out == 4.0).mean() - 0.25) < 0.03
    assert not np.array_equal(out, sess.run(y))  # a new mask every run
    same = sess.run(tf.nn.dropout(x, rate=0.75, seed=3))
    assert abs((same == 4.0).mean() - 0.25) < 0.03


def test_dropout_noise_shape_and_keep_prob_placeholder(sess):
    x = tf.ones([50, 4])
    keep = tf.placeholder(tf.float32, [])
    out = sess.run(tf.nn.dropout(x, keep, noise_shape=[50, 1]), {keep: 0.5})
    assert set(np.unique(out)) <= {0.0, 2.0}
    assert (out == out[:, :1]).all()  # one decision per row
    assert 0 < (out[:, 0] > 0).sum() < 50


def test_dropout_argument_errors_and_keep_prob_one(sess):
    x = tf.constant([1.0, 2.0])
    assert tf.nn.dropout(x, keep_prob=1.0) is x
    for bad in (0.0, 1.5, -0.1):
        with pytest.raises(ValueError, match=r"range \(0, 1\]"):
            tf.nn.dropout(x, keep_prob=bad)
    with pytest.raises(ValueError, match="exactly one"):
        tf.nn.dropout(x, keep_prob=0.5, rate=0.5)
    with pytest.raises(ValueError, match="floating point"):
        tf.nn.dropout(tf.constant([1, 2]), keep_prob=0.5)


def test_dropout_gradient_uses_the_same_mask(sess):
    x = tf.placeholder(F64, [1000])
    y = tf.nn.dropout(x, keep_prob=0.5, seed=1)
    g, = tf.gradients(y, x)
    out, grad = sess.run([y, g], {x: np.ones(1000)})
    np.testing.assert_array_equal(out, grad)  # dy/dx = mask / keep_prob, and x = 1


def test_moments_match_numpy_and_keep_dims(sess):
    x = tf.placeholder(F64, [2, 3])
    mean, var = tf.nn.moments(x, axes=[0])
    assert mean.shape.as_list() == [3] and var.shape.as_list() == [3]
    out = sess.run([mean, var], {x: X})
    np.testing.assert_allclose(out[0], X.mean(0))
    np.testing.assert_allclose(out[1], X.var(0))
    mean_k, var_k = tf.nn.moments(x, axes=[0, 1], keep_dims=True)
    assert mean_k.shape.as_list() == [1, 1]
    np.testing.assert_allclose(sess.run(var_k, {x: X}), [[X.var()]])
    check_gradients(var, [x], [X])


def test_l2_normalize_matches_numpy_and_is_safe_at_zero(sess):
    x = tf.placeholder(F64, [2, 3])
    y = tf.nn.l2_normalize(x, axis=1)
    np.testing.assert_allclose(sess.run(y, {x: X}),
                               X / np.linalg.norm(X, axis=1, keepdims=True))
    np.testing.assert_allclose(sess.run(y, {x: np.zeros((2, 3))}), np.zeros((2, 3)))
    check_gradients(y, [x], [X])


def test_embedding_lookup_gathers_rows(sess):
    params = tf.placeholder(F64, [4, 2])
    table = np.arange(8.0).reshape(4, 2)
    y = tf.nn.embedding_lookup(params, [3, 1, 3])
    assert y.shape.as_list() == [3, 2]
    np.testing.assert_allclose(sess.run(y, {params: table}), table[[3, 1, 3]])
    dparams, = tf.gradients(tf.reduce_sum(y), params)
    np.testing.assert_allclose(sess.run(tf.convert_to_tensor(dparams), {params: table}),
                               [[0, 0], [1, 1], [0, 0], [2, 2]])
    with pytest.raises(ValueError, match="partition strategy"):
        tf.nn.embedding_lookup([params, params], [0], partition_strategy="random")


def test_xw_plus_b(sess):
    x, w, b = tf.placeholder(F64, [2, 3]), tf.placeholder(F64, [3, 2]), tf.placeholder(F64, [2])
    y = tf.nn.xw_plus_b(x, w, b)
    wv, bv = np.ones((3, 2)), np.array([1.0, -1.0])
    np.testing.assert_allclose(sess.run(y, {x: X, w: wv, b: bv}), X @ wv + bv)


# -- sequence_mask (recorded from TF: tests/data/record_band_and_mask.py) -----------------------
MASKS = json.loads((pathlib.Path(__file__).resolve().parents[1] / "data" / "band_and_mask.json")
                   .read_text())["mask"]
MASK_ARGS = {"lengths [1, 3, 2]": ([1, 3, 2], None, tf.bool), "maxlen 5": ([1, 3, 2], 5, tf.bool),
             "2-D lengths": ([[0, 2], [3, 1]], None, tf.bool),
             "float32": ([2, 0], 3, tf.float32), "maxlen 0": ([1, 2], 0, tf.bool)}


@pytest.mark.parametrize("label", sorted(MASK_ARGS))
def test_sequence_mask_matches_tf(label, sess):
    lengths, maxlen, dtype = MASK_ARGS[label]
    recorded = MASKS[label]
    mask = tf.sequence_mask(lengths, maxlen, dtype=dtype)
    assert mask.dtype.name == recorded["dtype"]
    assert mask.shape.is_compatible_with(recorded["shape"])
    value = sess.run(mask)
    assert value.shape == tuple(recorded["shape"])
    np.testing.assert_array_equal(value, np.array(recorded["value"]).reshape(recorded["shape"]))


def test_sequence_mask_of_fed_lengths(sess):
    lengths = tf.placeholder(tf.int32, [None])
    mask = tf.sequence_mask(lengths, 4)
    assert mask.op.name == "SequenceMask/Less" and mask.shape.as_list() == [None, 4]
    assert sess.run(mask, {lengths: [4, 0]}).tolist() == [[True] * 4, [False] * 4]
    with pytest.raises(ValueError, match="maxlen must be scalar"):
        tf.sequence_mask([1], [2, 3])
