"""Session.trace / Plan.trace: the values and execution order of one recorded run."""

import numpy as np
import pytest

import minigraph as tf


def test_trace_records_every_value_in_plan_order(sess):
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    w = tf.Variable([[1.0], [2.0]], name="w")
    shape = tf.shape(x, name="shape")          # folded: the fed shape is known
    y = tf.matmul(x, w, name="y")
    z = tf.reduce_sum(y * 3.0, name="z")
    unused = tf.square(z, name="unused")
    sess.run(tf.global_variables_initializer())
    feed = {x: np.array([[1.0, 1.0], [2.0, 0.0]], np.float32)}
    trace = sess.trace({"z": z, "shape": shape}, feed)
    assert trace.results["z"] == pytest.approx(15.0)      # (3 + 2) * 3
    np.testing.assert_array_equal(trace.results["shape"], [2, 2])
    assert [op.name for op in trace.steps] == ["y", "mul", "z"]
    np.testing.assert_allclose(trace.value(y), [[3.0], [2.0]])
    np.testing.assert_allclose(trace.value(x), feed[x])
    np.testing.assert_allclose(trace.value(w.value()), [[1.0], [2.0]])
    assert trace.sources[x] == "fed" and trace.sources[y] == "step"
    assert trace.sources[shape] == "folded" and trace.sources[w.value()] == "variable"
    assert unused.op not in trace.needed and y.op in trace.needed
    assert x.op not in trace.needed  # a fed tensor's op is pruned: the plan stops there
    assert trace.value(unused) is None


def test_trace_of_a_training_step_changes_nothing_unless_committed(sess):
    w = tf.Variable(1.0, name="w")
    step = tf.train.get_or_create_global_step()
    loss = tf.square(w, name="loss")
    train = tf.train.GradientDescentOptimizer(0.25).minimize(loss, global_step=step)
    sess.run(tf.global_variables_initializer())
    trace = sess.trace(train)
    assert sess.run([w, step]) == [1.0, 0]          # looked at, not trained
    new = {op.name: value for op, value in trace.writes.items()}
    assert new["w"] == pytest.approx(0.5) and new["global_step"] == 1
    assert trace.steps[-1].type == "AssignAdd"      # the global_step increment runs last
    sess.trace(train, commit=True)
    assert sess.run([w, step]) == [0.5, 1]


def test_trace_needs_fetches(sess):
    tf.constant(1.0)
    with pytest.raises(ValueError, match="Nothing to trace"):
        sess.trace([])
