"""`tf.metrics`: streaming metrics as (value, update_op) pairs over local variables.

Lives here: the accumulator variables (in LOCAL_VARIABLES and METRIC_VARIABLES, zeroed by
`tf.local_variables_initializer()`), the counting metrics (true/false positives/negatives),
the ratio metrics built on them (precision, recall), the mean family (mean, accuracy,
mean_squared_error), auc over thresholds and mean_iou over a confusion matrix. All are
composites of ordinary ops. As in TF, `value` reads the accumulators and `update_op` adds the
batch and returns the metric computed from the updated accumulators (update, then read).
"""

from __future__ import annotations

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework.graph import GraphKeys, add_to_collections, control_dependencies
from ..framework.tensor import Tensor
from . import (array_ops, broadcast_ops, check_ops, comparison_ops, indexing_ops, linalg_ops,
               math_ops, shape_ops, state_ops, unary_ops)
from .constant_op import constant, convert_to_tensor
from .variables import Variable, variable_scope

__all__ = ["accuracy", "mean", "mean_squared_error", "precision", "recall", "auc", "mean_iou",
           "true_positives", "false_positives", "true_negatives", "false_negatives"]

F32 = _dtypes.float32


# -- helpers -------------------------------------------------------------------------------
def metric_variable(shape, dtype, name) -> Variable:
    """A zero-initialised local accumulator (LOCAL_VARIABLES and METRIC_VARIABLES)."""
    return Variable(lambda: array_ops.zeros(shape, dtype), trainable=False, name=name,
                    collections=[GraphKeys.LOCAL_VARIABLES, GraphKeys.METRIC_VARIABLES])


def safe_div(numerator, denominator, name) -> Tensor:
    """numerator / denominator, or 0 where the denominator is not positive (TF's div_no_nan
    after max(denominator, 0))."""
    positive = comparison_ops.greater(denominator, 0.0)
    divisor = comparison_ops.where(positive, denominator, array_ops.ones_like(denominator))
    return comparison_ops.where(positive, math_ops.divide(numerator, divisor),
                           array_ops.zeros_like(numerator), name=name)


def collect(value, update_op, metrics_collections, updates_collections) -> tuple:
    if metrics_collections:
        add_to_collections(metrics_collections, value)
    if updates_collections:
        add_to_collections(updates_collections, update_op)
    return value, update_op


def squeeze_pair(predictions, labels, weights=None) -> tuple:
    """Drop a trailing size-1 axis from whichever of predictions/labels has one rank more,
    and from weights of one rank more than the predictions (TF's squeezable dimensions)."""
    predictions = convert_to_tensor(predictions, name="predictions")
    if labels is not None:
        labels = convert_to_tensor(labels, name="labels")
        p_rank, l_rank = predictions.shape.ndims, labels.shape.ndims
        if p_rank is not None and l_rank is not None:
            if p_rank == l_rank + 1 and predictions.shape[-1].value == 1:
                predictions = shape_ops.squeeze(predictions, [-1])
            elif l_rank == p_rank + 1 and labels.shape[-1].value == 1:
                labels = shape_ops.squeeze(labels, [-1])
    if weights is not None:
        weights = convert_to_tensor(weights, name="weights")
        w_rank, p_rank = weights.shape.ndims, predictions.shape.ndims
        if w_rank is not None and p_rank is not None and w_rank == p_rank + 1 \
                and weights.shape[-1].value == 1:
            weights = shape_ops.squeeze(weights, [-1])
    return predictions, labels, weights


def broadcast_weights(weights, values) -> Tensor:
    """Weights (float32) broadcast to the values' shape."""
    weights = math_ops.cast(weights, F32)
    return math_ops.multiply(weights, array_ops.ones_like(values))


# -- the mean family -------------------------------------------------------------------------
def mean(values, weights=None, metrics_collections=None, updates_collections=None,
         name=None) -> tuple:
    """Running (weighted) mean: total / count over every batch seen since the reset.

    Example: `m, update = tf.metrics.mean(loss)`; run `update` per batch, then read `m`.
    """
    with variable_scope(name, "mean", [values, weights]):
        values = math_ops.cast(values, F32)
        total = metric_variable([], F32, "total")
        count = metric_variable([], F32, "count")
        if weights is None:
            num_values = math_ops.cast(shape_ops.size(values), F32)
        else:
            values, _, weights = squeeze_pair(values, None, weights)
            weights = broadcast_weights(weights, values)
            values = math_ops.multiply(values, weights)
            num_values = broadcast_ops.reduce_sum(weights)
        update_total = state_ops.assign_add(total, broadcast_ops.reduce_sum(values))
        with control_dependencies([values]):
            update_count = state_ops.assign_add(count, num_values)
        value = safe_div(total.value(), count.value(), "value")
        update_op = safe_div(update_total, update_count, "update_op")
        return collect(value, update_op, metrics_collections, updates_collections)


def accuracy(labels, predictions, weights=None, metrics_collections=None,
             updates_collections=None, name=None) -> tuple:
    """Running fraction of predictions equal to labels (weighted mean of the matches).

    Example: `acc, update = tf.metrics.accuracy(labels, tf.argmax(logits, 1))`.
    """
    predictions, labels, weights = squeeze_pair(predictions, labels, weights)
    if not predictions.shape.is_compatible_with(labels.shape):
        raise ValueError(f"Shapes {predictions.shape} and {labels.shape} are incompatible "
                         "(predictions vs labels in tf.metrics.accuracy).")
    if labels.dtype.base_dtype != predictions.dtype.base_dtype:
        predictions = math_ops.cast(predictions, labels.dtype.base_dtype)
    is_correct = math_ops.cast(comparison_ops.equal(predictions, labels), F32)
    return mean(is_correct, weights, metrics_collections, updates_collections,
                name or "accuracy")


def mean_squared_error(labels, predictions, weights=None, metrics_collections=None,
                       updates_collections=None, name=None) -> tuple:
    """Running (weighted) mean of (labels - predictions) ** 2.

    Example: `mse, update = tf.metrics.mean_squared_error(y, y_hat)`.
    """
    predictions, labels, weights = squeeze_pair(predictions, labels, weights)
    squared = math_ops.squared_difference(labels, predictions)
    return mean(squared, weights, metrics_collections, updates_collections,
                name or "mean_squared_error")


# -- counts and the ratios built on them -------------------------------------------------------
def count_condition(condition: Tensor, weights, metrics_collections,
                    updates_collections) -> tuple:
    """Running (weighted) number of true elements of a bool tensor."""
    count = metric_variable([], F32, "count")
    values = math_ops.cast(condition, F32)
    if weights is not None:
        values = math_ops.multiply(values, broadcast_weights(weights, values))
    value = array_ops.identity(count.value())
    update_op = state_ops.assign_add(count, broadcast_ops.reduce_sum(values))
    return collect(value, update_op, metrics_collections, updates_collections)


def make_counter(default_name: str, want_label: bool, want_prediction: bool):
    def counter(labels, predictions, weights=None, metrics_collections=None,
                updates_collections=None, name=None) -> tuple:
        with variable_scope(name, default_name, [predictions, labels, weights]):
            predictions, labels, weights = squeeze_pair(
                math_ops.cast(predictions, _dtypes.bool), math_ops.cast(labels, _dtypes.bool),
                weights)
            is_label = labels if want_label else comparison_ops.logical_not(labels)
            is_prediction = predictions if want_prediction else \
                comparison_ops.logical_not(predictions)
            condition = comparison_ops.logical_and(is_label, is_prediction)
            return count_condition(condition, weights, metrics_collections,
                                   updates_collections)

    counter.__name__ = default_name
    counter.__doc__ = (f"Running (weighted) count of {default_name.replace('_', ' ')}: label "
                       f"{want_label} and prediction {want_prediction}, both read as bools.\n\n"
                       f"    Example: `n, update = tf.metrics.{default_name}(labels, preds)`.\n")
    return counter


true_positives = make_counter("true_positives", True, True)
false_positives = make_counter("false_positives", False, True)
true_negatives = make_counter("true_negatives", False, False)
false_negatives = make_counter("false_negatives", True, False)


def ratio_metric(default_name: str, other, labels, predictions, weights, metrics_collections,
                 updates_collections, name) -> tuple:
    """tp / (tp + other) with its update op; 0 while the denominator is 0."""
    with variable_scope(name, default_name, [predictions, labels, weights]):
        predictions, labels, weights = squeeze_pair(
            math_ops.cast(predictions, _dtypes.bool), math_ops.cast(labels, _dtypes.bool),
            weights)
        tp, tp_update = true_positives(labels, predictions, weights)
        rest, rest_update = other(labels, predictions, weights)
        value = safe_div(tp, tp + rest, "value")
        update_op = safe_div(tp_update, tp_update + rest_update, "update_op")
        return collect(value, update_op, metrics_collections, updates_collections)


def precision(labels, predictions, weights=None, metrics_collections=None,
              updates_collections=None, name=None) -> tuple:
    """Running tp / (tp + fp) of bool-valued predictions against bool-valued labels.

    Example: `p, update = tf.metrics.precision(labels, tf.argmax(logits, 1))`.
    """
    return ratio_metric("precision", false_positives, labels, predictions, weights,
                        metrics_collections, updates_collections, name)


def recall(labels, predictions, weights=None, metrics_collections=None,
           updates_collections=None, name=None) -> tuple:
    """Running tp / (tp + fn) of bool-valued predictions against bool-valued labels.

    Example: `r, update = tf.metrics.recall(labels, tf.argmax(logits, 1))`.
    """
    return ratio_metric("recall", false_negatives, labels, predictions, weights,
                        metrics_collections, updates_collections, name)


# -- auc -----------------------------------------------------------------------------------------
def confusion_at_thresholds(labels, predictions, thresholds: list, weights) -> tuple:
    """Accumulators tp, fn, tn, fp (one entry per threshold, prediction > threshold)."""
    predictions, labels, weights = squeeze_pair(math_ops.cast(predictions, F32),
                                                math_ops.cast(labels, _dtypes.bool), weights)
    checks = [check_ops.assert_non_negative(predictions, message="predictions must be in "
                                            "[0, 1]"),
              check_ops.assert_less_equal(predictions, 1.0, message="predictions must be in "
                                          "[0, 1]")]
    with control_dependencies(checks):
        row = shape_ops.reshape(predictions, [1, -1])
    column = constant(np.asarray(thresholds, np.float32).reshape(-1, 1))
    pred_pos = comparison_ops.greater(row, column)                      # [thresholds, examples]
    label_pos = shape_ops.reshape(labels, [1, -1])
    weight_row = None
    if weights is not None:
        weight_row = shape_ops.reshape(broadcast_weights(weights, predictions), [1, -1])
    values, updates = {}, {}
    for key, name, want_label, want_pred in (("tp", "true_positives", True, True),
                                             ("fn", "false_negatives", True, False),
                                             ("tn", "true_negatives", False, False),
                                             ("fp", "false_positives", False, True)):
        var = metric_variable([len(thresholds)], F32, name)
        is_label = label_pos if want_label else comparison_ops.logical_not(label_pos)
        is_pred = pred_pos if want_pred else comparison_ops.logical_not(pred_pos)
        hits = math_ops.cast(comparison_ops.logical_and(is_label, is_pred), F32)
        if weight_row is not None:
            hits = hits * weight_row
        values[key] = var.value()
        updates[key] = state_ops.assign_add(var, broadcast_ops.reduce_sum(hits, 1))
    return values, updates


def auc_from_counts(counts: dict, curve: str, summation_method: str, name: str) -> Tensor:
    """Riemann sum of the ROC or PR curve through the per-threshold counts."""
    tp, fn, tn, fp = counts["tp"], counts["fn"], counts["tn"], counts["fp"]
    if curve == "PR" and summation_method == "careful_interpolation":
        return interpolate_pr_auc(tp, fp, fn, name)
    epsilon = 1.0e-6
    recall_at = math_ops.divide(tp + epsilon, tp + fn + epsilon)
    if curve == "ROC":
        x, y = math_ops.divide(fp, fp + tn + epsilon), recall_at
    else:
        x, y = recall_at, math_ops.divide(tp + epsilon, tp + fp + epsilon)
    width = x[:-1] - x[1:]
    if summation_method in ("trapezoidal", "careful_interpolation"):
        height = (y[:-1] + y[1:]) / 2.0
    elif summation_method == "minoring":
        height = math_ops.minimum(y[:-1], y[1:])
    else:
        height = math_ops.maximum(y[:-1], y[1:])
    return broadcast_ops.reduce_sum(width * height, name=name)


def interpolate_pr_auc(tp, fp, fn, name) -> Tensor:
    """PR AUC with precision interpolated between thresholds (Davis & Goadrich 2006)."""
    dtp = tp[:-1] - tp[1:]
    p = tp + fp
    slope = safe_div(dtp, p[:-1] - p[1:], None)
    intercept = tp[1:] - slope * p[1:]
    both = comparison_ops.logical_and(comparison_ops.greater(p[:-1], 0.0),
                                      comparison_ops.greater(p[1:], 0.0))
    ratio = comparison_ops.where(both, safe_div(p[:-1], p[1:], None), array_ops.ones_like(p[1:]))
    per_bucket = safe_div(slope * (dtp + intercept * unary_ops.log(ratio)), tp[1:] + fn[1:],
                          None)
    return broadcast_ops.reduce_sum(per_bucket, name=name)


def auc(labels, predictions, weights=None, num_thresholds=200, metrics_collections=None,
        updates_collections=None, curve="ROC", name=None, summation_method="trapezoidal",
        thresholds=None) -> tuple:
    """Running area under the ROC (or PR) curve of scores in [0, 1] against bool labels.

    Counts are kept at `num_thresholds` thresholds spread evenly over [0, 1] (plus -1e-7 and
    1 + 1e-7 at the ends), or at the given `thresholds`. summation_method is "trapezoidal",
    "careful_interpolation" (PR), "minoring" or "majoring".
    Example: `auc, update = tf.metrics.auc(labels, tf.sigmoid(logits))`.
    """
    if curve not in ("ROC", "PR"):
        raise ValueError(f"curve must be either ROC or PR, {curve!r} unknown.")
    if summation_method not in ("trapezoidal", "careful_interpolation", "minoring",
                                "majoring"):
        raise ValueError(f"Invalid summation_method: {summation_method!r}.")
    with variable_scope(name, "auc", [labels, predictions, weights]):
        if thresholds is not None:
            cuts = [0.0 - 1e-7] + sorted(float(t) for t in thresholds) + [1.0 + 1e-7]
        else:
            cuts = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            cuts = [0.0 - 1e-7] + cuts + [1.0 + 1e-7]
        values, updates = confusion_at_thresholds(labels, predictions, cuts, weights)
        value = auc_from_counts(values, curve, summation_method, "value")
        update_op = auc_from_counts(updates, curve, summation_method, "update_op")
        return collect(value, update_op, metrics_collections, updates_collections)


# -- mean_iou ------------------------------------------------------------------------------------
def mean_iou(labels, predictions, num_classes: int, weights=None, metrics_collections=None,
             updates_collections=None, name=None) -> tuple:
    """Mean over classes of intersection / union, from a running confusion matrix.

    Returns (mean_iou, update_op); as in TF, update_op adds the batch to the confusion
    matrix (float64, rows = labels, columns = predictions) and returns the matrix.
    Classes that never occur are left out of the mean.
    Example: `miou, update = tf.metrics.mean_iou(labels, predictions, num_classes=3)`.
    """
    with variable_scope(name, "mean_iou", [predictions, labels, weights]):
        predictions = convert_to_tensor(predictions, name="predictions")
        labels = convert_to_tensor(labels, name="labels")
        if not predictions.shape.is_compatible_with(labels.shape):
            raise ValueError(f"Shapes {predictions.shape} and {labels.shape} are "
                             "incompatible (predictions vs labels in tf.metrics.mean_iou).")
        total = metric_variable([num_classes, num_classes], _dtypes.float64,
                                "total_confusion_matrix")
        f64 = _dtypes.float64
        rows = indexing_ops.one_hot(shape_ops.reshape(labels, [-1]), num_classes, dtype=f64)
        cols = indexing_ops.one_hot(shape_ops.reshape(predictions, [-1]), num_classes, dtype=f64)
        if weights is not None:
            w = math_ops.cast(shape_ops.reshape(weights, [-1, 1]), f64)
            rows = rows * w
        update_op = state_ops.assign_add(total, linalg_ops.matmul(rows, cols,
                                                                transpose_a=True))
        matrix = math_ops.cast(total.value(), F32)
        over_rows = broadcast_ops.reduce_sum(matrix, 0)
        over_cols = broadcast_ops.reduce_sum(matrix, 1)
        diagonal = broadcast_ops.reduce_sum(matrix * np.eye(num_classes, dtype=np.float32), 1)
        denominator = over_rows + over_cols - diagonal
        present = comparison_ops.not_equal(denominator, 0.0)
        valid = broadcast_ops.reduce_sum(math_ops.cast(present, F32))
        iou = safe_div(diagonal, denominator, None)
        value = safe_div(broadcast_ops.reduce_sum(iou), valid, "value")
        return collect(value, update_op, metrics_collections, updates_collections)
