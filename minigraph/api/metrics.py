"""`tf.metrics`: streaming metrics as (value, update_op) pairs (defined in ops/metrics_impl.py)."""

from ..framework.missing import namespace_getattr
from ..ops.metrics_impl import (accuracy, auc, false_negatives, false_positives, mean, mean_iou,
                                mean_squared_error, precision, recall, true_negatives,
                                true_positives)

__all__ = ["accuracy", "mean", "mean_squared_error", "precision", "recall", "auc", "mean_iou",
           "true_positives", "false_positives", "true_negatives", "false_negatives"]

__getattr__ = namespace_getattr("metrics")
