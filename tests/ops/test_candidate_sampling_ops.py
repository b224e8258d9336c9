"""Candidate samplers: checked by their distribution (fixed seeds, chi-square), their
uniqueness and seeds, and TF's expected-count formulas against TF's values
(tests/data/sampled_tf.json, recorded by tests/data/record_sampled.py)."""

import json
import pathlib

import numpy as np
import pytest

import minigraph as tf

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
