"""minigraph: a small define-then-run graph engine with TensorFlow 1.x semantics.

`import minigraph as tf` gives the TF1 names. This file holds imports and `__all__` only:
each public name is defined once, in the module that owns it. Names that shadow Python
builtins (range, abs, ...) are defined with a trailing underscore and renamed here.
"""

from .framework import dtypes, errors  # noqa: F401
from . import ops  # noqa: F401  (importing ops registers every op)
from . import data, layers, train  # noqa: F401  (TF namespaces with logic behind them)
from .api import (contrib, initializers, io, logging, losses, math, metrics, nn,  # noqa: F401,A004
                  random, summary, test, version)
from .api import gfile, graph_util  # noqa: F401
from .ops import init_ops as _init_ops, variables as _variables
from .train import clip_ops as _clip_ops
from .runtime.config import (ConfigProto, GPUOptions, GraphOptions, OptimizerOptions, RunMetadata,
                             RunOptions)
from .train.clip_ops import *  # noqa: F401,F403
from .framework.dtypes import *  # noqa: F401,F403
from .framework.dtypes import DType, as_dtype
from .export.graph_def import GraphDef
from .export.graph_import import import_graph_def
from .gradients import AggregationMethod, UnconnectedGradients, gradients
from .framework.graph import (Graph, GraphKeys, add_to_collection, add_to_collections,
                              colocate_with, control_dependencies, device, get_collection,
                              get_collection_ref, get_default_graph, get_default_session,
                              name_scope, reset_default_graph)
from .framework.tensor import Operation, Tensor
from .ops import (array_ops as _array_ops, broadcast_ops as _broadcast_ops,
                  check_ops as _check_ops, comparison_ops as _comparison_ops,
                  constant_op as _constant_op, control_flow_ops as _control_flow_ops,
                  indexing_ops as _indexing_ops, join_split_ops as _join_split_ops,
                  linalg_ops as _linalg_ops, math_ops as _math_ops, pad_ops as _pad_ops,
                  random_ops as _random_ops, reduction_ops as _reduction_ops,
                  shape_ops as _shape_ops, state_ops as _state_ops, stitch_ops as _stitch_ops,
                  gather_nd_ops as _gather_nd_ops, segment_ops as _segment_ops,
                  einsum_ops as _einsum_ops,
                  unary_ops as _unary_ops, scatter_ops as _scatter_ops,
                  partition_ops as _partition_ops, script_ops as _script_ops,
                  parsing_ops as _parsing_ops)
from . import loop_gradients  # noqa: F401  (registers the gradient of the While op)
from .ops.array_ops import *  # noqa: F401,F403
from .ops.broadcast_ops import *  # noqa: F401,F403
from .ops.check_ops import *  # noqa: F401,F403
from .ops.check_ops import print_ as print  # noqa: A004
from .ops.comparison_ops import *  # noqa: F401,F403
from .ops.constant_op import *  # noqa: F401,F403
from .ops.control_flow_ops import *  # noqa: F401,F403
from .ops.control_flow_ops import tuple_ as tuple  # noqa: A004
from .ops.indexing_ops import *  # noqa: F401,F403
from .ops.join_split_ops import *  # noqa: F401,F403
from .ops.linalg_ops import *  # noqa: F401,F403
from .ops.nn_impl import sequence_mask  # noqa: F401
from .ops.sort_ops import argsort, sort  # noqa: F401
from .ops.gather_nd_ops import *  # noqa: F401,F403
from .ops.segment_ops import *  # noqa: F401,F403
from .ops.einsum_ops import *  # noqa: F401,F403
from .ops.math_ops import *  # noqa: F401,F403
from .ops.math_ops import pow_ as pow  # noqa: A004
from .ops.pad_ops import *  # noqa: F401,F403
from .ops.pad_ops import slice_ as slice  # noqa: A004
from .ops.random_ops import *  # noqa: F401,F403
from .ops.reduction_ops import *  # noqa: F401,F403
from .ops.shape_ops import *  # noqa: F401,F403
from .ops.shape_ops import range_ as range  # noqa: A004
from .ops.state_ops import *  # noqa: F401,F403
from .ops.stitch_ops import *  # noqa: F401,F403
from .ops.unary_ops import *  # noqa: F401,F403
from .ops.unary_ops import abs_ as abs, round_ as round  # noqa: A004
from .ops.scatter_ops import *  # noqa: F401,F403
from .ops.partition_ops import *  # noqa: F401,F403
from .ops.script_ops import *  # noqa: F401,F403
from .ops.parsing_ops import *  # noqa: F401,F403
from .framework.indexed_slices import IndexedSlices, IndexedSlicesValue
from .framework.registry import NotDifferentiable, RegisterGradient
from .runtime.session import InteractiveSession, Session
from .framework.shapes import Dimension, TensorShape
from .framework import behavior as _behavior
from .framework.behavior import *  # noqa: F401,F403
from .framework.behavior import __version__  # noqa: F401
from .framework.missing import namespace_getattr as _namespace_getattr
from .ops.init_ops import *  # noqa: F401,F403
from .ops.variables import *  # noqa: F401,F403
from .ops.while_loop import while_loop
from .ops.functional_ops import case, foldl, foldr, map_fn, scan, switch_case

newaxis = None
NoGradient = NotDifferentiable

from . import compat  # noqa: E402  (last: tf.compat.v1 is this module, fully built)

__getattr__ = _namespace_getattr("")

__all__ = (
    list(dtypes.__all__) + _array_ops.__all__ + _broadcast_ops.__all__ + _check_ops.__all__
    + _comparison_ops.__all__ + _constant_op.__all__ + _control_flow_ops.__all__
    + _indexing_ops.__all__ + _join_split_ops.__all__ + _linalg_ops.__all__ + _math_ops.__all__
    + _pad_ops.__all__ + _random_ops.__all__ + _reduction_ops.__all__ + _shape_ops.__all__
    + _state_ops.__all__ + _stitch_ops.__all__ + _unary_ops.__all__ + _variables.__all__
    + _scatter_ops.__all__ + _partition_ops.__all__ + _script_ops.__all__
    + _parsing_ops.__all__
    + _init_ops.__all__
    + _clip_ops.__all__ + _behavior.__all__
    + ["ConfigProto", "GPUOptions", "GraphOptions", "OptimizerOptions", "RunOptions",
       "RunMetadata", "initializers", "layers", "logging", "math", "random"]
    + ["import_graph_def", "GraphDef", "gfile", "graph_util", "sequence_mask", "sort",
       "argsort"]
    + _gather_nd_ops.__all__ + _segment_ops.__all__ + _einsum_ops.__all__
    + ["data", "IndexedSlices", "IndexedSlicesValue", "RegisterGradient", "NotDifferentiable",
       "NoGradient"]
    + ["DType", "as_dtype", "gradients", "AggregationMethod", "UnconnectedGradients", "Graph",
       "GraphKeys", "Operation", "Tensor", "add_to_collection", "add_to_collections",
       "colocate_with", "control_dependencies", "device", "get_collection",
       "get_collection_ref", "get_default_graph", "get_default_session", "name_scope",
       "reset_default_graph", "Session", "InteractiveSession", "Dimension", "TensorShape",
       "newaxis", "errors", "dtypes", "range", "slice", "abs", "pow", "round", "tuple", "print",
       "io", "losses", "metrics", "nn", "summary", "test", "train", "compat", "contrib", "version",
       "while_loop", "case", "foldl", "foldr", "map_fn", "scan", "switch_case"]
)
