"""Session: lifetime, fetch structures, feeding rules, run semantics (each node once, pruning,
reads before writes, failed runs commit nothing), plan cache, default sessions and the
run-time error classes, each against TF 1.x's measured behaviour."""

import collections

import numpy as np
import pytest

import minigraph as tf
from minigraph.framework import errors

P = collections.namedtuple("P", "a b")


# -- 6.1 lifetime ----------------------------------------------------------------------------
def test_closed_session_refuses_runs_and_close_is_idempotent():
    s = tf.Session()
    c = tf.constant(1)
    s.close()
    s.close()
    with pytest.raises(RuntimeError, match="Attempted to use a closed Session"):
        s.run(c)


def test_context_manager_closes_and_is_not_reentrant():
    c = tf.constant(1.0)
    with tf.Session() as s:
        assert s.run(c) == 1.0
        with pytest.raises(RuntimeError, match="not re-entrant"):
            with s:
                pass
    with pytest.raises(RuntimeError, match="closed Session"):
        s.run(c)


def test_empty_graph_and_bad_graph_argument():
    with pytest.raises(RuntimeError, match="The Session graph is empty"):
        tf.Session().run([])
    with pytest.raises(TypeError, match="Argument `graph` must be a tf.Graph"):
        tf.Session(graph=1)


def test_session_graph_is_default_at_construction_and_extends_itself():
    g = tf.Graph()
    with g.as_default():
        a = tf.constant(1.0)
        s = tf.Session()
    assert s.graph is g
    with g.as_default():
        b = a + 1.0  # added after the session exists
    assert s.run(b) == 2.0
    assert s.sess_str == b"" and s.list_devices()


def test_two_sessions_have_independent_variable_values():
    v = tf.Variable(1.0)
    inc = tf.assign_add(v, 1.0)
    s1, s2 = tf.Session(), tf.Session()
    s1.run(v.initializer)
    s1.run(inc)
    with pytest.raises(errors.FailedPreconditionError):
        s2.run(v)
    s2.run(v.initializer)
    assert (s1.run(v), s2.run(v)) == (2.0, 1.0)


# -- 6.3 fetch structures ---------------------------------------------------------------------
def test_nested_fetch_structure_is_rebuilt():
    a = tf.constant(1)
    b = tf.constant([2.0, 3.0])
    op = tf.no_op()
    with tf.Session() as s:
        out = s.run({"x": (a, [b, op]), "p": P(a, b)})
    assert set(out) == {"x", "p"}
    x_a, (x_b, x_op) = out["x"][0], out["x"][1]
    assert type(out["x"]) is tuple and type(out["x"][1]) is list
    assert x_a == 1 and type(x_a) is np.int32 and x_op is None
    np.testing.assert_array_equal(x_b, [2.0, 3.0])
    assert x_b.dtype == np.float32
    assert type(out["p"]) is P and out["p"].a == 1


def test_mapping_types_and_empty_structures_are_kept():
    a = tf.constant(1)
    with tf.Session() as s:
        ordered = s.run(collections.OrderedDict([("z", a), ("y", a)]))
        assert type(ordered) is collections.OrderedDict and list(ordered) == ["z", "y"]
        dd = collections.defaultdict(list)
        dd["k"] = a
        got = s.run(dd)
        assert type(got) is collections.defaultdict and got.default_factory is list
        assert got["k"] == 1
        assert s.run([]) == [] and s.run(()) == () and s.run({}) == {} and s.run([[]]) == [[]]


def test_fetch_names_operations_and_bad_fetches():
    a = tf.constant(5, name="a")
    op = tf.no_op(name="nothing")
    with tf.Session() as s:
        assert s.run("a:0") == 5 and s.run(a.op) is None and s.run("nothing") is None
        assert s.run(op) is None
        with pytest.raises(TypeError, match="Fetch argument None has invalid type"):
            s.run([a, None])
        with pytest.raises(TypeError, match="Fetch argument 1 has invalid type <class 'int'>, "
                                            "must be a string or Tensor"):
            s.run(1)
        with pytest.raises(TypeError):
            s.run({1, 2})
        with pytest.raises(ValueError, match="Fetch argument 'nope:0' cannot be interpreted "
                                             "as a Tensor"):
            s.run("nope:0")
        with tf.Graph().as_default():
            other = tf.constant(1)
        with pytest.raises(ValueError, match="is not an element of this graph"):
            s.run(other)


def test_returned_types_numpy_scalars_and_arrays():
    with tf.Session() as s:
        assert type(s.run(tf.constant(2.0))) is np.float32
        assert type(s.run(tf.constant(2**40))) is np.int64
        assert type(s.run(tf.constant(True))) is np.bool_
        assert s.run(tf.constant(b"hi")) == b"hi"
        z = s.run(tf.zeros([0, 3]))
        assert z.shape == (0, 3) and z.dtype == np.float32


# -- 4 feeding --------------------------------------------------------------------------------
def test_feed_and_placeholder_errors():
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    y = tf.reduce_sum(x * 2.0)
    with tf.Session() as s:
        out = s.run(y, {x: [[1, 2], [3, 4]]})
        assert out == 20.0 and type(out) is np.float32
        with pytest.raises(errors.InvalidArgumentError) as info:
            s.run(x + 1.0)
        msg = str(info.value)
        assert "You must feed a value for placeholder tensor 'x' with dtype float and shape " \
               "[?,2]" in msg
        assert "test_session.py" in msg and "feed_dict" in msg  # where and how to fix
        assert info.value.op.name == "x" and info.value.error_code == errors.INVALID_ARGUMENT
        with pytest.raises(ValueError, match="Cannot feed value of shape \\(2,\\) for Tensor "
                                             "x:0, which has shape \\(\\?, 2\\)"):
            s.run(x + 1.0, {x: [1.0, 2.0]})


def test_placeholder_message_omits_shape_for_scalars_and_unknown_rank():
    scalar = tf.placeholder(tf.int32, [], name="s")
    unknown = tf.placeholder(tf.float64, name="u")
    with tf.Session() as sess:
        with pytest.raises(errors.InvalidArgumentError,
                           match="placeholder tensor 's' with dtype int32\\."):
            sess.run(scalar)
        with pytest.raises(errors.InvalidArgumentError,
                           match="placeholder tensor 'u' with dtype double\\."):
            sess.run(unknown)


def test_unneeded_placeholders_need_no_feed_and_extra_feeds_are_ignored():
    x = tf.placeholder(tf.float32, name="x")
    unused = tf.placeholder(tf.float32, name="unused")
    with tf.Session() as s:
        assert s.run(tf.constant(1.0)) == 1.0
        assert s.run(x * 2.0, {x: 2.0, unused: 5.0}) == 4.0


def test_feed_keys():
    x = tf.placeholder(tf.float32, [], name="x")
    v = tf.Variable(1.0, name="v")
    pair = (tf.placeholder(tf.float32, name="p"), tf.placeholder(tf.float32, name="q"))
    with tf.Session() as s:
        assert s.run(x * 2.0, {"x:0": 3.0}) == 6.0
        assert s.run(v * 2.0, {v: 4.0}) == 8.0  # a variable key feeds v:0
        assert s.run(pair[0] + pair[1], {pair: (1.0, 2.0)}) == 3.0
        with pytest.raises(TypeError, match="Cannot interpret feed_dict key as Tensor: The "
                                            "name 'x' refers to an Operation"):
            s.run(x, {"x": 1.0})
        with pytest.raises(TypeError, match="'nope', does not exist in the graph"):
            s.run(x, {"nope:0": 1.0})
        with pytest.raises(TypeError, match="Cannot interpret feed_dict key"):
            s.run(x, {1: 1.0})
        with pytest.raises(TypeError, match="Cannot interpret feed_dict key"):
            s.run(x, {x.op: 1.0})
        with pytest.raises(TypeError, match="feed_dict must be a dictionary"):
            s.run(x, [(x, 1.0)])
        with pytest.raises(TypeError, match="The value of a feed cannot be a tf.Tensor object"):
            s.run(x, {x: tf.constant(1.0)})


def test_any_tensor_can_be_fed_and_upstream_is_not_run():
    a = tf.constant(2.0)
    b = a * 10.0
    c = b + 1.0
    with tf.Session() as s:
        assert s.run(c, {b: 5.0}) == 6.0
        assert s.run(c, {b.name: 7.0}) == 8.0
        assert s.run(c) == 21.0
        nan = tf.constant(np.nan) * 1.0
        checked = tf.check_numerics(nan, "upstream")
        after = checked + 1.0
        assert s.run(after, {checked: 1.0}) == 2.0  # the failing check never runs
        with pytest.raises(ValueError, match="Cannot feed value of shape \\(2,\\)"):
            s.run(c, {c: [1.0, 2.0]})
        tf.get_default_graph().prevent_feeding(b)
        with pytest.raises(ValueError, match="may not be fed"):
            s.run(c, {b: 1.0})


def test_feed_value_conversion_rules():
    f = tf.placeholder(tf.float32, [None], name="f")
    n = tf.placeholder(tf.int32, name="n")
    with tf.Session() as s:
        got = s.run(f, {f: np.array([1.5], np.float64)})
        assert got.dtype == np.float32 and got[0] == 1.5
        np.testing.assert_array_equal(s.run(f, {f: [1, None]}), [1.0, np.nan])
        assert s.run(n, {n: True}) == 1 and s.run(n, {n: "3"}) == 3
        with pytest.raises(ValueError, match="could not convert string to float"):
            s.run(f, {f: ["a"]})


def test_int_overflow_wraps_and_fed_values_come_back_as_arrays():
    n = tf.placeholder(tf.int32)
    with tf.Session() as s:
        with pytest.raises(TypeError, match="Type of feed value 1099511627776 with type "
                                            "<class 'int'> is not compatible with Tensor type "
                                            "<class 'numpy.int32'>"):
            s.run(n, {n: 2**40})
        fed = s.run(n, {n: 2.9})
        assert isinstance(fed, np.ndarray) and fed.shape == () and fed == 2
        computed = s.run(n + 0, {n: 2.9})
        assert type(computed) is np.int32 and computed == 2


# -- 6.4 execution semantics -------------------------------------------------------------------
def test_every_node_runs_at_most_once_per_run():
    v = tf.Variable(0)
    inc = tf.assign_add(v, 1)
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        assert [s.run(inc) for _ in range(3)] == [1, 2, 3]
        assert s.run(v) == 3
        assert s.run([inc, inc, inc]) == [4, 4, 4]
        assert s.run(v) == 4
        assert s.run([inc * 1, inc * 2]) == [5, 10]
        assert s.run(v) == 5


def test_only_the_ops_the_fetches_need_run():
    v = tf.Variable(0.0)
    inc = tf.assign_add(v, 1.0)
    x = tf.constant(3.0) * 2.0
    bad = tf.check_numerics(tf.constant(np.inf), "never needed")
    with tf.Session() as s:
        s.run(v.initializer)
        assert s.run(x) == 6.0
        assert s.run(v) == 0.0  # inc was not needed
        plan = s.plan_for([x], {})
        assert plan.step_ops == []  # x is a constant expression: folded when compiling
        p = tf.placeholder(tf.float32)
        y = p * 2.0
        plan = s.plan_for([y], {p: 1.0})
        assert [op.type for op in plan.step_ops] == ["Mul"]
        assert bad.op not in plan.step_ops and inc.op not in plan.step_ops


def test_reading_after_an_update_via_control_dependencies():
    v = tf.Variable(1.0)
    inc = tf.assign_add(v, 1.0)
    with tf.control_dependencies([inc]):
        after = tf.identity(v)
    with tf.Session() as s:
        s.run(v.initializer)
        assert [s.run(after) for _ in range(3)] == [2.0, 3.0, 4.0]


def test_reads_not_downstream_of_an_update_see_the_pre_update_value():
    w = tf.Variable(5.0, name="w")
    loss = w * 2.0
    update = tf.assign_add(w, 1.0)
    with tf.Session() as s:
        s.run(w.initializer)
        assert s.run([loss, update]) == [10.0, 6.0]
        assert s.run([update, loss]) == [7.0, 12.0]  # fetch order does not matter
        assert s.run(w) == 7.0


def test_a_failed_run_commits_no_variable_write():
    v = tf.Variable(1.0, name="v")
    write = tf.assign(v, 5.0)
    nan_check = tf.check_numerics(tf.constant(np.nan) + 0.0, "nan here")
    late = tf.placeholder(tf.float32, name="late")  # created after the write: runs after it
    with tf.Session() as s:
        s.run(v.initializer)
        grouped = tf.group(write, nan_check)
        order = [op.type for op in s.plan_for([grouped], {}).step_ops]
        assert order.index("Assign") < order.index("CheckNumerics")  # the write did happen
        with pytest.raises(errors.InvalidArgumentError, match="nan here : Tensor had NaN"):
            s.run(grouped)
        assert s.run(v) == 1.0
        with pytest.raises(errors.InvalidArgumentError, match="must feed a value"):
            s.run([write, late + 1.0])
        assert s.run(v) == 1.0
        assert s.run(write) == 5.0 and s.run(v) == 5.0


def test_plan_cache_reuses_the_compiled_plan_per_signature():
    x = tf.placeholder(tf.float32, name="x")
    y = x * 3.0
    with tf.Session() as s:
        assert s.run(y, {x: 1.0}) == 3.0
        first = s.plan_for([y], {x: None})
        assert s.run(y, {x: 2.0}) == 6.0
        assert s.plan_for([y], {x: None}) is first
        z = y + 1.0  # the graph grows: old plans stay valid
        assert s.run(z, {x: 1.0}) == 4.0 and s.plan_for([y], {x: None}) is first
        assert s.plan_for([y, z], {x: None}) is not first
        text = str(first)
        assert text.startswith("Plan: ") and "Mul" in text



def test_plan_cache_is_bounded_and_drops_the_least_recently_used(monkeypatch):
    """A program running ever-new fetch/feed signatures keeps at most MAX_PLANS plans (1024,
    documented in docs/architecture.md); the plans used most recently stay."""
    from minigraph.runtime import session as session_module

    assert session_module.MAX_PLANS == 1024
    monkeypatch.setattr(session_module, "MAX_PLANS", 4)
    xs = [tf.placeholder(tf.float32, [], name=f"x{i}") for i in range(12)]
    ys = [x * float(i) for i, x in enumerate(xs)]
    with tf.Session() as s:
        assert s.run(ys[0], {xs[0]: 1.0}) == 0.0
        kept = s.plan_for([ys[0]], {xs[0]: 1.0})
        for i in range(1, 12):  # a new signature each time
            assert s.run(ys[i], {xs[i]: 2.0}) == 2.0 * i
            assert s.plan_for([ys[0]], {xs[0]: 1.0}) is kept  # recently used: stays cached
            assert sum(len(by_shape) for by_shape in s._plans.values()) <= 4
        assert s.plan_for([ys[11]], {xs[11]: 1.0}) is s.plan_for([ys[11]], {xs[11]: 3.0})
        assert [y in {t for sig in s._plans for t in sig[0]} for y in ys[:10]] == \
            [True] + [False] * 9  # the early signatures were dropped

# -- 6.2 default session ------------------------------------------------------------------------
def test_eval_and_run_need_a_default_session():
    c = tf.constant(4.0)
    op = tf.no_op()
    with pytest.raises(ValueError, match="Cannot evaluate tensor using `eval\\(\\)`: No "
                                         "default session is registered"):
        c.eval()
    with pytest.raises(ValueError, match="Cannot execute operation using `run\\(\\)`"):
        op.run()
    s = tf.Session()
    assert c.eval(session=s) == 4.0 and op.run(session=s) is None
    with s.as_default():
        assert tf.get_default_session() is s and c.eval() == 4.0 and op.run() is None
    assert tf.get_default_session() is None
    assert s.run(c) == 4.0  # as_default does not close


def test_eval_with_a_session_of_another_graph_fails():
    c = tf.constant(1.0)
    g = tf.Graph()
    with g.as_default():
        tf.constant(2.0)
    with tf.Session(graph=g) as other:
        with pytest.raises(ValueError, match="graph is different from the session's graph"):
            c.eval(session=other)


def test_feed_dict_in_eval_and_variable_eval():
    x = tf.placeholder(tf.float32)
    v = tf.Variable(3.0)
    with tf.Session() as s:
        s.run(v.initializer)
        assert (x * 2.0).eval({x: 4.0}) == 8.0 and v.eval() == 3.0


def test_interactive_session_installs_itself_until_closed():
    x = tf.placeholder(tf.float32, [1])
    y = x * 2.0
    first = tf.InteractiveSession()
    second = tf.InteractiveSession()
    assert tf.get_default_session() is second
    np.testing.assert_array_equal(y.eval({x: [3.0]}), [6.0])
    second.close()
    assert tf.get_default_session() is first
    first.close()
    assert tf.get_default_session() is None


def test_interactive_session_with_graph_makes_it_default():
    g = tf.Graph()
    with g.as_default():
        c = tf.constant(7)
    s = tf.InteractiveSession(graph=g)
    assert tf.get_default_graph() is g and c.eval() == 7
    s.close()
    assert tf.get_default_graph() is not g


# -- 6.5 make_callable ---------------------------------------------------------------------------
def test_make_callable_takes_feeds_positionally():
    x = tf.placeholder(tf.float32, [None], name="x")
    k = tf.placeholder(tf.float32, [], name="k")
    y = x * k
    op = tf.no_op()
    with tf.Session() as s:
        call = s.make_callable([y, op], [x, k])
        out = call([1.0, 2.0], 3.0)
        np.testing.assert_array_equal(out[0], [3.0, 6.0])
        assert out[1] is None
        with pytest.raises(TypeError, match="takes 2 feed values, got 1"):
            call([1.0])
        with pytest.raises(ValueError, match="Cannot feed value of shape"):
            call([[1.0]], 1.0)
        assert s.make_callable(tf.constant(2))() == 2


# -- 7 errors ------------------------------------------------------------------------------------
def test_error_classes_and_codes():
    pairs = [(errors.CancelledError, 1), (errors.UnknownError, 2),
             (errors.InvalidArgumentError, 3), (errors.DeadlineExceededError, 4),
             (errors.NotFoundError, 5), (errors.AlreadyExistsError, 6),
             (errors.PermissionDeniedError, 7), (errors.ResourceExhaustedError, 8),
             (errors.FailedPreconditionError, 9), (errors.AbortedError, 10),
             (errors.OutOfRangeError, 11), (errors.UnimplementedError, 12),
             (errors.InternalError, 13), (errors.UnavailableError, 14),
             (errors.DataLossError, 15), (errors.UnauthenticatedError, 16)]
    for cls, code in pairs:
        e = cls(None, None, "msg")
        assert isinstance(e, errors.OpError) and e.error_code == code and e.message == "msg"
    assert (errors.OK, errors.INVALID_ARGUMENT, errors.FAILED_PRECONDITION) == (0, 3, 9)
    assert tf.errors.InvalidArgumentError is errors.InvalidArgumentError
    base = errors.OpError("node", None, "text", errors.ABORTED)
    assert base.node_def == "node" and base.error_code == 10 and str(base) == "text"


def test_uninitialized_variable_error_names_variable_site_and_fix():
    v = tf.Variable(3.0, name="v")
    doubled = v * 2.0
    with tf.Session() as s:
        with pytest.raises(errors.FailedPreconditionError) as info:
            s.run(doubled)
    msg = str(info.value)
    assert "Attempting to use uninitialized value v" in msg
    assert "global_variables_initializer" in msg  # the fix
    assert "test_session.py" in msg and 'tf.Variable(3.0, name="v")' in msg  # the where


def test_kernel_errors_become_invalid_argument_naming_node_and_line():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    w = tf.placeholder(tf.float32, [None, 4], name="w")
    product = tf.matmul(x, w, name="product")
    with tf.Session() as s:
        with pytest.raises(errors.InvalidArgumentError) as info:
            s.run(product, {x: np.ones((2, 3)), w: np.ones((2, 4))})
    msg = str(info.value)
    assert info.value.op is product.op
    assert "product" in msg and "test_session.py" in msg
    assert "tf.matmul(x, w, name=\"product\")" in msg
    assert isinstance(info.value.__cause__, Exception)  # original chained


def test_assign_add_shape_mismatch_at_run_time():
    v = tf.Variable([1.0, 2.0], name="v")
    delta = tf.placeholder(tf.float32, name="delta")
    add = tf.assign_add(v, delta)
    with tf.Session() as s:
        s.run(v.initializer)
        with pytest.raises(errors.InvalidArgumentError, match="AssignAdd"):
            s.run(add, {delta: [1.0, 2.0, 3.0]})
        np.testing.assert_array_equal(s.run(v), [1.0, 2.0])


# -- 1.10 / 6.4 random streams and consistent reads --------------------------------------------
def test_random_streams_per_session_and_one_value_per_run():
    def program():
        tf.set_random_seed(42)
        return tf.random_uniform([2])

    r = program()
    with tf.Session() as s1:
        first, again, zero = s1.run([r, r, r - r])
        second = s1.run(r)
    np.testing.assert_array_equal(first, again)
    np.testing.assert_array_equal(zero, [0.0, 0.0])
    assert not np.array_equal(first, second)
    with tf.Session() as s2:  # a new session restarts the stream
        np.testing.assert_array_equal(s2.run(r), first)
        np.testing.assert_array_equal(s2.run(r), second)
    with tf.Graph().as_default():  # rebuilding the program reproduces it
        rebuilt = program()
        with tf.Session() as s3:
            np.testing.assert_array_equal(s3.run(rebuilt), first)


def test_all_consumers_of_a_variable_see_one_value_per_run():
    v = tf.Variable(1.0)
    inc = tf.assign_add(v, 1.0)
    with tf.Session() as s:
        s.run(v.initializer)
        for _ in range(5):
            a, b, _ = s.run([v * 1.0, v + 0.0, inc])
            assert a == b


def test_run_time_broadcast_failure_uses_tf_wording():
    a = tf.placeholder(tf.float32, [None])
    b = tf.placeholder(tf.float32, [None])
    total = a + b
    with tf.Session() as s:
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"Incompatible shapes: \[2\] vs. \[3\]") as info:
            s.run(total, {a: [1.0, 2.0], b: [1.0, 2.0, 3.0]})
        assert "'add'" in str(info.value) and "test_session.py" in str(info.value)


def test_plan_profile_times_every_executed_kernel():
    x = tf.placeholder(tf.float32, [None, 3])
    w = tf.Variable(np.ones((3, 2), np.float32))
    y = tf.reduce_sum(tf.nn.relu(tf.matmul(x, w)))
    with tf.Session() as s:
        s.run(w.initializer)
        feed = {x: np.ones((4, 3), np.float32)}
        plan = s.plan_for([y], feed)
        timings = plan.profile(s, [feed[x]], runs=3)
        assert sorted(op.type for op, _ in timings) == sorted(op.type for op in plan.step_ops)
        assert all(t >= 0.0 for _, t in timings)
        assert s.run(y, feed) == 24.0  # the plan still runs normally afterwards


def test_feeding_a_variable_that_the_run_assigns_is_refused():
    v = tf.Variable(1.0, name="v")
    a = tf.assign(v, 2.0)
    with tf.Session() as s:
        s.run(v.initializer)
        assert s.run(v * 3.0, {v: 5.0}) == 15.0  # feeding a variable's value is fine
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="Input 0 of 'Assign'.*must be a variable.*Fix: do not feed"):
            s.run(a, {v: 5.0})
        assert s.run(v) == 1.0


# -- closing a session while another thread runs ------------------------------------------------
@pytest.mark.parametrize("write", ["assign", "assign_add"])
def test_close_during_a_run_cancels_it_and_nothing_is_committed(write, monkeypatch):
    """TF1: the run in flight raises CancelledError; runs after close raise RuntimeError.

    `assign` writes without reading, so only the commit can go wrong; `assign_add` reads the
    variable after close() cleared the values.
    """
    import threading

    p = tf.placeholder(tf.float32, [], name="p")
    v = tf.Variable(1.0, name="v")
    update = getattr(v, write)(tf.square(p))
    entered, closed, outcome = threading.Event(), threading.Event(), {}
    square = update.op.inputs[1].op.op_def
    real = square.compute

    def blocking_square(x, **attrs):  # the run waits here until the session is closed
        entered.set()
        closed.wait(10)
        return real(x, **attrs)

    monkeypatch.setattr(square, "compute", staticmethod(blocking_square))
    s = tf.Session()
    s.run(v.initializer)

    def run():
        try:
            outcome["value"] = s.run(update, {p: 3.0})
        except BaseException as e:  # noqa: BLE001 - checked below
            outcome["error"] = e

    worker = threading.Thread(target=run)
    worker.start()
    assert entered.wait(10)
    s.close()
    with pytest.raises(RuntimeError, match="Attempted to use a closed Session"):
        s.run(v)
    closed.set()
    worker.join(10)
    assert isinstance(outcome.get("error"), errors.CancelledError), outcome
    assert "Session.close() was called while it ran" in str(outcome["error"])
    assert s._store == {}  # the cancelled run committed nothing after close
