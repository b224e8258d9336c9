"""Sampled losses: tf.nn.nce_loss and tf.nn.sampled_softmax_loss, as TF1 builds them.

Both score the true classes and `num_sampled` candidate classes (from
log_uniform_candidate_sampler unless `sampled_values` is given) with rows of `weights` and
`biases` looked up by id, so their gradients for the class embeddings are IndexedSlices
(sparse updates). Logits are corrected by log(expected count) ("subtract log Q").
`remove_accidental_hits` pushes the logit of a sampled class that is also a true class of
that row to -FLT_MAX. NCE sums per-class sigmoid cross-entropies; sampled softmax is a
softmax cross-entropy over [true, sampled] with the true labels weighted 1/num_true.
Composites only: no op is registered here.
"""

from __future__ import annotations

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework.graph import name_scope
from ..framework.tensor import Tensor
from . import array_ops, candidate_sampling_ops, join_split_ops, nn_impl, pad_ops, shape_ops
from .comparison_ops import equal
from .constant_op import constant, convert_to_tensor
from .cross_entropy_ops import softmax_cross_entropy_with_logits_v2
from .linalg_ops import matmul
from .math_ops import cast
from .reduction_ops import reduce_any
from .unary_ops import log

__all__ = ["nce_loss", "sampled_softmax_loss"]

_FLOAT32_MAX = float(np.finfo(np.float32).max)


def _sum_rows(x: Tensor) -> Tensor:
    """Row sums through a matmul with ones, as TF computes them."""
    ones = array_ops.ones_like(x[0, :])
    return shape_ops.reshape(matmul(x, shape_ops.expand_dims(ones, 1)), [-1])


def _rows(params, ids, partition_strategy):
    weights = params if isinstance(params, (list, tuple)) else [params]
    return nn_impl.embedding_lookup(list(weights), ids, partition_strategy=partition_strategy)


def _class_rows(weights, biases, labels_flat, sampled, inputs, partition_strategy):
    """(true_w, sampled_w, true_b, sampled_b): rows of weights and biases, one lookup each
    for the true labels followed by the sampled ids, as TF does."""
    all_ids = join_split_ops.concat([labels_flat, sampled], 0)
    dtype = inputs.dtype.base_dtype
    all_w = _rows(weights, all_ids, partition_strategy)
    all_b = _rows(biases, all_ids, partition_strategy)
    all_w = all_w if all_w.dtype.base_dtype == dtype else cast(all_w, dtype)
    all_b = all_b if all_b.dtype.base_dtype == dtype else cast(all_b, dtype)
    n_true = shape_ops.shape(labels_flat)[0]
    first = shape_ops.reshape(n_true, [1])
    return (pad_ops.slice_(all_w, [0, 0], array_ops.stack([n_true, -1])),
            pad_ops.slice_(all_w, array_ops.stack([n_true, 0]), [-1, -1]),
            pad_ops.slice_(all_b, [0], first), pad_ops.slice_(all_b, first, [-1]))


def _sampled_logits(weights, biases, labels, inputs, num_sampled, num_classes, num_true,
                    sampled_values, remove_accidental_hits, partition_strategy, seed):
    """(logits [batch, num_true + num_sampled], labels of the same shape), TF1's recipe."""
    labels = convert_to_tensor(labels, name="labels")
    if labels.dtype.base_dtype != _dtypes.int64:
        labels = cast(labels, _dtypes.int64)
    inputs = convert_to_tensor(inputs, name="inputs")
    labels_flat = shape_ops.reshape(labels, [-1])
    if sampled_values is None:
        sampled_values = candidate_sampling_ops.log_uniform_candidate_sampler(
            labels, num_true, num_sampled, True, num_classes, seed=seed)
    sampled, true_count, sampled_count = (array_ops.stop_gradient(convert_to_tensor(v))
                                          for v in sampled_values)
    sampled = cast(sampled, _dtypes.int64)
    true_w, sampled_w, true_b, sampled_b = _class_rows(weights, biases, labels_flat, sampled,
                                                       inputs, partition_strategy)
    dim = shape_ops.shape(true_w)[1:2]
    true_rows = shape_ops.reshape(true_w, join_split_ops.concat([[-1, num_true], dim], 0))
    dots = shape_ops.reshape(shape_ops.expand_dims(inputs, 1) * true_rows,
                             join_split_ops.concat([[-1], dim], 0))
    true_logits = shape_ops.reshape(_sum_rows(dots), [-1, num_true])
    true_logits += shape_ops.reshape(true_b, [-1, num_true])
    sampled_logits = matmul(inputs, sampled_w, transpose_b=True) + sampled_b
    if remove_accidental_hits:
        hits = reduce_any(equal(shape_ops.expand_dims(labels, 2),
                                shape_ops.reshape(sampled, [1, 1, -1])), axis=1)
        sampled_logits += cast(hits, sampled_logits.dtype) * constant(
            -_FLOAT32_MAX, sampled_logits.dtype.base_dtype)
    true_logits -= log(cast(true_count, true_logits.dtype.base_dtype))
    sampled_logits -= log(cast(sampled_count, sampled_logits.dtype.base_dtype))
    out_logits = join_split_ops.concat([true_logits, sampled_logits], 1)
    out_labels = join_split_ops.concat([array_ops.ones_like(true_logits) / float(num_true),
                                        array_ops.zeros_like(sampled_logits)], 1)
    return out_logits, out_labels


def nce_loss(weights, biases, labels, inputs, num_sampled, num_classes, num_true=1,
             sampled_values=None, remove_accidental_hits=False, partition_strategy="mod",
             name="nce_loss") -> Tensor:
    """Noise-contrastive estimation loss per example, shape [batch_size].

    Example (word2vec): `tf.reduce_mean(tf.nn.nce_loss(nce_w, nce_b, labels, embed,
    num_sampled=64, num_classes=vocab_size))`.
    """
    with name_scope(name, "nce_loss"):
        logits, targets = _sampled_logits(
            weights, biases, labels, inputs, num_sampled, num_classes, num_true,
            sampled_values, remove_accidental_hits, partition_strategy, None)
        losses = nn_impl.sigmoid_cross_entropy_with_logits(labels=targets, logits=logits,
                                                           name="sampled_losses")
        return _sum_rows(losses)


def sampled_softmax_loss(weights, biases, labels, inputs, num_sampled, num_classes,
                         num_true=1, sampled_values=None, remove_accidental_hits=True,
                         partition_strategy="mod", name="sampled_softmax_loss",
                         seed=None) -> Tensor:
    """Softmax cross-entropy over the true and `num_sampled` sampled classes, per example.

    Example: `tf.nn.sampled_softmax_loss(w, b, labels, hidden, 64, vocab_size)`.
    """
    with name_scope(name, "sampled_softmax_loss"):
        logits, targets = _sampled_logits(
            weights, biases, labels, inputs, num_sampled, num_classes, num_true,
            sampled_values, remove_accidental_hits, partition_strategy, seed)
        targets = array_ops.stop_gradient(targets, name="labels_stop_gradient")
        return softmax_cross_entropy_with_logits_v2(labels=targets, logits=logits)
