"""Record tf.metrics values from real TensorFlow 1.x (run by hand).

Usage: TF_USE_LEGACY_KERAS=1 /path/to/tf-venv/bin/python tests/data/record_metrics.py
Writes tests/data/metrics.json: two batches of inputs and, for every metric, the value read
before any update, the update_op result and the value after each batch, the local variable
names, and the values after tf.local_variables_initializer() resets them.
"""

import json
import pathlib

import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()
OUT = pathlib.Path(__file__).with_name("metrics.json")
rng = np.random.RandomState(7)
BATCHES = []
for _ in range(2):
    labels = rng.randint(0, 2, size=8)
    scores = rng.rand(8).round(3)
    classes = rng.randint(0, 3, size=8)
    predicted = rng.randint(0, 3, size=8)
    weights = rng.choice([0.0, 0.5, 1.0, 2.0], size=8)
    BATCHES.append({"labels": labels.tolist(), "scores": scores.tolist(),
                    "classes": classes.tolist(), "predicted": predicted.tolist(),
                    "weights": weights.tolist()})


def build(p):
    labels, scores = p["labels"], p["scores"]
    binary = tf.cast(scores > 0.5, tf.int64)
    w = p["weights"]
    m = tf.metrics
    return {
        "accuracy": m.accuracy(p["classes"], p["predicted"]),
        "accuracy_w": m.accuracy(p["classes"], p["predicted"], weights=w),
        "mean": m.mean(scores),
        "mean_w": m.mean(scores, weights=w),
        "precision": m.precision(labels, binary),
        "precision_w": m.precision(labels, binary, weights=w),
        "recall": m.recall(labels, binary),
        "recall_w": m.recall(labels, binary, weights=w),
        "auc": m.auc(labels, scores),
        "auc_w": m.auc(labels, scores, weights=w, num_thresholds=50),
        "auc_pr": m.auc(labels, scores, curve="PR", summation_method="trapezoidal"),
        "auc_pr_careful": m.auc(labels, scores, curve="PR",
                                summation_method="careful_interpolation"),
        "auc_minoring": m.auc(labels, scores, summation_method="minoring"),
        "auc_majoring": m.auc(labels, scores, summation_method="majoring"),
        "mse": m.mean_squared_error(tf.cast(labels, tf.float32), scores),
        "mse_w": m.mean_squared_error(tf.cast(labels, tf.float32), scores, weights=w),
        "mean_iou": m.mean_iou(p["classes"], p["predicted"], num_classes=3),
        "mean_iou_w": m.mean_iou(p["classes"], p["predicted"], num_classes=3, weights=w),
        "tp": m.true_positives(labels, binary),
        "fp": m.false_positives(labels, binary),
        "tn": m.true_negatives(labels, binary),
        "fn": m.false_negatives(labels, binary, weights=w),
    }


def main():
    placeholders = {
        "labels": tf.placeholder(tf.int64, [None]), "scores": tf.placeholder(tf.float32, [None]),
        "classes": tf.placeholder(tf.int64, [None]),
        "predicted": tf.placeholder(tf.int64, [None]),
        "weights": tf.placeholder(tf.float32, [None])}
    metrics = build(placeholders)
    out = {"local_variables": [v.name for v in tf.local_variables()],
           "metric_variables": [v.name for v in tf.get_collection(
               tf.GraphKeys.METRIC_VARIABLES)],
           "value_names": {k: v[0].name for k, v in metrics.items()},
           "update_names": {k: v[1].name for k, v in metrics.items()}}
    values = {k: v[0] for k, v in metrics.items()}
    updates = {k: v[1] for k, v in metrics.items()}
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        out["initial"] = sess.run(values)
        out["updates"], out["after"] = [], []
        for batch in BATCHES:
            feed = {placeholders[k]: np.asarray(v) for k, v in batch.items()}
            out["updates"].append(sess.run(updates, feed))
            out["after"].append(sess.run(values))
        sess.run(tf.local_variables_initializer())
        out["reset"] = sess.run(values)
    record = {"batches": BATCHES, "tf_version": tf.__version__,
              "values": json.loads(json.dumps(out, default=lambda a: np.asarray(a).tolist()))}
    OUT.write_text(json.dumps(record, indent=0, sort_keys=True))
    print("wrote", OUT)


if __name__ == "__main__":
    main()
