"""`tf.train.write_graph`: the same function as `tf.io.write_graph` (defined in graphdef.py)."""

from ..graphdef import write_graph

__all__ = ["write_graph"]
