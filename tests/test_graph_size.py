"""zeros / ones / initializers / optimizer slots are a Fill of a scalar, as in TF: the graph
(and its GraphDef) does not grow with the variables, and nothing of a tensor's size is
allocated while building. TF's ops were recorded by tests/data/record_fill_graphs.py.
"""

import importlib.util
import json
import pathlib
import tracemalloc

import numpy as np
import pytest

import minigraph as tf
from minigraph.export.graph_def import node_def_text

DATA = pathlib.Path(__file__).resolve().parent / "data"
RECORDED = json.loads((DATA / "fill_graphs.json").read_text())["graphs"]
_spec = importlib.util.spec_from_file_location("record_fill_graphs",
                                               DATA / "record_fill_graphs.py")
builders = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(builders)


@pytest.mark.parametrize("build", builders.BUILDERS, ids=lambda b: b.__name__)
def test_zeros_and_ones_build_tf_ops(build):
    assert builders.fill_ops(tf, build) == RECORDED[build.__name__]


def build_embedding_with_adam():
    ids = tf.placeholder(tf.int32, [None])
    table = tf.get_variable("embedding", [4096, 1024])
    loss = tf.reduce_sum(tf.nn.embedding_lookup(table, ids) ** 2)
    return tf.train.AdamOptimizer(1e-3).minimize(loss), ids


def test_graph_of_a_4096x1024_adam_model_is_small_and_cheap_to_build():
    tracemalloc.start()
    try:
        build_embedding_with_adam()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * 2**20  # bytes; the three 16 MiB tables are not materialised
    text = sum(len(node_def_text(op)) for op in tf.get_default_graph().get_operations())
    assert text < 64 * 2**10  # a 48 MiB GraphDef when slots were dense constants


def test_binary_graph_def_of_the_adam_model_is_small():
    pytest.importorskip("tensorboard")
    build_embedding_with_adam()
    assert len(tf.get_default_graph().as_graph_def().SerializeToString()) < 64 * 2**10


def test_the_adam_model_trains_with_filled_slots():
    train, ids = build_embedding_with_adam()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        slots = [v for v in tf.global_variables() if "/Adam" in v.name]
        assert len(slots) == 2 and not any(sess.run(v).any() for v in slots)
        sess.run(train, {ids: [1, 2, 3]})
        m = sess.run(slots[0])
        assert m[1].any() and not m[0].any()


def test_huge_zeros_build_and_fail_only_when_run():
    z = tf.zeros([10**6, 10**6])
    assert z.shape.as_list() == [10**6, 10**6]
    small = tf.zeros([2, 3]) + 1.0
    with tf.Session() as sess:
        assert sess.run(small).sum() == 6.0
        with pytest.raises(tf.errors.ResourceExhaustedError,
                           match=r"OOM when allocating tensor with shape\[1000000,1000000\] "
                                 r"and type float32 in 'zeros'"):
            sess.run(z)
        assert sess.run(tf.reduce_sum(small)) == 6.0  # the session still works


def test_fill_values_fold_in_plans_when_small_and_run_when_big():
    small, big = tf.ones([50, 50]), tf.ones([2048, 1024])
    with tf.Session() as sess:
        assert [op.type for op in sess.plan_for([small], {}).step_ops] == []  # folded
        assert [op.type for op in sess.plan_for([big], {}).step_ops] == ["Fill"]
        np.testing.assert_array_equal(sess.run(small), np.ones((50, 50), np.float32))
        assert sess.run(big).sum() == 2048 * 1024
