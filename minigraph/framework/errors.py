"""Exception classes with TF 1.x names, and the formatting of "where" and "how to fix".

Lives here: OpError and its subclasses with TF's error codes; `user_frame` and
`creation_site`, which find (or pin) the user's source line that is calling into minigraph;
and `describe_node` / `describe_site`, which render a node as "'name' (OpType, created at
file.py:12: source text)". Deciding *when* to raise is the business of the modules that
detect the problem.
"""

from __future__ import annotations

import contextlib
import linecache
import os
import sys
import threading
import types

from .missing import namespace_getattr

__all__ = [
    "OpError", "CancelledError", "UnknownError", "InvalidArgumentError",
    "DeadlineExceededError", "NotFoundError", "AlreadyExistsError", "PermissionDeniedError",
    "ResourceExhaustedError", "FailedPreconditionError", "AbortedError", "OutOfRangeError",
    "UnimplementedError", "InternalError", "UnavailableError", "DataLossError",
    "UnauthenticatedError", "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED",
    "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED", "describe_node",
    "describe_site", "describe_caller", "user_frame", "creation_site",
]

OK, CANCELLED, UNKNOWN, INVALID_ARGUMENT, DEADLINE_EXCEEDED, NOT_FOUND = 0, 1, 2, 3, 4, 5
ALREADY_EXISTS, PERMISSION_DENIED, RESOURCE_EXHAUSTED, FAILED_PRECONDITION = 6, 7, 8, 9
ABORTED, OUT_OF_RANGE, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS = 10, 11, 12, 13, 14, 15
UNAUTHENTICATED = 16


class OpError(Exception):
    """A run-time error raised by `Session.run`, carrying the failing node.

    Attributes: `message`, `op` (the Operation or None), `node_def`, `error_code`.
    """

    def __init__(self, node_def, op, message, error_code=UNKNOWN):
        super().__init__(message)
        self._node_def = node_def
        self._op = op
        self._message = message
        self._error_code = error_code

    @property
    def message(self) -> str:
        return self._message

    @property
    def op(self):
        return self._op

    @property
    def node_def(self):
        return self._node_def

    @property
    def error_code(self) -> int:
        return self._error_code

    def __str__(self):
        return self._message

    def __reduce__(self):
        return type(self), (self._node_def, None, self._message)


def _subclass(name, code, doc):
    def __init__(self, node_def, op, message, *args):
        OpError.__init__(self, node_def, op, message, code)

    return type(name, (OpError,), {"__init__": __init__, "__doc__": doc})


CancelledError = _subclass("CancelledError", CANCELLED, "The run was cancelled.")
UnknownError = _subclass("UnknownError", UNKNOWN, "An error with no better class.")
InvalidArgumentError = _subclass(
    "InvalidArgumentError", INVALID_ARGUMENT,
    "Bad input at run time: unfed placeholder, shape mismatch, failed assertion, NaN check.")
DeadlineExceededError = _subclass("DeadlineExceededError", DEADLINE_EXCEEDED, "Timed out.")
NotFoundError = _subclass("NotFoundError", NOT_FOUND, "A file or checkpoint key is missing.")
AlreadyExistsError = _subclass("AlreadyExistsError", ALREADY_EXISTS, "Already exists.")
PermissionDeniedError = _subclass("PermissionDeniedError", PERMISSION_DENIED,
                                  "Permission denied.")
ResourceExhaustedError = _subclass("ResourceExhaustedError", RESOURCE_EXHAUSTED,
                                   "Out of memory or another resource.")
FailedPreconditionError = _subclass("FailedPreconditionError", FAILED_PRECONDITION,
                                    "The state is not ready, e.g. an uninitialized variable.")
AbortedError = _subclass("AbortedError", ABORTED, "The operation was aborted.")
OutOfRangeError = _subclass("OutOfRangeError", OUT_OF_RANGE, "Iteration went past the end.")
UnimplementedError = _subclass("UnimplementedError", UNIMPLEMENTED,
                               "The operation is not supported.")
InternalError = _subclass("InternalError", INTERNAL, "An internal invariant was broken.")
UnavailableError = _subclass("UnavailableError", UNAVAILABLE, "Temporarily unavailable.")
DataLossError = _subclass("DataLossError", DATA_LOSS, "Unrecoverable data loss.")
UnauthenticatedError = _subclass("UnauthenticatedError", UNAUTHENTICATED,
                                 "Not authenticated.")


_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep  # minigraph/
_SKIP_FILES = (contextlib.__file__,)


_site_local = threading.local()


@contextlib.contextmanager
def creation_site(site):
    """Record `site` as the creation site of every op made in the block.

    Long builders (tf.gradients, optimizers) pin the user's call site once instead of walking
    the stack for each op they create.
    """
    old = getattr(_site_local, "site", None)
    _site_local.site = site
    try:
        yield
    finally:
        _site_local.site = old


_SITES: dict = {}


def user_frame():
    """Return (filename, lineno) of the innermost caller outside the minigraph package."""
    pinned = getattr(_site_local, "site", None)
    if pinned is not None:
        return pinned
    frame: types.FrameType | None = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith(_PACKAGE_DIR) and filename not in _SKIP_FILES:
            site = filename, frame.f_lineno
            return _SITES.setdefault(site, site)  # one tuple per source line (memory)
        frame = frame.f_back
    return None


def describe_site(frame) -> str:
    """Render a recorded creation frame as "file.py:12: source text" (empty if unknown)."""
    if frame is None:
        return "an unknown location"
    filename, lineno = frame
    text = linecache.getline(filename, lineno).strip()
    return f"{filename}:{lineno}" + (f": {text}" if text else "")


def describe_node(op) -> str:
    """Render an Operation as "'name' (OpType, created at file.py:12: source text)"."""
    return f"'{op.name}' ({op.type}, created at {describe_site(op.creation_site)})"


def describe_caller() -> str:
    """Render the user's line that is calling into minigraph right now ("file.py:12: text").

    For errors raised before any node exists (argument checks of optimizers, schedules,
    clip ops, sessions), so that the message still points at the user's code.
    """
    return describe_site(user_frame())


__getattr__ = namespace_getattr("errors")
