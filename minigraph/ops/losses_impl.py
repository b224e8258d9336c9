"""TF1 `tf.losses`: weighted losses, their reductions and the LOSSES collection.

Lives here: `Reduction`, `compute_weighted_loss`, the loss functions (mean_squared_error,
absolute_difference, softmax/sparse/sigmoid cross-entropy, log_loss, hinge_loss, huber_loss,
cosine_distance, mean_pairwise_squared_error) and the collection helpers (add_loss,
get_losses, get_total_loss, ...). All are composites; the namespace is losses.py.
"""

from __future__ import annotations

from ..framework import dtypes as _dtypes
from ..framework.graph import GraphKeys, add_to_collection, get_collection, name_scope
from ..framework.tensor import Tensor
from .constant_op import constant, convert_to_tensor
from . import (array_ops, broadcast_ops, comparison_ops, cross_entropy_ops, math_ops, nn_impl,
               nn_ops, shape_ops, unary_ops)

__all__ = ["Reduction", "compute_weighted_loss", "mean_squared_error", "absolute_difference",
           "softmax_cross_entropy", "sparse_softmax_cross_entropy", "sigmoid_cross_entropy",
           "log_loss", "hinge_loss", "huber_loss", "cosine_distance",
           "mean_pairwise_squared_error", "add_loss", "get_losses",
           "get_regularization_losses", "get_regularization_loss", "get_total_loss"]


class Reduction:
    """How `compute_weighted_loss` reduces the weighted per-element losses."""

    NONE = "none"  # keep the weighted losses, unreduced
    SUM = "weighted_sum"  # sum(w * l)
    SUM_OVER_BATCH_SIZE = "weighted_sum_over_batch_size"  # sum(w * l) / number of losses
    MEAN = "weighted_mean"  # sum(w * l) / sum(w broadcast to the losses)
    SUM_BY_NONZERO_WEIGHTS = "weighted_sum_by_nonzero_weights"  # sum(w * l) / count(w != 0)
    SUM_OVER_NONZERO_WEIGHTS = SUM_BY_NONZERO_WEIGHTS

    @classmethod
    def all(cls) -> tuple:
        return (cls.NONE, cls.SUM, cls.MEAN, cls.SUM_OVER_BATCH_SIZE,
                cls.SUM_OVER_NONZERO_WEIGHTS, cls.SUM_BY_NONZERO_WEIGHTS)

    @classmethod
    def validate(cls, key) -> None:
        if key not in cls.all():
            raise ValueError(f"Invalid Reduction Key {key}. Fix: use one of "
                             f"tf.losses.Reduction.{{NONE, SUM, MEAN, SUM_OVER_BATCH_SIZE, "
                             "SUM_BY_NONZERO_WEIGHTS}.")


DEFAULT_REDUCTION = Reduction.SUM_BY_NONZERO_WEIGHTS


def check_weights(weights: Tensor, losses: Tensor) -> None:
    """Weights must be a scalar or broadcastable to the losses without growing them."""
    ws, ls = weights.shape, losses.shape
    if ws.ndims in (None, 0) or ls.ndims is None:
        return
    ok = ws.ndims == ls.ndims and all(
        w.value in (None, 1) or v.value is None or w.value == v.value
        for w, v in zip(ws.dims, ls.dims, strict=True))
    if not ok:
        raise ValueError(f"weights can not be broadcast to values. values.rank={ls.ndims}. "
                         f"weights.rank={ws.ndims}. values.shape={ls}. weights.shape={ws}. Fix: "
                         "pass a scalar, or weights of the losses' rank with dims 1 or equal.")


def compute_weighted_loss(losses, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                          reduction=DEFAULT_REDUCTION) -> Tensor:
    """Multiply `losses` by `weights` and reduce; add the result to `loss_collection`.

    Computed in float32 and cast back to the losses' dtype, as TF1 does.
    Example: `tf.losses.compute_weighted_loss([1., 2., 3.], [1., 0., 1.])` -> 2.0.
    """
    Reduction.validate(reduction)
    with name_scope(scope, "weighted_loss", [losses, weights]):
        losses = convert_to_tensor(losses, name="losses")
        input_dtype = losses.dtype.base_dtype
        losses = math_ops.cast(losses, _dtypes.float32)
        weights_t = math_ops.cast(weights, _dtypes.float32)
        check_weights(weights_t, losses)
        weighted = math_ops.multiply(losses, weights_t)
        if reduction == Reduction.NONE:
            loss = weighted
        else:
            loss = broadcast_ops.reduce_sum(weighted)
            if reduction != Reduction.SUM:
                loss = safe_divide(loss, loss_divisor(losses, weights, weights_t, reduction))
        loss = math_ops.cast(loss, input_dtype)
        add_loss(loss, loss_collection)
        return loss


def loss_divisor(losses: Tensor, weights, weights_t: Tensor, reduction: str) -> Tensor:
    """The denominator of the MEAN, SUM_OVER_BATCH_SIZE and SUM_BY_NONZERO_WEIGHTS modes."""
    if reduction == Reduction.MEAN:
        return broadcast_ops.reduce_sum(array_ops.ones_like(losses) * weights_t)
    count_all = isinstance(weights, (int, float)) and weights != 0
    if reduction == Reduction.SUM_OVER_BATCH_SIZE or count_all:
        return math_ops.cast(shape_ops.size(losses), _dtypes.float32)
    with name_scope(None, "num_present") as scope:
        present = comparison_ops.where(comparison_ops.equal(weights_t, 0.0),
                                       array_ops.zeros_like(weights_t),
                                       array_ops.ones_like(weights_t))
        return broadcast_ops.reduce_sum(present * array_ops.ones_like(losses), name=scope)


def safe_divide(total: Tensor, count: Tensor) -> Tensor:
    """total / count, or 0 where count is 0 (all weights zero), with no NaN in the gradient.

    The inner where() keeps the division finite, so the unselected branch gets 0, not 0 * inf.
    """
    where = comparison_ops.where
    nonzero_count = where(comparison_ops.equal(count, 0.0), array_ops.ones_like(count), count)
    return where(comparison_ops.greater(count, 0.0), math_ops.divide(total, nonzero_count),
                 array_ops.zeros_like(total), name="value")


def as_float_pair(labels, predictions, function: str) -> tuple:
    """Cast labels and predictions to float32 and check that their shapes agree."""
    if labels is None:
        raise ValueError(f"labels must not be None (in tf.losses.{function}).")
    if predictions is None:
        raise ValueError(f"predictions must not be None (in tf.losses.{function}).")
    predictions = math_ops.cast(predictions, _dtypes.float32)
    labels = math_ops.cast(labels, _dtypes.float32)
    if not predictions.shape.is_compatible_with(labels.shape):
        raise ValueError(f"Shapes {predictions.shape} and {labels.shape} are incompatible "
                         f"in tf.losses.{function} (predictions vs labels).")
    return labels, predictions


def mean_squared_error(labels, predictions, weights=1.0, scope=None,
                       loss_collection=GraphKeys.LOSSES, reduction=DEFAULT_REDUCTION) -> Tensor:
    """Weighted (predictions - labels) ** 2.

    Example: `tf.losses.mean_squared_error([1., 2.], [2., 4.])` -> 2.5.
    """
    with name_scope(scope, "mean_squared_error", [predictions, labels, weights]) as s:
        labels, predictions = as_float_pair(labels, predictions, "mean_squared_error")
        losses = math_ops.squared_difference(predictions, labels)
        return compute_weighted_loss(losses, weights, s, loss_collection, reduction)


def absolute_difference(labels, predictions, weights=1.0, scope=None,
                        loss_collection=GraphKeys.LOSSES, reduction=DEFAULT_REDUCTION) -> Tensor:
    """Weighted |predictions - labels|.

    Example: `tf.losses.absolute_difference([1., 2.], [2., 4.])` -> 1.5.
    """
    with name_scope(scope, "absolute_difference", [predictions, labels, weights]) as s:
        labels, predictions = as_float_pair(labels, predictions, "absolute_difference")
        losses = unary_ops.abs_(math_ops.subtract(predictions, labels))
        return compute_weighted_loss(losses, weights, s, loss_collection, reduction)


def softmax_cross_entropy(onehot_labels, logits, weights=1.0, label_smoothing=0, scope=None,
                          loss_collection=GraphKeys.LOSSES,
                          reduction=DEFAULT_REDUCTION) -> Tensor:
    """Weighted softmax cross-entropy; no gradient flows into the labels.

    With label_smoothing = s > 0 the labels become labels * (1 - s) + s / num_classes.
    Example: `tf.losses.softmax_cross_entropy(onehot, logits)` -> mean over the batch.
    """
    if onehot_labels is None or logits is None:
        raise ValueError("onehot_labels and logits must not be None "
                         "(in tf.losses.softmax_cross_entropy).")
    with name_scope(scope, "softmax_cross_entropy_loss", [logits, onehot_labels, weights]) as s:
        logits = convert_to_tensor(logits, name="logits")
        labels = math_ops.cast(onehot_labels, logits.dtype.base_dtype)
        if not logits.shape.is_compatible_with(labels.shape):
            raise ValueError(f"Shapes {logits.shape} and {labels.shape} are incompatible "
                             "(logits vs onehot_labels).")
        if label_smoothing > 0:
            classes = math_ops.cast(shape_ops.shape(labels)[-1], logits.dtype.base_dtype)
            labels = labels * (1 - label_smoothing) + label_smoothing / classes
        labels = array_ops.stop_gradient(labels, name="labels_stop_gradient")
        losses = cross_entropy_ops.softmax_cross_entropy_with_logits_v2(
            labels=labels, logits=logits, name="xentropy")
        return compute_weighted_loss(losses, weights, s, loss_collection, reduction)


def sparse_softmax_cross_entropy(labels, logits, weights=1.0, scope=None,
                                 loss_collection=GraphKeys.LOSSES,
                                 reduction=DEFAULT_REDUCTION) -> Tensor:
    """Weighted softmax cross-entropy against integer class labels.

    Example: `tf.losses.sparse_softmax_cross_entropy([2, 0], logits)` (logits: [2, classes]).
    """
    if labels is None or logits is None:
        raise ValueError("labels and logits must not be None "
                         "(in tf.losses.sparse_softmax_cross_entropy).")
    with name_scope(scope, "sparse_softmax_cross_entropy_loss", [logits, labels, weights]) as s:
        losses = cross_entropy_ops.sparse_softmax_cross_entropy_with_logits(
            labels=labels, logits=logits, name="xentropy")
        return compute_weighted_loss(losses, weights, s, loss_collection, reduction)


def sigmoid_cross_entropy(multi_class_labels, logits, weights=1.0, label_smoothing=0,
                          scope=None, loss_collection=GraphKeys.LOSSES,
                          reduction=DEFAULT_REDUCTION) -> Tensor:
    """Weighted elementwise logistic loss; label_smoothing s maps z to z * (1 - s) + s / 2.

    Example: `tf.losses.sigmoid_cross_entropy([[1., 0.]], [[0., 0.]])` -> 0.6931.
    """
    if multi_class_labels is None or logits is None:
        raise ValueError("multi_class_labels and logits must not be None "
                         "(in tf.losses.sigmoid_cross_entropy).")
    with name_scope(scope, "sigmoid_cross_entropy_loss",
                    [logits, multi_class_labels, weights]) as s:
        logits = convert_to_tensor(logits, name="logits")
        labels = math_ops.cast(multi_class_labels, logits.dtype.base_dtype)
        if label_smoothing > 0:
            labels = labels * (1 - label_smoothing) + 0.5 * label_smoothing
        losses = nn_impl.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits,
                                                   name="xentropy")
        return compute_weighted_loss(losses, weights, s, loss_collection, reduction)


def log_loss(labels, predictions, weights=1.0, epsilon=1e-7, scope=None,
             loss_collection=GraphKeys.LOSSES, reduction=DEFAULT_REDUCTION) -> Tensor:
    """Weighted -z * log(p + eps) - (1 - z) * log(1 - p + eps) for probabilities p.

    Example: `tf.losses.log_loss([1.], [0.9])` -> 0.1054.
    """
    with name_scope(scope, "log_loss", [predictions, labels, weights]) as s:
        labels, predictions = as_float_pair(labels, predictions, "log_loss")
        losses = -labels * unary_ops.log(predictions + epsilon) \
            - (1 - labels) * unary_ops.log(1 - predictions + epsilon)
        return compute_weighted_loss(losses, weights, s, loss_collection, reduction)


def hinge_loss(labels, logits, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
               reduction=DEFAULT_REDUCTION) -> Tensor:
    """Weighted max(0, 1 - (2z - 1) * logits) for labels z in {0, 1}.

    Example: `tf.losses.hinge_loss([1.], [0.3])` -> 0.7.
    """
    with name_scope(scope, "hinge_loss", [logits, labels, weights]) as s:
        labels, logits = as_float_pair(labels, logits, "hinge_loss")
        losses = nn_ops.relu(1 - (2 * labels - 1) * logits)
        return compute_weighted_loss(losses, weights, s, loss_collection, reduction)


def huber_loss(labels, predictions, weights=1.0, delta=1.0, scope=None,
               loss_collection=GraphKeys.LOSSES, reduction=DEFAULT_REDUCTION) -> Tensor:
    """Weighted 0.5 * e ** 2 for |e| <= delta, else delta * (|e| - 0.5 * delta).

    Written as 0.5 * q ** 2 + delta * (|e| - q) with q = min(|e|, delta), as TF does.
    Example: `tf.losses.huber_loss([0.], [3.])` -> 2.5.
    """
    with name_scope(scope, "huber_loss", [predictions, labels, weights]) as s:
        labels, predictions = as_float_pair(labels, predictions, "huber_loss")
        error = unary_ops.abs_(math_ops.subtract(predictions, labels))
        quadratic = math_ops.minimum(error, delta)
        losses = 0.5 * quadratic * quadratic + delta * (error - quadratic)
        return compute_weighted_loss(losses, weights, s, loss_collection, reduction)


def cosine_distance(labels, predictions, axis=None, weights=1.0, scope=None,
                    loss_collection=GraphKeys.LOSSES, reduction=DEFAULT_REDUCTION,
                    dim=None) -> Tensor:
    """Weighted 1 - sum(labels * predictions, axis) for unit-normalized inputs.

    The per-example losses keep `axis` as a dimension of size 1, as in TF. `dim` is the old
    name of `axis`. Example: `tf.losses.cosine_distance([[1., 0.]], [[0., 1.]], axis=1)` -> 1.0.
    """
    axis = dim if axis is None else axis
    if axis is None:
        raise ValueError("You must specify 'axis' in tf.losses.cosine_distance (the axis of "
                         "the unit vectors, e.g. axis=1 for [batch, features]).")
    with name_scope(scope, "cosine_distance_loss", [predictions, labels, weights]) as s:
        labels, predictions = as_float_pair(labels, predictions, "cosine_distance")
        radial = math_ops.multiply(predictions, labels)
        losses = 1 - broadcast_ops.reduce_sum(radial, axis=(axis,), keepdims=True)
        return compute_weighted_loss(losses, weights, s, loss_collection, reduction)


def mean_pairwise_squared_error(labels, predictions, weights=1.0, scope=None,
                                loss_collection=GraphKeys.LOSSES) -> Tensor:
    """Weighted mean over each example of the squared differences between all pairs of its
    prediction errors: sum over pairs (d_i - d_j) ** 2 / pairs, for d = predictions - labels.

    Written as TF does: 2 * sum(d ** 2) / (n - 1) - 2 * (sum d) ** 2 / (n * (n - 1)) per example,
    n the number of present (non-zero weight) entries; weights are per example.
    Example: `tf.losses.mean_pairwise_squared_error([[0., 1., 2.]], [[1., 1., 1.]])` -> 2.0.
    """
    reduce_sum, maximum, square = broadcast_ops.reduce_sum, math_ops.maximum, unary_ops.square
    with name_scope(scope, "mean_pairwise_squared_error", [predictions, labels, weights]):
        labels, predictions = as_float_pair(labels, predictions, "mean_pairwise_squared_error")
        weights = cast_weights(weights)
        diffs = math_ops.subtract(predictions, labels)
        axes = list(range(1, diffs.shape.ndims))
        present = num_present_per_example(diffs, weights, axes)
        squares = reduce_sum(square(diffs), axes, keepdims=True)
        term1 = 2.0 * safe_divide(squares, maximum(present - 1.0, 0.0))
        sums = reduce_sum(diffs, axes, keepdims=True)
        pairs = maximum(present * (present - 1.0), 0.0)
        term2 = 2.0 * safe_divide(square(sums), pairs)
        loss = reduce_sum((term1 - term2) * weights)
        # No example with a present entry: the loss is 0, not NaN.
        loss = comparison_ops.where(comparison_ops.greater(reduce_sum(present), 0.0), loss,
                                    array_ops.zeros_like(loss), name="value")
        add_loss(loss, loss_collection)
        return loss


def cast_weights(weights) -> Tensor:
    return math_ops.cast(convert_to_tensor(weights, name="weights"), _dtypes.float32)


def num_present_per_example(losses: Tensor, weights: Tensor, axes: list) -> Tensor:
    """Per example (keeping the axes), how many entries of `losses` have a non-zero weight."""
    present = comparison_ops.where(comparison_ops.equal(weights, 0.0),
                                   array_ops.zeros_like(weights), array_ops.ones_like(weights))
    return broadcast_ops.reduce_sum(present * array_ops.ones_like(losses), axes, keepdims=True)


# -- collections ---------------------------------------------------------------------------
def add_loss(loss: Tensor, loss_collection=GraphKeys.LOSSES) -> None:
    """Add `loss` to `loss_collection` (nothing when the collection is None)."""
    if loss_collection:
        add_to_collection(loss_collection, loss)


def get_losses(scope=None, loss_collection=GraphKeys.LOSSES) -> list:
    """The losses in `loss_collection`, filtered by name scope."""
    return get_collection(loss_collection, scope)


def get_regularization_losses(scope=None) -> list:
    """The tensors in the REGULARIZATION_LOSSES collection, filtered by name scope."""
    return get_collection(GraphKeys.REGULARIZATION_LOSSES, scope)


def get_regularization_loss(scope=None, name="total_regularization_loss") -> Tensor:
    """Sum of the regularization losses, or the constant 0.0 when there are none."""
    losses = get_regularization_losses(scope)
    return math_ops.add_n(losses, name=name) if losses else constant(0.0)


def get_total_loss(add_regularization_losses=True, name="total_loss", scope=None) -> Tensor:
    """Sum of get_losses() and, by default, the regularization losses.

    Raises ValueError when both collections are empty.
    """
    losses = list(get_losses(scope))
    if add_regularization_losses:
        losses += get_regularization_losses(scope)
    if not losses:
        raise ValueError("No losses to sum: the LOSSES and REGULARIZATION_LOSSES collections "
                         "are empty. Fix: build a tf.losses.* loss or tf.losses.add_loss(l).")
    return math_ops.add_n(losses, name=name)
