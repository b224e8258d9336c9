"""`tf.gfile` (TF1 names) and `tf.io.gfile` (lower-case names): files on the local disk.

TF's gfile also reaches cloud storage; minigraph's reads and writes local paths only, which
is what programs that load a frozen `.pb` or list checkpoint folders need.
Example: `with tf.gfile.GFile("graph.pb", "rb") as f: gd = tf.GraphDef.FromString(f.read())`.
"""

import glob as _glob
import os as _os
import shutil as _shutil
from ..framework.missing import namespace_getattr

__all__ = ["GFile", "FastGFile", "Open", "Exists", "MakeDirs", "MkDir", "ListDirectory",
           "Glob", "Remove", "IsDirectory", "DeleteRecursively", "Copy", "Rename",
           "exists", "makedirs", "mkdir", "listdir", "glob", "remove", "isdir", "rmtree",
           "copy", "rename"]


def GFile(name, mode="r"):  # noqa: N802 - TF's name
    """Open a local file; text modes read and write str, "b" modes bytes."""
    return open(name, mode, **({} if "b" in mode else {"encoding": "utf-8"}))


FastGFile = Open = GFile
Exists = exists = _os.path.exists
IsDirectory = isdir = _os.path.isdir
Glob = glob = _glob.glob
Remove = remove = _os.remove
DeleteRecursively = rmtree = _shutil.rmtree


def MakeDirs(path):  # noqa: N802 - TF's name
    """Create `path` and its parents; an existing folder is fine."""
    _os.makedirs(path, exist_ok=True)


makedirs = MakeDirs
MkDir = mkdir = _os.mkdir


def ListDirectory(path):  # noqa: N802 - TF's name
    """The entries of folder `path` (names only, sorted)."""
    return sorted(_os.listdir(path))


listdir = ListDirectory


def Copy(oldpath, newpath, overwrite=False):  # noqa: N802 - TF's name
    """Copy a file; refuses to replace `newpath` unless `overwrite`."""
    if not overwrite and _os.path.exists(newpath):
        raise FileExistsError(f"'{newpath}' exists. Fix: pass overwrite=True.")
    _shutil.copyfile(oldpath, newpath)


copy = Copy


def Rename(oldname, newname, overwrite=False):  # noqa: N802 - TF's name
    """Rename a file; refuses to replace `newname` unless `overwrite`."""
    if not overwrite and _os.path.exists(newname):
        raise FileExistsError(f"'{newname}' exists. Fix: pass overwrite=True.")
    _os.replace(oldname, newname)


rename = Rename

__getattr__ = namespace_getattr("gfile")
