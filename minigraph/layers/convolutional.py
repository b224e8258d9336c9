"""`tf.layers` convolutions: Conv2D / conv2d, Conv2DTranspose / conv2d_transpose, Conv1D /
conv1d and SeparableConv2D / separable_conv2d.

Lives here: the layer classes (built on layers/core.py's `Layer`, so variable names,
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
from ..ops.conv_ops import conv1d as nn_conv1d
from ..ops.conv_ops import conv_attrs
from ..ops.depthwise_conv_ops import separable_conv2d as nn_separable_conv2d
from ..ops.init_ops import zeros_initializer
from ..ops.nn_ops import bias_add
from ..ops.shape_ops import shape
from .core import Layer, add_activity_loss

__all__ = ["Conv2D", "conv2d", "Conv2DTranspose", "conv2d_transpose", "Convolution2D",
           "Convolution2DTranspose", "Conv1D", "conv1d", "Convolution1D", "SeparableConv2D",
           "separable_conv2d"]


def spatial_tuple(value, name: str, rank: int = 2) -> tuple:
    """An int or a tuple of `rank` ints (one per spatial axis); raises ValueError otherwise."""
    values = (value,) * rank if isinstance(value, numbers.Integral) else tuple(value)
    if len(values) != rank or not all(isinstance(v, numbers.Integral) and v > 0
                                      for v in values):
        raise ValueError(f"The `{name}` argument must be an int or a tuple of {rank} positive "
                         f"ints. Received: {value!r}")
    return tuple(int(v) for v in values)


def pair(value, name: str) -> tuple:
    """An int or a pair of ints as (height, width)."""
    return spatial_tuple(value, name, 2)


def layer_padding(padding: str) -> str:
    if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
        raise ValueError(f"The `padding` argument must be 'valid' or 'same'. Received: "
                         f"{padding!r}")
    return padding.upper()


def layer_data_format(data_format: str | None, rank: int = 2) -> str:
    """'channels_last' -> 'NHWC' ('NWC' for rank 1), 'channels_first' -> 'NCHW' ('NCW')."""
    last, first = ("NHWC", "NCHW") if rank == 2 else ("NWC", "NCW")
    formats = {None: last, "channels_last": last, "channels_first": first}
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
        self.kernel_size = spatial_tuple(kernel_size, "kernel_size", self.rank)
        self.strides = spatial_tuple(strides, "strides", self.rank)
        self.padding = layer_padding(padding)
        self.data_format = layer_data_format(data_format, self.rank)
        self.dilation_rate = spatial_tuple(dilation_rate, "dilation_rate", self.rank)
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
    rank = 2

    def channels(self, input_shape: TensorShape) -> int:
        """The static channel count of the inputs (an error names the layer if unknown)."""
        ndim = self.rank + 2
        if input_shape.ndims is not None and input_shape.ndims != ndim:
            layout = "[batch, height, width, channels]" if self.rank == 2 else \
                "[batch, steps, channels]"
            raise ValueError(f"Input 0 of layer '{self.name}' is incompatible with the layer: "
                             f"expected ndim={ndim}, found ndim={input_shape.ndims}. Full shape "
                             f"received: {input_shape}. Fix: the inputs are {layout}; add "
                             "axes with tf.reshape or tf.expand_dims.")
        axis = ndim - 1 if self.data_format.endswith("C") else 1
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
            channels_last = self.data_format.endswith("C")
            outputs = bias_add(outputs, self.bias, data_format="NHWC" if channels_last
                               else "NCHW")
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


class Conv1D(Conv2D):
    """1-D convolution layer over [batch, steps, channels] (or channels_first) inputs.

    Variables `<name>/kernel` ([k, in_channels, filters]) and `<name>/bias` ([filters]).
    """

    default_name = "conv1d"
    rank = 1

    def __init__(self, filters: int, kernel_size, strides=1, padding: str = "valid",
                 data_format: str = "channels_last", dilation_rate=1, **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, **kwargs)

    def kernel_shape(self, channels: int) -> list:
        return [self.kernel_size[0], channels, self.filters]

    def convolve(self, inputs: Tensor) -> Tensor:
        return nn_conv1d(inputs, self.kernel, self.strides[0], self.padding,
                         data_format=self.data_format, dilations=self.dilation_rate[0],
                         name="Conv1D")


def conv1d(inputs, filters: int, kernel_size, strides=1, padding: str = "valid",
           data_format: str = "channels_last", dilation_rate=1,
           activation: Callable | None = None, use_bias: bool = True, kernel_initializer=None,
           bias_initializer=None, kernel_regularizer=None, bias_regularizer=None,
           activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
           trainable: bool = True, name: str | None = None, reuse=None) -> Tensor:
    """1-D convolution layer (variables `conv1d/kernel` [k, in, filters] and `conv1d/bias`).

    Example: `h = tf.layers.conv1d(embedded, 64, 3, padding="same", activation=tf.nn.relu)`.
    """
    layer = Conv1D(filters, kernel_size, strides=strides, padding=padding,
                   data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                   use_bias=use_bias, kernel_initializer=kernel_initializer,
                   bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                   bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                   kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                   trainable=trainable, name=name, _scope=name, _reuse=reuse)
    return layer(inputs)


class SeparableConv2D(Conv2D):
    """Depthwise then pointwise 2-D convolution layer.

    Variables `<name>/depthwise_kernel` ([kh, kw, in, depth_multiplier]),
    `<name>/pointwise_kernel` ([1, 1, in * depth_multiplier, filters]) and `<name>/bias`.
    """

    default_name = "separable_conv2d"

    def __init__(self, filters: int, kernel_size, strides=(1, 1), padding: str = "valid",
                 data_format: str = "channels_last", dilation_rate=(1, 1),
                 depth_multiplier: int = 1, depthwise_initializer=None,
                 pointwise_initializer=None, depthwise_regularizer=None,
                 pointwise_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, **kwargs)
        self.depth_multiplier = int(depth_multiplier)
        self.depthwise = (depthwise_initializer, depthwise_regularizer, depthwise_constraint)
        self.pointwise = (pointwise_initializer, pointwise_regularizer, pointwise_constraint)
        self.depthwise_kernel = self.pointwise_kernel = None

    def build(self, input_shape: TensorShape) -> None:
        channels = self.channels(input_shape)
        depth = channels * self.depth_multiplier
        init, reg, constraint = self.depthwise
        self.depthwise_kernel = self.add_weight(
            "depthwise_kernel", [*self.kernel_size, channels, self.depth_multiplier],
            initializer=init, regularizer=reg, constraint=constraint)
        init, reg, constraint = self.pointwise
        self.pointwise_kernel = self.add_weight(
            "pointwise_kernel", [1, 1, depth, self.filters], initializer=init,
            regularizer=reg, constraint=constraint)
        if self.use_bias:
            self.bias = self.add_weight("bias", [self.filters], initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)

    def convolve(self, inputs: Tensor) -> Tensor:
        strides = [1, *self.strides, 1] if self.data_format == "NHWC" else [1, 1, *self.strides]
        return nn_separable_conv2d(inputs, self.depthwise_kernel, self.pointwise_kernel,
                                   strides, self.padding, dilations=list(self.dilation_rate),
                                   data_format=self.data_format)


def separable_conv2d(inputs, filters: int, kernel_size, strides=(1, 1), padding: str = "valid",
                     data_format: str = "channels_last", dilation_rate=(1, 1),
                     depth_multiplier: int = 1, activation: Callable | None = None,
                     use_bias: bool = True, depthwise_initializer=None,
                     pointwise_initializer=None, bias_initializer=None,
                     depthwise_regularizer=None, pointwise_regularizer=None,
                     bias_regularizer=None, activity_regularizer=None,
                     depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None,
                     trainable: bool = True, name: str | None = None, reuse=None) -> Tensor:
    """Separable 2-D convolution layer (`separable_conv2d/depthwise_kernel`, `.../pointwise_kernel`,
    `.../bias`).  Example: `tf.layers.separable_conv2d(x, 32, 3, depth_multiplier=2)`.
    """
    layer = SeparableConv2D(filters, kernel_size, strides=strides, padding=padding,
                            data_format=data_format, dilation_rate=dilation_rate,
                            depth_multiplier=depth_multiplier, activation=activation,
                            use_bias=use_bias, depthwise_initializer=depthwise_initializer,
                            pointwise_initializer=pointwise_initializer,
                            bias_initializer=bias_initializer,
                            depthwise_regularizer=depthwise_regularizer,
                            pointwise_regularizer=pointwise_regularizer,
                            bias_regularizer=bias_regularizer,
                            activity_regularizer=activity_regularizer,
                            depthwise_constraint=depthwise_constraint,
                            pointwise_constraint=pointwise_constraint,
                            bias_constraint=bias_constraint, trainable=trainable, name=name,
                            _scope=name, _reuse=reuse)
    return layer(inputs)


Convolution1D = Conv1D
