"""IndexedSlices: the gradient of gather/embedding_lookup, how such gradients add up, the
clip ops on them, against TF (tests/data/sparse_tf.json, recorded by
tests/data/record_sparse.py)."""

import json
import pathlib

import numpy as np

import minigraph as tf

TF = json.loads((pathlib.Path(__file__).resolve().parent.parent / "data" / "sparse_tf.json")
                .read_text())
TABLE = np.array(TF["table"], np.float32)


def test_gradients_of_two_lookups_are_concatenated_slices_as_tf():
    p = tf.constant(TABLE)
    a = tf.gather(p, [2, 0])
    b = tf.nn.embedding_lookup(p, [[5], [2]])
    g, = tf.gradients(tf.reduce_sum(a * 2.0) + tf.reduce_sum(b * b), [p])
    assert isinstance(g, tf.IndexedSlices)
    clipped, norm = tf.clip_by_global_norm([g], 1.0)
    assert isinstance(clipped[0], tf.IndexedSlices)
    expected = TF["gradients"]
    with tf.Session() as sess:
        value, c, n = sess.run([g, clipped[0], norm])
    assert value.indices.tolist() == expected["two"]["indices"]
    assert value.dense_shape.tolist() == expected["two"]["dense_shape"]
    np.testing.assert_allclose(value.values, expected["two"]["values"], rtol=1e-6)
    np.testing.assert_allclose(c.values, expected["clipped_values"], rtol=1e-6)
    assert c.indices.tolist() == expected["clipped_indices"]
    np.testing.assert_allclose(n, expected["norm"], rtol=1e-6)


def test_sparse_and_dense_gradients_add_up_densely():
    p = tf.constant(TABLE)
    g, = tf.gradients(tf.reduce_sum(tf.gather(p, [2, 0])) + tf.reduce_sum(p * p), [p])
    assert isinstance(g, tf.Tensor) and TF["gradients"]["mixed_type"].endswith("Tensor")
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(g), TF["gradients"]["mixed"], rtol=1e-6)
