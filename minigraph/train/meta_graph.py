"""MetaGraph files: a GraphDef plus collections and a saver, as `tf.train.export_meta_graph`
writes them (also the `.meta` that `Saver.save` writes beside a checkpoint).

Lives here: `export_meta_graph` (the graph as TF would import it, its collections — variables
as VariableDef protos, tensors and ops by name — and a TF saver subgraph, SaveV2 / RestoreV2 /
Assign under "save/", so that TensorFlow's `import_meta_graph(...).restore(...)` works on it)
and `read_meta_graph`. The reverse, `import_meta_graph`, lives with the Saver it returns
(saver.py), as in TF.
"""

from __future__ import annotations

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework.graph import GraphKeys, get_default_graph
from ..framework.tensor import Operation, Tensor
from ..framework.shapes import TensorShape
from ..export.graph_def import describe_value, import_protos, node_def_proto
from ..export.lowering import Exporter

__all__ = ["export_meta_graph", "read_meta_graph", "VARIABLE_COLLECTIONS"]

VARIABLE_COLLECTIONS = (GraphKeys.GLOBAL_VARIABLES, GraphKeys.TRAINABLE_VARIABLES,
                         GraphKeys.LOCAL_VARIABLES, GraphKeys.MODEL_VARIABLES,
                         GraphKeys.MOVING_AVERAGE_VARIABLES, GraphKeys.METRIC_VARIABLES)


def export_meta_graph(filename=None, meta_info_def=None, graph_def=None, saver_def=None,
                      collection_list=None, as_text=False, graph=None, export_scope=None,
                      clear_devices=False, clear_extraneous_savers=False,
                      strip_default_attrs=False, save_debug_info=False, saver=None, **kwargs):
    """Return the graph as a MetaGraphDef proto; also write it to `filename` if given.

    The saver subgraph names the graph's global variables by their op names, so a checkpoint
    written by minigraph's Saver restores through it in TensorFlow.

    Example: `tf.train.export_meta_graph("model.meta")`, then in TensorFlow
    `saver = tf.train.import_meta_graph("model.meta"); saver.restore(sess, "model")`.
    """
    pb = import_protos()
    graph = graph or get_default_graph()
    exporter = Exporter(graph, describe_value)
    exporter.run()
    variables = graph.get_collection(GraphKeys.GLOBAL_VARIABLES)
    saver_proto = _emit_saver(exporter, pb, variables, saver) if variables else None
    meta = pb.meta_graph_pb2.MetaGraphDef()
    meta.meta_info_def.tensorflow_version = "1.15.0"
    meta.meta_info_def.tensorflow_git_version = "minigraph"
    meta.meta_info_def.stripped_op_list.SetInParent()
    result = pb.graph_pb2.GraphDef()
    for spec in exporter.nodes:
        node = node_def_proto(pb, spec)
        if clear_devices:
            node.device = ""
        result.node.append(node)
    result.versions.CopyFrom(pb.versions_pb2.VersionDef(
        producer=graph.graph_def_versions["producer"]))
    meta.graph_def.CopyFrom(result)
    if saver_proto is not None:
        meta.saver_def.CopyFrom(saver_proto)
    keys = collection_list if collection_list is not None else graph.get_all_collection_keys()
    for key in keys:
        _add_collection(pb, meta, graph, key)
    if filename:
        _write(meta, pb, filename, as_text)
    return meta


def _emit_saver(exporter, pb, variables, saver):
    """Add TF's V2 saver subgraph (SaveV2, RestoreV2, one Assign per variable) to the nodes."""
    string, scope = _dtypes.string, exporter.unique("save")
    refs = [v._ref() for v in variables]
    names = [r.op.name.encode() for r in refs]

    def const(value, suffix):
        array = np.array(value, dtype=object)
        return (exporter.emit("Const", [], {"value": ("tensor", array),
                                            "dtype": ("type", string)},
                              name=f"{scope}/{suffix}", output_dtypes=[string], context=False),
                string)

    scalar = {"shape": ("shape", TensorShape([]))}
    default = const(b"model", "filename/input")
    filename = (exporter.emit("PlaceholderWithDefault", [default], scalar,
                              name=f"{scope}/filename", output_dtypes=[string], context=False),
                string)
    prefix = (exporter.emit("PlaceholderWithDefault", [filename], scalar,
                            name=f"{scope}/Const", output_dtypes=[string], context=False), string)
    values = [exporter.routed(r, None) for r in refs]
    save = exporter.emit("SaveV2", [prefix, const(names, "SaveV2/tensor_names"),
                                    const([b""] * len(refs), "SaveV2/shape_and_slices")] + values,
                         {}, name=f"{scope}/SaveV2", output_dtypes=[], context=False)
    saved = exporter.emit("Identity", [prefix], {}, name=f"{scope}/control_dependency",
                          output_dtypes=[string], control=[save], context=False)
    dtypes = [r.dtype.base_dtype for r in refs]
    restore = exporter.emit("RestoreV2", [prefix, const(names, "RestoreV2/tensor_names"),
                                          const([b""] * len(refs), "RestoreV2/shape_and_slices")],
                            {"dtypes": ("list", ("type", dtypes))}, name=f"{scope}/RestoreV2",
                            output_dtypes=dtypes, context=False)
    assigns = []
    for k, (ref, value) in enumerate(zip(refs, values)):
        restored = (restore if k == 0 else f"{restore}:{k}", dtypes[k])
        assigns.append(exporter.emit("Assign", [value, restored], {},
                                     name=f"{scope}/Assign" + (f"_{k}" if k else ""),
                                     output_dtypes=[ref.dtype], context=False))
    restore_all = exporter.emit("NoOp", [], {}, name=f"{scope}/restore_all", output_dtypes=[],
                                control=assigns, context=False)
    return pb.saver_pb2.SaverDef(
        filename_tensor_name=prefix[0] + ":0", save_tensor_name=saved + ":0",
        restore_op_name=restore_all, max_to_keep=getattr(saver, "_max_to_keep", 5),
        keep_checkpoint_every_n_hours=10000.0, sharded=False,
        version=pb.saver_pb2.SaverDef.V2)


def _add_collection(pb, meta, graph, key) -> None:
    items = graph.get_collection(key)
    if not items:
        return
    entry = meta.collection_def[key]
    if key in VARIABLE_COLLECTIONS or all(hasattr(i, "initializer") and hasattr(i, "_ref")
                                           for i in items):
        entry.bytes_list.value.extend(_variable_def(pb, v).SerializeToString() for v in items)
    elif all(isinstance(i, (Tensor, Operation)) or hasattr(i, "_ref") for i in items):
        entry.node_list.value.extend(i.name for i in items)
    elif all(isinstance(i, (str, bytes)) for i in items):
        entry.bytes_list.value.extend(i.encode() if isinstance(i, str) else i for i in items)
    else:
        del meta.collection_def[key]  # Python objects TF cannot serialise either


def _variable_def(pb, variable):
    proto = pb.variable_pb2.VariableDef(
        variable_name=variable.name, initializer_name=variable.initializer.name,
        snapshot_name=variable.value().name, trainable=bool(variable.trainable))
    if variable.initial_value is not None:
        proto.initial_value_name = variable.initial_value.name
    return proto


def _write(meta, pb, filename: str, as_text: bool) -> None:
    if as_text:
        with open(filename, "w", encoding="utf-8") as f:
            f.write(pb.text_format.MessageToString(meta))
    else:
        with open(filename, "wb") as f:
            f.write(meta.SerializeToString())


def read_meta_graph(path: str):
    """Parse a MetaGraphDef file, binary or text (`.meta`, `.pbtxt`)."""
    pb = import_protos()
    with open(path, "rb") as f:
        data = f.read()
    meta = pb.meta_graph_pb2.MetaGraphDef()
    try:
        meta.ParseFromString(data)
        if meta.graph_def.node or not data:
            return meta
    except Exception:  # noqa: BLE001 - protobuf's DecodeError; try the text form next
        pass
    try:
        return pb.text_format.Parse(data.decode("utf-8"), pb.meta_graph_pb2.MetaGraphDef())
    except Exception as e:  # noqa: BLE001 - report either parse failure as one error
        raise ValueError(f"'{path}' is not a MetaGraphDef file (neither binary nor text "
                         f"protobuf): {e}") from None
