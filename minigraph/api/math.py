"""`tf.math`: the TF 1.13+ namespace for math functions, re-exported from where they live.

Every name here is also available under its TF1 top-level or `tf.nn` spelling
(`tf.math.reduce_sum is tf.reduce_sum`). Imports and `__all__` only.
"""

from ..ops.array_ops import invert_permutation
from ..ops.indexing_ops import unsorted_segment_sum
from ..ops.math_ops import (abs_ as abs, add, add_n, argmax, argmin, ceil, cos,  # noqa: A004
                            divide, equal, exp, floor, floordiv, floormod, greater, greater_equal,
                            less, less_equal, log, log1p, logical_and, logical_not, logical_or,
                            logical_xor, maximum, minimum, mod, multiply, negative, not_equal,
                            pow_ as pow, reciprocal, reduce_all, reduce_any, reduce_max,
                            reduce_mean, reduce_min, reduce_prod, reduce_sum, round_ as round,
                            rsqrt, scalar_mul, sigmoid, sign, sin, sqrt, square,
                            squared_difference, subtract, tanh, truediv)
from ..ops.nn_impl import l2_normalize
from ..ops.nn_ops import in_top_k, log_softmax, softmax, softplus, top_k
from ..framework.missing import namespace_getattr

__all__ = [
    "abs", "add", "add_n", "argmax", "argmin", "ceil", "cos", "divide", "equal", "exp", "floor",
    "floordiv", "floormod", "greater", "greater_equal", "in_top_k", "invert_permutation",
    "l2_normalize", "less", "less_equal", "log", "log1p", "log_softmax", "logical_and",
    "logical_not", "logical_or", "logical_xor", "maximum", "minimum", "mod", "multiply",
    "negative", "not_equal", "pow", "reciprocal", "reduce_all", "reduce_any", "reduce_max",
    "reduce_mean", "reduce_min", "reduce_prod", "reduce_sum", "round", "rsqrt", "scalar_mul",
    "sigmoid", "sign", "sin", "softmax", "softplus", "sqrt", "square", "squared_difference",
    "subtract", "tanh", "top_k", "truediv", "unsorted_segment_sum",
]

__getattr__ = namespace_getattr("math")
