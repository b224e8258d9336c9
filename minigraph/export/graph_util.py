"""tf.graph_util: GraphDef surgery for deployment — freezing, sub-graphs, inference graphs.

Lives here: `extract_sub_graph` (the nodes that given outputs need), `convert_variables_to_
constants` (freezing: each variable read becomes a Const holding its current value, so the
GraphDef runs without a checkpoint) and `remove_training_nodes` (drop Identity/CheckNumerics
pass-throughs that inference does not need). All three take and return GraphDef protos, as
TF's do, so their output feeds tf.import_graph_def, TensorFlow itself or ONNX converters.
"""

from __future__ import annotations

import copy

import numpy as np

from .graph_def import import_protos, tensor_proto

__all__ = ["extract_sub_graph", "convert_variables_to_constants", "remove_training_nodes",
           "must_run_on_cpu", "tensor_shape_from_node_def_name"]

_VARIABLE_OPS = {"VariableV2", "Variable", "VarHandleOp"}


def _node_name(name: str) -> str:
    return name.lstrip("^").split(":")[0]


def extract_sub_graph(graph_def, dest_nodes):
    """A GraphDef with only the nodes `dest_nodes` (names) need, in their original order.

    Example: `frozen = tf.graph_util.extract_sub_graph(gd, ["logits"])`.
    """
    if isinstance(dest_nodes, str):
        raise TypeError("dest_nodes must be a list of node names, not a string. Fix: "
                        f"extract_sub_graph(graph_def, [{dest_nodes!r}]).")
    by_name = {n.name: n for n in graph_def.node}
    for name in dest_nodes:
        if name not in by_name:
            raise ValueError(f"extract_sub_graph: '{name}' is not a node of the graph_def. "
                             "Fix: pass node names (no ':0').")
    keep, stack = set(), list(dest_nodes)
    while stack:
        name = stack.pop()
        if name in keep:
            continue
        keep.add(name)
        stack.extend(_node_name(i) for i in by_name[name].input)
    out = copy.deepcopy(graph_def)
    del out.node[:]
    out.node.extend(copy.deepcopy(n) for n in graph_def.node if n.name in keep)
    return out


def convert_variables_to_constants(sess, input_graph_def, output_node_names,
                                   variable_names_whitelist=None,
                                   variable_names_blacklist=None):
    """Freeze: a GraphDef of what `output_node_names` need, with variables as constants.

    Each variable node becomes a Const holding its value in `sess`; reads of it (Identity)
    stay. Only variables the outputs reach are read, so a frozen inference graph carries
    no optimizer slots.

    Example: `frozen = tf.graph_util.convert_variables_to_constants(sess, gd, ["logits"])`.
    """
    pb = import_protos()
    sub = extract_sub_graph(input_graph_def, output_node_names)
    names = [n.name for n in sub.node if n.op in _VARIABLE_OPS
             and (variable_names_whitelist is None or n.name in variable_names_whitelist)
             and (variable_names_blacklist is None or n.name not in variable_names_blacklist)]
    graph = sess.graph
    values = sess.run([graph.get_tensor_by_name(n + ":0") for n in names]) if names else []
    frozen = dict(zip(names, values))
    out = pb.graph_pb2.GraphDef()
    out.versions.CopyFrom(sub.versions)
    for node in sub.node:
        if node.name in frozen:
            out.node.append(_const_node(pb, node, frozen[node.name]))
        else:
            copied = copy.deepcopy(node)
            if node.op == "Identity" and _reads_frozen(node, frozen):
                copied.attr["T"].type = copied.attr["T"].type % 100
            out.node.append(copied)
    return out


def _reads_frozen(node, frozen) -> bool:
    return any(_node_name(i) in frozen for i in node.input)


def _const_node(pb, variable_node, value):
    node = pb.node_def_pb2.NodeDef(name=variable_node.name, op="Const",
                                   device=variable_node.device)
    node.attr["dtype"].type = variable_node.attr["dtype"].type
    node.attr["value"].tensor.CopyFrom(tensor_proto(pb, np.asarray(value)))
    return node


def remove_training_nodes(input_graph, protected_nodes=None):
    """A GraphDef without Identity and CheckNumerics pass-throughs (inputs rewired).

    Nodes in `protected_nodes`, nodes with control inputs and nodes read as control inputs
    stay. Example: `slim = tf.graph_util.remove_training_nodes(frozen, ["logits"])`.
    """
    protected = set(protected_nodes or [])
    controlled = {_node_name(i) for n in input_graph.node for i in n.input if i.startswith("^")}
    removable = {}
    for node in input_graph.node:
        data = [i for i in node.input if not i.startswith("^")]
        if (node.op in ("Identity", "CheckNumerics") and node.name not in protected
                and node.name not in controlled and len(data) == len(node.input) == 1
                and not _is_ref(node)):
            removable[node.name] = data[0]
    out = copy.deepcopy(input_graph)
    del out.node[:]
    for node in input_graph.node:
        if node.name in removable:
            continue
        copied = copy.deepcopy(node)
        del copied.input[:]
        copied.input.extend(_resolve(i, removable) for i in node.input)
        out.node.append(copied)
    return out


def _is_ref(node) -> bool:
    return "T" in node.attr and node.attr["T"].type > 100


def _resolve(name: str, removable: dict) -> str:
    if name.startswith("^"):
        return name
    node, _, index = name.partition(":")
    while node in removable and not index:
        name = removable[node]
        node, _, index = name.partition(":")
    return name


def must_run_on_cpu(node, pin_variables_on_cpu=False) -> bool:
    """True for nodes TF pins to the CPU (string ops, and variables if asked): all of
    minigraph runs on the CPU, so this only answers the question for exported graphs."""
    dtype = node.attr["T"].type if "T" in node.attr else None
    if dtype == 7:  # DT_STRING
        return True
    return pin_variables_on_cpu and node.op in _VARIABLE_OPS


def tensor_shape_from_node_def_name(graph, input_name):
    """The static shape of tensor `input_name` ("name" means output 0) in `graph`."""
    name = input_name if ":" in input_name else input_name + ":0"
    return graph.get_tensor_by_name(name).shape

