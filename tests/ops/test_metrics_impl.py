"""tf.metrics against TensorFlow 1.x (tests/data/record_metrics.py -> metrics.json): variable
names and collections, value before/after updates, update_op results (update, then read),
and the reset by tf.local_variables_initializer()."""

import json
import pathlib

import numpy as np
import pytest

import minigraph as tf

DATA = json.loads((pathlib.Path(__file__).parent.parent / "data" / "metrics.json").read_text())
TF = DATA["values"]


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


@pytest.fixture
def graph():
    ph = {"labels": tf.placeholder(tf.int64, [None]), "scores": tf.placeholder(tf.float32, [None]),
          "classes": tf.placeholder(tf.int64, [None]),
          "predicted": tf.placeholder(tf.int64, [None]),
          "weights": tf.placeholder(tf.float32, [None])}
    return ph, build(ph)


def check(ours, theirs, where):
    for key in theirs:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=2e-6, atol=1e-6,
                                   err_msg=f"{where}: {key}")


def test_variables_are_local_metric_variables_with_tfs_names(graph):
    assert [v.name for v in tf.local_variables()] == TF["local_variables"]
    assert [v.name for v in tf.get_collection(tf.GraphKeys.METRIC_VARIABLES)] == \
        TF["metric_variables"]
    assert tf.global_variables() == [] and tf.trainable_variables() == []
    _, metrics = graph
    for key, (value, update) in metrics.items():
        if TF["update_names"][key].endswith("update_op:0"):
            assert update.name == TF["update_names"][key], key
            assert value.name == TF["value_names"][key], key


def test_values_updates_and_reset_match_tensorflow(sess, graph):
    ph, metrics = graph
    values = {k: v[0] for k, v in metrics.items()}
    updates = {k: v[1] for k, v in metrics.items()}
    sess.run(tf.local_variables_initializer())
    check(sess.run(values), TF["initial"], "initial")
    for i, batch in enumerate(DATA["batches"]):
        feed = {ph[k]: np.asarray(v) for k, v in batch.items()}
        check(sess.run(updates, feed), TF["updates"][i], f"update {i}")
        check(sess.run(values), TF["after"][i], f"after {i}")
    sess.run(tf.local_variables_initializer())
    check(sess.run(values), TF["reset"], "reset")


def test_collections_and_errors(sess):
    value, update = tf.metrics.accuracy([1, 2], [1, 3], metrics_collections=["m"],
                                        updates_collections=["u"])
    assert tf.get_collection("m") == [value] and tf.get_collection("u") == [update]
    with pytest.raises(ValueError, match="incompatible"):
        tf.metrics.accuracy([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="ROC or PR"):
        tf.metrics.auc([1, 0], [0.5, 0.2], curve="XY")
    scores = tf.placeholder(tf.float32, [2])
    _, update = tf.metrics.auc([1, 0], scores)
    sess.run(tf.local_variables_initializer())
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[0, 1\]"):
        sess.run(update, {scores: [1.5, 0.2]})


def test_accuracy_squeezes_a_trailing_unit_axis(sess):
    acc, update = tf.metrics.accuracy(tf.constant([[1], [2], [3]]), tf.constant([1, 2, 0]))
    sess.run(tf.local_variables_initializer())
    assert sess.run(update) == pytest.approx(2 / 3) and sess.run(acc) == pytest.approx(2 / 3)
