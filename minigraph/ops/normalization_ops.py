"""Batch normalisation: the FusedBatchNorm / FusedBatchNormV3 ops and tf.nn's two functions.

Lives here: one block shared by the two fused op types (V3 adds one output), their public
constructor `fused_batch_norm`, the composite `batch_normalization` (plain math ops, so
its gradient comes for free) and `assign_moving_average`, the moving-statistics update that
the batch-norm layers and tf.train.ExponentialMovingAverage share. The layers built on them
live in layers/normalization.py, the moving averages in train/moving_averages.py, `moments`
in nn_impl.py.
"""

from __future__ import annotations

import numpy as np

from ..framework.graph import name_scope
from ..framework.tensor import Spec, Tensor
from ..framework.registry import OpDef, register_op
from ..framework.shapes import TensorShape
from . import broadcast_ops, math_ops, reduction_ops, shape_ops, state_ops, unary_ops
from .common import check_dtype_in
from .constant_op import constant, convert_to_tensor

__all__ = ["batch_normalization", "fused_batch_norm"]

FUSED_FLOATS = ("float16", "float32", "float64")


def channel_axis(data_format: str) -> int:
    if data_format not in ("NHWC", "NCHW"):
        raise ValueError(f"data_format must be 'NHWC' or 'NCHW', got {data_format!r}.")
    return 3 if data_format == "NHWC" else 1


def channel_shape(data_format: str) -> list:
    """Shape that broadcasts a per-channel vector against a 4-D tensor."""
    return [1, 1, 1, -1] if data_format == "NHWC" else [1, -1, 1, 1]


class _FusedBatchNorm(OpDef):
    """Outputs (y, batch_mean, batch_variance, reserve_space_1, reserve_space_2[, _3]).

    Training: y = (x - m) / sqrt(v + epsilon) * scale + offset with m, v the mean and the
    population variance of each channel; `batch_variance` is v * n / (n - 1) (Bessel's
    correction, n values per channel), the value moving averages use. With
    exponential_avg_factor f < 1 the batch statistics are blended into the given mean and
    variance: (1 - f) * old + f * batch. Inference (is_training=False) normalises with the
    given mean and variance and returns them.
    """

    inputs = ("x", "scale", "offset", "mean", "variance")
    input_types = ("T", "U", "U", "U", "U")
    extra_outputs = 0

    @classmethod
    def infer(cls, x, scale, offset, mean, variance, *, epsilon=1e-4, data_format="NHWC",
              is_training=True, exponential_avg_factor=1.0):
        check_dtype_in(cls.op_type, x, FUSED_FLOATS, arg="x")
        axis = channel_axis(data_format)
        if x.shape.ndims not in (None, 4):
            raise ValueError(f"input must be 4-dimensional, got shape {x.shape}. Fix: "
                             "use tf.nn.batch_normalization for other ranks.")
        channels = x.shape[axis].value if x.shape.ndims == 4 else None
        for arg, spec in (("scale", scale), ("offset", offset)):
            if spec.shape.ndims not in (None, 1) or (
                    channels is not None and spec.shape.ndims == 1
                    and spec.shape[0].value not in (None, channels)):
                raise ValueError(f"{arg} must be a vector of {channels} channels, got shape "
                                 f"{spec.shape} (data_format {data_format}).")
        vec = Spec(scale.dtype, TensorShape([channels]))
        outputs = [Spec(x.dtype, x.shape)] + [vec] * 4
        return outputs + [Spec(scale.dtype, TensorShape([0]))] * cls.extra_outputs

    @classmethod
    def compute(cls, x, scale, offset, mean, variance, *, epsilon=1e-4, data_format="NHWC",
                is_training=True, exponential_avg_factor=1.0):
        axis = channel_axis(data_format)
        axes = tuple(i for i in range(4) if i != axis)
        shape = channel_shape(data_format)
        xf = x.astype(np.float32) if x.dtype == np.float16 else x
        if is_training:
            batch_mean = xf.mean(axis=axes)
            batch_var = np.square(xf - batch_mean.reshape(shape)).mean(axis=axes)
            n = xf.size // xf.shape[axis]
            corrected = batch_var * (n / max(n - 1, 1))
            use_mean, use_var = batch_mean, batch_var
            if exponential_avg_factor != 1.0 and np.size(mean):
                f = exponential_avg_factor
                batch_mean = (1 - f) * mean + f * batch_mean
                corrected = (1 - f) * variance + f * corrected
        else:
            use_mean, use_var = mean, variance
            batch_mean, corrected = mean, variance
        inv = (1.0 / np.sqrt(use_var + epsilon)) * scale
        y = (xf - use_mean.reshape(shape)) * inv.reshape(shape) + offset.reshape(shape)
        vec = scale.dtype
        outs = [y.astype(x.dtype), np.asarray(batch_mean, vec), np.asarray(corrected, vec),
                np.asarray(use_mean, vec), np.asarray(use_var, vec)]
        return outs + [np.zeros([0], vec)] * cls.extra_outputs

    @staticmethod
    def gradient(op, dy, *unused):
        # Only y's gradient flows, as in TF; the statistics are recomputed from x with graph
        # ops (not read from the reserve outputs) so that second derivatives are right too.
        x, scale, offset, mean, variance = op.inputs
        fmt, eps = op.get_attr("data_format"), op.get_attr("epsilon")
        axes = [i for i in range(4) if i != channel_axis(fmt)]
        shape = channel_shape(fmt)
        dy = math_ops.cast(dy, scale.dtype.base_dtype)
        xf = math_ops.cast(x, scale.dtype.base_dtype)
        if op.get_attr("is_training"):
            m = reduction_ops.reduce_mean(xf, axes, keepdims=True)
            v = reduction_ops.reduce_mean(math_ops.squared_difference(xf, m), axes, keepdims=True)
        else:
            m, v = shape_ops.reshape(mean, shape), shape_ops.reshape(variance, shape)
        inv = unary_ops.rsqrt(v + eps)
        xhat = (xf - m) * inv
        dscale = broadcast_ops.reduce_sum(dy * xhat, axes)
        doffset = broadcast_ops.reduce_sum(dy, axes)
        g = shape_ops.reshape(scale, shape) * inv
        if op.get_attr("is_training"):
            dy = dy - reduction_ops.reduce_mean(dy, axes, keepdims=True) \
                - xhat * reduction_ops.reduce_mean(dy * xhat, axes, keepdims=True)
        dx = math_ops.cast(dy * g, x.dtype.base_dtype)
        return [dx, dscale, doffset, None, None]


@register_op("FusedBatchNorm")
class FusedBatchNorm(_FusedBatchNorm):
    """TF's first fused batch norm: five outputs (see _FusedBatchNorm)."""


@register_op("FusedBatchNormV3")
class FusedBatchNormV3(_FusedBatchNorm):
    """The fused batch norm tf.nn.fused_batch_norm builds: a sixth, empty reserve output."""

    extra_outputs = 1


def fused_batch_norm(x, scale, offset, mean=None, variance=None, epsilon=0.001,
                     data_format="NHWC", is_training=True, name=None,
                     exponential_avg_factor=1.0) -> tuple:
    """Batch normalisation of a 4-D tensor over every axis but the channels, in one op.

    Returns (y, batch_mean, batch_variance). While training, `mean`/`variance` may be None
    and batch_variance carries Bessel's correction (n / (n - 1)), as in TF; at inference
    both are required and are used (and returned) as given. Epsilon is raised to 1.001e-5 at
    least, as TF does.
    Example: `y, m, v = tf.nn.fused_batch_norm(x, gamma, beta)` (x: [N, H, W, C]).
    """
    with name_scope(name, "FusedBatchNormV3", [x, scale, offset]) as scope:
        x = convert_to_tensor(x, name="input")
        scale = convert_to_tensor(scale, name="scale")
        offset = convert_to_tensor(offset, dtype=scale.dtype.base_dtype, name="offset")
        if not is_training and (mean is None or variance is None):
            raise ValueError("Both 'mean' and 'variance' must be a 1-D tensor when "
                             "is_training is False.")
        if mean is None:
            mean = constant([], dtype=scale.dtype.base_dtype)
        if variance is None:
            variance = constant([], dtype=scale.dtype.base_dtype)
        epsilon = max(float(epsilon), 1.001e-5)
        y, batch_mean, batch_var, *_ = FusedBatchNormV3.apply(
            [x, scale, offset, mean, variance], name=scope, epsilon=epsilon,
            data_format=data_format, is_training=bool(is_training),
            exponential_avg_factor=float(exponential_avg_factor))
        return y, batch_mean, batch_var


def batch_normalization(x, mean, variance, offset, scale, variance_epsilon,
                        name=None) -> Tensor:
    """(x - mean) * scale / sqrt(variance + variance_epsilon) + offset, broadcasting.

    `offset` and `scale` may be None (0 and 1). Written as x * inv + (offset - mean * inv)
    with inv = scale * rsqrt(variance + epsilon), as TF does.
    Example: `mean, var = tf.nn.moments(x, [0]); y = tf.nn.batch_normalization(x, mean, var,
    beta, gamma, 1e-3)`.
    """
    with name_scope(name, "batchnorm", [x, mean, variance, scale, offset]):
        x = convert_to_tensor(x, name="x")
        inv = unary_ops.rsqrt(variance + variance_epsilon)
        if scale is not None:
            inv = inv * scale
        shift = offset - mean * inv if offset is not None else -mean * inv
        dtype = x.dtype.base_dtype
        if inv.dtype.base_dtype != dtype:
            inv, shift = math_ops.cast(inv, dtype), math_ops.cast(shift, dtype)
        return x * inv + shift


def assign_moving_average(variable, value, decay, name=None) -> Tensor:
    """variable -= (variable - value) * (1 - decay); returns the updated value.

    This is TF's form of variable = decay * variable + (1 - decay) * value.
    Example: `assign_moving_average(moving_mean, batch_mean, 0.99)`.
    """
    with name_scope(name, "AssignMovingAvg", [variable, value, decay]) as scope:
        dtype = variable.dtype.base_dtype
        one_minus = convert_to_tensor(1.0 - decay, name="decay")
        if one_minus.dtype.base_dtype != dtype:
            one_minus = math_ops.cast(one_minus, dtype)
        return state_ops.assign_sub(variable, (variable - value) * one_minus, name=scope)
