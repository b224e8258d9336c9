"""`tf.graph_util`: freezing and trimming GraphDefs (defined in export/graph_util.py)."""

from ..export.graph_util import (convert_variables_to_constants, extract_sub_graph,
                                 must_run_on_cpu, remove_training_nodes,
                                 tensor_shape_from_node_def_name)
from ..framework.missing import namespace_getattr

__all__ = ["convert_variables_to_constants", "extract_sub_graph", "must_run_on_cpu",
           "remove_training_nodes", "tensor_shape_from_node_def_name"]

__getattr__ = namespace_getattr("graph_util")
