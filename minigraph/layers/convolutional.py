"""`tf.layers` convolutions: Conv2D / conv2d and Conv2DTranspose / conv2d_transpose.

Lives here: the two layer classes (built on layers/core.py's `Layer`, so variable names,
`reuse` and `trainable` behave as for dense: `conv2d/kernel`, `conv2d/bias`, then
`conv2d_1/...`) and their functional forms, plus the argument normalisation they share with
the pooling layers (layers/pooling.py). The ops are tf.nn's (ops/conv_ops.py).
"""

from __future__ import annotations

import numbers
from typing import Callable

from ..framework.tensor import Tensor
from ..framework.shapes import TensorShape
from ..ops.array_ops import stack
from ..ops.conv_ops import Conv2D as Conv2DOp
from ..ops.conv_ops import conv2d_transpose as nn_conv2d_transpose
from ..ops.conv_ops import conv_attrs
from ..ops.init_ops import zeros_initializer
from ..ops.nn_ops import bias_add
from ..ops.shape_ops import shape
from .core import Layer, add_activity_loss

__all__ = ["Conv2D", "conv2d", "Conv2DTranspose", "conv2d_transpose", "Convolution2D",
           "Convolution2DTranspose"]


def pair(value, name: str) -> tuple:
    """An int or a pair of ints as (height, width); raises ValueError otherwise."""
    values = (value, value) if isinstance(value, numbers.Integral) else tuple(value)
    if len(values) != 2 or not all(isinstance(v, numbers.Integral) and v > 0 for v in values):
        raise ValueError(f"The `{name}` argument must be an int or a tuple of 2 positive "
                         f"ints. Received: {value!r}")
    return int(values[0]), int(values[1])


def layer_padding(padding: str) -> str:
    if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
        raise ValueError(f"The `padding` argument must be 'valid' or 'same'. Received: "
                         f"{padding!r}")
    return padding.upper()


def layer_data_format(data_format: str | None) -> str:
    """'channels_last' -> 'NHWC', 'channels_first' -> 'NCHW'."""
    formats = {None: "NHWC", "channels_last": "NHWC", "channels_first": "NCHW"}
    if data_format not in formats:
        raise ValueError(f"The `data_format` argument must be 'channels_last' or "
                         f"'channels_first'. Received: {data_format!r}")
    return formats[data_format]


class Conv2D(Layer):
    """2-D convolution layer: `activation(conv2d(inputs, kernel) + bias)`.

    Variables `<name>/kernel` ([kh, kw, in_channels, filters]) and `<name>/bias` ([filters]).
    """

    def __init__(self, filters: int, kernel_size, strides=(1, 1), padding: str = "valid",
                 data_format: str = "channels_last", dilation_rate=(1, 1),
                 activation: Callable | None = None, use_bias: bool = True,
                 kernel_initializer=None, bias_initializer=None, kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, trainable: bool = True, name: str | None = None,
                 **kwargs):
        super().__init__(trainable=trainable, name=name, **kwargs)
        if name is None:
            self._base_name = self.default_name
        if not isinstance(filters, numbers.Integral) or filters <= 0:
            raise ValueError(f"{type(self).__name__} needs a positive integer number of "
                             f"filters, got {filters!r}.")
        self.filters = int(filters)
        self.kernel_size = pair(kernel_size, "kernel_size")
        self.strides = pair(strides, "strides")
        self.padding = layer_padding(padding)
        self.data_format = layer_data_format(data_format)
        self.dilation_rate = pair(dilation_rate, "dilation_rate")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"strides > 1 not supported in conjunction with dilation_rate "
                             f"> 1. Received: strides={strides}, dilation_rate={dilation_rate}")
        self.activation, self.use_bias = activation, use_bias
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer or zeros_initializer()
        self.kernel_regularizer, self.bias_regularizer = kernel_regularizer, bias_regularizer
        self.activity_regularizer = activity_regularizer
        self.kernel_constraint, self.bias_constraint = kernel_constraint, bias_constraint
        self.kernel = self.bias = None

    default_name = "conv2d"

    def channels(self, input_shape: TensorShape) -> int:
        """The static channel count of the inputs (an error names the layer if unknown)."""
        if input_shape.ndims is not None and input_shape.ndims != 4:
            raise ValueError(f"Input 0 of layer '{self.name}' is incompatible with the layer: "
                             f"expected ndim=4, found ndim={input_shape.ndims}. Full shape "
                             f"received: {input_shape}. Fix: images are [batch, height, width, "
                             "channels]; add axes with tf.reshape or tf.expand_dims.")
        axis = 3 if self.data_format == "NHWC" else 1
        value = input_shape[axis].value if input_shape.ndims is not None else None
        if value is None:
            raise ValueError(f"The channel dimension of the inputs to layer '{self.name}' "
                             f"should be defined. Found `None` in shape {input_shape}. Fix: "
                             "give the placeholder a static channel size or call set_shape.")
        return value

    def kernel_shape(self, channels: int) -> list:
        return [*self.kernel_size, channels, self.filters]

    def build(self, input_shape: TensorShape) -> None:
        if not self.dtype.is_floating:
            raise TypeError(f"Unable to build layer '{self.name}' with non-floating point "
                            f"dtype {self.dtype.name}. Fix: tf.cast the inputs to float32.")
        self.kernel = self.add_weight("kernel", self.kernel_shape(self.channels(input_shape)),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight("bias", [self.filters], initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)

    def convolve(self, inputs: Tensor) -> Tensor:
        attrs = conv_attrs(self.strides, self.padding, self.dilation_rate, self.data_format)
        return Conv2DOp.apply([inputs, self.kernel], **attrs)

    def call(self, inputs: Tensor) -> Tensor:
        outputs = self.convolve(inputs)
        if self.use_bias:
            outputs = bias_add(outputs, self.bias, data_format=self.data_format)
        if self.activation is not None:
            outputs = self.activation(outputs)
        if self.activity_regularizer is not None:
            add_activity_loss(self.activity_regularizer, outputs)
        return outputs


def conv2d(inputs, filters: int, kernel_size, strides=(1, 1), padding: str = "valid",
           data_format: str = "channels_last", dilation_rate=(1, 1),
           activation: Callable | None = None, use_bias: bool = True, kernel_initializer=None,
           bias_initializer=None, kernel_regularizer=None, bias_regularizer=None,
           activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
           trainable: bool = True, name: str | None = None, reuse=None) -> Tensor:
    """2-D convolution layer with new (or reused) variables `conv2d/kernel`, `conv2d/bias`.

    `padding` is 'valid' (the default, as in TF) or 'same'; `kernel_initializer=None` means
    glorot-uniform. Pass `reuse=True` with the same `name` to share the variables.
    Example: `h = tf.layers.conv2d(x, 32, 5, padding="same", activation=tf.nn.relu)`.
    """
    layer = Conv2D(filters, kernel_size, strides=strides, padding=padding,
                   data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                   use_bias=use_bias, kernel_initializer=kernel_initializer,
                   bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                   bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                   kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                   trainable=trainable, name=name, _scope=name, _reuse=reuse)
    return layer(inputs)


def transposed_length(size, kernel: int, stride: int, padding: str):
    """Output length of a transposed convolution (None if the input length is unknown)."""
    if size is None:
        return None
    return size * stride + (max(kernel - stride, 0) if padding == "VALID" else 0)


class Conv2DTranspose(Conv2D):
    """Transposed 2-D convolution layer (the gradient of a convolution as a layer).

    Variables `<name>/kernel` ([kh, kw, filters, in_channels]) and `<name>/bias` ([filters]);
    'same' multiplies the spatial size by the strides.
    """

    default_name = "conv2d_transpose"

    def kernel_shape(self, channels: int) -> list:
        return [*self.kernel_size, self.filters, channels]

    def convolve(self, inputs: Tensor) -> Tensor:
        dims = inputs.shape.as_list() if inputs.shape.ndims == 4 else [None] * 4
        h_axis = 1 if self.data_format == "NHWC" else 2
        size = [transposed_length(dims[h_axis + i], self.kernel_size[i], self.strides[i],
                                  self.padding) for i in range(2)]
        batch = dims[0]
        tail = size + [self.filters] if self.data_format == "NHWC" else [self.filters] + size
        if batch is not None and None not in size:
            output_shape = [batch] + tail
        else:
            output_shape = stack([shape(inputs)[0]] + tail)
        outputs = nn_conv2d_transpose(inputs, self.kernel, output_shape, self.strides,
                                      padding=self.padding, data_format=self.data_format)
        outputs.set_shape([batch] + tail)
        return outputs


def conv2d_transpose(inputs, filters: int, kernel_size, strides=(1, 1),
                     padding: str = "valid", data_format: str = "channels_last",
                     activation: Callable | None = None, use_bias: bool = True,
                     kernel_initializer=None, bias_initializer=None, kernel_regularizer=None,
                     bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                     bias_constraint=None, trainable: bool = True, name: str | None = None,
                     reuse=None) -> Tensor:
    """Transposed 2-D convolution layer (variables `conv2d_transpose/kernel`, `/bias`).

    Example: `up = tf.layers.conv2d_transpose(h, 16, 3, strides=2, padding="same")`.
    """
    layer = Conv2DTranspose(filters, kernel_size, strides=strides, padding=padding,
                            data_format=data_format, activation=activation, use_bias=use_bias,
                            kernel_initializer=kernel_initializer,
                            bias_initializer=bias_initializer,
                            kernel_regularizer=kernel_regularizer,
                            bias_regularizer=bias_regularizer,
                            activity_regularizer=activity_regularizer,
                            kernel_constraint=kernel_constraint,
                            bias_constraint=bias_constraint, trainable=trainable, name=name,
                            _scope=name, _reuse=reuse)
    return layer(inputs)


Convolution2D = Conv2D
Convolution2DTranspose = Conv2DTranspose
