"""`tf.test`: the TF1 gradient-checking names (implemented in minigraph.testing)."""

from .testing import compute_gradient, compute_gradient_error

__all__ = ["compute_gradient", "compute_gradient_error"]
