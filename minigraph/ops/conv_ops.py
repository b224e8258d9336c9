"""2-D convolution ops: Conv2D and its two backprop ops, and the tf.nn functions built on them.

Lives here: the Conv2D, Conv2DBackpropInput and Conv2DBackpropFilter blocks (each the
gradient of the others, so gradients of gradients work as in TF), the attribute checks that
turn TF's `strides`/`padding`/`dilations` arguments into op attributes, and the public
conv2d, conv2d_transpose, conv2d_backprop_input/filter, conv1d, atrous_conv2d and
convolution. Kernels are im2col plus one BLAS matmul (ops/conv_kernels.py). Depthwise and
separable convolutions are in depthwise_conv_ops.py, pooling in pooling_ops.py.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework.errors import InvalidArgumentError
from ..framework.graph import name_scope
from ..framework.tensor import Spec, Tensor
from ..framework.registry import OpDef, register_op
from ..framework.shapes import TensorShape
from . import shape_ops
from .common import FLOATS, check_dtype_in, check_same_dtype, wants_gradient
from .constant_op import convert_to_tensor
from .conv_kernels import (Window, conv_input_grad_nhwc, conv_nhwc, from_nhwc, im2col,
                           pad_nhwc, spatial, to_nhwc)

__all__ = ["conv2d", "conv2d_transpose", "conv2d_backprop_input", "conv2d_backprop_filter",
           "conv1d", "atrous_conv2d", "convolution"]


# -- attributes ----------------------------------------------------------------------------
def check_data_format(data_format, allowed=("NHWC", "NCHW")) -> str:
    data_format = data_format or allowed[0]
    if data_format not in allowed:
        raise ValueError(f"data_format must be one of {', '.join(allowed)}, got "
                         f"{data_format!r}.")
    return data_format


def four_values(value, name: str, data_format: str, default=1) -> list:
    """TF's int / 1 / 2 / 4-element strides, dilations or ksize as a 4-element list.

    Raises ValueError for another length or a batch/channel entry other than 1.
    """
    value = default if value is None else value
    values = [int(value)] if isinstance(value, numbers.Integral) else [int(v) for v in value]
    if len(values) in (1, 2):
        hw = values * 2 if len(values) == 1 else values
        values = [1, hw[0], hw[1], 1] if data_format == "NHWC" else [1, 1, hw[0], hw[1]]
    if len(values) != 4:
        raise ValueError(f"{name} should be of length 1, 2 or 4 but was {len(values)}: "
                         f"{values}. Fix: pass e.g. [1, 2, 2, 1] ({data_format}).")
    channel = 3 if data_format == "NHWC" else 1
    if values[0] != 1 or values[channel] != 1:
        raise ValueError(f"{name} {values} must be 1 in the batch and depth dimensions "
                         f"({data_format}): windows only slide over height and width.")
    if min(values) < 1:
        raise ValueError(f"{name} {values} must all be >= 1.")
    return values


def padding_attrs(padding, data_format: str) -> tuple:
    """(padding string, explicit_paddings) from 'SAME', 'VALID' or 4 [before, after] pairs."""
    if isinstance(padding, str):
        if padding.upper() not in ("SAME", "VALID"):
            raise ValueError(f"padding must be 'SAME', 'VALID' or a list of 4 [before, after] "
                             f"pairs, got {padding!r}.")
        return padding.upper(), []
    pairs = np.asarray(padding)
    if pairs.shape != (4, 2) or pairs.dtype.kind not in "iu" or (pairs < 0).any():
        raise ValueError(f"Explicit padding must be 4 pairs of non-negative ints "
                         f"[[0, 0], [top, bottom], [left, right], [0, 0]] ({data_format}), "
                         f"got {padding!r}.")
    channel = 3 if data_format == "NHWC" else 1
    if pairs[0].any() or pairs[channel].any():
        raise ValueError(f"Nonzero explicit padding in the batch or depth dimensions is not "
                         f"supported: {pairs.tolist()} ({data_format}).")
    return "EXPLICIT", [int(p) for p in pairs.ravel()]


def conv_attrs(strides, padding, dilations, data_format) -> dict:
    """The attributes of Conv2D and its backprop ops, checked, in TF's names."""
    data_format = check_data_format(data_format)
    padding, explicit = padding_attrs(padding, data_format)
    return {"strides": four_values(strides, "strides", data_format),
            "padding": padding, "explicit_paddings": explicit, "data_format": data_format,
            "dilations": four_values(dilations, "dilations", data_format)}


def conv_window(in_hw, kernel_hw, attrs) -> Window:
    """The Window of a conv op from its spatial input size, kernel size and attributes."""
    # Graphs imported from old TF versions may lack the later attrs: TF's defaults apply.
    fmt, flat = attrs.get("data_format", "NHWC"), attrs.get("explicit_paddings", [])
    pads = ((0, 0), (0, 0))
    if attrs["padding"] == "EXPLICIT":
        pads = spatial([tuple(flat[2 * i:2 * i + 2]) for i in range(4)], fmt)
    return Window.from_attrs(in_hw, kernel_hw, spatial(attrs["strides"], fmt),
                             spatial(attrs.get("dilations", [1, 1, 1, 1]), fmt),
                             attrs["padding"], pads)


def nhwc_dims(shape: TensorShape, data_format: str) -> list:
    """[n, h, w, c] sizes (None where unknown) of a rank-4 shape in `data_format`."""
    dims = shape.as_list() if shape.ndims is not None else [None] * 4
    return dims if data_format == "NHWC" else [dims[0], dims[2], dims[3], dims[1]]


def in_format(nhwc: list, data_format: str) -> TensorShape:
    n, h, w, c = nhwc
    return TensorShape([n, h, w, c] if data_format == "NHWC" else [n, c, h, w])


def check_rank4(op_type: str, spec: Spec, arg: str) -> None:
    if spec.shape.ndims not in (None, 4):
        raise ValueError(f"{arg} of {op_type} must be rank 4, got shape {spec.shape}. Fix: "
                         "images are [batch, height, width, channels] (NHWC) and filters "
                         "[height, width, in_channels, out_channels].")


def conv_output_spec(op_type, x: Spec, f: Spec, attrs, depthwise=False) -> Spec:
    """Shared infer of Conv2D-like ops: check dtypes, ranks and channels; return the output.

    The output has the filter's out_channels, or in_channels * multiplier when `depthwise`.
    """
    check_same_dtype(op_type, [x, f], ("input", "filter"))
    check_dtype_in(op_type, x, FLOATS, arg="input")
    check_rank4(op_type, x, "input")
    check_rank4(op_type, f, "filter")
    fmt = attrs.get("data_format", "NHWC")
    n, h, w, c = nhwc_dims(x.shape, fmt)
    kh, kw, f_in, f_out = f.shape.as_list() if f.shape.ndims else [None] * 4
    if c is not None and f_in is not None and c != f_in:
        raise ValueError(f"input depth {c} does not match the filter's in_channels {f_in} "
                         f"(input {x.shape}, filter {f.shape}, {fmt}). Fix: the filter must "
                         "be [height, width, input channels, output channels].")
    out_c = f_out
    if depthwise:
        out_c = None if None in (c or f_in, f_out) else (c or f_in) * f_out
    if kh is None or kw is None:
        return Spec(x.dtype, in_format([n, None, None, out_c], fmt))
    window = conv_window((h, w), (kh, kw), attrs)
    return Spec(x.dtype, in_format([n, window.out[0], window.out[1], out_c], fmt))


def check_channels(x: np.ndarray, f: np.ndarray) -> None:
    """Run-time twin of the build-time channel check, for inputs of unknown static shape."""
    if x.shape[3] != f.shape[2]:
        raise InvalidArgumentError(None, None, f"input depth {x.shape[3]} does not match the "
                                   f"filter's in_channels {f.shape[2]} (input {x.shape} as "
                                   f"NHWC, filter {f.shape}). Fix: feed images with "
                                   f"{f.shape[2]} channels.")


def matching_window(op_type, in_hw, f_shape, dy_hw, attrs) -> Window:
    """The forward Window; raises if out_backprop's size disagrees with it."""
    window = conv_window(in_hw, f_shape[:2], attrs)
    if None not in dy_hw and None not in window.out and tuple(dy_hw) != window.out:
        raise ValueError(f"{op_type}: the size of out_backprop {tuple(dy_hw)} does not match "
                         f"the output {window.out} of a convolution over an input of spatial "
                         f"size {tuple(in_hw)}. Fix: check output_shape, strides and padding.")
    return window


def shape_of(t: Tensor):
    """The shape of `t` as a constant list when static, else a Shape op (gradient helpers)."""
    return t.shape.as_list() if t.shape.is_fully_defined() else shape_ops.shape(t)


def shaped_like(gradient: Tensor, like: Tensor) -> Tensor:
    """`gradient` with the static shape of the tensor it is the gradient of (batch unknown:
    a Shape op gives the backprop op only its rank, but `like` knows the other sizes)."""
    gradient.set_shape(like.shape)
    return gradient


# -- Conv2D --------------------------------------------------------------------------------
@register_op("Conv2D")
class Conv2D(OpDef):
    """Cross-correlation of a 4-D input with a [kh, kw, in, out] filter (im2col + matmul)."""

    inputs = ("input", "filter")

    @staticmethod
    def infer(x, f, **attrs):
        return conv_output_spec("Conv2D", x, f, attrs)

    @staticmethod
    def compute(x, f, **attrs):
        fmt = attrs.get("data_format", "NHWC")
        x = to_nhwc(x, fmt)
        check_channels(x, f)
        return from_nhwc(conv_nhwc(x, f, conv_window(x.shape[1:3], f.shape[:2], attrs)), fmt)

    @staticmethod
    def gradient(op, grad):
        x, f = op.inputs
        dx = (shaped_like(Conv2DBackpropInput.apply([shape_of(x), f, grad], **op.attrs), x)
              if wants_gradient(x) else None)
        df = (Conv2DBackpropFilter.apply([x, shape_of(f), grad], **op.attrs)
              if wants_gradient(f) else None)
        return [dx, df]


def conv2d(input, filter=None, strides=None, padding=None, use_cudnn_on_gpu=True,  # noqa: A002
           data_format="NHWC", dilations=None, name=None, filters=None) -> Tensor:
    """2-D convolution (cross-correlation) of `input` with `filter`.

    Args: input [batch, height, width, in] (NHWC) or [batch, in, height, width] (NCHW);
    filter [kh, kw, in, out]; strides and dilations an int or 1, 2 or 4 ints; padding
    'SAME', 'VALID' or explicit pairs [[0, 0], [top, bottom], [left, right], [0, 0]].
    Example: `tf.nn.conv2d(images, kernel, strides=[1, 1, 1, 1], padding="SAME")`.
    """
    filter = filters if filter is None else filter  # noqa: A001
    if filter is None or strides is None or padding is None:
        raise ValueError("conv2d needs input, filter, strides and padding. Example: "
                         "tf.nn.conv2d(x, w, strides=[1, 1, 1, 1], padding='SAME').")
    return Conv2D.apply([input, filter], name=name,
                        **conv_attrs(strides, padding, dilations, data_format))


# -- Conv2DBackpropInput -------------------------------------------------------------------
@register_op("Conv2DBackpropInput")
class Conv2DBackpropInput(OpDef):
    """The gradient of Conv2D with respect to its input (also the transposed convolution)."""

    inputs = ("input_sizes", "filter", "out_backprop")
    input_types = ("int32", "T", "T")

    @staticmethod
    def infer(sizes, f, dy, **attrs):
        check_same_dtype("Conv2DBackpropInput", [f, dy], ("filter", "out_backprop"))
        check_dtype_in("Conv2DBackpropInput", f, FLOATS, arg="filter")
        check_rank4("Conv2DBackpropInput", f, "filter")
        check_rank4("Conv2DBackpropInput", dy, "out_backprop")
        if sizes.shape.ndims not in (None, 1) or sizes.shape.num_elements() not in (None, 4):
            raise ValueError(f"input_sizes must be a 4-element vector, got shape "
                             f"{sizes.shape}.")
        if sizes.value is None:
            return Spec(f.dtype, TensorShape([None] * 4))
        out_shape = TensorShape([int(d) for d in np.ravel(sizes.value)])
        fmt = attrs.get("data_format", "NHWC")
        _, h, w, c = nhwc_dims(out_shape, fmt)
        _, dh, dw, dc = nhwc_dims(dy.shape, fmt)
        if f.shape.ndims == 4 and None not in f.shape.as_list()[:2]:
            matching_window("Conv2DBackpropInput", (h, w), f.shape.as_list(), (dh, dw), attrs)
        return Spec(f.dtype, out_shape)

    @staticmethod
    def compute(sizes, f, dy, **attrs):
        fmt = attrs.get("data_format", "NHWC")
        n, h, w, c = nhwc_dims(TensorShape([int(d) for d in sizes]), fmt)
        dy = to_nhwc(dy, fmt)
        try:
            window = matching_window("Conv2DBackpropInput", (h, w), f.shape, dy.shape[1:3],
                                     attrs)
        except ValueError as e:
            raise InvalidArgumentError(None, None, str(e)) from None
        if f.shape[2] != c or dy.shape[0] != n:
            raise InvalidArgumentError(None, None, f"input_sizes {list(sizes)} do not match "
                                       f"the filter {f.shape} / out_backprop {dy.shape}.")
        return from_nhwc(conv_input_grad_nhwc(dy, f, window, (h, w)), fmt)

    @staticmethod
    def gradient(op, grad):
        _, f, dy = op.inputs
        df = (Conv2DBackpropFilter.apply([grad, shape_of(f), dy], **op.attrs)
              if wants_gradient(f) else None)
        ddy = Conv2D.apply([grad, f], **op.attrs) if wants_gradient(dy) else None
        return [None, df, ddy]


def conv2d_backprop_input(input_sizes, filter=None, out_backprop=None, strides=None,  # noqa: A002
                          padding=None, use_cudnn_on_gpu=True, data_format="NHWC",
                          dilations=None, name=None, filters=None) -> Tensor:
    """The gradient of conv2d with respect to an input of shape `input_sizes`.

    Example: `tf.nn.conv2d_backprop_input([1, 4, 4, 1], w, dy, [1, 1, 1, 1], "SAME")`.
    """
    filter = filters if filter is None else filter  # noqa: A001
    return Conv2DBackpropInput.apply([input_sizes, filter, out_backprop], name=name,
                                     **conv_attrs(strides, padding, dilations, data_format))


# -- Conv2DBackpropFilter ------------------------------------------------------------------
@register_op("Conv2DBackpropFilter")
class Conv2DBackpropFilter(OpDef):
    """The gradient of Conv2D with respect to its filter: im2col(input)^T @ out_backprop."""

    inputs = ("input", "filter_sizes", "out_backprop")
    input_types = ("T", "int32", "T")

    @staticmethod
    def infer(x, sizes, dy, **attrs):
        check_same_dtype("Conv2DBackpropFilter", [x, dy], ("input", "out_backprop"))
        check_dtype_in("Conv2DBackpropFilter", x, FLOATS, arg="input")
        check_rank4("Conv2DBackpropFilter", x, "input")
        check_rank4("Conv2DBackpropFilter", dy, "out_backprop")
        if sizes.value is None:
            return Spec(x.dtype, TensorShape([None] * 4))
        f_shape = [int(d) for d in np.ravel(sizes.value)]
        if len(f_shape) != 4:
            raise ValueError(f"filter_sizes must have 4 elements, got {f_shape}.")
        fmt = attrs.get("data_format", "NHWC")
        _, h, w, _ = nhwc_dims(x.shape, fmt)
        _, dh, dw, _ = nhwc_dims(dy.shape, fmt)
        matching_window("Conv2DBackpropFilter", (h, w), f_shape, (dh, dw), attrs)
        return Spec(x.dtype, TensorShape(f_shape))

    @staticmethod
    def compute(x, sizes, dy, **attrs):
        fmt = attrs.get("data_format", "NHWC")
        x, dy = to_nhwc(x, fmt), to_nhwc(dy, fmt)
        f_shape = tuple(int(d) for d in sizes)
        try:
            window = matching_window("Conv2DBackpropFilter", x.shape[1:3], f_shape,
                                     dy.shape[1:3], attrs)
        except ValueError as e:
            raise InvalidArgumentError(None, None, str(e)) from None
        cols = im2col(pad_nhwc(x, window), window)
        out = cols.reshape(-1, int(np.prod(f_shape[:3]))).T @ dy.reshape(-1, f_shape[3])
        return out.reshape(f_shape)

    @staticmethod
    def gradient(op, grad):
        x, _, dy = op.inputs
        dx = (shaped_like(Conv2DBackpropInput.apply([shape_of(x), grad, dy], **op.attrs), x)
              if wants_gradient(x) else None)
        ddy = Conv2D.apply([x, grad], **op.attrs) if wants_gradient(dy) else None
        return [dx, None, ddy]


def conv2d_backprop_filter(input, filter_sizes, out_backprop, strides, padding,  # noqa: A002
                           use_cudnn_on_gpu=True, data_format="NHWC", dilations=None,
                           name=None) -> Tensor:
    """The gradient of conv2d with respect to a filter of shape `filter_sizes`.

    Example: `tf.nn.conv2d_backprop_filter(x, [3, 3, 1, 8], dy, [1, 1, 1, 1], "SAME")`.
    """
    return Conv2DBackpropFilter.apply([input, filter_sizes, out_backprop], name=name,
                                      **conv_attrs(strides, padding, dilations, data_format))


# -- composites ----------------------------------------------------------------------------
def conv2d_transpose(value=None, filter=None, output_shape=None, strides=None,  # noqa: A002
                     padding="SAME", data_format="NHWC", name=None, input=None, filters=None,
                     dilations=None) -> Tensor:
    """The transpose of conv2d (a "deconvolution"): maps conv2d's output shape to its input's.

    filter is [kh, kw, output channels, input channels]; output_shape is the 4-element shape
    of the result. Example: `tf.nn.conv2d_transpose(x, w, [8, 28, 28, 1], [1, 2, 2, 1])`.
    """
    value = input if value is None else value
    filter = filters if filter is None else filter  # noqa: A001
    attrs = conv_attrs(strides, padding, dilations, data_format)
    with name_scope(name, "conv2d_transpose", [value, filter, output_shape]) as scope:
        value = convert_to_tensor(value, name="value")
        filter = convert_to_tensor(filter, name="filter")  # noqa: A001
        channels = nhwc_dims(value.shape, attrs.get("data_format", "NHWC"))[3]
        f_dims = filter.shape.as_list() if filter.shape.ndims == 4 else [None] * 4
        if channels is not None and f_dims[3] is not None and channels != f_dims[3]:
            raise ValueError(f"input channels {channels} of conv2d_transpose do not match the "
                             f"filter's last dimension {f_dims[3]} (filter {filter.shape}). "
                             "Fix: the filter is [height, width, out_channels, in_channels].")
        sizes = convert_to_tensor(output_shape, dtype=_dtypes.int32, name="output_shape")
        return Conv2DBackpropInput.apply([sizes, filter, value], name=scope, **attrs)


def one_spatial_value(value, name: str, data_format: str) -> int:
    """conv1d's stride or dilation: an int, or a list of 1 or 3 ints (NWC / NCW order)."""
    if isinstance(value, numbers.Integral):
        return int(value)
    values = [int(v) for v in value]
    if len(values) == 1:
        return values[0]
    if len(values) == 3:
        return values[1] if data_format == "NWC" else values[2]
    raise ValueError(f"conv1d's {name} must be an int or a list of 1 or 3 ints, got {value}.")


def conv1d(value=None, filters=None, stride=None, padding=None, use_cudnn_on_gpu=None,
           data_format=None, name=None, input=None, dilations=None) -> Tensor:  # noqa: A002
    """1-D convolution of [batch, width, in] (NWC) or [batch, in, width] (NCW) data.

    Built as TF does: ExpandDims to 2-D, Conv2D with a 1-row filter, Squeeze.
    Example: `tf.nn.conv1d(signal, w, stride=1, padding="SAME")` (w: [k, in, out]).
    """
    value = input if value is None else value
    data_format = check_data_format(data_format, ("NWC", "NCW"))
    fmt, axis = ("NHWC", 1) if data_format == "NWC" else ("NCHW", 2)
    stride = one_spatial_value(stride, "stride", data_format)
    dilation = one_spatial_value(1 if dilations is None else dilations, "dilations",
                                 data_format)
    if not isinstance(padding, str):
        raise ValueError("conv1d takes padding 'SAME' or 'VALID'.")
    with name_scope(name, "conv1d", [value, filters]) as scope:
        value = shape_ops.expand_dims(value, axis)
        filters = shape_ops.expand_dims(filters, 0)
        # As in TF, the Conv2D op takes the scope's name and the Squeeze goes inside it.
        result = conv2d(value, filters, strides=[1, stride], padding=padding,
                        data_format=fmt, dilations=[1, dilation], name=scope)
        return shape_ops.squeeze(result, [axis])


def atrous_conv2d(value, filters, rate, padding, name=None) -> Tensor:
    """Dilated ("atrous") convolution with stride 1: filter taps `rate` pixels apart.

    TF1 note: TF builds SpaceToBatchND / Conv2D / BatchToSpaceND; minigraph builds one Conv2D
    with dilations [1, rate, rate, 1], which gives the same values.
    Example: `tf.nn.atrous_conv2d(x, w, rate=2, padding="SAME")`.
    """
    if not isinstance(rate, numbers.Integral) or rate < 1:
        raise ValueError(f"rate {rate!r} cannot be less than one.")
    with name_scope(name, "atrous_conv2d", [value, filters]) as scope:
        return conv2d(value, filters, strides=1, padding=padding, dilations=int(rate),
                      name=scope)


def convolution(input, filter=None, padding=None, strides=None,  # noqa: A002
                dilation_rate=None, name=None, data_format=None, filters=None,
                dilations=None) -> Tensor:
    """N-D convolution for N = 1 or 2, chosen by the filter's rank (3 or 4).

    Example: `tf.nn.convolution(x, w, padding="SAME", dilation_rate=[2, 2])`.
    TF1 note: 3-D convolutions are not provided.
    """
    filter = filters if filter is None else filter  # noqa: A001
    dilation_rate = dilations if dilation_rate is None else dilation_rate
    filter = convert_to_tensor(filter, name="filter")  # noqa: A001
    rank = filter.shape.ndims
    if rank == 3:
        return conv1d(input, filter, stride=1 if strides is None else list(strides)[0],
                      padding=padding, data_format=data_format or "NWC", name=name,
                      dilations=None if dilation_rate is None else list(dilation_rate)[0])
    if rank != 4:
        raise ValueError(f"convolution supports 1-D and 2-D filters ([w, in, out] or [h, w, "
                         f"in, out]); got filter shape {filter.shape}.")
    return conv2d(input, filter, strides=[1, 1] if strides is None else list(strides),
                  padding=padding, data_format=data_format or "NHWC",
                  dilations=None if dilation_rate is None else list(dilation_rate), name=name)
