"""tf.cond and its Merge op: branches, guards in the plan, gradients, errors."""

import collections

import numpy as np
import pytest

import minigraph as tf
from minigraph.framework import errors
from minigraph.gradient_checker import check_gradients


# -- both branches built once, one taken per run -------------------------------------------
def test_ops_created_outside_the_branches_always_run():
    x = tf.placeholder(tf.bool)
    v = tf.Variable(0.0)
    inc = tf.assign_add(v, 1.0)
    dec = tf.assign_sub(v, 10.0)
    r = tf.cond(x, lambda: inc, lambda: dec)
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        s.run(r, {x: True})
        assert s.run(v) == -9.0


def test_ops_created_inside_a_branch_run_only_when_it_is_taken():
    x = tf.placeholder(tf.bool)
    v = tf.Variable(0.0)
    r = tf.cond(x, lambda: tf.assign_add(v, 100.0), lambda: tf.assign_sub(v, 1000.0))
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        assert s.run(r, {x: True}) == 100.0
        assert s.run(v) == 100.0
        assert s.run(r, {x: False}) == -900.0
        assert s.run(v) == -900.0


# -- forward values, names, shapes ------------------------------------------------------------
def test_values_names_and_merge_op():
    x = tf.placeholder(tf.float32, [], name="x")
    y = tf.cond(x > 0.0, lambda: x * 2.0, lambda: -x)
    assert y.name == "cond/Merge:0" and y.op.type == "Merge"
    assert y.dtype == tf.float32 and y.shape.as_list() == []
    z = tf.cond(x > 0.0, lambda: x, lambda: 1.0)
    assert z.name == "cond_1/Merge:0"
    names = {op.name for op in tf.get_default_graph().get_operations()}
    assert {"cond/pred_id", "cond/mul", "cond/Neg"} <= names
    with tf.Session() as s:
        assert s.run(y, {x: 3.0}) == 6.0
        assert s.run(y, {x: -4.0}) == 4.0
        assert s.run(z, {x: 5.0}) == 5.0
        assert s.run(z, {x: -5.0}) == 1.0


def test_merge_infers_the_most_specific_compatible_shape():
    p = tf.placeholder(tf.bool, [])
    a = tf.cond(p, lambda: tf.zeros([2]), lambda: tf.ones([3]))
    assert a.shape.as_list() == [None]
    b = tf.cond(p, lambda: tf.zeros([2, 3]), lambda: tf.ones([2, 3]))
    assert b.shape.as_list() == [2, 3]
    c = tf.cond(p, lambda: tf.zeros([2]), lambda: tf.ones([2, 1]))
    assert c.shape.ndims is None
    with tf.Session() as s:
        np.testing.assert_array_equal(s.run(a, {p: True}), [0.0, 0.0])
        np.testing.assert_array_equal(s.run(a, {p: False}), [1.0, 1.0, 1.0])
        assert s.run(c, {p: False}).shape == (2, 1)


def test_nested_structures_python_values_and_strict():
    p = tf.placeholder(tf.bool, [])
    Pair = collections.namedtuple("Pair", "a b")
    out = tf.cond(p, lambda: {"k": (1.0, Pair(tf.constant(2), [3.0]))},
                  lambda: {"k": (tf.constant(-1.0), Pair(-2, [tf.constant(-3.0)]))})
    assert isinstance(out["k"][1], Pair) and out["k"][1].a.dtype == tf.int32
    single = tf.cond(p, lambda: [tf.constant(1.0)], lambda: [tf.constant(2.0)])
    assert isinstance(single, tf.Tensor)
    kept = tf.cond(p, lambda: [tf.constant(1.0)], lambda: [tf.constant(2.0)], strict=True)
    assert isinstance(kept, list) and len(kept) == 1
    with tf.Session() as s:
        assert s.run(out, {p: True}) == {"k": (1.0, Pair(2, [3.0]))}
        assert s.run(out, {p: False}) == {"k": (-1.0, Pair(-2, [-3.0]))}
        assert s.run(single, {p: False}) == 2.0
        assert s.run(kept, {p: True}) == [1.0]


def test_nested_conds():
    a = tf.placeholder(tf.bool, [], name="a")
    b = tf.placeholder(tf.bool, [], name="b")
    v = tf.Variable(0)

    def outer_true():
        return tf.cond(b, lambda: tf.assign_add(v, 1), lambda: tf.assign_add(v, 10))

    r = tf.cond(a, outer_true, lambda: tf.assign_add(v, 100))
    with tf.Session() as s:
        s.run(v.initializer)
        assert s.run(r, {a: True, b: True}) == 1
        assert s.run(r, {a: True, b: False}) == 11
        assert s.run(r, {a: False, b: True}) == 111
        assert s.run(r, {a: False, b: False}) == 211
        assert s.run(v) == 211


def test_predicate_computed_in_an_outer_branch():
    x = tf.placeholder(tf.float32, [], name="x")

    def positive():
        inner_pred = tf.greater(x * 1.0, 10.0)  # computed only when x > 0
        return tf.cond(inner_pred, lambda: x - 10.0, lambda: x + 10.0)

    r = tf.cond(x > 0.0, positive, lambda: tf.constant(0.0))
    with tf.Session() as s:
        assert s.run(r, {x: 20.0}) == 10.0
        assert s.run(r, {x: 5.0}) == 15.0
        assert s.run(r, {x: -5.0}) == 0.0


def test_an_operation_returned_by_a_branch_runs_with_it():
    p = tf.placeholder(tf.bool, [])
    v = tf.Variable(0.0)
    r = tf.cond(p, lambda: tf.group(tf.assign_add(v, 1.0)), lambda: tf.no_op())
    assert r.dtype == tf.bool
    with tf.Session() as s:
        s.run(v.initializer)
        assert s.run(r, {p: True}) is np.True_
        assert s.run(r, {p: False}) is np.False_
        assert s.run(v) == 1.0


def test_constant_predicate_and_variable_predicate():
    v = tf.Variable(1.0)
    flag = tf.Variable(True)
    r = tf.cond(tf.constant(False), lambda: tf.assign_add(v, 1.0), lambda: v * 10.0)
    # The predicate is read once, before the branch writes the variable it reads.
    s_ = tf.cond(flag, lambda: tf.assign(flag, False), lambda: tf.assign(flag, True))
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        assert s.run(r) == 10.0 and s.run(v) == 1.0
        assert s.run(s_) == np.False_
        assert s.run(s_) == np.True_


# -- run-time semantics ------------------------------------------------------------------------
def test_untaken_check_numerics_does_not_fire():
    x = tf.placeholder(tf.float32, [], name="x")
    r = tf.cond(x > 0.0, lambda: tf.log(x), lambda: tf.check_numerics(tf.log(x), "bad log"))
    with tf.Session() as s:
        assert s.run(r, {x: 1.0}) == 0.0
        with pytest.raises(errors.InvalidArgumentError, match="bad log : Tensor had NaN"):
            s.run(r, {x: -1.0})


def test_failed_branch_leaves_variables_unchanged():
    p = tf.placeholder(tf.bool, [])
    x = tf.placeholder(tf.float32, [])
    v = tf.Variable(5.0)

    def failing():
        with tf.control_dependencies([tf.assign_add(v, 1.0)]):
            return tf.check_numerics(tf.log(x), "checked")

    r = tf.cond(p, failing, lambda: tf.assign_add(v, 2.0))
    with tf.Session() as s:
        s.run(v.initializer)
        with pytest.raises(errors.InvalidArgumentError, match="checked"):
            s.run(r, {p: True, x: -1.0})
        assert s.run(v) == 5.0
        assert s.run(r, {p: False, x: -1.0}) == 7.0
        assert s.run(r, {p: True, x: 1.0}) == 0.0
        assert s.run(v) == 8.0


def test_plan_is_cached_across_predicate_values():
    p = tf.placeholder(tf.bool, [], name="p")
    v = tf.Variable(0)
    r = tf.cond(p, lambda: tf.assign_add(v, 1), lambda: tf.assign_sub(v, 1))
    with tf.Session() as s:
        s.run(v.initializer)
        plan = s.plan_for([r], {p: True})
        assert "if " in plan.source and " if " in plan.source  # guards and the Merge
        results = [s.run(r, {p: flag}) for flag in (True, False, True, True, False)]
        assert results == [1, 0, 1, 2, 1]
        assert s.plan_for([r], {p: False}) is plan


def test_fetching_a_tensor_from_an_untaken_branch_is_an_error():
    p = tf.placeholder(tf.bool, [], name="p")
    x = tf.placeholder(tf.float32, [], name="x")
    inside = []

    def true_fn():
        inside.append(x * 3.0)
        return inside[0]

    r = tf.cond(p, true_fn, lambda: x)
    after = inside[0] + 1.0  # built outside from a branch value: dead when not taken
    with tf.Session() as s:
        assert s.run([inside[0], after, r], {p: True, x: 2.0}) == [6.0, 7.0, 6.0]
        with pytest.raises(errors.InvalidArgumentError,
                           match="'cond/mul:0' has no value in this run.*fetch the output"):
            s.run(inside[0], {p: False, x: 2.0})
        with pytest.raises(errors.InvalidArgumentError, match="'add:0' has no value"):
            s.run(after, {p: False, x: 2.0})
        assert s.run(r, {p: False, x: 2.0}) == 2.0


def test_variables_created_in_a_branch_are_initialized_unconditionally():
    p = tf.placeholder(tf.bool, [])

    def make():
        w = tf.Variable(3.0, name="w")
        return w * 2.0

    r = tf.cond(p, make, lambda: tf.constant(0.0))
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        assert s.run(r, {p: True}) == 6.0 and s.run(r, {p: False}) == 0.0


# -- errors ----------------------------------------------------------------------------------
def test_predicate_errors():
    one = lambda: tf.constant(1.0)  # noqa: E731
    with pytest.raises(TypeError, match="'pred' must not be a Python bool."):
        tf.cond(True, one, one)
    with pytest.raises(TypeError, match="type float32 that does not match expected type of bool"):
        tf.cond(tf.constant(1.0), one, one)
    with pytest.raises(ValueError, match="Shape must be rank 0 but is rank 1"):
        tf.cond(tf.placeholder(tf.bool, [2]), one, one)
    unknown = tf.placeholder(tf.bool, name="unknown")
    r = tf.cond(unknown, one, lambda: tf.constant(2.0))
    with tf.Session() as s:
        with pytest.raises(errors.InvalidArgumentError):
            s.run(r, {unknown: [True, False]})


def test_function_errors():
    p = tf.placeholder(tf.bool, [])
    one = lambda: tf.constant(1.0)  # noqa: E731
    with pytest.raises(TypeError, match="'false_fn' argument required"):
        tf.cond(p, one)
    with pytest.raises(TypeError, match="'true_fn' must be callable."):
        tf.cond(p, tf.constant(1.0), one)
    with pytest.raises(ValueError, match="'true_fn' must have a return value."):
        tf.cond(p, lambda: None, one)
    with pytest.raises(ValueError, match="'false_fn' must have a return value."):
        tf.cond(p, one, lambda: None)


def test_structure_and_dtype_errors():
    p = tf.placeholder(tf.bool, [])
    with pytest.raises(ValueError, match="must have the same type\\(s\\).*float32.*int32"):
        tf.cond(p, lambda: tf.constant(1.0), lambda: tf.constant(1))
    with pytest.raises(ValueError, match="don't have the same nested structure"):
        tf.cond(p, lambda: [1.0, 2.0], lambda: [1.0])
    with pytest.raises(ValueError, match="don't have the same nested structure"):
        tf.cond(p, lambda: {"a": 1.0}, lambda: {"b": 1.0})
    with pytest.raises(ValueError, match="don't have the same nested structure"):
        tf.cond(p, lambda: (1.0, 2.0), lambda: [1.0, 2.0])


# -- gradients ---------------------------------------------------------------------------------
@pytest.mark.parametrize("taken", [True, False])
def test_gradient_of_each_branch(taken):
    x = tf.placeholder(tf.float64, [3], name="x")
    p = tf.placeholder(tf.bool, [], name="p")
    y = tf.cond(p, lambda: x * x, lambda: 3.0 * x)
    g, = tf.gradients(y, [x])
    values = np.array([1.0, -2.0, 0.5])
    with tf.Session() as s:
        expected = 2 * values if taken else np.full(3, 3.0)
        np.testing.assert_allclose(s.run(g, {x: values, p: taken}), expected)
        check_gradients(y, [x], [values], feed_dict={p: taken})


def test_gradient_through_nested_conds_and_outside_use():
    x = tf.placeholder(tf.float64, [], name="x")
    a = tf.placeholder(tf.bool, [], name="a")
    b = tf.placeholder(tf.bool, [], name="b")
    y = tf.cond(a, lambda: tf.cond(b, lambda: tf.sin(x), lambda: x * x * x),
                lambda: x) + x * x
    g, = tf.gradients(y, [x])
    assert y.op.type == "AddV2" or y.op.type == "Add"
    with tf.Session() as s:
        for flags, expected in (((True, True), np.cos(0.7) + 1.4),
                                ((True, False), 3 * 0.49 + 1.4), ((False, True), 2.4)):
            feed = {a: flags[0], b: flags[1]}
            np.testing.assert_allclose(s.run(g, {x: 0.7, **feed}), expected)
            check_gradients(y, [x], [np.array(0.7)], feed_dict=feed)


def test_second_order_gradient_through_cond():
    x = tf.placeholder(tf.float64, [], name="x")
    p = tf.placeholder(tf.bool, [], name="p")
    y = tf.cond(p, lambda: x * x * x, lambda: tf.exp(x))
    g, = tf.gradients(y, [x])
    h, = tf.gradients(g, [x])
    with tf.Session() as s:
        np.testing.assert_allclose(s.run(h, {x: 2.0, p: True}), 12.0)
        np.testing.assert_allclose(s.run(h, {x: 2.0, p: False}), np.exp(2.0))


def test_training_with_a_variable_update_in_one_branch():
    w = tf.Variable(2.0, dtype=tf.float64)
    count = tf.Variable(0)
    p = tf.placeholder(tf.bool, [])

    def counted():
        with tf.control_dependencies([tf.assign_add(count, 1)]):
            return w * w

    loss = tf.cond(p, counted, lambda: 4.0 * w)
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        # The branch's assign_add gates the forward value, so fetch the loss too (as in TF).
        s.run([train, loss], {p: True})      # d/dw w^2 = 4 -> 1.6
        assert s.run(count) == 1
        np.testing.assert_allclose(s.run(w), 1.6)
        s.run([train, loss], {p: False})     # d/dw 4w = 4 -> 1.2
        assert s.run(count) == 1
        np.testing.assert_allclose(s.run(w), 1.2)


def test_merge_gradient_gives_the_gradient_to_both_values():
    p = tf.placeholder(tf.bool, [])
    x = tf.placeholder(tf.float64, [])
    y = tf.cond(p, lambda: x * 2.0, lambda: x * 5.0)
    merge = y.op
    assert merge.type == "Merge"
    grads = merge.op_def.gradient(merge, tf.constant(1.0, tf.float64))
    assert grads[0] is grads[1] and grads[2] is None


def test_gradients_called_inside_a_branch():
    x = tf.placeholder(tf.float64, [], name="x")
    p = tf.placeholder(tf.bool, [], name="p")
    r = tf.cond(p, lambda: tf.gradients(x * x * x, [x])[0], lambda: x)
    with tf.Session() as s:
        assert s.run(r, {x: 2.0, p: True}) == 12.0
        assert s.run(r, {x: 2.0, p: False}) == 2.0


def test_add_check_numerics_ops_refuses_a_graph_with_cond():
    p = tf.placeholder(tf.bool, [])
    tf.cond(p, lambda: tf.constant(1.0), lambda: tf.constant(2.0))
    with pytest.raises(ValueError, match="not compatible with TensorFlow control flow"):
        tf.add_check_numerics_ops()


def test_errors_in_a_guarded_step_name_the_node_on_every_run():
    p = tf.placeholder(tf.bool, [], name="p")
    a = tf.placeholder(tf.float32, [None, None], name="a")
    r = tf.cond(p, lambda: tf.matmul(a, a, name="square"), lambda: a)
    with tf.Session() as s:
        with pytest.raises(errors.InvalidArgumentError, match="cond/square"):
            s.run(r, {p: True, a: np.ones((2, 3))})  # the first-run (checked) variant
        np.testing.assert_array_equal(s.run(r, {p: False, a: np.ones((2, 3))}), np.ones((2, 3)))
        with pytest.raises(errors.InvalidArgumentError, match="cond/square"):
            s.run(r, {p: True, a: np.ones((2, 3))})  # the fast variant
