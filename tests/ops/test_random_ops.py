"""Random family: TF1's graph-level and op-level seed rules, per-run/per-session streams,
shapes and names, and loose distribution checks (5.6: truncated normal std about 0.88).

Exact values cannot match TF (Philox); these tests pin the determinism rules instead.
"""

import numpy as np
import pytest

import minigraph as tf
from minigraph.ops.random_ops import get_seed

MAX = 2**31 - 1
RANDOM_OPS = ["RandomStandardNormal", "TruncatedNormal", "RandomUniform", "RandomUniformInt",
              "RandomShuffle"]


def sampler_op(t):
    """The sampling op behind a public random tensor (random_normal is sample * std + mean)."""
    stack = [t.op]
    while stack:
        op = stack.pop()
        if op.type in RANDOM_OPS:
            return op
        stack.extend(x.op for x in op.inputs)
    raise AssertionError(f"no random op behind {t.name}")


# -- seeds ---------------------------------------------------------------------------------
def test_get_seed_follows_the_graph_and_op_seed_table():
    assert get_seed(None) == (None, None)
    assert get_seed(7) == (87654321, 7)
    tf.set_random_seed(42)
    assert get_seed(5) == (42, 5)
    assert [get_seed(None) for _ in range(3)] == [(42, 0), (42, 1), (42, 2)]
    tf.set_random_seed(MAX + 3)
    assert get_seed(MAX + 9) == (3, 9)  # reduced modulo 2^31 - 1
    tf.set_random_seed(0)
    assert get_seed(0) == (0, MAX)  # (0, 0) would mean "nondeterministic"


def test_seed_attributes_are_fixed_when_the_op_is_created():
    before = tf.random_uniform([2])
    tf.set_random_seed(3)
    after = tf.random_uniform([2])
    with_op_seed = tf.random_normal([2], seed=11)
    op = sampler_op(before)
    assert (op.get_attr("seed"), op.get_attr("seed2")) == (0, 0)
    op = sampler_op(after)
    assert (op.get_attr("seed"), op.get_attr("seed2")) == (3, 0)
    op = sampler_op(with_op_seed)
    assert (op.get_attr("seed"), op.get_attr("seed2")) == (3, 11)


def test_seeded_graph_gives_the_same_sequence_in_every_session():
    tf.set_random_seed(42)
    r = tf.random_uniform([2])
    with tf.Session() as s1:
        first = [s1.run(r), s1.run(r)]
    assert not np.array_equal(first[0], first[1])  # two runs in one session differ
    with tf.Session() as s2:
        np.testing.assert_array_equal([s2.run(r), s2.run(r)], first)
    with tf.Graph().as_default():  # the same program rebuilt in a fresh graph
        tf.set_random_seed(42)
        r2 = tf.random_uniform([2])
        with tf.Session() as s3:
            np.testing.assert_array_equal([s3.run(r2), s3.run(r2)], first)


def test_derived_op_seeds_ignore_unrelated_ops():
    tf.set_random_seed(1)
    a = tf.random_normal([3])
    with tf.Graph().as_default():
        tf.set_random_seed(1)
        tf.constant(1.0) + tf.constant(2.0)
        b = tf.random_normal([3])
        with tf.Session() as s:
            vb = s.run(b)
    with tf.Session() as s:
        np.testing.assert_array_equal(s.run(a), vb)


def test_one_value_per_run_even_when_fetched_several_times(sess):
    r = tf.random_normal([3], seed=5)
    x, y, zero = sess.run([r, r, r - r])
    np.testing.assert_array_equal(x, y)
    np.testing.assert_array_equal(zero, np.zeros(3))


def test_same_seeds_give_identical_streams_and_different_seeds_differ(sess):
    tf.set_random_seed(9)
    a, b, c = (tf.truncated_normal([4], seed=s) for s in (1, 1, 2))
    va, vb, vc = sess.run([a, b, c])
    np.testing.assert_array_equal(va, vb)
    assert not np.array_equal(va, vc)
    d = tf.random_normal([4])
    e = tf.random_normal([4])
    vd, ve = sess.run([d, e])
    assert not np.array_equal(vd, ve)  # seedless ops get different derived seeds


def test_unseeded_ops_differ_between_sessions():
    r = tf.random_uniform([8])
    with tf.Session() as s1, tf.Session() as s2:
        assert not np.array_equal(s1.run(r), s2.run(r))


# -- builders: names, shapes, dtypes -------------------------------------------------------
def test_random_normal_builds_standard_normal_times_stddev_plus_mean():
    r = tf.random_normal([2, 3], mean=1.0, stddev=2.0, seed=1)
    assert r.name == "random_normal:0" and r.shape.as_list() == [2, 3]
    assert r.dtype == tf.float32
    names = {op.name: op.type for op in tf.get_default_graph().get_operations()}
    assert names["random_normal/RandomStandardNormal"] == "RandomStandardNormal"
    assert "random_normal/mean" in names and "random_normal/stddev" in names
    t = tf.truncated_normal([2], dtype=tf.float64, name="w_init")
    assert t.name == "w_init:0" and t.dtype == tf.float64
    assert sampler_op(t).type == "TruncatedNormal"


def test_shapes_from_tensors_and_shape_errors(sess):
    n = tf.placeholder(tf.int32, [2])
    r = tf.random_uniform(n)
    assert r.shape.as_list() == [None, None]
    assert sess.run(r, {n: [3, 2]}).shape == (3, 2)
    r = tf.random_normal(tf.TensorShape([4, 1]))
    assert r.shape.as_list() == [4, 1]
    with pytest.raises(ValueError, match="must be 1-D"):
        tf.random_normal([[2, 3]])
    with pytest.raises(TypeError, match="dtype"):
        tf.random_normal([2], dtype=tf.int32)


def test_random_uniform_int_needs_maxval_and_minval_below_maxval(sess):
    with pytest.raises(ValueError, match="Must specify maxval for integer dtype tf.int32"):
        tf.random_uniform([2], dtype=tf.int32)
    r = tf.random_uniform([1000], 3, 7, dtype=tf.int64, seed=2)
    assert r.op.type == "RandomUniformInt" and r.name == "random_uniform:0"
    out = sess.run(r)
    assert out.dtype == np.int64 and set(np.unique(out)) == {3, 4, 5, 6}
    bad = tf.random_uniform([2], 5, 5, dtype=tf.int32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Need minval < maxval"):
        sess.run(bad)


def test_random_shuffle_permutes_the_first_dimension(sess):
    values = np.arange(20).reshape(10, 2)
    y = tf.random_shuffle(values, seed=4)
    assert y.op.type == "RandomShuffle" and y.shape.as_list() == [10, 2]
    out = sess.run(y)
    assert sorted(map(tuple, out)) == sorted(map(tuple, values))
    assert not np.array_equal(out, values)


def test_random_ops_have_no_gradient_but_mean_and_stddev_do(sess):
    mean, stddev = tf.placeholder(tf.float64, []), tf.placeholder(tf.float64, [])
    r = tf.random_normal([5], mean, stddev, dtype=tf.float64, seed=3)
    dmean, dstd = tf.gradients(tf.reduce_sum(r), [mean, stddev])
    samples, gm, gs = sess.run([r, dmean, dstd], {mean: 0.0, stddev: 1.0})
    assert gm == pytest.approx(5.0)
    assert gs == pytest.approx(samples.sum())  # d(sum(z * std + mean))/dstd = sum(z)
    shape = tf.placeholder(tf.int32, [1])
    assert tf.gradients(tf.random_uniform(shape), shape) == [None]


# -- distributions (loose tolerances, fixed seeds) -----------------------------------------
def test_normal_distribution_statistics(sess):
    out = sess.run(tf.random_normal([20000], mean=2.0, stddev=3.0, seed=1))
    assert abs(out.mean() - 2.0) < 0.1 and abs(out.std() - 3.0) < 0.1


def test_truncated_normal_range_and_std(sess):
    out = sess.run(tf.truncated_normal([20000], seed=1))
    assert out.min() >= -2.0 and out.max() < 2.0
    assert abs(out.std() - 0.8796) < 0.02 and abs(out.mean()) < 0.03
    scaled = sess.run(tf.truncated_normal([5000], mean=10.0, stddev=0.5, seed=2))
    assert scaled.min() >= 9.0 and scaled.max() <= 11.0


def test_uniform_distribution_range_and_moments(sess):
    out = sess.run(tf.random_uniform([20000], -1.0, 3.0, seed=1))
    assert out.min() >= -1.0 and out.max() < 3.0
    assert abs(out.mean() - 1.0) < 0.05 and abs(out.var() - 16 / 12) < 0.05
    unit = sess.run(tf.random_uniform([1000], dtype=tf.float16, seed=2))
    assert unit.dtype == np.float16 and unit.min() >= 0 and unit.max() < 1
