"""The interpreter tier (runtime/interpreter.py) against the compiled generated source: a
plan's first runs are interpreted, later runs run the compiled source; both must give the
same values, the same errors naming the same node, the same cond guards and the same
all-or-nothing variable writes."""

import numpy as np
import pytest

import minigraph as tf
from minigraph.runtime import plan as plan_module

TIERS = ("interpreted", "compiled")


@pytest.fixture(params=TIERS)
def tier(request, monkeypatch):
    """Runs after the first: interpreted (compile after very many runs) or compiled."""
    monkeypatch.setattr(plan_module, "COMPILE_STEPS_PER_RUN",
                        10**9 if request.param == "compiled" else 1e-9)
    return request.param


def used_tier(sess, fetches, feed):
    plan = sess.plan_for(fetches, feed)
    return "compiled" if plan._fast is not None else "interpreted"


def cond_program():
    x = tf.placeholder(tf.float32, [3], name="x")
    v = tf.Variable(np.ones(3, np.float32), name="v")
    s = tf.reduce_sum(x)
    out = tf.cond(s > 0, lambda: tf.exp(x) * v, lambda: tf.square(x) - v)
    step = tf.assign_add(v, out, name="step")
    loss = tf.reduce_mean(step)
    return x, v, [out, step, loss]


def test_values_guards_and_variable_writes_match(tier):
    x, v, fetches = cond_program()
    with tf.Session() as sess:
        sess.run(v.initializer)
        values = [sess.run(fetches, {x: np.array(f, np.float32)})
                  for f in ([1, 2, 3], [-1, -2, -3], [0.5, -0.25, 1], [-4, 1, 1])]
        assert used_tier(sess, fetches, {x: np.zeros(3, np.float32)}) == tier
    expected, w = [], np.ones(3, np.float32)
    for f in ([1, 2, 3], [-1, -2, -3], [0.5, -0.25, 1], [-4, 1, 1]):
        f = np.array(f, np.float32)
        out = np.exp(f) * w if f.sum() > 0 else np.square(f) - w
        w = w + out
        expected.append([out, w, w.mean()])
    for got, want in zip(values, expected):
        for g, e in zip(got, want):
            np.testing.assert_allclose(g, e, rtol=1e-6)


def test_errors_name_the_same_node_in_both_tiers():
    messages = {}
    for name in TIERS:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(plan_module, "COMPILE_STEPS_PER_RUN", 10**9 if name == "compiled" else 1e-9)
            tf.reset_default_graph()
            params = tf.constant([1.0, 2.0, 3.0])
            i = tf.placeholder(tf.int32, [2], name="i")
            g = tf.gather(params, i, name="lookup") * 2.0
            with tf.Session() as sess:
                assert sess.run([g], {i: [0, 2]})[0].tolist() == [2.0, 6.0]
                with pytest.raises(tf.errors.InvalidArgumentError) as err:
                    sess.run([g], {i: [0, 7]})
                assert used_tier(sess, [g], {i: np.array([0, 1], np.int32)}) == name
        messages[name] = str(err.value)
    assert "[[node lookup " in messages["compiled"]
    assert messages["interpreted"] == messages["compiled"]


def test_a_numpy_error_in_a_step_is_reported_with_the_input_shapes(tier):
    a = tf.placeholder(tf.float32, None, name="a")
    b = tf.placeholder(tf.float32, None, name="b")
    c = tf.add(a, b, name="sum")
    with tf.Session() as sess:
        for _ in range(2):
            with pytest.raises(tf.errors.InvalidArgumentError,
                               match=r"(?s)Incompatible shapes: \[2\] vs. \[3\].*\[\[node sum "):
                sess.run(c, {a: np.ones(2, np.float32), b: np.ones(3, np.float32)})


def test_a_failed_run_writes_no_variable(tier):
    v = tf.Variable([1.0, 2.0], name="v")
    i = tf.placeholder(tf.int32, [1], name="i")
    bump = tf.assign_add(v, [1.0, 1.0])
    with tf.control_dependencies([bump]):
        picked = tf.gather(v.read_value(), i, name="picked")
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(picked, {i: [1]}).tolist() == [3.0]
        assert sess.run(picked, {i: [0]}).tolist() == [3.0]
        with pytest.raises(tf.errors.InvalidArgumentError, match="node picked"):
            sess.run(picked, {i: [5]})
        assert sess.run(v).tolist() == [3.0, 4.0]


def test_fetching_a_branch_value_that_was_not_computed_fails_in_both_tiers(tier):
    x = tf.placeholder(tf.float32, [], name="x")
    inner = []

    def true_fn():
        inner.append(tf.exp(x, name="inside"))
        return inner[0]

    out = tf.cond(x > 0, true_fn, lambda: -x)
    with tf.Session() as sess:
        assert sess.run([out, inner[0]], {x: 0.0 + 1.0})[0] == pytest.approx(np.e)
        assert sess.run(out, {x: -2.0}) == 2.0
        for _ in range(2):
            with pytest.raises(tf.errors.InvalidArgumentError, match="has no value in this run"):
                sess.run([out, inner[0]], {x: -1.0})


def test_a_kernel_returning_the_wrong_shape_is_caught_on_the_first_run(monkeypatch):
    x = tf.placeholder(tf.float32, [2], name="x")
    y = tf.negative(x, name="neg")
    monkeypatch.setattr(y.op.op_def, "compute", staticmethod(lambda a: a[:1]))
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InternalError, match="kernel of .*neg"):
            sess.run(y, {x: np.ones(2, np.float32)})


def test_the_source_and_the_interpreter_run_the_same_steps():
    x = tf.placeholder(tf.float32, [4], name="x")
    y = tf.reduce_sum(tf.tanh(x * 2.0 + 1.0))
    with tf.Session() as sess:
        plan = sess.plan_for([y], {x: np.zeros(4, np.float32)})
        assert plan._fast is None  # not compiled until it runs often
        assert "= Tanh(" in plan.source
        kernels = [line.split("= ")[1].split("(")[0] for line in plan.source.splitlines()
                   if "(" in line and " = " in line and not line.lstrip().startswith(("#", "F"))
                   and "read" not in line and "F[" not in line]
        assert kernels == [step.kernel for step in plan.program.steps]


def test_while_loop_bodies_and_their_gradients_match(tier):
    x = tf.placeholder(tf.float32, [3], name="x")
    _, out = tf.while_loop(lambda i, v: i < 5, lambda i, v: (i + 1, tf.tanh(v * 1.5 + 0.1)),
                           [tf.constant(0), x])
    grad, = tf.gradients(tf.reduce_sum(out), [x])
    xs = np.array([-0.5, 0.1, 0.9], np.float32)
    v, expected_grad = xs, np.ones(3, np.float32)
    for _ in range(5):
        v = np.tanh(v * np.float32(1.5) + np.float32(0.1))
        expected_grad = expected_grad * (1 - v * v) * np.float32(1.5)
    with tf.Session() as sess:
        for _ in range(3):
            got, got_grad = sess.run([out, grad], {x: xs})
            np.testing.assert_allclose(got, v, rtol=1e-6)
            np.testing.assert_allclose(got_grad, expected_grad, rtol=1e-5)
        assert used_tier(sess, [out, grad], {x: xs}) == tier
