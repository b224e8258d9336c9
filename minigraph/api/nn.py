"""`tf.nn`: re-exports of the neural-network primitives (ops/nn_ops.py, ops/cross_entropy_ops.py,
ops/conv_ops.py, ops/pooling_ops.py), composites (ops/nn_impl.py) and the activations that TF
files under math (sigmoid, tanh)."""

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
from ..ops.normalization_ops import batch_normalization, fused_batch_norm
from ..ops.reduction_ops import l2_loss
from ..ops.conv_ops import (atrous_conv2d, conv1d, conv2d, conv2d_backprop_filter,
                            conv2d_backprop_input, conv2d_transpose, convolution)
from ..ops.cross_entropy_ops import (softmax_cross_entropy_with_logits_v2,
                                     sparse_softmax_cross_entropy_with_logits)
from ..ops.depthwise_conv_ops import (depthwise_conv2d, depthwise_conv2d_native,
                                      depthwise_conv2d_native_backprop_filter,
                                      depthwise_conv2d_native_backprop_input, separable_conv2d)
from ..ops.lrn_ops import local_response_normalization, lrn
from ..ops.nn_ops import (bias_add, elu, in_top_k, leaky_relu, log_softmax, relu, relu6, softmax,
                          softplus, top_k)
from ..ops.pooling_ops import (avg_pool, avg_pool2d, avg_pool_v2, max_pool, max_pool2d,
                               max_pool_v2, max_pool_with_argmax, pool)
from ..framework.missing import namespace_getattr

__all__ = [
    "relu", "relu6", "leaky_relu", "elu", "softplus", "sigmoid", "tanh", "softmax",
    "log_softmax", "softmax_cross_entropy_with_logits", "softmax_cross_entropy_with_logits_v2",
    "sparse_softmax_cross_entropy_with_logits", "sigmoid_cross_entropy_with_logits",
    "l2_loss", "bias_add", "in_top_k", "dropout", "moments", "l2_normalize",
    "embedding_lookup", "xw_plus_b", "top_k", "nce_loss", "sampled_softmax_loss",
    "log_uniform_candidate_sampler", "uniform_candidate_sampler",
    "fixed_unigram_candidate_sampler", "rnn_cell", "dynamic_rnn", "static_rnn",
    "bidirectional_dynamic_rnn", "static_bidirectional_rnn",
    "batch_normalization", "fused_batch_norm",
    "conv2d", "conv2d_transpose", "conv2d_backprop_input", "conv2d_backprop_filter", "conv1d",
    "atrous_conv2d", "max_pool", "max_pool_v2", "max_pool2d", "avg_pool", "avg_pool_v2",
    "avg_pool2d", "max_pool_with_argmax", "depthwise_conv2d", "depthwise_conv2d_native",
    "depthwise_conv2d_native_backprop_input", "depthwise_conv2d_native_backprop_filter",
    "separable_conv2d", "local_response_normalization", "lrn", "convolution", "pool",
]

__getattr__ = namespace_getattr("nn")
