"""`tf.layers` pooling: max and average pooling layers in 2-D and 1-D.

Lives here: MaxPooling2D / max_pooling2d, AveragePooling2D / average_pooling2d and their
1-D twins (pooled as TF does: ExpandDims to 2-D, pool, Squeeze). The layers have no
variables; their ops go under `max_pooling2d/`, `average_pooling2d/`, ... as in TF. The
ops are tf.nn's (ops/pooling_ops.py); convolution layers are in layers/convolutional.py.
"""

from __future__ import annotations

from ..framework.tensor import Tensor
from ..ops.shape_ops import expand_dims, squeeze
from ..ops.pooling_ops import AvgPool, MaxPool, pool_attrs
from .convolutional import layer_data_format, layer_padding, pair, spatial_tuple
from .core import Layer

__all__ = ["MaxPooling2D", "max_pooling2d", "AveragePooling2D", "average_pooling2d",
           "MaxPool2D", "AvgPool2D", "MaxPooling1D", "max_pooling1d", "AveragePooling1D",
           "average_pooling1d", "MaxPool1D", "AvgPool1D"]


class Pooling2D(Layer):
    """Shared base: pool_size, strides, padding and data_format, as TF's layers take them."""

    op_def = MaxPool
    default_name = "pooling2d"

    def __init__(self, pool_size, strides, padding: str = "valid",
                 data_format: str = "channels_last", name: str | None = None, **kwargs):
        super().__init__(name=name, **kwargs)
        if name is None:
            self._base_name = self.default_name
        self.pool_size = pair(pool_size, "pool_size")
        self.strides = pair(self.pool_size if strides is None else strides, "strides")
        self.padding = layer_padding(padding)
        self.data_format = layer_data_format(data_format)

    def call(self, inputs: Tensor) -> Tensor:
        attrs = pool_attrs(self.pool_size, self.strides, self.padding, self.data_format)
        return self.op_def.apply([inputs], **attrs)


class MaxPooling2D(Pooling2D):
    """Max pooling layer.  Example: `tf.layers.MaxPooling2D(2, 2)(x)`."""

    op_def = MaxPool
    default_name = "max_pooling2d"


class AveragePooling2D(Pooling2D):
    """Average pooling layer ('same' padding cells are left out of each mean, as in TF)."""

    op_def = AvgPool
    default_name = "average_pooling2d"


MaxPool2D = MaxPooling2D
AvgPool2D = AveragePooling2D


def max_pooling2d(inputs, pool_size, strides, padding: str = "valid",
                  data_format: str = "channels_last", name: str | None = None) -> Tensor:
    """Max pooling over `pool_size` windows moved by `strides` (ints or pairs).

    Example: `h = tf.layers.max_pooling2d(h, pool_size=2, strides=2)` halves height and width.
    """
    return MaxPooling2D(pool_size, strides, padding=padding, data_format=data_format,
                        name=name, _scope=name)(inputs)


def average_pooling2d(inputs, pool_size, strides, padding: str = "valid",
                      data_format: str = "channels_last", name: str | None = None) -> Tensor:
    """Average pooling over `pool_size` windows moved by `strides` (ints or pairs).

    Example: `h = tf.layers.average_pooling2d(h, 2, 2, padding="same")`.
    """
    return AveragePooling2D(pool_size, strides, padding=padding, data_format=data_format,
                            name=name, _scope=name)(inputs)


class Pooling1D(Layer):
    """Shared base of the 1-D pooling layers: the 2-D op over an added width-1 axis."""

    op_def = MaxPool
    default_name = "pooling1d"

    def __init__(self, pool_size, strides, padding: str = "valid",
                 data_format: str = "channels_last", name: str | None = None, **kwargs):
        super().__init__(name=name, **kwargs)
        if name is None:
            self._base_name = self.default_name
        self.pool_size = spatial_tuple(pool_size, "pool_size", 1)[0]
        self.strides = spatial_tuple(self.pool_size if strides is None else strides,
                                     "strides", 1)[0]
        self.padding = layer_padding(padding)
        self.data_format = layer_data_format(data_format, 1)

    def call(self, inputs: Tensor) -> Tensor:
        # As TF: [batch, steps, channels] -> [batch, steps, 1, channels] (or NCW -> NCW1).
        axis, fmt = (2, "NHWC") if self.data_format == "NWC" else (3, "NCHW")
        attrs = pool_attrs((self.pool_size, 1), (self.strides, 1), self.padding, fmt)
        return squeeze(self.op_def.apply([expand_dims(inputs, axis)], **attrs), [axis])


class MaxPooling1D(Pooling1D):
    """1-D max pooling layer.  Example: `tf.layers.MaxPooling1D(2, 2)(sequence)`."""

    op_def = MaxPool
    default_name = "max_pooling1d"


class AveragePooling1D(Pooling1D):
    """1-D average pooling layer."""

    op_def = AvgPool
    default_name = "average_pooling1d"


MaxPool1D = MaxPooling1D
AvgPool1D = AveragePooling1D


def max_pooling1d(inputs, pool_size, strides, padding: str = "valid",
                  data_format: str = "channels_last", name: str | None = None) -> Tensor:
    """Max pooling over [batch, steps, channels].  Example: `tf.layers.max_pooling1d(h, 2, 2)`."""
    return MaxPooling1D(pool_size, strides, padding=padding, data_format=data_format,
                        name=name, _scope=name)(inputs)


def average_pooling1d(inputs, pool_size, strides, padding: str = "valid",
                      data_format: str = "channels_last", name: str | None = None) -> Tensor:
    """Average pooling over [batch, steps, channels].  Example: `average_pooling1d(h, 3, 1)`."""
    return AveragePooling1D(pool_size, strides, padding=padding, data_format=data_format,
                            name=name, _scope=name)(inputs)
