"""`tf.io`: graph writing (write_graph)."""

__all__: list = []
