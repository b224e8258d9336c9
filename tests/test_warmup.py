"""Warmup helpers against measured TF values (linear warmup, BERT's schedule)."""

import doctest

import numpy as np
import pytest

import minigraph as tf
from minigraph import warmup
from minigraph.warmup import bert_learning_rate, linear_warmup

F = np.float32

BERT_TABLE = {0: 0.0, 1: 0.00010000000474974513, 5: 0.0005000000237487257,
              9: 0.0009000000427477062, 10: 0.0009000000427477062, 11: 0.0008900000248104334,
              50: 0.0005000000237487257, 100: 0.0, 150: 0.0}


def test_bert_table_with_int64_step_variable(sess):
    step = tf.Variable(0, dtype=tf.int64, trainable=False, name="global_step")
    lr = bert_learning_rate(1e-3, step, num_train_steps=100, num_warmup_steps=10)
    assert lr.dtype == tf.float32 and lr.shape.as_list() == []
    sess.run(step.initializer)
    for s, expected in BERT_TABLE.items():
        sess.run(step.assign(s))
        value = sess.run(lr)
        assert value.dtype == np.float32
        assert value == F(expected), (s, value, expected)


def test_bert_without_warmup(sess):
    step = tf.placeholder(tf.int64, [])
    lr = bert_learning_rate(5e-5, step, num_train_steps=1000, num_warmup_steps=0)
    assert sess.run(lr, {step: 0}) == F(4.999999873689376e-05)
    assert sess.run(lr, {step: 3}) == F(4.984999759471975e-05)


def test_bert_learning_rate_warms_up_then_decays(sess):
    step = tf.placeholder(tf.int64, [])
    lr = bert_learning_rate(1e-3, step, 100, 10)
    got = [sess.run(lr, {step: s}) for s in (0, 5, 10, 11, 100)]
    np.testing.assert_array_equal(got, F([0.0, 0.0005000000237487257, 0.0009000000427477062,
                                          0.0008900000248104334, 0.0]))


def test_linear_warmup_matches_bert_blend(sess):
    step = tf.placeholder(tf.int64, [])
    decay = tf.train.polynomial_decay(1e-3, step, 100, end_learning_rate=0.0)
    lr = linear_warmup(decay, step, 10, 1e-3)
    for s, expected in BERT_TABLE.items():
        assert sess.run(lr, {step: s}) == F(expected), s


def test_linear_warmup_in_front_of_any_schedule(sess):
    step = tf.placeholder(tf.int64, [])
    lr = linear_warmup(tf.train.cosine_decay(0.1, step, 100), step, 4, 0.1)
    got = [sess.run(lr, {step: s}) for s in (0, 1, 2, 3, 4, 50)]
    np.testing.assert_allclose(got, F([0.0, 0.025, 0.05, 0.075, 0.09960574, 0.05]), rtol=1e-6)


def test_linear_warmup_zero_steps_is_guarded(sess):
    step = tf.placeholder(tf.int64, [])
    decay = tf.train.exponential_decay(0.1, step, 3, 0.5)
    assert linear_warmup(decay, step, 0, 0.1) is decay
    warmup_steps = tf.placeholder(tf.int64, [])
    lr = linear_warmup(decay, step, warmup_steps, 0.1)
    assert sess.run(lr, {step: 0, warmup_steps: 0}) == F(0.1)
    assert sess.run(lr, {step: 5, warmup_steps: 0}) == sess.run(decay, {step: 5})
    assert sess.run(lr, {step: 5, warmup_steps: 10}) == F(0.05)


def test_linear_warmup_nan_shows_during_warmup(sess):
    """The blend is arithmetic, not a select: 0 * nan = nan, as in TF programs."""
    step = tf.placeholder(tf.int64, [])
    lr = linear_warmup(tf.train.exponential_decay(0.1, step, 0, 0.5), step, 10, 0.1)
    assert np.isnan(sess.run(lr, {step: 0}))


def test_linear_warmup_float64(sess):
    step = tf.placeholder(tf.int64, [])
    decay = tf.train.cosine_decay(tf.constant(0.1, tf.float64), step, 100)
    lr = linear_warmup(decay, step, 3, 0.1)
    assert lr.dtype == tf.float64
    assert sess.run(lr, {step: 1}) == 0.1 / 3


def test_warmup_errors():
    with pytest.raises(ValueError, match="linear_warmup requires a global_step"):
        linear_warmup(0.1, None, 10, 0.1)
    with pytest.raises(ValueError, match="num_warmup_steps must be >= 0"):
        linear_warmup(0.1, tf.constant(1), -1, 0.1)
    with pytest.raises(TypeError, match="floating-point"):
        linear_warmup(1, tf.constant(1), 10, 0.1)
    with pytest.raises(ValueError, match="bert_learning_rate requires a global_step"):
        bert_learning_rate(1e-3, None, 100, 10)


def test_docstring_examples():
    result = doctest.testmod(warmup, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 4 and result.failed == 0
