"""The misuse catalogue: every common mistake gets a clear error (what, where, how to fix).

Each case asserts the exception class (TF1's class where TF has one), TF's core phrase (kept in
`PHRASES`, which docs/common_errors.md must quote), the node's name, the user's line that made
it (`test_misuse.py:<line>`) and a hint how to fix it. `at = here()` written on the same line
as the mistake records that line. Cases where TF does not raise (gradients of an int target,
negative clip_norm) assert the documented behaviour instead.
"""

import contextlib
import os
import pathlib
import sys

import numpy as np
import pytest

import minigraph as tf
from minigraph.framework import errors
from minigraph.framework.registry import OP_TABLE

DOCS = pathlib.Path(__file__).resolve().parents[1] / "docs" / "common_errors.md"

# Key phrase of each catalogue entry: TF's wording, present in the message and in the docs.
PHRASES = {
    # building the graph
    "add_shape": "Dimensions must be equal",
    "matmul_shape": "Dimensions must be equal, but are 3 and 4 for 'MatMul'",
    "concat_shape": "Dimension 1 in both shapes must be equal",
    "reshape_shape": "Cannot reshape a tensor with",
    "add_runtime": "could not be broadcast",
    "matmul_runtime": "Matrix size-incompatible",
    "concat_runtime": "ConcatOp : Dimensions of inputs should match",
    "reshape_runtime": "Input to reshape is a tensor with",
    "dtype_mix": "that does not match type",
    "python_operand": "passed to parameter",
    "bool": "as a Python `bool` is not allowed",
    "iter": "are not iterable",
    "len": "len is not well defined for a symbolic Tensor",
    "numpy": "Cannot convert a symbolic Tensor",
    "finalized": "Graph is finalized and cannot be modified",
    "bad_name": "is not a valid node name",
    "reset_nested": "Do not use tf.reset_default_graph() to clear nested graphs",
    "constant_of_tensor": "Expected any non-tensor type, but got a tensor instead",
    "operation_as_tensor": "Can't convert Operation",
    "two_graphs": "must be from the same graph as",
    "reduce_axis": "Invalid reduction dimension",
    # feeding and fetching
    "feed_shape": "Cannot feed value of shape",
    "feed_string": "could not convert string to float",
    "feed_ragged": "inhomogeneous shape",
    "feed_unknown_name": "does not exist in the graph",
    "feed_op_name": "refers to an Operation, not a Tensor",
    "feed_other_graph": "is not an element of this graph",
    "feed_tensor_value": "The value of a feed cannot be a tf.Tensor object",
    "feed_overflow": "is not compatible with Tensor type",
    "feed_not_dict": "feed_dict must be a dictionary",
    "feed_tuple_key": "Could not flatten dictionary. Key had 2 elements, but value had 1",
    "fetch_none": "Fetch argument None has invalid type",
    "fetch_unknown": "cannot be interpreted as a Tensor",
    "closed_session": "Attempted to use a closed Session",
    "closed_during_run": "was cancelled: Session.close() was called while it ran",
    "unfed_placeholder": "You must feed a value for placeholder tensor",
    "eval_no_session": "No default session is registered",
    "session_reentry": "Session context managers are not re-entrant",
    # variables
    "uninitialized": "Attempting to use uninitialized value",
    "variable_none": "initial_value must be specified",
    "variable_dtype": "Expected int32, but got 1.5",
    "get_variable_exists": "already exists, disallowed",
    "get_variable_missing": "does not exist, or was not created with tf.get_variable()",
    "get_variable_shape": "Trying to share variable",
    "assign_shape": "Dimension 0 in both shapes must be equal",
    # gradients and training
    "gradient_of_int": "Fetch argument None has invalid type",
    "no_gradient": "No gradient defined for operation",
    "minimize_no_gradient": "No gradients provided for any variable",
    "apply_empty": "No variables provided",
    "no_variables": "No variables to optimize",
    "grad_ys_length": "Length mismatch",
    "clip_global_single": "t_list should be a sequence of tensors",
    "clip_value_int": "cannot be converted to t's dtype",
    "clip_value_enlarge": "the bounds would broadcast t",
    "schedule_no_step": "requires a global_step",
    "schedule_int_rate": "learning_rate must be a floating-point value",
    "piecewise_lengths": "the length of boundaries should be 1 less than the length of values",
    "adagrad_accumulator": "initial_accumulator_value must be positive",
    "ftrl_power": "needs to be negative or zero",
    "ftrl_l1": "needs to be positive or zero",
    "ftrl_int_rate": "FtrlOptimizer: learning_rate must be a floating-point value",
    "proximal_rate_dtype": "Op has type float64 that does not match type float32 of argument",
    "check_numerics": "Tensor had NaN values",
    "gather_range": "is not in [0, 3)",
    "int_division": "Integer division by zero",
    "out_of_memory": "OOM when allocating tensor with shape[1000000,1000000] and type float32",
    # checkpoints
    "restore_missing": "The passed save_path is not a valid checkpoint",
    "restore_none": "Can't load save_path when it is None",
    "restore_names": "not found in checkpoint",
    "restore_shapes": "Assign requires shapes of both tensors to match",
    "save_no_parent": "doesn't exist, can't save",
    "saver_empty": "No variables to save",
    "saver_other_graph": "Cannot interpret feed_dict key as Tensor",
    "restore_corrupt_index": "not an sstable (bad magic number)",
    "restore_corrupt_data": "Checksum does not match",
    "restore_truncated_data": "Read less bytes than requested",
    "restore_missing_data": "No such file or directory",
    "init_scope_map": "should map to scope only",
    "init_shape": "doesn't match with shape of tensor",
}


def here() -> str:
    """'test_misuse.py:<line>' of the caller's line: where the mistake (or node) was made."""
    return f"test_misuse.py:{sys._getframe(1).f_lineno}"


def _raising_line(tb) -> str:
    """'test_misuse.py:<line>' of the innermost line of this file in a traceback."""
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == __file__:
            line = tb.tb_lineno
        tb = tb.tb_next
    return f"test_misuse.py:{line}"


@contextlib.contextmanager
def misuse(exc_type, key, *, node, at=None, fix="Fix:"):
    """Expect `exc_type` whose message has PHRASES[key], the node name, the site and a fix.

    `at` defaults to the line inside the `with` block that raised (the mistake itself).
    """
    with pytest.raises(exc_type) as info:
        yield info
    assert type(info.value) is exc_type, f"{type(info.value).__name__} is not {exc_type}"
    message = str(info.value)
    at = _raising_line(info.tb) if at is None else at
    for part in (PHRASES[key], node, at, fix):
        assert part in message, f"{part!r} missing from:\n{message}"


# ---------------------------------------------------------------------------------------
# Building the graph
# ---------------------------------------------------------------------------------------
def test_add_shape_mismatch_at_build_time():
    with misuse(ValueError, "add_shape", node="'total' (AddV2)",
                fix="make the shapes equal or broadcastable"):
        tf.add(tf.ones([2]), tf.ones([3]), name="total")


def test_matmul_shape_mismatch_at_build_time():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    w = tf.ones([4, 5], name="w")
    with misuse(ValueError, "matmul_shape", node="'logits' (MatMul)",
                fix="transpose_b=True"):
        tf.matmul(x, w, name="logits")


def test_concat_shape_mismatch_at_build_time():
    with misuse(ValueError, "concat_shape", node="'joined' (ConcatV2)",
                fix="must agree on every dimension except axis 0"):
        tf.concat([tf.ones([2, 3]), tf.ones([3, 4])], axis=0, name="joined")


def test_reshape_element_count_at_build_time():
    with misuse(ValueError, "reshape_shape", node="'flat' (Reshape)",
                fix="element counts must agree"):
        tf.reshape(tf.ones([2, 3]), [4, 2], name="flat")


def test_add_shape_mismatch_at_run_time_with_unknown_dims(sess):
    a = tf.placeholder(tf.float32, [None], name="a")
    b = tf.placeholder(tf.float32, [None], name="b")
    c = tf.add(a, b, name="c"); at = here()  # noqa: E702
    with misuse(errors.InvalidArgumentError, "add_runtime", node="[[node c ", at=at,
                fix="Fix: check that the values fed to this op"):
        sess.run(c, {a: [1.0, 2.0], b: [1.0, 2.0, 3.0]})


def test_matmul_shape_mismatch_at_run_time(sess):
    x = tf.placeholder(tf.float32, [None, None], name="x")
    y = tf.matmul(x, tf.ones([3, 2]), name="mm"); at = here()  # noqa: E702
    with misuse(errors.InvalidArgumentError, "matmul_runtime", node="[[node mm ", at=at,
                fix="inner dimensions must agree") as info:
        sess.run(y, {x: np.ones((2, 4))})
    assert "In[0]: [2,4], In[1]: [3,2]" in str(info.value)
    assert info.value.op is y.op


def test_concat_shape_mismatch_at_run_time(sess):
    x = tf.placeholder(tf.float32, [None, None], name="x")
    y = tf.concat([x, tf.ones([2, 2])], 0, name="cc"); at = here()  # noqa: E702
    with misuse(errors.InvalidArgumentError, "concat_runtime", node="[[node cc ", at=at,
                fix="Fix: all inputs must agree on every dimension except axis 0"):
        sess.run(y, {x: np.ones((2, 3))})


def test_reshape_element_count_at_run_time(sess):
    x = tf.placeholder(tf.float32, [None], name="x")
    y = tf.reshape(x, [2, 2], name="rs"); at = here()  # noqa: E702
    with misuse(errors.InvalidArgumentError, "reshape_runtime", node="[[node rs ", at=at,
                fix="use -1 for the one dimension"):
        sess.run(y, {x: np.ones(5)})


@pytest.mark.parametrize("left, right, other, mine", [
    (np.float32(1), np.float64(1), "float64", "float32"),
    (np.int32(1), np.float32(1), "float32", "int32"),
])
def test_mixing_dtypes_needs_a_cast(left, right, other, mine):
    a, b = tf.constant(left, name="a"), tf.constant(right, name="b")
    with misuse(TypeError, "dtype_mix", node="'sum' (AddV2)",
                fix=f"tf.cast(y, tf.{mine})") as info:
        tf.add(a, b, name="sum")
    assert f"Input 'y' of 'AddV2' Op has type {other}" in str(info.value)


def test_matmul_float32_by_int32():
    with misuse(TypeError, "dtype_mix", node="'MatMul' (MatMul)",
                fix="tf.cast(b, tf.float32)") as info:
        tf.matmul(tf.ones([2, 2]), tf.ones([2, 2], dtype=tf.int32))
    assert "Input 'b' of 'MatMul' Op has type int32" in str(info.value)


def test_float_python_operand_for_an_int_tensor():
    n = tf.constant(3, name="n")
    with misuse(TypeError, "python_operand", node="'add' (AddV2)",
                fix="Cast it with tf.cast"):
        n + 1.5


@pytest.mark.parametrize("use, key, fix", [
    (bool, "bool", "tf.cond"),
    (iter, "iter", "tf.unstack"),
    (len, "len", "tf.shape(t)"),
    (np.asarray, "numpy", "sess.run(t)"),
])
def test_python_protocols_refuse_symbolic_tensors(use, key, fix):
    t = tf.constant([1.0, 2.0], name="t"); at = here()  # noqa: E702
    exc = NotImplementedError if key == "numpy" else TypeError
    with misuse(exc, key, node="t:0", at=at, fix=fix):
        use(t)


def test_adding_ops_to_a_finalized_graph():
    tf.constant(1.0, name="first")
    tf.get_default_graph().finalize()
    with misuse(RuntimeError, "finalized", node="late", fix="Fix: build every op"):
        tf.constant(2.0, name="late")


def test_invalid_op_name():
    with misuse(ValueError, "bad_name", node="'my op!'",
                fix="use letters, digits and '_.-/'"):
        tf.constant(1.0, name="my op!")


def test_reset_default_graph_inside_a_graph_block():
    with tf.Graph().as_default():
        with misuse(AssertionError, "reset_nested", node="reset_default_graph",
                    fix="Fix: call it outside"):
            tf.reset_default_graph()


def test_constant_of_a_tensor():
    t = tf.ones([2], name="t")
    with misuse(TypeError, "constant_of_tensor", node="t:0", fix="tf.identity(t)"):
        tf.constant(t)


def test_operation_used_as_a_tensor():
    init = tf.no_op(name="init"); at = here()  # noqa: E702
    with misuse(TypeError, "operation_as_tensor", node="'init' (NoOp", at=at,
                fix="op.outputs[0]"):
        tf.add(init, 1.0)


def test_tensors_from_two_graphs():
    with tf.Graph().as_default():
        a = tf.constant(1.0, name="a"); at = here()  # noqa: E702
    b = tf.constant(2.0, name="b")
    with misuse(ValueError, "two_graphs", node="'a' created at", at=at,
                fix="build both inside the same"):
        tf.add(a, b)


def test_reduction_axis_out_of_range():
    with misuse(ValueError, "reduce_axis", node="'total' (Sum)",
                fix="use an axis in [-2, 2)"):
        tf.reduce_sum(tf.ones([2, 3]), axis=2, name="total")


# ---------------------------------------------------------------------------------------
# Feeding and fetching
# ---------------------------------------------------------------------------------------
def test_feed_of_the_wrong_shape(sess):
    x = tf.placeholder(tf.float32, [None, 2], name="x"); at = here()  # noqa: E702
    with misuse(ValueError, "feed_shape", node="'x' (Placeholder", at=at,
                fix="declare the placeholder with None") as info:
        sess.run(x * 2.0, {x: [1.0, 2.0, 3.0]})
    assert "for Tensor x:0, which has shape (?, 2)" in str(info.value)


def test_feed_of_a_string_to_a_float_placeholder(sess):
    x = tf.placeholder(tf.float32, [None], name="x"); at = here()  # noqa: E702
    with misuse(ValueError, "feed_string", node="'x' (Placeholder", at=at,
                fix="convert strings to numbers"):
        sess.run(x * 2.0, {x: ["abc"]})


def test_feed_of_a_ragged_list(sess):
    x = tf.placeholder(tf.float32, name="x"); at = here()  # noqa: E702
    with misuse(ValueError, "feed_ragged", node="'x' (Placeholder", at=at,
                fix="pad ragged rows to equal length"):
        sess.run(x * 2.0, {x: [[1.0, 2.0], [3.0]]})


def test_feed_key_that_names_nothing(sess):
    x = tf.placeholder(tf.float32, name="x")
    y = x * 2.0
    with misuse(TypeError, "feed_unknown_name", node="'nope'",
                fix="check the name against"):
        sess.run(y, {"nope:0": 1.0})


def test_feed_key_that_is_an_op_name(sess):
    x = tf.placeholder(tf.float32, name="x"); at = here()  # noqa: E702
    with misuse(TypeError, "feed_op_name", node="'x' (Placeholder", at=at,
                fix="use the tensor name 'x:0'"):
        sess.run(x * 2.0, {"x": 1.0})


def test_feed_key_from_another_graph(sess):
    x = tf.placeholder(tf.float32, name="x")
    y = x * 2.0
    with tf.Graph().as_default():
        other = tf.placeholder(tf.float32, name="other"); at = here()  # noqa: E702
    with misuse(TypeError, "feed_other_graph", node="'other' (Placeholder", at=at,
                fix="feed only tensors of the session's graph"):
        sess.run(y, {x: 1.0, other: 2.0})


def test_feed_value_that_is_a_tensor(sess):
    x = tf.placeholder(tf.float32, name="x"); at = here()  # noqa: E702
    with misuse(TypeError, "feed_tensor_value", node="'x' (Placeholder", at=at,
                fix="feed sess.run(t) instead"):
        sess.run(x * 2.0, {x: tf.constant(1.0)})


def test_feed_of_an_int_that_overflows(sess):
    n = tf.placeholder(tf.int32, name="n"); at = here()  # noqa: E702
    with misuse(TypeError, "feed_overflow", node="'n' (Placeholder", at=at, fix="tf.int64"):
        sess.run(n * 2, {n: 2**40})


def test_feed_dict_that_is_a_list(sess):
    x = tf.placeholder(tf.float32, name="x")
    with misuse(TypeError, "feed_not_dict", node="feed_dict=[1.0]",
                fix="feed_dict={x: value}"):
        sess.run(x, feed_dict=[1.0])


def test_fetch_none(sess):
    x = tf.constant(1.0, name="x")
    with misuse(TypeError, "fetch_none", node="[x, None]", fix="remove it"):
        sess.run([x, None])


def test_fetch_of_an_unknown_name(sess):
    tf.constant(1.0, name="x")
    with misuse(ValueError, "fetch_unknown", node="'nope:0'",
                fix="check the name against"):
        sess.run("nope:0")


def test_fetch_of_an_element_of_another_graph(sess):
    with tf.Graph().as_default():
        y = tf.constant(1.0, name="elsewhere"); at = here()  # noqa: E702
    tf.constant(1.0)
    with misuse(ValueError, "fetch_unknown", node="'elsewhere' (Const", at=at,
                fix="tf.Session(graph=...)") as info:
        sess.run(y)
    assert "is not an element of this graph" in str(info.value)


def test_run_on_a_closed_session():
    x = tf.constant(1.0, name="x")
    sess = tf.Session()
    sess.close()
    with misuse(RuntimeError, "closed_session", node="sess.run(x)",
                fix="create a new tf.Session()"):
        sess.run(x)


def test_close_while_another_thread_runs(monkeypatch):
    import threading

    p = tf.placeholder(tf.float32, [], name="p")
    v = tf.Variable(1.0, name="v")
    update = v.assign_add(tf.square(p), name="update"); at = here()  # noqa: E702
    square = update.op.inputs[1].op.op_def
    entered, closed, failures = threading.Event(), threading.Event(), []
    real = square.compute

    def blocking(x, **attrs):
        entered.set()
        closed.wait(10)
        return real(x, **attrs)

    monkeypatch.setattr(square, "compute", staticmethod(blocking))
    sess = tf.Session()
    sess.run(v.initializer)

    def run():
        try:
            with misuse(errors.CancelledError, "closed_during_run", node="update", at=at,
                        fix="join them"):
                sess.run(update, {p: 2.0})
        except BaseException as e:  # noqa: BLE001 - reported below
            failures.append(e)

    worker = threading.Thread(target=run)
    worker.start()
    assert entered.wait(10)
    sess.close()
    closed.set()
    worker.join(10)
    assert not failures, failures


def test_tuple_feed_key_with_too_few_values(sess):
    x, y = tf.placeholder(tf.float32, [], name="x"), tf.placeholder(tf.float32, [], name="y")
    with misuse(ValueError, "feed_tuple_key", node="sess.run(x + y", fix="Fix: give"):
        sess.run(x + y, {(x, y): [1.0]})


def test_optimizer_learning_rates_of_the_wrong_dtype():
    w = tf.Variable(1.0, name="w")
    with misuse(TypeError, "ftrl_int_rate", node="minimize", fix="write 1.0 instead of 1"):
        tf.train.FtrlOptimizer(1).minimize(w * w)
    with misuse(TypeError, "proximal_rate_dtype", node="Input 'alpha'",
                fix="Python float or a float32 tensor"):
        tf.train.ProximalGradientDescentOptimizer(np.float64(0.1)).minimize(w * w)


def test_a_tensor_too_big_for_memory(sess):
    z = tf.zeros([10**6, 10**6], name="huge"); at = here()  # noqa: E702
    with misuse(errors.ResourceExhaustedError, "out_of_memory", node="huge", at=at,
                fix="make the tensor smaller"):
        sess.run(z)


def test_placeholder_not_fed(sess):
    x = tf.placeholder(tf.float32, [None, 2], name="x"); at = here()  # noqa: E702
    with misuse(errors.InvalidArgumentError, "unfed_placeholder", node="'x' with dtype float",
                at=at, fix="feed_dict={x: value}") as info:
        sess.run(x * 2.0)
    assert "and shape [?,2]" in str(info.value) and info.value.op is x.op


def test_eval_without_a_default_session():
    t = tf.constant(1.0, name="t")
    with misuse(ValueError, "eval_no_session", node="'t:0'",
                fix="t.eval(session=sess)"):
        t.eval()


def test_entering_a_session_twice():
    tf.constant(1.0)
    sess = tf.Session()
    with sess:
        with misuse(RuntimeError, "session_reentry", node="with sess",
                    fix="Session.as_default()"):
            with sess:
                pass


# ---------------------------------------------------------------------------------------
# Variables
# ---------------------------------------------------------------------------------------
def test_reading_an_uninitialized_variable(sess):
    v = tf.Variable(1.0, name="weights"); at = here()  # noqa: E702
    with misuse(errors.FailedPreconditionError, "uninitialized", node="value weights",
                at=at, fix="tf.global_variables_initializer()"):
        sess.run(v * 2.0)


def test_variable_of_none():
    with misuse(ValueError, "variable_none", node="tf.Variable(None)",
                fix="pass the starting value"):
        tf.Variable(None)


def test_variable_with_a_value_of_the_wrong_dtype():
    with misuse(TypeError, "variable_dtype", node="tf.Variable(1.5",
                fix="1 instead of 1.5"):
        tf.Variable(1.5, dtype=tf.int32)


def test_get_variable_that_exists_without_reuse():
    tf.get_variable("w", [2]); first = here()  # noqa: E702
    with misuse(ValueError, "get_variable_exists", node="Variable w ",
                fix="reuse=True") as info:
        tf.get_variable("w", [2])
    assert first in str(info.value)


def test_get_variable_missing_with_reuse():
    with tf.variable_scope("layer", reuse=True):
        with misuse(ValueError, "get_variable_missing", node="layer/w",
                    fix="create it first without reuse"):
            tf.get_variable("w", [2])


def test_get_variable_reused_with_another_shape():
    with tf.variable_scope("layer"):
        tf.get_variable("w", [2]); first = here()  # noqa: E702
    with tf.variable_scope("layer", reuse=True):
        with misuse(ValueError, "get_variable_shape", node="layer/w",
                    fix="request the shape it was created with") as info:
            tf.get_variable("w", [3])
    assert first in str(info.value)


def test_assign_of_the_wrong_shape():
    v = tf.Variable([1.0, 2.0], name="v")
    with misuse(ValueError, "assign_shape", node="'grow' (Assign)",
                fix="validate_shape=False"):
        tf.assign(v, [1.0, 2.0, 3.0], name="grow")


# ---------------------------------------------------------------------------------------
# Gradients and training
# ---------------------------------------------------------------------------------------
def test_gradient_of_an_int_target_is_none_and_cannot_be_fetched(sess):
    n = tf.constant(3, name="n")
    grads = tf.gradients(n * n, [n])
    assert grads == [None]  # as in TF: int tensors break the path, no error
    x = tf.constant(3.0, name="x")
    assert tf.gradients(tf.cast(x, tf.int32), [x]) == [None]
    with misuse(TypeError, "gradient_of_int", node="sess.run(grads)",
                fix="remove it"):
        sess.run(grads)


def test_gradient_of_an_op_without_gradient(monkeypatch):
    monkeypatch.delattr(OP_TABLE["Square"], "gradient")
    x = tf.constant(2.0, name="x")
    y = tf.square(x, name="sq"); at = here()  # noqa: E702
    with misuse(LookupError, "no_gradient", node="'sq' (op type: Square)", at=at,
                fix="tf.stop_gradient"):
        tf.gradients(y, [x])


def test_minimize_when_no_variable_gets_a_gradient():
    tf.Variable(1.0, name="v")
    w = tf.Variable(2.0, name="w")
    loss = tf.cast(tf.cast(w, tf.int32), tf.float32, name="loss"); at = here()  # noqa: E702
    with misuse(ValueError, "minimize_no_gradient", node="'loss' (Cast", at=at,
                fix="a tf.cast to int") as info:
        tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    assert "v:0" in str(info.value) and "w:0" in str(info.value)


def test_apply_gradients_of_nothing():
    opt = tf.train.AdamOptimizer(0.1)
    with misuse(ValueError, "apply_empty", node="apply_gradients([])",
                fix="pass a non-empty list"):
        opt.apply_gradients([])


def test_compute_gradients_with_no_variables():
    loss = tf.constant(1.0)
    with misuse(ValueError, "no_variables", node="compute_gradients",
                fix="create trainable variables first"):
        tf.train.GradientDescentOptimizer(0.1).compute_gradients(loss, var_list=[])


def test_grad_ys_of_the_wrong_length():
    x = tf.constant(1.0)
    with misuse(ValueError, "grad_ys_length", node="tf.gradients",
                fix="pass one grad_y per y"):
        tf.gradients([x * x], [x], grad_ys=[1.0, 2.0])


def test_clip_by_global_norm_of_a_single_tensor():
    g = tf.ones([2], name="g")
    with misuse(TypeError, "clip_global_single", node="got Tensor",
                fix="wrap a single tensor as [t]"):
        tf.clip_by_global_norm(g, 1.0)


def test_clip_by_value_of_an_int_tensor_with_float_bounds():
    t = tf.constant([1, 5], name="t")
    with misuse(TypeError, "clip_value_int", node="clip_value_min=0.5",
                fix="tf.cast t to a float dtype"):
        tf.clip_by_value(t, 0.5, 3.5)


def test_clip_by_value_bounds_that_enlarge_the_result():
    t = tf.ones([2], name="t"); at = here()  # noqa: E702
    with misuse(ValueError, "clip_value_enlarge", node="'t' (Const", at=at,
                fix="broadcast to t's shape"):
        tf.clip_by_value(t, tf.zeros([2, 2]), 1.0)


def test_clip_by_norm_with_a_negative_clip_norm_gives_zeros(sess):
    # As in TF: a negative clip_norm is treated as 0, so the result is zeros.
    t = tf.constant([3.0, 4.0])
    np.testing.assert_array_equal(sess.run(tf.clip_by_norm(t, -1.0)), [0.0, 0.0])
    np.testing.assert_array_equal(sess.run(tf.clip_by_norm(t, tf.constant(-1.0))), [0.0, 0.0])


def test_schedule_without_global_step():
    with misuse(ValueError, "schedule_no_step", node="exponential_decay",
                fix="get_or_create_global_step()"):
        tf.train.exponential_decay(0.1, None, 10, 0.5)


def test_schedule_with_an_integer_learning_rate():
    step = tf.train.get_or_create_global_step()
    with misuse(TypeError, "schedule_int_rate", node="exponential_decay",
                fix="1.0 instead of 1"):
        tf.train.exponential_decay(1, step, 10, 0.5)


def test_piecewise_constant_with_mismatched_lengths():
    step = tf.train.get_or_create_global_step()
    with misuse(ValueError, "piecewise_lengths", node="piecewise_constant",
                fix="len(values) == len(boundaries) + 1"):
        tf.train.piecewise_constant(step, [10, 20], [0.1, 0.01])


def test_adagrad_with_a_non_positive_accumulator():
    with misuse(ValueError, "adagrad_accumulator", node="initial_accumulator_value",
                fix="the default 0.1"):
        tf.train.AdagradOptimizer(0.1, initial_accumulator_value=0.0)


def test_ftrl_with_a_positive_learning_rate_power():
    with misuse(ValueError, "ftrl_power", node="learning_rate_power 0.5",
                fix="the default -0.5"):
        tf.train.FtrlOptimizer(0.1, learning_rate_power=0.5)


def test_ftrl_with_a_negative_l1():
    with misuse(ValueError, "ftrl_l1", node="l1_regularization_strength -1.0",
                fix="a value >= 0"):
        tf.train.FtrlOptimizer(0.1, l1_regularization_strength=-1.0)


def test_check_numerics_names_the_tensor_that_went_bad(sess):
    x = tf.placeholder(tf.float32, name="x")
    y = tf.sqrt(x, name="root"); at = here()  # noqa: E702
    checked = tf.check_numerics(y, "sqrt of input")
    with misuse(errors.InvalidArgumentError, "check_numerics", node="'root' (Sqrt", at=at,
                fix="Fix: find the first op") as info:
        sess.run(checked, {x: -1.0})
    assert str(info.value).startswith("sqrt of input : Tensor had NaN values")


def test_gather_index_out_of_range(sess):
    i = tf.placeholder(tf.int32, name="i")
    g = tf.gather(tf.ones([3]), i, name="lookup"); at = here()  # noqa: E702
    with misuse(errors.InvalidArgumentError, "gather_range", node="[[node lookup ", at=at,
                fix="indices must be in [0, params.shape[0])"):
        sess.run(g, {i: [5]})


def test_integer_division_by_zero(sess):
    d = tf.placeholder(tf.int32, name="d")
    q = tf.floordiv(tf.constant([4]), d, name="q"); at = here()  # noqa: E702
    with misuse(errors.InvalidArgumentError, "int_division", node="[[node q ", at=at,
                fix="cast both operands to a float dtype"):
        sess.run(q, {d: [0]})


# ---------------------------------------------------------------------------------------
# Checkpoints
# ---------------------------------------------------------------------------------------
def _saved(tmp_path, value, name="v"):
    """Save a checkpoint with one variable `name` = value in a separate graph."""
    with tf.Graph().as_default():
        v = tf.Variable(value, name=name)
        saver = tf.train.Saver()
        with tf.Session() as s:
            s.run(v.initializer)
            return saver.save(s, str(tmp_path / "model.ckpt"))


def test_restore_from_a_missing_path(sess, tmp_path):
    tf.Variable(1.0, name="v")
    saver = tf.train.Saver()
    with misuse(ValueError, "restore_missing", node="saver.restore",
                fix="pass the checkpoint prefix"):
        saver.restore(sess, str(tmp_path / "nothing" / "model.ckpt"))


def test_restore_from_none(sess):
    tf.Variable(1.0, name="v")
    saver = tf.train.Saver()
    with misuse(ValueError, "restore_none", node="saver.restore",
                fix="tf.train.latest_checkpoint(dir)"):
        saver.restore(sess, tf.train.latest_checkpoint("/nonexistent-dir"))


def test_restore_from_a_checkpoint_with_other_names(sess, tmp_path):
    path = _saved(tmp_path, 1.0, name="old")
    tf.Variable(1.0, name="new"); at = here()  # noqa: E702
    saver = tf.train.Saver()
    with misuse(errors.NotFoundError, "restore_names", node="'new' (VariableV2", at=at,
                fix="the checkpoint holds ['old']"):
        saver.restore(sess, path)


def test_restore_from_a_checkpoint_with_other_shapes(sess, tmp_path):
    path = _saved(tmp_path, [1.0, 2.0])
    tf.Variable([1.0, 2.0, 3.0], name="v"); at = here()  # noqa: E702
    saver = tf.train.Saver()
    with misuse(errors.InvalidArgumentError, "restore_shapes", node="'v' (VariableV2", at=at,
                fix="with the checkpoint's shape [2]") as info:
        saver.restore(sess, path)
    assert "lhs shape= [3] rhs shape= [2]" in str(info.value)


def test_save_into_a_missing_directory(sess, tmp_path):
    v = tf.Variable(1.0, name="v")
    saver = tf.train.Saver()
    sess.run(v.initializer)
    target = tmp_path / "no" / "model.ckpt"
    with misuse(ValueError, "save_no_parent", node=str(target), fix="os.makedirs"):
        saver.save(sess, str(target))
    assert not os.path.exists(target.parent)


def test_saver_with_nothing_to_save():
    with misuse(ValueError, "saver_empty", node="tf.train.Saver()",
                fix="allow_empty=True"):
        tf.train.Saver()


def test_saver_with_a_session_of_another_graph(tmp_path):
    with tf.Graph().as_default():
        tf.Variable(1.0, name="v")
        saver = tf.train.Saver()
    with tf.Graph().as_default() as other:
        v = tf.Variable(2.0, name="v")
    with tf.Session(graph=other) as sess:
        sess.run(v.initializer)
        with misuse(TypeError, "saver_other_graph", node="this Saver was built in another graph",
                    fix="tf.Session(graph=...)"):
            saver.save(sess, str(tmp_path / "model.ckpt"))


def _damaged(tmp_path, suffix, edit):
    path = _saved(tmp_path, [1.0, 2.0, 3.0])
    target = path + suffix
    with open(target, "rb") as f:
        content = f.read()
    with open(target, "wb") as f:
        f.write(edit(content))
    return path


@pytest.mark.parametrize("suffix, edit, error, key", [
    (".index", lambda b: b"garbage" * 10, errors.DataLossError, "restore_corrupt_index"),
    (".data-00000-of-00001", lambda b: b[:-1] + bytes([b[-1] ^ 1]), errors.DataLossError,
     "restore_corrupt_data"),
    (".data-00000-of-00001", lambda b: b[:5], errors.OutOfRangeError, "restore_truncated_data"),
])
def test_restore_from_damaged_files(sess, tmp_path, suffix, edit, error, key):
    path = _damaged(tmp_path, suffix, edit)
    v = tf.Variable([0.0, 0.0, 0.0], name="v")
    saver = tf.train.Saver()
    sess.run(v.initializer)
    with misuse(error, key, node="model.ckpt", fix="restore an intact copy"):
        saver.restore(sess, path)
    np.testing.assert_array_equal(sess.run(v), [0.0, 0.0, 0.0])


def test_restore_with_a_missing_data_file(sess, tmp_path):
    path = _saved(tmp_path, 1.0)
    os.remove(path + ".data-00000-of-00001")
    tf.Variable(0.0, name="v")
    saver = tf.train.Saver()
    with misuse(errors.NotFoundError, "restore_missing_data",
                node="model.ckpt.data-00000-of-00001", fix="copy the data file"):
        saver.restore(sess, path)


def test_init_from_checkpoint_with_a_name_where_a_scope_is_needed(tmp_path):
    path = _saved(tmp_path, 1.0, name="enc/v")
    tf.get_variable("w", shape=[])
    with misuse(ValueError, "init_scope_map", node="should map to scope only enc",
                fix="end both names with '/'"):
        tf.train.init_from_checkpoint(path, {"enc": "enc/"})


def test_init_from_checkpoint_with_another_shape(tmp_path):
    path = _saved(tmp_path, [1.0, 2.0], name="v")
    tf.get_variable("v", shape=[3])
    with misuse(ValueError, "init_shape", node="Shape of variable v:0",
                fix="build the variable with the checkpoint's shape"):
        tf.train.init_from_checkpoint(path, {"v": "v"})


# ---------------------------------------------------------------------------------------
# The catalogue and its documentation
# ---------------------------------------------------------------------------------------
def test_catalogue_is_large_and_every_phrase_is_used_by_a_case():
    source = pathlib.Path(__file__).read_text()
    for key in PHRASES:  # once in PHRASES, at least once more in a case
        assert source.count(f'"{key}"') >= 2, f"no case for {key!r}"
    cases = [name for name in globals() if name.startswith("test_")]
    assert len(cases) >= 45 + 2 and len(PHRASES) >= 45


def test_every_catalogue_phrase_is_in_common_errors_doc():
    text = " ".join(DOCS.read_text().split())  # phrases may wrap across lines
    missing = [key for key, phrase in PHRASES.items() if phrase not in text]
    assert not missing, f"docs/common_errors.md lacks the phrases of {missing}"
