"""Saving a checkpoint atomically, and opening one in either format for reading.

Lives here: `save_checkpoint` (the crash-safe protocol: pending data file, the index rename
as the single commit point, then the data rename; see docs/checkpoints.md for the exact
guarantee), `clean_leftovers` (the next save finishes or removes what a crashed save left),
and `open_checkpoint`, which returns a reader for TensorFlow's tensor bundle
(tensor_bundle.py) or for minigraph's earlier JSON + npz format (LegacyReader, read with a
warning). Both readers offer `entries` ({name: entry with dtype and shape}) and
`read(names)`, which checks every array before returning any.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import threading
import zipfile

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework.errors import DataLossError, NotFoundError, OpError
from .tensor_bundle import (DATA_SUFFIX, BundleEntry, BundleReader, data_path,
                            pending_data_path, write_bundle)

__all__ = ["save_checkpoint", "clean_leftovers", "open_checkpoint", "new_temp_name",
           "sync_directory", "LegacyReader", "SAVE_LOCK"]

_LOG = logging.getLogger("minigraph")
SAVE_LOCK = threading.RLock()  # saves of one process run one at a time
_TEMP = re.compile(r"^(?P<final>.+)\.tmp-(?P<pid>\d+)-(?P<tag>[0-9a-f]{16})$")
_OLD_TEMP = re.compile(r"^(?P<final>.+)\.tmp(?P<pid>\d+)-\d+$")  # before the bundle format


def new_save_id() -> str:
    return f"{os.getpid()}-{secrets.token_hex(8)}"


def new_temp_name(path: str, save_id: str | None = None) -> str:
    """A temp name next to `path` that `clean_leftovers` recognises."""
    return f"{path}.tmp-{save_id or new_save_id()}"


def sync_directory(directory: str) -> None:
    """fsync a directory so that renames in it survive a power failure (where supported)."""
    try:
        fd = os.open(directory or ".", os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems cannot sync a directory; the renames still happened
        pass
    finally:
        os.close(fd)


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


# ---------------------------------------------------------------------------------------
# Saving
# ---------------------------------------------------------------------------------------
def save_checkpoint(prefix: str, arrays: dict, meta=None) -> None:
    """Write `<prefix>.index` and its data file (and `meta` = (path, bytes)) atomically.

    1. the data goes to a pending file named by this save's id, the index (whose header
       carries the id) and the meta graph to temp files; all are fsynced;
    2. the index is renamed over `<prefix>.index`: the commit point. From here on readers
       use the pending data file, because the index names it;
    3. the pending data file is renamed to `<prefix>.data-00000-of-00001`, then the meta
       file to `<prefix>.meta`.
    A crash before 2 leaves the old index and old data; after 2, the new index and the new
    data (pending or renamed). The next save renames or removes what a crash left behind.
    """
    directory = os.path.dirname(prefix)
    save_id = new_save_id()
    pending = pending_data_path(prefix, save_id)
    index_temp = new_temp_name(prefix + ".index", save_id)
    meta_temp = new_temp_name(meta[0], save_id) if meta else None
    with SAVE_LOCK:
        clean_leftovers(directory)
        try:
            with open(pending, "wb") as data, open(index_temp, "wb") as index:
                write_bundle(index, data, arrays, save_id)
                for f in (data, index):
                    f.flush()
                    os.fsync(f.fileno())
            if meta:
                _write_synced(meta_temp, meta[1])
            sync_directory(directory)  # the pending file's name is durable before the commit
            os.replace(index_temp, prefix + ".index")  # the commit point
            sync_directory(directory)
            os.replace(pending, data_path(prefix))
            if meta:
                os.replace(meta_temp, meta[0])
            sync_directory(directory)
        except BaseException:
            for temp in (index_temp, meta_temp):
                if temp:
                    _remove(temp)
            _finish_or_remove(pending, prefix, save_id)
            raise


def _write_synced(path: str, content: bytes) -> None:
    with open(path, "wb") as f:
        f.write(content)
        f.flush()
        os.fsync(f.fileno())


def _finish_or_remove(pending: str, prefix: str, save_id: str) -> None:
    """Rename a pending data file into place if the index names its save; else delete it."""
    if not os.path.exists(pending):
        return
    try:
        with open(prefix + ".index", "rb") as f:
            committed = BundleReader(prefix, f.read()).save_id == save_id
    except (OSError, OpError):
        committed = False
    if committed:
        os.replace(pending, data_path(prefix))
    else:
        _remove(pending)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # our own leftovers: saves of this process do not overlap (SAVE_LOCK)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError, OverflowError):
        return True
    return True


def clean_leftovers(directory: str) -> None:
    """Finish or delete the temp files that crashed saves left in `directory`.

    Temp files of processes that are still running are left alone. A pending data file
    whose index already names its save is renamed into place (that save had committed).
    """
    try:
        names = os.listdir(directory or ".")
    except OSError:
        return
    for name in names:
        m = _TEMP.match(name) or _OLD_TEMP.match(name)
        if m is None or _alive(int(m.group("pid"))):
            continue
        path = os.path.join(directory, name)
        final = os.path.join(directory, m.group("final"))
        if final.endswith(DATA_SUFFIX) and "tag" in m.groupdict():
            save_id = f"{m.group('pid')}-{m.group('tag')}"
            _finish_or_remove(path, final[:-len(DATA_SUFFIX)], save_id)
        else:
            _remove(path)


# ---------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------
def open_checkpoint(prefix: str):
    """A reader for checkpoint `prefix`: BundleReader, or LegacyReader (with a warning)."""
    path = prefix + ".index"
    try:
        with open(path, "rb") as f:
            content = f.read()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        raise NotFoundError(None, None, f"Unsuccessful TensorSliceReader constructor: Failed "
                            f"to find any matching files for {prefix}") from None
    if content[:1] == b"{":
        return LegacyReader(prefix, content)
    return BundleReader(prefix, content)


class LegacyReader:
    """minigraph's earlier checkpoints: a JSON index and a numpy .npz data file."""

    def __init__(self, prefix: str, content: bytes):
        self.prefix = prefix
        self.index_path = prefix + ".index"
        try:
            index = json.loads(content.decode("utf-8"))
            if index.get("format") != "minigraph-checkpoint" or index.get("version") != 1:
                raise ValueError(f"format {index.get('format')!r} version "
                                 f"{index.get('version')!r}")
            self._keys = {name: e["key"] for name, e in index["tensors"].items()}
            self.entries = {name: BundleEntry(name, _dtypes.as_dtype(e["dtype"]),
                                              [int(d) for d in e["shape"]], 0, 0, 0)
                            for name, e in index["tensors"].items()}
        except (ValueError, TypeError, KeyError, AttributeError) as e:
            raise DataLossError(None, None, f"Unable to read checkpoint index "
                                f"{self.index_path}: it looks like minigraph's earlier JSON "
                                f"index but is damaged ({type(e).__name__}: {e}).") from None
        _LOG.warning("Checkpoint %s is in minigraph's earlier format (JSON index + npz data). "
                     "It restores as before; save it again to write TensorFlow's format.",
                     prefix)

    def read(self, names) -> dict:
        path = data_path(self.prefix)
        try:
            with np.load(path, allow_pickle=False) as data:
                return {name: self._checked(data, name, path) for name in names}
        except FileNotFoundError:
            raise NotFoundError(None, None, f"{path}; No such file or directory. The "
                                "checkpoint's data file is missing.") from None
        except OpError:
            raise
        except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError, TypeError) as e:
            raise DataLossError(None, None, f"Unable to read checkpoint data {path}: the npz "
                                f"archive is damaged ({type(e).__name__}: {e}).") from None

    def _checked(self, data, name: str, path: str) -> np.ndarray:
        entry = self.entries[name]
        arr = data[self._keys[name]]
        if entry.dtype == _dtypes.string:
            ok = arr.dtype.kind == "S"
            arr = arr.astype(object)
        else:
            ok = arr.dtype == np.dtype(entry.dtype.as_numpy_dtype)
        if not ok or arr.shape != entry.shape:
            raise DataLossError(None, None, f"{path}: tensor {name} holds {arr.dtype} of shape "
                                f"{list(arr.shape)}, but the index says {entry.dtype.name} of "
                                f"shape {list(entry.shape)}.")
        return np.array(arr)
