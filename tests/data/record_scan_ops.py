"""Record TF 1.x's tf.cumsum / tf.cumprod values and gradients (every exclusive/reverse
combination, positive and negative axes, int32 and float64). Run by hand with TensorFlow
installed; writes scan_ops.json, which tests/ops/test_reduction_ops.py compares against.
"""

import itertools
import json
import pathlib

import numpy as np

X = (np.arange(12, dtype=np.float64).reshape(3, 4) % 5 + 1) * np.array([1, -0.5, 2, 0.25])
W = np.linspace(-1.0, 1.0, 12).reshape(3, 4)  # weights of the summed output (for gradients)
CASES = [(op, axis, exclusive, reverse)
         for op in ("cumsum", "cumprod") for axis in (0, 1, -1)
         for exclusive, reverse in itertools.product((False, True), repeat=2)]


def key(op, axis, exclusive, reverse) -> str:
    return f"{op} axis={axis} exclusive={exclusive} reverse={reverse}"


def record(tf):
    out = {}
    with tf.Graph().as_default(), tf.Session() as sess:
        x = tf.constant(X)
        xi = tf.constant(X.astype(np.int32) * 2 + 1)
        for op, axis, exclusive, reverse in CASES:
            fn = getattr(tf, op)
            y = fn(x, axis=axis, exclusive=exclusive, reverse=reverse)
            grad, = tf.gradients(tf.reduce_sum(y * W), x)
            yi = fn(xi, axis=axis, exclusive=exclusive, reverse=reverse)
            value, gvalue, ivalue = sess.run([y, grad, yi])
            out[key(op, axis, exclusive, reverse)] = {
                "value": value.tolist(), "grad": gvalue.tolist(), "int32": ivalue.tolist(),
                "op_type": y.op.type}
    return out


if __name__ == "__main__":
    import tensorflow.compat.v1 as tf

    tf.disable_v2_behavior()
    data = {"tensorflow": tf.__version__, "x": X.tolist(), "w": W.tolist(), "cases": record(tf)}
    path = pathlib.Path(__file__).with_name("scan_ops.json")
    path.write_text(json.dumps(data) + "\n")
    print(len(data["cases"]), "cases written to", path)
