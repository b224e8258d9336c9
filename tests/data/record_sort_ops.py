"""Record TF 1.x's tf.sort / tf.argsort (both directions, every axis of a 3-D tensor with
ties, and the gradient of a weighted sum of the sorted values). Run by hand with TensorFlow
installed; writes sort_ops.json for tests/ops/test_sort_ops.py.
"""

import json
import pathlib

import numpy as np

X = np.array([[[3.0, 1.0, 2.0, 1.0], [0.5, -2.0, 0.5, 4.0], [1.0, 1.0, -1.0, 0.0]],
              [[2.0, -3.0, 2.0, 7.0], [0.0, 0.0, 0.0, -0.5], [6.0, 5.0, 4.0, 3.0]]])
W = np.linspace(-1.0, 2.0, X.size).reshape(X.shape)


def record(tf):
    out = {}
    with tf.Graph().as_default(), tf.Session() as sess:
        x = tf.constant(X)
        for direction in ("ASCENDING", "DESCENDING"):
            for axis in (0, 1, 2, -1, -2):
                s = tf.sort(x, axis=axis, direction=direction)
                a = tf.argsort(x, axis=axis, direction=direction)
                grad, = tf.gradients(tf.reduce_sum(s * W), x)
                value, order, gvalue = sess.run([s, a, grad])
                out[f"{direction} {axis}"] = {"sorted": value.tolist(), "argsort": order.tolist(),
                                              "grad": gvalue.tolist(), "dtype": a.dtype.name}
    return out


if __name__ == "__main__":
    import tensorflow.compat.v1 as tf

    tf.disable_v2_behavior()
    data = {"tensorflow": tf.__version__, "x": X.tolist(), "w": W.tolist(), "cases": record(tf)}
    path = pathlib.Path(__file__).with_name("sort_ops.json")
    path.write_text(json.dumps(data) + "\n")
    print(len(data["cases"]), "cases written to", path)
