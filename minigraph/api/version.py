"""`tf.version`: minigraph's version strings (defined in framework/behavior.py)."""

from ..framework.behavior import GRAPH_DEF_VERSION, VERSION
from ..framework.missing import namespace_getattr

__all__ = ["VERSION", "GRAPH_DEF_VERSION"]

__getattr__ = namespace_getattr("version")
