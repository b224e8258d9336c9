"""Neural-network primitive ops: activations, softmax, log_softmax, bias_add, in_top_k, top_k.

Lives here: one block per primitive (kernel in numpy, gradient built from math ops, with
TF's conventions at ties: relu'(0) = 0) and its public constructor. The loss primitives
(softmax cross-entropies, l2_loss) are in cross_entropy_ops.py and reduction_ops.py,
composites (dropout, moments, ...) in nn_impl.py; the activations share unary_ops.UnaryOp;
`tf.nn` is api/nn.py.
"""

from __future__ import annotations

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework.errors import InvalidArgumentError
from ..framework.tensor import Spec, Tensor
from ..framework.registry import OpDef, no_gradient, register_op
from ..framework.shapes import TensorShape
from .common import FLOATS, NUMBERS, REALS, check_dtype_in, check_same_dtype
from .constant_op import convert_to_tensor
from . import broadcast_ops, comparison_ops, indexing_ops, math_ops, shape_ops, unary_ops
from .unary_ops import UnaryOp

__all__ = ["relu", "relu6", "leaky_relu", "elu", "softplus", "softmax", "log_softmax",
           "bias_add", "in_top_k", "top_k"]


# -- shared helpers ------------------------------------------------------------------------
def logits_spec(op_type: str, x: Spec) -> Spec:
    """Spec of an op normalising over the last axis: float input of rank >= 1."""
    check_dtype_in(op_type, x, FLOATS, arg="logits")
    if x.shape.ndims == 0:
        raise ValueError(f"logits must have >= 1 dimension, got shape {x.shape} in "
                         f"{op_type}. Fix: pass a vector or a [batch, classes] matrix.")
    return Spec(x.dtype, x.shape)


def indicator(condition: Tensor, like: Tensor) -> Tensor:
    """1 where `condition` holds, else 0, in the dtype of `like` (for gradient masks)."""
    return math_ops.cast(condition, like.dtype.base_dtype)


def softmax_grad(grad: Tensor, y: Tensor) -> Tensor:
    """The softmax Jacobian applied to `grad`: (grad - sum(grad * y, -1)) * y (3.6)."""
    return (grad - broadcast_ops.reduce_sum(grad * y, axis=-1, keepdims=True)) * y


def _row_max(x: np.ndarray) -> np.ndarray:
    """The maximum over the last axis (kept); -inf for an empty axis, whose softmax is empty."""
    return np.max(x, axis=-1, keepdims=True, initial=-np.inf)


def last_axis_softmax(x: np.ndarray) -> np.ndarray:
    """Softmax over the last axis, shifted by the maximum for numerical stability."""
    e = np.exp(x - _row_max(x))
    return e / np.sum(e, axis=-1, keepdims=True)


def last_axis_log_softmax(x: np.ndarray) -> np.ndarray:
    shifted = x - _row_max(x)
    shifted -= np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))
    return shifted


# -- activations ---------------------------------------------------------------------------
@register_op("Relu")
class Relu(UnaryOp):
    """Elementwise max(x, 0)."""

    inputs = ("features",)
    allowed = FLOATS + ("int32", "int64", "int8", "int16", "uint8")

    # np.maximum's rules: NaN stays NaN, and max(-0.0, 0.0) is the second operand, 0.0.
    elementwise = "features if features > 0 else (features if features != features else T(0))"

    @staticmethod
    def compute(x):
        return np.maximum(x, np.zeros((), x.dtype))

    @staticmethod
    def gradient(op, grad):
        # Masked by the output, so x = 0 gets gradient 0, as in TF.
        return [ReluGrad.apply([grad, op.outputs[0]])]


def relu(features, name=None) -> Tensor:
    """Rectified linear unit max(features, 0).  Example: `tf.nn.relu([-1., 2.])` -> [0., 2.]."""
    return Relu.apply([features], name=name)


@register_op("ReluGrad")
class ReluGrad(OpDef):
    """The gradient of Relu: `gradients` where `features` > 0, else 0 (one fused kernel)."""

    inputs = ("gradients", "features")
    elementwise = "gradients * T(features > 0)"

    @staticmethod
    def infer(g, y):
        check_same_dtype("ReluGrad", [g, y], ("gradients", "features"))
        return Spec(g.dtype, g.shape.merge_with(y.shape))

    @staticmethod
    def compute(g, y):
        return np.multiply(g, y > 0, dtype=g.dtype)  # one pass, no float mask array

    @staticmethod
    def reference(g, y):
        """The formula in plain numpy, as TF's kernel: g * (features > 0) in g's dtype
        (so a negative gradient gives -0.0). `compute` is tested bit-equal to it."""
        return g * (y > 0).astype(g.dtype)

    @staticmethod
    def gradient(op, grad):
        return [ReluGrad.apply([grad, op.inputs[1]]), None]


@register_op("Relu6")
class Relu6(UnaryOp):
    """Elementwise min(max(x, 0), 6)."""

    inputs = ("features",)

    @staticmethod
    def compute(x):
        return np.clip(x, 0, 6).astype(x.dtype)

    @staticmethod
    def gradient(op, grad):
        # Strictly inside (0, 6): both ends get gradient 0, as in TF.
        x = op.inputs[0]
        return [grad * indicator(comparison_ops.greater(x, 0), grad)
                * indicator(comparison_ops.less(x, 6), grad)]


def relu6(features, name=None) -> Tensor:
    """min(max(features, 0), 6).  Example: `tf.nn.relu6([-1., 3., 8.])` -> [0., 3., 6.]."""
    return Relu6.apply([features], name=name)


@register_op("LeakyRelu")
class LeakyRelu(UnaryOp):
    """Elementwise x where x > 0, else alpha * x."""

    inputs = ("features",)

    @staticmethod
    def compute(x, *, alpha):
        return np.where(x > 0, x, x * x.dtype.type(alpha))

    @staticmethod
    def gradient(op, grad):
        positive = comparison_ops.greater(op.inputs[0], 0)
        return [comparison_ops.where(positive, grad, grad * op.get_attr("alpha"))]


def leaky_relu(features, alpha=0.2, name=None) -> Tensor:
    """x if x > 0 else alpha * x.  Example: `tf.nn.leaky_relu([-1., 2.])` -> [-0.2, 2.]."""
    return LeakyRelu.apply([features], name=name, alpha=float(alpha))


@register_op("Elu")
class Elu(UnaryOp):
    """Elementwise x where x > 0, else exp(x) - 1."""

    inputs = ("features",)

    @staticmethod
    def compute(x):
        return np.where(x > 0, x, np.expm1(np.minimum(x, 0))).astype(x.dtype)

    @staticmethod
    def gradient(op, grad):
        # For y < 0, d(exp(x) - 1)/dx = exp(x) = y + 1.
        y = op.outputs[0]
        return [comparison_ops.where(comparison_ops.less(y, 0), grad * (y + 1), grad)]


def elu(features, name=None) -> Tensor:
    """Exponential linear unit.  Example: `tf.nn.elu([-1., 2.])` -> [-0.632, 2.]."""
    return Elu.apply([features], name=name)


@register_op("Softplus")
class Softplus(UnaryOp):
    """Elementwise log(1 + exp(x)), computed without overflow."""

    inputs = ("features",)

    @staticmethod
    def compute(x):
        return np.logaddexp(x.dtype.type(0), x)

    @staticmethod
    def gradient(op, grad):
        return [grad * unary_ops.sigmoid(op.inputs[0])]


def softplus(features, name=None) -> Tensor:
    """log(exp(features) + 1).  Example: `tf.nn.softplus([0.])` -> [0.6931]."""
    return Softplus.apply([features], name=name)


# -- softmax family ------------------------------------------------------------------------
@register_op("Softmax")
class Softmax(OpDef):
    """exp(x) / sum(exp(x)) over the last axis."""

    inputs = ("logits",)

    @staticmethod
    def infer(x):
        return logits_spec("Softmax", x)

    compute = staticmethod(last_axis_softmax)

    @staticmethod
    def gradient(op, grad):
        return [softmax_grad(grad, op.outputs[0])]


def softmax(logits, axis=None, name=None, dim=None) -> Tensor:
    """Softmax over `axis` (default: the last).  Example: `tf.nn.softmax([0., 0.])` -> [.5, .5]."""
    return over_axis(Softmax, logits, dim if axis is None else axis, name)


@register_op("LogSoftmax")
class LogSoftmax(OpDef):
    """x - log(sum(exp(x))) over the last axis."""

    inputs = ("logits",)

    @staticmethod
    def infer(x):
        return logits_spec("LogSoftmax", x)

    compute = staticmethod(last_axis_log_softmax)

    @staticmethod
    def gradient(op, grad):
        total = broadcast_ops.reduce_sum(grad, axis=-1, keepdims=True)
        return [grad - total * unary_ops.exp(op.outputs[0])]


def log_softmax(logits, axis=None, name=None, dim=None) -> Tensor:
    """Log of the softmax over `axis`.  Example: `tf.nn.log_softmax([0., 0.])` -> [-.693, -.693]."""
    return over_axis(LogSoftmax, logits, dim if axis is None else axis, name)


def over_axis(op_def, logits, axis, name) -> Tensor:
    """Apply a last-axis op along `axis` by swapping that axis with the last one."""
    logits = convert_to_tensor(logits)
    rank = logits.shape.ndims
    if axis is None or axis == -1 or (rank is not None and axis == rank - 1):
        return op_def.apply([logits], name=name)
    if rank is None:
        raise ValueError(f"{op_def.op_type} over axis {axis} needs a known rank; "
                         f"'{logits.name}' has unknown rank. Fix: use axis=-1 or set_shape.")

    if not -rank <= axis < rank:
        raise ValueError(f"axis {axis} is out of range for a rank-{rank} tensor.")
    perm = list(range(rank))
    perm[axis], perm[-1] = perm[-1], perm[axis]
    return shape_ops.transpose(op_def.apply([shape_ops.transpose(logits, perm)]), perm, name=name)


# -- bias_add, in_top_k ------------------------------------------------------------------
@register_op("BiasAdd")
class BiasAdd(OpDef):
    """value + bias, the 1-D bias added along the channel axis (last for NHWC, 1 for NCHW)."""

    inputs = ("value", "bias")

    @staticmethod
    def elementwise(op):
        # NHWC adds along the last axis, as numpy broadcasts; NCHW's axis 1 is not that.
        return "value + bias" if op.attrs["data_format"] != "NCHW" else None

    @staticmethod
    def infer(value, bias, *, data_format):
        check_same_dtype("BiasAdd", [value, bias], names=("value", "bias"))
        if bias.shape.ndims not in (None, 1):
            raise ValueError(f"bias must be 1-D, got shape {bias.shape}. Fix: pass one bias "
                             "value per channel.")
        if value.shape.ndims is not None and value.shape.ndims < 2:
            raise ValueError(f"Shape must be at least rank 2 but is rank "
                             f"{value.shape.ndims} for the value of BiasAdd.")
        if value.shape.ndims is None:
            return Spec(value.dtype, value.shape)
        dims = list(value.shape.dims)
        channel = 1 if data_format == "NCHW" else -1
        if not dims[channel].is_compatible_with(bias.shape.dims[0] if bias.shape.ndims
                                                else None):
            raise ValueError(f"Dimensions must be equal, but are {dims[channel]} and "
                             f"{bias.shape.dims[0]}: the bias length must match the channel "
                             f"dimension of value {value.shape} ({data_format}).")
        dims[channel] = dims[channel].merge_with(bias.shape.dims[0] if bias.shape.ndims
                                                 else None)
        return Spec(value.dtype, TensorShape(dims))

    @staticmethod
    def compute(value, bias, *, data_format):
        if data_format == "NCHW":
            bias = bias.reshape((-1,) + (1,) * (value.ndim - 2))
        return value + bias

    @staticmethod
    def gradient(op, grad):
        return [grad, BiasAddGrad.apply([grad], data_format=op.get_attr("data_format"))]


@register_op("BiasAddGrad")
class BiasAddGrad(OpDef):
    """The gradient of BiasAdd for the bias: out_backprop summed over all but the channel axis.

    One kernel, because a reshape to [-1, channels] sums an NHWC tensor about ten times faster
    than numpy's sum over axes (0, 1, 2).
    """

    inputs = ("out_backprop",)

    @staticmethod
    def infer(g, *, data_format):
        check_dtype_in("BiasAddGrad", g, NUMBERS, arg="out_backprop")
        if g.shape.ndims is not None and g.shape.ndims < 2:
            raise ValueError(f"out_backprop must be at least rank 2, got shape {g.shape}.")
        if g.shape.ndims is None:
            return Spec(g.dtype, TensorShape([None]))
        return Spec(g.dtype, TensorShape([g.shape.dims[1 if data_format == "NCHW" else -1]]))

    @staticmethod
    def compute(g, *, data_format):
        if data_format == "NCHW":
            return g.reshape(g.shape[0], g.shape[1], -1).sum(axis=(0, 2))
        return g.reshape(-1, g.shape[-1]).sum(axis=0)

    @staticmethod
    def gradient(op, grad):
        # Every element of out_backprop received its channel's bias gradient.
        g = op.inputs[0]
        if op.get_attr("data_format") == "NCHW":
            grad = shape_ops.reshape(grad, [1, -1] + [1] * (g.shape.ndims - 2))
        return [broadcast_ops.broadcast_to(grad, shape_ops.shape(g))]


def bias_add(value, bias, data_format=None, name=None) -> Tensor:
    """Add a 1-D `bias` along the channel axis.  Example: `tf.nn.bias_add(x, b)` (x: [N, C])."""
    data_format = data_format or "NHWC"
    if data_format not in ("NHWC", "NCHW"):
        raise ValueError(f"data_format must be 'NHWC' or 'NCHW', got {data_format!r}.")
    value = convert_to_tensor(value, name="value")
    if data_format == "NCHW" and value.shape.ndims is None:
        raise ValueError("bias_add with data_format='NCHW' needs a value of known rank.")
    return BiasAdd.apply([value, bias], name=name, data_format=data_format)


@register_op("InTopKV2")
class InTopKV2(OpDef):
    """Whether each target class is among the k largest predictions of its row.

    A target counts as in the top k when fewer than k predictions are strictly greater, so
    ties all count; a non-finite prediction or an out-of-range target gives False.
    """

    inputs = ("predictions", "targets", "k")
    input_types = ("float32", "T", "T")

    @staticmethod
    def infer(predictions, targets, k):
        check_dtype_in("InTopKV2", predictions, ("float32",), arg="predictions")
        check_dtype_in("InTopKV2", targets, ("int32", "int64"), arg="targets")
        check_same_dtype("InTopKV2", [targets, k], names=("targets", "k"))
        if predictions.shape.ndims not in (None, 2) or targets.shape.ndims not in (None, 1):
            raise ValueError(f"in_top_k needs predictions [batch, classes] and targets "
                             f"[batch], got {predictions.shape} and {targets.shape}.")
        if k.shape.ndims not in (None, 0):
            raise ValueError(f"k must be a scalar, got shape {k.shape}.")
        batch = targets.shape
        if predictions.shape.ndims == 2:
            first = TensorShape(predictions.shape.dims[:1])
            if not first.is_compatible_with(batch):
                raise ValueError(f"First dimension of predictions {predictions.shape} must "
                                 f"match length of targets {targets.shape}.")
            batch = first.merge_with(batch)
        return Spec(_dtypes.bool, batch)

    @staticmethod
    def compute(predictions, targets, k):
        rows = np.arange(len(targets))
        valid = (targets >= 0) & (targets < predictions.shape[1])
        target_values = predictions[rows, np.where(valid, targets, 0)]
        greater = np.sum(predictions > target_values[:, None], axis=1)
        return valid & np.isfinite(target_values) & (greater < k)

    gradient = staticmethod(no_gradient)


def in_top_k(predictions, targets, k, name=None) -> Tensor:
    """Whether `targets[i]` is among the top `k` of `predictions[i]` (ties count as in).

    Example: `tf.nn.in_top_k([[0.1, 0.9]], [1], 1)` -> [True].
    """
    targets = convert_to_tensor(targets, name="targets")
    return InTopKV2.apply([predictions, targets, k], name=name)




@register_op("TopKV2")
class TopKV2(OpDef):
    """Outputs (values, indices) of the k largest entries along the last axis, largest first;
    among equal values the lower index comes first."""

    inputs = ("input", "k")
    input_types = ("T", "int32")

    @staticmethod
    def infer(x, k, *, sorted):  # noqa: A002 - TF's attribute name
        check_dtype_in("TopKV2", x, REALS, arg="input")
        if x.shape.ndims == 0:
            raise ValueError("top_k needs an input of rank >= 1, got a scalar.")
        if k.shape.ndims not in (None, 0):
            raise ValueError(f"k must be a scalar, got shape {k.shape}.")
        if x.shape.ndims is None:
            return [Spec(x.dtype, x.shape), Spec(_dtypes.int32, x.shape)]
        last = None if k.value is None else int(k.value)
        columns = x.shape.dims[-1].value
        if last is not None and (last < 0 or columns is not None and columns < last):
            raise ValueError(f"input must have at least k columns. Had {columns}, needed "
                             f"{last}. Fix: pass k between 0 and the last dimension.")
        shape = TensorShape(list(x.shape.dims[:-1]) + [last])
        return [Spec(x.dtype, shape), Spec(_dtypes.int32, shape)]

    @staticmethod
    def compute(x, k, *, sorted):  # noqa: A002
        if not 0 <= k <= x.shape[-1]:
            raise InvalidArgumentError(None, None, f"input must have at least k columns. Had "
                                       f"{x.shape[-1]}, needed {k}.")
        # A stable sort of the negated values keeps the lower index first among ties.
        order = np.argsort(-x if x.dtype.kind == "f" else -x.astype(np.float64), axis=-1,
                           kind="stable")[..., :k]
        return [np.take_along_axis(x, order, axis=-1), order.astype(np.int32)]

    @staticmethod
    def gradient(op, grad_values, grad_indices):
        # Each value came from one input position: scatter the gradient back with one_hot.
        x, indices = op.inputs[0], op.outputs[1]
        depth = x.shape.dims[-1].value if x.shape.ndims else None
        depth = shape_ops.shape(x)[-1] if depth is None else depth
        spread = indexing_ops.one_hot(indices, depth, dtype=grad_values.dtype.base_dtype)
        spread_grad = shape_ops.expand_dims(grad_values, -1) * spread
        return [broadcast_ops.reduce_sum(spread_grad, axis=-2), None]


def top_k(input, k=1, sorted=True, name=None) -> tuple:  # noqa: A002 - TF's argument names
    """The k largest entries of the last axis and their indices, as (values, indices).

    Example: `tf.nn.top_k([1., 3., 2.], 2)` -> values [3., 2.], indices [1, 2].
    """
    values, indices = TopKV2.apply([input, k], name=name, sorted=bool(sorted))
    return values, indices
