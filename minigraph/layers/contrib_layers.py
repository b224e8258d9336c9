"""`tf.contrib.layers`: the initializers, regularizers and layers TF1 course code imports.

Lives here: xavier_initializer (and its conv2d alias), the contrib variance_scaling_initializer
(factor/mode/uniform, truncated normal with stddev sqrt(1.3 * factor / n)), l1_regularizer,
l2_regularizer, fully_connected, conv2d, flatten and batch_norm, with contrib's variable names
(`fully_connected/weights`, `Conv/biases`, `BatchNorm/moving_mean`, ...). Everything else of
tf.contrib is deliberately absent (api/contrib/__init__.py says so).
"""

from __future__ import annotations

import math
import numbers
from typing import Callable

from ..framework import dtypes as _dtypes
from ..framework.graph import GraphKeys, add_to_collections, control_dependencies, name_scope
from ..framework.tensor import Tensor
from ..framework.shapes import as_shape
from ..ops import array_ops, broadcast_ops, linalg_ops, math_ops, shape_ops, unary_ops
from ..ops.constant_op import convert_to_tensor
from ..ops.conv_ops import conv2d as nn_conv2d
from ..ops.init_ops import Initializer, zeros_initializer
from ..ops.join_split_ops import concat
from ..ops.nn_ops import bias_add, relu
from ..ops.random_ops import random_uniform, truncated_normal
from ..ops.reduction_ops import l2_loss
from ..ops.variables import get_variable, variable_scope
from .normalization import BatchNormalization

__all__ = ["xavier_initializer", "xavier_initializer_conv2d", "variance_scaling_initializer",
           "l1_regularizer", "l2_regularizer", "fully_connected", "conv2d", "flatten",
           "batch_norm"]


# -- initializers --------------------------------------------------------------------------
class variance_scaling_initializer(Initializer):  # noqa: N801 - TF's name
    """contrib's He/Xavier initializer: n = fan_in, fan_out or their average (`mode`).

    uniform: U(-sqrt(3 * factor / n), +); otherwise a truncated normal with stddev
    sqrt(1.3 * factor / n). Example: `tf.contrib.layers.variance_scaling_initializer()` (He).
    """

    def __init__(self, factor=2.0, mode="FAN_IN", uniform=False, seed=None,
                 dtype=_dtypes.float32):
        if not _dtypes.as_dtype(dtype).is_floating:
            raise TypeError("Cannot create initializer for non-floating point type.")
        if mode not in ("FAN_IN", "FAN_OUT", "FAN_AVG"):
            raise TypeError(f"Unknown mode {mode} [FAN_IN, FAN_OUT, FAN_AVG]")
        self.factor, self.mode, self.uniform, self.seed = factor, mode, uniform, seed
        self.dtype = _dtypes.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        dims = as_shape(shape).as_list()
        fan_in = float(dims[-2]) if len(dims) > 1 else float(dims[-1]) if dims else 1.0
        fan_out = float(dims[-1]) if dims else 1.0
        for dim in dims[:-2]:
            fan_in *= dim
            fan_out *= dim
        n = {"FAN_IN": fan_in, "FAN_OUT": fan_out, "FAN_AVG": (fan_in + fan_out) / 2.0}[
            self.mode]
        dtype = self._dtype(dtype)
        if self.uniform:
            limit = math.sqrt(3.0 * self.factor / n)
            return random_uniform(dims, -limit, limit, dtype, seed=self.seed)
        return truncated_normal(dims, 0.0, math.sqrt(1.3 * self.factor / n), dtype,
                                seed=self.seed)


def xavier_initializer(uniform=True, seed=None, dtype=_dtypes.float32) -> Initializer:
    """Glorot/Xavier: variance_scaling_initializer(1.0, "FAN_AVG", uniform).

    Example: `tf.get_variable("W", [784, 256], initializer=tf.contrib.layers.xavier_initializer())`.
    """
    return variance_scaling_initializer(1.0, "FAN_AVG", uniform, seed, dtype)


xavier_initializer_conv2d = xavier_initializer


# -- regularizers --------------------------------------------------------------------------
def make_regularizer(kind: str, scale, scope, penalty: Callable) -> Callable:
    if isinstance(scale, numbers.Integral):
        raise ValueError(f"scale cannot be an integer: {scale}. Fix: pass a float, e.g. "
                         f"{float(scale)}.")
    if isinstance(scale, numbers.Real):
        if scale < 0.0:
            raise ValueError(f"Setting a scale less than 0 on a regularizer: {scale}")
        if scale == 0.0:
            return lambda _: None

    def regularizer(weights):
        with name_scope(scope, kind, [weights]) as name:
            my_scale = convert_to_tensor(scale, dtype=weights.dtype.base_dtype, name="scale")
            return math_ops.multiply(my_scale, penalty(weights), name=name)

    return regularizer


def l2_regularizer(scale, scope=None) -> Callable:
    """A function weights -> scale * sum(weights ** 2) / 2 (None when scale is 0).

    Example: `tf.get_variable("w", [3, 3], regularizer=tf.contrib.layers.l2_regularizer(0.1))`.
    """
    return make_regularizer("l2_regularizer", scale, scope, l2_loss)


def l1_regularizer(scale, scope=None) -> Callable:
    """A function weights -> scale * sum(|weights|) (None when scale is 0).

    Example: `tf.contrib.layers.l1_regularizer(0.01)(w)`.
    """
    return make_regularizer("l1_regularizer", scale, scope,
                            lambda w: broadcast_ops.reduce_sum(unary_ops.abs_(w)))


# -- layers --------------------------------------------------------------------------------
ZEROS = zeros_initializer()  # the biases' default (None means "no biases", as in contrib)


def model_variable(name, shape, dtype, initializer, regularizer, trainable, collections):
    """A variable in GLOBAL_VARIABLES and MODEL_VARIABLES (plus `collections`), as contrib's."""
    extra = list(collections or [])
    return get_variable(name, shape, dtype=dtype, initializer=initializer,
                        regularizer=regularizer, trainable=trainable,
                        collections=[GraphKeys.GLOBAL_VARIABLES, GraphKeys.MODEL_VARIABLES]
                        + extra)


def finish(outputs, normalizer_fn, normalizer_params, make_biases, activation_fn,
           outputs_collections, data_format="NHWC") -> Tensor:
    """Normalizer (or biases), activation, and the outputs collection: contrib's tail."""
    if normalizer_fn is not None:
        outputs = normalizer_fn(outputs, **(normalizer_params or {}))
    elif make_biases is not None:
        outputs = bias_add(outputs, make_biases(), data_format=data_format)
    if activation_fn is not None:
        outputs = activation_fn(outputs)
    if outputs_collections:
        add_to_collections(outputs_collections, outputs)
    return outputs


def fully_connected(inputs, num_outputs, activation_fn=relu, normalizer_fn=None,
                    normalizer_params=None, weights_initializer=None, weights_regularizer=None,
                    biases_initializer=ZEROS, biases_regularizer=None, reuse=None,
                    variables_collections=None, outputs_collections=None, trainable=True,
                    scope=None) -> Tensor:
    """activation_fn(inputs @ weights + biases) with `fully_connected/weights` and `/biases`.

    Note the default activation is relu, unlike tf.layers.dense.
    Example: `h = tf.contrib.layers.fully_connected(x, 256)`.
    """
    with variable_scope(scope, "fully_connected", [inputs], reuse=reuse):
        inputs = convert_to_tensor(inputs, name="inputs")
        last = inputs.shape[-1].value if inputs.shape.ndims else None
        if last is None:
            raise ValueError(f"The last dimension of the inputs to fully_connected must be "
                             f"known, got shape {inputs.shape}.")
        dtype = inputs.dtype.base_dtype
        weights = model_variable("weights", [last, num_outputs], dtype,
                                 weights_initializer or xavier_initializer(),
                                 weights_regularizer, trainable, variables_collections)
        if inputs.shape.ndims > 2:
            flat = shape_ops.reshape(inputs, [-1, last])
            out_shape = concat([shape_ops.shape(inputs)[:-1], [num_outputs]], 0)
            outputs = shape_ops.reshape(linalg_ops.matmul(flat, weights), out_shape)
            outputs.set_shape(inputs.shape[:-1].concatenate([num_outputs]))
        else:
            outputs = linalg_ops.matmul(inputs, weights)
        biases = None if biases_initializer is None else lambda: model_variable(
            "biases", [num_outputs], dtype, biases_initializer, biases_regularizer, trainable,
            variables_collections)
        return finish(outputs, normalizer_fn, normalizer_params, biases, activation_fn,
                      outputs_collections)


def conv2d(inputs, num_outputs, kernel_size, stride=1, padding="SAME", data_format=None,
           rate=1, activation_fn=relu, normalizer_fn=None, normalizer_params=None,
           weights_initializer=None, weights_regularizer=None,
           biases_initializer=ZEROS, biases_regularizer=None, reuse=None,
           variables_collections=None, outputs_collections=None, trainable=True,
           scope=None) -> Tensor:
    """2-D convolution layer with `Conv/weights` [kh, kw, in, out] and `Conv/biases`.

    kernel_size, stride and rate are an int or a pair; data_format "NHWC" (default) or "NCHW".
    Example: `h = tf.contrib.layers.conv2d(images, 32, [5, 5])` (relu, SAME padding).
    """
    data_format = data_format or "NHWC"
    if data_format not in ("NHWC", "NCHW"):
        raise ValueError(f"data_format has to be either NCHW or NHWC, got {data_format!r}.")
    pair = (lambda v: [int(v), int(v)] if isinstance(v, numbers.Integral)
            else [int(d) for d in v])
    kh, kw = pair(kernel_size)
    sh, sw = pair(stride)
    rh, rw = pair(rate)
    with variable_scope(scope, "Conv", [inputs], reuse=reuse):
        inputs = convert_to_tensor(inputs, name="inputs")
        channels = inputs.shape[3 if data_format == "NHWC" else 1].value
        if channels is None:
            raise ValueError(f"The channel dimension of the inputs to conv2d must be known, "
                             f"got shape {inputs.shape}.")
        dtype = inputs.dtype.base_dtype
        weights = model_variable("weights", [kh, kw, channels, num_outputs], dtype,
                                 weights_initializer or xavier_initializer(),
                                 weights_regularizer, trainable, variables_collections)
        strides = [1, sh, sw, 1] if data_format == "NHWC" else [1, 1, sh, sw]
        dilations = [1, rh, rw, 1] if data_format == "NHWC" else [1, 1, rh, rw]
        outputs = nn_conv2d(inputs, weights, strides, padding.upper(), data_format=data_format,
                            dilations=dilations)
        biases = None if biases_initializer is None else lambda: model_variable(
            "biases", [num_outputs], dtype, biases_initializer, biases_regularizer, trainable,
            variables_collections)
        return finish(outputs, normalizer_fn, normalizer_params, biases, activation_fn,
                      outputs_collections, data_format)


def flatten(inputs, outputs_collections=None, scope=None) -> Tensor:
    """Reshape [batch, d1, d2, ...] to [batch, d1 * d2 * ...] under the scope "Flatten".

    Example: `tf.contrib.layers.flatten(pool2)`.
    """
    with name_scope(scope, "Flatten", [inputs]):
        inputs = convert_to_tensor(inputs, name="inputs")
        if inputs.shape.ndims is None or inputs.shape.ndims < 2:
            raise ValueError(f"Inputs must have a least 2 dimensions, got shape "
                             f"{inputs.shape}.")
        dims = inputs.shape.as_list()[1:]
        if all(d is not None for d in dims):
            size = 1
            for d in dims:
                size *= d
            outputs = shape_ops.reshape(inputs, [-1, size])
        else:
            outputs = shape_ops.reshape(inputs, array_ops.stack(
                [shape_ops.shape(inputs)[0], -1]))
        if outputs_collections:
            add_to_collections(outputs_collections, outputs)
        return outputs


def batch_norm(inputs, decay=0.999, center=True, scale=False, epsilon=0.001,
               activation_fn=None, param_initializers=None, param_regularizers=None,
               updates_collections=GraphKeys.UPDATE_OPS, is_training=True, reuse=None,
               variables_collections=None, outputs_collections=None, trainable=True,
               batch_weights=None, fused=None, data_format="NHWC",
               zero_debias_moving_mean=False, scope=None, renorm=False,
               renorm_clipping=None, renorm_decay=0.99, adjustment=None) -> Tensor:
    """contrib's batch normalisation: `BatchNorm/{beta,moving_mean,moving_variance}`
    (and `gamma` with scale=True), updates in `updates_collections` or, when that is None,
    run in place before the output.

    Inputs of rank 2 and 4 are normalised by one FusedBatchNormV3 op (rank 2 as
    [N, 1, 1, C]), as contrib does: the moving variance follows the Bessel-corrected batch
    variance. TF1 note: batch_weights, zero_debias_moving_mean and renorm are not supported.
    Example: `h = tf.contrib.layers.batch_norm(h, is_training=training, scale=True)`.
    """
    if batch_weights is not None or zero_debias_moving_mean or renorm:
        raise ValueError("batch_norm(batch_weights=..., zero_debias_moving_mean=True, "
                         "renorm=True) is not supported by minigraph. Fix: leave them at "
                         "their defaults.")
    inits = param_initializers or {}
    regs = param_regularizers or {}
    inputs = convert_to_tensor(inputs, name="inputs")
    rank = inputs.shape.ndims
    layer = BatchNormalization(
        axis=1 if data_format == "NCHW" else -1, momentum=decay, epsilon=epsilon,
        center=center, scale=scale, beta_initializer=inits.get("beta"),
        gamma_initializer=inits.get("gamma"), moving_mean_initializer=inits.get("moving_mean"),
        moving_variance_initializer=inits.get("moving_variance"),
        beta_regularizer=regs.get("beta"), gamma_regularizer=regs.get("gamma"),
        fused=rank in (2, 4) if fused is None else fused, trainable=trainable,
        name=scope or "BatchNorm", _scope=scope, _reuse=reuse)
    layer.updates_collections = updates_collections
    x = inputs
    if rank == 2 and layer.fused is not False:
        x = shape_ops.reshape(inputs, [-1, 1, 1, inputs.shape[-1].value])
    outputs = layer(x, training=is_training)
    if rank == 2 and layer.fused is not False:
        outputs = shape_ops.reshape(outputs, shape_ops.shape(inputs))
        outputs.set_shape(inputs.shape)
    if variables_collections:
        for var in layer.variables:
            add_to_collections(variables_collections, var)
    if updates_collections is None and layer.updates:
        with control_dependencies(layer.updates):
            outputs = array_ops.identity(outputs)
    if activation_fn is not None:
        outputs = activation_fn(outputs)
    if outputs_collections:
        add_to_collections(outputs_collections, outputs)
    return outputs
