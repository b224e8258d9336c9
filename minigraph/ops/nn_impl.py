"""Neural-network composites: plain functions of primitives, so their gradients come for free.

Lives here: dropout, moments, l2_normalize, embedding_lookup, xw_plus_b, the v1
softmax_cross_entropy_with_logits (labels behind stop_gradient) and the numerically stable
sigmoid_cross_entropy_with_logits, and sequence_mask. No op is registered here; the
primitives are in nn_ops.py and cross_entropy_ops.py.
"""

from __future__ import annotations

import numbers

from ..framework import dtypes as _dtypes
from ..framework.graph import name_scope
from ..framework.tensor import Tensor
from .constant_op import constant, convert_to_tensor
from .cross_entropy_ops import check_keywords, softmax_cross_entropy_with_logits_v2
from . import (array_ops, broadcast_ops, comparison_ops, indexing_ops, join_split_ops,
               linalg_ops, math_ops, nn_ops, partition_ops, random_ops, reduction_ops,
               shape_ops, stitch_ops, unary_ops)

__all__ = ["dropout", "moments", "l2_normalize", "embedding_lookup", "xw_plus_b",
           "softmax_cross_entropy_with_logits", "sigmoid_cross_entropy_with_logits",
           "sequence_mask"]


def dropout(x, keep_prob=None, noise_shape=None, seed=None, name=None, rate=None) -> Tensor:
    """Zero each element with probability 1 - keep_prob and scale the rest by 1 / keep_prob.

    `rate` (= 1 - keep_prob) may be given instead of keep_prob, not both. `noise_shape`
    (broadcastable to x's shape) shares one keep/drop decision along dimensions of size 1.
    Raises ValueError for a Python keep_prob outside (0, 1] or a non-float `x`. Dropped
    elements are exactly 0 and kept ones x / keep_prob, as in TF: a keep_prob that keeps
    nothing (NaN, or a fed value <= 0) gives zeros, not NaN.
    Example: `tf.nn.dropout(h, keep_prob=0.5)` doubles the kept values.
    """
    if (keep_prob is None) == (rate is None):
        raise ValueError("dropout needs exactly one of keep_prob and rate (keep_prob = "
                         f"1 - rate), got keep_prob={keep_prob!r}, rate={rate!r}.")
    with name_scope(name, "dropout", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        dtype = x.dtype.base_dtype
        if not dtype.is_floating:
            raise ValueError(f"x has to be a floating point tensor since it's going to be "
                             f"scaled. Got a {dtype.name} tensor instead.")
        if rate is not None:
            keep_prob = 1 - (rate if isinstance(rate, numbers.Real)
                             else convert_to_tensor(rate, dtype, name="rate"))
        if isinstance(keep_prob, numbers.Real):
            if keep_prob <= 0 or keep_prob > 1:  # NaN passes, as in TF, and keeps nothing
                raise ValueError(f"keep_prob must be a scalar tensor or a float in the range "
                                 f"(0, 1], got {keep_prob:g}")
            if keep_prob == 1:
                return x
        keep_prob = convert_to_tensor(keep_prob, dtype=dtype, name="keep_prob")
        if keep_prob.shape.ndims not in (None, 0):
            raise ValueError(f"keep_prob must be a scalar, got shape {keep_prob.shape}.")
        full = x.shape.as_list() if x.shape.is_fully_defined() else shape_ops.shape(x)
        uniform = random_ops.random_uniform(full if noise_shape is None else noise_shape,
                                            seed=seed, dtype=dtype)
        keep = comparison_ops.less(uniform, keep_prob)  # True with probability keep_prob
        if noise_shape is not None:
            keep = broadcast_ops.broadcast_to(keep, full)
        return comparison_ops.where(keep, math_ops.divide(x, keep_prob),
                                    array_ops.zeros_like(x), name=scope)


def moments(x, axes, shift=None, name=None, keep_dims=None, keepdims=None) -> tuple:
    """Return (mean, variance) of `x` over `axes`.  `shift` is accepted and unused, as in TF.

    Example: `mean, var = tf.nn.moments(x, axes=[0])` (per-feature batch statistics).
    """
    keep = bool(keepdims if keepdims is not None else keep_dims)
    with name_scope(name, "moments", [x, axes]):
        x = convert_to_tensor(x, name="x")
        mean = reduction_ops.reduce_mean(x, axes, keepdims=True, name="mean")
        # stop_gradient as TF does: d(variance)/d(mean) is zero anyway (deviations sum to 0).
        deviations = math_ops.squared_difference(x, array_ops.stop_gradient(mean))
        variance = reduction_ops.reduce_mean(deviations, axes, keepdims=True, name="variance")
        if not keep:
            mean, variance = shape_ops.squeeze(mean, axes), shape_ops.squeeze(variance, axes)
        return mean, variance


def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None) -> Tensor:
    """x / sqrt(max(sum(x ** 2, axis), epsilon)).

    Example: `tf.nn.l2_normalize([3., 4.], 0)` -> [0.6, 0.8].
    """
    axis = dim if axis is None else axis
    with name_scope(name, "l2_normalize", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        square_sum = broadcast_ops.reduce_sum(unary_ops.square(x), axis, keepdims=True)
        inverse_norm = unary_ops.rsqrt(math_ops.maximum(square_sum, epsilon))
        return math_ops.multiply(x, inverse_norm, name=scope)


def embedding_lookup(params, ids, partition_strategy="mod", name=None, validate_indices=True,
                     max_norm=None) -> Tensor:
    """Rows of `params` selected by `ids`; `params` may be a list of shards.

    With several shards, id i lives in shard i % n at row i // n ("mod"), or in contiguous
    blocks, the first (total % n) shards one row longer ("div"), as in TF. The gradient for
    each shard is an IndexedSlices of the rows it gave.
    TF1 note: `max_norm` clipping is not implemented.
    Example: `tf.nn.embedding_lookup(table, [3, 1])` -> rows 3 and 1.
    """
    shards = list(params) if isinstance(params, (list, tuple)) else [params]
    if not shards:
        raise ValueError("Need at least one param: embedding_lookup got an empty list.")
    if max_norm is not None:
        raise ValueError("embedding_lookup(max_norm=...) is not supported by minigraph. Fix: "
                         "clip the looked-up rows with tf.clip_by_norm.")
    if partition_strategy not in ("mod", "div"):
        raise ValueError(f"Unrecognized partition strategy: {partition_strategy!r}. Fix: use "
                         "'mod' or 'div'.")
    with name_scope(name, "embedding_lookup", shards + [ids]) as scope:
        if len(shards) == 1:
            return indexing_ops.gather(shards[0], ids, name=scope)
        ids = convert_to_tensor(ids, name="ids")
        flat_ids = shape_ops.reshape(ids, [-1])
        assignments, new_ids = _partition_ids(shards, flat_ids, partition_strategy)
        positions = shape_ops.range_(shape_ops.size(flat_ids))
        gather_ids = partition_ops.dynamic_partition(new_ids, assignments, len(shards))
        where_from = partition_ops.dynamic_partition(positions, assignments, len(shards))
        rows = [indexing_ops.gather(shard, i) for shard, i in zip(shards, gather_ids)]
        merged = stitch_ops.dynamic_stitch(where_from, rows)
        tail = shape_ops.shape(shards[0])[1:]
        result = shape_ops.reshape(
            merged, join_split_ops.concat([shape_ops.shape(ids), tail], 0), name=scope)
        result.set_shape(ids.shape.concatenate(shards[0].shape[1:]))
        return result


def _partition_ids(shards, flat_ids, strategy):
    """(shard of each id as int32, row of each id within its shard)."""
    n = len(shards)
    if strategy == "mod":
        return (math_ops.cast(math_ops.floormod(flat_ids, n), _dtypes.int32),
                math_ops.floordiv(flat_ids, n))
    sizes = [s.shape[0].value for s in shards]
    if None in sizes:
        total = math_ops.add_n([math_ops.cast(shape_ops.shape(s)[0], flat_ids.dtype)
                                for s in shards])
    else:
        total = constant(sum(sizes), flat_ids.dtype)
    per_shard, extras = math_ops.floordiv(total, n), math_ops.floormod(total, n)
    assignments = math_ops.maximum(math_ops.floordiv(flat_ids, per_shard + 1),
                                   math_ops.floordiv(flat_ids - extras, per_shard))
    new_ids = comparison_ops.where(comparison_ops.less(assignments, extras),
                                   math_ops.floormod(flat_ids, per_shard + 1),
                                   math_ops.floormod(flat_ids - extras, per_shard))
    return math_ops.cast(assignments, _dtypes.int32), new_ids


def xw_plus_b(x, weights, biases, name=None) -> Tensor:
    """matmul(x, weights) + biases.  Example: `tf.nn.xw_plus_b(x, w, b)` -> [batch, units]."""
    with name_scope(name, "xw_plus_b", [x, weights, biases]) as scope:
        return nn_ops.bias_add(linalg_ops.matmul(x, weights), biases, name=scope)


def softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, dim=-1,
                                      name=None, axis=None) -> Tensor:
    """Softmax cross-entropy per example, with no gradient into `labels` (TF1 v1 behaviour).

    Arguments must be passed by keyword. Use the _v2 function for gradients into labels.
    Example: `tf.nn.softmax_cross_entropy_with_logits(labels=onehot, logits=z)`.
    """
    check_keywords("softmax_cross_entropy_with_logits", _sentinel, labels, logits)
    axis = dim if axis is None else axis
    with name_scope(name, "softmax_cross_entropy_with_logits_sg", [logits, labels]) as scope:
        labels = array_ops.stop_gradient(labels, name="labels_stop_gradient")
        return softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits, axis=axis,
                                                    name=scope)


def sigmoid_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None,
                                      name=None) -> Tensor:
    """Elementwise logistic loss of `logits` against `labels` in [0, 1].

    Computed as max(x, 0) - x * z + log(1 + unary_ops.exp(-|x|)), which neither overflows nor loses
    precision for large |x|. Arguments must be passed by keyword.
    Example: `tf.nn.sigmoid_cross_entropy_with_logits(labels=[1.], logits=[0.])` -> [0.693].
    """
    check_keywords("sigmoid_cross_entropy_with_logits", _sentinel, labels, logits)
    with name_scope(name, "logistic_loss", [logits, labels]) as scope:
        logits = convert_to_tensor(logits, name="logits")
        labels = convert_to_tensor(labels, dtype=logits.dtype.base_dtype, name="labels")
        if not logits.shape.is_compatible_with(labels.shape):
            raise ValueError(f"logits and labels must have the same shape ({logits.shape} vs "
                             f"{labels.shape}).")
        # where() rather than abs/relu so that the gradient at x = 0 matches TF.
        nonnegative = comparison_ops.greater_equal(logits, array_ops.zeros_like(logits))
        relu_logits = comparison_ops.where(nonnegative, logits, array_ops.zeros_like(logits))
        neg_abs_logits = comparison_ops.where(nonnegative, -logits, logits)
        return math_ops.add(relu_logits - logits * labels,
                            unary_ops.log1p(unary_ops.exp(neg_abs_logits)), name=scope)


def sequence_mask(lengths, maxlen=None, dtype=_dtypes.bool, name=None) -> Tensor:
    """mask[i, j] = j < lengths[i] (for every index i of `lengths`), j in [0, maxlen).

    Without `maxlen` it is max(lengths). Built as TF builds it: Range(maxlen) < lengths.
    Example: `tf.sequence_mask([1, 3], 4)` -> [[T, F, F, F], [T, T, T, F]].
    """
    with name_scope(name, "SequenceMask", [lengths, maxlen]):
        lengths = convert_to_tensor(lengths, name="lengths")
        if maxlen is None:
            maxlen = math_ops.maximum(0, reduction_ops.reduce_max(lengths))
        else:
            maxlen = convert_to_tensor(maxlen, name="maxlen")
        if maxlen.shape.ndims not in (None, 0):
            raise ValueError(f"maxlen must be scalar for sequence_mask, got shape "
                             f"{maxlen.shape}. Fix: pass one int.")
        row = shape_ops.range_(0, maxlen, 1)
        matrix = math_ops.cast(shape_ops.expand_dims(lengths, -1), maxlen.dtype)
        result = comparison_ops.less(row, matrix)
        dtype = _dtypes.as_dtype(dtype)
        return result if dtype == _dtypes.bool else math_ops.cast(result, dtype)
