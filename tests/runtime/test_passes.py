"""The plan's compile passes (runtime/passes.py) on graphs of three ops: prune, specialise and
fold, order (reads before writes), and the guards of ops made inside tf.cond branches."""

import numpy as np

import minigraph as tf
from minigraph.runtime import passes


def compile_passes(targets, feeds):
    """Run the passes as Plan does; return (ops, alias, specs, order, guards)."""
    ops = passes.prune(targets, feeds)
    alias = passes.aliases(ops, feeds)
    specs = passes.specialize(ops, feeds, alias)
    order = passes.schedule(ops, alias, feeds)
    return ops, alias, specs, order, passes.guards(order, feeds)


def test_prune_keeps_what_the_fetch_needs_and_stops_at_feeds():
    x = tf.placeholder(tf.float32, [2], name="x")
    y = tf.exp(x, name="y")
    z = tf.negative(y, name="z")
    tf.sqrt(x, name="unused")
    assert [op.name for op in passes.prune([z], {})] == ["x", "y", "z"]
    assert [op.name for op in passes.prune([z], {y: (2,)})] == ["z"]  # y fed: x not needed
    assert [op.name for op in passes.prune([y.op], {})] == ["x", "y"]


def test_prune_follows_control_inputs():
    a = tf.constant(1.0, name="a")
    b = tf.identity(a, name="b")
    with tf.control_dependencies([b]):
        c = tf.constant(2.0, name="c") * 1.0
    assert {"a", "b"} <= {op.name for op in passes.prune([c], {})}


def test_specialize_folds_shape_arithmetic_of_a_fed_shape():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    n = tf.shape(x, name="n")[0]
    doubled = n * 2
    _, _, specs, _, _ = compile_passes([doubled], {x: (5, 3)})
    assert specs[x].shape.as_list() == [5, 3]
    assert specs[doubled].value == 10  # folded: no op computes it at run time
    _, _, generic, _, _ = compile_passes([doubled], {x: None})
    assert generic[doubled].value is None  # a generic plan folds no shapes


def test_specialize_folds_constant_subexpressions_but_not_random_ops():
    a = tf.constant([1.0, 2.0], name="a")
    b = tf.square(a, name="b")
    r = tf.random_uniform([2], name="r") + b
    _, _, specs, _, _ = compile_passes([r], {})
    np.testing.assert_array_equal(specs[b].value, [1.0, 4.0])
    assert specs[r].value is None


def test_schedule_is_creation_order_with_reads_before_unrelated_writes():
    v = tf.Variable(1.0, name="v")
    update = tf.assign_add(v, 1.0, name="update")
    read = tf.identity(v, name="later_read")  # made after the write, but does not depend on it
    _, _, _, order, _ = compile_passes([update, read], {})
    names = [op.name for op in order]
    assert names.index("later_read") < names.index("update")


def test_schedule_reads_after_a_write_it_depends_on():
    v = tf.Variable(1.0, name="v")
    update = tf.assign_add(v, 1.0, name="update")
    with tf.control_dependencies([update]):
        after = tf.identity(v, name="after")
    _, _, _, order, _ = compile_passes([after], {})
    names = [op.name for op in order]
    assert names.index("update") < names.index("after")


def test_guards_name_the_branch_each_op_runs_in():
    x = tf.placeholder(tf.float32, [], name="x")
    y = tf.cond(x > 0.0, lambda: x * 2.0, lambda: -x)
    _, _, _, order, guards = compile_passes([y], {x: ()})
    by_name = {op.name: terms for op, terms in guards.items()}
    pred = next(op for op in order if op.name == "cond/pred_id").outputs[0]
    assert by_name["cond/mul"] == [(pred, True)]
    assert by_name["cond/Neg"] == [(pred, False)]
    assert y.op not in guards  # the Merge runs always and reads the branch taken
    assert passes.guards(order[:1], {x: ()}) == {}  # no cond, no guards
