"""`tf.io`: graph writing (write_graph)."""

from ..export.graph_def import write_graph
from ..framework.missing import namespace_getattr

__all__ = ["write_graph"]

__getattr__ = namespace_getattr("io")
