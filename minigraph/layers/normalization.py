"""`tf.layers.batch_normalization` and the `BatchNormalization` layer class.

Lives here: the layer (variables `gamma`, `beta`, `moving_mean`, `moving_variance` under the
layer's scope, moving-average updates added to UPDATE_OPS) and the function form. 4-D inputs
normalised over axis 1 or 3 use one FusedBatchNormV3 op, as TF does (its moving variance
therefore follows the Bessel-corrected batch variance); other ranks use moments and
tf.nn.batch_normalization. The ops are in ops/normalization_ops.py.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..framework.graph import GraphKeys, add_to_collections
from ..framework.tensor import Tensor
from ..framework.shapes import TensorShape
from ..ops import array_ops, control_flow_ops, shape_ops
from ..ops.constant_op import convert_to_tensor
from ..ops.init_ops import ones_initializer, zeros_initializer
from ..ops.nn_impl import moments
from ..ops.normalization_ops import batch_normalization as nn_batch_normalization
from ..ops.normalization_ops import assign_moving_average, fused_batch_norm
from .core import Layer

__all__ = ["BatchNormalization", "batch_normalization"]


class BatchNormalization(Layer):
    """Normalise with the batch statistics while training and the moving ones otherwise.

    `layer(x, training=...)` takes a Python bool or a boolean tensor. While training, the
    moving statistics are updated by ops added to UPDATE_OPS (run them with
    `with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS))`):
    moving -= (moving - batch) * (1 - momentum).
    TF1 note: renorm, virtual_batch_size and adjustment are not supported (ValueError).
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer=None, gamma_initializer=None, moving_mean_initializer=None,
                 moving_variance_initializer=None, beta_regularizer=None, gamma_regularizer=None,
                 beta_constraint=None, gamma_constraint=None, renorm=False, renorm_clipping=None,
                 renorm_momentum=0.99, fused=None, trainable=True, virtual_batch_size=None,
                 adjustment=None, name=None, **kwargs):
        super().__init__(trainable=trainable, name=name or "batch_normalization", **kwargs)
        if renorm or virtual_batch_size is not None or adjustment is not None:
            raise ValueError("BatchNormalization(renorm=..., virtual_batch_size=..., "
                             "adjustment=...) is not supported by minigraph. Fix: leave them "
                             "at their defaults.")
        if not isinstance(axis, numbers.Integral):
            raise TypeError(f"axis must be an int, got {axis!r} (minigraph normalises over "
                            "one channel axis).")
        self.axis, self.momentum, self.epsilon = int(axis), momentum, epsilon
        self.center, self.scale, self.fused = center, scale, fused
        self.beta_initializer = beta_initializer or zeros_initializer()
        self.gamma_initializer = gamma_initializer or ones_initializer()
        self.moving_mean_initializer = moving_mean_initializer or zeros_initializer()
        self.moving_variance_initializer = moving_variance_initializer or ones_initializer()
        self.regularizers = (beta_regularizer, gamma_regularizer)
        self.constraints = (beta_constraint, gamma_constraint)
        self.gamma = self.beta = self.moving_mean = self.moving_variance = None
        self.rank = None
        self.updates_collections = GraphKeys.UPDATE_OPS  # tf.contrib's batch_norm may change it
        self.updates: list = []

    def build(self, input_shape: TensorShape) -> None:
        ndims = input_shape.ndims
        if ndims is None:
            raise ValueError(f"Input to BatchNormalization layer '{self.name}' has undefined "
                             "rank. Fix: give the input a static rank.")
        if not -ndims <= self.axis < ndims:
            raise ValueError(f"Invalid axis {self.axis} for input of rank {ndims}.")
        self.axis %= ndims
        self.rank = ndims
        channels = input_shape[self.axis].value
        if channels is None:
            raise ValueError(f"Axis {self.axis} of input tensor should have a defined "
                             f"dimension but the layer received an input with shape "
                             f"{input_shape}.")
        if self.fused is None:
            self.fused = ndims == 4 and self.axis in (1, 3)
        dtype = self.dtype if self.dtype.is_floating else None
        beta_reg, gamma_reg = self.regularizers
        if self.scale:
            self.gamma = self.add_weight("gamma", [channels], dtype, self.gamma_initializer,
                                         gamma_reg, constraint=self.constraints[1])
        if self.center:
            self.beta = self.add_weight("beta", [channels], dtype, self.beta_initializer,
                                        beta_reg, constraint=self.constraints[0])
        self.moving_mean = self.add_weight("moving_mean", [channels], dtype,
                                           self.moving_mean_initializer, trainable=False)
        self.moving_variance = self.add_weight("moving_variance", [channels], dtype,
                                               self.moving_variance_initializer,
                                               trainable=False)

    def call(self, inputs: Tensor, training=False) -> Tensor:
        static = isinstance(training, (bool, np.bool_, numbers.Integral))
        if not static:
            training = convert_to_tensor(training, name="training")
        if static and not training:
            mean, variance = self.moving_mean.value(), self.moving_variance.value()
            return self._normalize(inputs, mean, variance)
        if self.fused:
            outputs, mean, variance = self._fused_in_training(inputs, training, static)
        else:
            batch_mean, batch_variance = moments(inputs, self._reduction_axes())
            mean, variance = batch_mean, batch_variance
            if not static:
                mean, variance = control_flow_ops.cond(
                    training, lambda: [array_ops.identity(batch_mean),
                                       array_ops.identity(batch_variance)],
                    lambda: [self.moving_mean.value(), self.moving_variance.value()])
            outputs = self._normalize(inputs, mean, variance)
        self._add_updates(mean, variance)
        return outputs

    def _reduction_axes(self) -> list:
        return [i for i in range(self.rank) if i != self.axis]

    def _vectors(self, like: Tensor) -> tuple:
        """gamma and beta, or constants 1 and 0 when scale/center are off."""
        channels, dtype = self.moving_mean.shape.as_list(), like.dtype.base_dtype
        gamma = self.gamma.value() if self.gamma is not None else array_ops.ones(channels, dtype)
        beta = self.beta.value() if self.beta is not None else array_ops.zeros(channels, dtype)
        return gamma, beta

    def _normalize(self, inputs, mean, variance) -> Tensor:
        if self.fused:
            gamma, beta = self._vectors(mean)
            return fused_batch_norm(inputs, gamma, beta, mean, variance, self.epsilon,
                                    self._data_format(), is_training=False)[0]
        shape = [1] * self.rank
        shape[self.axis] = -1
        gamma = self.gamma.value() if self.gamma is not None else None
        beta = self.beta.value() if self.beta is not None else None
        if self.axis != self.rank - 1:
            mean, variance = shape_ops.reshape(mean, shape), shape_ops.reshape(variance, shape)
            gamma = shape_ops.reshape(gamma, shape) if gamma is not None else None
            beta = shape_ops.reshape(beta, shape) if beta is not None else None
        return nn_batch_normalization(inputs, mean, variance, beta, gamma, self.epsilon)

    def _data_format(self) -> str:
        return "NHWC" if self.axis == 3 else "NCHW"

    def _fused_in_training(self, inputs, training, static) -> tuple:
        gamma, beta = self._vectors(self.moving_mean)

        def train():
            return list(fused_batch_norm(inputs, gamma, beta, epsilon=self.epsilon,
                                         data_format=self._data_format()))

        def infer():
            return list(fused_batch_norm(inputs, gamma, beta, self.moving_mean.value(),
                                         self.moving_variance.value(), self.epsilon,
                                         self._data_format(), is_training=False))

        if static:
            return tuple(train())
        return tuple(control_flow_ops.cond(training, train, infer))

    def _add_updates(self, mean: Tensor, variance: Tensor) -> None:
        # At inference (a false training tensor) mean/variance are the moving values
        # themselves, so the update adds exactly zero, as TF's momentum of 1 does.
        # Operations, not tensors, as TF's layers put in UPDATE_OPS.
        updates = [assign_moving_average(self.moving_mean, mean, self.momentum).op,
                   assign_moving_average(self.moving_variance, variance, self.momentum).op]
        self.updates.extend(updates)
        if self.updates_collections:
            for update in updates:
                add_to_collections(self.updates_collections, update)


def batch_normalization(inputs, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                        beta_initializer=None, gamma_initializer=None,
                        moving_mean_initializer=None, moving_variance_initializer=None,
                        beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                        gamma_constraint=None, training=False, trainable=True, name=None,
                        reuse=None, renorm=False, renorm_clipping=None, renorm_momentum=0.99,
                        fused=None, virtual_batch_size=None, adjustment=None) -> Tensor:
    """Batch normalisation layer; `training` is a Python bool or a boolean tensor.

    Creates `batch_normalization/{gamma,beta,moving_mean,moving_variance}` and adds the two
    moving-average updates to UPDATE_OPS; TF1 programs run them with
    `with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
    train_op = optimizer.minimize(loss)`.
    Example: `h = tf.layers.batch_normalization(h, training=is_training)`.
    """
    layer = BatchNormalization(
        axis=axis, momentum=momentum, epsilon=epsilon, center=center, scale=scale,
        beta_initializer=beta_initializer, gamma_initializer=gamma_initializer,
        moving_mean_initializer=moving_mean_initializer,
        moving_variance_initializer=moving_variance_initializer,
        beta_regularizer=beta_regularizer, gamma_regularizer=gamma_regularizer,
        beta_constraint=beta_constraint, gamma_constraint=gamma_constraint, renorm=renorm,
        renorm_clipping=renorm_clipping, renorm_momentum=renorm_momentum, fused=fused,
        trainable=trainable, virtual_batch_size=virtual_batch_size, adjustment=adjustment,
        name=name, _scope=name, _reuse=reuse)
    return layer(inputs, training=training)
