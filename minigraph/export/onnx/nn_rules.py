"""ONNX rules for convolution (conv2d_transpose as ConvTranspose), pooling, LRN, batch norm
(TF's NHWC around ONNX's NCHW) and splits."""

from __future__ import annotations

import numpy as np

from ...ops.conv_kernels import output_size
from .converter import output, rule

__all__ = ["NHWC_TO_NCHW", "NCHW_TO_NHWC"]

NHWC_TO_NCHW, NCHW_TO_NHWC = [0, 3, 1, 2], [0, 2, 3, 1]


def _to_nchw(c, op, name):
    if op.attrs.get("data_format", "NHWC") in ("NCHW", b"NCHW"):
        return name
    return c.node("Transpose", [name], op.name, perm=NHWC_TO_NCHW)


def _from_nchw(c, op, name):
    if op.attrs.get("data_format", "NHWC") in ("NCHW", b"NCHW"):
        return name
    return c.node("Transpose", [name], op.name, perm=NCHW_TO_NHWC)


def _spatial(op, key, default=1):
    values = list(op.attrs.get(key) or [default] * 4)
    nchw = op.attrs.get("data_format", "NHWC") in ("NCHW", b"NCHW")
    return [int(v) for v in (values[2:] if nchw else values[1:3])]


def _padding(op, kernel_hw=None) -> dict:
    padding = op.attrs.get("padding", "VALID")
    padding = padding.decode() if isinstance(padding, bytes) else padding
    if padding == "SAME" and kernel_hw is not None and max(_spatial(op, "dilations")) > 1:
        return {"pads": _same_pads(op, kernel_hw)}  # ONNX Runtime's SAME refuses dilations
    if padding == "SAME":
        return {"auto_pad": "SAME_UPPER"}  # TF puts the odd extra pixel at the end
    if padding == "EXPLICIT":
        pads = np.asarray(op.attrs["explicit_paddings"], np.int64).reshape(-1, 2)
        nchw = op.attrs.get("data_format", "NHWC") in ("NCHW", b"NCHW")
        spatial = pads[2:] if nchw else pads[1:3]
        return {"pads": [int(p) for p in list(spatial[:, 0]) + list(spatial[:, 1])]}
    return {"auto_pad": "VALID"}


def _image_hw(op, t) -> list:
    dims = t.shape.as_list() if t.shape.ndims == 4 else [None] * 4
    nchw = op.attrs.get("data_format", "NHWC") in ("NCHW", b"NCHW")
    return dims[2:] if nchw else dims[1:3]


def _same_pads(op, kernel_hw) -> list:
    """TF's SAME pads as ONNX [top, left, bottom, right], from the input's static size."""
    hw = _image_hw(op, op.inputs[0])
    if None in hw:
        raise ValueError(f"ONNX export of '{op.name}' (SAME padding with dilations) needs the "
                         f"input's height and width, but its shape is {op.inputs[0].shape}. "
                         "Fix: give the input placeholder a static height and width.")
    pairs = [output_size(n, k, s, d, "SAME")[1] for n, k, s, d in
             zip(hw, kernel_hw, _spatial(op, "strides"), _spatial(op, "dilations"))]
    return [int(pairs[0][0]), int(pairs[1][0]), int(pairs[0][1]), int(pairs[1][1])]


def _kernel_value(c, t):
    return c.static(t, "the kernel") if c.known_value(t) is not None else c.run_value(t)


@rule("Conv2DBackpropInput")
def _conv2d_transpose(c, op):
    """conv2d_transpose: ONNX ConvTranspose with TF's pads, output_padding for the rest."""
    sizes = [int(v) for v in c.static(op.inputs[0], "the output shape")]
    nchw = op.attrs.get("data_format", "NHWC") in ("NCHW", b"NCHW")
    out_hw = sizes[2:] if nchw else sizes[1:3]
    kernel = _kernel_value(c, op.inputs[1])
    h, w = kernel.shape[:2]
    strides, dilations = _spatial(op, "strides"), _spatial(op, "dilations")
    padding = op.attrs.get("padding", "VALID")
    padding = padding.decode() if isinstance(padding, bytes) else padding
    if padding == "EXPLICIT":
        pads = _padding(op)["pads"]
    else:  # the forward convolution's pads, worked out on the result's size
        pairs = [output_size(n, k, s, d, padding)[1]
                 for n, k, s, d in zip(out_hw, (h, w), strides, dilations)]
        pads = [pairs[0][0], pairs[1][0], pairs[0][1], pairs[1][1]]
    in_hw = _image_hw(op, op.inputs[2])
    extra = [n - (s * (i - 1) + (k - 1) * d + 1 - p0 - p1) for n, i, k, s, d, p0, p1 in
             zip(out_hw, in_hw, (h, w), strides, dilations, pads[:2], pads[2:])]
    weights = c.constant(np.transpose(kernel, (3, 2, 0, 1)), op.name + "/kernel")
    y = c.node("ConvTranspose", [_to_nchw(c, op, c.name(op.inputs[2])), weights], op.name,
               kernel_shape=[int(h), int(w)], strides=strides, dilations=dilations,
               pads=[int(p) for p in pads], output_padding=[int(e) for e in extra])
    output(c, op, _from_nchw(c, op, y))


@rule("LRN")
def _lrn(c, op):
    """TF divides by (bias + alpha * sum of squares); ONNX by (bias + alpha / size * sum)."""
    size = 2 * int(op.attrs.get("depth_radius", 5)) + 1
    y = c.node("LRN", [_to_nchw(c, op, c.name(op.inputs[0]))], op.name, size=size,
               alpha=float(op.attrs.get("alpha", 1.0)) * size,
               beta=float(op.attrs.get("beta", 0.5)), bias=float(op.attrs.get("bias", 1.0)))
    output(c, op, _from_nchw(c, op, y))


@rule("Conv2D", "DepthwiseConv2dNative")
def _conv2d(c, op):
    x = _to_nchw(c, op, c.name(op.inputs[0]))
    kernel = _kernel_value(c, op.inputs[1])
    h, w, cin, cout = kernel.shape
    group = 1
    if op.type == "DepthwiseConv2dNative":  # [h, w, in, multiplier] -> in groups of one
        kernel = kernel.reshape(h, w, 1, cin * cout)
        group = cin
    weights = c.constant(np.transpose(kernel, (3, 2, 0, 1)), op.name + "/kernel")
    y = c.node("Conv", [x, weights], op.name, kernel_shape=[int(h), int(w)],
               strides=_spatial(op, "strides"), dilations=_spatial(op, "dilations"),
               group=int(group), **_padding(op, (h, w)))
    output(c, op, _from_nchw(c, op, y))


@rule("MaxPool", "AvgPool")
def _pool(c, op):
    x = _to_nchw(c, op, c.name(op.inputs[0]))
    kind = "MaxPool" if op.type == "MaxPool" else "AveragePool"
    extra = {} if kind == "MaxPool" else {"count_include_pad": 0}  # TF averages real pixels
    y = c.node(kind, [x], op.name, kernel_shape=_spatial(op, "ksize"),
               strides=_spatial(op, "strides"), **_padding(op), **extra)
    output(c, op, _from_nchw(c, op, y))


@rule("FusedBatchNorm", "FusedBatchNormV3")
def _fused_batch_norm(c, op):
    if op.attrs.get("is_training", True):
        raise ValueError(f"ONNX export of '{op.name}' needs inference mode: batch norm built "
                         "with training=True normalises by the batch. Fix: build the model "
                         "with training=False (or a False bool placeholder default).")
    x = _to_nchw(c, op, c.name(op.inputs[0]))
    y = c.node("BatchNormalization", [x] + [c.name(t) for t in op.inputs[1:5]], op.name,
               epsilon=float(op.attrs.get("epsilon", 1e-3)))
    output(c, op, _from_nchw(c, op, y))


# -- splitting ------------------------------------------------------------------------------
def _split_outputs(c, op, x, axis, sizes):
    names = c.node("Split", [x, c.ints(sizes, "split")], op.name, n_out=len(sizes), axis=axis)
    names = [names] if isinstance(names, str) else names
    return names


@rule("Split")
def _split(c, op):
    axis = int(c.static(op.inputs[0], "the split axis"))
    value = op.inputs[1]
    n = int(op.attrs["num_split"])
    size = value.shape.as_list()[axis] if value.shape.ndims else None
    if size is None:
        raise ValueError(f"ONNX export of Split '{op.name}' needs the split axis's size.")
    for k, name in enumerate(_split_outputs(c, op, c.name(value), axis, [size // n] * n)):
        output(c, op, name, k)


@rule("SplitV")
def _split_v(c, op):
    axis = int(c.static(op.inputs[2], "the split axis"))
    sizes = [int(s) for s in c.static(op.inputs[1], "the split sizes")]
    for k, name in enumerate(_split_outputs(c, op, c.name(op.inputs[0]), axis, sizes)):
        output(c, op, name, k)


@rule("Unpack")
def _unpack(c, op):
    axis, n = int(op.attrs["axis"]), int(op.attrs["num"])
    rank = op.inputs[0].shape.ndims
    axis = axis + rank if axis < 0 else axis
    for k, name in enumerate(_split_outputs(c, op, c.name(op.inputs[0]), axis, [1] * n)):
        output(c, op, c.node("Squeeze", [name, c.ints([axis], "axes")], op.name), k)
