"""`tf.train.Saver`: save variables to checkpoints, restore them, keep the newest few.

Lives here: Saver (save / restore / max_to_keep / keep_checkpoint_every_n_hours) and the
checks that make a restore all-or-nothing: every variable is matched against its index entry
(name, dtype, shape) and every array is read and checked (size, checksum) before any variable
changes. The files are TensorFlow's tensor bundle (tensor_bundle.py), written atomically by
checkpoint_io.py; the `checkpoint` state file and the readers live in
checkpoint_management.py. See docs/checkpoints.md. Deliberately absent: sharding,
partitioned variables.
"""

from __future__ import annotations

import os
import time

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework.nest import flatten
from ..framework.errors import (InvalidArgumentError, NotFoundError, OpError, describe_caller,
                                describe_node)
from ..framework.graph import GraphKeys, get_default_graph
from ..framework.tensor import Tensor
from ..ops.variables import Variable, global_variables
from ..api import logging as tf_logging
from ..export.graph_def import import_protos
from ..export.graph_import import import_graph_def
from . import training_util
from .checkpoint_io import SAVE_LOCK, open_checkpoint, save_checkpoint
from .checkpoint_management import checkpoint_exists, remove_file, update_checkpoint_state
from .meta_graph import VARIABLE_COLLECTIONS, export_meta_graph, read_meta_graph
from .tensor_bundle import DATA_SUFFIX

__all__ = ["Saver", "import_meta_graph"]


# ---------------------------------------------------------------------------------------
# Saver
# ---------------------------------------------------------------------------------------
def _saveables(var_list) -> dict:
    """{checkpoint name: VariableV2 op} for a var_list given as None, a list or a dict."""
    if var_list is None:
        var_list = global_variables()
    if isinstance(var_list, dict):
        items = list(var_list.items())
    else:
        items = [(None, v) for v in flatten(var_list)]
    out, seen = {}, {}
    for key, var in items:
        op = _variable_op(var)
        name = key if key is not None else op.name
        if key is None and name in out:
            raise ValueError(f"At least two variables have the same name: {name}")
        if op in seen:
            raise ValueError(f"The same saveable will be restored with two names: "
                             f"{seen[op]} and {name}. Fix: list each variable once.")
        seen[op] = name
        out[name] = op
    return out



def _variable_op(var):
    if isinstance(var, Variable):
        return var.op
    if isinstance(var, Tensor) and var.op.type == "VariableV2":
        return var.op
    raise TypeError(f"Variable to save is not a Variable: {var!r}. Fix: pass tf.Variable "
                    "objects (or a dict of them).")


class Saver:
    """Save and restore variables as checkpoints, keeping the `max_to_keep` newest.

    TF1 note: the Saver adds no ops to the graph; its files are TF's (tensor bundle,
    `checkpoint` state file), so TensorFlow reads them and it reads TensorFlow's.
    Example: `saver = tf.train.Saver(); saver.save(sess, "/tmp/run/model.ckpt", global_step=gs)`.
    """

    def __init__(self, var_list=None, reshape=False, sharded=False, max_to_keep=5,
                 keep_checkpoint_every_n_hours=10000.0, name=None, restore_sequentially=False,
                 saver_def=None, builder=None, defer_build=False, allow_empty=False,
                 write_version=2, pad_step_number=False, save_relative_paths=False,
                 filename=None):
        self._variables = _saveables(var_list)
        if not self._variables and not allow_empty:
            raise ValueError(f"No variables to save (Saver created at {describe_caller()}). "
                             "Fix: create variables before the Saver, or "
                             "pass allow_empty=True.")
        self._graph = get_default_graph() if not self._variables else \
            next(iter(self._variables.values())).graph
        self._site = describe_caller()
        self._max_to_keep = max_to_keep
        self._keep_every_seconds = keep_checkpoint_every_n_hours * 3600.0
        self._next_keep_time = time.time() + self._keep_every_seconds
        self._pad_step_number = pad_step_number
        self._save_relative_paths = save_relative_paths
        self._last_checkpoints = []  # [(prefix, save time)], oldest first

    @property
    def last_checkpoints(self) -> list:
        """Prefixes of the kept checkpoints, oldest first."""
        return [p for p, _ in self._last_checkpoints]

    def set_last_checkpoints(self, last_checkpoints) -> None:
        self._last_checkpoints = [(p, time.time()) for p in last_checkpoints]

    def recover_last_checkpoints(self, checkpoint_paths) -> None:
        """Adopt the existing ones among `checkpoint_paths` (e.g. after a restart)."""
        self.set_last_checkpoints([p for p in checkpoint_paths if checkpoint_exists(p)])

    def build(self) -> None:
        """Nothing to build: the Saver adds no ops (kept for TF compatibility)."""

    # -- save -------------------------------------------------------------------------------
    def save(self, sess, save_path: str, global_step=None, latest_filename=None,
             meta_graph_suffix="meta", write_meta_graph=True, write_state=True,
             strip_default_attrs=False, save_debug_info=False) -> str:
        """Write a checkpoint; return its prefix (`save_path` or `save_path-<step>`).

        Atomic: after a crash at any point `save_path` restores the complete old or the
        complete new checkpoint (docs/checkpoints.md); the state file is replaced last.
        """
        self._check_session(sess, "save")
        if latest_filename is not None and os.path.basename(latest_filename) != \
                latest_filename:
            raise ValueError("'latest_filename' must be a file name, not a path: "
                             f"{latest_filename!r}.")
        prefix = self._prefix(sess, save_path, global_step)
        directory = os.path.dirname(prefix)
        if directory and not os.path.isdir(directory):
            raise ValueError(f"Parent directory of {save_path} doesn't exist, can't save. Fix: "
                             f"os.makedirs({directory!r}) first; save called at "
                             f"{describe_caller()}.")
        names = sorted(self._variables)
        values = sess.variable_values([self._variables[n] for n in names])
        arrays = {n: values[self._variables[n]] for n in names}
        meta_bytes = _meta_graph(self._graph, self) if write_meta_graph else None
        meta = (f"{prefix}.{meta_graph_suffix}", meta_bytes) if meta_bytes else None
        with SAVE_LOCK:
            save_checkpoint(prefix, arrays, meta)
            if write_state:
                dropped = self._record(prefix)
                update_checkpoint_state(directory, prefix, self.last_checkpoints,
                                        latest_filename, self._save_relative_paths)
                self._delete(dropped, meta_graph_suffix)  # only once the state file moved on
        return prefix

    def _check_session(self, sess, action: str) -> None:
        if not hasattr(sess, "variable_values"):
            raise TypeError(f"'sess' must be a Session; {sess!r}")
        if sess.graph is not self._graph:
            raise TypeError(
                f"Cannot interpret feed_dict key as Tensor: this Saver was built in another "
                f"graph than the session's, so its variables do not exist in the session "
                f"(Saver created at {self._site}; {action} called at {describe_caller()}). "
                "Fix: create the Saver while the session's graph is the default (`with "
                "graph.as_default(): saver = tf.train.Saver()`), or open the session on the "
                "Saver's graph (`tf.Session(graph=...)`).")

    def _prefix(self, sess, save_path, global_step) -> str:
        if global_step is None:
            return save_path
        if not isinstance(global_step, (int, np.integer)):
            global_step = training_util.global_step(sess, global_step)
        if self._pad_step_number:
            return f"{save_path}-{global_step:08d}"
        return f"{save_path}-{global_step}"

    def _record(self, prefix) -> list:
        """Append `prefix` to the kept list; return the prefixes that fall off it."""
        if not self._max_to_keep:
            return []
        kept = [(p, t) for p, t in self._last_checkpoints if p != prefix]
        kept.append((prefix, time.time()))
        dropped = []
        while len(kept) > self._max_to_keep:
            old, saved_at = kept.pop(0)
            if saved_at >= self._next_keep_time:  # keep_checkpoint_every_n_hours
                self._next_keep_time += self._keep_every_seconds
            else:
                dropped.append(old)
        self._last_checkpoints = kept
        return dropped

    @staticmethod
    def _delete(prefixes, meta_suffix) -> None:
        for prefix in prefixes:
            for suffix in (".index", DATA_SUFFIX, f".{meta_suffix}"):
                remove_file(prefix + suffix)

    # -- restore ----------------------------------------------------------------------------
    def restore(self, sess, save_path: str) -> None:
        """Load every variable of this Saver from checkpoint `save_path`, all or nothing.

        Everything is read and checked (names, dtypes, shapes, sizes, checksums) before the
        first variable changes. Reads TensorFlow's checkpoints and minigraph's earlier ones.
        """
        self._check_session(sess, "restore")
        if save_path is None:
            raise ValueError("Can't load save_path when it is None. Fix: pass the prefix that "
                             "saver.save returned, or tf.train.latest_checkpoint(dir) (which is "
                             f"None when the directory has no checkpoint); restore called at "
                             f"{describe_caller()}.")
        if not checkpoint_exists(save_path):
            raise ValueError(f"The passed save_path is not a valid checkpoint: {save_path}. "
                             "Fix: pass the checkpoint prefix (e.g. 'ckpt/model-100', without "
                             "'.index'), as returned by saver.save or "
                             f"tf.train.latest_checkpoint; restore called at "
                             f"{describe_caller()}.")
        try:
            self._restore_checked(sess, save_path)
        except OpError as e:
            if e.op is not None:
                raise
            raise type(e)(None, None, f"{e.message} (restore called at "
                          f"{describe_caller()})") from None

    def _restore_checked(self, sess, save_path: str) -> None:
        reader = open_checkpoint(save_path)
        for name, op in self._variables.items():
            if name not in reader.entries:
                raise NotFoundError(
                    None, op, "Restoring from checkpoint failed. This is most likely due to a "
                    "Variable name or other graph key that is missing from the checkpoint. "
                    "Please ensure that you have not altered the graph expected based on the "
                    f"checkpoint. Original error:\n\nKey {name} not found in checkpoint "
                    f"{save_path}\n\nFix: the checkpoint holds "
                    f"{_some(reader.entries)}; build the variables with the same names (or "
                    "pass tf.train.Saver({'saved_name': variable}) or use "
                    f"tf.train.init_from_checkpoint). Variable {describe_node(op)}.")
            self._check_entry(name, op, reader.entries[name], save_path)
        arrays = reader.read(list(self._variables))  # every array checked against its entry
        for name, op in self._variables.items():
            self._check_entry(name, op, _Found(arrays[name]), save_path)
        sess.commit_variables({op: arrays[name] for name, op in self._variables.items()})

    @staticmethod
    def _check_entry(name, op, entry, save_path) -> None:
        """InvalidArgumentError unless the entry's shape and dtype fit variable `op`."""
        spec = op.outputs[0]
        if not spec.shape.is_compatible_with(entry.shape):
            raise InvalidArgumentError(
                None, op, "Restoring from checkpoint failed. This is most likely due to a "
                "mismatch between the current graph and the graph from the checkpoint. Please "
                "ensure that you have not altered the graph expected based on the checkpoint. "
                "Original error:\n\nAssign requires shapes of both tensors to match. lhs "
                f"shape= {_bracket(spec.shape.as_list())} rhs shape= "
                f"{_bracket(entry.shape)} (variable {name}, checkpoint {save_path})\n\nFix: "
                f"build the variable with the checkpoint's shape {_bracket(entry.shape)}, or "
                f"leave it out of this Saver's var_list. Variable {describe_node(op)}.")
        if spec.dtype.base_dtype != entry.dtype:
            raise InvalidArgumentError(
                None, op, f"Restoring from checkpoint failed. tensor_name = {name}; expected "
                f"dtype {spec.dtype.base_dtype.name} does not equal original dtype "
                f"{entry.dtype.name} (checkpoint {save_path}). Fix: build the variable with dtype "
                f"{entry.dtype.name}, or tf.cast where it is used. Variable "
                f"{describe_node(op)}.")


class _Found:
    """An array seen as an index entry (shape, dtype), for the final check before commit."""

    def __init__(self, arr):
        self.shape = arr.shape
        self.dtype = _dtypes.string if arr.dtype == object else _dtypes.as_dtype(arr.dtype)


def _some(entries) -> str:
    names = sorted(entries)
    return str(names) if len(names) <= 20 else f"{names[:20]} and {len(names) - 20} more"


def _bracket(dims) -> str:
    return "[" + ",".join("?" if d is None else str(d) for d in dims) + "]"


def _meta_graph(graph, saver) -> bytes | None:
    """The MetaGraphDef that `.meta` holds (None, with a warning, without protobuf)."""
    try:
        return export_meta_graph(graph=graph, saver=saver).SerializeToString()
    except ImportError as e:
        tf_logging.warning("Saver.save writes no .meta file: %s", e)
        return None


# ---------------------------------------------------------------------------------------
# tf.train.import_meta_graph
# ---------------------------------------------------------------------------------------
def import_meta_graph(meta_graph_or_file, clear_devices=False, import_scope=None, **kwargs):
    """Recreate a saved graph and its collections in the default graph; return a Saver.

    Returns a `tf.train.Saver` over the imported global variables (None if there are none),
    so `saver.restore(sess, prefix)` loads a checkpoint into them, as in TF1 tutorials.

    Example: `saver = tf.train.import_meta_graph("model.ckpt.meta")`.
    """
    meta = (read_meta_graph(meta_graph_or_file) if isinstance(meta_graph_or_file, str)
            else meta_graph_or_file)
    saver_nodes = _saver_nodes(meta)
    pb = import_protos()
    graph_def = pb.graph_pb2.GraphDef()
    graph_def.versions.CopyFrom(meta.graph_def.versions)
    for node in meta.graph_def.node:
        if node.name not in saver_nodes:
            graph_def.node.append(node)
            if clear_devices:
                graph_def.node[-1].device = ""
    import_graph_def(graph_def, name=import_scope or "")
    graph = get_default_graph()
    scope = f"{import_scope}/" if import_scope else ""
    variables = {}
    for key, entry in meta.collection_def.items():
        _restore_collection(pb, graph, key, entry, scope, variables)
    imported = graph.get_collection(GraphKeys.GLOBAL_VARIABLES)
    if not imported:
        return None
    return Saver(var_list=imported)


def _saver_nodes(meta) -> set:
    """Names of the nodes of the saver subgraph (what restore_op and save_tensor need)."""
    if not meta.HasField("saver_def"):
        return set()
    roots = [meta.saver_def.restore_op_name, meta.saver_def.save_tensor_name.split(":")[0]]
    scope = roots[0].rsplit("/", 1)[0] + "/"
    by_name = {n.name: n for n in meta.graph_def.node}
    found, stack = set(), list(roots)
    while stack:
        name = stack.pop()
        if name in found or name not in by_name or not name.startswith(scope):
            continue
        found.add(name)
        stack.extend(i.lstrip("^").split(":")[0] for i in by_name[name].input)
    return found


def _restore_collection(pb, graph, key, entry, scope, variables) -> None:
    kind = entry.WhichOneof("kind")
    if kind == "bytes_list" and key in VARIABLE_COLLECTIONS:
        for data in entry.bytes_list.value:
            proto = pb.variable_pb2.VariableDef.FromString(data)
            if proto.variable_name not in variables:
                variables[proto.variable_name] = Variable(variable_def=proto,
                                                          import_scope=scope.rstrip("/") or None)
            graph.add_to_collection(key, variables[proto.variable_name])
    elif kind == "node_list":
        for name in entry.node_list.value:
            full = scope + name
            item = graph.get_tensor_by_name(full) if ":" in name else \
                graph.get_operation_by_name(full)
            graph.add_to_collection(key, item)
    elif kind == "bytes_list":
        for value in entry.bytes_list.value:
            graph.add_to_collection(key, value)
