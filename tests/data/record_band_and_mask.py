"""Record TF 1.x's tf.matrix_band_part (values and gradients, batched, -1 = keep all) and
tf.sequence_mask (default maxlen, given maxlen, 2-D lengths, dtype). Run by hand with
TensorFlow installed; writes band_and_mask.json for tests/ops/test_linalg_ops.py and
tests/ops/test_nn_impl.py.
"""

import json
import pathlib

import numpy as np

M = np.arange(2 * 3 * 4, dtype=np.float64).reshape(2, 3, 4) - 7.5
W = np.linspace(-2.0, 2.0, 24).reshape(2, 3, 4)
BANDS = [(0, 0), (1, 0), (0, 1), (-1, 0), (0, -1), (1, 2), (-1, -1)]
MASKS = {"lengths [1, 3, 2]": ([1, 3, 2], None, None),
         "maxlen 5": ([1, 3, 2], 5, None),
         "2-D lengths": ([[0, 2], [3, 1]], None, None),
         "float32": ([2, 0], 3, "float32"),
         "maxlen 0": ([1, 2], 0, None)}


def record(tf):
    out = {"band": {}, "mask": {}}
    with tf.Graph().as_default(), tf.Session() as sess:
        m = tf.constant(M)
        for lower, upper in BANDS:
            y = tf.matrix_band_part(m, lower, upper)
            grad, = tf.gradients(tf.reduce_sum(y * W), m)
            value, gvalue = sess.run([y, grad])
            out["band"][f"{lower} {upper}"] = {"value": value.tolist(), "grad": gvalue.tolist(),
                                               "op_type": y.op.type}
        for label, (lengths, maxlen, dtype) in MASKS.items():
            mask = tf.sequence_mask(lengths, maxlen, dtype=getattr(tf, dtype or "bool"))
            out["mask"][label] = {"value": sess.run(mask).tolist(), "dtype": mask.dtype.name,
                                  "shape": mask.shape.as_list()}
    return out


if __name__ == "__main__":
    import tensorflow.compat.v1 as tf

    tf.disable_v2_behavior()
    data = {"tensorflow": tf.__version__, "m": M.tolist(), "w": W.tolist(), **record(tf)}
    path = pathlib.Path(__file__).with_name("band_and_mask.json")
    path.write_text(json.dumps(data) + "\n")
    print(json.dumps(data["mask"]))
