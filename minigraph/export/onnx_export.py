"""ONNX export: the forward graph of a model with its current weights, for ONNX Runtime.

Lives here: `export(sess, inputs, outputs, path)`, which walks the ops that `outputs` need
(stopping at `inputs`), turns variables into initializers holding their values in `sess`,
and converts each op with one small rule from `RULES` (op type -> function). Images stay
NHWC at the model's edges as in TF; convolutions (conv2d_transpose as ConvTranspose),
pooling and LRN transpose to ONNX's NCHW and back around each op. An op without a rule is
named in one clear error. Needs the `[onnx]` extra (onnx; onnxruntime to run the result).
"""

from __future__ import annotations

import numpy as np

from ..framework import dtypes as _dtypes
from ..ops.conv_kernels import output_size

__all__ = ["export", "RULES", "OPSET"]

OPSET = 17
NHWC_TO_NCHW, NCHW_TO_NHWC = [0, 3, 1, 2], [0, 2, 3, 1]


def _import_onnx():
    try:
        import onnx  # optional extra (onnx): imported only when exporting
        from onnx import helper, numpy_helper  # optional extra (onnx)
    except ImportError as e:
        raise ImportError("ONNX export needs the onnx package. Install the extra: "
                          f"pip install 'minigraph[onnx]' (or pip install onnx). ({e})") from e
    return onnx, helper, numpy_helper


def export(sess, inputs, outputs, path: str | None = None, opset: int = OPSET,
           model_name: str = "minigraph"):
    """Write the sub-graph from `inputs` to `outputs` as an ONNX model; return the ModelProto.

    Args:
      sess: the Session holding the variables' current values (they become initializers).
      inputs: the tensors the ONNX model takes (usually placeholders), in order.
      outputs: the tensors it returns, in order.
      path: where to write the `.onnx` file (None: only return the model).
    Raises:
      ValueError: naming every op on the way that has no ONNX rule, or an input a needed
        placeholder is missing from.

    Example: `minigraph.onnx.export(sess, [x], [probabilities], "model.onnx")`; then
    `onnxruntime.InferenceSession("model.onnx").run(None, {"x:0": images})`.
    """
    onnx, helper, numpy_helper = _import_onnx()
    graph = sess.graph
    inputs = [_as_tensor(graph, t) for t in inputs]
    outputs = [_as_tensor(graph, t) for t in outputs]
    ops = _needed_ops(outputs, set(inputs))
    _check_convertible(ops)
    converter = _Converter(sess, helper, numpy_helper, inputs)
    for op in ops:
        converter.convert(op)
    model_graph = helper.make_graph(
        converter.nodes, model_name,
        [_value_info(helper, t) for t in inputs],
        [_value_info(helper, t, converter.name(t)) for t in outputs],
        initializer=converter.initializers)
    model = helper.make_model(model_graph, producer_name="minigraph",
                              opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = min(model.ir_version, 9)  # readable by ONNX Runtime releases since 1.16
    onnx.checker.check_model(model)
    if path:
        onnx.save(model, path)
    return model


def _as_tensor(graph, t):
    if isinstance(t, str):
        return graph.get_tensor_by_name(t)
    return t._as_graph_element() if hasattr(t, "_as_graph_element") else t


def _needed_ops(outputs, stop: set) -> list:
    """The ops `outputs` depend on through data edges, stopping at `stop`, in creation order."""
    seen, stack = set(), [t.op for t in outputs if t not in stop]
    while stack:
        op = stack.pop()
        if op in seen:
            continue
        seen.add(op)
        stack.extend(t.op for t in op.inputs if t not in stop and t.op not in seen)
    return [op for op in outputs[0].graph.get_operations() if op in seen]


def _check_convertible(ops) -> None:
    missing = sorted({op.type for op in ops if op.type not in RULES and not _folded(op)})
    if missing:
        names = {t: next(op.name for op in ops if op.type == t) for t in missing}
        raise ValueError("ONNX export has no rule for " + ", ".join(
            f"{t} (node '{n}')" for t, n in names.items()) + ". Fix: export a sub-graph "
            "without these ops (pass the tensors they feed as `inputs`), or add a rule to "
            "RULES in minigraph/export/onnx_export.py.")


def _folded(op) -> bool:
    """True if every output of `op` is a build-time constant (exported as an initializer)."""
    return bool(op.outputs) and op.type not in ("VariableV2", "Placeholder") and all(
        _Converter._static(t) is not None for t in op.outputs)


def _elem_type(dtype) -> int:
    from onnx import TensorProto  # the extra is imported on use, never by the core

    return getattr(TensorProto, _ONNX_TYPES[dtype.base_dtype.name])


def _value_info(helper, t, name=None):
    elem = _elem_type(t.dtype)
    shape = None if t.shape.ndims is None else t.shape.as_list()  # None: a free dimension
    return helper.make_tensor_value_info(name or t.name, elem, shape)


_ONNX_TYPES = {"float32": "FLOAT", "float64": "DOUBLE", "float16": "FLOAT16", "int32": "INT32",
               "int64": "INT64", "int8": "INT8", "int16": "INT16", "uint8": "UINT8",
               "bool": "BOOL", "string": "STRING", "uint16": "UINT16", "uint32": "UINT32",
               "uint64": "UINT64"}


class _Converter:
    """Accumulates ONNX nodes and initializers; maps minigraph tensors to ONNX names."""

    def __init__(self, sess, helper, numpy_helper, inputs):
        self.sess, self.helper, self.numpy_helper = sess, helper, numpy_helper
        self.nodes, self.initializers = [], []
        self._names = {t: t.name for t in inputs}
        self._lazy = {}  # tensor -> value of build-time constants not yet needed by name
        self._count = 0

    def name(self, t) -> str:
        if t not in self._names and t in self._lazy:  # a constant, added on first use
            self._names[t] = self.constant(self._lazy.pop(t), t.op.name)
        return self._names[t]

    def bind(self, t, name: str) -> None:
        self._names[t] = name

    def fresh(self, hint: str) -> str:
        self._count += 1
        return f"{hint}__{self._count}"

    def node(self, op_type: str, inputs: list, hint: str, n_out: int = 1, **attrs):
        """Add one ONNX node; return its output name (or names, when n_out > 1)."""
        outs = [self.fresh(hint) for _ in range(n_out)]
        self.nodes.append(self.helper.make_node(op_type, inputs, outs, **attrs))
        return outs[0] if n_out == 1 else outs

    def constant(self, value, hint: str) -> str:
        """An initializer holding `value` (numpy); return its name."""
        name = self.fresh(hint)
        self.initializers.append(self.numpy_helper.from_array(np.asarray(value), name))
        return name

    def convert(self, op) -> None:
        if _folded(op):
            for t in op.outputs:  # folded at build time: a constant, whatever computed it
                self._lazy[t] = self._static(t)
            return
        RULES[op.type](self, op)

    @staticmethod
    def _static(t):
        value = t._static_value
        if value is None or (isinstance(value, np.ndarray) and value.dtype == object):
            return None
        return np.asarray(value, dtype=t.dtype.base_dtype.as_numpy_dtype)

    def static(self, t, what: str):
        """The build-time constant value of `t`; a clear error if it is computed at run time."""
        value = self._static(t)
        if value is None:
            raise ValueError(f"ONNX export needs {what} of '{t.op.name}' ({t.op.type}) to be a "
                             f"constant, but '{t.name}' is computed at run time.")
        return value

    def ints(self, values, hint: str) -> str:
        return self.constant(np.asarray(values, np.int64), hint)

    def inputs(self, op) -> list:
        return [self.name(t) for t in op.inputs]

    def run_value(self, t):
        return self.sess.run(t)


# ---------------------------------------------------------------------------------------
# Rules: one function per op type
# ---------------------------------------------------------------------------------------
RULES: dict = {}


def rule(*op_types):
    def register(fn):
        for op_type in op_types:
            RULES[op_type] = fn
        return fn
    return register


def _out(c, op, name, index=0):
    c.bind(op.outputs[index], name)


@rule("VariableV2")
def _variable(c, op):
    _out(c, op, c.constant(c.run_value(op.outputs[0]), op.name))


@rule("Identity", "StopGradient", "PlaceholderWithDefault", "Snapshot")
def _identity(c, op):
    _out(c, op, c.node("Identity", c.inputs(op)[:1], op.name))


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
    _out(c, op, c.node(_ELEMENTWISE[op.type], c.inputs(op), op.name))


@rule("Square")
def _square(c, op):
    x = c.name(op.inputs[0])
    _out(c, op, c.node("Mul", [x, x], op.name))


@rule("Log1p")
def _log1p(c, op):
    one = c.constant(op.outputs[0].dtype.as_numpy_dtype(1), "one")
    _out(c, op, c.node("Log", [c.node("Add", [c.name(op.inputs[0]), one], op.name)], op.name))


@rule("Rsqrt")
def _rsqrt(c, op):
    _out(c, op, c.node("Reciprocal", [c.node("Sqrt", c.inputs(op), op.name)], op.name))


@rule("SquaredDifference")
def _squared_difference(c, op):
    d = c.node("Sub", c.inputs(op), op.name)
    _out(c, op, c.node("Mul", [d, d], op.name))


@rule("Relu6")
def _relu6(c, op):
    dtype = op.outputs[0].dtype.as_numpy_dtype
    _out(c, op, c.node("Clip", [c.name(op.inputs[0]), c.constant(dtype(0), "zero"),
                                c.constant(dtype(6), "six")], op.name))


@rule("LeakyRelu")
def _leaky_relu(c, op):
    _out(c, op, c.node("LeakyRelu", c.inputs(op), op.name, alpha=float(op.get_attr("alpha"))))


@rule("Softmax", "LogSoftmax")
def _softmax(c, op):
    _out(c, op, c.node(op.type, c.inputs(op), op.name, axis=-1))


@rule("AddN")
def _add_n(c, op):
    _out(c, op, c.node("Sum", c.inputs(op), op.name))


@rule("MatMul")
def _matmul(c, op):
    a, b = c.inputs(op)
    if op.attrs.get("transpose_a"):
        a = c.node("Transpose", [a], op.name, perm=[1, 0])
    if op.attrs.get("transpose_b"):
        b = c.node("Transpose", [b], op.name, perm=[1, 0])
    _out(c, op, c.node("MatMul", [a, b], op.name))


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
    _out(c, op, c.node("MatMul", [a, b], op.name))


@rule("BiasAdd")
def _bias_add(c, op):
    x, bias = c.inputs(op)
    if op.attrs.get("data_format", "NHWC") == "NCHW" and op.inputs[0].shape.ndims:
        rank = op.inputs[0].shape.ndims
        bias = c.node("Reshape", [bias, c.ints([-1] + [1] * (rank - 2), "shape")], op.name)
    _out(c, op, c.node("Add", [x, bias], op.name))


@rule("Cast")
def _cast(c, op):
    _out(c, op, c.node("Cast", c.inputs(op)[:1], op.name, to=_elem_type(op.outputs[0].dtype)))


@rule("Reshape")
def _reshape(c, op):
    shape = c._static(op.inputs[1])
    target = c.ints(shape, "shape") if shape is not None else \
        c.node("Cast", [c.name(op.inputs[1])], op.name, to=7)
    _out(c, op, c.node("Reshape", [c.name(op.inputs[0]), target], op.name))


@rule("Shape")
def _shape(c, op):
    shape = c.node("Shape", c.inputs(op), op.name)
    if op.outputs[0].dtype == _dtypes.int32:
        shape = c.node("Cast", [shape], op.name, to=6)
    _out(c, op, shape)


@rule("Transpose")
def _transpose(c, op):
    perm = [int(p) for p in c.static(op.inputs[1], "the permutation")]
    _out(c, op, c.node("Transpose", [c.name(op.inputs[0])], op.name, perm=perm))


@rule("ExpandDims")
def _expand_dims(c, op):
    axis = int(c.static(op.inputs[1], "the axis"))
    _out(c, op, c.node("Unsqueeze", [c.name(op.inputs[0]), c.ints([axis], "axes")], op.name))


@rule("Squeeze")
def _squeeze(c, op):
    dims = op.attrs.get("squeeze_dims") or op.attrs.get("axis") or []
    inputs = [c.name(op.inputs[0])] + ([c.ints(list(dims), "axes")] if dims else [])
    _out(c, op, c.node("Squeeze", inputs, op.name))


_REDUCTIONS = {"Sum": "ReduceSum", "Mean": "ReduceMean", "Max": "ReduceMax",
               "Min": "ReduceMin", "Prod": "ReduceProd"}


@rule(*_REDUCTIONS)
def _reduce(c, op):
    axes = [int(a) for a in np.ravel(c.static(op.inputs[1], "the reduction axes"))]
    keep = int(bool(op.attrs.get("keepdims", False)))
    x = c.name(op.inputs[0])
    if not axes:
        _out(c, op, c.node("Identity", [x], op.name))
    elif op.type == "Sum":  # ReduceSum takes its axes as an input from opset 13
        _out(c, op, c.node("ReduceSum", [x, c.ints(axes, "axes")], op.name, keepdims=keep))
    else:
        _out(c, op, c.node(_REDUCTIONS[op.type], [x], op.name, axes=axes, keepdims=keep))


@rule("ArgMax", "ArgMin")
def _arg(c, op):
    axis = int(c.static(op.inputs[1], "the axis"))
    index = c.node(op.type, [c.name(op.inputs[0])], op.name, axis=axis, keepdims=0)
    if op.outputs[0].dtype == _dtypes.int32:
        index = c.node("Cast", [index], op.name, to=6)
    _out(c, op, index)


@rule("ConcatV2")
def _concat(c, op):
    axis = int(c.static(op.inputs[-1], "the axis"))
    _out(c, op, c.node("Concat", [c.name(t) for t in op.inputs[:-1]], op.name, axis=axis))


@rule("Pack")
def _pack(c, op):
    axis = int(op.attrs.get("axis", 0))
    parts = [c.node("Unsqueeze", [c.name(t), c.ints([axis], "axes")], op.name)
             for t in op.inputs]
    _out(c, op, c.node("Concat", parts, op.name, axis=axis))


@rule("GatherV2")
def _gather(c, op):
    axis = int(c.static(op.inputs[2], "the axis"))
    _out(c, op, c.node("Gather", [c.name(op.inputs[0]), c.name(op.inputs[1])], op.name,
                       axis=axis))


@rule("Fill")
def _fill(c, op):
    dims = c.node("Cast", [c.name(op.inputs[0])], op.name, to=7)
    zero = c.node("ConstantOfShape", [dims], op.name)
    _out(c, op, c.node("Add", [c.node("Cast", [zero], op.name, to=_elem_type(op.outputs[0].dtype)),
                               c.name(op.inputs[1])], op.name))


@rule("Slice")
def _slice(c, op):
    begin = np.asarray(c.static(op.inputs[1], "the begin"), np.int64)
    size = np.asarray(c.static(op.inputs[2], "the size"), np.int64)
    end = np.where(size < 0, np.iinfo(np.int64).max, begin + size)
    _out(c, op, c.node("Slice", [c.name(op.inputs[0]), c.ints(begin, "starts"),
                                 c.ints(end, "ends")], op.name))


@rule("StridedSlice")
def _strided_slice(c, op):
    begin, end, strides = (np.asarray(c.static(t, "the slice bounds"), np.int64)
                           for t in op.inputs[1:])
    masks = {k: int(op.attrs.get(k, 0)) for k in ("begin_mask", "end_mask", "ellipsis_mask",
                                                  "new_axis_mask", "shrink_axis_mask")}
    if masks["ellipsis_mask"] or masks["new_axis_mask"]:
        raise ValueError(f"ONNX export supports StridedSlice without ellipsis or new axes; "
                         f"'{op.name}' uses them. Fix: index with explicit slices.")
    big = np.iinfo(np.int64).max
    starts, ends, shrink = [], [], []
    for i, (b, e, s) in enumerate(zip(begin, end, strides)):
        forward = s > 0
        starts.append((0 if forward else -1) if masks["begin_mask"] >> i & 1 else b)
        ends.append((big if forward else -big) if masks["end_mask"] >> i & 1 else e)
        if masks["shrink_axis_mask"] >> i & 1:
            ends[-1] = b + 1 if b != -1 else big
            shrink.append(i)
    out = c.node("Slice", [c.name(op.inputs[0]), c.ints(starts, "starts"), c.ints(ends, "ends"),
                           c.ints(list(range(len(starts))), "axes"), c.ints(strides, "steps")],
                 op.name)
    if shrink:
        out = c.node("Squeeze", [out, c.ints(shrink, "axes")], op.name)
    _out(c, op, out)


@rule("Tile")
def _tile(c, op):
    multiples = c.node("Cast", [c.name(op.inputs[1])], op.name, to=7)
    _out(c, op, c.node("Tile", [c.name(op.inputs[0]), multiples], op.name))


@rule("Pad", "PadV2")
def _pad(c, op):
    paddings = np.asarray(c.static(op.inputs[1], "the paddings"), np.int64)
    inputs = [c.name(op.inputs[0]), c.ints(np.concatenate([paddings[:, 0], paddings[:, 1]]),
                                           "pads")]
    if op.type == "PadV2":
        inputs.append(c.name(op.inputs[2]))
    _out(c, op, c.node("Pad", inputs, op.name))


@rule("Select", "SelectV2")
def _select(c, op):
    _out(c, op, c.node("Where", c.inputs(op), op.name))


@rule("OneHot")
def _one_hot(c, op):
    indices, depth, on, off = c.inputs(op)
    values = c.node("Concat", [c.node("Unsqueeze", [off, c.ints([0], "axes")], op.name),
                               c.node("Unsqueeze", [on, c.ints([0], "axes")], op.name)],
                    op.name, axis=0)
    indices = c.node("Cast", [indices], op.name, to=7)  # ONNX Runtime's kernel wants int64
    _out(c, op, c.node("OneHot", [indices, c.node("Cast", [depth], op.name, to=7), values],
                       op.name, axis=int(op.attrs.get("axis", -1))))


# -- convolution, pooling, normalisation (TF's NHWC around ONNX's NCHW) -------------------
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
    return c.static(t, "the kernel") if c._static(t) is not None else c.run_value(t)


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
    _out(c, op, _from_nchw(c, op, y))


@rule("LRN")
def _lrn(c, op):
    """TF divides by (bias + alpha * sum of squares); ONNX by (bias + alpha / size * sum)."""
    size = 2 * int(op.attrs.get("depth_radius", 5)) + 1
    y = c.node("LRN", [_to_nchw(c, op, c.name(op.inputs[0]))], op.name, size=size,
               alpha=float(op.attrs.get("alpha", 1.0)) * size,
               beta=float(op.attrs.get("beta", 0.5)), bias=float(op.attrs.get("bias", 1.0)))
    _out(c, op, _from_nchw(c, op, y))


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
    _out(c, op, _from_nchw(c, op, y))


@rule("MaxPool", "AvgPool")
def _pool(c, op):
    x = _to_nchw(c, op, c.name(op.inputs[0]))
    kind = "MaxPool" if op.type == "MaxPool" else "AveragePool"
    extra = {} if kind == "MaxPool" else {"count_include_pad": 0}  # TF averages real pixels
    y = c.node(kind, [x], op.name, kernel_shape=_spatial(op, "ksize"),
               strides=_spatial(op, "strides"), **_padding(op), **extra)
    _out(c, op, _from_nchw(c, op, y))


@rule("FusedBatchNorm", "FusedBatchNormV3")
def _fused_batch_norm(c, op):
    if op.attrs.get("is_training", True):
        raise ValueError(f"ONNX export of '{op.name}' needs inference mode: batch norm built "
                         "with training=True normalises by the batch. Fix: build the model "
                         "with training=False (or a False bool placeholder default).")
    x = _to_nchw(c, op, c.name(op.inputs[0]))
    y = c.node("BatchNormalization", [x] + [c.name(t) for t in op.inputs[1:5]], op.name,
               epsilon=float(op.attrs.get("epsilon", 1e-3)))
    _out(c, op, _from_nchw(c, op, y))


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
        _out(c, op, name, k)


@rule("SplitV")
def _split_v(c, op):
    axis = int(c.static(op.inputs[2], "the split axis"))
    sizes = [int(s) for s in c.static(op.inputs[1], "the split sizes")]
    for k, name in enumerate(_split_outputs(c, op, c.name(op.inputs[0]), axis, sizes)):
        _out(c, op, name, k)


@rule("Unpack")
def _unpack(c, op):
    axis, n = int(op.attrs["axis"]), int(op.attrs["num"])
    rank = op.inputs[0].shape.ndims
    axis = axis + rank if axis < 0 else axis
    for k, name in enumerate(_split_outputs(c, op, c.name(op.inputs[0]), axis, [1] * n)):
        _out(c, op, c.node("Squeeze", [name, c.ints([axis], "axes")], op.name), k)
