"""Primitive ops, one module per family. Importing this package registers every op."""

from . import (array_ops, constant_op, control_ops, math_ops, nn_ops,  # noqa: F401
               random_ops, state_ops, training_ops)
from . import summary_ops  # noqa: F401  (ScalarSummary, HistogramSummary, MergeSummary)
from . import indexing_ops, join_split_ops  # noqa: F401  (slicing/gather; concat/split/pad)
from . import nn_loss_ops  # noqa: F401  (softmax cross-entropies, L2Loss)
from . import shape_ops  # noqa: F401  (Shape, Reshape, Transpose, ...; re-exported by array_ops)
from . import control_flow_ops  # noqa: F401  (cond and its Merge op)
