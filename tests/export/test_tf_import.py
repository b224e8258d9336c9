"""Graphs exported by minigraph run in real TensorFlow 1.x and give minigraph's numbers.

tests/data/record_tf_import.py imported each case's `as_graph_def()` into TensorFlow with
tf.import_graph_def, loaded minigraph's initial variable values, ran the fetches and one
training step, and stored TF's values in tests/data/tf_import.npz. Here minigraph runs the
same graphs from the same values and must agree; every graph the suite builds is also
checked against TF's op registry (tests/conftest.py).
"""

import os

import numpy as np
import pytest

import minigraph as tf
from tf_import_cases import CASES

DATA = np.load(os.path.join(os.path.dirname(__file__), "..", "data", "tf_import.npz"))


def recorded(case: str, kind: str) -> dict:
    prefix = f"{case}/{kind}/"
    return {k[len(prefix):]: DATA[k] for k in DATA.files if k.startswith(prefix)}


@pytest.mark.parametrize("case", sorted(CASES))
def test_minigraph_matches_tensorflow_running_the_exported_graph(case):
    spec = CASES[case]()
    graph = tf.get_default_graph()
    weights, tf_before, tf_after = (recorded(case, k) for k in ("weight", "before", "after"))
    feeds = {graph.get_tensor_by_name(k): v for k, v in recorded(case, "feed").items()}
    with tf.Session() as sess:
        if not spec.get("no_init"):
            sess.run(tf.global_variables_initializer())
        for name, value in weights.items():
            variable = next(v for v in tf.global_variables() if v.op.name == name)
            variable.load(value, sess)
        before = sess.run([graph.get_tensor_by_name(n) for n in spec["before"]], feeds)
        sess.run(graph.get_operation_by_name(spec["train"]), feeds)
        after_names = spec.get("after") or [n + ":0" for n in weights]
        after = sess.run([graph.get_tensor_by_name(n) for n in after_names], feeds)
    assert list(tf_before) == spec["before"] and sorted(tf_after) == sorted(after_names)
    # TF's import_meta_graph found minigraph's variables in the MetaGraph's collections.
    assert [n.decode() for n in DATA[f"{case}/meta_variables"]] == [
        v.op.name for v in tf.global_variables()]
    for name, value in zip(spec["before"], before):
        value = np.asarray(value)
        if value.dtype == object:  # strings: TF's values were stored as bytes
            value = value.astype("S")
        if value.dtype.kind == "f":
            np.testing.assert_allclose(value, tf_before[name], rtol=1e-6, atol=1e-7, err_msg=name)
        else:
            np.testing.assert_array_equal(value, tf_before[name], err_msg=name)
    for name, value in zip(after_names, after):
        assert np.all(np.isfinite(value)), name
        np.testing.assert_allclose(value, tf_after[name], rtol=1e-6, atol=1e-7, err_msg=name)
