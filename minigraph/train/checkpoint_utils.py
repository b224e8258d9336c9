"""`tf.train.init_from_checkpoint`, and the RestoreV2 op it builds on.

Lives here: the RestoreV2 op (reads named tensors of a checkpoint when it runs; TF's op type,
so exported graphs keep it) and init_from_checkpoint, which makes variables *initialize* from
a checkpoint, as BERT's fine-tuning does: each mapped variable's initializer becomes
`Assign(variable, RestoreV2(...))`, so `sess.run(tf.global_variables_initializer())` built
afterwards loads the pretrained values. Both checkpoint formats are read (checkpoint_io.py).
"""

from __future__ import annotations

import os

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework.errors import (InvalidArgumentError, NotFoundError, UnimplementedError,
                                describe_caller)
from ..framework.graph import get_default_graph
from ..framework.tensor import Spec
from ..framework.registry import OpDef, no_gradient, register_op
from ..framework.shapes import TensorShape
from ..ops import state_ops
from ..ops.variables import Variable
from .checkpoint_io import open_checkpoint
from .checkpoint_management import load_checkpoint, latest_checkpoint

__all__ = ["init_from_checkpoint"]


@register_op("RestoreV2")
class RestoreV2(OpDef):
    """The tensors `tensor_names` of checkpoint `prefix` (read when the op runs), checked
    against their index entries; `dtypes` must match the saved dtypes."""

    inputs = ("prefix", "tensor_names", "shape_and_slices")
    input_types = ("string", "string", "string")
    stateful = True  # reads a file: never folded into a constant

    @staticmethod
    def infer(prefix, tensor_names, shape_and_slices, *, dtypes):
        if prefix.shape.ndims not in (None, 0):
            raise ValueError(f"RestoreV2 needs a scalar prefix, got shape "
                             f"{prefix.shape._bracket()}.")
        count = tensor_names.shape.num_elements() if tensor_names.shape.is_fully_defined() \
            else None
        if count is not None and count != len(dtypes):
            raise ValueError(f"RestoreV2 reads {count} tensors but got {len(dtypes)} dtypes. "
                             "Fix: pass one dtype per tensor name.")
        return [Spec(_dtypes.as_dtype(d), TensorShape(None)) for d in dtypes]

    @staticmethod
    def compute(prefix, tensor_names, shape_and_slices, *, dtypes):
        prefix = _text(prefix.item())
        names = [_text(n) for n in np.ravel(tensor_names)]
        if any(_text(s) for s in np.ravel(shape_and_slices)):
            raise UnimplementedError(None, None, "RestoreV2 with shape_and_slices (partitioned "
                                     "variables) is not supported. Fix: pass empty strings.")
        reader = open_checkpoint(prefix)
        for name, dtype in zip(names, dtypes, strict=True):
            entry = reader.entries.get(name)
            if entry is None:
                raise NotFoundError(None, None, f"Key {name} not found in checkpoint {prefix}.")
            if entry.dtype != _dtypes.as_dtype(dtype):
                raise InvalidArgumentError(
                    None, None, f"tensor_name = {name}; expected dtype "
                    f"{_dtypes.as_dtype(dtype).name} does not equal original dtype "
                    f"{entry.dtype.name} (checkpoint {prefix}).")
        arrays = reader.read(names)
        out = [arrays[n] for n in names]
        return out[0] if len(out) == 1 else out

    gradient = staticmethod(no_gradient)


def _text(value) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def restore_v2(prefix, tensor_names, shape_and_slices, dtypes, name=None):
    """A RestoreV2 op: one tensor per name, read from checkpoint `prefix` at run time."""
    out = RestoreV2.apply([prefix, tensor_names, shape_and_slices], name=name or "RestoreV2",
                          dtypes=[_dtypes.as_dtype(d) for d in dtypes])
    return out if isinstance(out, list) else [out]


# ---------------------------------------------------------------------------------------
# init_from_checkpoint
# ---------------------------------------------------------------------------------------
def init_from_checkpoint(ckpt_dir_or_file, assignment_map) -> None:
    """Make variables initialize from a checkpoint instead of their initializers.

    `assignment_map` maps checkpoint names to variables: `{"bert/": "bert/"}` maps every
    get_variable variable under scope `bert/` to the same name under the checkpoint's scope
    `bert/` (`{"/": "/"}` maps all); `{"old/w": "new/w"}` or `{"old/w": variable}` map one.
    Shapes are checked now; values are read when the initializer runs, so build
    `tf.global_variables_initializer()` after this call.
    Example: `tf.train.init_from_checkpoint(init_checkpoint, {"bert/": "bert/"})`.
    """
    try:
        _init_from_checkpoint(ckpt_dir_or_file, assignment_map)
    except (ValueError, TypeError) as e:
        raise type(e)(f"{e} init_from_checkpoint called at {describe_caller()}.") from None


def _init_from_checkpoint(ckpt_dir_or_file, assignment_map) -> None:
    reader = load_checkpoint(ckpt_dir_or_file)
    prefix = latest_checkpoint(ckpt_dir_or_file) if os.path.isdir(ckpt_dir_or_file) \
        else ckpt_dir_or_file
    shapes = reader.get_variable_to_shape_map()
    store = {name: var for name, (var, _) in get_default_graph().variable_store.items()}
    items = assignment_map.items() if hasattr(assignment_map, "items") else assignment_map
    for ckpt_name, current in sorted(items, key=lambda kv: kv[0]):
        var = current if isinstance(current, Variable) else store.get(current)
        if var is not None:
            _map_one(var, ckpt_name, shapes, ckpt_dir_or_file, prefix)
        else:
            for var_name, short, tensor_name in _scope_pairs(ckpt_name, current, store):
                if tensor_name not in shapes:
                    raise ValueError(f"Tensor {tensor_name} ({short} in {ckpt_name}) is not "
                                     f"found in {ckpt_dir_or_file} checkpoint. Fix: check the "
                                     "scopes of the assignment map against "
                                     "tf.train.list_variables(checkpoint).")
                _set_initializer(store[var_name], prefix, tensor_name)


def _map_one(var, ckpt_name, shapes, ckpt_dir_or_file, prefix) -> None:
    if ckpt_name not in shapes:
        names = sorted(shapes)
        raise ValueError(f"Tensor {ckpt_name} is not found in {ckpt_dir_or_file} checkpoint "
                         f"{ {n: shapes[n] for n in names[:20]} }. Fix: map a name that "
                         "tf.train.list_variables(checkpoint) lists.")
    if not var.shape.is_compatible_with(shapes[ckpt_name]):
        raise ValueError(f"Shape of variable {var.name} ({tuple(var.shape.as_list())}) doesn't "
                         f"match with shape of tensor {ckpt_name} ({shapes[ckpt_name]}) from "
                         "checkpoint reader. Fix: build the variable with the checkpoint's "
                         "shape, or leave it out of the assignment map.")
    _set_initializer(var, prefix, ckpt_name)


def _scope_pairs(ckpt_name: str, current, store) -> list:
    """[(variable name, name inside the scope, checkpoint name)] of a scope mapping, sorted."""
    if not isinstance(current, str):
        raise TypeError(f"Assignment map values must be variable names, scopes or Variables, "
                        f"got {current!r}.")
    scope = current[:current.rindex("/")] if "/" in current else ""
    if not ckpt_name.endswith("/"):
        raise ValueError(f"Assignment map with scope only name {scope} should map to scope only "
                         f"{ckpt_name}. Should be 'scope/': 'other_scope/'. Fix: end both names "
                         "with '/' to map a scope, or name an existing get_variable variable.")
    pairs = []
    for var_name in sorted(store):
        if scope and not var_name.startswith(scope + "/"):
            continue
        rest = var_name[len(scope):]
        if current != "/":
            rest = rest[1:]
        tensor = rest if ckpt_name == "/" else ckpt_name + rest
        pairs.append((var_name, var_name[len(scope) + 1:] if scope else var_name,
                      tensor[:-1] if tensor.endswith("/") else tensor))
    return pairs


def _set_initializer(var, prefix: str, tensor_name: str) -> None:
    """var.initializer := Assign(var, RestoreV2(prefix, [tensor_name])), as TF1 does."""
    graph = var.graph
    with graph.as_default(), graph.name_scope(None), graph.control_dependencies(None):
        restored = RestoreV2.apply([prefix, [tensor_name], [""]], name="checkpoint_initializer",
                                   dtypes=[var.dtype.base_dtype])
        restored.set_shape(var.shape)
        init = state_ops.assign(var._ref(), restored, name="Assign")
    var._initializer_op = init.op
    var._initial_value = restored
