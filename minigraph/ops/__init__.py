"""Primitive ops, one module per family. Importing this package registers every op.

The modules form layers; an op's gradient uses only its own module and the ones listed
before it (docs/architecture.md shows the order, tests/test_imports.py checks it).
"""

from . import (constant_op, shape_ops, broadcast_ops, array_ops, unary_ops,  # noqa: F401
               comparison_ops, math_ops, linalg_ops, reduction_ops, pad_ops, indexing_ops,
               stitch_ops, partition_ops, join_split_ops, nn_ops, sort_ops, gather_nd_ops,
               segment_ops, einsum_ops, conv_kernels,
               conv_ops, depthwise_conv_ops, pooling_ops, lrn_ops, cross_entropy_ops, random_ops,
               candidate_sampling_ops, state_ops, scatter_ops, normalization_ops,
               control_flow_ops, check_ops, png, summary_ops, training_ops, sparse_training_ops,
               script_ops, parsing_ops, sampled_losses, while_loop, functional_ops)
