"""`tf.io`: graph writing (write_graph) and local files (`tf.io.gfile`)."""

from ..export.graph_def import write_graph
from . import gfile
from ..framework.missing import namespace_getattr

__all__ = ["write_graph", "gfile"]

__getattr__ = namespace_getattr("io")
