"""Import minigraph's exported GraphDefs into real TensorFlow 1.x, run them, record the values.

Run by hand in a venv with TensorFlow, numpy and networkx (never in CI), from the repo root:
    TF_USE_LEGACY_KERAS=1 PYTHONPATH=. python tests/data/record_tf_import.py
For each case of tests/export/tf_import_cases.py: build the graph with minigraph, initialise
it and read its variables; import `graph.as_graph_def()` into TensorFlow with
tf.import_graph_def, load the same variable values, run the case's fetches, its training
op, then read every variable. Also import `tf.train.export_meta_graph()` with TF's
import_meta_graph: the variables come from its collections, the fetches must agree, and the
Saver it returns must save and restore. Writes tests/data/tf_import.npz (weights, feeds, TF's
values, the variable names TF found in the MetaGraph).
"""

import os
import shutil
import sys

import numpy as np
import tensorflow.compat.v1 as tf1

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "export"))
import minigraph as mg  # noqa: E402
from minigraph.export.graph_def import describe_value  # noqa: E402
from minigraph.export.lowering import renamed_tensors  # noqa: E402
import tf_import_cases  # noqa: E402


def record(name, build):
    mg.reset_default_graph()
    case = build()
    graph = mg.get_default_graph()
    variables = mg.global_variables()
    weights = {}
    if not case.get("no_init"):
        with mg.Session() as sess:
            sess.run(mg.global_variables_initializer())
            weights = {v.op.name: sess.run(v) for v in variables}
            weights.update(case.get("set", {}))
    graph_def = graph.as_graph_def().SerializeToString()
    # Fetch names as the exported GraphDef spells them (a loop's outputs are Exit nodes).
    renamed = renamed_tensors(graph, describe_value)
    stored_before = case["before"]
    stored_after = case.get("after") or [n + ":0" for n in weights]
    case = dict(case, before=[renamed.get(n, n) for n in case["before"]],
                after=[renamed.get(n, n) for n in stored_after])
    meta_graph = mg.train.export_meta_graph().SerializeToString()

    tf1.disable_v2_behavior()
    tf_graph = tf1.Graph()
    with tf_graph.as_default():
        gd = tf1.GraphDef.FromString(graph_def)
        tf1.import_graph_def(gd, name="")
        loads = [tf1.assign(tf_graph.get_tensor_by_name(n + ":0"), value)
                 for n, value in weights.items()]
        with tf1.Session(graph=tf_graph) as sess:
            sess.run(loads)
            feeds = {tf_graph.get_tensor_by_name(k): v for k, v in case["feeds"].items()}
            before = sess.run([tf_graph.get_tensor_by_name(n) for n in case["before"]], feeds)
            sess.run(tf_graph.get_operation_by_name(case["train"]), feeds)
            after = sess.run([tf_graph.get_tensor_by_name(n) for n in case["after"]], feeds)
    meta_before, meta_variables = run_meta_graph(meta_graph, case, weights)
    for a, b in zip(before, meta_before):
        np.testing.assert_array_equal(a, b)  # the MetaGraph path computes the same
    out = {f"{name}/meta_variables": np.array(meta_variables, dtype="S")}
    for k, v in weights.items():
        out[f"{name}/weight/{k}"] = v
    for k, v in case["feeds"].items():
        out[f"{name}/feed/{k}"] = v
    for n, v in zip(stored_before, before):
        v = np.asarray(v)
        out[f"{name}/before/{n}"] = v.astype("S") if v.dtype == object else v
    for n, v in zip(stored_after, after):
        out[f"{name}/after/{n}"] = np.asarray(v)
    return out


def run_meta_graph(meta_graph, case, weights):
    """tf.train.import_meta_graph in TF; its collections give the variables to load."""
    tf_graph = tf1.Graph()
    with tf_graph.as_default():
        meta = tf1.MetaGraphDef.FromString(meta_graph)
        saver = tf1.train.import_meta_graph(meta)
        variables = tf1.global_variables()
        loads = [tf1.assign(v, weights[v.op.name]) for v in variables if v.op.name in weights]
        with tf1.Session(graph=tf_graph) as sess:
            sess.run(loads)
            feeds = {tf_graph.get_tensor_by_name(k): v for k, v in case["feeds"].items()}
            before = sess.run([tf_graph.get_tensor_by_name(n) for n in case["before"]], feeds)
            if variables and not case.get("no_init"):
                saver.save(sess, os.path.join(HERE, "tmp_meta_check", "model"))
                saver.restore(sess, os.path.join(HERE, "tmp_meta_check", "model"))
    return before, [v.op.name for v in variables]


def record_repeatedly(name, build):
    """Record, and for cases that ask, check that TF gives the same values every time."""
    first = record(name, build)
    repeats = _repeats(build)
    for _ in range(repeats - 1):
        again = record(name, build)
        for key, value in first.items():
            np.testing.assert_array_equal(value, again[key], err_msg=key)
    return first


def _repeats(build) -> int:
    mg.reset_default_graph()
    return build().get("repeat", 1)


def main():
    data = {"tensorflow_version": np.array(tf1.__version__)}
    for name, build in tf_import_cases.CASES.items():
        data.update(record_repeatedly(name, build))
        print("recorded", name)
    np.savez(os.path.join(HERE, "tf_import.npz"), **data)
    shutil.rmtree(os.path.join(HERE, "tmp_meta_check"), ignore_errors=True)


if __name__ == "__main__":
    main()
