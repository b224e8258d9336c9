"""`tf.nn`: re-exports of the neural-network primitives (ops/nn_ops.py, ops/cross_entropy_ops.py),
composites (ops/nn_impl.py) and the activations that TF files under math (sigmoid, tanh)."""

from . import rnn_cell
from ..layers.rnn import (bidirectional_dynamic_rnn, dynamic_rnn, static_bidirectional_rnn,
                          static_rnn)
from ..ops.candidate_sampling_ops import (fixed_unigram_candidate_sampler,
                                          log_uniform_candidate_sampler,
                                          uniform_candidate_sampler)
from ..ops.sampled_losses import nce_loss, sampled_softmax_loss
from ..ops.unary_ops import sigmoid, tanh
from ..ops.nn_impl import (dropout, embedding_lookup, l2_normalize, moments,
                           sigmoid_cross_entropy_with_logits, softmax_cross_entropy_with_logits,
                           xw_plus_b)
from ..ops.reduction_ops import l2_loss
from ..ops.cross_entropy_ops import (softmax_cross_entropy_with_logits_v2,
                                     sparse_softmax_cross_entropy_with_logits)
from ..ops.nn_ops import (bias_add, elu, in_top_k, leaky_relu, log_softmax, relu, relu6, softmax,
                          softplus, top_k)

__all__ = [
    "relu", "relu6", "leaky_relu", "elu", "softplus", "sigmoid", "tanh", "softmax",
    "log_softmax", "softmax_cross_entropy_with_logits", "softmax_cross_entropy_with_logits_v2",
    "sparse_softmax_cross_entropy_with_logits", "sigmoid_cross_entropy_with_logits",
    "l2_loss", "bias_add", "in_top_k", "dropout", "moments", "l2_normalize",
    "embedding_lookup", "xw_plus_b", "top_k", "nce_loss", "sampled_softmax_loss",
    "log_uniform_candidate_sampler", "uniform_candidate_sampler",
    "fixed_unigram_candidate_sampler", "rnn_cell", "dynamic_rnn", "static_rnn",
    "bidirectional_dynamic_rnn", "static_bidirectional_rnn",
]
