"""DynamicPartition, and sharded embedding lookups (partition_strategy "mod" and "div")
against TF (tests/data/sparse_tf.json, recorded by tests/data/record_sparse.py)."""

import json
import pathlib

import numpy as np
import pytest

import minigraph as tf
from minigraph.gradient_checker import check_gradients

TF = json.loads((pathlib.Path(__file__).resolve().parent.parent / "data" / "sparse_tf.json")
                .read_text())
TABLE = np.array(TF["table"], np.float32)


def test_dynamic_partition_and_stitch_forward_and_gradients():
    data = tf.placeholder(tf.float64, [4, 2])
    parts = tf.dynamic_partition(data, [1, 0, 1, 1], 2)
    assert parts[0].op.type == "DynamicPartition"
    merged = tf.dynamic_stitch([[1], [0, 2, 3]], [parts[0], parts[1] * 2.0])
    assert merged.op.type == "DynamicStitch"
    value = np.arange(8.0).reshape(4, 2)
    with tf.Session() as sess:
        p0, p1, m = sess.run(parts + [merged], {data: value})
        np.testing.assert_array_equal(p0, value[[1]])
        np.testing.assert_array_equal(p1, value[[0, 2, 3]])
        np.testing.assert_array_equal(m, value * [[2], [1], [2], [2]])
        check_gradients(parts[1] * parts[1], [data], [value])
        check_gradients(merged * merged, [data], [value])


@pytest.mark.parametrize("strategy", ["mod", "div"])
def test_partitioned_lookup_and_its_sparse_gradients(strategy):
    shards = [tf.constant(TABLE[:2]), tf.constant(TABLE[2:4]), tf.constant(TABLE[4:])]
    rows = tf.nn.embedding_lookup(shards, tf.constant([[0, 5], [3, 1]]),
                                  partition_strategy=strategy)
    grads = tf.gradients(tf.reduce_sum(rows * rows), shards)
    expected = TF["partitioned"][strategy]
    assert all(isinstance(g, tf.IndexedSlices) for g in grads)
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(rows), expected["rows"], rtol=1e-6)
        dense = sess.run([tf.convert_to_tensor(g) for g in grads])
    for got, want in zip(dense, expected["grads"]):
        np.testing.assert_allclose(got, want, rtol=1e-6)
