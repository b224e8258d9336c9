"""Checkpoint files and their bookkeeping: the `checkpoint` state file, readers, atomic writes.

Lives here: CheckpointState and the state file in protobuf text format, latest_checkpoint,
get_checkpoint_state, update_checkpoint_state, checkpoint_exists, the readers
(NewCheckpointReader, list_variables, load_variable, on both checkpoint formats) and the
temp-file/fsync/replace helpers that make every write of a single file atomic. The Saver
lives in saver.py, the checkpoint files in checkpoint_io.py; see docs/checkpoints.md.
"""

from __future__ import annotations

import logging
import os
import re

import numpy as np

from ..framework.errors import NotFoundError
from .checkpoint_io import new_temp_name, open_checkpoint, sync_directory

__all__ = ["latest_checkpoint", "get_checkpoint_state", "checkpoint_exists",
           "update_checkpoint_state", "CheckpointState", "list_variables", "load_variable",
           "load_checkpoint", "NewCheckpointReader"]

_STATE_FILE = "checkpoint"


# ---------------------------------------------------------------------------------------
# Atomic file writing
# ---------------------------------------------------------------------------------------
def write_temp(path: str, write) -> str:
    """Write a temp file next to `path` with `write(file)`, flushed and fsynced; return it."""
    temp = new_temp_name(path)
    try:
        with open(temp, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        remove_file(temp)
        raise
    return temp


def atomic_write(path: str, write) -> None:
    """Replace `path` by what `write(file)` writes: readers see the old or the new file."""
    temp = write_temp(path, write)
    try:
        os.replace(temp, path)
    except BaseException:
        remove_file(temp)
        raise
    sync_directory(os.path.dirname(path))


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
    """Names, shapes, dtypes and checked values of one checkpoint (NewCheckpointReader).

    Reads TensorFlow's tensor bundle and minigraph's earlier format alike.
    """

    def __init__(self, prefix: str):
        self._prefix = prefix
        self._reader = open_checkpoint(prefix)

    def get_variable_to_shape_map(self) -> dict:
        return {name: list(e.shape) for name, e in self._reader.entries.items()}

    def get_variable_to_dtype_map(self) -> dict:
        return {name: e.dtype for name, e in self._reader.entries.items()}

    def has_tensor(self, name: str) -> bool:
        return name in self._reader.entries

    def get_tensor(self, name: str) -> np.ndarray:
        """The saved value of `name`, after checking its size, dtype, shape and checksum."""
        if name not in self._reader.entries:
            raise NotFoundError(None, None, f"Key {name} not found in checkpoint "
                                f"{self._prefix}. Fix: use one of the names "
                                f"{sorted(self._reader.entries)[:20]} (list them all with "
                                "tf.train.list_variables).")
        return self._reader.read([name])[name]

    def debug_string(self) -> bytes:
        return "".join(f"{n} ({e.dtype.name}) {list(e.shape)}\n"
                       for n, e in sorted(self._reader.entries.items())).encode()


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
