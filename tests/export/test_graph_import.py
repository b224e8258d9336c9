"""tf.import_graph_def, MetaGraph files and tf.graph_util: TensorFlow's graphs in, ours out."""

import os

import numpy as np
import pytest

import minigraph as tf

pytest.importorskip("tensorboard")
DATA = os.path.join(os.path.dirname(__file__), "..", "data")
FROZEN = np.load(os.path.join(DATA, "tf_frozen.npz"))


def read_graph_def(name: str):
    path = os.path.join(DATA, name)
    if name.endswith(".pb"):
        with tf.gfile.GFile(path, "rb") as f:
            return tf.GraphDef.FromString(f.read())
    from google.protobuf import text_format

    with tf.gfile.GFile(path) as f:
        return text_format.Parse(f.read(), tf.GraphDef())


def test_a_frozen_graph_made_by_tensorflow_gives_tensorflows_numbers():
    graph_def = read_graph_def("tf_frozen_mlp.pb")
    x = tf.placeholder(tf.float32, [None, 4], name="images")
    probabilities, = tf.import_graph_def(graph_def, input_map={"x:0": x},
                                         return_elements=["probabilities:0"], name="mlp")
    assert probabilities.name == "mlp/probabilities:0"
    with tf.Session() as sess:
        out = sess.run(probabilities, {x: FROZEN["mlp/x"]})
    np.testing.assert_allclose(out, FROZEN["mlp/probabilities"], rtol=1e-6)


def test_tensorflows_cond_imports_as_a_cond_that_runs_one_branch():
    tf.import_graph_def(read_graph_def("tf_frozen_cond.pbtxt"), name="")
    graph = tf.get_default_graph()
    merge = graph.get_operation_by_name("choose/Merge")
    assert merge.type == "Merge"
    assert graph.get_operation_by_name("choose/Square").cond_context.branch is False
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run("out:0", {"x:0": [1.0, 2.0, 3.0]}),
                                   FROZEN["cond/positive"])
        np.testing.assert_allclose(sess.run("out:0", {"x:0": [-1.0, -2.0, 0.5]}),
                                   FROZEN["cond/negative"])


def test_default_prefix_return_elements_and_ops():
    a = tf.constant(2.0, name="a")
    tf.multiply(a, 3.0, name="b")
    graph_def = tf.get_default_graph().as_graph_def()
    with tf.Graph().as_default():
        b, b_op = tf.import_graph_def(graph_def, return_elements=["b:0", "b"])
        assert b.name == "import/b:0" and b_op is b.op
        again = tf.import_graph_def(graph_def, return_elements=["b:0"])[0]
        assert again.name == "import_1/b:0"
        with tf.Session() as sess:
            assert sess.run(b) == 6.0


def test_unsupported_ops_are_all_named_and_nothing_is_imported():
    graph_def = tf.GraphDef()
    for name, op in (("p", "Placeholder"), ("q", "FancyOp"), ("r", "OtherOp")):
        node = graph_def.node.add(name=name, op=op)
        node.attr["dtype"].type = 1
    with pytest.raises(ValueError) as info:
        tf.import_graph_def(graph_def)
    assert "FancyOp (e.g. node 'q')" in str(info.value) and "OtherOp" in str(info.value)
    assert "docs/tf1_compat.md" in str(info.value)
    assert tf.get_default_graph().get_operations() == []


def test_bad_input_map_and_return_elements_say_which_name():
    tf.constant(1.0, name="c")
    graph_def = tf.get_default_graph().as_graph_def()
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="input_map names \\['nope:0'\\]"):
            tf.import_graph_def(graph_def, input_map={"nope:0": tf.constant(2.0)})
        with pytest.raises(ValueError, match="'missing', which is not an op"):
            tf.import_graph_def(graph_def, return_elements=["missing"])


def test_minigraph_graphs_round_trip_through_a_graph_def():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    w = tf.Variable(np.arange(6, dtype=np.float32).reshape(3, 2), name="w")
    y = tf.cond(tf.reduce_sum(x) > 0, lambda: tf.matmul(x, w), lambda: -tf.matmul(x, w))
    loss = tf.reduce_mean(tf.square(y), axis=[0, 1], name="loss")
    grad = tf.gradients(loss, w)[0]
    tf.identity(grad, name="grad")
    feed = np.array([[1.0, -2.0, 4.0]], np.float32)
    with tf.Session() as sess:
        sess.run(w.initializer)
        expected = sess.run(["loss:0", "grad:0"], {x: feed})
    graph_def = tf.get_default_graph().as_graph_def()
    assert {"Switch", "DynamicStitch"} <= {n.op for n in graph_def.node}
    with tf.Graph().as_default() as graph:
        tf.import_graph_def(graph_def, name="")
        with tf.Session() as sess:
            sess.run("w/Assign")
            got = sess.run(["loss:0", "grad:0"], {"x:0": feed})
    np.testing.assert_allclose(got[0], expected[0], rtol=1e-6)
    np.testing.assert_allclose(got[1], expected[1], rtol=1e-6)
    assert graph.get_operation_by_name("loss").type == "Mean"


def test_meta_graph_restores_collections_variables_and_a_saver(tmp_path):
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    w = tf.Variable(np.ones((3, 2), np.float32), name="w")
    y = tf.matmul(x, w, name="y")
    tf.add_to_collection("outputs", y)
    step = tf.train.get_or_create_global_step()
    train = tf.train.GradientDescentOptimizer(0.5).minimize(tf.reduce_sum(y), global_step=step)
    tf.add_to_collection(tf.GraphKeys.TRAIN_OP, train)
    path = str(tmp_path / "model.meta")
    meta = tf.train.export_meta_graph(path)
    assert meta.saver_def.restore_op_name == "save/restore_all"
    assert {n.op for n in meta.graph_def.node} >= {"SaveV2", "RestoreV2"}
    with tf.Graph().as_default():
        saver = tf.train.import_meta_graph(path)
        assert isinstance(saver, tf.train.Saver)
        assert [v.op.name for v in tf.global_variables()] == ["w", "global_step"]
        assert [v.op.name for v in tf.trainable_variables()] == ["w"]
        assert tf.get_collection("outputs")[0].name == "y:0"
        assert not any(op.name.startswith("save/") for op in
                       tf.get_default_graph().get_operations())
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(tf.get_collection(tf.GraphKeys.TRAIN_OP)[0], {"x:0": np.ones((1, 3))})
            assert sess.run("global_step:0") == 1
            np.testing.assert_allclose(sess.run("w:0"), np.full((3, 2), 0.5))


def test_freezing_keeps_what_the_outputs_need_with_values_as_constants():
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    w = tf.Variable([[1.0], [2.0]], name="w")
    unused = tf.Variable(5.0, name="unused")
    y = tf.identity(tf.matmul(x, w), name="y")
    tf.train.AdamOptimizer(0.1).minimize(tf.reduce_sum(y) + unused)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(w.assign([[3.0], [4.0]]))
        frozen = tf.graph_util.convert_variables_to_constants(
            sess, tf.get_default_graph().as_graph_def(), ["y"])
    ops = {n.name: n.op for n in frozen.node}
    assert ops["w"] == "Const" and "unused" not in ops and not any("Adam" in n for n in ops)
    slim = tf.graph_util.remove_training_nodes(frozen, protected_nodes=["y"])
    assert "w/read" not in {n.name for n in slim.node} and "y" in {n.name for n in slim.node}
    for graph_def in (frozen, slim):
        with tf.Graph().as_default():
            out, = tf.import_graph_def(graph_def, return_elements=["y:0"], name="")
            with tf.Session() as sess:
                np.testing.assert_allclose(sess.run(out, {"x:0": [[1.0, 1.0]]}), [[7.0]])
    sub = tf.graph_util.extract_sub_graph(frozen, ["w"])
    assert [n.name for n in sub.node] == ["w"]
    with pytest.raises(ValueError, match="'nope' is not a node"):
        tf.graph_util.extract_sub_graph(frozen, ["nope"])


def test_gfile_reads_writes_and_lists(tmp_path):
    folder = str(tmp_path / "a" / "b")
    tf.gfile.MakeDirs(folder)
    with tf.gfile.GFile(os.path.join(folder, "f.txt"), "w") as f:
        f.write("hi")
    assert tf.io.gfile.exists(os.path.join(folder, "f.txt")) and tf.gfile.IsDirectory(folder)
    assert tf.gfile.ListDirectory(folder) == ["f.txt"]
    tf.gfile.Copy(os.path.join(folder, "f.txt"), os.path.join(folder, "g.txt"))
    with pytest.raises(FileExistsError, match="overwrite=True"):
        tf.gfile.Rename(os.path.join(folder, "f.txt"), os.path.join(folder, "g.txt"))
    assert sorted(tf.gfile.Glob(os.path.join(folder, "*.txt")))[-1].endswith("g.txt")


def test_exported_updates_wait_for_the_reads_they_would_race_with():
    """TF reads reference variables without copying: the export orders each update after the
    backward reads of its variable (minigraph's plan order), and after nothing else."""
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    w1 = tf.Variable(tf.ones([3, 4]), name="w1")
    w2 = tf.Variable(tf.ones([4, 1]), name="w2")
    loss = tf.reduce_sum(tf.matmul(tf.nn.relu(tf.matmul(x, w1)), w2))
    tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    tf.reduce_mean(tf.matmul(x, w1), name="eval_only")  # never run by a training step
    nodes = {n.name: list(n.input) for n in tf.get_default_graph().as_graph_def().node}
    update_w2 = nodes["GradientDescent/update_w2/ApplyGradientDescent"]
    assert "^gradients/MatMul_1_grad/MatMul" in update_w2  # dh = grad @ w2^T reads w2
    eval_matmul = tf.get_default_graph().get_operation_by_name("eval_only").inputs[0].op.name
    assert not any(i == "^" + eval_matmul for inputs in nodes.values() for i in inputs)
