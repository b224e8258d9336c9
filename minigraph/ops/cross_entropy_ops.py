"""Softmax cross-entropy primitives, for dense and for sparse (class index) labels.

Lives here: the two-output cross-entropy ops (loss and its gradient "backprop", as in TF)
with their public constructors. Activations and softmax are in nn_ops.py; the composite
losses (sigmoid cross-entropy, the v1 wrapper) in nn_impl.py, `tf.losses` in losses_impl.py;
l2_loss (a reduction) in reduction_ops.py.
"""

from __future__ import annotations

import numpy as np

from ..framework.errors import InvalidArgumentError
from ..framework.tensor import Spec, Tensor
from ..framework.registry import OpDef, register_op
from ..framework.shapes import TensorShape
from .common import check_dtype_in, check_same_dtype
from .constant_op import convert_to_tensor
from .nn_ops import (last_axis_log_softmax, last_axis_softmax, log_softmax, logits_spec, softmax,
                     softmax_grad)
from . import array_ops, indexing_ops, math_ops, shape_ops

__all__ = ["softmax_cross_entropy_with_logits_v2", "sparse_softmax_cross_entropy_with_logits"]


def is_zero(t: Tensor) -> bool:
    """True if `t` is a constant (or constant-filled) zero: the unused-output gradient."""
    op = t.op
    if op.type == "Fill":
        op = op.inputs[1].op
    return op.type == "Const" and not np.any(op.get_attr("value"))


@register_op("SoftmaxCrossEntropyWithLogits")
class SoftmaxCrossEntropyWithLogits(OpDef):
    """Outputs (loss, backprop): -sum(labels * log_softmax(features)) over the last axis and
    its gradient with respect to the features, softmax(features) - labels."""

    inputs = ("features", "labels")

    @staticmethod
    def infer(features, labels):
        logits_spec("SoftmaxCrossEntropyWithLogits", features)
        check_same_dtype("SoftmaxCrossEntropyWithLogits", [features, labels],
                         names=("features", "labels"))
        if not features.shape.is_compatible_with(labels.shape):
            raise ValueError(f"logits and labels must have the same shape, got "
                             f"{features.shape} and {labels.shape}. Fix: labels are "
                             "[batch, classes] probabilities; use the sparse version for "
                             "class indices.")
        shape = features.shape.merge_with(labels.shape)
        loss_shape = TensorShape(None) if shape.ndims is None else TensorShape(shape.dims[:-1])
        return [Spec(features.dtype, loss_shape), Spec(features.dtype, shape)]

    @staticmethod
    def compute(features, labels):
        loss = -np.sum(labels * last_axis_log_softmax(features), axis=-1)
        return [np.asarray(loss, features.dtype), last_axis_softmax(features) - labels]

    @staticmethod
    def gradient(op, grad_loss, grad_backprop):
        # As TF: dlogits = g * (softmax - labels), dlabels = g * -log_softmax.
        logits = op.inputs[0]
        g = shape_ops.expand_dims(grad_loss, -1)
        dlogits = g * op.outputs[1]
        dlabels = g * -log_softmax(logits)
        if grad_backprop is not None and not is_zero(grad_backprop):
            # backprop = softmax(logits) - labels also depends on both inputs.
            dlogits += softmax_grad(grad_backprop, softmax(logits))
            dlabels -= grad_backprop
        return [dlogits, dlabels]


def softmax_cross_entropy_with_logits_v2(_sentinel=None, labels=None, logits=None, axis=None,
                                         name=None, dim=None) -> Tensor:
    """Cross-entropy between `labels` (probabilities) and softmax(`logits`), per example.

    Gradients flow into both logits and labels. Arguments must be passed by keyword.
    Example: `tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=z)` -> shape [batch].
    """
    check_keywords("softmax_cross_entropy_with_logits_v2", _sentinel, labels, logits)
    axis = dim if axis is None else axis
    logits = convert_to_tensor(logits, name="logits")
    labels = convert_to_tensor(labels, name="labels", preferred_dtype=logits.dtype.base_dtype)
    if labels.dtype.base_dtype != logits.dtype.base_dtype:
        labels = math_ops.cast(labels, logits.dtype.base_dtype)  # TF casts them, ints too
    if axis is not None and axis != -1:
        logits, labels = move_to_last(logits, axis), move_to_last(labels, axis)
    if needs_flattening(logits, labels):
        return broadcast_cross_entropy(logits, labels, name)
    return SoftmaxCrossEntropyWithLogits.apply([logits, labels], name=name)[0]


def needs_flattening(logits: Tensor, labels: Tensor) -> bool:
    """True when the shapes differ but hold the same classes (TF flattens both then)."""
    ls, gs = labels.shape, logits.shape
    if ls.ndims is None or gs.ndims is None or ls.is_compatible_with(gs):
        return False
    classes = ls.ndims and gs.ndims and ls[-1].value == gs[-1].value
    return bool(classes) and ls[-1].value is not None


def broadcast_cross_entropy(logits: Tensor, labels: Tensor, name) -> Tensor:
    """Cross-entropy for labels whose shape differs from the logits' (TF's rule).

    As TF does, both are flattened to [rows, classes] (so labels [1, N, C] or [N, 1, C] pair
    with logits [N, C]), one row of labels broadcasts over every row of logits, and the
    losses take the logits' shape without the class axis.
    TF1 note: TF cannot differentiate through broadcast labels; minigraph sums the gradient.
    """
    flat_logits = shape_ops.reshape(logits, [-1, shape_ops.shape(logits)[-1]])
    flat_labels = shape_ops.reshape(labels, [-1, shape_ops.shape(labels)[-1]])
    if flat_labels.shape[0].value == 1 and flat_logits.shape[0].value != 1:
        flat_labels = flat_labels + array_ops.zeros_like(flat_logits)
    loss = SoftmaxCrossEntropyWithLogits.apply([flat_logits, flat_labels])[0]
    rows = indexing_ops.strided_slice(shape_ops.shape(logits), [0], [-1], [1])
    out = shape_ops.reshape(loss, rows, name=name)
    out.set_shape(logits.shape[:-1])
    return out


def check_keywords(function: str, sentinel, labels, logits) -> None:
    """TF1 refuses positional labels/logits (the order is easy to get wrong)."""
    if sentinel is not None or labels is None or logits is None:
        raise ValueError(f"Only call `{function}` with named arguments (labels=..., "
                         "logits=..., ...). Both labels and logits are required.")


def move_to_last(x: Tensor, axis: int) -> Tensor:
    """Transpose `x` so that `axis` becomes the last axis (cross-entropy over any axis)."""
    rank = x.shape.ndims
    if rank is None or not -rank <= axis < rank:
        raise ValueError(f"Cannot use axis {axis} of '{x.name}' with shape {x.shape}. Fix: "
                         "use axis=-1 or give the tensor a known rank.")
    perm = [i for i in range(rank) if i != axis % rank] + [axis % rank]
    return shape_ops.transpose(x, perm)


@register_op("SparseSoftmaxCrossEntropyWithLogits")
class SparseSoftmaxCrossEntropyWithLogits(OpDef):
    """Outputs (loss, backprop) of softmax cross-entropy with integer class labels."""

    inputs = ("features", "labels")
    input_types = ("T", "Tlabels")

    @staticmethod
    def infer(features, labels):
        logits_spec("SparseSoftmaxCrossEntropyWithLogits", features)
        check_dtype_in("SparseSoftmaxCrossEntropyWithLogits", labels, ("int32", "int64"),
                       arg="labels")
        fs, ls = features.shape, labels.shape
        if fs.ndims is not None and ls.ndims is not None:
            if ls.ndims != fs.ndims - 1:
                raise ValueError(f"Rank mismatch: Rank of labels (received {ls.ndims}) "
                                 f"should equal rank of logits minus 1 (received "
                                 f"{fs.ndims}). Fix: labels hold one class index per row.")
            batch = TensorShape(fs.dims[:-1])
            if not batch.is_compatible_with(ls):
                raise ValueError(f"Shape mismatch: labels {ls} do not match the leading "
                                 f"dimensions of logits {fs}.")
            fs = batch.merge_with(ls).concatenate(TensorShape(fs.dims[-1:]))
        loss_shape = TensorShape(fs.dims[:-1]) if fs.ndims is not None else ls
        return [Spec(features.dtype, loss_shape), Spec(features.dtype, fs)]

    @staticmethod
    def compute(features, labels):
        classes = features.shape[-1]
        bad = (labels < 0) | (labels >= classes)
        if np.any(bad):
            raise InvalidArgumentError(
                None, None, f"Received a label value of {labels[bad].ravel()[0]} which is "
                f"outside the valid range of [0, {classes}).  Label values: "
                f"{' '.join(str(v) for v in np.ravel(labels))}. Fix: labels must be class "
                f"indices below the number of logits ({classes}).")
        # TF's kernel: loss = log(sum(exp(z))) - z[label] and backprop = exp(z) / sum - onehot
        # with z = logits - max; one exp, and backprop is built in place.
        shifted = features - np.max(features, axis=-1, keepdims=True)
        backprop = np.exp(shifted)
        total = np.sum(backprop, axis=-1, keepdims=True)
        backprop /= total
        index = (np.arange(labels.size), labels.reshape(-1).astype(np.intp))
        picked = shifted.reshape(-1, classes)[index].reshape(labels.shape)
        loss = np.asarray(np.log(total[..., 0]) - picked, features.dtype)
        backprop.reshape(-1, classes)[index] -= 1
        return [loss, backprop]

    @staticmethod
    def gradient(op, grad_loss, grad_backprop):
        dlogits = shape_ops.expand_dims(grad_loss, -1) * op.outputs[1]
        if grad_backprop is not None and not is_zero(grad_backprop):
            dlogits += softmax_grad(grad_backprop, softmax(op.inputs[0]))
        return [dlogits, None]


def sparse_softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None,
                                             name=None) -> Tensor:
    """Cross-entropy of softmax(`logits`) against integer class `labels`, per example.

    Raises InvalidArgumentError at run time for a label outside [0, classes).
    Example: `tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[2], logits=[[1., 2., 3.]])`.
    """
    check_keywords("sparse_softmax_cross_entropy_with_logits", _sentinel, labels, logits)
    logits = convert_to_tensor(logits, name="logits")
    labels = convert_to_tensor(labels, name="labels")
    return SparseSoftmaxCrossEntropyWithLogits.apply([logits, labels], name=name)[0]
