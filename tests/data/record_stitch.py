"""Record tf.dynamic_stitch values and gradients from real TensorFlow 1.x (run by hand):
    TF_USE_LEGACY_KERAS=1 python tests/data/record_stitch.py  -> tests/data/stitch_tf.json
"""

import json
import os

import numpy as np
import tensorflow.compat.v1 as tf


def main():
    tf.disable_v2_behavior()
    indices = [[[0, 3]], [1, 4], [3]]
    data = [np.array([[[1, 2], [3, 4]]], np.float32), np.array([[5, 6], [7, 8]], np.float32),
            np.array([[9, 10]], np.float32)]
    with tf.Session() as sess:
        data_t = [tf.constant(d) for d in data]
        out = tf.dynamic_stitch(indices, data_t)
        weights = tf.constant(np.arange(10, dtype=np.float32).reshape(5, 2))
        grads = tf.gradients(tf.reduce_sum(out * weights), data_t)
        value, grad_values = sess.run([out, grads])
    record = {"indices": indices, "data": [d.tolist() for d in data],
              "output": value.tolist(), "gradients": [g.tolist() for g in grad_values],
              "tensorflow_version": tf.__version__}
    with open(os.path.join(os.path.dirname(__file__), "stitch_tf.json"), "w") as f:
        json.dump(record, f, indent=1)


if __name__ == "__main__":
    main()
