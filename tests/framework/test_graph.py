"""Graph, Operation and Tensor: naming, scopes, lookup, collections, control dependencies,
devices, finalize, graph mixing and the Python protocols a symbolic tensor refuses."""

import threading

import numpy as np
import pytest

import minigraph as tf


# -- 1.1 default graph stack ----------------------------------------------------------------
def test_default_graph_is_one_lazy_global_and_as_default_nests():
    g0 = tf.get_default_graph()
    assert tf.get_default_graph() is g0
    g1, g2 = tf.Graph(), tf.Graph()
    assert tf.get_default_graph() is g0  # constructing a graph does not make it default
    with g1.as_default() as entered:
        assert entered is g1 and tf.get_default_graph() is g1
        with g2.as_default():
            assert tf.constant(1.0).graph is g2
        assert tf.constant(1.0).graph is g1
    assert tf.get_default_graph() is g0
    assert g1.version == 1 and g2.version == 1 and g0.version == 0


def test_default_graph_stack_is_per_thread():
    g = tf.Graph()
    seen = []
    with g.as_default():
        worker = threading.Thread(target=lambda: seen.append(tf.get_default_graph()))
        worker.start()
        worker.join()
    assert seen[0] is not g


def test_reset_default_graph_replaces_global_and_refuses_inside_a_graph_block():
    old = tf.get_default_graph()
    c = tf.constant(1.0)
    tf.reset_default_graph()
    assert tf.get_default_graph() is not old and tf.get_default_graph().version == 0
    assert c.graph is old
    with tf.Graph().as_default():
        with pytest.raises(AssertionError, match="nested graphs"):
            tf.reset_default_graph()


def test_session_context_makes_its_graph_default_but_as_default_does_not():
    g = tf.Graph()
    with g.as_default():
        tf.constant(1.0)
    with tf.Session(graph=g) as sess:
        assert tf.get_default_graph() is g and tf.get_default_session() is sess
    other = tf.Session(graph=g)
    with other.as_default():
        assert tf.get_default_graph() is not g
        tf.reset_default_graph()  # only a session is entered: allowed


def test_op_from_non_default_graph_tensors_lands_in_their_graph():
    g = tf.Graph()
    with g.as_default():
        a = tf.constant(1.0)
    b = a + 1.0
    assert b.graph is g and tf.get_default_graph().version == 0
    with tf.name_scope("s", values=[a]) as scope:
        assert scope == "s/" and tf.get_default_graph() is g


# -- 1.2 naming -----------------------------------------------------------------------------
def test_automatic_names():
    a = tf.constant(1.0)
    b = tf.constant(2.0)
    c = a + b
    d = a + b
    with tf.name_scope("s"):
        e = a * b
    with tf.name_scope("s"):
        f = a * b
    g = tf.add(a, b)
    assert [t.name for t in (a, b, c, d, e, f, g)] == [
        "Const:0", "Const_1:0", "add:0", "add_1:0", "s/mul:0", "s_1/mul:0", "Add_2:0"]


def test_case_insensitive_uniquifying_keeps_caller_case():
    names = [tf.constant(1, name=n).name for n in ("X", "x", "x_1")]
    assert names == ["X:0", "x_1:0", "x_1_1:0"]
    a = tf.constant(1.0, name="a")
    assert [(a + a).name, (a + a).name, tf.add(a, a, name="Add").name,
            tf.add(a, a, name="ADD").name] == ["add:0", "add_1:0", "Add_2:0", "ADD_3:0"]


def test_uniquifying_skips_names_already_taken():
    assert [tf.constant(1, name=n).op.name for n in ("foo_1", "foo", "foo")] == [
        "foo_1", "foo", "foo_2"]


def test_unique_name_preview_and_shared_counter_with_scopes():
    g = tf.get_default_graph()
    assert g.unique_name("zz", mark_as_used=False) == "zz"
    assert g.unique_name("zz", mark_as_used=False) == "zz"
    a = tf.constant(1.0)
    _ = a + a  # op "add"
    with tf.name_scope("add") as scope:
        assert scope == "add_1/"
    with tf.name_scope("x"):
        pass
    assert tf.constant(1.0, name="x").op.name == "x_1"


def test_trailing_slash_name_is_verbatim_and_does_not_reserve_it():
    a = tf.constant(1.0)
    with tf.name_scope("layer") as scope:
        out = tf.identity(a, name=scope)
    assert out.op.name == "layer"
    with pytest.raises(ValueError, match="Duplicate node name in graph: 'layer'"):
        tf.identity(a, name="layer/")
    with tf.name_scope("outer"):
        fresh = tf.identity(a, name="fresh/")
    assert fresh.op.name == "fresh"  # ignores the current scope
    with pytest.raises(ValueError, match="Duplicate node name in graph: 'fresh'"):
        tf.identity(a, name="fresh")


@pytest.mark.parametrize("bad", ["bad name", "-bad", "_under"])
def test_invalid_root_names_raise_value_error(bad):
    with pytest.raises(ValueError, match="not a valid"):
        tf.constant(1, name=bad)


def test_valid_unusual_names_and_nested_underscore():
    assert [tf.constant(1, name=n).op.name for n in ("9start", ".dot", "a.b-c_d/e")] == [
        "9start", ".dot", "a.b-c_d/e"]
    with tf.name_scope("n"):
        assert tf.constant(1, name="_ok").op.name == "n/_ok"


def test_helper_constants_are_named_after_the_input_argument():
    a = tf.constant(1.0)
    b = tf.constant(2.0)
    c = a * b + 1.0
    names = [op.name for op in tf.get_default_graph().get_operations()]
    assert names[-3:] == ["mul", "add/y", "add"]
    assert c.op.inputs[1].op.type == "Const"


# -- 1.3 name scopes ------------------------------------------------------------------------
def test_name_scope_rules():
    g = tf.get_default_graph()
    with tf.name_scope("q"):
        with tf.name_scope("r") as inner:
            assert inner == "q/r/" and g.get_name_scope() == "q/r"
            with tf.name_scope("q/") as again:  # trailing slash: absolute re-entry
                assert again == "q/"
                assert tf.constant(1).op.name == "q/Const"
            with tf.name_scope(None) as root:
                assert root == "" and tf.constant(1).op.name == "Const"
            with tf.name_scope("") as root:
                assert root == ""
            with tf.name_scope("s"):
                assert tf.constant(1).op.name == "q/r/s/Const"
    assert g.get_name_scope() == ""
    with tf.name_scope(None, "default") as s1:
        pass
    with tf.name_scope(None, "default") as s2:
        pass
    with tf.name_scope("given", "default") as s3:
        pass
    assert (s1, s2, s3) == ("default/", "default_1/", "given/")


def test_ops_in_a_scope_are_uniquified_within_the_full_path():
    a = tf.constant(1.0)
    with tf.name_scope("s"):
        x, y = a + a, a + a
    assert (x.op.name, y.op.name) == ("s/add", "s/add_1")


# -- 1.4 lookup -----------------------------------------------------------------------------
def test_lookup_by_name_success_and_errors():
    g = tf.get_default_graph()
    a = tf.constant(1.0, name="a")
    assert g.get_tensor_by_name("a:0") is a
    assert g.get_operation_by_name("a") is a.op
    assert g.as_graph_element("a:0") is a and g.as_graph_element("a") is a.op
    with pytest.raises(ValueError, match="refers to an Operation, not a Tensor"):
        g.get_tensor_by_name("a")
    with pytest.raises(KeyError, match="exists but only has 1 outputs"):
        g.get_tensor_by_name("a:1")
    with pytest.raises(KeyError, match="'nope', does not exist in the graph"):
        g.get_tensor_by_name("nope:0")
    with pytest.raises(ValueError, match="appears to refer to a Tensor"):
        g.get_operation_by_name("a:0")
    with pytest.raises(KeyError, match="refers to an Operation not in the graph"):
        g.get_operation_by_name("nope")
    with pytest.raises(TypeError, match="Can not convert a int into a Tensor or Operation"):
        g.as_graph_element(1)
    other = tf.Graph()
    with pytest.raises(ValueError, match="is not an element of this graph"):
        other.as_graph_element(a)


# -- 1.5 collections ------------------------------------------------------------------------
def test_collections_keep_duplicates_and_return_copies():
    tf.add_to_collection("c", 1)
    tf.add_to_collection("c", 2)
    tf.add_to_collection("c", 1)
    got = tf.get_collection("c")
    assert got == [1, 2, 1]
    got.append(5)
    assert tf.get_collection("c") == [1, 2, 1]
    assert tf.get_collection("unknown") == []
    ref = tf.get_collection_ref("live")
    ref.append("x")
    assert tf.get_collection("live") == ["x"]
    tf.add_to_collections(["p", "q"], 7)
    assert tf.get_collection("p") == [7] and tf.get_collection("q") == [7]
    g = tf.get_default_graph()
    assert {"c", "live", "p", "q"} <= set(g.get_all_collection_keys())
    g.clear_collection("c")
    assert tf.get_collection("c") == []


def test_collection_scope_is_a_regex_prefix_match_on_names():
    v = tf.Variable(0.0, name="v")
    vv = tf.Variable(0.0, name="vv")
    tf.Variable(0.0, name="w")
    assert tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES, scope="v") == [v, vv]
    tf.add_to_collection("mixed", "string")
    tf.add_to_collection("mixed", 3)
    tf.add_to_collection("mixed", v)
    assert tf.get_collection("mixed", scope="v") == [v]
    assert tf.global_variables("w")[0].op.name == "w"


def test_graph_keys_strings():
    keys = tf.GraphKeys
    assert keys.GLOBAL_VARIABLES == keys.VARIABLES == "variables"
    assert (keys.TRAINABLE_VARIABLES, keys.LOCAL_VARIABLES, keys.UPDATE_OPS, keys.SUMMARIES,
            keys.LOSSES, keys.REGULARIZATION_LOSSES, keys.GLOBAL_STEP,
            keys.TABLE_INITIALIZERS) == (
        "trainable_variables", "local_variables", "update_ops", "summaries", "losses",
        "regularization_losses", "global_step", "table_initializer")


# -- 1.6 control dependencies ---------------------------------------------------------------
def test_control_dependencies_nest_clear_with_none_and_skip_data_inputs():
    a = tf.constant(1.0, name="a")
    b = tf.constant(2.0, name="b")
    c = tf.constant(3.0, name="c")
    with tf.control_dependencies([a]):
        with tf.control_dependencies([b.op]):
            x = tf.identity(c, name="x")
            data = tf.identity(a, name="data")
        with tf.control_dependencies(None):
            cleared = tf.identity(c, name="cleared")
            with tf.control_dependencies([b]):
                restarted = tf.identity(c, name="restarted")
        existing = c  # not a new op: nothing is added
    assert [op.name for op in x.op.control_inputs] == ["b", "a"]
    assert [op.name for op in data.op.control_inputs] == ["b"]  # a is already a data input
    assert cleared.op.control_inputs == []
    assert [op.name for op in restarted.op.control_inputs] == ["b"]
    assert existing.op.control_inputs == []


def test_control_dependencies_errors():
    a = tf.constant(1.0)
    with pytest.raises(TypeError, match="Can not convert a float into a Tensor or Operation"):
        with tf.control_dependencies([1.0]):
            pass
    with pytest.raises(TypeError, match="not iterable"):
        with tf.control_dependencies(a):
            pass
    g = tf.Graph()
    with g.as_default():
        other = tf.constant(1.0)
    with pytest.raises(ValueError, match="is not an element of this graph"):
        with tf.control_dependencies([other]):
            pass


def test_variable_creation_ignores_surrounding_control_dependencies():
    a = tf.constant(1.0)
    with tf.control_dependencies([a]):
        v = tf.Variable(0.0, name="v")
        after = tf.identity(a)
    assert v.initializer.control_inputs == [] and v.op.control_inputs == []
    assert after.op.control_inputs == []  # data input dropped
    with tf.control_dependencies([a]):
        other = tf.constant(2.0)
    assert other.op.control_inputs == [a.op]


# -- 1.7 devices ----------------------------------------------------------------------------
def test_device_strings_are_normalised_merged_and_cleared():
    with tf.device("/gpu:0"):
        assert tf.constant(1).device == "/device:GPU:0"
    with tf.device("CPU:0"):
        c = tf.constant(1)
        assert c.device == c.op.device == "/device:CPU:0"
    with tf.device("/job:ps"):
        with tf.device("/cpu:0"):
            assert tf.constant(1).device == "/job:ps/device:CPU:0"
        with tf.device(None):
            assert tf.constant(1).device == ""
    assert tf.constant(1).device == ""
    with pytest.raises(ValueError, match="bad_spec"):
        with tf.device("/bad_spec:0"):
            pass


def test_device_function_result_is_used_as_is_and_runs_fine():
    with tf.device(lambda op: "/custom:" + op.type):
        c = tf.constant(2.0)
    assert c.device == "/custom:Const"
    with tf.Session() as sess:
        assert sess.run(c) == 2.0


# -- 1.8 finalize ---------------------------------------------------------------------------
def test_finalize_makes_graph_read_only_but_runnable():
    g = tf.get_default_graph()
    a = tf.constant(1.0)
    tf.add_to_collection("c", 1)
    g.finalize()
    assert g.finalized
    for build in (lambda: a + 1, lambda: tf.Variable(1.0), lambda: tf.no_op(),
                  lambda: tf.add_to_collection("c", 2)):
        with pytest.raises(RuntimeError, match="Graph is finalized and cannot be modified"):
            build()
    assert tf.get_collection("c") == [1]
    with tf.Session() as sess:
        assert sess.run(a) == 1.0
    g._unsafe_unfinalize()
    assert (a + 1).op.type == "AddV2"


# -- 1.9 mixing graphs ----------------------------------------------------------------------
def test_mixing_graphs_raises_value_error():
    g1, g2 = tf.Graph(), tf.Graph()
    with g1.as_default():
        a = tf.constant(1.0)
    with g2.as_default():
        b = tf.constant(2.0)
    with pytest.raises(ValueError, match="must be from the same graph as"):
        tf.add(a, b)
    with pytest.raises(ValueError, match="must be from the same graph as"):
        tf.group(a, b)


# -- 2.1 / 2.2 Operation and Tensor ---------------------------------------------------------
def test_operation_attributes():
    a = tf.constant([1.0, 2.0], name="a")
    b = tf.identity(a, name="b")
    op = b.op
    assert (op.name, op.type, op.inputs[0], op.outputs, op.values()) == (
        "b", "Identity", a, [b], (b,))
    assert op.graph is tf.get_default_graph() and op.device == ""
    assert repr(tf.no_op(name="noop")) == "<tf.Operation 'noop' type=NoOp>"
    assert a.op.get_attr("dtype") == tf.float32
    with pytest.raises(ValueError, match="Operation 'b' has no attr named 'nope'"):
        op.get_attr("nope")
    filename, lineno, _, text = op.traceback[-1]
    assert filename == __file__ and "tf.identity(a, name=\"b\")" in text
    assert a.consumers() == [op]


def test_tensor_attributes_repr_and_str():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    assert (x.op.type, x.value_index, x.name, x.dtype) == ("Placeholder", 0, "x:0",
                                                           tf.float32)
    assert x.graph is tf.get_default_graph() and x.get_shape() is x.shape
    assert str(x) == 'Tensor("x:0", shape=(?, 3), dtype=float32)'
    assert repr(x) == "<tf.Tensor 'x:0' shape=(?, 3) dtype=float32>"
    u = tf.placeholder(tf.int64, name="u")
    assert str(u) == 'Tensor("u:0", shape=<unknown>, dtype=int64)'
    assert not isinstance(tf.Variable(1.0), tf.Tensor)


def test_partial_shapes_and_set_shape():
    x = tf.placeholder(tf.float32, [None, 3])
    y = tf.matmul(x, tf.ones([3, 4]))
    assert str(y.shape) == "(?, 4)" and y.shape.as_list() == [None, 4]
    assert repr(y.shape[0]) == "Dimension(None)" and y.shape[1].value == 4
    x.set_shape([5, 3])
    assert str(x.shape) == "(5, 3)" and str(y.shape) == "(?, 4)"
    with pytest.raises(ValueError, match="Dimension 0 in both shapes must be equal, but are "
                                         "5 and 6. Shapes are \\[5,3\\] and \\[6,3\\]."):
        x.set_shape([6, 3])


def test_set_shape_merges_and_adds_no_op():
    u = tf.placeholder(tf.float32)
    before = tf.get_default_graph().version
    u.set_shape([2, None])
    assert str(u.shape) == "(2, ?)"
    u.set_shape([None, 5])
    assert str(u.shape) == "(2, 5)"
    with pytest.raises(ValueError, match="Shapes are \\[2,5\\] and \\[3,5\\]"):
        u.set_shape([3, 5])
    with pytest.raises(ValueError, match="Shapes must be equal rank, but are 2 and 3"):
        u.set_shape([2, 5, 1])
    assert tf.get_default_graph().version == before


def test_static_inference_at_construction():
    a = tf.placeholder(tf.float32, [None, 3])
    b = tf.placeholder(tf.float32, [2, None])
    assert str((a + b).shape) == "(2, 3)"
    assert str(tf.reduce_sum(a, axis=1).shape) == "(?,)"
    assert str(tf.reduce_sum(a).shape) == "()"
    assert str(tf.reshape(a, [-1]).shape) == "(?,)"
    assert str(tf.shape(a).shape) == "(2,)" and tf.shape(a).dtype == tf.int32
    empty = tf.constant([])
    assert str(empty.shape) == "(0,)" and empty.dtype == tf.float32
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 2 and 4") as info:
        tf.constant(np.ones((2, 3))) + tf.constant(np.ones((4, 3)))
    assert "test_graph.py" in str(info.value)  # the error names the user's line


# -- 2.6 refused Python protocols ------------------------------------------------------------
def test_equality_bool_iter_len_and_numpy_protocols():
    a = tf.constant(1.0)
    b = tf.constant(1.0)
    assert (a == b) is False and (a == a) is True and (a != b) is True
    assert {a: 1}[a] == 1 and a in [a] and hash(a) == hash(a)
    with pytest.raises(TypeError, match="bool"):
        if tf.constant(True):
            pass
    with pytest.raises(TypeError, match="not iterable"):
        for _ in tf.constant([1.0]):
            pass
    with pytest.raises(TypeError, match="not iterable"):
        first, second = tf.constant([1.0, 2.0])
    with pytest.raises(TypeError, match="len is not well defined"):
        len(tf.constant([1.0]))
    with pytest.raises(NotImplementedError, match="Cannot convert a symbolic Tensor"):
        np.array(a)
    with pytest.raises(TypeError):
        float(a)
    with pytest.raises(TypeError):
        int(a)
    with pytest.raises(TypeError):
        +a  # noqa: B018 - unary plus is not defined in TF1
    with pytest.raises(AttributeError):
        a.numpy()
