"""ONNX rules for convolution, pooling, batch norm (TF's NHWC around ONNX's NCHW) and splits."""

from __future__ import annotations

import numpy as np

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


def _padding(op) -> dict:
    padding = op.attrs.get("padding", "VALID")
    padding = padding.decode() if isinstance(padding, bytes) else padding
    if padding == "SAME":
        return {"auto_pad": "SAME_UPPER"}  # TF puts the odd extra pixel at the end
    if padding == "EXPLICIT":
        pads = np.asarray(op.attrs["explicit_paddings"], np.int64).reshape(-1, 2)
        nchw = op.attrs.get("data_format", "NHWC") in ("NCHW", b"NCHW")
        spatial = pads[2:] if nchw else pads[1:3]
        return {"pads": [int(p) for p in list(spatial[:, 0]) + list(spatial[:, 1])]}
    return {"auto_pad": "VALID"}


@rule("Conv2D", "DepthwiseConv2dNative")
def _conv2d(c, op):
    x = _to_nchw(c, op, c.name(op.inputs[0]))
    kernel = c.static(op.inputs[1], "the kernel") if c._static(op.inputs[1]) is not None \
        else c.run_value(op.inputs[1])
    h, w, cin, cout = kernel.shape
    group = 1
    if op.type == "DepthwiseConv2dNative":  # [h, w, in, multiplier] -> in groups of one
        kernel = kernel.reshape(h, w, 1, cin * cout)
        group = cin
    weights = c.constant(np.transpose(kernel, (3, 2, 0, 1)), op.name + "/kernel")
    y = c.node("Conv", [x, weights], op.name, kernel_shape=[int(h), int(w)],
               strides=_spatial(op, "strides"), dilations=_spatial(op, "dilations"),
               group=int(group), **_padding(op))
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
