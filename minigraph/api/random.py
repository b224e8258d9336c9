"""`tf.random`: the TF 1.13+ names for random ops (`tf.random.normal` is `tf.random_normal`).

The ops and the graph-level/op-level seed rules live in ops/random_ops.py. Imports and
`__all__` only.
"""

from ..ops.random_ops import get_seed, set_random_seed
from ..ops.random_ops import random_normal as normal
from ..ops.random_ops import random_shuffle as shuffle
from ..ops.random_ops import random_uniform as uniform
from ..ops.random_ops import truncated_normal
from ..framework.missing import namespace_getattr

__all__ = ["normal", "uniform", "truncated_normal", "shuffle", "set_random_seed", "get_seed"]

__getattr__ = namespace_getattr("random")
