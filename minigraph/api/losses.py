"""`tf.losses`: TF1 loss functions with their default reduction (defined in ops/losses_impl.py)."""

from ..ops.losses_impl import (Reduction, absolute_difference, add_loss, compute_weighted_loss,
                               cosine_distance, mean_pairwise_squared_error,
                               get_losses, get_regularization_loss, get_regularization_losses,
                               get_total_loss, hinge_loss, huber_loss, log_loss,
                               mean_squared_error, sigmoid_cross_entropy, softmax_cross_entropy,
                               sparse_softmax_cross_entropy)
from ..framework.missing import namespace_getattr

__all__ = [
    "Reduction", "compute_weighted_loss", "mean_squared_error", "absolute_difference",
    "softmax_cross_entropy", "sparse_softmax_cross_entropy", "sigmoid_cross_entropy",
    "log_loss", "hinge_loss", "huber_loss", "cosine_distance", "mean_pairwise_squared_error",
    "add_loss", "get_losses",
    "get_regularization_losses", "get_regularization_loss", "get_total_loss",
]

__getattr__ = namespace_getattr("losses")
