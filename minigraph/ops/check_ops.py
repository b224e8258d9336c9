"""Checks and printing: Assert, CheckNumerics, the `assert_*` composites, Print and tf.print.

Lives here: ops whose job is checking or reporting a value, not computing one. Ordering
(no_op, group, tuple) and conditionals live in control_flow_ops.py.
"""

from __future__ import annotations

import sys

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework.errors import InvalidArgumentError, describe_node
from ..framework.graph import get_default_graph, name_scope
from ..framework.tensor import Operation, Spec, Tensor
from ..framework.registry import OpDef, register_op
from .control_flow_ops import group, no_op
from . import array_ops, comparison_ops, constant_op, reduction_ops, shape_ops

# print_ shadows a builtin: minigraph/__init__.py exports it as tf.print.
__all__ = ["Print", "check_numerics",
           "add_check_numerics_ops", "verify_tensor_all_finite", "Assert", "assert_equal",
           "assert_less", "assert_less_equal", "assert_positive", "assert_non_negative",
           "assert_rank"]


# ---------------------------------------------------------------------------------------
# Printing and formatting of values in messages
# ---------------------------------------------------------------------------------------
def _scalar_text(x) -> str:
    if isinstance(x, bytes):
        return x.decode("utf-8", "replace")
    if isinstance(x, (bool, np.bool_)):
        return "1" if x else "0"
    if isinstance(x, (float, np.floating)):
        return np.format_float_positional(x, trim="-")
    return str(x)


def summarize_value(value, limit) -> str:
    """TF1's SummarizeValue: the first `limit` elements, rows of rank>1 values in brackets.

    The outermost brackets are left to the caller: Print and Assert wrap each item in "[...]"
    ([1 2 3] prints as "[1 2 3]"; a scalar 3 as "[3]"). `limit=None` means 3; -1 means all.
    """
    arr = np.asarray(value)
    limit = 3 if limit is None else (arr.size if limit < 0 else limit)
    if arr.ndim == 0:
        return _scalar_text(arr[()])
    flat = arr.reshape(-1)
    shown = min(limit, flat.size)
    if arr.ndim == 1:
        text = " ".join(_scalar_text(x) for x in flat[:shown])
    else:
        row = int(np.prod(arr.shape[1:]))  # rows of the first dimension, each in brackets
        pieces = []
        for start in range(0, shown, max(row, 1)):
            inner = arr.reshape(arr.shape[0], -1)[start // row][:shown - start]
            pieces.append("[" + " ".join(_scalar_text(x) for x in inner) + "]")
        text = "".join(pieces)
    return text + ("..." if flat.size > shown else "")


@register_op("Print")
class PrintOp(OpDef):
    """Identity of its first input that writes `message` and the data values to stderr."""

    inputs = ("input", "data")
    input_types = ("T",)
    uses_context = True
    stateful = True

    @staticmethod
    def infer(x, *data, message="", first_n=-1, summarize=3):
        return Spec(x.dtype, x.shape)

    @staticmethod
    def compute(ctx, op, x, *data, message="", first_n=-1, summarize=3):
        state = ctx.state(op)
        count = state.get("printed", 0)
        if first_n < 0 or count < first_n:
            state["printed"] = count + 1
            text = "".join(f"[{summarize_value(d, summarize)}]" for d in data)
            sys.stderr.write(f"{message}{text}\n")
        return x

    @staticmethod
    def gradient(op, grad):
        return [grad] + [None] * (len(op.inputs) - 1)


def Print(input_, data, message=None, first_n=None, summarize=None,  # noqa: N802 - TF name
          name=None) -> Tensor:
    """Return `input_`; when that value is computed, write `message` and `data` to stderr.

    Example: `y = tf.Print(y, [y], "y: ")` prints "y: [1 2 3]" each run that needs y.
    TF1 note: deprecated in TF in favour of tf.print, which returns an Operation.
    """
    return PrintOp.apply([input_] + list(data), name=name, message=message or "",
                         first_n=-1 if first_n is None else int(first_n),
                         summarize=3 if summarize is None else int(summarize))


_STREAMS = {"stderr": lambda: sys.stderr, "stdout": lambda: sys.stdout}


@register_op("PrintV2")
class PrintV2(OpDef):
    """Write its inputs, formatted numpy-like between literal text pieces, to a stream."""

    uses_context = True
    stateful = True

    @staticmethod
    def infer(*values, pieces, output_stream="stderr", summarize=3, end="\n"):
        return []

    @staticmethod
    def compute(ctx, op, *values, pieces, output_stream="stderr", summarize=3, end="\n"):
        parts = [pieces[0]]
        for value, piece in zip(values, pieces[1:], strict=True):
            parts.append(_numpy_like(np.asarray(value), summarize))
            parts.append(piece)
        text = "".join(parts) + end
        if output_stream.startswith("file://"):
            with open(output_stream[len("file://"):], "a") as f:
                f.write(text)
        else:
            _STREAMS[output_stream]().write(text)

    gradient = staticmethod(lambda op: [None] * len(op.inputs))

    @staticmethod
    def lower(op, exporter):
        # TF's form: StringFormat(values, template) feeding a PrintV2 of one string.
        attrs = op.attrs
        values = [exporter.input(i) for i in range(len(op.inputs))]
        text = exporter.emit("StringFormat", values, {
            "template": ("s", "{}".join(attrs["pieces"]).encode()),
            "placeholder": ("s", b"{}"), "summarize": ("i", attrs.get("summarize", 3))})
        exporter.emit("PrintV2", [(text, _dtypes.string)], {
            "output_stream": ("s", attrs.get("output_stream", "stderr").encode()),
            "end": ("s", attrs.get("end", "\n").encode())}, name=op.name, output_dtypes=[],
            control=[c.name for c in op.control_inputs])
        return []


def _numpy_like(arr, edge) -> str:
    """Format like numpy (`[4 5]`, nested rows on new lines), eliding the middle of any
    dimension longer than 2 * `edge` as `...` (`[0 1 ... 8 9]` for edge=2)."""
    if arr.ndim == 0:
        return _scalar_text(arr[()])

    def block(a, depth):
        n = a.shape[0]
        idx = list(range(n)) if edge < 0 or n <= 2 * edge else \
            list(range(edge)) + [None] + list(range(n - edge, n))
        if a.ndim == 1:
            return "[" + " ".join("..." if i is None else _scalar_text(a[i]) for i in idx) + "]"
        sep = "\n" * (a.ndim - 1) + " " * (depth + 1)
        return "[" + sep.join("..." if i is None else block(a[i], depth + 1) for i in idx) + "]"

    return block(arr, 0)


def print_(*inputs, **kwargs) -> Operation:
    """`tf.print`: an Operation that writes its inputs when run (or used as a control input).

    Tensors print numpy-like; Python strings, numbers, lists and dicts print as text with
    their tensors formatted in place.  Example: `tf.print("x:", x)` -> "x: [4 5]".
    """
    output_stream = kwargs.pop("output_stream", sys.stderr)
    summarize = kwargs.pop("summarize", 3)
    sep = kwargs.pop("sep", " ")
    end = kwargs.pop("end", "\n")
    name = kwargs.pop("name", None)
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments for tf.print: {sorted(kwargs)}. It "
                         "takes output_stream, summarize, sep, end and name.")
    stream = _stream_name(output_stream)
    tensors, pieces = [], [""]
    for i, item in enumerate(inputs):
        if i:
            pieces[-1] += sep
        _template(item, tensors, pieces, top=True)
    return PrintV2.apply(tensors, name=name, pieces=tuple(pieces), output_stream=stream,
                         summarize=-1 if summarize is None else int(summarize), end=end)


def _stream_name(stream) -> str:
    if stream is sys.stderr or stream == "stderr":
        return "stderr"
    if stream is sys.stdout or stream == "stdout":
        return "stdout"
    if isinstance(stream, str) and stream.startswith("file://"):
        return stream
    raise ValueError(f"Unsupported output stream {stream!r} for tf.print. Use sys.stderr, "
                     "sys.stdout or 'file://<path>'.")


def _template(item, tensors, pieces, top=False):
    """Append `item` to the (tensors, text pieces) template of a PrintV2 op."""
    if isinstance(item, Tensor) or hasattr(item, "_as_graph_element"):
        tensors.append(item)
        pieces.append("")
    elif isinstance(item, dict):
        pieces[-1] += "{"
        for k, (key, value) in enumerate(item.items()):
            pieces[-1] += (", " if k else "") + repr(key) + ": "
            _template(value, tensors, pieces)
        pieces[-1] += "}"
    elif isinstance(item, (list, tuple)):
        open_, close = ("[", "]") if isinstance(item, list) else ("(", ")")
        pieces[-1] += open_
        for k, value in enumerate(item):
            pieces[-1] += ", " if k else ""
            _template(value, tensors, pieces)
        pieces[-1] += close
    elif isinstance(item, str):
        pieces[-1] += item if top else repr(item)
    else:
        pieces[-1] += str(item)


# ---------------------------------------------------------------------------------------
# Numerics checks
# ---------------------------------------------------------------------------------------
@register_op("CheckNumerics")
class CheckNumerics(OpDef):
    """Identity that fails if the tensor holds NaN or Inf values."""

    inputs = ("tensor",)
    uses_context = True  # only for `op`: the message names the tensor that was checked

    @staticmethod
    def infer(x, *, message):
        if not x.dtype.is_floating:
            raise TypeError(f"Value passed to parameter 'tensor' of op 'CheckNumerics' has "
                            f"DataType {x.dtype.name} not in list of allowed values: float16, "
                            "float32, float64. Integer tensors cannot hold NaN or Inf: drop "
                            "the check, or tf.cast to a float type first.")
        return Spec(x.dtype, x.shape)

    @staticmethod
    def compute(ctx, op, x, *, message):
        has_nan, has_inf = bool(np.isnan(x).any()), bool(np.isinf(x).any())
        if has_nan or has_inf:
            what = "Inf and NaN" if has_nan and has_inf else ("NaN" if has_nan else "Inf")
            checked = op.inputs[0]
            raise InvalidArgumentError(
                None, None, f"{message} : Tensor had {what} values. The checked tensor "
                f"{checked.name} comes from {describe_node(checked.op)}. Fix: find the first "
                "op whose inputs are finite but output is not (tf.add_check_numerics_ops() "
                "names it), e.g. log of 0, division by 0, or a learning rate that is too high.")
        return x

    @staticmethod
    def gradient(op, grad):
        message = op.attrs["message"]
        return [check_numerics(grad, "Not a number (NaN) or infinity (Inf) values detected "
                                     f"in gradient. {message}")]


def check_numerics(tensor, message, name=None) -> Tensor:
    """Return `tensor`, failing the run with InvalidArgumentError if it has NaN or Inf.

    Example: `y = tf.check_numerics(tf.log(x), "log")` -> "log : Tensor had Inf values".
    """
    return CheckNumerics.apply([tensor], name=name, message=str(message))


def verify_tensor_all_finite(t, msg, name=None) -> Tensor:
    """Return `t` gated on a CheckNumerics of it (fails the run on NaN/Inf)."""
    with name_scope(name, "VerifyFinite", [t]):
        check = check_numerics(t, msg)
        with get_default_graph().control_dependencies([check]):
            return array_ops.identity(t)


def add_check_numerics_ops() -> Operation:
    """One op that checks every float tensor existing *now* for NaN/Inf (message "op:index").

    Fetch it together with the computation: `sess.run([loss, check])`.
    TF1 note: TF chains the checks with control dependencies; minigraph groups them.
    """
    graph = get_default_graph()
    if any(op.cond_context is not None for op in graph.get_operations()):
        raise ValueError("tf.add_check_numerics_ops() is not compatible with TensorFlow "
                         "control flow operations such as tf.cond: a check of a value from "
                         "the branch not taken would fail. Fix: wrap the values you want "
                         "checked in tf.check_numerics instead.")
    checks = []
    for op in graph.get_operations():
        for out in op.outputs:
            if out.dtype.is_floating and not out.dtype.is_ref_dtype:
                checks.append(check_numerics(out, f"{op.name}:{out.value_index}"))
    return group(*checks)


# ---------------------------------------------------------------------------------------
# Assertions
# ---------------------------------------------------------------------------------------
@register_op("Assert")
class AssertOp(OpDef):
    """Fails with "assertion failed: [data0] [data1] ..." when the condition is False."""

    inputs = ("condition", "data")
    input_types = ("bool",)
    stateful = True

    @staticmethod
    def infer(condition, *data, summarize=3):
        if not condition.dtype.is_bool:
            raise TypeError(f"The condition of tf.Assert must be a bool tensor, got "
                            f"{condition.dtype.name}. Fix: compare first, e.g. "
                            "tf.reduce_all(tf.equal(x, y)).")
        if condition.shape.ndims not in (None, 0):
            raise ValueError(f"The condition of tf.Assert must be a scalar, got shape "
                             f"{condition.shape}. Fix: reduce it with tf.reduce_all.")
        return []

    @staticmethod
    def compute(condition, *data, summarize=3):
        if not bool(condition):
            raise InvalidArgumentError(None, None, _assertion_text(data, summarize))

    gradient = staticmethod(lambda op: [None] * len(op.inputs))


def _assertion_text(data, limit) -> str:
    return "assertion failed: " + " ".join(f"[{summarize_value(d, limit)}]" for d in data)


def Assert(condition, data, summarize=None, name=None) -> Operation:  # noqa: N802 - TF name
    """An Operation that fails the run when the scalar bool `condition` is False.

    It must be run (or used as a control input) to have any effect.
    Example: `with tf.control_dependencies([tf.Assert(x > 0, [x])]): y = tf.identity(x)`.
    """
    return AssertOp.apply([condition] + list(data), name=name or "Assert",
                          summarize=3 if summarize is None else int(summarize))


def _binary_assert(symbol, compare, name, default_name, x, y, data, summarize, message):
    """assert_equal / assert_less / ...: element-wise check with broadcasting."""
    with name_scope(name, default_name, [x, y]):
        x = constant_op.convert_to_tensor(x, name="x")
        y = constant_op.convert_to_tensor(y, name="y", dtype=x.dtype.base_dtype)
        if data is None:
            data = [message] if message else []
            data = data + [f"Condition x {symbol} y did not hold element-wise:",
                           f"x ({x.name}) = ", x, f"y ({y.name}) = ", y]
        xs, ys = constant_op.get_static_value(x), constant_op.get_static_value(y)
        if xs is not None and ys is not None and not np.all(compare(xs, ys)):
            raise InvalidArgumentError(None, None, _static_failure(data, summarize))
        condition = reduction_ops.reduce_all(getattr(comparison_ops, _COMPARE[symbol])(x, y))
        return Assert(condition, data, summarize=summarize)


_COMPARE = {"==": "equal", "<": "less", "<=": "less_equal"}


def _static_failure(data, limit) -> str:
    """The message of an assertion that fails while building (all values are constants)."""
    items = [d if isinstance(d, str) else summarize_value(constant_op.get_static_value(d), limit)
             for d in data]
    return ("\n".join(items) + "\nBoth values are known while building the graph, so the "
            "assertion fails here. Fix: correct the values, or drop the assertion.")


def assert_equal(x, y, data=None, summarize=None, message=None, name=None) -> Operation:
    """Assert x == y element-wise (with broadcasting).  Raises at build time when both
    values are constants and differ.  Example: `tf.assert_equal(tf.shape(a)[0], 2)`."""
    return _binary_assert("==", np.equal, name, "assert_equal", x, y, data, summarize, message)


def assert_less(x, y, data=None, summarize=None, message=None, name=None) -> Operation:
    """Assert x < y element-wise (with broadcasting)."""
    return _binary_assert("<", np.less, name, "assert_less", x, y, data, summarize, message)


def assert_less_equal(x, y, data=None, summarize=None, message=None, name=None) -> Operation:
    """Assert x <= y element-wise (with broadcasting)."""
    return _binary_assert("<=", np.less_equal, name, "assert_less_equal", x, y, data,
                          summarize, message)


def _sign_assert(x, strict, data, summarize, message, name, default_name):
    symbol = ">" if strict else ">="
    with name_scope(name, default_name, [x]):
        x = constant_op.convert_to_tensor(x, name="x")
        if data is None:
            data = ([message] if message else []) + [
                f"Condition x {symbol} 0 did not hold element-wise:", f"x ({x.name}) = ", x]
        zero = array_ops.zeros([], dtype=x.dtype.base_dtype)
        fn = assert_less if strict else assert_less_equal
        return fn(zero, x, data=data, summarize=summarize)


def assert_positive(x, data=None, summarize=None, message=None, name=None) -> Operation:
    """Assert x > 0 element-wise."""
    return _sign_assert(x, True, data, summarize, message, name, "assert_positive")


def assert_non_negative(x, data=None, summarize=None, message=None, name=None) -> Operation:
    """Assert x >= 0 element-wise."""
    return _sign_assert(x, False, data, summarize, message, name, "assert_non_negative")


def assert_rank(x, rank, message=None, name=None) -> Operation:
    """Assert that `x` has rank `rank`: a ValueError at build time when the static rank is
    known, else an Assert checked at run time.  Example: `tf.assert_rank(images, 4)`."""
    with name_scope(name, "assert_rank", [x]):
        x = constant_op.convert_to_tensor(x, name="x")
        known = x.shape.ndims
        if known is not None:
            if known != int(rank):
                prefix = f"{message}. " if message else ""
                raise ValueError(f"{prefix}Tensor {x.name} must have rank {int(rank)}. Received "
                                 f"rank {known}, shape {x.shape}. Fix: reshape the tensor or "
                                 "pass a value of the expected rank.")
            return no_op()
        data = ([message] if message else []) + [
            f"Tensor {x.name} must have rank", int(rank), "Received shape: ",
            shape_ops.shape(x)]
        condition = comparison_ops.equal(shape_ops.rank(x), int(rank))
        return Assert(condition, data)
