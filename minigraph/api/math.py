"""`tf.math`: the TF 1.13+ namespace for math functions, re-exported from where they live.

Every name here is also available under its TF1 top-level or `tf.nn` spelling
(`tf.math.reduce_sum is tf.reduce_sum`). Imports and `__all__` only.
"""

from ..ops.shape_ops import invert_permutation
from ..ops.indexing_ops import unsorted_segment_sum
from ..ops.segment_ops import segment_mean, segment_sum, unsorted_segment_max
from ..ops.broadcast_ops import reduce_sum
from ..ops.comparison_ops import (equal, greater, greater_equal, less, less_equal, logical_and,
                                  logical_not, logical_or, logical_xor, not_equal)
from ..ops.math_ops import (add, add_n, divide, floordiv, floormod, maximum, minimum, mod, multiply,
                            pow_ as pow, scalar_mul, squared_difference, subtract, truediv)
from ..ops.reduction_ops import (argmax, argmin, cumprod, cumsum, reduce_all, reduce_any,
                                 reduce_max, reduce_mean, reduce_min, reduce_prod)
from ..ops.unary_ops import (abs_ as abs, ceil, cos, exp, floor, log, log1p, negative, reciprocal,
                             round_ as round, rsqrt, sigmoid, sign, sin, sqrt, square, tanh)
from ..ops.nn_impl import l2_normalize
from ..ops.nn_ops import in_top_k, log_softmax, softmax, softplus, top_k
from ..framework.missing import namespace_getattr

__all__ = [
    "abs", "add", "add_n", "argmax", "argmin", "ceil", "cos", "cumprod", "cumsum", "divide",
    "equal", "exp", "floor",
    "floordiv", "floormod", "greater", "greater_equal", "in_top_k", "invert_permutation",
    "l2_normalize", "less", "less_equal", "log", "log1p", "log_softmax", "logical_and",
    "logical_not", "logical_or", "logical_xor", "maximum", "minimum", "mod", "multiply",
    "negative", "not_equal", "pow", "reciprocal", "reduce_all", "reduce_any", "reduce_max",
    "reduce_mean", "reduce_min", "reduce_prod", "reduce_sum", "round", "rsqrt", "scalar_mul",
    "sigmoid", "sign", "sin", "softmax", "softplus", "sqrt", "square", "squared_difference",
    "subtract", "tanh", "top_k", "truediv", "unsorted_segment_sum",
    "segment_sum", "segment_mean", "unsorted_segment_max",
]

__getattr__ = namespace_getattr("math")
