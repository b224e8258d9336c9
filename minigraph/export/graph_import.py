"""tf.import_graph_def: read a GraphDef (TensorFlow's or minigraph's) into the current graph.

Lives here: `import_graph_def`, the AttrValue/TensorProto decoders it needs, and the few
node types whose TF form differs from minigraph's: TF1 conditionals (`Switch`/`Merge`, with
pivots), which become tf.cond branches again, and `StringFormat` + `PrintV2`, which become one
print op. Every other node becomes the minigraph op of the same type, with the attrs its
`infer` declares (TF's derived dtype/count attrs are recomputed, not read). Nodes of a type
minigraph does not implement are all named in one error before anything is added.
Not here: GraphDef export (graph_def.py, lowering.py); MetaGraph files (meta_graph.py).
"""

from __future__ import annotations

import inspect

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework.graph import get_default_graph
from ..framework.tensor import CondBranch
from ..framework.registry import OP_TABLE
from ..framework.shapes import TensorShape
from .lowering import RENAMED_ATTRS

__all__ = ["import_graph_def", "attr_value", "tensor_value"]

_INTERNAL_NAMES = {tf_name: name for name, tf_name in RENAMED_ATTRS.items()}
# Node types handled by this module itself rather than by an op of the same type.
_CONTROL = {"Switch", "RefSwitch", "Merge", "StringFormat"}
# Older TF op types that compute exactly what a minigraph op of another type does.
_ALIASES = {"Add": "AddV2"}


def import_graph_def(graph_def, input_map=None, return_elements=None, name=None,
                     op_dict=None, producer_op_list=None):
    """Add the nodes of `graph_def` to the default graph; return the requested elements.

    Args:
      graph_def: a GraphDef proto (parsed from a `.pb` with `ParseFromString`, or from a
        `.pbtxt` with protobuf's text_format).
      input_map: {"name:0": Tensor} replacing graph_def tensors by existing ones.
      return_elements: names of ops ("name") or tensors ("name:0") to return, in order.
      name: prefix of the imported names (default "import"; "" keeps the names as they are).
    Raises:
      ValueError: naming every node whose op type minigraph does not implement, or a name
        in `input_map` / `return_elements` that the graph_def does not have.

    Example: `logits, = tf.import_graph_def(gd, {"x:0": images}, ["logits:0"], name="")`.
    """
    graph = get_default_graph()
    nodes = _topological(list(graph_def.node))
    _check_supported(nodes)
    prefix = graph.unique_name("import" if name is None else name) if name != "" else ""
    importer = _Importer(graph, prefix, dict(input_map or {}))
    with graph.as_default(), graph.control_dependencies(None):
        for node in nodes:
            importer.add(node)
    importer.check_input_map_used()
    if return_elements is None:
        return None
    return [importer.element(e) for e in return_elements]


def _topological(nodes: list) -> list:
    """Nodes ordered so that every input comes first (GraphDefs need not be ordered)."""
    by_name = {n.name: n for n in nodes}
    done, order = set(), []
    for root in nodes:
        stack = [(root, False)]
        while stack:
            node, expanded = stack.pop()
            if node.name in done:
                continue
            if expanded:
                done.add(node.name)
                order.append(node)
                continue
            stack.append((node, True))
            for inp in node.input:
                producer = by_name.get(inp.lstrip("^").split(":")[0])
                if producer is not None and producer.name not in done:
                    stack.append((producer, False))
    return order


def _op_type(node) -> str:
    return _ALIASES.get(node.op, node.op)


def _check_supported(nodes: list) -> None:
    missing = sorted({n.op for n in nodes if _op_type(n) not in OP_TABLE
                      and n.op not in _CONTROL})
    if missing:
        where = {op: [n.name for n in nodes if n.op == op][:3] for op in missing}
        detail = "; ".join(f"{op} (e.g. node '{names[0]}')" for op, names in where.items())
        raise ValueError(f"import_graph_def: minigraph does not implement {len(missing)} op "
                         f"type(s) of this GraphDef: {detail}. Nothing was imported. See "
                         "docs/tf1_compat.md for the ops minigraph has.")


class _Importer:
    """State of one import: the tensor each GraphDef name maps to, and cond branches."""

    def __init__(self, graph, prefix: str, input_map: dict):
        self.graph, self.prefix, self.input_map = graph, prefix, input_map
        self.used_inputs: set = set()
        self.tensors: dict = {}      # "node:k" -> Tensor
        self.ops: dict = {}          # node name -> Operation (or None for folded nodes)
        self.branch: dict = {}       # "node:k" -> CondBranch its value is live in (or None)
        self.branches: dict = {}     # (pred tensor, bool, outer) -> CondBranch
        self.formats: dict = {}      # StringFormat node name -> (input names, template)

    # -- names ---------------------------------------------------------------------------
    def name_of(self, node_name: str) -> str:
        return f"{self.prefix}/{node_name}" if self.prefix else node_name

    @staticmethod
    def key(input_name: str) -> str:
        node, _, index = input_name.partition(":")
        return f"{node}:{index or 0}"

    def tensor(self, input_name: str):
        key = self.key(input_name)
        if key in self.input_map:
            self.used_inputs.add(key)
            return _as_tensor(self.input_map[key])
        return self.tensors[key]

    def element(self, name: str):
        if ":" in name:
            return self.tensor(name)
        if name not in self.ops or self.ops[name] is None:
            raise ValueError(f"import_graph_def: return_elements names '{name}', which is not "
                             "an op of the graph_def.")
        return self.ops[name]

    def check_input_map_used(self) -> None:
        unused = sorted(set(self.key(k) for k in self.input_map) - self.used_inputs)
        if unused:
            raise ValueError(f"import_graph_def: input_map names {unused}, which the graph_def "
                             "does not have (or no node reads).")

    # -- nodes ---------------------------------------------------------------------------
    def add(self, node) -> None:
        data = [i for i in node.input if not i.startswith("^")]
        controls = [i[1:] for i in node.input if i.startswith("^")]
        context = self.context_of(data, controls)
        if node.op in ("Switch", "RefSwitch"):
            return self.add_switch(node, data)
        if node.op == "Merge":
            return self.add_merge(node, data, controls)
        if node.op == "StringFormat":
            self.formats[node.name] = (data, attr_value(node.attr["template"]))
            self.ops[node.name] = None
            return None
        inputs = [self.tensor(i) for i in data]
        attrs = self.attrs_for(node)
        if node.op == "PrintV2" and data and self.key(data[0]).split(":")[0] in self.formats:
            fmt_inputs, template = self.formats[self.key(data[0]).split(":")[0]]
            inputs = [self.tensor(i) for i in fmt_inputs]
            attrs["pieces"] = tuple(template.split("{}"))
            attrs.setdefault("summarize", 3)
        op = self.create(node, inputs, attrs, context)
        op._add_control_inputs([self.ops[c] for c in controls
                                if self.ops.get(c) is not None and not self.is_pivot(c)])
        self.record(node.name, op.outputs, context)
        return None

    def create(self, node, inputs, attrs, context):
        op_def = OP_TABLE[_op_type(node)]
        full = self.name_of(node.name)
        self.graph.unique_name(full)
        with self.graph.cond_branch(context):
            op = self.graph.create_op(op_def, inputs, attrs, full + "/")
        self.ops[node.name] = op
        return op

    def record(self, node_name: str, outputs, context) -> None:
        for k, t in enumerate(outputs):
            self.tensors[f"{node_name}:{k}"] = t
            self.branch[f"{node_name}:{k}"] = context

    def attrs_for(self, node) -> dict:
        """The node's attrs that the minigraph op's `infer` takes, as Python values."""
        params = inspect.signature(OP_TABLE[_op_type(node)].infer).parameters.values()
        takes_all = any(p.kind is p.VAR_KEYWORD for p in params)
        wanted = {p.name for p in params if p.kind is p.KEYWORD_ONLY}
        attrs = {}
        for key, value in node.attr.items():
            name = _INTERNAL_NAMES.get(key, key)
            if name in wanted or (takes_all and not key[:1].isupper() and
                                  not key.startswith("_")):
                attrs[name] = attr_value(value)
        return attrs

    # -- conditionals --------------------------------------------------------------------
    def context_of(self, data: list, controls: list):
        """The innermost cond branch any input (or pivot control input) is live in."""
        contexts = [self.branch.get(self.key(i)) for i in data
                    if self.key(i) not in self.input_map]
        contexts += [self.branch.get(f"{c}:0") for c in controls if self.is_pivot(c)]
        deepest = None
        for c in contexts:
            if c is not None and (deepest is None or c.within(deepest)):
                deepest = c
        return deepest

    def is_pivot(self, node_name: str) -> bool:
        op = self.ops.get(node_name)
        return op is not None and self.branch.get(f"{node_name}:0") is not None and \
            op.type == "Identity" and op.outputs[0].dtype == _dtypes.bool

    def add_switch(self, node, data) -> None:
        """Switch(x, pred): output k is x itself, live only in the branch pred == bool(k)."""
        value, pred = self.tensor(data[0]), self.tensor(data[1])
        outer = self.branch.get(self.key(data[0]))
        for k in (0, 1):
            key = (pred, bool(k), outer)
            if key not in self.branches:
                self.branches[key] = CondBranch(pred, bool(k), outer)
            self.tensors[f"{node.name}:{k}"] = value
            self.branch[f"{node.name}:{k}"] = self.branches[key]
        self.ops[node.name] = None

    def add_merge(self, node, data, controls) -> None:
        """Merge of the two branches of one Switch predicate -> minigraph's Merge(t, f, pred)."""
        live = {}
        for name in data:
            branch = self.branch.get(self.key(name))
            if branch is None:
                raise ValueError(f"import_graph_def: Merge node '{node.name}' has an input "
                                 f"('{name}') that no Switch guards; minigraph imports TF1 "
                                 "conditionals built by tf.cond only.")
            live[branch.branch] = (self.tensor(name), branch)
        if set(live) != {True, False} or live[True][1].pred is not live[False][1].pred:
            raise ValueError(f"import_graph_def: Merge node '{node.name}' does not join the two "
                             "branches of one predicate; only tf.cond-shaped Merges import.")
        outer = live[True][1].outer
        op = self.create(node, [live[True][0], live[False][0], live[True][1].pred], {}, outer)
        self.record(node.name, op.outputs, outer)


def _as_tensor(value):
    return value._as_graph_element() if hasattr(value, "_as_graph_element") else value


# ---------------------------------------------------------------------------------------
# AttrValue and TensorProto decoding
# ---------------------------------------------------------------------------------------
def attr_value(value):
    """A Python value for an AttrValue proto (DType, TensorShape, ndarray, str, ...)."""
    kind = value.WhichOneof("value")
    if kind == "list":
        return _list_value(value.list)
    if kind == "type":
        return _dtype(value.type)
    if kind == "shape":
        return _shape(value.shape)
    if kind == "tensor":
        return tensor_value(value.tensor)
    if kind == "s":
        return _text(value.s)
    if kind in ("i", "f", "b"):
        return getattr(value, kind)
    if kind == "func":
        return value.func.name
    return None


def _list_value(lst):
    for field in ("s", "i", "f", "b", "type", "shape", "tensor"):
        items = list(getattr(lst, field))
        if items:
            if field == "type":
                return [_dtype(t) for t in items]
            if field == "shape":
                return [_shape(s) for s in items]
            if field == "tensor":
                return [tensor_value(t) for t in items]
            if field == "s":
                return [_text(s) for s in items]
            return items
    return []


def _text(data: bytes):
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data


_BY_ENUM = {d.enum: d for d in (getattr(_dtypes, n) for n in _dtypes.__all__)
            if isinstance(d, _dtypes.DType)}


def _dtype(enum: int):
    base = _BY_ENUM[enum % 100]
    return base.as_ref() if enum > 100 else base


def _shape(proto) -> TensorShape:
    if proto.unknown_rank:
        return TensorShape(None)
    return TensorShape([None if d.size == -1 else d.size for d in proto.dim])


def tensor_value(proto) -> np.ndarray:
    """The numpy array a TensorProto holds (packed content or typed value fields)."""
    dtype = _dtype(proto.dtype)
    shape = [d.size for d in proto.tensor_shape.dim]
    count = int(np.prod(shape)) if shape else 1
    if dtype == _dtypes.string:
        values = list(proto.string_val)
        array = np.array(values or [b""], dtype=object)
    elif proto.tensor_content:
        numpy_dtype = np.dtype(dtype.as_numpy_dtype).newbyteorder("<")
        return np.frombuffer(proto.tensor_content, numpy_dtype).astype(
            dtype.as_numpy_dtype).reshape(shape)
    else:
        array = _typed_values(proto, dtype)
    if array.size == count:
        return array.reshape(shape)
    if array.size == 0:
        return np.zeros(shape, dtype=array.dtype)
    return np.concatenate([array, np.repeat(array[-1:], count - array.size)]).reshape(shape)


def _typed_values(proto, dtype) -> np.ndarray:
    numpy_dtype = np.dtype(dtype.as_numpy_dtype)
    if numpy_dtype == np.float16:
        return np.array(list(proto.half_val), np.uint16).view(np.float16)
    if numpy_dtype.kind == "c":
        field = proto.scomplex_val if numpy_dtype == np.complex64 else proto.dcomplex_val
        pairs = np.array(list(field), dtype=numpy_dtype.type(0).real.dtype).reshape(-1, 2)
        return (pairs[:, 0] + 1j * pairs[:, 1]).astype(numpy_dtype)
    field = {np.dtype(np.float32): "float_val", np.dtype(np.float64): "double_val",
             np.dtype(np.int64): "int64_val", np.dtype(np.bool_): "bool_val",
             np.dtype(np.uint32): "uint32_val", np.dtype(np.uint64): "uint64_val"}.get(
                 numpy_dtype, "int_val")
    return np.array(list(getattr(proto, field)), dtype=numpy_dtype)
