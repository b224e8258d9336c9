"""Primitive ops, one module per family. Importing this package registers every op."""

from . import (array_ops, constant_op, control_ops, math_ops, nn_ops,  # noqa: F401
               random_ops, state_ops)
from . import indexing_ops, join_split_ops  # noqa: F401  (slicing/gather; concat/split/pad)
