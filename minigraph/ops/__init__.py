"""Primitive ops, one module per family. Importing this package registers every op."""

from . import (array_ops, check_ops, comparison_ops, constant_op, control_flow_ops,  # noqa: F401
               cross_entropy_ops, indexing_ops, join_split_ops, linalg_ops, math_ops, nn_ops,
               random_ops, reduction_ops, shape_ops, state_ops, stitch_ops, summary_ops,
               training_ops, unary_ops)
