"""GraphDef export: the protobuf that TensorBoard, Netron and TensorFlow itself read.

Lives here: `graph_def` (a Graph as a `GraphDef` built with the protos that ship with the
`tensorboard` extra), `node_def_text` (one node as protobuf text, hand-formatted when the extra
is missing) and `write_graph` (`tf.io.write_graph`). Attribute conversion happens once, into
small neutral descriptions that both the proto builder and the text fallback consume.
Not here: networkx and Graphviz export (drawing.py), event files (event_writer.py).
"""

from __future__ import annotations

import os
import types

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework.shapes import TensorShape
from ..framework.tensor import EXPORTERS
from .lowering import node_specs, single_node_spec

__all__ = ["GraphDef", "graph_def", "node_def_text", "write_graph", "import_protos", "tensor_proto",
           "node_def_proto"]

# TF's DataType enum names (types.proto); a reference dtype is the base enum + 100.
_DT_NAMES = {
    1: "DT_FLOAT", 2: "DT_DOUBLE", 3: "DT_INT32", 4: "DT_UINT8", 5: "DT_INT16", 6: "DT_INT8",
    7: "DT_STRING", 8: "DT_COMPLEX64", 9: "DT_INT64", 10: "DT_BOOL", 14: "DT_BFLOAT16",
    17: "DT_UINT16", 18: "DT_COMPLEX128", 19: "DT_HALF", 20: "DT_RESOURCE", 21: "DT_VARIANT",
    22: "DT_UINT32", 23: "DT_UINT64",
}

class GraphDef:
    """`tf.GraphDef`: makes a GraphDef proto (the protos of the `tensorboard` extra).

    Example: `gd = tf.GraphDef(); gd.ParseFromString(data)` or `tf.GraphDef.FromString(data)`.
    """

    def __new__(cls, *args, **kwargs):
        return import_protos().graph_pb2.GraphDef(*args, **kwargs)

    @staticmethod
    def FromString(data: bytes):  # noqa: N802 - protobuf's name
        return import_protos().graph_pb2.GraphDef.FromString(data)


def import_protos():
    """Return tensorboard's proto modules as a namespace; explain the extra if it is missing."""
    try:  # the `tensorboard` extra is optional: import it only when a GraphDef is wanted
        from google.protobuf import text_format  # optional extra (tensorboard)
        from tensorboard.compat.proto import (  # optional extra (tensorboard)
            attr_value_pb2, graph_pb2, meta_graph_pb2, node_def_pb2, saver_pb2, tensor_pb2,
            tensor_shape_pb2, variable_pb2, versions_pb2)
    except ImportError as e:
        raise ImportError("GraphDef export needs the protobuf classes that ship with "
                          "TensorBoard. Install the extra: pip install 'minigraph[tensorboard]' "
                          f"(or pip install tensorboard). ({e})") from e
    return types.SimpleNamespace(text_format=text_format, attr_value_pb2=attr_value_pb2,
                                 graph_pb2=graph_pb2, node_def_pb2=node_def_pb2,
                                 meta_graph_pb2=meta_graph_pb2, saver_pb2=saver_pb2,
                                 variable_pb2=variable_pb2,
                                 tensor_pb2=tensor_pb2, tensor_shape_pb2=tensor_shape_pb2,
                                 versions_pb2=versions_pb2)


# ---------------------------------------------------------------------------------------
# Neutral descriptions: (kind, payload) pairs, kind being an AttrValue field name
# ---------------------------------------------------------------------------------------
def describe_value(value):
    """Describe one Python attribute value as (kind, payload), or None when it has no mapping."""
    if isinstance(value, _dtypes.DType):
        return ("type", value)
    if isinstance(value, TensorShape):
        return ("shape", value)
    if isinstance(value, (bool, np.bool_)):
        return ("b", bool(value))
    if isinstance(value, (int, np.integer)):
        return ("i", int(value))
    if isinstance(value, (float, np.floating)):
        return ("f", float(value))
    if isinstance(value, (str, bytes)):
        return ("s", value.encode() if isinstance(value, str) else value)
    if isinstance(value, np.ndarray):
        return ("tensor", value)
    if isinstance(value, (list, tuple)):
        items = [describe_value(v) for v in value]
        kinds = {k for k, _ in filter(None, items)}
        if None in items or len(kinds) > 1 or kinds & {"list", "tensor"}:
            return ("tensor", np.asarray(value)) if _numeric(value) else None
        return ("list", (kinds.pop() if kinds else "i", [p for _, p in items]))
    return None


def _numeric(value) -> bool:
    try:
        return np.asarray(value).dtype.kind in "biufc"
    except (ValueError, TypeError):
        return False


def _tensor_fields(array: np.ndarray):
    """Return (dtype, shape, field name, values) of a TensorProto for `array`.

    Like TF, a single value goes in the typed field (`float_val: 1.0`) and a larger numeric
    array in the packed little-endian `tensor_content`.
    """
    arr = np.asarray(array)
    dtype = _dtypes.string if arr.dtype == object else _dtypes.as_dtype(arr.dtype)
    shape = TensorShape(list(arr.shape))
    if dtype == _dtypes.string:
        values = [v if isinstance(v, bytes) else str(v).encode() for v in arr.reshape(-1)]
        return dtype, shape, "string_val", values
    if arr.size > 1:
        return dtype, shape, "tensor_content", arr.astype(arr.dtype.newbyteorder("<")).tobytes()
    flat = arr.reshape(-1)
    kind = arr.dtype
    if kind == np.float16:
        return dtype, shape, "half_val", [int(v) for v in flat.view(np.uint16)]
    if kind.kind == "c":
        field = "scomplex_val" if kind == np.complex64 else "dcomplex_val"
        return dtype, shape, field, [float(x) for v in flat for x in (v.real, v.imag)]
    field = {np.dtype(np.float32): "float_val", np.dtype(np.float64): "double_val",
             np.dtype(np.int64): "int64_val", np.dtype(np.bool_): "bool_val",
             np.dtype(np.uint32): "uint32_val", np.dtype(np.uint64): "uint64_val"}.get(
                 kind, "int_val")
    return dtype, shape, field, [v.item() for v in flat]


# ---------------------------------------------------------------------------------------
# Back end 1: tensorboard's protos
# ---------------------------------------------------------------------------------------
def graph_def(graph, add_shapes: bool = False):
    """Return `graph` as a `GraphDef` proto (nodes in creation order).

    Args:
      graph: a minigraph Graph.
      add_shapes: also record each node's output shapes in `_output_shapes` (what
        FileWriter does, so TensorBoard can label edges).
    Raises:
      ImportError: naming the `[tensorboard]` extra when it is not installed.

    Example: `tf.get_default_graph().as_graph_def().node[0].op` -> "Placeholder".
    TF1 note: `versions.producer` is minigraph's own number (27), not TF's.
    """
    pb = import_protos()
    result = pb.graph_pb2.GraphDef()
    for spec in node_specs(graph, describe_value, add_shapes):
        result.node.append(node_def_proto(pb, spec))
    result.versions.CopyFrom(pb.versions_pb2.VersionDef(
        producer=graph.graph_def_versions["producer"]))
    return result


def node_def_proto(pb, spec):
    """A NodeDef (of the protos `pb`) for one exported NodeSpec."""
    node = pb.node_def_pb2.NodeDef(name=spec.name, op=spec.op, input=spec.inputs,
                                   device=spec.device)
    for name, (kind, payload) in spec.attrs.items():
        _fill_attr(pb, node.attr[name], kind, payload)
    return node


def _fill_attr(pb, attr, kind, payload):
    if kind == "type":
        attr.type = payload.enum
    elif kind == "shape":
        attr.shape.CopyFrom(_shape_proto(pb, payload))
    elif kind == "tensor":
        attr.tensor.CopyFrom(tensor_proto(pb, payload))
    elif kind == "list":
        item_kind, items = payload
        attr.list.SetInParent()
        field = getattr(attr.list, item_kind)
        for item in items:
            if item_kind == "type":
                field.append(item.enum)
            elif item_kind == "shape":
                field.add().CopyFrom(_shape_proto(pb, item))
            else:
                field.append(item)
    else:
        setattr(attr, kind, payload)


def _shape_proto(pb, shape: TensorShape):
    proto = pb.tensor_shape_pb2.TensorShapeProto()
    if shape.dims is None:
        proto.unknown_rank = True
    else:
        for d in shape.as_list():
            proto.dim.add(size=-1 if d is None else d)
    return proto


def tensor_proto(pb, array):
    dtype, shape, field, values = _tensor_fields(array)
    proto = pb.tensor_pb2.TensorProto(dtype=dtype.enum)
    proto.tensor_shape.CopyFrom(_shape_proto(pb, shape))
    if field == "tensor_content":
        proto.tensor_content = values
    else:
        getattr(proto, field).extend(values)
    return proto


# ---------------------------------------------------------------------------------------
# Back end 2: protobuf text, by hand (printing an op must not need the extra)
# ---------------------------------------------------------------------------------------
def node_def_text(op) -> str:
    """Return one node as protobuf text (`str(op)`), without needing tensorboard.

    Example: `print(c.op)` shows `name: "add"`, `op: "AddV2"`, its inputs and `T`.
    """
    spec = single_node_spec(op, describe_value)
    try:
        pb = import_protos()
    except ImportError:
        return _node_text(spec)
    return pb.text_format.MessageToString(node_def_proto(pb, spec))


def _node_text(spec) -> str:
    lines = [f"name: {_quote(spec.name)}", f"op: {_quote(spec.op)}"]
    lines += [f"input: {_quote(name)}" for name in spec.inputs]
    if spec.device:
        lines.append(f"device: {_quote(spec.device)}")
    for name, (kind, payload) in sorted(spec.attrs.items()):
        lines += ["attr {", f"  key: {_quote(name)}", "  value {"]
        lines += ["    " + line for line in _value_lines(kind, payload)]
        lines += ["  }", "}"]
    return "\n".join(lines) + "\n"


def _value_lines(kind, payload) -> list:
    if kind == "type":
        return [f"type: {_type_name(payload)}"]
    if kind == "shape":
        return ["shape {"] + _indent(_shape_lines(payload)) + ["}"]
    if kind == "tensor":
        return ["tensor {"] + _indent(_tensor_lines(payload)) + ["}"]
    if kind == "list":
        item_kind, items = payload
        body = []
        for item in items:
            body += _value_lines(item_kind, item)
        return ["list {"] + _indent(body) + ["}"]
    return [f"{kind}: {_scalar_text(kind, payload)}"]


def _shape_lines(shape: TensorShape) -> list:
    if shape.dims is None:
        return ["unknown_rank: true"]
    lines = []
    for d in shape.as_list():
        lines += ["dim {", f"  size: {-1 if d is None else d}", "}"]
    return lines


def _tensor_lines(array) -> list:
    dtype, shape, field, values = _tensor_fields(array)
    lines = [f"dtype: {_type_name(dtype)}", "tensor_shape {"] + _indent(_shape_lines(shape))
    lines.append("}")
    if field == "tensor_content":
        return lines + [f"tensor_content: {_quote(values)}"]
    kind = {"float_val": "f", "double_val": "d", "string_val": "s", "bool_val": "b",
            "scomplex_val": "f", "dcomplex_val": "d"}.get(field, "i")
    return lines + [f"{field}: {_scalar_text(kind, v)}" for v in values]


def _scalar_text(kind, value) -> str:
    if kind == "b":
        return "true" if value else "false"
    if kind == "f":
        return str(np.float32(value))  # shortest text that reads back as the same float32
    if kind == "d":
        return repr(float(value))
    if kind == "s":
        return _quote(value)
    return str(value)


def _type_name(dtype) -> str:
    enum = dtype.enum
    base = _DT_NAMES.get(enum % 100, f"DT_{dtype.base_dtype.name.upper()}")
    return base + "_REF" if enum > 100 else base


def _indent(lines) -> list:
    return ["  " + line for line in lines]


def _quote(text) -> str:
    """Quote like protobuf text format: printable ASCII as is, other bytes as octal escapes."""
    data = text.encode() if isinstance(text, str) else bytes(text)
    out = []
    for byte in data:
        char = chr(byte)
        if char in "\"'\\":
            out.append("\\" + char)
        elif char in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[char])
        elif 32 <= byte < 127:
            out.append(char)
        else:
            out.append(f"\\{byte:03o}")
    return '"' + "".join(out) + '"'


# ---------------------------------------------------------------------------------------
# tf.io.write_graph
# ---------------------------------------------------------------------------------------
def write_graph(graph_or_graph_def, logdir: str, name: str, as_text: bool = True) -> str:
    """Write a Graph (or a GraphDef proto) to `logdir/name`; return the path written.

    `as_text=True` writes protobuf text (`.pbtxt`: TensorBoard's "Upload" button and Netron
    read it); `as_text=False` the binary serialisation (`.pb`). `logdir` is created if missing.

    Example: `tf.io.write_graph(tf.get_default_graph(), "logs", "graph.pbtxt")`.
    """
    if hasattr(graph_or_graph_def, "as_graph_def"):
        proto = graph_or_graph_def.as_graph_def()
    else:
        proto = graph_or_graph_def
    os.makedirs(logdir, exist_ok=True)
    path = os.path.join(logdir, name)
    if as_text:
        text = import_protos().text_format.MessageToString(proto)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        with open(path, "wb") as f:
            f.write(proto.SerializeToString())
    return path


# Graph.as_graph_def and Operation.node_def (framework/) reach these through the table.
EXPORTERS.update({"graph_def": graph_def, "node_def_text": node_def_text})
