"""`minigraph.viz`: see the graph (minigraph-only; not a TF namespace).

networkx, Graphviz DOT and pictures live in export/drawing.py; GraphDef text in
export/graph_def.py; the interactive HTML explorer in export/explorer.py. Imports and
`__all__` only.
"""

from .export.explorer import Explorer, explore
from .export.drawing import COLORS, ROLES, op_roles, render, to_dot, to_networkx
from .export.graph_def import graph_def, node_def_text, write_graph

__all__ = ["to_networkx", "to_dot", "render", "op_roles", "graph_def", "node_def_text",
           "write_graph", "ROLES", "COLORS", "explore", "Explorer"]
