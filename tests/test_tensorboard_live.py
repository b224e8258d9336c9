"""The real TensorBoard server loads minigraph's event files: runs, scalars and the graph.

One module-scoped server (about 2-3 s): written with tf.summary.FileWriter, started with
`python -m tensorboard.main --port 0`, queried over HTTP, terminated in a `finally`.
"""

import json
import queue
import re
import subprocess
import sys
import threading
import time
import types
import urllib.error
import urllib.parse
import urllib.request

import pytest

import minigraph as tf

pytest.importorskip("tensorboard")
from google.protobuf import text_format  # noqa: E402
from tensorboard.compat.proto import graph_pb2  # noqa: E402

DEADLINE = 30.0


def _write_run(logdir):
    """A training loop with a variable, gradients, an update and a control dependency."""
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 2], name="x")
        with tf.name_scope("model"):
            w = tf.Variable([[1.0], [2.0]], name="w")
            prediction = tf.reduce_sum(x * tf.reshape(w, [1, 2]), axis=1, name="prediction")
        total = tf.reduce_sum(prediction * prediction, name="total")
        grad, = tf.gradients(total, [w])
        with tf.name_scope("update"):
            step = tf.assign(w, w - 0.05 * grad)
        with tf.control_dependencies([step]):
            train = tf.group(total, name="train")
        tf.summary.scalar("loss", total)
        merged = tf.summary.merge_all()
        init = tf.global_variables_initializer()
        losses = []
        with tf.Session() as sess, tf.summary.FileWriter(logdir, graph) as writer:
            sess.run(init)
            for i in range(4):
                summary, value, _ = sess.run([merged, total, train], {x: [[1.0, 1.0]]})
                writer.add_summary(summary, global_step=i)
                losses.append(float(value))
    return graph.as_graph_def(), losses, train


def _get(url, path, **params):
    query = ("?" + urllib.parse.urlencode(params)) if params else ""
    with urllib.request.urlopen(url + path + query, timeout=10) as response:
        return response.read()


def _drain(stream, lines):
    for line in stream:
        lines.put(line)


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("tensorboard")
    graph_def, losses, train = _write_run(str(logdir / "run1"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "tensorboard.main", "--logdir", str(logdir), "--host",
         "127.0.0.1", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = queue.Queue()
        threading.Thread(target=_drain, args=(proc.stdout, lines), daemon=True).start()
        deadline, url, seen = time.monotonic() + DEADLINE, None, []
        while url is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or proc.poll() is not None:
                pytest.fail("TensorBoard did not print its URL:\n" + "".join(seen))
            try:
                seen.append(lines.get(timeout=remaining))
            except queue.Empty:
                continue
            match = re.search(r"(http://127\.0\.0\.1:\d+)/", seen[-1])
            url = match.group(1) if match else None
        info = {}
        while "run1" not in info:
            if time.monotonic() > deadline:
                pytest.fail(f"TensorBoard never listed run1 in graphs/info: {info}")
            try:
                info = json.loads(_get(url, "/data/plugin/graphs/info"))
            except (urllib.error.URLError, ConnectionError):
                pass
            if "run1" not in info:
                time.sleep(0.1)
        yield types.SimpleNamespace(url=url, graph_def=graph_def, losses=losses, info=info,
                                    train=train)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_run_is_listed(board):
    assert "run1" in json.loads(_get(board.url, "/data/runs"))
    assert board.info["run1"]["run_graph"] is True


def test_scalars_come_back(board):
    rows = json.loads(_get(board.url, "/data/plugin/scalars/scalars", run="run1", tag="loss"))
    assert [step for _, step, _ in rows] == [0, 1, 2, 3]
    assert [value for _, _, value in rows] == pytest.approx(board.losses, rel=1e-6)
    assert board.losses[0] == 9.0  # (1 + 2)^2 before the first update


def test_graph_comes_back_with_inputs_and_control_edges(board):
    text = _get(board.url, "/data/plugin/graphs/graph", run="run1").decode()
    served = text_format.Parse(text, graph_pb2.GraphDef())
    got = {n.name: (n.op, list(n.input)) for n in served.node}
    want = {n.name: (n.op, list(n.input)) for n in board.graph_def.node}
    assert got == want
    assert sorted(got["train"][1]) == ["^total", "^update/Assign"]
    assert "update/Assign" in [op.name for op in board.train.control_inputs]
    assert any(name.startswith("gradients/") for name in got)
    assert got["model/w"][0] == "VariableV2" and got["init"] == ("NoOp", ["^model/w/Assign"])
    nodes = {n.name: n for n in served.node}
    assert nodes["x"].attr["dtype"].type == 1
    assert [d.size for d in nodes["x"].attr["shape"].shape.dim] == [-1, 2]
    assert [d.size for d in nodes["total"].attr["_output_shapes"].list.shape[0].dim] == []
