"""GraphDef export checked against the reference example and tensorboard's own protos."""

import pathlib
import sys

import numpy as np
import pytest

import minigraph as tf
from minigraph.export import graph_def as graphdef

DATA = pathlib.Path(__file__).resolve().parent.parent / "data"


def _example_graph():
    a = tf.placeholder(tf.float32, [None], name="a")
    b = tf.placeholder(tf.float32, [None], name="b")
    return a * b + 1


def _nodes_only(text):
    return text.split("versions {")[0]


@pytest.fixture
def protos():
    pytest.importorskip("tensorboard")
    return graphdef.import_protos()


def test_write_graph_text_matches_the_recorded_tf_file(protos, tmp_path):
    c = _example_graph()
    path = tf.io.write_graph(c.graph, str(tmp_path / "new" / "dir"), "graph.pbtxt")
    assert path == str(tmp_path / "new" / "dir" / "graph.pbtxt")
    written = pathlib.Path(path).read_text()
    expected = (DATA / "graphdef_a_mul_b_plus_1.pbtxt").read_text()
    # Byte for byte, attr keys sorted; only the producer version is minigraph's own.
    assert _nodes_only(written) == _nodes_only(expected)
    assert "versions {\n  producer: 27\n}" in written
    parsed = protos.text_format.Parse(expected, protos.graph_pb2.GraphDef())
    assert list(parsed.node) == list(c.graph.as_graph_def().node)


def test_text_and_binary_files_hold_the_same_graph_def(protos, tmp_path):
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    w = tf.Variable(tf.ones([3, 2]), name="w")
    loss = tf.reduce_sum(tf.matmul(x, w), name="loss")
    grads = tf.gradients(loss, [w])
    with tf.control_dependencies(grads):
        tf.no_op(name="after")
    g = tf.get_default_graph()
    text_path = tf.io.write_graph(g, str(tmp_path), "g.pbtxt")
    binary_path = tf.train.write_graph(g, str(tmp_path), "g.pb", as_text=False)
    from_text = protos.text_format.Parse(pathlib.Path(text_path).read_text(),
                                         protos.graph_pb2.GraphDef())
    from_binary = protos.graph_pb2.GraphDef.FromString(pathlib.Path(binary_path).read_bytes())
    assert from_text == from_binary == g.as_graph_def()
    # Every op is a node; the reduction gradient's ReducedShape is lowered to TF's ops.
    names = [n.name for n in from_text.node]
    assert set(op.name for op in g.get_operations()) <= set(names)
    assert [n.op for n in from_text.node if n.name.startswith("gradients/loss_grad/Reduced")]
    assert tf.train.write_graph is tf.io.write_graph
    # A GraphDef proto is written as it is.
    again = tf.io.write_graph(from_binary, str(tmp_path), "again.pbtxt")
    assert pathlib.Path(again).read_text() == pathlib.Path(text_path).read_text()


def test_inputs_name_outputs_and_control_dependencies(protos):
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    w = tf.Variable(tf.ones([1, 3]), name="w")
    y = tf.reduce_sum(x * w, name="y")
    gw, = tf.gradients(y, [w])
    init = tf.global_variables_initializer()
    with tf.control_dependencies([init]):
        z = tf.identity(gw, name="z")
    nodes = {n.name: n for n in tf.get_default_graph().as_graph_def().node}
    assert list(nodes["z"].input) == [gw.op.name, "^init"]
    assert list(nodes["init"].input) == ["^w/Assign"]
    assert nodes["z"].op == "Identity" and nodes["z"].attr["T"].type == 1
    # BroadcastGradientArgs has two outputs: a consumer of the second names it "op:1".
    from minigraph.ops.shape_ops import broadcast_gradient_args

    r0, r1 = broadcast_gradient_args([2, 3], [1, 3], name="args")
    tf.identity(r1, name="second")
    tf.identity(r0, name="first")
    nodes = {n.name: n for n in tf.get_default_graph().as_graph_def().node}
    assert r0.op.type == "BroadcastGradientArgs"
    assert list(nodes["second"].input) == ["args:1"]
    assert list(nodes["first"].input) == ["args"]
    assert all(not i.endswith(":0") for n in nodes.values() for i in n.input)
    assert z.op.inputs[0].op.name == gw.op.name


def test_variable_placeholder_and_reduction_attrs(protos):
    x = tf.placeholder(tf.float64, None, name="x")
    v = tf.Variable(np.zeros((2, 3), np.float32), name="v")
    s = tf.reduce_sum(v, axis=1, keepdims=True, name="s")
    nodes = {n.name: n for n in x.graph.as_graph_def().node}
    assert nodes["x"].attr["dtype"].type == 2
    assert nodes["x"].attr["shape"].shape.unknown_rank
    var = nodes["v"]
    assert var.op == "VariableV2" and var.attr["dtype"].type == 1
    assert [d.size for d in var.attr["shape"].shape.dim] == [2, 3]
    assert list(nodes["v/Assign"].input) == ["v", "v/initial_value"]
    assert nodes["v/Assign"].attr["T"].type == 1  # T is the base type, not DT_FLOAT_REF
    sum_node = nodes["s"]
    assert sum_node.op == "Sum"
    assert sum_node.attr["keep_dims"].b is True
    assert sum_node.attr["T"].type == 1 and sum_node.attr["Tidx"].type == 3
    assert s.op.type == "Sum"


def test_const_values_become_tensor_protos(protos):
    tf.constant(2.5, name="f")
    tf.constant([[1.0, 2.0], [3.0, 4.0]], name="m")
    tf.constant(7, name="i")
    tf.constant(7, tf.int64, name="l")
    tf.constant([True], name="t")
    tf.constant(["ab", "c"], name="s")
    nodes = {n.name: n for n in tf.get_default_graph().as_graph_def().node}
    f = nodes["f"].attr["value"].tensor
    assert f.dtype == 1 and list(f.float_val) == [2.5] and not f.tensor_shape.dim
    m = nodes["m"].attr["value"].tensor
    assert [d.size for d in m.tensor_shape.dim] == [2, 2]
    assert np.frombuffer(m.tensor_content, "<f4").tolist() == [1.0, 2.0, 3.0, 4.0]
    assert list(nodes["i"].attr["value"].tensor.int_val) == [7]
    assert nodes["i"].attr["dtype"].type == 3
    assert list(nodes["l"].attr["value"].tensor.int64_val) == [7]
    assert list(nodes["t"].attr["value"].tensor.bool_val) == [True]
    assert list(nodes["s"].attr["value"].tensor.string_val) == [b"ab", b"c"]
    assert nodes["s"].attr["dtype"].type == 7


def test_output_shapes_only_when_asked(protos):
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    tf.identity(x, name="y")
    tf.no_op(name="nothing")
    plain = {n.name: n for n in x.graph.as_graph_def().node}
    shaped = {n.name: n for n in x.graph.as_graph_def(add_shapes=True).node}
    assert "_output_shapes" not in plain["y"].attr
    shapes = shaped["y"].attr["_output_shapes"].list.shape
    assert len(shapes) == 1 and [d.size for d in shapes[0].dim] == [-1, 3]
    assert "_output_shapes" not in shaped["nothing"].attr  # no outputs, no shapes


def test_device_is_recorded(protos):
    with tf.device("/cpu:0"):
        tf.constant(1.0, name="c")
    node = tf.get_default_graph().as_graph_def().node[0]
    assert node.device == "/device:CPU:0"


def test_ref_dtype_attrs_add_100():
    assert graphdef.describe_value(tf.float32.as_ref()) == ("type", tf.float32.as_ref())
    assert graphdef._type_name(tf.float32.as_ref()) == "DT_FLOAT_REF"
    assert tf.float32.as_ref().enum == 101


def test_hand_formatted_text_equals_protobuf_text(protos, monkeypatch):
    """`str(op)` without tensorboard prints exactly what protobuf's text format prints."""
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    w = tf.Variable(tf.ones([3, 1]), name="w")
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w)), name="loss")
    grads = tf.gradients(loss, [w])
    tf.constant([1, 2], tf.int64, name="ints")
    tf.constant([b"a\n\"q\xff"], name="odd_bytes")
    tf.constant(0.1, name="tenth")
    tf.constant(np.float64(0.1), name="tenth64")
    tf.constant(True, name="flag")
    with tf.control_dependencies(grads):
        tf.no_op(name="after")
    # Ops that are lowered to several TF nodes (ReducedShape) print as their one node.
    ops = [op for op in tf.get_default_graph().get_operations()
           if not hasattr(op.op_def, "lower")]
    nodes = {n.name: n for n in tf.get_default_graph().as_graph_def().node}
    expected = [protos.text_format.MessageToString(nodes[op.name]) for op in ops]
    monkeypatch.setitem(sys.modules, "tensorboard.compat.proto", None)
    with pytest.raises(ImportError, match=r"minigraph\[tensorboard\]"):
        graphdef.import_protos()
    assert [str(op) for op in ops] == expected


def test_op_str_works_without_tensorboard(monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorboard.compat.proto", None)
    c = _example_graph()
    assert str(c.op) == ('name: "add"\nop: "AddV2"\ninput: "mul"\ninput: "add/y"\n'
                         'attr {\n  key: "T"\n  value {\n    type: DT_FLOAT\n  }\n}\n')
    with pytest.raises(ImportError, match="pip install"):
        c.graph.as_graph_def()
