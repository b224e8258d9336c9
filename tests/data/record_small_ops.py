"""Record values and gradients of the small sequence ops from real TensorFlow 1.x (by hand):
    TF_USE_LEGACY_KERAS=1 python tests/data/record_small_ops.py -> tests/data/small_ops_tf.json

Each case: an op applied to float64 `x`, its value, and the gradient of sum(out * w) w.r.t. x
for w = 1, 2, 3, ... in the output's shape. Also tf.where(cond)'s coordinates and dtype.
"""

import json
import os

import numpy as np
import tensorflow.compat.v1 as tf

X3 = np.arange(24, dtype=np.float64).reshape(2, 3, 4) * 0.5 - 3.0
CASES = {
    "gather_nd": (X3, lambda x: tf.gather_nd(x, [[1, 2], [0, 0], [1, 2]])),
    "gather_nd_elements": (X3, lambda x: tf.gather_nd(x, [[[0, 1, 2]], [[1, 0, 3]]])),
    "scatter_nd": (X3[0], lambda x: tf.scatter_nd([[1], [3], [1]], x, [5, 4])),
    "boolean_mask": (X3, lambda x: tf.boolean_mask(x, [[True, False, True], [False, True,
                                                                             True]])),
    "boolean_mask_axis": (X3, lambda x: tf.boolean_mask(x, [True, False, True, True],
                                                        axis=2)),
    "reverse_sequence": (X3, lambda x: tf.reverse_sequence(x, [3, 1, 2, 0], seq_axis=1,
                                                           batch_axis=2)),
    "segment_sum": (X3[0], lambda x: tf.segment_sum(x, [0, 0, 2])),
    "segment_mean": (X3[0], lambda x: tf.segment_mean(x, [0, 0, 2])),
    "unsorted_segment_max": (np.array([[1.0, 5.0], [3.0, 5.0], [3.0, -1.0], [0.5, 2.0]]),
                             lambda x: tf.unsorted_segment_max(x, [1, 1, 1, 0], 3)),
    "einsum_batch_matmul": (X3, lambda x: tf.einsum("bij,bkj->bik", x, x)),
    "einsum_transpose": (X3, lambda x: tf.einsum("bij->jbi", x)),
    "einsum_reduce": (X3, lambda x: tf.einsum("bij->j", x)),
    "einsum_outer_implicit": (X3[0, 0], lambda x: tf.einsum("i,j", x, x[:3])),
    "einsum_chain": (X3[0], lambda x: tf.einsum("ij,kj,kl->il", x, x, x)),
}


def main():
    tf.disable_v2_behavior()
    record = {"tensorflow_version": tf.__version__, "cases": {}}
    with tf.Session() as sess:
        for name, (x_value, build) in CASES.items():
            x = tf.constant(x_value)
            out = build(x)
            w = tf.reshape(tf.cast(tf.range(1, tf.size(out) + 1), tf.float64), tf.shape(out))
            grad = tf.gradients(tf.reduce_sum(out * w), x)[0]
            value, grad_value = sess.run([out, tf.convert_to_tensor(grad)])
            record["cases"][name] = {"x": x_value.tolist(), "output": value.tolist(),
                                     "gradient": grad_value.tolist()}
        coords = tf.where([[True, False, True], [False, False, True]])
        record["where"] = {"output": sess.run(coords).tolist(), "dtype": coords.dtype.name,
                           "type": coords.op.type}
    with open(os.path.join(os.path.dirname(__file__), "small_ops_tf.json"), "w") as f:
        json.dump(record, f, indent=1)


if __name__ == "__main__":
    main()
