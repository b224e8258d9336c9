"""Depthwise convolution ops and the tf.nn functions built on them.

Lives here: DepthwiseConv2dNative (each input channel convolved with its own
`channel_multiplier` filters) and its two backprop ops, each the gradient of the others as
for Conv2D, and the public depthwise_conv2d_native, depthwise_conv2d and separable_conv2d
(a depthwise convolution followed by a 1x1 Conv2D). Kernels loop over the kh * kw window taps
with one vectorised numpy call each (ops/conv_kernels.py). Conv2D itself is in conv_ops.py.
"""

from __future__ import annotations

import numpy as np

from ..framework.graph import name_scope
from ..framework.tensor import Spec, Tensor
from ..framework.registry import OpDef, register_op
from ..framework.shapes import TensorShape
from .common import FLOATS, check_dtype_in, check_same_dtype, wants_gradient
from .constant_op import convert_to_tensor
from .conv_kernels import from_nhwc, pad_nhwc, scatter_taps, taps, to_nhwc
from .conv_ops import (check_channels, check_rank4, conv2d, conv_attrs, conv_output_spec,
                       conv_window, matching_window, nhwc_dims, shape_of, shaped_like)

__all__ = ["depthwise_conv2d_native", "depthwise_conv2d", "separable_conv2d",
           "depthwise_conv2d_native_backprop_input", "depthwise_conv2d_native_backprop_filter"]


def split_channels(t: np.ndarray, multiplier: int) -> np.ndarray:
    """[..., C * M] -> [..., C, M]: output channel c * M + m belongs to input channel c."""
    return t.reshape(t.shape[:-1] + (t.shape[-1] // multiplier, multiplier))


@register_op("DepthwiseConv2dNative")
class DepthwiseConv2dNative(OpDef):
    """Per-channel convolution: filter [kh, kw, C, M] gives C * M output channels."""

    inputs = ("input", "filter")

    @staticmethod
    def infer(x, f, **attrs):
        return conv_output_spec("DepthwiseConv2dNative", x, f, attrs, depthwise=True)

    @staticmethod
    def compute(x, f, **attrs):
        fmt = attrs.get("data_format", "NHWC")
        x = to_nhwc(x, fmt)
        check_channels(x, f)
        window = conv_window(x.shape[1:3], f.shape[:2], attrs)
        out = None
        for i, j, view in taps(pad_nhwc(x, window), window):
            term = view[..., None] * f[i, j]
            out = term if out is None else np.add(out, term, out=out)
        return from_nhwc(out.reshape(out.shape[:3] + (-1,)), fmt)

    @staticmethod
    def gradient(op, grad):
        x, f = op.inputs
        dx = (shaped_like(DepthwiseConv2dNativeBackpropInput.apply([shape_of(x), f, grad],
                                                                   **op.attrs), x)
              if wants_gradient(x) else None)
        df = (DepthwiseConv2dNativeBackpropFilter.apply([x, shape_of(f), grad], **op.attrs)
              if wants_gradient(f) else None)
        return [dx, df]


def depthwise_conv2d_native(input, filter, strides, padding, data_format="NHWC",  # noqa: A002
                            dilations=None, name=None) -> Tensor:
    """The DepthwiseConv2dNative op: filter [kh, kw, in, multiplier] -> in * multiplier outputs.

    Example: `tf.nn.depthwise_conv2d_native(x, w, [1, 1, 1, 1], "SAME")`.
    """
    return DepthwiseConv2dNative.apply([input, filter], name=name,
                                       **conv_attrs(strides, padding, dilations, data_format))


def backprop_spec(op_type, sizes: Spec, known: Spec, dy: Spec, attrs, input_is_known):
    """Shared infer of the two backprop ops: the output shape is the `sizes` input's value.

    `known` is the other 4-D operand: the filter (backprop input) or the input (backprop
    filter); the two shapes together give the forward window, checked against out_backprop.
    """
    check_same_dtype(op_type, [known, dy], ("known", "out_backprop"))
    check_dtype_in(op_type, known, FLOATS)
    check_rank4(op_type, known, "input" if input_is_known else "filter")
    check_rank4(op_type, dy, "out_backprop")
    if sizes.value is None:
        return Spec(known.dtype, TensorShape([None] * 4))
    shape = TensorShape([int(d) for d in np.ravel(sizes.value)])
    in_shape, f_shape = (known.shape, shape) if input_is_known else (shape, known.shape)
    if f_shape.ndims == 4 and None not in f_shape.as_list()[:2]:
        _, h, w, _ = nhwc_dims(in_shape, attrs.get("data_format", "NHWC"))
        _, dh, dw, _ = nhwc_dims(dy.shape, attrs.get("data_format", "NHWC"))
        matching_window(op_type, (h, w), f_shape.as_list(), (dh, dw), attrs)
    return Spec(known.dtype, shape)


@register_op("DepthwiseConv2dNativeBackpropInput")
class DepthwiseConv2dNativeBackpropInput(OpDef):
    """The gradient of DepthwiseConv2dNative with respect to its input."""

    inputs = ("input_sizes", "filter", "out_backprop")
    input_types = ("int32", "T", "T")

    @staticmethod
    def infer(sizes, f, dy, **attrs):
        return backprop_spec("DepthwiseConv2dNativeBackpropInput", sizes, f, dy, attrs, False)

    @staticmethod
    def compute(sizes, f, dy, **attrs):
        fmt = attrs.get("data_format", "NHWC")
        shape = nhwc_dims(TensorShape([int(d) for d in sizes]), fmt)
        dy = split_channels(to_nhwc(dy, fmt), f.shape[3])
        window = conv_window(shape[1:3], f.shape[:2], attrs)
        by_tap = ((i, j, np.einsum("nhwcm,cm->nhwc", dy, f[i, j]))
                  for i in range(f.shape[0]) for j in range(f.shape[1]))
        return from_nhwc(scatter_taps(by_tap, shape, window, dy.dtype), fmt)

    @staticmethod
    def gradient(op, grad):
        _, f, dy = op.inputs
        df = (DepthwiseConv2dNativeBackpropFilter.apply([grad, shape_of(f), dy], **op.attrs)
              if wants_gradient(f) else None)
        ddy = DepthwiseConv2dNative.apply([grad, f], **op.attrs) if wants_gradient(dy) else None
        return [None, df, ddy]


def depthwise_conv2d_native_backprop_input(input_sizes, filter, out_backprop,  # noqa: A002
                                           strides, padding, data_format="NHWC",
                                           dilations=None, name=None) -> Tensor:
    """The gradient of depthwise_conv2d_native with respect to an input of `input_sizes`."""
    return DepthwiseConv2dNativeBackpropInput.apply(
        [input_sizes, filter, out_backprop], name=name,
        **conv_attrs(strides, padding, dilations, data_format))


@register_op("DepthwiseConv2dNativeBackpropFilter")
class DepthwiseConv2dNativeBackpropFilter(OpDef):
    """The gradient of DepthwiseConv2dNative with respect to its filter."""

    inputs = ("input", "filter_sizes", "out_backprop")
    input_types = ("T", "int32", "T")

    @staticmethod
    def infer(x, sizes, dy, **attrs):
        return backprop_spec("DepthwiseConv2dNativeBackpropFilter", sizes, x, dy, attrs, True)

    @staticmethod
    def compute(x, sizes, dy, **attrs):
        fmt = attrs.get("data_format", "NHWC")
        x = to_nhwc(x, fmt)
        kh, kw, c, m = (int(d) for d in sizes)
        dy = split_channels(to_nhwc(dy, fmt), m)
        window = conv_window(x.shape[1:3], (kh, kw), attrs)
        out = np.empty((kh, kw, c, m), x.dtype)
        for i, j, view in taps(pad_nhwc(x, window), window):
            out[i, j] = np.einsum("nhwc,nhwcm->cm", view, dy)
        return out

    @staticmethod
    def gradient(op, grad):
        x, _, dy = op.inputs
        dx = (shaped_like(DepthwiseConv2dNativeBackpropInput.apply([shape_of(x), grad, dy],
                                                                   **op.attrs), x)
              if wants_gradient(x) else None)
        ddy = DepthwiseConv2dNative.apply([x, grad], **op.attrs) if wants_gradient(dy) else None
        return [dx, None, ddy]


def depthwise_conv2d_native_backprop_filter(input, filter_sizes, out_backprop,  # noqa: A002
                                            strides, padding, data_format="NHWC",
                                            dilations=None, name=None) -> Tensor:
    """The gradient of depthwise_conv2d_native with respect to a filter of `filter_sizes`."""
    return DepthwiseConv2dNativeBackpropFilter.apply(
        [input, filter_sizes, out_backprop], name=name,
        **conv_attrs(strides, padding, dilations, data_format))


# -- composites ----------------------------------------------------------------------------
def rate_as_dilations(rate, dilations, strides):
    """TF's `rate` argument (or `dilations`) as dilations; rate > 1 needs stride 1."""
    rate = dilations if rate is None else rate
    if rate is None:
        return None
    values = [rate] * 2 if np.ndim(rate) == 0 else list(rate)
    if max(values) > 1 and max(np.ravel(strides)) > 1:
        raise ValueError(f"strides {strides} > 1 not supported in conjunction with rate "
                         f"{values} > 1. Fix: use stride 1 with a dilated filter.")
    return values


def depthwise_conv2d(input, filter, strides, padding, rate=None, name=None,  # noqa: A002
                     data_format=None, dilations=None) -> Tensor:
    """Depthwise 2-D convolution: each input channel gets its own `channel_multiplier` filters.

    filter is [kh, kw, in_channels, channel_multiplier]; the output has in * multiplier
    channels. TF1 note: with rate > 1 TF wraps the op in SpaceToBatchND/BatchToSpaceND;
    minigraph sets the op's dilations, which gives the same values.
    Example: `tf.nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "SAME")`.
    """
    dilations = rate_as_dilations(rate, dilations, strides)
    with name_scope(name, "depthwise", [input, filter]) as scope:
        return DepthwiseConv2dNative.apply(
            [input, filter], name=scope,
            **conv_attrs(strides, padding, dilations, data_format or "NHWC"))


def separable_conv2d(input, depthwise_filter, pointwise_filter, strides, padding,  # noqa: A002
                     rate=None, name=None, data_format=None, dilations=None) -> Tensor:
    """A depthwise convolution followed by a 1x1 convolution that mixes channels.

    depthwise_filter [kh, kw, in, multiplier], pointwise_filter [1, 1, in * multiplier, out].
    Example: `tf.nn.separable_conv2d(x, dw, pw, [1, 1, 1, 1], "SAME")`.
    """
    data_format = data_format or "NHWC"
    with name_scope(name, "separable_conv2d", [input, depthwise_filter,
                                               pointwise_filter]) as scope:
        pointwise_filter = convert_to_tensor(pointwise_filter, name="pointwise_filter")
        depthwise_filter = convert_to_tensor(depthwise_filter, name="depthwise_filter")
        pw, dw = pointwise_filter.shape, depthwise_filter.shape
        if pw.ndims == 4 and (pw.dims[0].value, pw.dims[1].value) != (1, 1):
            raise ValueError(f"pointwise_filter must be [1, 1, in * multiplier, out], got "
                             f"{pw}.")
        if pw.ndims == 4 and dw.ndims == 4 and None not in dw.as_list()[2:] and \
                pw.dims[2].value is not None and pw.dims[2].value != dw[2].value * dw[3].value:
            raise ValueError(f"pointwise_filter's in_channels {pw.dims[2].value} must equal "
                             f"in_channels * channel_multiplier = {dw[2].value * dw[3].value} "
                             f"of depthwise_filter {dw}.")
        depthwise = depthwise_conv2d(input, depthwise_filter, strides, padding, rate,
                                     name="depthwise", data_format=data_format,
                                     dilations=dilations)
        return conv2d(depthwise, pointwise_filter, [1, 1, 1, 1], padding="VALID",
                      data_format=data_format, name=scope)
