"""The generated plan source (runtime/codegen.py): values named after their ops, names that
would clash with Python or with the plan's own names made safe, one line per op."""

import numpy as np

import minigraph as tf


def plan_source(fetches, feed):
    with tf.Session() as sess:
        plan = sess.plan_for(fetches, feed)
        return plan.source, sess.run(fetches, feed)


def test_values_are_named_after_their_ops_with_the_op_name_as_comment():
    x = tf.placeholder(tf.float32, [2, 2], name="x")
    with tf.name_scope("dense"):
        y = tf.matmul(x, x)
    source, (value,) = plan_source([y], {x: np.eye(2, dtype=np.float32)})
    assert "    dense_MatMul = MatMul(x, x)  # dense/MatMul" in source
    assert source.splitlines()[0].startswith("# MatMul = MatMul kernel with transpose_a=False")
    np.testing.assert_array_equal(value, np.eye(2))


def test_names_that_clash_with_python_or_the_plan_are_made_safe():
    x = tf.placeholder(tf.float32, [], name="F")
    a = tf.negative(x, name="read")
    b = tf.exp(a, name="if")
    c = tf.square(b, name="1st")
    d = tf.negative(c, name="Neg")  # the op's name is also its kernel's name
    source, (value,) = plan_source([d], {x: 1.0})
    for line in ("F_ = F[0]", "read_ = Neg(F_)", "if_ = Exp(read_)", "_1st = Square(if_)",
                 "Neg_ = Neg(_1st)"):
        assert f"    {line}  # " in source, line
    assert np.isclose(value, -np.exp(-2.0))


def test_a_variable_read_is_named_and_the_node_keeps_its_name():
    v = tf.Variable(2.0, name="v")
    step = tf.assign_add(v, 1.0, name="step")
    with tf.Session() as sess:
        sess.run(v.initializer)
        source = sess.plan_for([v.value(), step], {}).source
        assert "    v_read = read(v)  # v/read" in source
        assert "step = AssignAdd(ctx, step_op, v, step_value)  # step" in source
        assert sess.run([v.value(), step]) == [2.0, 3.0]
        # A fetched reference is the variable's value at the end of the run (as in TF).
        assert "return (read(v), read(v),)" in sess.plan_for([v, step], {}).source
        assert sess.run([v, step]) == [4.0, 4.0]
