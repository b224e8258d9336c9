"""tf.while_loop: the While, LoopVar and LoopHistory ops, loop structure, errors, gradients.

Values marked "recorded" come from TensorFlow 1.x (tests/data/record_loops.py -> loops.json).
"""

import collections
import json
import pathlib

import numpy as np
import pytest

import minigraph as tf
from minigraph.framework import errors
from minigraph.gradient_checker import check_gradients

RECORDED = json.loads((pathlib.Path(__file__).parent.parent / "data" / "loops.json").read_text())


def _recorded(name, index=0):
    entry = RECORDED[name][index]
    return entry["feeds"], [np.asarray(v) for v in entry["values"]]


def _check_recorded(name, fetches, feeds_by_name, index=0):
    feeds, expected = _recorded(name, index)
    g = tf.get_default_graph()
    feed = {g.get_tensor_by_name(k + ":0"): v for k, v in feeds.items()}
    with tf.Session() as s:
        got = s.run(fetches, feed)
    for value, want in zip(got, expected):
        np.testing.assert_allclose(value, want, rtol=1e-10, atol=1e-12)


# -- forward semantics ------------------------------------------------------------------------
def test_counter_loop_op_types_names_and_shapes():
    i = tf.constant(0)
    r = tf.while_loop(lambda i: i < 10, lambda i: i + 1, [i])
    assert r.name == "while/Exit:0" and r.op.type == "While"
    assert r.shape == tf.TensorShape([])
    frame = r.op.attrs["frame"]
    assert frame.loop_vars[0].op.type == "LoopVar"
    assert frame.loop_vars[0].name == "while/Identity:0"
    assert frame.body_outputs[0].op.name == "while/add"
    with tf.Session() as s:
        assert s.run(r) == 10


def test_single_loop_var_keeps_structure_when_asked():
    r = tf.while_loop(lambda a: a < 10.0, lambda a: a * 2.0, [1.0], return_same_structure=True)
    assert isinstance(r, list) and len(r) == 1
    with tf.Session() as s:
        assert s.run(r) == [16.0]


def test_nested_structures_namedtuple_and_dict():
    Pair = collections.namedtuple("Pair", "a b")
    x = tf.placeholder(tf.float64, [])
    r = tf.while_loop(lambda i, p: i < 3,
                      lambda i, p: (i + 1, Pair(p.a + 1.0, {"k": p.b["k"] * 2.0})),
                      (0, Pair(x, {"k": x})))
    assert isinstance(r[1], Pair) and set(r[1].b) == {"k"}
    with tf.Session() as s:
        i, p = s.run(r, {x: 1.0})
    assert i == 3 and p.a == 4.0 and p.b["k"] == 8.0


def test_maximum_iterations_bounds_the_trip_count():
    r = tf.while_loop(lambda i, a: i < 100, lambda i, a: (i + 1, a * 2.0), (0, 1.0),
                      maximum_iterations=tf.constant(7))
    with tf.Session() as s:
        assert s.run(r) == (7, 128.0)


def test_zero_iterations_return_the_initial_values():
    x = tf.placeholder(tf.float32, [2])
    r = tf.while_loop(lambda a: tf.reduce_sum(a) < 0.0, lambda a: a * 2.0, [x])
    with tf.Session() as s:
        np.testing.assert_array_equal(s.run(r, {x: [1.0, 2.0]}), [1.0, 2.0])


def test_captured_tensor_and_variable_read_once_per_run():
    v = tf.Variable(3.0)
    c = tf.placeholder(tf.float32, [])
    r = tf.while_loop(lambda i, a: i < 3, lambda i, a: (i + 1, a * v + c), (0, 1.0))
    frame = r[1].op.attrs["frame"]
    assert {t.name for t in frame.captures} >= {"Variable/read:0", "Placeholder:0"}
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        assert s.run(r[1], {c: 1.0}) == ((1 * 3 + 1) * 3 + 1) * 3 + 1


def test_shape_invariants_allow_a_growing_loop_variable():
    v = tf.zeros([1, 2])
    _, r = tf.while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, tf.concat([v, v], 0)),
                         [0, v], shape_invariants=[tf.TensorShape([]), tf.TensorShape([None, 2])])
    assert r.shape.as_list() == [None, 2]
    with tf.Session() as s:
        assert s.run(r).shape == (8, 2)


def test_growing_loop_variable_without_invariant_is_tf_error():
    v = tf.zeros([1, 2])
    with pytest.raises(ValueError, match=r"Input tensor 'zeros:0' enters the loop with shape "
                       r"\(1, 2\), but has shape \(2, 2\) after one iteration.*shape_invariants"):
        tf.while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, tf.concat([v, v], 0)), [0, v])


def test_invariant_incompatible_with_initial_shape():
    with pytest.raises(ValueError, match="not compatible with the initial shape"):
        tf.while_loop(lambda v: True, lambda v: v, [tf.zeros([2])],
                      shape_invariants=[tf.TensorShape([3])])


def test_nested_loops_and_loop_inside_cond_and_cond_inside_loop():
    x = tf.placeholder(tf.float64, [])
    p = tf.placeholder(tf.bool, [])

    def outer(i, a):
        _, b = tf.while_loop(lambda j, b: j < i, lambda j, b: (j + 1, b + 1.0), [0, a])
        return i + 1, b

    nested = tf.while_loop(lambda i, a: i < 4, outer, [0, x])[1]
    in_cond = tf.cond(p, lambda: tf.while_loop(lambda a: a < 100.0, lambda a: a * 3.0, [x]),
                      lambda: -x)
    cond_in = tf.while_loop(lambda i, a: i < 4,
                            lambda i, a: (i + 1, tf.cond(a > 2.0, lambda: a - 1.0,
                                                         lambda: a * 2.0)), [0, x])[1]
    with tf.Session() as s:
        assert s.run(nested, {x: 0.0}) == 0 + 1 + 2 + 3
        assert s.run(in_cond, {x: 2.0, p: True}) == 162.0
        assert s.run(in_cond, {x: 2.0, p: False}) == -2.0
        assert s.run(cond_in, {x: 1.5}) == 3.0   # 1.5 -> 3 -> 2 -> 4 -> 3


def test_parallel_iterations_and_swap_memory_are_accepted():
    r = tf.while_loop(lambda i: i < 3, lambda i: i + 1, [0], parallel_iterations=32,
                      swap_memory=True)
    with tf.Session() as s:
        assert s.run(r) == 3


# -- errors --------------------------------------------------------------------------------
def test_argument_errors():
    with pytest.raises(TypeError, match="'cond' must be callable"):
        tf.while_loop(True, lambda i: i, [0])
    with pytest.raises(TypeError, match="'body' must be callable"):
        tf.while_loop(lambda i: True, None, [0])
    with pytest.raises(TypeError, match="parallel_iterations"):
        tf.while_loop(lambda i: i < 1, lambda i: i, [0], parallel_iterations=0)
    with pytest.raises(ValueError, match="'loop_vars' must be provided"):
        tf.while_loop(lambda: True, lambda: 1, [])
    with pytest.raises(TypeError, match="wrap a single tensor"):
        tf.while_loop(lambda i: i < 1, lambda i: i, tf.constant(0))
    with pytest.raises(ValueError, match="'maximum_iterations' must be a scalar"):
        tf.while_loop(lambda i: i < 1, lambda i: i + 1, [0], maximum_iterations=[1, 2])


def test_body_structure_and_dtype_errors():
    with pytest.raises(ValueError, match="structure of loop_vars"):
        tf.while_loop(lambda i, a: i < 1, lambda i, a: i + 1, [0, 1.0])
    with pytest.raises(TypeError, match="enters the loop as int32 but the body returns float32"):
        tf.while_loop(lambda i: i < 1, lambda i: tf.cast(i, tf.float32), [0])


def test_condition_must_be_a_bool_scalar():
    with pytest.raises(ValueError, match="Shape must be rank 0 but is rank 1"):
        tf.while_loop(lambda a: a < 1.0, lambda a: a, [tf.zeros([2])])
    with pytest.raises(TypeError, match="must return a bool tensor"):
        tf.while_loop(lambda a: a, lambda a: a, [1.0])


def test_body_tensor_used_outside_the_loop():
    inner = []
    tf.while_loop(lambda i: i < 3, lambda i: inner.append(i * 2) or i + 1, [0])
    with pytest.raises(ValueError, match=r"Cannot use 'while/mul:0' as input to 'add' because "
                       "'while/mul:0' is in a while loop"):
        inner[0] + 1
    with tf.Session() as s, pytest.raises(errors.InvalidArgumentError,
                                          match="has a value only inside one iteration"):
        s.run(inner[0])


def test_error_in_the_body_names_the_node_and_changes_nothing():
    v = tf.Variable(1.0)
    bad = tf.placeholder(tf.float32, [None])
    r = tf.while_loop(lambda i, a: i < 2, lambda i, a: (i + 1, a + bad), (0, tf.zeros([2])))
    step = tf.assign_add(v, tf.reduce_sum(r[1]))
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        with pytest.raises(errors.InvalidArgumentError, match="while/add_1"):
            s.run(step, {bad: [1.0, 2.0, 3.0]})
        assert s.run(v) == 1.0


# -- gradients -------------------------------------------------------------------------------
def test_gradient_matches_finite_differences_with_data_dependent_trip_count():
    x = tf.placeholder(tf.float64, [], name="x")
    n = tf.placeholder(tf.int32, [], name="n")
    _, y = tf.while_loop(lambda i, a: i < n, lambda i, a: (i + 1, tf.sin(a) * x), [0, x])
    with tf.Session() as s:
        for trips in (0, 1, 4):
            check_gradients(y, [x], [0.7], feed_dict={n: trips}, session=s)


def test_gradient_of_a_loop_stopped_by_its_values():
    x = tf.placeholder(tf.float64, [2], name="x")
    _, y = tf.while_loop(lambda i, a: tf.reduce_sum(a) < 20.0,
                         lambda i, a: (i + 1, a * a + x), [0, x])
    with tf.Session() as s:
        check_gradients(tf.reduce_sum(y * y), [x], [[0.9, 1.3]], session=s)


def test_gradient_sums_a_captured_matrix_over_iterations():
    w = tf.placeholder(tf.float64, [3, 3], name="w")
    h0 = tf.placeholder(tf.float64, [2, 3], name="h0")
    _, h = tf.while_loop(lambda i, h: i < 4, lambda i, h: (i + 1, tf.tanh(tf.matmul(h, w))),
                         [0, h0])
    rng = np.random.RandomState(0)
    with tf.Session() as s:
        check_gradients(tf.reduce_sum(h * h), [w, h0],
                        [rng.randn(3, 3) * 0.5, rng.randn(2, 3)], session=s)


def test_gradient_through_nested_loops_cond_and_maximum_iterations():
    x = tf.placeholder(tf.float64, [], name="x")

    def outer(i, a):
        _, b = tf.while_loop(lambda j, b: j < i, lambda j, b: (j + 1, b * x + 1.0), [0, a])
        return i + 1, tf.cond(b > 2.0, lambda: tf.sin(b), lambda: b * b)

    _, y = tf.while_loop(lambda i, a: i < 100, outer, [0, x], maximum_iterations=4)
    with tf.Session() as s:
        check_gradients(y, [x], [0.9], session=s)
        check_gradients(y, [x], [1.2], session=s)


def test_gradient_with_respect_to_a_variable_trains():
    w = tf.Variable(0.5, dtype=tf.float64)
    _, y = tf.while_loop(lambda i, a: i < 3, lambda i, a: (i + 1, a * w), (0, tf.constant(
        2.0, tf.float64)))
    loss = tf.square(y - 1.0)
    train = tf.train.GradientDescentOptimizer(0.05).minimize(loss)
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        before = s.run(loss)
        for _ in range(20):
            s.run(train)
        assert s.run(loss) < before * 0.01


def test_back_prop_false_gives_no_gradient():
    x = tf.placeholder(tf.float64, [])
    y = tf.while_loop(lambda a: a < 10.0, lambda a: a * x, [x], back_prop=False)
    assert tf.gradients(y, [x]) == [None]


def test_second_order_is_the_tf1_type_error():
    x = tf.placeholder(tf.float64, [])
    y = tf.while_loop(lambda i, a: i < 3, lambda i, a: (i + 1, a * x), (0, x))[1]
    g, = tf.gradients(y, [x])
    with pytest.raises(TypeError, match="Second-order gradient for while loops not supported"):
        tf.gradients(g, [x])


def test_loop_history_keeps_every_iteration_for_the_gradient():
    x = tf.placeholder(tf.float64, [], name="x")
    y = tf.while_loop(lambda i, a: i < 3, lambda i, a: (i + 1, tf.exp(a)), (0, x))[1]
    g, = tf.gradients(y, [x])
    reads = [op for op in tf.get_default_graph().get_operations() if op.type == "LoopHistory"]
    assert reads and all(op.loop_frame.forward is y.op.attrs["frame"] for op in reads)
    with tf.Session() as s:
        a1 = np.exp(0.1)
        a2 = np.exp(a1)
        np.testing.assert_allclose(s.run(g, {x: 0.1}), np.exp(a2) * a2 * a1)


# -- recorded from TF 1.x -------------------------------------------------------------------
def test_recorded_power_loop():
    x = tf.placeholder(tf.float64, [], name="x")
    _, y = tf.while_loop(lambda i, a: i < 5, lambda i, a: (i + 1, a * x),
                         [0, tf.constant(1.0, tf.float64)])
    _check_recorded("power_loop", [y] + tf.gradients(y, [x]), {})


def test_recorded_data_dependent_trips():
    x = tf.placeholder(tf.float64, [], name="x")
    i, y = tf.while_loop(lambda i, a: a < 10.0, lambda i, a: (i + 1, a * x + 1.0), [0, x])
    _check_recorded("data_dependent_trips", [i, y] + tf.gradients(y, [x]), {})


def test_recorded_nested_loops():
    x = tf.placeholder(tf.float64, [], name="x")

    def outer(i, a):
        _, b = tf.while_loop(lambda j, b: j < i, lambda j, b: (j + 1, b * x + 1.0), [0, a])
        return i + 1, tf.sin(b)

    _, y = tf.while_loop(lambda i, a: i < 4, outer, [0, x])
    _check_recorded("nested_loops", [y] + tf.gradients(y, [x]), {})


def test_recorded_tanh_rnn_with_maximum_iterations():
    x0 = tf.placeholder(tf.float64, [2, 3], name="x0")
    w = tf.placeholder(tf.float64, [3, 3], name="w")
    _, h = tf.while_loop(lambda i, h: i < 6, lambda i, h: (i + 1, tf.tanh(tf.matmul(h, w))),
                         (0, x0), maximum_iterations=4)
    loss = tf.reduce_sum(h * h)
    _check_recorded("tanh_rnn", [loss] + tf.gradients(loss, [x0, w]), {})


def test_recorded_cond_in_body():
    x = tf.placeholder(tf.float64, [], name="x")
    _, y = tf.while_loop(lambda i, a: i < 6,
                         lambda i, a: (i + 1, tf.cond(tf.equal(i % 2, 0), lambda: a * x,
                                                      lambda: tf.sin(a))), [0, x])
    _check_recorded("cond_in_body", [y] + tf.gradients(y, [x]), {})


# -- exports -------------------------------------------------------------------------------
def test_exports_draw_the_loop_as_one_frame():
    from minigraph.export import drawing

    x = tf.placeholder(tf.float32, [], name="x")
    r = tf.while_loop(lambda i, a: i < 3, lambda i, a: (i + 1, a * x), (0, x))
    g = drawing.to_networkx()
    loop_edges = [(u, v) for u, v, d in g.edges(data=True) if d["kind"] == "loop"]
    assert ("while/Less", "while/Exit") in loop_edges and ("while/mul", "while/Exit") in loop_edges
    assert g.nodes["while/Exit"]["op_type"] == "While" and r[1].name == "while/Exit:1"
    dot = drawing.to_dot()
    assert '"cluster_while"' in dot and "next iteration" in dot
    collapsed = drawing.to_dot(collapse_scopes=["while"])
    assert '"while/mul"' not in collapsed and '"while"' in collapsed


def test_graph_def_export_keeps_the_body_in_the_loop_scope():
    pytest.importorskip("tensorboard")
    x = tf.placeholder(tf.float32, [], name="x")
    tf.while_loop(lambda a: a < 3.0, lambda a: a * x, [x])
    names = [n.name for n in tf.get_default_graph().as_graph_def().node]
    assert "while/Exit" in names and "while/mul" in names and "while/Identity" in names


def test_variable_assigned_in_the_body_counts_iterations():
    v = tf.Variable(0.0)

    def body(i):
        with tf.control_dependencies([tf.assign_add(v, 1.0)]):
            return i + 1

    r = tf.while_loop(lambda i: i < 5, body, [0])
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        assert s.run(r) == 5 and s.run(v) == 5.0


def test_random_op_in_the_body_draws_at_every_iteration():
    draws = tf.while_loop(lambda i, acc: i < 4,
                          lambda i, acc: (i + 1, tf.concat([acc, tf.random_uniform([1])], 0)),
                          [0, tf.zeros([0])],
                          shape_invariants=[tf.TensorShape([]), tf.TensorShape([None])])[1]
    with tf.Session() as s:
        values = s.run(draws)
    assert values.shape == (4,) and len(set(values.tolist())) == 4


def test_gradient_of_coupled_loop_variables_and_a_loop_inside_cond():
    a0 = tf.placeholder(tf.float64, [], name="a0")
    b0 = tf.placeholder(tf.float64, [], name="b0")
    p = tf.placeholder(tf.bool, [], name="p")
    _, a, b = tf.while_loop(lambda i, a, b: i < 3,
                            lambda i, a, b: (i + 1, a * b, tf.sin(a) + b), [0, a0, b0])
    in_cond = tf.cond(p, lambda: tf.while_loop(lambda i, c: i < 2,
                                               lambda i, c: (i + 1, c * a0), [0, b0])[1],
                      lambda: b0 * 2.0)
    with tf.Session() as s:
        check_gradients(a + 2.0 * b, [a0, b0], [0.7, 1.1], session=s)
        for taken in (True, False):
            check_gradients(in_cond, [a0, b0], [0.7, 1.1], feed_dict={p: taken}, session=s)


def test_gradient_of_a_loop_inside_scan():
    e = tf.placeholder(tf.float64, [3, 2], name="e")

    def step(acc, x):
        return tf.while_loop(lambda i, a: i < 2, lambda i, a: (i + 1, tf.tanh(a * x + acc)),
                             [0, acc])[1]

    ys = tf.scan(step, e, initializer=tf.constant([0.1, -0.2], tf.float64))
    with tf.Session() as s:
        check_gradients(tf.reduce_sum(ys * ys), [e], [[[0.5, 1.0], [-0.3, 0.2], [0.9, -1.1]]],
                        session=s)
