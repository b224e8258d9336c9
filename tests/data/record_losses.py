"""Record tf.losses and softmax cross-entropy values from real TensorFlow 1.x (run by hand).

Usage: TF_USE_LEGACY_KERAS=1 /path/to/tf-venv/bin/python tests/data/record_losses.py
Writes tests/data/losses.json: the inputs and every loss value (tests/ops/test_losses_tf.py).
"""

import json
import pathlib

import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()
OUT = pathlib.Path(__file__).with_name("losses.json")
rng = np.random.RandomState(0)
LOGITS = rng.randn(4, 3).round(3)
ONEHOT = np.eye(3)[[0, 2, 1, 2]]
PROBS = (1 / (1 + np.exp(-rng.randn(4, 3)))).round(3)
BINARY = (rng.rand(4, 3) > 0.5).astype(float)
WEIGHTS = [[1.0], [0.0], [2.0], [0.5]]
UNIT_A = rng.randn(4, 3)
UNIT_A = (UNIT_A / np.linalg.norm(UNIT_A, axis=1, keepdims=True)).round(4)
UNIT_B = rng.randn(4, 3)
UNIT_B = (UNIT_B / np.linalg.norm(UNIT_B, axis=1, keepdims=True)).round(4)
REDUCTIONS = ["none", "weighted_sum", "weighted_sum_over_batch_size", "weighted_mean",
              "weighted_sum_by_nonzero_weights"]


def cases():
    def f(value):
        return tf.constant(np.asarray(value, np.float32))

    logits, onehot, probs, binary = f(LOGITS), f(ONEHOT), f(PROBS), f(BINARY)
    out = {}
    for red in REDUCTIONS:
        for wname, w in (("w1", 1.0), ("wrow", f(WEIGHTS))):
            key = f"{red}/{wname}"
            # The cross-entropies have one loss per row: their weights have rank 1.
            wv = w if wname == "w1" else f([row[0] for row in WEIGHTS])
            out[f"softmax/{key}"] = tf.losses.softmax_cross_entropy(
                onehot, logits, weights=wv, label_smoothing=0.1, reduction=red)
            out[f"sparse/{key}"] = tf.losses.sparse_softmax_cross_entropy(
                [0, 2, 1, 2], logits, weights=wv, reduction=red)
            out[f"sigmoid/{key}"] = tf.losses.sigmoid_cross_entropy(
                binary, logits, weights=w, label_smoothing=0.2, reduction=red)
            out[f"mse/{key}"] = tf.losses.mean_squared_error(binary, probs, weights=w,
                                                             reduction=red)
            out[f"absdiff/{key}"] = tf.losses.absolute_difference(binary, probs, weights=w,
                                                                  reduction=red)
            out[f"huber/{key}"] = tf.losses.huber_loss(binary, logits, weights=w, delta=0.7,
                                                       reduction=red)
            out[f"log/{key}"] = tf.losses.log_loss(binary, probs, weights=w, reduction=red)
            out[f"hinge/{key}"] = tf.losses.hinge_loss(binary, logits, weights=w,
                                                       reduction=red)
            out[f"cosine/{key}"] = tf.losses.cosine_distance(f(UNIT_A), f(UNIT_B), axis=1,
                                                             weights=w, reduction=red)
    out["pairwise/w1"] = tf.losses.mean_pairwise_squared_error(binary, probs)
    out["pairwise/wrow"] = tf.losses.mean_pairwise_squared_error(binary, probs,
                                                                 weights=f(WEIGHTS))
    out["pairwise/zero"] = tf.losses.mean_pairwise_squared_error(binary, probs, weights=0.0)
    out["cosine_axis0"] = tf.losses.cosine_distance(f(UNIT_A), f(UNIT_B), axis=0)
    # softmax_cross_entropy_with_logits(_v2): labels cast to the logits' dtype, broadcast.
    nn = tf.nn
    out["xent/int_labels"] = nn.softmax_cross_entropy_with_logits_v2(
        labels=tf.constant(ONEHOT.astype(np.int32)), logits=logits)
    out["xent/labels_1NC"] = nn.softmax_cross_entropy_with_logits(
        labels=f(ONEHOT[None]), logits=logits)
    out["xent/labels_N1C"] = nn.softmax_cross_entropy_with_logits(
        labels=f(ONEHOT[:, None]), logits=logits)
    out["xent/labels_1C"] = nn.softmax_cross_entropy_with_logits_v2(
        labels=f(PROBS[:1]), logits=logits)
    # (TF cannot differentiate through broadcast labels: its gradient has the wrong shape.)
    return out


def main():
    fetches = cases()
    with tf.Session() as sess:
        values = sess.run(fetches)
    record = {"inputs": {"logits": LOGITS.tolist(), "onehot": ONEHOT.tolist(),
                         "probs": PROBS.tolist(), "binary": BINARY.tolist(),
                         "weights": WEIGHTS, "unit_a": UNIT_A.tolist(),
                         "unit_b": UNIT_B.tolist()},
              "tf_version": tf.__version__,
              "values": {k: np.asarray(v).tolist() for k, v in values.items()}}
    OUT.write_text(json.dumps(record, indent=0, sort_keys=True))
    print("wrote", OUT, len(values), "values")


if __name__ == "__main__":
    main()
