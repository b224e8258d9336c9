"""2-D pooling ops: max and average pooling, their gradients and the gradients of those.

Lives here: MaxPool -> MaxPoolGrad -> MaxPoolGradGrad (each the gradient of the one before;
MaxPoolGradGrad's gradient is MaxPoolGrad again), AvgPool -> AvgPoolGrad, MaxPoolWithArgmax
-> MaxPoolGradWithArgmax -> MaxPoolGradGradWithArgmax, and the public max_pool, avg_pool,
max_pool_with_argmax (and their *_v2 / pool-style aliases). Kernels combine one strided view
per window tap (ops/conv_kernels.py): a loop over the kh * kw taps, never over pixels.
Convolutions are in conv_ops.py.
"""

from __future__ import annotations

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework.tensor import Spec, Tensor
from ..framework.registry import OpDef, register_op
from ..framework.shapes import TensorShape
from . import array_ops
from .common import FLOATS, check_dtype_in, check_same_dtype
from .conv_kernels import Window, from_nhwc, pad_nhwc, scatter_taps, spatial, taps, to_nhwc
from .conv_ops import (check_data_format, check_rank4, four_values, in_format, nhwc_dims,
                       shape_of, shaped_like)

__all__ = ["max_pool", "max_pool_v2", "avg_pool", "avg_pool_v2", "max_pool_with_argmax",
           "max_pool2d", "avg_pool2d", "pool"]


# -- shared geometry -----------------------------------------------------------------------
def pool_attrs(ksize, strides, padding, data_format) -> dict:
    """The attributes of the pooling ops, checked, in TF's names."""
    data_format = check_data_format(data_format)
    if not isinstance(padding, str) or padding.upper() not in ("SAME", "VALID"):
        raise ValueError(f"padding must be 'SAME' or 'VALID' for pooling, got {padding!r}.")
    return {"ksize": four_values(ksize, "ksize", data_format),
            "strides": four_values(strides, "strides", data_format),
            "padding": padding.upper(), "data_format": data_format}


def pool_window(in_hw, attrs) -> Window:
    fmt = attrs.get("data_format", "NHWC")
    return Window.from_attrs(in_hw, spatial(attrs["ksize"], fmt),
                             spatial(attrs["strides"], fmt), padding=attrs["padding"])


def pool_spec(op_type: str, x: Spec, attrs, allowed=FLOATS) -> Spec:
    """Shared infer: a float rank-4 input and its pooled shape."""
    check_dtype_in(op_type, x, allowed, arg="input")
    check_rank4(op_type, x, "input")
    fmt = attrs.get("data_format", "NHWC")
    n, h, w, c = nhwc_dims(x.shape, fmt)
    window = pool_window((h, w), attrs)
    return Spec(x.dtype, in_format([n, window.out[0], window.out[1], c], fmt))


def lowest(dtype) -> np.generic:
    return np.array(-np.inf, dtype) if dtype.kind == "f" else np.iinfo(dtype).min


def window_max(x: np.ndarray, window: Window) -> np.ndarray:
    padded = pad_nhwc(x, window, lowest(x.dtype))
    out = None
    for _, _, view in taps(padded, window):
        out = view.copy() if out is None else np.maximum(out, view, out=out)
    return out


def first_max_masks(x: np.ndarray, y: np.ndarray, window: Window):
    """Yield (i, j, mask): the outputs whose window maximum sits first at tap (i, j).

    TF sends a pooled value's gradient to the first maximal input in row-major window order,
    so a tap claims only the outputs no earlier tap has claimed.
    """
    padded = pad_nhwc(x, window, lowest(x.dtype))
    unclaimed = None
    for i, j, view in taps(padded, window):
        hit = np.equal(view, y)
        if unclaimed is None:
            unclaimed = ~hit
        else:
            hit &= unclaimed
            unclaimed &= ~hit
        yield i, j, hit


def tiles_input(window: Window, hw) -> bool:
    """Do the windows cover every input position exactly once (no overlap, gap or padding)?"""
    return (not window.padded and window.size == window.strides
            and all(o * k == n for o, k, n in zip(window.out, window.size, hw)))


def max_pool_grad_nhwc(x: np.ndarray, y: np.ndarray, g: np.ndarray, window: Window):
    """MaxPoolGrad's kernel: `g` sent to the first maximum of each window."""
    masks = first_max_masks(x, y, window)
    if tiles_input(window, x.shape[1:3]):
        # Each input position is in exactly one window: write, don't accumulate.
        out = np.empty(x.shape, g.dtype)
        for i, j, hit in masks:
            np.multiply(g, hit, out=out[window.tap_slices(i, j)])
        return out
    return scatter_taps(((i, j, g * hit) for i, j, hit in masks), x.shape, window, g.dtype)


# -- MaxPool -------------------------------------------------------------------------------
@register_op("MaxPool")
class MaxPool(OpDef):
    """The maximum of each ksize window (padding cells never win)."""

    inputs = ("input",)

    @staticmethod
    def infer(x, **attrs):
        return pool_spec("MaxPool", x, attrs, FLOATS + ("int32", "int64", "uint8", "int8"))

    @staticmethod
    def compute(x, **attrs):
        fmt = attrs.get("data_format", "NHWC")
        x = to_nhwc(x, fmt)
        return from_nhwc(window_max(x, pool_window(x.shape[1:3], attrs)), fmt)

    @staticmethod
    def gradient(op, grad):
        return [MaxPoolGrad.apply([op.inputs[0], op.outputs[0], grad], **op.attrs)]


def max_pool(value=None, ksize=None, strides=None, padding=None, data_format="NHWC",
             name=None, input=None) -> Tensor:  # noqa: A002
    """Max pooling over ksize windows moved by strides.

    Example: `tf.nn.max_pool(x, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")`.
    """
    value = input if value is None else value
    return MaxPool.apply([value], name=name, **pool_attrs(ksize, strides, padding, data_format))


def max_pool_v2(input, ksize, strides, padding, data_format=None, name=None) -> Tensor:  # noqa: A002
    """max_pool with TF2's argument order.  Example: `tf.nn.max_pool2d(x, 2, 2, "VALID")`."""
    return max_pool(input, ksize, strides, padding, data_format or "NHWC", name)


max_pool2d = max_pool_v2


@register_op("MaxPoolGrad")
class MaxPoolGrad(OpDef):
    """The gradient of MaxPool: each output's gradient goes to the first max of its window."""

    inputs = ("orig_input", "orig_output", "grad")

    @staticmethod
    def infer(x, y, g, **attrs):
        check_same_dtype("MaxPoolGrad", [x, y, g], ("orig_input", "orig_output", "grad"))
        pooled = pool_spec("MaxPoolGrad", x, attrs)
        if not pooled.shape.is_compatible_with(g.shape):
            raise ValueError(f"grad {g.shape} must have the pooled shape {pooled.shape}.")
        return Spec(x.dtype, x.shape)

    @staticmethod
    def compute(x, y, g, **attrs):
        fmt = attrs.get("data_format", "NHWC")
        x, y, g = to_nhwc(x, fmt), to_nhwc(y, fmt), to_nhwc(g, fmt)
        window = pool_window(x.shape[1:3], attrs)
        return from_nhwc(max_pool_grad_nhwc(x, y, g, window), fmt)

    @staticmethod
    def gradient(op, grad):
        x, y, _ = op.inputs
        return [array_ops.zeros_like(x), array_ops.zeros_like(y),
                MaxPoolGradGrad.apply([x, y, grad], **op.attrs)]


@register_op("MaxPoolGradGrad")
class MaxPoolGradGrad(OpDef):
    """The gradient of MaxPoolGrad: each output picks `grad` at its window's first max."""

    inputs = ("orig_input", "orig_output", "grad")

    @staticmethod
    def infer(x, y, g, **attrs):
        check_same_dtype("MaxPoolGradGrad", [x, y, g], ("orig_input", "orig_output", "grad"))
        pooled = pool_spec("MaxPoolGradGrad", x, attrs)
        if not g.shape.is_compatible_with(x.shape):
            raise ValueError(f"grad {g.shape} must have the input's shape {x.shape}.")
        return Spec(x.dtype, pooled.shape.merge_with(y.shape))

    @staticmethod
    def compute(x, y, g, **attrs):
        fmt = attrs.get("data_format", "NHWC")
        x, y, g = to_nhwc(x, fmt), to_nhwc(y, fmt), to_nhwc(g, fmt)
        window = pool_window(x.shape[1:3], attrs)
        g_taps = {(i, j): view for i, j, view in taps(pad_nhwc(g, window), window)}
        out = np.zeros(y.shape, g.dtype)
        for i, j, hit in first_max_masks(x, y, window):
            out += np.where(hit, g_taps[i, j], 0)
        return from_nhwc(out, fmt)

    @staticmethod
    def gradient(op, grad):
        x, y, _ = op.inputs
        return [array_ops.zeros_like(x), array_ops.zeros_like(y),
                MaxPoolGrad.apply([x, y, grad], **op.attrs)]


# -- AvgPool -------------------------------------------------------------------------------
def window_counts(hw, window: Window, dtype) -> np.ndarray:
    """How many real (unpadded) inputs each output window covers, as [1, out_h, out_w, 1]."""
    if not window.padded:
        return np.array(window.size[0] * window.size[1], dtype)
    return window_sum(np.ones((1,) + tuple(hw) + (1,), dtype), window)


def window_sum(x: np.ndarray, window: Window) -> np.ndarray:
    out = None
    for _, _, view in taps(pad_nhwc(x, window), window):
        out = view.copy() if out is None else np.add(out, view, out=out)
    return out


@register_op("AvgPool")
class AvgPool(OpDef):
    """The mean of each ksize window; SAME padding cells are left out of the count, as in TF."""

    inputs = ("value",)

    @staticmethod
    def infer(x, **attrs):
        return pool_spec("AvgPool", x, attrs)

    @staticmethod
    def compute(x, **attrs):
        fmt = attrs.get("data_format", "NHWC")
        x = to_nhwc(x, fmt)
        window = pool_window(x.shape[1:3], attrs)
        out = window_sum(x, window)
        out /= window_counts(x.shape[1:3], window, x.dtype)
        return from_nhwc(out, fmt)

    @staticmethod
    def gradient(op, grad):
        x = op.inputs[0]
        return [shaped_like(AvgPoolGrad.apply([shape_of(x), grad], **op.attrs), x)]


def avg_pool(value=None, ksize=None, strides=None, padding=None, data_format="NHWC",
             name=None, input=None) -> Tensor:  # noqa: A002
    """Average pooling over ksize windows moved by strides.

    Example: `tf.nn.avg_pool(x, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID")`.
    """
    value = input if value is None else value
    return AvgPool.apply([value], name=name, **pool_attrs(ksize, strides, padding, data_format))


def avg_pool_v2(input, ksize, strides, padding, data_format=None, name=None) -> Tensor:  # noqa: A002
    """avg_pool with TF2's argument order.  Example: `tf.nn.avg_pool2d(x, 2, 2, "VALID")`."""
    return avg_pool(input, ksize, strides, padding, data_format or "NHWC", name)


avg_pool2d = avg_pool_v2


@register_op("AvgPoolGrad")
class AvgPoolGrad(OpDef):
    """The gradient of AvgPool: each output's gradient shared equally over its window."""

    inputs = ("orig_input_shape", "grad")
    input_types = ("int32", "T")

    @staticmethod
    def infer(sizes, g, **attrs):
        check_dtype_in("AvgPoolGrad", g, FLOATS, arg="grad")
        if sizes.value is None:
            return Spec(g.dtype, TensorShape([None] * 4))
        shape = TensorShape([int(d) for d in np.ravel(sizes.value)])
        pooled = pool_spec("AvgPoolGrad", Spec(g.dtype, shape), attrs)
        if not pooled.shape.is_compatible_with(g.shape):
            raise ValueError(f"grad {g.shape} must have the pooled shape {pooled.shape}.")
        return Spec(g.dtype, shape)

    @staticmethod
    def compute(sizes, g, **attrs):
        fmt = attrs.get("data_format", "NHWC")
        shape = nhwc_dims(TensorShape([int(d) for d in sizes]), fmt)
        g = to_nhwc(g, fmt)
        window = pool_window(shape[1:3], attrs)
        share = g / window_counts(shape[1:3], window, g.dtype)
        by_tap = ((i, j, share) for i in range(window.size[0]) for j in range(window.size[1]))
        return from_nhwc(scatter_taps(by_tap, shape, window, g.dtype), fmt)

    @staticmethod
    def gradient(op, grad):
        return [None, AvgPool.apply([grad], **op.attrs)]


# -- MaxPoolWithArgmax ---------------------------------------------------------------------
@register_op("MaxPoolWithArgmax")
class MaxPoolWithArgmax(OpDef):
    """MaxPool (NHWC) plus the flat index of each maximum: ((b * H + y) * W + x) * C + c,
    the batch term only with include_batch_in_index."""

    inputs = ("input",)

    @staticmethod
    def infer(x, *, ksize, strides, padding, Targmax=_dtypes.int64,  # noqa: N803 - TF's name
              include_batch_in_index=False):
        spec = pool_spec("MaxPoolWithArgmax", x, {"ksize": ksize, "strides": strides,
                                                  "padding": padding})
        return [spec, Spec(Targmax, spec.shape)]

    @staticmethod
    def compute(x, *, ksize, strides, padding, Targmax=_dtypes.int64,  # noqa: N803
                include_batch_in_index=False):
        window = pool_window(x.shape[1:3], {"ksize": ksize, "strides": strides,
                                            "padding": padding})
        y = window_max(x, window)
        n, h, w, c = x.shape
        (top, _), (left, _) = window.pads
        (sh, sw), (oh, ow) = window.strides, window.out
        rows = (np.arange(oh) * sh - top)[None, :, None, None]
        cols = (np.arange(ow) * sw - left)[None, None, :, None]
        index = np.zeros(y.shape, np.int64)
        for i, j, hit in first_max_masks(x, y, window):
            index = np.where(hit, ((rows + i) * w + cols + j) * c, index)
        index += np.arange(c)
        if include_batch_in_index:
            index += np.arange(n)[:, None, None, None] * (h * w * c)
        return [y, index.astype(Targmax.as_numpy_dtype)]

    @staticmethod
    def gradient(op, grad, grad_argmax):
        return [MaxPoolGradWithArgmax.apply([op.inputs[0], grad, op.outputs[1]],
                                            **op.attrs)]


def max_pool_with_argmax(input, ksize, strides, padding, data_format="NHWC",  # noqa: A002
                         Targmax=None, name=None, output_dtype=None,  # noqa: N803
                         include_batch_in_index=False) -> tuple:
    """(max pooled values, flat argmax indices); NHWC only, as in TF.

    Example: `y, arg = tf.nn.max_pool_with_argmax(x, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")`.
    """
    if data_format != "NHWC":
        raise ValueError("max_pool_with_argmax supports only data_format='NHWC'.")
    dtype = _dtypes.as_dtype(Targmax or output_dtype or _dtypes.int64)
    attrs = pool_attrs(ksize, strides, padding, "NHWC")
    del attrs["data_format"]
    y, index = MaxPoolWithArgmax.apply([input], name=name, Targmax=dtype,
                                       include_batch_in_index=bool(include_batch_in_index),
                                       **attrs)
    return y, index


def flat_argmax(index: np.ndarray, shape, include_batch: bool) -> np.ndarray:
    """Argmax indices made global (with the batch term) for a flat [N * H * W * C] array."""
    if include_batch:
        return index.astype(np.int64)
    per_image = int(np.prod(shape[1:]))
    return index + np.arange(shape[0]).reshape(-1, 1, 1, 1) * per_image


@register_op("MaxPoolGradWithArgmax")
class MaxPoolGradWithArgmax(OpDef):
    """The gradient of MaxPoolWithArgmax: each grad value added at its argmax position.

    TF1 note: TF registers no gradient for this op; minigraph's is MaxPoolGradGradWithArgmax.
    """

    inputs = ("input", "grad", "argmax")
    input_types = ("T", "T", "int64")

    @staticmethod
    def infer(x, g, argmax, **attrs):
        check_same_dtype("MaxPoolGradWithArgmax", [x, g], ("input", "grad"))
        return Spec(x.dtype, x.shape)

    @staticmethod
    def compute(x, g, argmax, **attrs):
        index = flat_argmax(argmax, x.shape, attrs.get("include_batch_in_index", False))
        out = np.bincount(index.ravel(), weights=g.ravel(), minlength=x.size)
        return out.astype(x.dtype).reshape(x.shape)

    @staticmethod
    def gradient(op, grad):
        x, _, argmax = op.inputs
        return [array_ops.zeros_like(x),
                MaxPoolGradGradWithArgmax.apply([x, grad, argmax], **op.attrs), None]


@register_op("MaxPoolGradGradWithArgmax")
class MaxPoolGradGradWithArgmax(OpDef):
    """The gradient of MaxPoolGradWithArgmax: `grad` read at each argmax position."""

    inputs = ("input", "grad", "argmax")
    input_types = ("T", "T", "int64")

    @staticmethod
    def infer(x, g, argmax, **attrs):
        check_same_dtype("MaxPoolGradGradWithArgmax", [x, g], ("input", "grad"))
        return Spec(x.dtype, argmax.shape)

    @staticmethod
    def compute(x, g, argmax, **attrs):
        index = flat_argmax(argmax, x.shape, attrs.get("include_batch_in_index", False))
        return g.ravel()[index]

    @staticmethod
    def gradient(op, grad):
        x, _, argmax = op.inputs
        return [array_ops.zeros_like(x),
                MaxPoolGradWithArgmax.apply([x, grad, argmax], **op.attrs), None]


def pool(input, window_shape, pooling_type, padding, dilation_rate=None,  # noqa: A002
         strides=None, name=None, data_format=None, dilations=None) -> Tensor:
    """2-D "MAX" or "AVG" pooling with TF's generic signature (window and strides as 2 ints).

    Example: `tf.nn.pool(x, [2, 2], "MAX", "VALID", strides=[2, 2])`.
    TF1 note: only 2-D windows and dilation 1 are supported.
    """
    rates = dilations if dilation_rate is None else dilation_rate
    if rates is not None and any(int(r) != 1 for r in rates):
        raise ValueError(f"pool supports dilation_rate 1 only, got {rates}.")
    if len(window_shape) != 2:
        raise ValueError(f"pool supports 2-D windows only, got window_shape {window_shape}.")
    functions = {"MAX": max_pool, "AVG": avg_pool}
    if pooling_type not in functions:
        raise ValueError(f"pooling_type must be 'MAX' or 'AVG', got {pooling_type!r}.")
    return functions[pooling_type](input, list(window_shape), list(strides or window_shape),
                                   padding, data_format or "NHWC", name)
