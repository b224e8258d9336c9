"""Candidate samplers (checked by their distribution, with fixed seeds) and nce_loss /
sampled_softmax_loss (checked against TF 1.x with the samples given, and by finite
differences). Recorded by tests/data/record_sampled.py into tests/data/sampled_tf.json."""

import json
import pathlib

import numpy as np
import pytest

import minigraph as tf
from minigraph.gradient_checker import check_gradients

TF = json.loads((pathlib.Path(__file__).resolve().parent.parent / "data" / "sampled_tf.json")
                .read_text())
UNIGRAMS = [5, 1, 1, 3, 2, 8, 1, 1, 4, 2, 1, 1]
SAMPLERS = {
    "log_uniform": (tf.nn.log_uniform_candidate_sampler, {}, "LogUniformCandidateSampler"),
    "uniform": (tf.nn.uniform_candidate_sampler, {}, "UniformCandidateSampler"),
    "fixed_unigram": (tf.nn.fixed_unigram_candidate_sampler,
                      {"unigrams": UNIGRAMS, "distortion": 0.75},
                      "FixedUnigramCandidateSampler"),
}


def probabilities(name, n=12):
    k = np.arange(n, dtype=np.float64)
    if name == "log_uniform":
        return (np.log(k + 2) - np.log(k + 1)) / np.log(n + 1)
    if name == "uniform":
        return np.full(n, 1.0 / n)
    w = np.array(UNIGRAMS, np.float64) ** 0.75
    return w / w.sum()


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_expected_counts_match_tf(name):
    fn, extra, op_type = SAMPLERS[name]
    recorded = TF["expected_counts"][name]
    labels = tf.constant(TF["labels"], tf.int64)
    sampled, true_count, sampled_count = fn(labels, 2, 6, False, 12, seed=1, **extra)
    assert sampled.op.type == op_type
    # TF's sampled ids given as "true classes" get TF's expected counts for them.
    _, of_tf_samples, _ = fn(tf.constant([recorded["sampled"]], tf.int64), 6, 6, False, 12,
                             seed=1, **extra)
    with tf.Session() as sess:
        t, mine, s, c = sess.run([true_count, of_tf_samples, sampled, sampled_count])
    np.testing.assert_allclose(t, recorded["true_expected"], rtol=1e-6)
    np.testing.assert_allclose(mine[0], recorded["sampled_expected"], rtol=1e-6)
    np.testing.assert_allclose(c, 6 * probabilities(name)[s], rtol=1e-6)


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_draws_follow_the_distribution(name):
    fn, extra, _ = SAMPLERS[name]
    n = 20000
    sampled, _, _ = fn(tf.constant([[0]], tf.int64), 1, n, False, 12, seed=7, **extra)
    with tf.Session() as sess:
        counts = np.bincount(sess.run(sampled), minlength=12)
    expected = n * probabilities(name)
    chi2 = ((counts - expected) ** 2 / expected).sum()
    assert chi2 < 31.3  # chi-square, 11 degrees of freedom, p = 0.001 (the seed is fixed)


def test_unique_draws_are_distinct_with_consistent_expected_counts():
    sampled, true_count, sampled_count = tf.nn.log_uniform_candidate_sampler(
        tf.constant([[0, 1]], tf.int64), 2, 8, True, 12, seed=3)
    with tf.Session() as sess:
        s, t, c = sess.run([sampled, true_count, sampled_count])
    assert len(set(s.tolist())) == 8
    p = probabilities("log_uniform")
    tries = np.log1p(-c) / np.log1p(-p[s])     # c = 1 - (1 - p)^T  =>  T
    assert np.allclose(tries, tries[0], rtol=1e-4) and tries[0] >= 8 - 1e-3
    np.testing.assert_allclose(t[0], -np.expm1(tries[0] * np.log1p(-p[[0, 1]])), rtol=1e-4)


def test_seeded_samplers_repeat_across_sessions_and_differ_by_seed():
    labels = tf.constant([[0]], tf.int64)
    a = tf.nn.uniform_candidate_sampler(labels, 1, 50, False, 1000, seed=5)[0]
    b = tf.nn.uniform_candidate_sampler(labels, 1, 50, False, 1000, seed=6)[0]
    with tf.Session() as sess:
        first, other = sess.run([a, b])
        second_run = sess.run(a)
    with tf.Session() as sess:
        again = sess.run(a)
    assert first.tolist() == again.tolist()
    assert first.tolist() != other.tolist() and first.tolist() != second_run.tolist()


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
