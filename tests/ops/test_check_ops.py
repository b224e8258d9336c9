"""Control ops: NoOp, group, tuple, Print, PrintV2, CheckNumerics, add_check_numerics_ops,
verify_tensor_all_finite, Assert and the assert_* family (TF 1.x's messages and semantics
and 8.3)."""

import sys

import numpy as np
import pytest

import minigraph as tf
from minigraph.framework import errors
from minigraph.gradient_checker import check_gradients


# -- NoOp / group ---------------------------------------------------------------------------
def test_no_op_and_group():
    v = tf.Variable(0.0)
    inc = tf.assign_add(v, 1.0)
    noop = tf.no_op(name="anchor")
    assert noop.type == "NoOp" and noop.name == "anchor" and noop.outputs == []
    grouped = tf.group(inc, [inc, [noop]])
    assert grouped.name == "group_deps" and grouped.type == "NoOp"
    assert grouped.control_inputs == [inc.op, noop]  # flattened, duplicates collapse
    assert tf.group().control_inputs == []
    with tf.Session() as s:
        s.run(v.initializer)
        assert s.run(grouped) is None
        assert s.run(v) == 1.0  # run once per run
    with pytest.raises(ValueError, match="Unknown keyword arguments"):
        tf.group(inc, nme="typo")
    with pytest.raises(TypeError, match="tf.group expects Tensors or Operations"):
        tf.group(1.0)


# -- tuple ----------------------------------------------------------------------------------
def test_tuple_gates_every_output_on_all_inputs():
    v = tf.Variable(0.0)
    inc = tf.assign_add(v, 1.0)
    a = tf.constant(5.0)
    a2, inc2, none = tf.tuple([a, inc, None])
    assert none is None
    assert (a2.op.name, inc2.op.name) == ("tuple/control_dependency",
                                          "tuple/control_dependency_1")
    assert a2.op.type == "Identity"
    assert [op.name for op in a2.op.control_inputs] == ["tuple/group_deps"]
    with tf.Session() as s:
        s.run(v.initializer)
        assert s.run(a2) == 5.0
        assert s.run(v) == 1.0  # fetching a2 also ran inc


def test_tuple_extra_control_inputs():
    v = tf.Variable(0.0)
    inc = tf.assign_add(v, 2.0)
    (x,) = tf.tuple([tf.constant(1.0)], control_inputs=[inc])
    with tf.Session() as s:
        s.run(v.initializer)
        s.run(x)
        assert s.run(v) == 2.0
    with pytest.raises(TypeError, match="control_inputs"):
        tf.tuple([tf.constant(1.0)], control_inputs=[3])


# -- Print ----------------------------------------------------------------------------------
def test_print_is_an_identity_that_writes_to_stderr_when_consumed(capsys):
    x = tf.constant([1, 2, 3])
    p = tf.Print(x, [x, tf.constant(3)], "PRINT: ")
    assert isinstance(p, tf.Tensor) and p.op.type == "Print" and p.dtype == tf.int32
    unused = tf.Print(x, [x], "NEVER ")
    with tf.Session() as s:
        np.testing.assert_array_equal(s.run(p), [1, 2, 3])
        s.run(x * 2)
    err = capsys.readouterr().err
    assert err == "PRINT: [1 2 3][3]\n"
    assert unused.op.name == "Print_1"


def test_print_first_n_and_summarize(capsys):
    x = tf.constant(1)
    big = tf.Print(x, [tf.range(10)], "BIG ", first_n=2)
    matrix = tf.Print(x, [tf.reshape(tf.range(6), [2, 3])], "M ", summarize=4)
    everything = tf.Print(x, [tf.range(5), "text"], "ALL ", summarize=-1)
    with tf.Session() as s:
        for _ in range(3):
            s.run(big)
        s.run([matrix, everything])
    err = capsys.readouterr().err.splitlines()
    assert err[:2] == ["BIG [0 1 2...]", "BIG [0 1 2...]"] and len(err) == 4
    assert "M [[0 1 2][3]...]" in err and "ALL [0 1 2 3 4][text]" in err


def test_print_first_n_counts_per_session(capsys):
    p = tf.Print(tf.constant(1.0), [tf.constant(2.0)], "once ", first_n=1)
    for _ in range(2):
        with tf.Session() as s:
            s.run(p)
            s.run(p)
    assert capsys.readouterr().err == "once [2]\nonce [2]\n"


def test_print_gradient_flows_to_the_input_only():
    x = tf.placeholder(tf.float64, [3])
    y = tf.Print(x * x, [x], "dbg ")
    with tf.Session():
        check_gradients(y, [x], [np.array([1.0, -2.0, 0.5])])
    (g,) = tf.gradients(tf.reduce_sum(y), x)
    with tf.Session() as s:
        np.testing.assert_allclose(s.run(g, {x: [1.0, 2.0, 3.0]}), [2.0, 4.0, 6.0])


# -- tf.print (PrintV2) ----------------------------------------------------------------------
def test_tf_print_returns_an_operation_that_prints_only_when_run(capsys):
    t = tf.constant([4, 5])
    op = tf.print("x:", t, {"k": t}, [t, "s"])
    assert isinstance(op, tf.Operation) and op.type == "PrintV2"
    with tf.Session() as s:
        s.run(t)
        assert capsys.readouterr().err == ""
        assert s.run(op) is None
    assert capsys.readouterr().err == "x: [4 5] {'k': [4 5]} [[4 5], 's']\n"


def test_tf_print_summarize_sep_end_and_stdout(capsys):
    op = tf.print(tf.range(10), tf.reshape(tf.range(4), [2, 2]), tf.constant(2.5),
                  summarize=2, sep="|", end="!\n", output_stream=sys.stdout)
    with tf.Session() as s:
        s.run(op)
    assert capsys.readouterr().out == "[0 1 ... 8 9]|[[0 1]\n [2 3]]|2.5!\n"
    with pytest.raises(ValueError, match="Unsupported output stream"):
        tf.print(tf.constant(1), output_stream=object())
    with pytest.raises(ValueError, match="Unrecognized keyword"):
        tf.print(tf.constant(1), stream=sys.stdout)


def test_tf_print_as_control_dependency_and_to_a_file(tmp_path):
    path = tmp_path / "log.txt"
    x = tf.constant(7.0)
    printer = tf.print("value", x, output_stream=f"file://{path}")
    with tf.control_dependencies([printer]):
        y = tf.identity(x)
    with tf.Session() as s:
        assert s.run(y) == 7.0
    assert path.read_text() == "value 7\n"


# -- CheckNumerics -------------------------------------------------------------------------
def test_check_numerics_messages_and_pass_through():
    f = tf.placeholder(tf.float32, name="f")
    checked = tf.check_numerics(f, "bad")
    assert checked.op.type == "CheckNumerics" and checked.dtype == tf.float32
    with tf.Session() as s:
        assert s.run(checked, {f: 1.5}) == 1.5
        for value, what in ((np.nan, "NaN"), (np.inf, "Inf"), ([np.inf, np.nan], "Inf and NaN")):
            with pytest.raises(errors.InvalidArgumentError) as info:
                s.run(checked, {f: value})
            msg = str(info.value)
            assert msg.startswith(f"bad : Tensor had {what} values")
            assert "CheckNumerics" in msg and "test_check_ops.py" in msg


def test_check_numerics_rejects_non_float_at_build_time():
    with pytest.raises(TypeError, match="CheckNumerics") as info:
        tf.check_numerics(tf.constant([1, 2]), "ints")
    assert "test_check_ops.py" in str(info.value)


def test_check_numerics_gradient():
    x = tf.placeholder(tf.float64, [2])
    y = tf.check_numerics(x * 3.0, "fwd")
    with tf.Session():
        check_gradients(y, [x], [np.array([1.0, 2.0])])
    (g,) = tf.gradients(y, x)
    with tf.Session() as s:
        np.testing.assert_array_equal(s.run(g, {x: [1.0, 2.0]}), [3.0, 3.0])


def test_verify_tensor_all_finite():
    f = tf.placeholder(tf.float32, [2])
    out = tf.verify_tensor_all_finite(f, "vf")
    assert out.op.type == "Identity" and out.op.name.startswith("VerifyFinite/")
    with tf.Session() as s:
        np.testing.assert_array_equal(s.run(out, {f: [1.0, 2.0]}), [1.0, 2.0])
        with pytest.raises(errors.InvalidArgumentError, match="vf : Tensor had Inf values"):
            s.run(out, {f: [1.0, np.inf]})


def test_add_check_numerics_ops_checks_float_outputs_existing_at_call_time():
    a = tf.constant(1.0)
    z = a / tf.constant(0.0)
    n = tf.constant(3)  # int: not checked
    check = tf.add_check_numerics_ops()
    later = tf.constant(np.nan)  # created after the call: not checked
    checks = check.control_inputs
    assert check.type == "NoOp" and check.name == "group_deps"
    assert all(op.type == "CheckNumerics" for op in checks)
    assert sorted(op.get_attr("message") for op in checks) == sorted(
        [f"{op.name}:0" for op in (a.op, z.op.inputs[1].op, z.op)])
    assert n.op.name not in {op.inputs[0].op.name for op in checks}
    with tf.Session() as s:
        assert s.run(z) == np.inf  # fetching only z does not check
        with pytest.raises(errors.InvalidArgumentError) as info:
            s.run([z, check])
        assert f"{z.op.name}:0 : Tensor had Inf values" in str(info.value)
        assert np.isnan(s.run(later))


# -- Assert and assert_* ---------------------------------------------------------------------
def test_assert_fails_at_run_time_with_bracketed_data():
    flag = tf.placeholder(tf.bool, [], name="flag")
    check = tf.Assert(flag, [tf.constant(-1), "text", tf.constant([1.5, 2.0])])
    assert isinstance(check, tf.Operation) and check.type == "Assert"
    with tf.Session() as s:
        assert s.run(check, {flag: True}) is None
        with pytest.raises(errors.InvalidArgumentError) as info:
            s.run(check, {flag: False})
    msg = str(info.value)
    assert msg.startswith("assertion failed: [-1] [text] [1.5 2]")
    assert "test_check_ops.py" in msg


def test_assert_condition_must_be_a_bool_scalar():
    with pytest.raises(TypeError, match="bool"):
        tf.Assert(tf.constant(1.0), ["x"])
    with pytest.raises(ValueError, match="scalar"):
        tf.Assert(tf.constant([True, False]), ["x"])


def test_assert_guards_through_control_dependencies():
    x = tf.placeholder(tf.float32, [None])
    with tf.control_dependencies([tf.assert_positive(x)]):
        y = tf.identity(x) * 2.0
    with tf.Session() as s:
        np.testing.assert_array_equal(s.run(y, {x: [1.0, 2.0]}), [2.0, 4.0])
        with pytest.raises(errors.InvalidArgumentError, match="Condition x > 0 did not hold"):
            s.run(y, {x: [1.0, 0.0]})


def test_assert_equal_run_time_message():
    x = tf.placeholder(tf.int32, name="Placeholder")
    check = tf.assert_equal(x, 1)
    assert isinstance(check, tf.Operation)
    with tf.Session() as s:
        assert s.run(check, {x: [1, 1]}) is None
        with pytest.raises(errors.InvalidArgumentError) as info:
            s.run(check, {x: [1, 2]})
    assert str(info.value).startswith(
        "assertion failed: [Condition x == y did not hold element-wise:] "
        "[x (Placeholder:0) = ] [1 2] [y (assert_equal/y:0) = ] [1]")


def test_assert_equal_with_known_values_fails_at_construction():
    with pytest.raises(errors.InvalidArgumentError, match="Condition x == y did not hold"):
        tf.assert_equal(tf.constant(1.0), tf.constant(2.0))
    assert tf.assert_equal(tf.constant(2.0), 2.0).type == "Assert"


def test_assert_less_and_less_equal_with_custom_message_and_broadcasting():
    x = tf.placeholder(tf.float32, [None])
    less = tf.assert_less(x, 3.0, message="too big")
    less_equal = tf.assert_less_equal(x, [[3.0], [4.0]])
    with tf.Session() as s:
        s.run([less, less_equal], {x: [1.0, 2.0]})
        with pytest.raises(errors.InvalidArgumentError,
                           match="assertion failed: \\[too big\\] \\[Condition x < y"):
            s.run(less, {x: [1.0, 3.0]})
        s.run(less_equal, {x: [3.0]})
        with pytest.raises(errors.InvalidArgumentError, match="Condition x <= y"):
            s.run(less_equal, {x: [3.5]})
    with pytest.raises(errors.InvalidArgumentError):
        tf.assert_less(tf.constant([1, 5]), tf.constant(4))


def test_assert_positive_and_non_negative():
    x = tf.placeholder(tf.int32, [None], name="x")
    pos = tf.assert_positive(x)
    nonneg = tf.assert_non_negative(x, message="custom")
    with tf.Session() as s:
        s.run([pos, nonneg], {x: [1, 2]})
        s.run(nonneg, {x: [0, 2]})
        with pytest.raises(errors.InvalidArgumentError,
                           match="\\[Condition x > 0 did not hold element-wise:\\] "
                                 "\\[x \\(x:0\\) = \\] \\[1 0\\]"):
            s.run(pos, {x: [1, 0]})
        with pytest.raises(errors.InvalidArgumentError,
                           match="assertion failed: \\[custom\\] \\[Condition x >= 0"):
            s.run(nonneg, {x: [1, -1]})
    with pytest.raises(errors.InvalidArgumentError):
        tf.assert_positive(tf.constant([1.0, -1.0]))


def test_assert_rank_static_and_dynamic():
    with pytest.raises(ValueError, match="Tensor Placeholder:0 must have rank 2. Received rank "
                                         "1, shape \\(\\?,\\)"):
        tf.assert_rank(tf.placeholder(tf.float32, [None]), 2)
    assert tf.assert_rank(tf.placeholder(tf.float32, [None, 3]), 2).type == "NoOp"
    u = tf.placeholder(tf.float32, name="u")
    check = tf.assert_rank(u, 2)
    with tf.Session() as s:
        s.run(check, {u: [[1.0]]})
        with pytest.raises(errors.InvalidArgumentError, match="Tensor u:0 must have rank"):
            s.run(check, {u: [1.0]})
