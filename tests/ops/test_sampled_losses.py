"""nce_loss and sampled_softmax_loss, checked against TF 1.x with the samples given, and by
finite differences (tests/data/sampled_tf.json, recorded by tests/data/record_sampled.py)."""

import json
import pathlib

import numpy as np
import pytest

import minigraph as tf
from minigraph.gradient_checker import check_gradients

TF = json.loads((pathlib.Path(__file__).resolve().parent.parent / "data" / "sampled_tf.json")
                .read_text())


def _given(dtype=tf.float64):
    return (tf.constant(TF["sampled"], tf.int64), tf.constant(TF["true_expected"], dtype),
            tf.constant(TF["sampled_expected"], dtype))


@pytest.mark.parametrize("loss_name", ["nce", "sampled_softmax"])
@pytest.mark.parametrize("hits", [False, True])
def test_losses_and_gradients_match_tf(loss_name, hits):
    fn = tf.nn.nce_loss if loss_name == "nce" else tf.nn.sampled_softmax_loss
    w, b, x = (tf.constant(np.array(TF[k])) for k in ("weights", "biases", "inputs"))
    loss = fn(w, b, tf.constant(TF["labels"]), x, num_sampled=4, num_classes=12, num_true=2,
              sampled_values=_given(), remove_accidental_hits=hits)
    grads = tf.gradients(tf.reduce_sum(loss), [x, w, b])
    assert isinstance(grads[1], tf.IndexedSlices)   # class embeddings get sparse updates
    recorded = TF["losses"][f"{loss_name}_{hits}"]
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(loss), recorded["loss"], rtol=1e-12)
        for got, want in zip(sess.run([tf.convert_to_tensor(g) for g in grads]),
                             recorded["grads"]):
            np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("fn", [tf.nn.nce_loss, tf.nn.sampled_softmax_loss])
def test_loss_gradients_by_finite_differences(fn):
    w = tf.placeholder(tf.float64, [12, 4])
    b = tf.placeholder(tf.float64, [12])
    x = tf.placeholder(tf.float64, [3, 4])
    loss = fn(w, b, tf.constant(TF["labels"]), x, num_sampled=4, num_classes=12, num_true=2,
              sampled_values=_given(), remove_accidental_hits=True)
    with tf.Session():
        check_gradients(loss, [x, w, b], [np.array(TF["inputs"]), np.array(TF["weights"]),
                                          np.array(TF["biases"])])


def test_default_sampler_trains_word2vec_style():
    vocab, dim = 50, 8
    embeddings = tf.Variable(tf.random_uniform([vocab, dim], -1.0, 1.0, seed=1))
    nce_w = tf.Variable(tf.truncated_normal([vocab, dim], stddev=0.3, seed=2))
    nce_b = tf.Variable(tf.zeros([vocab]))
    center = tf.placeholder(tf.int32, [None])
    context = tf.placeholder(tf.int32, [None, 1])
    embed = tf.nn.embedding_lookup(embeddings, center)
    loss = tf.reduce_mean(tf.nn.nce_loss(nce_w, nce_b, context, embed, num_sampled=5,
                                         num_classes=vocab))
    samplers = [op for op in tf.get_default_graph().get_operations()
                if op.type == "LogUniformCandidateSampler"]
    assert len(samplers) == 1 and samplers[0].get_attr("unique") is True
    train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    pairs = {"center": np.arange(10) % vocab, "context": (np.arange(10)[:, None] + 1) % vocab}
    feed = {center: pairs["center"], context: pairs["context"]}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = np.mean([sess.run(loss, feed) for _ in range(5)])
        for _ in range(200):
            sess.run(train, feed)
        last = np.mean([sess.run(loss, feed) for _ in range(5)])
    assert last < 0.5 * first
