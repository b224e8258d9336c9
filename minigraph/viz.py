"""Graph export: networkx (the one conversion), DOT/Graphviz, GraphDef for TensorBoard."""

__all__: list = []
