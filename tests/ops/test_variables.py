"""Variables: what tf.Variable creates, initialization, assign family, collections,
get_variable / variable_scope and the v1 initializers."""

import numpy as np
import pytest

import minigraph as tf
from minigraph.framework import errors


# -- 5.1 / 5.2 construction --------------------------------------------------------------------
def test_variable_creates_initial_value_node_assign_and_read():
    v = tf.Variable(1.0, name="v")
    names = [op.name for op in tf.get_default_graph().get_operations()]
    assert names == ["v/initial_value", "v", "v/Assign", "v/read"]
    assert (v.name, v.op.name, v.op.type) == ("v:0", "v", "VariableV2")
    assert v.initializer.name == "v/Assign" and v.initializer.type == "Assign"
    assert v.initial_value.name == "v/initial_value:0" and v.value().name == "v/read:0"
    assert v.read_value().op.name == "read" and v.read_value().op.type == "Identity"
    assert repr(v) == "<tf.Variable 'v:0' shape=() dtype=float32_ref>"
    assert v.trainable and v.graph is tf.get_default_graph() and v.device == ""
    assert v.initializer.get_attr("validate_shape") is True
    assert v.initializer.get_attr("use_locking") is True


def test_variable_names_are_uniquified_and_scoped():
    assert tf.Variable(0.0).op.name == "Variable"
    assert tf.Variable(0.0).op.name == "Variable_1"
    with tf.name_scope("ns"):
        assert tf.Variable(0.0, name="v").name == "ns/v:0"
    with pytest.raises(ValueError, match="not a valid"):
        tf.Variable(0.0, name="bad name")


def test_variable_dtype_and_initial_value_rules():
    with pytest.raises(ValueError, match="initial_value must be specified"):
        tf.Variable(None)
    with pytest.raises(TypeError):
        tf.Variable(1.5, dtype=tf.int32)
    assert tf.Variable(1, dtype=tf.float32).dtype.base_dtype == tf.float32
    assert tf.Variable([1, 2]).dtype.base_dtype == tf.int32
    assert tf.Variable(np.zeros(3)).dtype.base_dtype == tf.float64
    unknown = tf.placeholder(tf.float32, [None])
    with pytest.raises(ValueError, match="initial_value must have a shape specified"):
        tf.Variable(unknown)
    assert tf.Variable(unknown, validate_shape=False).shape.ndims is None
    assert tf.Variable(lambda: tf.ones([2])).shape.as_list() == [2]


def test_variable_operators_act_on_the_read_tensor():
    v = tf.Variable([1.0, 2.0], name="v")
    added = v + 1.0
    assert added.op.type == "AddV2" and added.op.inputs[0].name == "v/read:0"
    w = v
    w += 1.0  # rebinds the Python name; does not assign
    assert isinstance(w, tf.Tensor)
    with tf.Session() as s:
        s.run(v.initializer)
        np.testing.assert_array_equal(s.run(v), [1.0, 2.0])
        np.testing.assert_array_equal(s.run(v[0] * 1.0), 1.0)


# -- 5.3 initialization ---------------------------------------------------------------------
def test_uninitialized_read_then_initializers_and_reset():
    v = tf.Variable(3.0, name="v")
    inc = v.assign_add(1.0)
    with tf.Session() as s:
        with pytest.raises(errors.FailedPreconditionError,
                           match="Attempting to use uninitialized value v"):
            s.run(v)
        s.run(v.initializer)
        s.run(inc)
        assert s.run(v) == 4.0
        s.run(v.initializer)  # running an initializer again resets
        assert s.run(v) == 3.0


def test_global_variables_initializer_covers_only_existing_variables():
    a = tf.Variable(1.0, name="a")
    init = tf.global_variables_initializer()
    b = tf.Variable(2.0, name="b")
    assert init.type == "NoOp" and init.name == "init"
    assert [op.name for op in init.control_inputs] == ["a/Assign"]
    assert tf.global_variables_initializer().name == "init_1"
    with tf.Session() as s:
        s.run(init)
        assert s.run(a) == 1.0
        with pytest.raises(errors.FailedPreconditionError, match="uninitialized value b"):
            s.run(b)


def test_variables_initializer_and_empty_lists():
    a = tf.Variable(1.0, name="a")
    b = tf.Variable(2.0, name="b")
    init = tf.variables_initializer([b])
    assert [op.name for op in init.control_inputs] == ["b/Assign"]
    assert tf.variables_initializer([]).type == "NoOp"
    with tf.Graph().as_default():
        assert tf.global_variables_initializer().type == "NoOp"
    with tf.Session() as s:
        s.run(init)
        assert s.run(b) == 2.0
        with pytest.raises(errors.FailedPreconditionError):
            s.run(a)


def test_report_uninitialized_and_is_variable_initialized():
    u = tf.Variable(1.0, name="u")
    w = tf.Variable(2.0, name="w")
    report = tf.report_uninitialized_variables()
    is_init = tf.is_variable_initialized(u)
    assert is_init.op.type == "IsVariableInitialized"
    assert report.op.type == "ReportUninitializedVariables"
    check = tf.assert_variables_initialized()
    assert check.type == "AssertVariablesInitialized"
    with tf.Session() as s:
        assert list(s.run(report)) == [b"u", b"w"]
        assert s.run(is_init) == False  # noqa: E712 - numpy bool
        with pytest.raises(errors.FailedPreconditionError, match="uninitialized value u"):
            s.run(check)
        s.run(u.initializer)
        assert list(s.run(report)) == [b"w"] and s.run(is_init) == True  # noqa: E712
        s.run(w.initializer)
        empty = s.run(report)
        assert empty.dtype == object and empty.shape == (0,)
        assert s.run(check) is None


def test_initial_value_reading_another_variable_uses_its_initial_value_if_needed():
    v = tf.Variable(1.0, name="v")
    u = tf.Variable(v * 2.0, name="u")
    guarded = u.initializer.inputs[1]
    assert guarded.op.type == "Mul" and guarded.op.inputs[0].op.inputs[0].op.type == \
        "InitializedValue"
    assert u.initial_value.op.inputs[0].name == "v/read:0"  # the original stays untouched
    with tf.Session() as s:
        s.run(u.initializer)  # v is not initialized yet: uses v's initial value
        assert s.run(u) == 2.0
        s.run(v.initializer)
        s.run(tf.assign(v, 10.0))
        s.run(u.initializer)
        assert s.run(u) == 20.0
        with pytest.raises(errors.FailedPreconditionError):
            tf.Session().run(v * 1.0)


def test_initialized_value_falls_back_to_the_initial_value():
    v = tf.Variable(3.0, name="v")
    iv = v.initialized_value()
    assert iv.op.type == "InitializedValue" and iv.dtype == tf.float32
    with tf.Session() as s:
        assert s.run(iv) == 3.0
        s.run(v.initializer)
        s.run(v.assign(7.0))
        assert s.run(iv) == 7.0


# -- 5.4 assign family --------------------------------------------------------------------------
def test_assign_family_values_names_and_errors():
    v = tf.Variable(5.0, name="v")
    inc = tf.assign_add(v, 5.0)
    assert inc.op.type == "AssignAdd" and inc.op.name == "AssignAdd"
    assert tf.assign_sub(v, 1.0).op.name == "AssignSub"
    assert v.assign(2.0).op.name == "Assign"  # v/Assign is the initializer
    with tf.Session() as s:
        s.run(v.initializer)
        assert s.run(v.assign(10.0)) == 10.0
        assert [s.run(inc), s.run(inc)] == [15.0, 20.0]
        assert s.run(v.assign_sub(4.0)) == 16.0
    with pytest.raises(TypeError, match="Input 'value' of 'Assign' Op has type int32 that "
                                        "does not match type float32 of argument 'ref'"):
        tf.assign(v, tf.constant(1))
    with pytest.raises(TypeError):
        tf.assign(v, "text")


def test_assign_static_shape_checks_and_validate_shape_false():
    w = tf.Variable([1.0, 2.0], name="w")
    with pytest.raises(ValueError, match="Shapes must be equal rank, but are 1 and 0"):
        tf.assign(w, 1.0)
    with pytest.raises(ValueError, match="Dimension 0 in both shapes must be equal, but are 2 "
                                         "and 3"):
        tf.assign(w, [1.0, 2.0, 3.0])
    loose = tf.assign(w, [1.0, 2.0, 3.0], validate_shape=False)
    with tf.Session() as s:
        s.run(w.initializer)
        np.testing.assert_array_equal(s.run(loose), [1.0, 2.0, 3.0])
        np.testing.assert_array_equal(s.run(w), [1.0, 2.0, 3.0])
    assert w.shape.as_list() == [2]


def test_variable_load_and_eval():
    v = tf.Variable([1.0, 2.0])
    with tf.Session() as s:
        v.load([3.0, 4.0], s)
        np.testing.assert_array_equal(v.eval(s), [3.0, 4.0])
        with pytest.raises(ValueError, match="Cannot load a value of shape"):
            v.load([1.0], s)


# -- collections ---------------------------------------------------------------------------------
def test_trainable_and_collections_apply_independently():
    t = tf.Variable(1.0, name="t")
    frozen = tf.Variable(1.0, trainable=False, name="frozen")
    local = tf.Variable(1.0, trainable=False, collections=[tf.GraphKeys.LOCAL_VARIABLES],
                        name="local")
    hidden = tf.Variable(1.0, collections=[], name="hidden")
    assert tf.global_variables() == [t, frozen]
    assert tf.trainable_variables() == [t, hidden]
    assert tf.local_variables() == [local]
    assert tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES) == [t, hidden]
    assert tf.report_uninitialized_variables().op.inputs[-1] is local.op.outputs[0]


# -- 5.5 get_variable and variable_scope ---------------------------------------------------------
def test_get_variable_twice_without_reuse_raises():
    with tf.variable_scope("layer"):
        tf.get_variable("w", [2])
        with pytest.raises(ValueError) as info:
            tf.get_variable("w", [2])
    msg = str(info.value)
    assert msg.startswith("Variable layer/w already exists, disallowed.")
    assert "reuse=True" in msg and "AUTO_REUSE" in msg
    assert "Originally defined at:" in msg and "test_variables.py" in msg


def test_reuse_rules():
    with tf.variable_scope("layer"):
        w = tf.get_variable("w", [2])
    with tf.variable_scope("layer", reuse=True):
        assert tf.get_variable("w", [2]) is w
        assert tf.get_variable("w") is w
        with pytest.raises(ValueError, match="Variable layer/x does not exist, or was not "
                                             "created with tf.get_variable\\(\\)"):
            tf.get_variable("x", [2])
        with pytest.raises(ValueError, match="Trying to share variable layer/w, but specified "
                                             "shape \\(3,\\) and found shape \\(2,\\)"):
            tf.get_variable("w", [3])
        with tf.variable_scope("inner", reuse=False):
            assert tf.get_variable_scope().reuse is True  # cannot switch reuse off
    with tf.variable_scope("auto", reuse=tf.AUTO_REUSE):
        first = tf.get_variable("x", [1])
    with tf.variable_scope("auto", reuse=tf.AUTO_REUSE):
        assert tf.get_variable("x", [1]) is first
    with tf.variable_scope("sc") as scope:
        y = tf.get_variable("y", [1])
        scope.reuse_variables()
        assert tf.get_variable("y", [1]) is y
    plain = tf.Variable(1.0, name="plain")
    with tf.variable_scope(tf.get_variable_scope(), reuse=True):
        with pytest.raises(ValueError, match="does not exist"):
            tf.get_variable("plain")
    del plain


def test_root_variable_scope():
    scope = tf.get_variable_scope()
    assert scope.name == "" and scope.reuse is False


def test_name_scope_versus_variable_scope_naming():
    with tf.variable_scope("vs"):
        a = tf.get_variable("a", [])
        c = tf.constant(1.0, name="c")
    with tf.variable_scope("vs"):
        b = tf.get_variable("b", [])
        d = tf.constant(1.0, name="d")
        v = tf.Variable(0.0, name="v")
    assert [a.name, c.name, b.name, d.name, v.name] == [
        "vs/a:0", "vs/c:0", "vs/b:0", "vs_1/d:0", "vs_1/v:0"]
    with tf.name_scope("ns"):
        assert tf.Variable(0.0, name="v").name == "ns/v:0"
        assert tf.get_variable("gv", []).name == "gv:0"


def test_reentering_a_captured_scope_object():
    with tf.variable_scope("vs2") as vs2:
        pass
    with tf.variable_scope(vs2):
        assert tf.get_variable("x", []).name == "vs2/x:0"
        assert tf.constant(1.0, name="c").name == "vs2_1/c:0"
    assert vs2.original_name_scope == "vs2/"


def test_default_name_scopes_are_uniquified_for_variables_and_ops():
    with tf.variable_scope(None, default_name="layer"):
        first = (tf.get_variable("q", []).name, tf.constant(1.0).name)
    with tf.variable_scope(None, default_name="layer"):
        second = (tf.get_variable("q", []).name, tf.constant(1.0).name)
    assert first == ("layer/q:0", "layer/Const:0")
    assert second == ("layer_1/q:0", "layer_1/Const:0")


def test_get_variable_initializer_and_shape_rules():
    with pytest.raises(ValueError, match="did not get an initializer, so its `shape` argument "
                                         "must be specified"):
        tf.get_variable("noshape")
    with pytest.raises(ValueError, match="If initializer is a constant, do not specify shape"):
        tf.get_variable("c1", [2], initializer=tf.constant([1.0, 2.0]))
    c2 = tf.get_variable("c2", initializer=tf.constant([1.0, 2.0]))
    c3 = tf.get_variable("c3", initializer=np.array([1, 2], np.int32))
    ints = tf.get_variable("i", [2], dtype=tf.int32)
    with tf.variable_scope("d", dtype=tf.float64, initializer=tf.constant_initializer(5.0)):
        dv = tf.get_variable("v", [2])
    assert c2.shape.as_list() == [2] and ints.dtype.base_dtype == tf.int32
    assert dv.dtype.base_dtype == tf.float64
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(s.run(ints), [0, 0])  # integer default: zeros
        np.testing.assert_array_equal(s.run(dv), [5.0, 5.0])
        np.testing.assert_array_equal(s.run(c3), [1, 2])


def test_get_variable_regularizer_fills_the_collection():
    w = tf.get_variable("w", [2], initializer=tf.ones_initializer(),
                        regularizer=lambda t: tf.reduce_sum(t * t))
    losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    assert len(losses) == 1
    with tf.Session() as s:
        s.run(w.initializer)
        assert s.run(losses[0]) == 2.0


# -- 5.6 initializers ----------------------------------------------------------------------------
def test_constant_zeros_ones_initializers():
    ci = tf.get_variable("ci", [2, 2], initializer=tf.constant_initializer([1, 2, 3]))
    z = tf.get_variable("z", [3], initializer=tf.zeros_initializer())
    o = tf.get_variable("o", [2], dtype=tf.int64, initializer=tf.ones_initializer())
    with pytest.raises(ValueError, match="Too many elements provided. Takes at most 4, but got "
                                         "5"):
        tf.get_variable("big", [2, 2], initializer=tf.constant_initializer([1, 2, 3, 4, 5]))
    with pytest.raises(TypeError, match="Expected Tensor's shape: \\(2, 2\\), but got "
                                        "\\(3,\\)"):
        tf.get_variable("strict", [2, 2],
                        initializer=tf.constant_initializer([1, 2, 3], verify_shape=True))
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(s.run(ci), [[1.0, 2.0], [3.0, 3.0]])
        np.testing.assert_array_equal(s.run(z), [0.0, 0.0, 0.0])
        out = s.run(o)
        assert out.dtype == np.int64 and list(out) == [1, 1]


def test_glorot_uniform_is_the_default_with_limit_sqrt_6_over_fans():
    g = tf.get_variable("glorot", [200, 300])
    with tf.Session() as s:
        s.run(g.initializer)
        values = s.run(g)
    limit = np.sqrt(6.0 / 500.0)
    assert values.min() >= -limit and values.max() < limit
    assert values.min() < -0.95 * limit and values.max() > 0.95 * limit
    assert abs(values.std() - 0.0631) < 0.003
    assert g.initializer.inputs[1].op.name.startswith("glorot/Initializer/")


def test_glorot_normal_and_variance_scaling_spreads():
    gn = tf.get_variable("gn", [200, 300], initializer=tf.glorot_normal_initializer(seed=1))
    un = tf.get_variable("un", [200, 300], initializer=tf.variance_scaling_initializer(
        2.0, "fan_in", "untruncated_normal", seed=1))
    uni = tf.get_variable("uni", [200, 300], initializer=tf.variance_scaling_initializer(
        3.0, "fan_out", "uniform", seed=1))
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        gv, uv, univ = s.run([gn, un, uni])
    assert abs(gv.std() - 0.0632) < 0.003 and np.abs(gv).max() <= 2 * 0.0719 + 1e-6
    assert abs(uv.std() - np.sqrt(2.0 / 200)) < 0.005
    limit = np.sqrt(3 * 3.0 / 300)
    assert univ.max() < limit and univ.max() > 0.95 * limit
    with pytest.raises(ValueError, match="mode"):
        tf.variance_scaling_initializer(mode="fan_everything")


def test_random_initializers_and_rerun_draws_again():
    r = tf.get_variable("r", [1000], initializer=tf.random_normal_initializer(2.0, 0.5))
    t = tf.get_variable("t", [1000], initializer=tf.truncated_normal_initializer(0.0, 1.0))
    u = tf.get_variable("u", [1000], initializer=tf.random_uniform_initializer(-1.0, 3.0))
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        rv, tv, uv = s.run([r, t, u])
        assert abs(rv.mean() - 2.0) < 0.1 and abs(rv.std() - 0.5) < 0.05
        assert tv.min() >= -2.0 and tv.max() <= 2.0 and abs(tv.std() - 0.88) < 0.06
        assert uv.min() >= -1.0 and uv.max() < 3.0
        s.run(r.initializer)
        assert not np.array_equal(s.run(r), rv)


def test_default_names_count_explicitly_opened_scopes_and_restart_on_reentry():
    with tf.variable_scope("layer"):
        pass
    with tf.variable_scope(None, default_name="layer"):
        assert tf.get_variable("w", []).name == "layer_1/w:0"
        assert tf.constant(1.0).op.name == "layer_1/Const"
    for _ in range(2):
        with tf.variable_scope("outer", reuse=tf.AUTO_REUSE):
            with tf.variable_scope(None, default_name="dense"):
                inner = tf.get_variable("k", [])
        assert inner.name == "outer/dense/k:0"  # same name both times: shared
