"""`tf.io`: graph writing (write_graph)."""

from .graphdef import write_graph

__all__ = ["write_graph"]
