"""Checkpoint files and their bookkeeping: the `checkpoint` state file, readers, atomic writes.

Lives here: CheckpointState and the state file in protobuf text format, latest_checkpoint,
get_checkpoint_state, update_checkpoint_state, checkpoint_exists, the readers
(NewCheckpointReader, list_variables, load_variable) and the temp-file/fsync/replace helpers
that make every write atomic. The Saver itself lives in
saver.py; the file format is described in docs/checkpoints.md.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework.errors import NotFoundError

__all__ = ["latest_checkpoint", "get_checkpoint_state", "checkpoint_exists",
           "update_checkpoint_state", "CheckpointState", "list_variables", "load_variable",
           "load_checkpoint", "NewCheckpointReader"]

FORMAT = "minigraph-checkpoint"
FORMAT_VERSION = 1
DATA_SUFFIX = ".data-00000-of-00001"
_STATE_FILE = "checkpoint"


# ---------------------------------------------------------------------------------------
# Atomic file writing
# ---------------------------------------------------------------------------------------
def _temp_name(path: str) -> str:
    return f"{path}.tmp{os.getpid()}-{time.monotonic_ns()}"


def write_temp(path: str, write) -> str:
    """Write a temp file next to `path` with `write(file)`, flushed and fsynced; return it."""
    temp = _temp_name(path)
    try:
        with open(temp, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        remove_file(temp)
        raise
    return temp


def commit_files(temps: list, directory: str) -> None:
    """Move each (temp, final) pair into place, in order, then sync the directory."""
    for temp, final in temps:
        os.replace(temp, final)
    try:
        fd = os.open(directory or ".", os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems cannot sync a directory; the data is still written
        pass
    finally:
        os.close(fd)


def atomic_write(path: str, write) -> None:
    commit_files([(write_temp(path, write), path)], os.path.dirname(path))


def remove_file(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


# ---------------------------------------------------------------------------------------
# The `checkpoint` state file (protobuf text format)
# ---------------------------------------------------------------------------------------
class CheckpointState:
    """The contents of a `checkpoint` state file: the latest and all kept prefixes."""

    def __init__(self, model_checkpoint_path: str = "", all_model_checkpoint_paths=()):
        self.model_checkpoint_path = model_checkpoint_path
        self.all_model_checkpoint_paths = list(all_model_checkpoint_paths)

    def __str__(self):
        lines = [f"model_checkpoint_path: {_quote(self.model_checkpoint_path)}"]
        lines += [f"all_model_checkpoint_paths: {_quote(p)}"
                  for p in self.all_model_checkpoint_paths]
        return "\n".join(lines) + "\n"

    def __repr__(self):
        return f"CheckpointState({self.model_checkpoint_path!r}, " \
               f"{self.all_model_checkpoint_paths!r})"


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


_FIELD = re.compile(r'^\s*(\w+)\s*:\s*"((?:[^"\\]|\\.)*)"\s*$')
_ESCAPE = re.compile(r"\\(\d{1,3}|.)")
_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'"}


def _unquote(text: str) -> str:
    def one(m):
        s = m.group(1)
        return chr(int(s, 8)) if s.isdigit() else _SIMPLE.get(s, s)

    return _ESCAPE.sub(one, text)


def _parse_state(text: str, path: str) -> CheckpointState:
    state = CheckpointState()
    for line in text.splitlines():
        if not line.strip():
            continue
        m = _FIELD.match(line)
        if m is None:
            continue  # other fields (timestamps written by TF) are not needed here
        key, value = m.group(1), _unquote(m.group(2))
        if key == "model_checkpoint_path":
            state.model_checkpoint_path = value
        elif key == "all_model_checkpoint_paths":
            state.all_model_checkpoint_paths.append(value)
    if not state.model_checkpoint_path:
        raise ValueError(f"Invalid checkpoint state loaded from {path}: no "
                         "model_checkpoint_path. Delete the file or save again.")
    return state


def get_checkpoint_state(checkpoint_dir: str, latest_filename: str | None = None):
    """Read `<dir>/checkpoint`; return a CheckpointState, or None if there is no file.

    Relative paths in the file are joined with `checkpoint_dir`.
    Example: `tf.train.get_checkpoint_state(d).all_model_checkpoint_paths`.
    """
    path = os.path.join(checkpoint_dir, latest_filename or _STATE_FILE)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (FileNotFoundError, NotADirectoryError):
        return None
    state = _parse_state(text, path)
    if not os.path.isabs(state.model_checkpoint_path):
        state.model_checkpoint_path = os.path.join(checkpoint_dir, state.model_checkpoint_path)
    state.all_model_checkpoint_paths = [
        p if os.path.isabs(p) else os.path.join(checkpoint_dir, p)
        for p in state.all_model_checkpoint_paths]
    return state


def update_checkpoint_state(save_dir: str, model_checkpoint_path: str,
                            all_model_checkpoint_paths=None, latest_filename=None,
                            save_relative_paths: bool = False) -> None:
    """Atomically rewrite `<save_dir>/checkpoint` naming the latest and all kept prefixes."""
    paths = list(all_model_checkpoint_paths or [])
    if not paths or paths[-1] != model_checkpoint_path:
        paths.append(model_checkpoint_path)
    base = save_dir or "."
    if save_relative_paths or not os.path.isabs(base):
        # A relative directory is stripped from relative paths: the reader joins it back.
        def rel(p):
            if os.path.isabs(p) and not save_relative_paths:
                return p
            return os.path.relpath(p, base)

        model_checkpoint_path, paths = rel(model_checkpoint_path), [rel(p) for p in paths]
    state = CheckpointState(model_checkpoint_path, paths)
    target = os.path.join(save_dir, latest_filename or _STATE_FILE)
    atomic_write(target, lambda f: f.write(str(state).encode("utf-8")))


def checkpoint_exists(checkpoint_prefix: str) -> bool:
    """True if `<prefix>.index` exists.  Example: `checkpoint_exists(saver.save(...))`."""
    return os.path.isfile(checkpoint_prefix + ".index")


def latest_checkpoint(checkpoint_dir: str, latest_filename: str | None = None):
    """The newest checkpoint prefix recorded in `checkpoint_dir`, or None.

    Example: `tf.train.latest_checkpoint("/tmp/run")` -> "/tmp/run/model.ckpt-300".
    """
    state = get_checkpoint_state(checkpoint_dir, latest_filename)
    if state is None or not state.model_checkpoint_path:
        return None
    if checkpoint_exists(state.model_checkpoint_path):
        return state.model_checkpoint_path
    logging.getLogger("minigraph").error("Couldn't match files for checkpoint %s",
                                         state.model_checkpoint_path)
    return None


# ---------------------------------------------------------------------------------------
# Reading checkpoints
# ---------------------------------------------------------------------------------------
class CheckpointReader:
    """Read names, shapes and values from one checkpoint prefix (NewCheckpointReader)."""

    def __init__(self, prefix: str):
        self._prefix = prefix
        self._index = read_index(prefix)
        self._tensors = self._index["tensors"]

    def get_variable_to_shape_map(self) -> dict:
        return {name: list(e["shape"]) for name, e in self._tensors.items()}

    def get_variable_to_dtype_map(self) -> dict:
        return {name: _dtypes.as_dtype(e["dtype"]) for name, e in self._tensors.items()}

    def has_tensor(self, name: str) -> bool:
        return name in self._tensors

    def get_tensor(self, name: str) -> np.ndarray:
        if name not in self._tensors:
            raise NotFoundError(None, None, f"Key {name} not found in checkpoint "
                                f"{self._prefix}. Known keys: {sorted(self._tensors)}.")
        return read_data(self._prefix, self._index, [name])[name]

    def debug_string(self) -> bytes:
        return "".join(f"{n} ({e['dtype']}) {e['shape']}\n"
                       for n, e in sorted(self._tensors.items())).encode()


def NewCheckpointReader(filepattern: str) -> CheckpointReader:  # noqa: N802 - TF's name
    """A reader for checkpoint prefix `filepattern`.

    Example: `tf.train.NewCheckpointReader(prefix).get_tensor("w")`.
    """
    return CheckpointReader(filepattern)


def load_checkpoint(ckpt_dir_or_file: str) -> CheckpointReader:
    """A reader for a prefix, or for the latest checkpoint of a directory."""
    prefix = latest_checkpoint(ckpt_dir_or_file) if os.path.isdir(ckpt_dir_or_file) \
        else ckpt_dir_or_file
    if prefix is None:
        raise ValueError(f"Couldn't find 'checkpoint' file or checkpoints in given directory "
                         f"{ckpt_dir_or_file}")
    return CheckpointReader(prefix)


def list_variables(ckpt_dir_or_file: str) -> list:
    """[(name, shape)] of every tensor in the checkpoint, sorted by name.

    Example: `tf.train.list_variables(prefix)` -> [("b", [2]), ("w", [3, 2])].
    """
    shapes = load_checkpoint(ckpt_dir_or_file).get_variable_to_shape_map()
    return [(name, shapes[name]) for name in sorted(shapes)]


def load_variable(ckpt_dir_or_file: str, name: str) -> np.ndarray:
    """The saved value of `name` (a trailing ":0" is ignored)."""
    if name.endswith(":0"):
        name = name[:-2]
    return load_checkpoint(ckpt_dir_or_file).get_tensor(name)


def read_index(prefix: str) -> dict:
    path = prefix + ".index"
    try:
        with open(path, encoding="utf-8") as f:
            index = json.load(f)
    except FileNotFoundError:
        raise NotFoundError(None, None, f"Unsuccessful TensorSliceReader constructor: Failed "
                            f"to find any matching files for {prefix}") from None
    except ValueError as e:
        raise ValueError(f"{path} is not a minigraph checkpoint index ({e}).") from None
    if index.get("format") != FORMAT or index.get("version") != FORMAT_VERSION:
        raise ValueError(f"{path} is not a minigraph checkpoint index of version "
                         f"{FORMAT_VERSION} (format {index.get('format')!r}, version "
                         f"{index.get('version')!r}).")
    return index


def read_data(prefix: str, index: dict, names) -> dict:
    """Load the arrays of `names` from the data file (fresh, writable arrays)."""
    path = prefix + DATA_SUFFIX
    try:
        with np.load(path, allow_pickle=False) as data:
            out = {}
            for name in names:
                entry = index["tensors"][name]
                arr = data[entry["key"]]
                if entry["dtype"] == "string":
                    arr = arr.astype(object)
                out[name] = arr
            return out
    except FileNotFoundError:
        raise NotFoundError(None, None, f"Checkpoint data file {path} is missing; the "
                            "checkpoint is incomplete. Fix: save it again.") from None
