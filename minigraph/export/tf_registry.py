"""TensorFlow's op registry, as data: what every TF op takes, gives and requires.

Lives here: `op_def` (TF's OpDef of an op type, read from `tf_op_registry.json.gz`, which
tests/data/record_tf_op_registry.py recorded from a real TensorFlow install), `complete_attrs`
(derives the dtype, count and list attrs TF requires from a node's inputs and outputs, coerces
attribute values to the kinds TF declares and drops attrs TF does not know) and `check_node`
(every way a node could fail TensorFlow's import, as readable problems). GraphDef export uses
the first two; tests use the third to validate every graph they build.
"""

from __future__ import annotations

import functools
import gzip
import json
import os

from ..framework import dtypes as _dtypes
from ..framework.shapes import TensorShape

__all__ = ["op_def", "registry_version", "complete_attrs", "check_node", "output_dtypes"]

_PATH = os.path.join(os.path.dirname(__file__), "tf_op_registry.json.gz")

# AttrDef type -> the (kind, payload) kind that graph_def.describe_value produces.
_KINDS = {"type": "type", "shape": "shape", "int": "i", "float": "f", "bool": "b",
          "string": "s", "tensor": "tensor", "func": "func"}


@functools.lru_cache(maxsize=1)
def _registry() -> dict:
    with gzip.open(_PATH, "rt", encoding="utf-8") as f:
        return json.load(f)


def registry_version() -> str:
    """The TensorFlow version whose op registry is recorded."""
    return _registry()["tensorflow_version"]


def op_def(op_type: str) -> dict | None:
    """TF's OpDef of `op_type` as a dict (inputs, outputs, attrs), or None if TF has none."""
    return _registry()["ops"].get(op_type)


_ENUM_DTYPES = {
    "DT_FLOAT": _dtypes.float32, "DT_DOUBLE": _dtypes.float64, "DT_INT32": _dtypes.int32,
    "DT_UINT8": _dtypes.uint8, "DT_INT16": _dtypes.int16, "DT_INT8": _dtypes.int8,
    "DT_STRING": _dtypes.string, "DT_COMPLEX64": _dtypes.complex64, "DT_INT64": _dtypes.int64,
    "DT_BOOL": _dtypes.bool, "DT_UINT16": _dtypes.uint16, "DT_COMPLEX128": _dtypes.complex128,
    "DT_HALF": _dtypes.float16, "DT_UINT32": _dtypes.uint32, "DT_UINT64": _dtypes.uint64,
    "DT_RESOURCE": _dtypes.resource, "DT_VARIANT": _dtypes.variant,
}


_ENUM_DTYPES.update({d.enum: d for d in list(_ENUM_DTYPES.values())})  # arg types are enums


def _split_args(args: list, count: int, attrs: dict) -> list | None:
    """Partition `count` tensors over TF's argument list: [(arg, n tensors)], or None.

    Only a variadic argument (number_attr or type_list_attr) takes other than one tensor;
    its length is fixed by an attr already known, or is whatever the others leave over.
    """
    fixed = sum(1 for a in args if not (a.get("number_attr") or a.get("type_list_attr")))
    variadic = [a for a in args if a.get("number_attr") or a.get("type_list_attr")]
    spare = count - fixed
    if spare < 0 or (not variadic and spare != 0):
        return None
    out = []
    for a in args:
        if a in variadic:
            known = _known_length(a, attrs)
            n = known if known is not None else spare // len(variadic)
            out.append((a, n))
        else:
            out.append((a, 1))
    if sum(n for _, n in out) != count:
        return None
    return out


def _known_length(arg: dict, attrs: dict):
    value = attrs.get(arg.get("number_attr", ""))
    if value is not None:
        return value[1]
    value = attrs.get(arg.get("type_list_attr", ""))
    return None if value is None else len(value[1][1])


def _derive(args: list, dtypes: list, attrs: dict, out: dict) -> None:
    """Fill type / number / type-list attrs of `args` from the tensors' `dtypes`."""
    split = _split_args(args, len(dtypes), attrs)
    if split is None:
        return
    i = 0
    for arg, n in split:
        group = [d.base_dtype for d in dtypes[i:i + n]]
        i += n
        if arg.get("number_attr") and arg["number_attr"] not in out:
            out[arg["number_attr"]] = ("i", n)
        if arg.get("type_list_attr") and arg["type_list_attr"] not in out:
            out[arg["type_list_attr"]] = ("list", ("type", group))
        if arg.get("type_attr") and group and arg["type_attr"] not in out:
            out[arg["type_attr"]] = ("type", group[0])


def output_dtypes(op_type: str, attrs: dict) -> list:
    """The dtypes of a TF node's outputs, given its attrs (fixed types or type attrs)."""
    definition = op_def(op_type)
    defaults = {a["name"]: ("type", _ENUM_DTYPES[a["default"]["type"]])
                for a in definition["attrs"] if a["type"] == "type" and "default" in a}
    attrs = {**defaults, **attrs}
    result = []
    for arg in definition["outputs"]:
        count = 1
        if arg.get("number_attr"):
            count = attrs[arg["number_attr"]][1]
        if arg.get("type_list_attr"):
            result += list(attrs[arg["type_list_attr"]][1][1])
            continue
        dtype = _ENUM_DTYPES[arg["type"]] if arg.get("type") else attrs[arg["type_attr"]][1]
        if arg.get("is_ref"):
            dtype = dtype.as_ref()
        result += [dtype] * count
    return result


def complete_attrs(op_type: str, attrs: dict, input_dtypes: list, out_dtypes: list) -> dict:
    """Return `attrs` as TF's OpDef of `op_type` wants them.

    Derives every dtype, count and dtype-list attr from the inputs and outputs, converts
    values to the kind TF declares (an int where TF wants a float, a list where it wants a
    shape), and drops attrs TF does not declare (TF's importer rejects unknown attrs; names
    starting with "_" are TF's own optional annotations and stay). Unknown op types keep
    their attrs unchanged.
    """
    definition = op_def(op_type)
    if definition is None:
        return dict(attrs)
    declared = {a["name"]: a for a in definition["attrs"]}
    out = {}
    for name, value in attrs.items():
        if name.startswith("_"):
            out[name] = value
        elif name in declared:
            converted = _coerce(value, declared[name]["type"])
            if converted is not None:
                out[name] = converted
    _derive(definition["inputs"], input_dtypes, out, out)
    _derive(definition["outputs"], out_dtypes, out, out)
    return out


def _coerce(value, attr_type: str):
    """Convert a (kind, payload) to `attr_type`, or None if it cannot be expressed."""
    kind, payload = value
    if attr_type.startswith("list("):
        item_type = _KINDS[attr_type[5:-1]]
        if kind == "list":
            item_kind, items = payload
            if item_kind == item_type or not items:
                return ("list", (item_type, list(items)))
            return _coerce_items(items, item_kind, item_type)
        if kind == "shape" and item_type == "i" and payload.dims is not None:
            return ("list", ("i", payload.as_list()))
        return None
    want = _KINDS.get(attr_type)
    if kind == want:
        return value
    if want == "f" and kind == "i":
        return ("f", float(payload))
    if want == "i" and kind == "b":
        return ("i", int(payload))
    if want == "shape" and kind == "list":
        return ("shape", TensorShape([None if d == -1 else d for d in payload[1]]))
    if want == "type" and kind == "s":
        return None
    return None


def _coerce_items(items, item_kind, item_type):
    if item_type == "f" and item_kind == "i":
        return ("list", ("f", [float(v) for v in items]))
    return None


def check_node(op_type: str, attrs: dict, input_dtypes: list) -> list:
    """Every reason TensorFlow's importer would reject this node, as sentences ([] if none)."""
    definition = op_def(op_type)
    if definition is None:
        return [f"op type {op_type!r} is not registered in TensorFlow {registry_version()}"]
    problems = []
    declared = {a["name"]: a for a in definition["attrs"]}
    for name, (kind, _) in attrs.items():
        if name.startswith("_"):
            continue
        if name not in declared:
            problems.append(f"attr {name!r} is not an attr of {op_type}")
            continue
        want = declared[name]["type"]
        want_kind = "list" if want.startswith("list(") else _KINDS.get(want)
        if kind != want_kind:
            problems.append(f"attr {name!r} is a {kind}, TF wants {want}")
    for name, a in declared.items():
        if name not in attrs and "default" not in a:
            problems.append(f"required attr {name!r} ({a['type']}) is missing")
    if problems:
        return problems
    split = _split_args(definition["inputs"], len(input_dtypes), attrs)
    if split is None:
        return [f"{len(input_dtypes)} inputs do not fit {op_type}'s arguments "
                f"({', '.join(a['name'] for a in definition['inputs'])})"]
    i = 0
    for arg, n in split:
        for dtype in input_dtypes[i:i + n]:
            expected = _expected_dtype(arg, attrs, i, input_dtypes)
            if expected is not None and dtype.base_dtype != expected:
                problems.append(f"input {arg['name']!r} is {dtype.base_dtype.name}, TF wants "
                                f"{expected.name}")
            if arg.get("is_ref") and not dtype.is_ref_dtype:
                problems.append(f"input {arg['name']!r} must be a variable reference")
        if arg.get("number_attr") and attrs[arg["number_attr"]][1] != n:
            problems.append(f"attr {arg['number_attr']!r} says {attrs[arg['number_attr']][1]} "
                            f"inputs for {arg['name']!r}, the node has {n}")
        i += n
    return problems


def _expected_dtype(arg, attrs, index, input_dtypes):
    if arg.get("type"):
        return _ENUM_DTYPES.get(arg["type"])
    if arg.get("type_attr"):
        value = attrs.get(arg["type_attr"])
        return value[1] if value else None
    return None
