"""`tf.test`: the TF1 gradient-checking names (implemented in minigraph/gradient_checker.py)."""

from ..gradient_checker import compute_gradient, compute_gradient_error
from ..framework.missing import namespace_getattr

__all__ = ["compute_gradient", "compute_gradient_error"]

__getattr__ = namespace_getattr("test")
