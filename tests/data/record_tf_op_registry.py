"""Record TensorFlow's op registry (OpDefs) as JSON, for offline validation of exported graphs.

Run by hand in a venv with TensorFlow (never in CI):
    TF_USE_LEGACY_KERAS=1 python tests/data/record_tf_op_registry.py
Writes minigraph/export/tf_op_registry.json.gz: for every op TensorFlow registers, its input
and output arguments (name, fixed type or type attr, number/list attr, ref) and its attrs
(name, type, default, allowed values, minimum).
"""

import gzip
import json
import os

import tensorflow as tf  # noqa: F401  (registers every op)
from google.protobuf import json_format
from tensorflow.core.framework import op_def_pb2
from tensorflow.python.client import pywrap_tf_session

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "minigraph", "export",
                   "tf_op_registry.json.gz")


def arg(a):
    out = {"name": a.name}
    if a.type:
        out["type"] = a.type
    for key in ("type_attr", "number_attr", "type_list_attr"):
        if getattr(a, key):
            out[key] = getattr(a, key)
    if a.is_ref:
        out["is_ref"] = True
    return out


def attr(a):
    out = {"name": a.name, "type": a.type}
    if a.HasField("default_value"):
        out["default"] = json_format.MessageToDict(a.default_value)
    if a.HasField("allowed_values"):
        out["allowed"] = json_format.MessageToDict(a.allowed_values)
    if a.has_minimum:
        out["minimum"] = a.minimum
    return out


def main():
    ops = op_def_pb2.OpList()
    buf = pywrap_tf_session.TF_GetAllOpList()
    ops.ParseFromString(pywrap_tf_session.TF_GetBuffer(buf))
    table = {}
    for op in ops.op:
        if op.name.startswith("_"):
            continue
        table[op.name] = {"inputs": [arg(a) for a in op.input_arg],
                          "outputs": [arg(a) for a in op.output_arg],
                          "attrs": [attr(a) for a in op.attr],
                          "stateful": op.is_stateful}
    doc = {"tensorflow_version": tf.__version__, "ops": table}
    with gzip.open(OUT, "wt") as f:
        json.dump(doc, f, sort_keys=True, separators=(",", ":"))
    print(len(table), "ops ->", OUT)


if __name__ == "__main__":
    main()
