"""`tf.io`: graph writing (write_graph)."""

from ..export.graph_def import write_graph

__all__ = ["write_graph"]
