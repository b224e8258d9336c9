"""ONNX rules for the everyday ops: variables, elementwise math, matmul, shapes, reductions,
slicing, gathering, padding. One small function per op type (see converter.py).
"""

from __future__ import annotations

import numpy as np

from ...framework import dtypes as _dtypes
from .converter import elem_type, output, rule

__all__ = []


@rule("VariableV2")
def _variable(c, op):
    output(c, op, c.constant(c.run_value(op.outputs[0]), op.name))


@rule("Identity", "StopGradient", "PlaceholderWithDefault", "Snapshot")
def _identity(c, op):
    output(c, op, c.node("Identity", c.inputs(op)[:1], op.name))


_ELEMENTWISE = {"AddV2": "Add", "Add": "Add", "Sub": "Sub", "Mul": "Mul", "RealDiv": "Div",
                "Maximum": "Max", "Minimum": "Min", "Pow": "Pow", "Neg": "Neg", "Abs": "Abs",
                "Exp": "Exp", "Log": "Log", "Sqrt": "Sqrt", "Tanh": "Tanh",
                "Sigmoid": "Sigmoid", "Relu": "Relu", "Elu": "Elu", "Softplus": "Softplus",
                "Floor": "Floor", "Ceil": "Ceil", "Sign": "Sign", "Reciprocal": "Reciprocal",
                "Sin": "Sin", "Cos": "Cos", "Equal": "Equal", "Less": "Less",
                "Greater": "Greater", "LogicalAnd": "And", "LogicalOr": "Or",
                "LogicalNot": "Not", "Round": "Round", "Erf": "Erf"}


@rule(*_ELEMENTWISE)
def _elementwise(c, op):
    output(c, op, c.node(_ELEMENTWISE[op.type], c.inputs(op), op.name))


@rule("Square")
def _square(c, op):
    x = c.name(op.inputs[0])
    output(c, op, c.node("Mul", [x, x], op.name))


@rule("Log1p")
def _log1p(c, op):
    one = c.constant(op.outputs[0].dtype.as_numpy_dtype(1), "one")
    output(c, op, c.node("Log", [c.node("Add", [c.name(op.inputs[0]), one], op.name)], op.name))


@rule("Rsqrt")
def _rsqrt(c, op):
    output(c, op, c.node("Reciprocal", [c.node("Sqrt", c.inputs(op), op.name)], op.name))


@rule("SquaredDifference")
def _squared_difference(c, op):
    d = c.node("Sub", c.inputs(op), op.name)
    output(c, op, c.node("Mul", [d, d], op.name))


@rule("Relu6")
def _relu6(c, op):
    dtype = op.outputs[0].dtype.as_numpy_dtype
    output(c, op, c.node("Clip", [c.name(op.inputs[0]), c.constant(dtype(0), "zero"),
                                c.constant(dtype(6), "six")], op.name))


@rule("LeakyRelu")
def _leaky_relu(c, op):
    output(c, op, c.node("LeakyRelu", c.inputs(op), op.name, alpha=float(op.get_attr("alpha"))))


@rule("Softmax", "LogSoftmax")
def _softmax(c, op):
    output(c, op, c.node(op.type, c.inputs(op), op.name, axis=-1))


@rule("AddN")
def _add_n(c, op):
    output(c, op, c.node("Sum", c.inputs(op), op.name))


@rule("MatMul")
def _matmul(c, op):
    a, b = c.inputs(op)
    if op.attrs.get("transpose_a"):
        a = c.node("Transpose", [a], op.name, perm=[1, 0])
    if op.attrs.get("transpose_b"):
        b = c.node("Transpose", [b], op.name, perm=[1, 0])
    output(c, op, c.node("MatMul", [a, b], op.name))


@rule("BatchMatMulV2", "BatchMatMul")
def _batch_matmul(c, op):
    a, b = c.inputs(op)
    rank = op.inputs[0].shape.ndims
    for flag, which in (("adj_x", 0), ("adj_y", 1)):
        if op.attrs.get(flag):
            perm = list(range(rank - 2)) + [rank - 1, rank - 2]
            if which == 0:
                a = c.node("Transpose", [a], op.name, perm=perm)
            else:
                b = c.node("Transpose", [b], op.name, perm=perm)
    output(c, op, c.node("MatMul", [a, b], op.name))


@rule("BiasAdd")
def _bias_add(c, op):
    x, bias = c.inputs(op)
    if op.attrs.get("data_format", "NHWC") == "NCHW" and op.inputs[0].shape.ndims:
        rank = op.inputs[0].shape.ndims
        bias = c.node("Reshape", [bias, c.ints([-1] + [1] * (rank - 2), "shape")], op.name)
    output(c, op, c.node("Add", [x, bias], op.name))


@rule("Cast")
def _cast(c, op):
    output(c, op, c.node("Cast", c.inputs(op)[:1], op.name, to=elem_type(op.outputs[0].dtype)))


@rule("Reshape")
def _reshape(c, op):
    shape = c.known_value(op.inputs[1])
    target = c.ints(shape, "shape") if shape is not None else \
        c.node("Cast", [c.name(op.inputs[1])], op.name, to=7)
    output(c, op, c.node("Reshape", [c.name(op.inputs[0]), target], op.name))


@rule("Shape")
def _shape(c, op):
    shape = c.node("Shape", c.inputs(op), op.name)
    if op.outputs[0].dtype == _dtypes.int32:
        shape = c.node("Cast", [shape], op.name, to=6)
    output(c, op, shape)


@rule("Transpose")
def _transpose(c, op):
    perm = [int(p) for p in c.static(op.inputs[1], "the permutation")]
    output(c, op, c.node("Transpose", [c.name(op.inputs[0])], op.name, perm=perm))


@rule("ExpandDims")
def _expand_dims(c, op):
    axis = int(c.static(op.inputs[1], "the axis"))
    output(c, op, c.node("Unsqueeze", [c.name(op.inputs[0]), c.ints([axis], "axes")], op.name))


@rule("Squeeze")
def _squeeze(c, op):
    dims = op.attrs.get("squeeze_dims") or op.attrs.get("axis") or []
    inputs = [c.name(op.inputs[0])] + ([c.ints(list(dims), "axes")] if dims else [])
    output(c, op, c.node("Squeeze", inputs, op.name))


_REDUCTIONS = {"Sum": "ReduceSum", "Mean": "ReduceMean", "Max": "ReduceMax",
               "Min": "ReduceMin", "Prod": "ReduceProd"}


@rule(*_REDUCTIONS)
def _reduce(c, op):
    axes = [int(a) for a in np.ravel(c.static(op.inputs[1], "the reduction axes"))]
    keep = int(bool(op.attrs.get("keepdims", False)))
    x = c.name(op.inputs[0])
    if not axes:
        output(c, op, c.node("Identity", [x], op.name))
    elif op.type == "Sum":  # ReduceSum takes its axes as an input from opset 13
        output(c, op, c.node("ReduceSum", [x, c.ints(axes, "axes")], op.name, keepdims=keep))
    else:
        output(c, op, c.node(_REDUCTIONS[op.type], [x], op.name, axes=axes, keepdims=keep))


@rule("ArgMax", "ArgMin")
def _arg(c, op):
    axis = int(c.static(op.inputs[1], "the axis"))
    index = c.node(op.type, [c.name(op.inputs[0])], op.name, axis=axis, keepdims=0)
    if op.outputs[0].dtype == _dtypes.int32:
        index = c.node("Cast", [index], op.name, to=6)
    output(c, op, index)


@rule("ConcatV2")
def _concat(c, op):
    axis = int(c.static(op.inputs[-1], "the axis"))
    output(c, op, c.node("Concat", [c.name(t) for t in op.inputs[:-1]], op.name, axis=axis))


@rule("Pack")
def _pack(c, op):
    axis = int(op.attrs.get("axis", 0))
    parts = [c.node("Unsqueeze", [c.name(t), c.ints([axis], "axes")], op.name)
             for t in op.inputs]
    output(c, op, c.node("Concat", parts, op.name, axis=axis))


@rule("GatherV2")
def _gather(c, op):
    axis = int(c.static(op.inputs[2], "the axis"))
    output(c, op, c.node("Gather", [c.name(op.inputs[0]), c.name(op.inputs[1])], op.name,
                       axis=axis))


@rule("Fill")
def _fill(c, op):
    dims = c.node("Cast", [c.name(op.inputs[0])], op.name, to=7)
    zero = c.node("ConstantOfShape", [dims], op.name)
    output(c, op, c.node("Add", [c.node("Cast", [zero], op.name, to=elem_type(op.outputs[0].dtype)),
                               c.name(op.inputs[1])], op.name))


@rule("Slice")
def _slice(c, op):
    begin = np.asarray(c.static(op.inputs[1], "the begin"), np.int64)
    size = np.asarray(c.static(op.inputs[2], "the size"), np.int64)
    end = np.where(size < 0, np.iinfo(np.int64).max, begin + size)
    output(c, op, c.node("Slice", [c.name(op.inputs[0]), c.ints(begin, "starts"),
                                 c.ints(end, "ends")], op.name))


@rule("StridedSlice")
def _strided_slice(c, op):
    begin, end, strides = (np.asarray(c.static(t, "the slice bounds"), np.int64)
                           for t in op.inputs[1:])
    mask = {k: int(op.attrs.get(k, 0)) for k in ("begin_mask", "end_mask", "ellipsis_mask",
                                                 "new_axis_mask", "shrink_axis_mask")}
    rank = op.inputs[0].shape.ndims
    if rank is None:
        raise ValueError(f"ONNX export of StridedSlice '{op.name}' needs its input's rank.")
    big = np.iinfo(np.int64).max
    named = sum(1 for i in range(len(begin))
                if not (mask["ellipsis_mask"] >> i & 1 or mask["new_axis_mask"] >> i & 1))
    starts, ends, steps, axes, shrink, new_axes = [], [], [], [], [], []
    dim = out = 0
    for i, (b, e, s) in enumerate(zip(begin, end, strides)):
        if mask["ellipsis_mask"] >> i & 1:
            covered = rank - named
            dim, out = dim + covered, out + covered
            continue
        if mask["new_axis_mask"] >> i & 1:
            new_axes.append(out)
            out += 1
            continue
        forward = s > 0
        starts.append((0 if forward else -1) if mask["begin_mask"] >> i & 1 else b)
        ends.append((big if forward else -big) if mask["end_mask"] >> i & 1 else e)
        if mask["shrink_axis_mask"] >> i & 1:
            ends[-1] = b + 1 if b != -1 else big
            shrink.append(dim)
        else:
            out += 1
        steps.append(s)
        axes.append(dim)
        dim += 1
    result = c.name(op.inputs[0])
    if axes:
        result = c.node("Slice", [result, c.ints(starts, "starts"), c.ints(ends, "ends"),
                                  c.ints(axes, "axes"), c.ints(steps, "steps")], op.name)
    if shrink:
        result = c.node("Squeeze", [result, c.ints(shrink, "axes")], op.name)
    if new_axes:
        result = c.node("Unsqueeze", [result, c.ints(new_axes, "axes")], op.name)
    output(c, op, result)


@rule("Tile")
def _tile(c, op):
    multiples = c.node("Cast", [c.name(op.inputs[1])], op.name, to=7)
    output(c, op, c.node("Tile", [c.name(op.inputs[0]), multiples], op.name))


@rule("Pad", "PadV2")
def _pad(c, op):
    paddings = np.asarray(c.static(op.inputs[1], "the paddings"), np.int64)
    inputs = [c.name(op.inputs[0]), c.ints(np.concatenate([paddings[:, 0], paddings[:, 1]]),
                                           "pads")]
    if op.type == "PadV2":
        inputs.append(c.name(op.inputs[2]))
    output(c, op, c.node("Pad", inputs, op.name))


@rule("Select", "SelectV2")
def _select(c, op):
    output(c, op, c.node("Where", c.inputs(op), op.name))


@rule("OneHot")
def _one_hot(c, op):
    indices, depth, on, off = c.inputs(op)
    values = c.node("Concat", [c.node("Unsqueeze", [off, c.ints([0], "axes")], op.name),
                               c.node("Unsqueeze", [on, c.ints([0], "axes")], op.name)],
                    op.name, axis=0)
    indices = c.node("Cast", [indices], op.name, to=7)  # ONNX Runtime's kernel wants int64
    output(c, op, c.node("OneHot", [indices, c.node("Cast", [depth], op.name, to=7), values],
                       op.name, axis=int(op.attrs.get("axis", -1))))


@rule("GatherNd")
def _gather_nd(c, op):
    params, indices = c.inputs(op)
    indices = c.node("Cast", [indices], op.name, to=7)  # GatherND takes int64 indices
    output(c, op, c.node("GatherND", [params, indices], op.name))


@rule("ScatterNd")
def _scatter_nd(c, op):
    indices, updates, shape = c.inputs(op)
    zeros = c.node("ConstantOfShape", [c.node("Cast", [shape], op.name, to=7)], op.name)
    zeros = c.node("CastLike", [zeros, updates], op.name)  # zeros of the updates' dtype
    indices = c.node("Cast", [indices], op.name, to=7)
    output(c, op, c.node("ScatterND", [zeros, indices, updates], op.name, reduction="add"))
