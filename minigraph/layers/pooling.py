"""`tf.layers` pooling: MaxPooling2D / max_pooling2d and AveragePooling2D / average_pooling2d.

Lives here: the two layer classes (no variables; their ops go under `max_pooling2d/`,
`average_pooling2d/`, ... as in TF) and their functional forms. The ops are tf.nn's
(ops/pooling_ops.py); convolution layers are in layers/convolutional.py.
"""

from __future__ import annotations

from ..framework.tensor import Tensor
from ..ops.pooling_ops import AvgPool, MaxPool, pool_attrs
from .convolutional import layer_data_format, layer_padding, pair
from .core import Layer

__all__ = ["MaxPooling2D", "max_pooling2d", "AveragePooling2D", "average_pooling2d",
           "MaxPool2D", "AvgPool2D"]


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
