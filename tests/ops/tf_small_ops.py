"""Shared by the small-op tests: the cases recorded from TensorFlow (tests/data/
record_small_ops.py) rebuilt with minigraph, and a check of value and gradient."""

import json
import os

import numpy as np

import minigraph as tf

with open(os.path.join(os.path.dirname(__file__), "..", "data", "small_ops_tf.json")) as f:
    TF = json.load(f)


def check_recorded(sess, case, build, op_type=None):
    """Build the recorded case, compare value and gradient of sum(out * (1, 2, 3, ...))."""
    record = TF["cases"][case]
    x = tf.constant(np.array(record["x"], np.float64))
    out = build(x)
    if op_type is not None:
        assert out.op.type == op_type
    w = tf.reshape(tf.cast(tf.range(1, tf.size(out) + 1), tf.float64), tf.shape(out))
    grad = tf.gradients(tf.reduce_sum(out * w), x)[0]
    value, grad_value = sess.run([out, tf.convert_to_tensor(grad)])
    np.testing.assert_allclose(value, record["output"], rtol=1e-12)
    np.testing.assert_allclose(grad_value, record["gradient"], rtol=1e-12)
    return out
