"""`tf.io`: graph writing (write_graph) and local files (`tf.io.gfile`)."""

from ..export.graph_def import write_graph
from . import gfile

__all__ = ["write_graph", "gfile"]
