"""ONNX export: the forward graph of a model with its current weights, for ONNX Runtime.

Lives here: `export(sess, inputs, outputs, path)`, which walks the ops that `outputs` need
(stopping at `inputs`), turns variables into initializers holding their values in `sess`,
and converts each op with one small rule from `RULES` (op type -> function). Images stay
NHWC at the model's edges as in TF; convolutions and pooling transpose to ONNX's NCHW and
back around each op. A While op (tf.while_loop, scan, map_fn, dynamic_rnn) becomes ONNX's
`Loop`, its frame the Loop's body graph. An op without a rule is named in one clear
error. Needs the `[onnx]` extra (onnx; onnxruntime to run the result).
"""

from __future__ import annotations

from . import basic_rules, loop_rules, nn_rules  # noqa: F401  (importing registers the rules)
from .converter import RULES, Converter, check_convertible, value_info

__all__ = ["export", "RULES", "OPSET"]

OPSET = 17


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
    check_convertible(ops)
    converter = Converter(sess, helper, numpy_helper, inputs)
    for op in ops:
        converter.convert(op)
    model_graph = helper.make_graph(
        converter.nodes, model_name,
        [value_info(helper, t) for t in inputs],
        [value_info(helper, t, converter.name(t)) for t in outputs],
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
