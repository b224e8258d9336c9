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


def test_a_cond_merge_has_the_taken_branch_value_and_the_other_branch_none(sess):
    x = tf.placeholder(tf.float32, [], name="x")
    inner = lambda: tf.cond(x > 2.0, lambda: tf.square(x, name="sq"),  # noqa: E731
                            lambda: tf.negative(x, name="neg"))
    out = tf.cond(x > 0.0, inner, lambda: tf.abs(x, name="abs"))
    trace = sess.trace(out, {x: 3.0})
    assert trace.results == pytest.approx(9.0)
    assert trace.value(out) == pytest.approx(9.0) and trace.sources[out] == "step"
    inner_merge = out.op.inputs[0]  # the true branch of the outer cond is the inner Merge
    assert inner_merge.op.type == "Merge" and trace.value(inner_merge) == pytest.approx(9.0)
    by_name = {op.name.rpartition("/")[2]: op for op in trace.steps}
    assert trace.value(by_name["neg"].outputs[0]) is None     # untaken inner branch
    assert trace.value(by_name["abs"].outputs[0]) is None     # untaken outer branch
    trace = sess.trace(out, {x: -2.0})
    assert trace.value(out) == pytest.approx(2.0)
    assert trace.value(inner_merge) is None  # inside the untaken outer branch: never ran


def test_fetched_variable_read_after_a_write_records_the_value_read(sess):
    v = tf.Variable(1.0, name="v")
    bump = tf.assign_add(v, 5.0, name="bump")
    with tf.control_dependencies([bump]):
        after = tf.identity(v.read_value(), name="after")
    sess.run(tf.global_variables_initializer())
    trace = sess.trace({"before": v.value(), "after": after})
    assert trace.results == {"before": 1.0, "after": 6.0}
    assert trace.value(v.value()) == 1.0 and trace.value(after) == 6.0
    assert trace.value(bump) == 6.0 and sess.run(v) == 1.0   # not committed


def test_multi_output_steps_and_pass_through_ops(sess):
    x = tf.placeholder(tf.float32, [2, 3], name="x")
    a, b, c = tf.split(x * 2.0, 3, axis=1, name="parts")
    same = tf.reshape(c, [2, 1], name="same")        # passes its input through at run time
    total = tf.add_n([a, b, same], name="total")
    feed = np.arange(6, dtype=np.float32).reshape(2, 3)
    trace = sess.trace(total, {x: feed})
    np.testing.assert_allclose(trace.value(b), feed[:, 1:2] * 2)
    np.testing.assert_allclose(trace.value(same), feed[:, 2:] * 2)
    assert same.op not in trace.steps and trace.sources[same] == "step"
    np.testing.assert_allclose(trace.results, feed.sum(axis=1, keepdims=True) * 2)
