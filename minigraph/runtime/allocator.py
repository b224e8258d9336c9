"""Memory allocator tuning: keep freed blocks for reuse instead of returning them to the OS.

Every kernel returns a fresh numpy array. With glibc's defaults, a freed block of more than
a few hundred KB goes back to the kernel and the next allocation of that size page-faults
on every page: measured on the W1 benchmark's Adam update, 2.2 ms with the defaults against
1.1 ms with freed memory kept. TensorFlow's BFC allocator and PyTorch's caching allocator
make the same trade: the process keeps its peak memory instead of returning it.
`Session()` calls `retain_freed_memory()` once; on a platform without glibc it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading

__all__ = ["retain_freed_memory"]

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_MMAP_THRESHOLD = 256 << 20   # blocks up to 256 MiB come from the reusable heap
_TRIM_THRESHOLD = 1 << 30     # never give back less than 1 GiB of free heap top
_state = {"done": False, "result": False}
_lock = threading.Lock()


def retain_freed_memory() -> bool:
    """Tell glibc malloc to keep freed memory for reuse; return True if it applied.

    Process-wide and idempotent. Call it yourself before heavy numpy work if you want the
    same effect outside a Session.
    """
    with _lock:
        if _state["done"]:
            return _state["result"]
        _state["done"] = True
        name = ctypes.util.find_library("c")
        try:
            libc = ctypes.CDLL(name) if name else None
            mallopt = libc.mallopt if libc is not None else None
        except (OSError, AttributeError):
            mallopt = None
        if mallopt is None:
            return False
        ok = bool(mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD))
        if not ok:  # older glibc caps the threshold at 32 MiB
            ok = bool(mallopt(_M_MMAP_THRESHOLD, 32 << 20))
        ok = bool(mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD)) and ok
        _state["result"] = ok
        return ok
