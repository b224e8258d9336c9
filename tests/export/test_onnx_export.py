"""ONNX export: ONNX Runtime runs the exported forward graph and gives minigraph's outputs.

Each model is exported with minigraph.onnx.export (which runs onnx.checker), run by ONNX
Runtime, and compared with minigraph's own run at rtol 1e-5.
"""

import numpy as np
import pytest

import minigraph as tf

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
import minigraph.onnx as mg_onnx  # noqa: E402


def assert_onnx_runtime_agrees(inputs, outputs, feeds, tmp_path, sess=None):
    """Export, check the file with onnx.checker, run it in ONNX Runtime, compare."""
    own = sess or tf.Session()
    if sess is None:
        own.run(tf.global_variables_initializer())
    expected = own.run(outputs, dict(zip(inputs, feeds)))
    path = str(tmp_path / "model.onnx")
    mg_onnx.export(own, inputs, outputs, path)
    onnx.checker.check_model(onnx.load(path))
    runtime = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    got = runtime.run(None, {t.name: v for t, v in zip(inputs, feeds)})
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-6)
    return got


def test_mlp_classifier(tmp_path):
    x = tf.placeholder(tf.float32, [None, 6], name="x")
    h = tf.layers.dense(x, 16, activation=tf.nn.relu, name="hidden")
    logits = tf.layers.dense(h, 4, name="logits")
    probabilities = tf.nn.softmax(logits)
    classes = tf.argmax(logits, axis=1)
    feed = np.random.default_rng(0).standard_normal((5, 6)).astype(np.float32)
    assert_onnx_runtime_agrees([x], [probabilities, classes], [feed], tmp_path)


def test_many_elementwise_shape_and_reduction_ops(tmp_path):
    x = tf.placeholder(tf.float32, [None, 4], name="x")
    ids = tf.placeholder(tf.int32, [None], name="ids")
    table = tf.Variable(np.arange(20, dtype=np.float32).reshape(5, 4), name="table")
    a = tf.nn.embedding_lookup(table, ids) * tf.nn.sigmoid(x) - tf.square(x)
    b = tf.concat([tf.transpose(a), tf.transpose(tf.nn.relu6(a * 3.0))], axis=1)
    c = tf.reduce_mean(tf.reshape(b, [-1, 2]), axis=0, keepdims=True)
    d = tf.reduce_sum(tf.maximum(a, 0.5) + tf.rsqrt(tf.abs(a) + 1.0), axis=1)
    e = tf.squeeze(tf.expand_dims(d, 1), axis=[1]) + tf.reduce_max(a[:, 1:3], axis=1)
    e = e + tf.reduce_sum(a[..., tf.newaxis, 1:], axis=[1, 2]) + a[::-1, -1]
    f = tf.stack([tf.exp(-tf.abs(d)), tf.log1p(tf.abs(e))], 1)
    g = tf.pad(tf.tile(f, [1, 2]), [[0, 1], [2, 0]])
    h = tf.one_hot(ids, 5) + tf.cast(tf.greater(tf.reduce_prod(x[:, :1], 1, keepdims=True), 0.),
                                     tf.float32)
    rng = np.random.default_rng(1)
    feeds = [rng.standard_normal((3, 4)).astype(np.float32), np.array([4, 0, 2], np.int32)]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert_onnx_runtime_agrees([x, ids], [a, b, c, d, e, f, g, h], feeds, tmp_path, sess)


def test_unrolled_lstm_step_with_split_and_unstack(tmp_path):
    x = tf.placeholder(tf.float32, [2, 3, 5], name="sequence")
    kernel = tf.Variable(np.random.default_rng(2).standard_normal((9, 16)).astype(np.float32))
    state_c = state_h = tf.zeros([2, 4])
    for step in tf.unstack(x, axis=1):
        gates = tf.matmul(tf.concat([step, state_h], 1), kernel)
        i, j, f, o = tf.split(gates, 4, axis=1)
        state_c = state_c * tf.sigmoid(f + 1.0) + tf.sigmoid(i) * tf.tanh(j)
        state_h = tf.tanh(state_c) * tf.sigmoid(o)
    feed = np.random.default_rng(3).standard_normal((2, 3, 5)).astype(np.float32)
    assert_onnx_runtime_agrees([x], [state_h], [feed], tmp_path)


@pytest.mark.skipif(not hasattr(tf.nn, "conv2d"), reason="needs the convolution ops")
def test_small_cnn_with_convolution_pooling_and_batch_norm(tmp_path):
    x = tf.placeholder(tf.float32, [None, 8, 8, 1], name="images")
    rng = np.random.default_rng(4)
    k1 = tf.Variable(rng.standard_normal((3, 3, 1, 4)).astype(np.float32))
    h = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, k1, [1, 1, 1, 1], "SAME"), [0.1] * 4))
    h = tf.nn.max_pool(h, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
    k2 = tf.Variable(rng.standard_normal((3, 3, 4, 2)).astype(np.float32))
    h = tf.nn.conv2d(h, k2, [1, 2, 2, 1], "VALID")
    h = tf.nn.avg_pool(tf.nn.relu(h), [1, 1, 1, 1], [1, 1, 1, 1], "SAME")
    logits = tf.layers.dense(tf.reshape(h, [-1, 2]), 3)
    feed = rng.standard_normal((2, 8, 8, 1)).astype(np.float32)
    assert_onnx_runtime_agrees([x], [logits], [feed], tmp_path)


def test_an_op_without_a_rule_is_named(tmp_path):
    x = tf.placeholder(tf.float32, [3], name="x")
    y = tf.cond(x[0] > 0, lambda: x, lambda: -x)
    with tf.Session() as sess:
        with pytest.raises(ValueError, match="ONNX export has no rule for .*node"):
            mg_onnx.export(sess, [x], [y])


def test_core_import_does_not_need_onnx():
    import subprocess
    import sys

    code = ("import sys\nsys.modules['onnx'] = None\nimport minigraph\n"
            "try:\n    import minigraph.onnx as m\n    m.export(None, [], [])\n"
            "except ImportError as e:\n    print('extra' in str(e))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "True", out.stderr


@pytest.mark.parametrize("cell_kind", ["lstm", "gru", "multi"])
def test_dynamic_rnn_exports_as_an_onnx_loop(cell_kind, tmp_path):
    x = tf.placeholder(tf.float32, [3, 6, 4], name="sequences")
    cells = {"lstm": lambda: tf.nn.rnn_cell.LSTMCell(5, use_peepholes=True),
             "gru": lambda: tf.nn.rnn_cell.GRUCell(5),
             "multi": lambda: tf.nn.rnn_cell.MultiRNNCell(
                 [tf.nn.rnn_cell.BasicLSTMCell(5), tf.nn.rnn_cell.BasicRNNCell(3)])}
    outputs, _ = tf.nn.dynamic_rnn(cells[cell_kind](), x, dtype=tf.float32,
                                   sequence_length=[6, 2, 4])
    logits = tf.layers.dense(outputs[:, -1], 2)
    feed = np.random.default_rng(6).standard_normal((3, 6, 4)).astype(np.float32)
    assert_onnx_runtime_agrees([x], [outputs, logits], [feed], tmp_path)
    model = onnx.load(str(tmp_path / "model.onnx"))
    assert "Loop" in {node.op_type for node in model.graph.node}


def test_while_loop_scan_and_map_fn_export_as_loops(tmp_path):
    x = tf.placeholder(tf.float32, [4, 3], name="x")
    _, total = tf.while_loop(lambda i, a: tf.reduce_sum(a) < 50.0,
                             lambda i, a: (i + 1, a * 2.0 + x[0]), [0, tf.ones([3])])
    running = tf.scan(lambda a, row: a * 0.5 + row, x, initializer=tf.zeros([3]))
    mapped = tf.map_fn(lambda row: tf.reduce_max(row), x)
    feed = np.arange(12, dtype=np.float32).reshape(4, 3) / 4
    assert_onnx_runtime_agrees([x], [total, running, mapped], [feed], tmp_path)


def test_gather_nd_and_scatter_nd(tmp_path):
    x = tf.placeholder(tf.float32, [3, 4], name="x")
    picked = tf.gather_nd(x, [[2, 1], [0, 3], [2, 1]])
    rows = tf.gather_nd(x, tf.constant([[1], [0]], tf.int64))
    spread = tf.scatter_nd([[1], [3], [1]], x[:, :2], [5, 2])  # repeated index 1 adds up
    assert picked.op.type == "GatherNd" and spread.op.type == "ScatterNd"
    feed = np.arange(12, dtype=np.float32).reshape(3, 4)
    assert_onnx_runtime_agrees([x], [picked, rows, spread], [feed], tmp_path)
